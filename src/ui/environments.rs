//! The environments view (`:env`, `E`): one row per environment with where it stands, what runs
//! now costs, what a teardown saves and what the cost data says per day; `enter` shows the
//! selected one's resources, now and as saved.

use super::widgets::{centered, truncate};
use crate::app::EnvView;
use crate::keymap::{Action, Context, Keymap};
use crate::ops::env::{EnvOverview, Shape};
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

fn money(v: Option<f64>, unit: &str) -> String {
    v.map_or("-".to_string(), |v| format!("${v:.2}{unit}"))
}

fn shape_style(theme: &Theme, v: &EnvOverview) -> Style {
    if v.error.is_some() {
        return theme.danger;
    }
    match v.shape {
        Shape::Running => theme.health_ok,
        Shape::TornDown { .. } => theme.info,
        Shape::PartlyTornDown { .. } | Shape::Restoring { .. } => theme.health_warn,
        Shape::Unknown => theme.muted,
    }
}

pub fn render(view: &EnvView, theme: &Theme, keymap: &Keymap, frame: &mut Frame, area: Rect) {
    let full = centered(area, area.width.saturating_sub(4).min(150), area.height.saturating_sub(2));
    let width = usize::from(full.width.saturating_sub(2));
    let header =
        format!("{:<24} {:<46} {:>9} {:>15} {:>12}", "ENVIRONMENT", "STATE", "NOW", "TEARDOWN SAVES", "COST/DAY");
    let mut lines = vec![Line::from(Span::styled(truncate(&header, width), theme.header))];
    if view.views.is_empty() {
        let text = if view.in_flight.is_some() { "reading every environment…" } else { "no environments read" };
        lines.push(Line::from(Span::styled(text, theme.muted)));
    }
    for (i, v) in view.views.iter().enumerate() {
        let state_text = v.error.as_ref().map_or_else(|| v.shape.text(), |e| format!("error: {e}"));
        let text = format!(
            "{:<24} {:<46} {:>9} {:>15} {:>12}",
            truncate(&v.name, 24),
            truncate(&state_text, 46),
            money(v.hourly_now, "/h"),
            money(v.saves_per_day(), "/day"),
            money(v.cost_per_day, "/day")
        );
        let style = if i == view.selected { theme.selection } else { shape_style(theme, v) };
        lines.push(Line::from(Span::styled(truncate(&text, width), style)));
    }
    if let Some(v) = view.views.get(view.selected).filter(|_| view.detail) {
        lines.push(Line::raw(""));
        let about = v.description.clone().unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", v.name), theme.title),
            Span::styled(truncate(&about, width.saturating_sub(v.name.len() + 1)), theme.muted),
        ]));
        lines.push(Line::from(Span::styled(truncate(&format!("saved state: {}", v.saved_in), width), theme.muted)));
        let head = format!("  {:<54} {:<42} SAVED", "RESOURCE", "NOW");
        lines.push(Line::from(Span::styled(truncate(&head, width), theme.header)));
        for r in &v.resources {
            let mark = if r.down { "↓ " } else { "  " };
            let text = format!("{mark}{:<54} {:<42} {}", r.address, r.now, r.saved.as_deref().unwrap_or("-"));
            let style = if r.down { theme.info } else { theme.base };
            lines.push(Line::from(Span::styled(truncate(&text, width), style)));
        }
        if let Some(e) = &v.error {
            lines.push(Line::from(Span::styled(truncate(&format!("⚠ {e}"), width), theme.danger)));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "NOW and TEARDOWN SAVES are estimates at on-demand list prices; COST/DAY comes from the cost data",
        theme.muted,
    )));
    // As tall as what it says, up to the screen.
    let popup = centered(area, full.width, (lines.len() as u16 + 2).min(full.height));
    let rows = usize::from(popup.height.saturating_sub(2));
    let offset = lines.len().saturating_sub(rows);
    let shown: Vec<Line> = lines.into_iter().skip(offset).collect();
    let key = |a: Action| keymap.key_in(Context::Environments, a).map_or("?".to_string(), |k| k.to_string());
    let title = format!(
        " Environments: {} details, {} teardown, {} restore, {} read again, {} close ",
        key(Action::Select),
        key(Action::Teardown),
        key(Action::Restore),
        key(Action::Refresh),
        key(Action::Back)
    );
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(truncate(&title, width), theme.title_focused))
        .style(theme.base);
    frame.render_widget(Paragraph::new(shown).block(block), popup);
}
