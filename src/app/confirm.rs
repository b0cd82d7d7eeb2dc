//! The confirm dialog: a plan on screen waiting for `y`/`enter` (or, for a destructive plan, its
//! name typed), or `esc`. Only `ops::confirm` turns the answer into a `Confirmed`; a wrong name
//! keeps the dialog open, cleared, with the reason.

use super::text_input::TextInput;
use crate::keymap::{ChordCode, KeyChord};
use crate::ops::{confirm, Answer, Confirmed, Plan};

/// The plan on screen, waiting for y/enter, the typed name, or esc.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmDialog {
    pub plan: Plan,
    /// What was typed, for a destructive plan.
    pub typed: TextInput,
    pub scroll: usize,
    /// Why the last answer was not accepted (a wrong name).
    pub error: Option<String>,
    /// Why this plan replaces one confirmed before: at execute the fresh read showed the confirmed
    /// plan no longer held ("service deployment: IN_PROGRESS -> FAILED"). Inert.
    pub replanned: Option<String>,
}

/// What a key did to the dialog.
#[derive(Debug)]
pub enum Answered {
    /// Still open (scrolled, typed, or a wrong name).
    Open,
    /// esc, n, q, ctrl-c: nothing was sent.
    Cancelled,
    Confirmed(Box<Confirmed>),
    /// Refused by `confirm` (read-only): nothing was sent.
    Refused(String),
}

impl ConfirmDialog {
    pub fn new(plan: Plan) -> ConfirmDialog {
        ConfirmDialog { plan, typed: TextInput::default(), scroll: 0, error: None, replanned: None }
    }

    /// A plan read again at execute because the confirmed one no longer held: confirmed afresh.
    pub fn replanned(plan: Plan, why: String) -> ConfirmDialog {
        ConfirmDialog { replanned: Some(why), ..ConfirmDialog::new(plan) }
    }

    pub fn on_key(&mut self, chord: KeyChord, read_only: bool) -> Answered {
        let destructive = self.plan.destructive && !read_only;
        match (chord.code, chord.ctrl) {
            (ChordCode::Esc, _) | (ChordCode::Char('c'), true) => return Answered::Cancelled,
            (ChordCode::Up, _) => self.scroll = self.scroll.saturating_sub(1),
            (ChordCode::Down, _) => self.scroll += 1,
            (ChordCode::PageUp, _) => self.scroll = self.scroll.saturating_sub(10),
            (ChordCode::PageDown, _) => self.scroll += 10,
            (ChordCode::Enter, _) if destructive => {
                return self.answer(Answer::Typed(self.typed.text.clone()), read_only)
            }
            (ChordCode::Backspace, _) if destructive => {
                self.typed.text.pop();
                self.typed.cursor = self.typed.text.chars().count();
            }
            (ChordCode::Char(c), false) if destructive => {
                self.typed.text.push(c);
                self.typed.cursor += 1;
                self.error = None;
            }
            (ChordCode::Enter, _) | (ChordCode::Char('y' | 'Y'), false) => return self.answer(Answer::Yes, read_only),
            (ChordCode::Char('n' | 'q'), false) => return Answered::Cancelled,
            (ChordCode::Char('j'), false) => self.scroll += 1,
            (ChordCode::Char('k'), false) => self.scroll = self.scroll.saturating_sub(1),
            _ => {}
        }
        Answered::Open
    }

    fn answer(&mut self, answer: Answer, read_only: bool) -> Answered {
        match confirm(self.plan.clone(), &answer, read_only) {
            Ok(confirmed) => Answered::Confirmed(Box::new(confirmed)),
            // A wrong name keeps the dialog open, cleared, with the reason.
            Err(e) if self.plan.destructive && !read_only => {
                self.typed = TextInput::default();
                self.error = Some(e.to_string());
                Answered::Open
            }
            Err(e) => Answered::Refused(e.to_string()),
        }
    }
}
