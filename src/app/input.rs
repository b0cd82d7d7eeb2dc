//! Turning a key press into a message: text fields take raw keys, everything else goes
//! through the keymap.

use super::msg::Msg;
use super::state::{Mode, Pane, State};
use crate::keymap::{Context, KeyChord, Keymap};

pub fn key_to_msg(state: &State, keymap: &Keymap, chord: KeyChord) -> Option<Msg> {
    match state.mode {
        Mode::Palette(_) | Mode::Filter(_) | Mode::ConfirmQuit | Mode::Confirm(_) => Some(Msg::Text(chord)),
        // A prompt in the runbook view (a value, a note) takes raw keys.
        Mode::Runbook if state.runbook.as_ref().is_some_and(|r| r.prompt.is_some()) => Some(Msg::Text(chord)),
        _ => keymap.action(&chord, context(state)).map(Msg::Action),
    }
}

/// Which bindings apply now.
pub fn context(state: &State) -> Context {
    match state.mode {
        Mode::Environments(_) => Context::Environments,
        Mode::Runbook => Context::Runbook,
        Mode::Normal if state.focus == Pane::Logs => Context::Logs,
        _ => Context::Global,
    }
}
