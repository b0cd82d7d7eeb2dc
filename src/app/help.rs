//! The help screen (`?`), generated from the keymap in effect: movement keys scroll it, ctrl-c
//! asks to quit, any other key closes it.

use super::next::Next;
use crate::keymap::Action;

pub fn on_action(scroll: &mut usize, action: Action) -> Next {
    match action {
        Action::Down => *scroll += 1,
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::PageDown => *scroll += 10,
        Action::PageUp => *scroll = scroll.saturating_sub(10),
        Action::Top => *scroll = 0,
        Action::QuitRequest => return Next::QuitRequest,
        _ => return Next::Dashboard,
    }
    Next::Stay
}
