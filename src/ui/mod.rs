//! Pure rendering: `render(&State, &Theme, &Keymap, &mut Frame)` reads the state and draws it;
//! nothing here changes state or does I/O. Each view of `app` has its renderer here under the
//! same name; `chrome` draws the header and status bar, `widgets` the pieces they share.

mod alarms;
mod audit;
pub mod chart;
mod chrome;
mod confirm;
mod cost;
mod dashboard;
mod detail;
mod endpoint_detail;
mod endpoints;
mod environments;
mod filter;
mod function_detail;
mod functions;
mod help;
mod logs;
mod metric_chart;
mod operations;
mod palette;
mod places;
mod query;
mod quit;
mod report;
mod runbook;
mod services;
mod timeline_view;
pub mod widgets;

use crate::app::{Mode, State};
use crate::keymap::Keymap;
use crate::theme::Theme;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

/// Below this nothing useful fits; say so instead of drawing a mess.
const MIN_SIZE: (u16, u16) = (20, 5);

pub fn render(state: &State, theme: &Theme, keymap: &Keymap, frame: &mut Frame) {
    crate::redraw::start();
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.base), area);
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = Span::styled("opsdeck: terminal too small", theme.danger);
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    let areas = crate::app::layout::compute(
        (area.width, area.height),
        state.dashboard.focus,
        state.dashboard.zoomed,
        state.strip_rows(),
        state.dashboard.swap(state.ctx.settings.functions_slot),
    );
    chrome::header(state, theme, frame, areas.header);
    dashboard::render(state, theme, frame, &areas);
    // The status bar's place: a prompt while one is open.
    match &state.mode {
        Mode::Palette(input) => palette::render(input, theme, frame, areas.status),
        Mode::Filter(input) => filter::render(input, theme, frame, areas.status),
        Mode::ConfirmQuit => quit::render(theme, frame, areas.status),
        _ => chrome::status_bar(state, theme, keymap, frame, areas.status),
    }
    // Views over the dashboard.
    match &state.mode {
        Mode::Palette(input) => palette::suggestions(input, theme, frame, areas.status),
        Mode::Help { scroll } => help::render(*scroll, theme, keymap, frame, area),
        Mode::Confirm(dialog) => confirm::render(dialog, state.ctx.settings.read_only, theme, frame, area),
        Mode::Audit(view) => audit::render(view, theme, frame, area),
        Mode::Report(report) => report::render(report, theme, frame, area),
        Mode::Environments(view) => environments::render(view, theme, keymap, frame, area),
        Mode::Runbook => runbook::render(state, theme, keymap, frame, area),
        Mode::Query(view) => query::render(view, theme, keymap, frame, area),
        Mode::Chart(view) => metric_chart::render(view, theme, keymap, frame, area),
        Mode::Timeline(view) => {
            let incident = state.ctx.incident.as_deref();
            timeline_view::render(view, &state.timeline, incident, state.ctx.settings.team, theme, frame, area)
        }
        Mode::Normal | Mode::Filter(_) | Mode::ConfirmQuit => {}
    }
}
