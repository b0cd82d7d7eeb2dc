//! The filter prompt: the regex being typed after `/`, in the status bar's place.

use super::widgets::input_line;
use crate::app::TextInput;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::Frame;

pub fn render(input: &TextInput, theme: &Theme, frame: &mut Frame, area: Rect) {
    input_line("/", input, theme, frame, area);
}
