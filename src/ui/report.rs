//! A report: an invocation's answer, a revision list or diff (removed lines in the bad colour,
//! added in the good one), a command's output.

use super::widgets::{centered, truncate};
use crate::app::Report;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

pub fn render(report: &Report, theme: &Theme, frame: &mut Frame, area: Rect) {
    let height = (report.lines.len() as u16 + 2).min(area.height.saturating_sub(2)).max(5);
    let popup = centered(area, area.width.saturating_sub(4).min(120), height);
    let width = usize::from(popup.width.saturating_sub(2));
    let rows = usize::from(popup.height.saturating_sub(2));
    let scroll = report.scroll.min(report.lines.len().saturating_sub(rows));
    let lines: Vec<Line> = report
        .lines
        .iter()
        .skip(scroll)
        .take(rows)
        .map(|l| {
            let style = if l.starts_with("  -") {
                theme.health_bad
            } else if l.starts_with("  +") {
                theme.health_ok
            } else {
                theme.base
            };
            Line::from(Span::styled(truncate(l, width), style))
        })
        .collect();
    frame.render_widget(Clear, popup);
    let title = format!(" {}: j/k scroll, any other key closes ", report.title);
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(truncate(&title, width), theme.title_focused))
        .style(theme.base);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
