//! The `/` prompt: a regex for the focused pane's rows or log lines (smart case, `!` in front to
//! invert). Enter applies it; a bad regex keeps the prompt open with what was typed.

use super::dashboard::Panes;
use super::text_input::{Edit, TextInput};
use crate::keymap::KeyChord;

/// The prompt opens with the focused pane's filter as typed.
pub fn open(panes: &Panes) -> TextInput {
    TextInput::with_text(&panes.dashboard.current_filter_text().unwrap_or_default())
}

/// A key typed into the prompt: true while the prompt stays open.
pub fn on_key(input: &mut TextInput, chord: KeyChord, panes: &mut Panes) -> bool {
    match input.edit(chord) {
        Edit::Edited | Edit::Complete => true,
        Edit::Cancel => false,
        Edit::Submit => !panes.apply_filter(&input.text),
    }
}
