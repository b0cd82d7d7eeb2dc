//! The dashboard's panes, in tab order.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Services,
    Endpoints,
    /// Lambda functions: shares a place in the dashboard with another pane (`[functions]`).
    Functions,
    Logs,
    Alarms,
    Cost,
}

impl Pane {
    /// Tab order.
    pub const ALL: [Pane; 6] = [Pane::Services, Pane::Endpoints, Pane::Functions, Pane::Logs, Pane::Alarms, Pane::Cost];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Services => "ECS services",
            Pane::Endpoints => "SageMaker endpoints",
            Pane::Functions => "Lambda functions",
            Pane::Logs => "Logs",
            Pane::Alarms => "Alarms",
            Pane::Cost => "Cost",
        }
    }
}
