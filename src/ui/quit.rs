//! The quit question, in the status bar's place.

use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(theme: &Theme, frame: &mut Frame, area: Rect) {
    let line = Line::from(vec![
        Span::styled(" Quit opsdeck? ", theme.danger),
        Span::styled(" y or ctrl-c: quit, any other key: stay ", theme.status_bar),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.status_bar), area);
}
