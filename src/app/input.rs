//! Turning a key press into a message: text fields take raw keys, everything else goes
//! through the keymap.

use super::msg::Msg;
use super::state::{Mode, Pane, State};
use crate::keymap::{KeyChord, Keymap};

pub fn key_to_msg(state: &State, keymap: &Keymap, chord: KeyChord) -> Option<Msg> {
    match state.mode {
        Mode::Palette(_) | Mode::Filter(_) | Mode::ConfirmQuit | Mode::Confirm(_) => Some(Msg::Text(chord)),
        Mode::Normal | Mode::Help { .. } | Mode::Audit(_) | Mode::Report(_) => {
            keymap.action(&chord, state.focus == Pane::Logs && state.mode == Mode::Normal).map(Msg::Action)
        }
    }
}
