//! Pure rendering: `render(&State, &Theme, &Keymap, &mut Frame)` reads the state and draws it;
//! nothing here changes state or does I/O.

mod alarms;
mod chrome;
mod confirm;
mod cost;
mod detail;
mod endpoints;
mod environments;

mod logs;
mod operations;
mod popups;
mod reports;
mod runbook;
mod services;
pub mod widgets;

use crate::app::{Mode, Pane, State};
use crate::keymap::Keymap;
use crate::theme::Theme;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

/// Below this nothing useful fits; say so instead of drawing a mess.
const MIN_SIZE: (u16, u16) = (20, 5);

pub fn render(state: &State, theme: &Theme, keymap: &Keymap, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.base), area);
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = Span::styled("opsdeck: terminal too small", theme.danger);
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    let strip = crate::app::strip_rows(state);
    let areas = crate::layout::compute((area.width, area.height), state.focus, state.zoomed, strip);
    chrome::header(state, theme, frame, areas.header);
    for (pane, rect) in &areas.panes {
        match pane {
            // A service's detail takes the services pane's place while it is open.
            Pane::Services if state.detail.is_some() => detail::render(state, theme, frame, *rect),
            Pane::Services => services::render(state, theme, frame, *rect),
            Pane::Endpoints => endpoints::render(state, theme, frame, *rect),
            Pane::Logs => logs::render(state, theme, frame, *rect),
            Pane::Alarms => alarms::render(state, theme, frame, *rect),
            Pane::Cost => cost::render(state, theme, frame, *rect),
        }
    }
    if let Some(strip) = areas.strip {
        operations::render(state, theme, frame, strip);
    }
    chrome::status_bar(state, theme, keymap, frame, areas.status);
    popups::palette_suggestions(state, theme, frame, areas.status);
    match state.mode {
        Mode::Help { .. } => popups::help(state, theme, keymap, frame, area),
        Mode::Confirm(_) => confirm::render(state, theme, frame, area),
        Mode::Audit(_) => reports::audit(state, theme, frame, area),
        Mode::Report(_) => reports::report(state, theme, frame, area),
        Mode::Environments(_) => environments::render(state, theme, keymap, frame, area),
        Mode::Runbook => runbook::render(state, theme, keymap, frame, area),
        _ => {}
    }
}
