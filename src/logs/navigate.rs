//! Moving around the log view: scrolling, top/bottom, pausing, and jumping between matches.

use super::view::LogView;

impl LogView {
    /// Move the selection `n` lines up (pauses following).
    pub fn scroll_up(&mut self, n: usize) {
        self.pause();
        let to = self.cursor_index().saturating_sub(n);
        self.select_index(to);
    }

    /// Move the selection `n` lines down. Stays paused at the last line; `bottom` resumes.
    pub fn scroll_down(&mut self, n: usize) {
        if self.follow {
            return;
        }
        let to = self.cursor_index().saturating_add(n);
        self.select_index(to);
    }

    /// Select the oldest visible line (pauses following).
    pub fn top(&mut self) {
        self.pause();
        self.select_index(0);
    }

    /// Jump to the newest line and follow again.
    pub fn bottom(&mut self) {
        self.follow = true;
    }

    /// Select the next line that passes the filter after the current match (or from the
    /// selected line when there is none), wrapping to the first. Pauses following and scrolls the
    /// match into view. False when there is no filter or nothing matches.
    pub fn next_match(&mut self) -> bool {
        let at = match self.current_match {
            Some(m) => self.matches.partition_point(|&s| s <= m),
            None => self.matches.partition_point(|&s| s < self.cursor_seq()),
        };
        let idx = if at < self.matches.len() { at } else { 0 };
        self.go_to_match(idx)
    }

    /// Like [`next_match`](Self::next_match) backwards, wrapping to the last match. While
    /// following it goes to the newest match.
    pub fn prev_match(&mut self) -> bool {
        let below = match self.current_match {
            Some(m) => self.matches.partition_point(|&s| s < m),
            None => self.matches.partition_point(|&s| s <= self.cursor_seq()),
        };
        let idx = below.checked_sub(1).unwrap_or(self.matches.len().saturating_sub(1));
        self.go_to_match(idx)
    }

    fn go_to_match(&mut self, idx: usize) -> bool {
        if self.filter.is_none() {
            return false;
        }
        let Some(&seq) = self.matches.get(idx) else {
            return false;
        };
        self.pause();
        self.current_match = Some(seq);
        let index = self.index_of(seq);
        self.cursor = seq;
        let top = self.index_of(self.top);
        if index < top || index >= top + self.viewport {
            // Out of view: show it in the middle, with context on both sides.
            self.top = self.seq_at(index.saturating_sub(self.viewport / 2));
        }
        true
    }

    /// Stop following, freezing the view where following had it.
    pub(super) fn pause(&mut self) {
        if !self.follow {
            return;
        }
        let range = self.window_range(self.viewport);
        self.follow = false;
        self.paused_at = self.buffer.end_seq();
        self.top = self.seq_at(range.start);
        self.cursor = self.seq_at(range.end.saturating_sub(1));
    }

    /// Select visible line `index` (clamped), scrolling so it is within the viewport.
    fn select_index(&mut self, index: usize) {
        let index = index.min(self.visible_len().saturating_sub(1));
        self.cursor = self.seq_at(index);
        let top = self.index_of(self.top);
        if index < top {
            self.top = self.cursor;
        } else if index >= top + self.viewport {
            self.top = self.seq_at(index + 1 - self.viewport);
        }
    }

    fn cursor_seq(&self) -> u64 {
        if self.follow {
            self.buffer.end_seq().saturating_sub(1)
        } else {
            self.cursor
        }
    }
}
