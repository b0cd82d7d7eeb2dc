//! The dashboard: each pane in the place the layout gives it (a service's detail in the services
//! pane's place while it is open), and the operations strip.

use super::{alarms, cost, detail, endpoint_detail, endpoints, functions, logs, operations, services};
use crate::app::layout::Areas;
use crate::app::{Pane, State};
use crate::theme::Theme;
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, areas: &Areas) {
    for (pane, rect) in &areas.panes {
        match pane {
            Pane::Services if state.dashboard.detail.is_some() => detail::render(state, theme, frame, *rect),
            Pane::Services => services::render(state, theme, frame, *rect),
            Pane::Endpoints if state.dashboard.endpoint_detail.is_some() => {
                endpoint_detail::render(state, theme, frame, *rect)
            }
            Pane::Endpoints => endpoints::render(state, theme, frame, *rect),
            Pane::Functions => functions::render(state, theme, frame, *rect),
            Pane::Logs => logs::render(state, theme, frame, *rect),
            Pane::Alarms => alarms::render(state, theme, frame, *rect),
            Pane::Cost => cost::render(state, theme, frame, *rect),
        }
    }
    if let Some(strip) = areas.strip {
        operations::render(state, theme, frame, strip);
    }
}
