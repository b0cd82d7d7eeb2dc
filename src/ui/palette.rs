//! The palette: the line being typed after `:` (in the status bar's place) and the commands the
//! typed word may start.

use super::widgets::input_line;
use crate::app::{palette, TextInput};
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

/// The line being typed, in the status bar's place.
pub fn render(input: &TextInput, theme: &Theme, frame: &mut Frame, area: Rect) {
    input_line(":", input, theme, frame, area);
}

/// The commands the typed word may start, above the status bar.
pub fn suggestions(input: &TextInput, theme: &Theme, frame: &mut Frame, status: Rect) {
    let suggestions = palette::suggestions(&input.text);
    if suggestions.is_empty() || status.y < 3 {
        return;
    }
    let height = (suggestions.len() as u16 + 2).min(status.y);
    let area = Rect { x: status.x, y: status.y - height, width: status.width.min(60), height };
    let lines: Vec<Line> = suggestions
        .into_iter()
        .map(|(name, aliases, about)| {
            let aliases = if aliases.is_empty() { String::new() } else { format!(" ({})", aliases.join(", ")) };
            Line::from(vec![
                Span::styled(format!("{name}{aliases}  "), theme.key_hint),
                Span::styled(about, theme.muted),
            ])
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().border_style(theme.border)).style(theme.base),
        area,
    );
}
