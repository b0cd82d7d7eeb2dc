//! Quitting: ctrl-c asks first ("Quit opsdeck? y or ctrl-c"), unless `ctrl_c = "quit"`; `:q`
//! quits at once.

use crate::keymap::{ChordCode, KeyChord};

/// A key while the question is asked: true for y or ctrl-c (quit); anything else stays.
pub fn confirms(chord: KeyChord) -> bool {
    matches!((chord.code, chord.ctrl), (ChordCode::Char('y' | 'Y'), false) | (ChordCode::Char('c'), true))
}
