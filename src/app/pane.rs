//! The dashboard's panes, in tab order.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Services,
    Endpoints,
    Logs,
    Alarms,
    Cost,
}

impl Pane {
    /// Tab order.
    pub const ALL: [Pane; 5] = [Pane::Services, Pane::Endpoints, Pane::Logs, Pane::Alarms, Pane::Cost];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Services => "ECS services",
            Pane::Endpoints => "SageMaker endpoints",
            Pane::Logs => "Logs",
            Pane::Alarms => "Alarms",
            Pane::Cost => "Cost",
        }
    }
}
