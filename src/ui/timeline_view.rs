//! The incident timeline view: time, who, kind and what of every entry, the selected one whole,
//! and who else has the incident open (team mode).

use super::widgets::{centered, truncate};
use crate::app::{TimelineFeed, TimelineView};
use crate::incident::Kind;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn render(
    view: &TimelineView,
    feed: &TimelineFeed,
    incident: Option<&str>,
    team: bool,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let popup = centered(area, area.width.saturating_sub(4).min(150), area.height.saturating_sub(2));
    let width = usize::from(popup.width.saturating_sub(2));
    let rows = usize::from(popup.height.saturating_sub(6)).max(1);
    let mut lines = Vec::new();
    let others = match (team, feed.present.as_slice()) {
        (false, _) => "this bastion only (team mode is off)".to_string(),
        (true, []) => "nobody else has it open".to_string(),
        (true, people) => format!("also here: {}", people.join(", ")),
    };
    lines.push(Line::from(Span::styled(truncate(&others, width), theme.info)));
    if let Some(e) = &feed.error {
        lines.push(Line::from(Span::styled(truncate(&format!("⚠ {e}"), width), theme.health_warn)));
    }
    if feed.entries.is_empty() {
        let text = if feed.in_flight.is_some() { "reading the timeline…" } else { "nothing recorded yet" };
        lines.push(Line::from(Span::styled(text, theme.muted)));
    }
    let offset = view.selected.saturating_sub(rows.saturating_sub(1));
    for (i, e) in feed.entries.iter().enumerate().skip(offset).take(rows) {
        let text = format!(
            "{}  {:<22} {:<8} {}",
            e.at.format("%H:%M:%S"),
            truncate(&e.who, 22),
            e.kind.as_str(),
            e.what.replace(['\n', '\r'], " ")
        );
        let style = if i == view.selected {
            theme.selection
        } else {
            match e.kind {
                Kind::Alarm => theme.health_warn,
                Kind::Step | Kind::Query => theme.info,
                Kind::Start | Kind::End | Kind::Join => theme.muted,
                Kind::Note => theme.base,
            }
        };
        lines.push(Line::from(Span::styled(truncate(&text, width), style)));
    }
    if let Some(e) = feed.entries.get(view.selected) {
        lines.push(Line::raw(""));
        let mut detail = e.what.clone();
        if let Some(step) = &e.step {
            detail = format!("step {step}: {detail}");
        }
        if let Some(exit) = e.exit {
            detail.push_str(&format!(" (exit {exit})"));
        }
        lines.push(Line::from(Span::styled(detail, theme.muted)));
    }
    frame.render_widget(Clear, popup);
    let title = format!(" Incident {}: j/k select, n note, any other key closes ", incident.unwrap_or("-"));
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(truncate(&title, width), theme.title_focused))
        .style(theme.base);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), popup);
}
