//! The incident timeline view (`T`, `:timeline`): the open incident's entries, every operator's
//! in team mode, newest at the bottom, with who else has it open. `n` writes a note (the palette,
//! prefilled with `incident note `); any other key closes.

use super::context::Context;
use super::list::moved;
use super::msg::Effect;
use super::next::Next;
use super::text_input::TextInput;
use super::timeline_feed::TimelineFeed;
use crate::keymap::Action;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimelineView {
    /// The selected entry (the newest when it opens).
    pub selected: usize,
}

/// Open the view on the open incident and read it now.
pub fn open(ctx: &mut Context, feed: &mut TimelineFeed, effects: &mut Vec<Effect>) -> Option<TimelineView> {
    if ctx.incident.is_none() {
        ctx.flash_info(
            "no incident is open: start one with :incident start NAME (or join one with :incident join NAME)",
        );
        return None;
    }
    feed.wanted = true;
    feed.read_now(ctx, effects);
    Some(TimelineView { selected: feed.entries.len().saturating_sub(1) })
}

impl TimelineView {
    /// New entries arrived: a view resting on the newest follows it.
    pub fn follow(&mut self, before: usize, now: usize) {
        if self.selected + 1 >= before {
            self.selected = now.saturating_sub(1);
        }
    }

    pub fn on_action(&mut self, action: Action, feed: &mut TimelineFeed) -> Next {
        if let Some(to) = moved(self.selected, feed.entries.len(), action) {
            self.selected = to;
            return Next::Stay;
        }
        feed.wanted = false;
        match action {
            Action::Note => Next::Palette(TextInput::with_text("incident note ")),
            Action::QuitRequest => Next::QuitRequest,
            _ => Next::Dashboard,
        }
    }
}
