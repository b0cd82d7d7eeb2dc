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
    /// Tab order. Functions come last, so the keys that reach the other panes stay as they were.
    pub const ALL: [Pane; 6] = [Pane::Services, Pane::Endpoints, Pane::Logs, Pane::Alarms, Pane::Cost, Pane::Functions];

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
