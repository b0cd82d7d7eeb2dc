//! What a room asks of the router after a key or a reply. Rooms never set `Mode` themselves:
//! the router, above them all, does it from this, so no room needs to know the others.

use super::confirm::ConfirmDialog;
use super::report::Report;
use super::text_input::TextInput;

#[derive(Debug)]
pub enum Next {
    /// Whatever is on screen stays.
    Stay,
    /// Back to the dashboard.
    Dashboard,
    Help,
    /// ctrl-c: quit at once or ask first, as configured.
    QuitRequest,
    /// The palette, with this text typed.
    Palette(TextInput),
    Confirm(Box<ConfirmDialog>),
    Report(Report),
    /// Back to the runbook being followed.
    Runbook,
}

impl Next {
    /// This, then `later`: what was asked last wins, unless it asks for nothing.
    pub fn then(self, later: Next) -> Next {
        match later {
            Next::Stay => self,
            later => later,
        }
    }
}
