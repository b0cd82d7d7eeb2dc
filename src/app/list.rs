//! A table's cursor and filter, and the cursor maths every list shares: moving by a row, a page,
//! to the top or bottom, and keeping the selection inside the rows and the viewport.

use crate::keymap::Action;
use regex::Regex;

/// A row filter typed after `/`: a regex, `!` in front to invert.
#[derive(Debug, Clone)]
pub struct RowFilter {
    pub text: String,
    pub regex: Regex,
    pub inverse: bool,
}

impl RowFilter {
    pub fn parse(text: &str) -> Result<RowFilter, String> {
        let (inverse, pattern) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        // Smart case, as in the log filter: lowercase patterns ignore case.
        let smart =
            if pattern.chars().any(char::is_uppercase) { pattern.to_string() } else { format!("(?i){pattern}") };
        // One line for the status bar (the regex crate's own error spans three), inert.
        let regex = Regex::new(&smart).map_err(|e| {
            format!("bad filter /{}/: {}", crate::sanitize::inert(text), crate::logs::filter::one_line(&e))
        })?;
        Ok(RowFilter { text: text.to_string(), regex, inverse })
    }

    pub fn keeps(&self, haystack: &str) -> bool {
        self.regex.is_match(haystack) != self.inverse
    }
}

/// Cursor and filter of a table pane. `selected` indexes the filtered rows.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub selected: usize,
    pub offset: usize,
    pub filter: Option<RowFilter>,
}

/// A cursor movement in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    By(i64),
    Page(i64),
    Top,
    Bottom,
}

impl Move {
    /// The movement a key means, if it is one.
    pub fn of(action: Action) -> Option<Move> {
        Some(match action {
            Action::Up => Move::By(-1),
            Action::Down => Move::By(1),
            Action::Top => Move::Top,
            Action::Bottom => Move::Bottom,
            Action::PageUp => Move::Page(-1),
            Action::PageDown => Move::Page(1),
            _ => return None,
        })
    }
}

impl ListState {
    /// Move the selection among `len` rows; a page is `page` rows. False when there are none.
    pub fn step(&mut self, how: Move, len: usize, page: usize) -> bool {
        if len == 0 {
            return false;
        }
        let last = len - 1;
        let current = self.selected.min(last) as i64;
        self.selected = match how {
            Move::By(n) => (current + n).clamp(0, last as i64) as usize,
            Move::Page(n) => (current + n * page as i64).clamp(0, last as i64) as usize,
            Move::Top => 0,
            Move::Bottom => last,
        };
        true
    }

    /// Keep the selection on one of `len` rows and inside a viewport of `height` rows.
    pub fn clamp(&mut self, len: usize, height: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// Back to the first row with this filter (or none).
    pub fn set_filter(&mut self, filter: Option<RowFilter>) {
        self.filter = filter;
        self.selected = 0;
        self.offset = 0;
    }
}

/// Where a movement key takes the selection of a popup's list of `len` rows (j/k, page, top,
/// bottom); None for any other action.
pub fn moved(selected: usize, len: usize, action: Action) -> Option<usize> {
    let last = len.saturating_sub(1);
    Some(match action {
        Action::Down => (selected + 1).min(last),
        Action::Up => selected.saturating_sub(1),
        Action::PageDown => (selected + 10).min(last),
        Action::PageUp => selected.saturating_sub(10),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return None,
    })
}
