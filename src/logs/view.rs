//! The log pane's model: the buffer, the filter and where the user is looking. Pure: no I/O and
//! no clock; the renderer asks for [`LogView::window`] and draws it.
//!
//! Positions (`top`, `cursor`, `current_match`) are sequence numbers, not indexes, so they stay on
//! the same line while older lines are evicted, new ones arrive or the filter changes. A position
//! whose line is gone (evicted, or hidden by the filter) stands for the first visible line after it.

use super::buffer::{LogBuffer, LogLine, DEFAULT_CAPACITY};
use super::filter::LogFilter;
use super::timestamps::TimestampMode;
use super::window::Window;
use crate::domain::{LogBatch, LogEvent};
use std::collections::VecDeque;
use std::ops::Range;

#[derive(Debug)]
pub struct LogView {
    pub(super) buffer: LogBuffer,
    pub(super) filter: Option<LogFilter>,
    /// Seqs of the buffered lines that pass the filter, ascending; empty without a filter.
    pub(super) matches: VecDeque<u64>,
    pub(super) follow: bool,
    pub(super) wrap: bool,
    pub(super) timestamps: TimestampMode,
    pub(super) highlight_only: bool,
    /// While paused: the top line and the selected line.
    pub(super) top: u64,
    pub(super) cursor: u64,
    /// While paused: the first seq that arrived after the pause (for `unseen`).
    pub(super) paused_at: u64,
    pub(super) current_match: Option<u64>,
    /// Rows the pane showed last; scrolling keeps the cursor within this many rows.
    pub(super) viewport: usize,
}

impl Default for LogView {
    fn default() -> Self {
        LogView::new(DEFAULT_CAPACITY)
    }
}

impl LogView {
    /// An empty view keeping at most `capacity` lines, following, no filter.
    pub fn new(capacity: usize) -> Self {
        LogView {
            buffer: LogBuffer::new(capacity),
            filter: None,
            matches: VecDeque::new(),
            follow: true,
            wrap: false,
            timestamps: TimestampMode::default(),
            highlight_only: false,
            top: 0,
            cursor: 0,
            paused_at: 0,
            current_match: None,
            viewport: 20,
        }
    }

    /// Add events in arrival order; returns how many were new (duplicates are dropped).
    pub fn ingest(&mut self, events: impl IntoIterator<Item = LogEvent>) -> usize {
        let mut added = 0;
        for event in events {
            if !self.buffer.push(event) {
                continue;
            }
            added += 1;
            // A line evicted from the front takes its match with it.
            let first = self.buffer.first_seq();
            while self.matches.front().is_some_and(|&s| s < first) {
                self.matches.pop_front();
            }
            if let (Some(filter), Some(line)) = (&self.filter, self.buffer.last()) {
                if filter.is_match(&line.message) {
                    self.matches.push_back(line.seq);
                }
            }
        }
        let first = self.buffer.first_seq();
        if self.current_match.is_some_and(|m| m < first) {
            self.current_match = None;
        }
        added
    }

    /// A backend reply: its events, and its skipped count into the visible counter.
    pub fn ingest_batch(&mut self, batch: LogBatch) -> usize {
        self.buffer.add_skipped(batch.skipped);
        self.ingest(batch.events)
    }

    /// Count events the source had but did not deliver (shown beside `dropped`).
    pub fn add_skipped(&mut self, n: u64) {
        self.buffer.add_skipped(n);
    }

    /// Replace the filter (None: show everything) and recompute the matches over the buffer.
    pub fn set_filter(&mut self, filter: Option<LogFilter>) {
        self.matches.clear();
        if let Some(f) = &filter {
            self.matches.extend(self.buffer.iter().filter(|l| f.is_match(&l.message)).map(|l| l.seq));
        }
        self.filter = filter;
        if self.current_match.is_some_and(|m| self.matches.binary_search(&m).is_err()) {
            self.current_match = None;
        }
    }

    /// Forget every line (counters too); view settings and the filter stay.
    pub fn clear(&mut self) {
        self.buffer.clear();
        self.matches.clear();
        self.current_match = None;
    }

    pub fn toggle_follow(&mut self) {
        if self.follow {
            self.pause();
        } else {
            self.bottom();
        }
    }

    pub fn toggle_wrap(&mut self) {
        self.wrap = !self.wrap;
    }

    /// Switch between showing only the lines that pass the filter and showing every line with
    /// the matches highlighted. The selected line stays selected when it remains visible.
    pub fn toggle_highlight_only(&mut self) {
        self.highlight_only = !self.highlight_only;
    }

    pub fn cycle_timestamps(&mut self) {
        self.timestamps = self.timestamps.cycle();
    }

    pub fn set_timestamps(&mut self, mode: TimestampMode) {
        self.timestamps = mode;
    }

    /// Rows the pane has; the renderer sets it each frame so scrolling pages correctly.
    pub fn set_viewport_height(&mut self, rows: usize) {
        self.viewport = rows.max(1);
    }

    /// How many lines the pane can show: those passing the filter in filter mode, else all.
    pub fn visible_len(&self) -> usize {
        if self.filters_lines() {
            self.matches.len()
        } else {
            self.buffer.len()
        }
    }

    /// Positions (indexes into the visible lines) of the lines to draw in `height` rows: the last
    /// `height` while following, else from the top line, moved so the cursor is in view and the
    /// rows are filled when lines exist above. For a scrollbar and for `window`.
    pub fn window_range(&self, height: usize) -> Range<usize> {
        let len = self.visible_len();
        if height == 0 || len == 0 {
            return 0..0;
        }
        let start = if self.follow {
            len.saturating_sub(height)
        } else {
            let cursor = self.cursor_index();
            let mut top = self.index_of(self.top).min(cursor);
            if cursor >= top + height {
                top = cursor + 1 - height;
            }
            top.min(len.saturating_sub(height))
        };
        start..(start + height).min(len)
    }

    /// The lines to draw in a pane of `height` rows, top to bottom. With `wrap` a line can take
    /// several rows: while following, draw from the bottom up (`.rev()`) so the newest line
    /// stays on screen.
    pub fn window(&self, height: usize) -> Window<'_> {
        self.lines_at(self.window_range(height))
    }

    /// Every line the pane shows (the filter applied in filter mode), oldest first: for saving.
    pub fn shown_lines(&self) -> Window<'_> {
        self.lines_at(0..self.visible_len())
    }

    fn lines_at(&self, range: Range<usize>) -> Window<'_> {
        if self.filters_lines() {
            Window::Filtered { seqs: self.matches.range(range), buffer: &self.buffer }
        } else {
            Window::All(self.buffer.range(range))
        }
    }

    /// Byte ranges of `line` to highlight for the filter (empty without one, or when inverse).
    pub fn highlights(&self, line: &LogLine) -> Vec<Range<usize>> {
        self.filter.as_ref().map(|f| f.match_ranges(&line.message)).unwrap_or_default()
    }

    /// Seq of the selected line: the newest visible one while following.
    pub fn cursor(&self) -> Option<u64> {
        let len = self.visible_len();
        (len > 0).then(|| self.seq_at(self.cursor_index().min(len - 1)))
    }

    /// Lines that arrived since following was paused and that the pane would show.
    pub fn unseen(&self) -> u64 {
        if self.follow {
            return 0;
        }
        let from = self.paused_at.max(self.buffer.first_seq());
        if self.filters_lines() {
            (self.matches.len() - self.matches.partition_point(|&s| s < from)) as u64
        } else {
            self.buffer.end_seq().saturating_sub(from)
        }
    }

    pub fn current_match(&self) -> Option<u64> {
        self.current_match
    }

    /// The current match as (1-based position, number of matches), for "3/17".
    pub fn match_position(&self) -> Option<(usize, usize)> {
        let m = self.current_match?;
        let i = self.matches.binary_search(&m).ok()?;
        Some((i + 1, self.matches.len()))
    }

    /// Lines passing the filter (0 without one).
    pub fn match_count(&self) -> usize {
        self.matches.len()
    }

    pub fn buffer(&self) -> &LogBuffer {
        &self.buffer
    }

    pub fn filter(&self) -> Option<&LogFilter> {
        self.filter.as_ref()
    }

    pub fn follow(&self) -> bool {
        self.follow
    }

    pub fn wrap(&self) -> bool {
        self.wrap
    }

    pub fn timestamps(&self) -> TimestampMode {
        self.timestamps
    }

    pub fn highlight_only(&self) -> bool {
        self.highlight_only
    }

    /// Whether the filter hides lines (filter mode) rather than highlighting them.
    pub(super) fn filters_lines(&self) -> bool {
        self.filter.is_some() && !self.highlight_only
    }

    pub(super) fn cursor_index(&self) -> usize {
        if self.follow {
            self.visible_len().saturating_sub(1)
        } else {
            self.index_of(self.cursor)
        }
    }

    /// Index of the first visible line with a seq at or after `seq`.
    pub(super) fn index_of(&self, seq: u64) -> usize {
        if self.filters_lines() {
            self.matches.partition_point(|&s| s < seq)
        } else {
            let offset = seq.saturating_sub(self.buffer.first_seq());
            usize::try_from(offset).unwrap_or(usize::MAX).min(self.buffer.len())
        }
    }

    /// Seq of visible line `index`; past the end, the seq the next line will get.
    pub(super) fn seq_at(&self, index: usize) -> u64 {
        if self.filters_lines() {
            self.matches.get(index).copied().unwrap_or_else(|| self.buffer.end_seq())
        } else {
            self.buffer.first_seq().saturating_add(index as u64)
        }
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
