//! The bounded, deduplicating store of log lines behind the log pane.

use crate::domain::LogEvent;
use crate::sanitize::inert;
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::collections::{vec_deque, HashSet, VecDeque};
use std::sync::Arc;

/// Lines kept when no capacity is configured.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// One stored log line. `message` is inert (see [`crate::sanitize`]) and has its trailing line
/// break removed, so it is always exactly one row of printable text.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Position in arrival order, assigned by the buffer: consecutive, never reused (not even
    /// after [`LogBuffer::clear`]), so it names a line stably while older lines are evicted.
    pub seq: u64,
    /// The source's event id (dedupe key).
    pub id: u64,
    pub timestamp: DateTime<Utc>,
    /// Shared between all lines of one stream.
    pub stream: Arc<str>,
    pub message: Box<str>,
}

/// A ring of at most `capacity` lines in arrival order (not re-sorted by timestamp).
///
/// Nothing is lost silently: lines evicted to make room are counted in [`dropped`](Self::dropped),
/// events the source did not deliver (sampled, beyond its limit) in [`skipped`](Self::skipped).
/// The two are kept apart because they mean different things to the user ("raise the buffer
/// size" vs "the source is sampling"); the pane shows both when non-zero.
#[derive(Debug)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    capacity: usize,
    /// Ids of the lines in `lines`: an event whose id is here is a duplicate.
    ids: HashSet<u64>,
    /// Interned stream names; names no line uses any more are pruned as the set grows.
    streams: HashSet<Arc<str>>,
    prune_streams_at: usize,
    next_seq: u64,
    message_bytes: usize,
    dropped: u64,
    skipped: u64,
}

impl Default for LogBuffer {
    fn default() -> Self {
        LogBuffer::new(DEFAULT_CAPACITY)
    }
}

const STREAM_PRUNE_MIN: usize = 256;

impl LogBuffer {
    /// A buffer keeping the newest `capacity` lines (at least one). Memory is allocated as lines
    /// arrive, never more than `capacity` slots.
    pub fn new(capacity: usize) -> Self {
        LogBuffer {
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            ids: HashSet::new(),
            streams: HashSet::new(),
            prune_streams_at: STREAM_PRUNE_MIN,
            next_seq: 0,
            message_bytes: 0,
            dropped: 0,
            skipped: 0,
        }
    }

    /// Store `event`; false (and nothing stored) when a line with its id is already buffered.
    /// A full buffer evicts its oldest line first, counted in `dropped`.
    pub fn push(&mut self, event: LogEvent) -> bool {
        if !self.ids.insert(event.id) {
            return false;
        }
        if self.lines.len() >= self.capacity {
            self.evict_front();
        } else if self.lines.len() == self.lines.capacity() {
            // Grow by doubling, but never past `capacity` slots.
            let extra = self.lines.len().max(16).min(self.capacity - self.lines.len());
            self.lines.reserve_exact(extra);
        }
        let message = clean_message(event.message);
        self.message_bytes += message.len();
        let stream = self.intern(&event.stream);
        self.lines.push_back(LogLine { seq: self.next_seq, id: event.id, timestamp: event.timestamp, stream, message });
        self.next_seq += 1;
        true
    }

    /// Push every event; returns how many were stored (duplicates are not).
    pub fn extend(&mut self, events: impl IntoIterator<Item = LogEvent>) -> usize {
        events.into_iter().map(|e| usize::from(self.push(e))).sum()
    }

    /// Lines evicted because the buffer was full, since creation or the last `clear`.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Count events the source reported but did not deliver (`LogBatch::skipped`).
    pub fn add_skipped(&mut self, n: u64) {
        self.skipped = self.skipped.saturating_add(n);
    }

    /// Events the source did not deliver, since creation or the last `clear`.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Forget every line and reset `dropped`/`skipped`. Sequence numbers keep counting up.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.ids.clear();
        self.streams.clear();
        self.prune_streams_at = STREAM_PRUNE_MIN;
        self.message_bytes = 0;
        self.dropped = 0;
        self.skipped = 0;
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The line with sequence number `seq`, if still buffered.
    pub fn get(&self, seq: u64) -> Option<&LogLine> {
        let offset = seq.checked_sub(self.first_seq())?;
        self.lines.get(usize::try_from(offset).ok()?)
    }

    /// Sequence number of the oldest buffered line (equal to `end_seq` when empty): the buffered
    /// lines are exactly `first_seq()..end_seq()`.
    pub fn first_seq(&self) -> u64 {
        self.lines.front().map_or(self.next_seq, |l| l.seq)
    }

    /// The sequence number the next stored line will get.
    pub fn end_seq(&self) -> u64 {
        self.next_seq
    }

    /// The newest line.
    pub fn last(&self) -> Option<&LogLine> {
        self.lines.back()
    }

    /// Oldest first; double-ended and exact-size.
    pub fn iter(&self) -> vec_deque::Iter<'_, LogLine> {
        self.lines.iter()
    }

    /// Lines at positions `range` (0 = oldest buffered), clamped to what is buffered.
    pub fn range(&self, range: std::ops::Range<usize>) -> vec_deque::Iter<'_, LogLine> {
        let end = range.end.min(self.lines.len());
        self.lines.range(range.start.min(end)..end)
    }

    /// An estimate of the heap and inline memory held, in bytes: line slots, message text
    /// (with allocator rounding), the id set and the interned stream names.
    pub fn approx_bytes(&self) -> usize {
        let slots = self.lines.capacity() * std::mem::size_of::<LogLine>();
        // Each non-empty message is one allocation: about 8 bytes of header, rounded to 16.
        let messages = self.message_bytes + self.lines.len() * 12;
        // hashbrown: a u64 plus one control byte per bucket, buckets ≈ capacity * 8 / 7.
        let ids = (self.ids.capacity() * 8 / 7) * (std::mem::size_of::<u64>() + 1);
        let streams = self.streams.capacity() * 8 / 7 * (std::mem::size_of::<Arc<str>>() + 1)
            + self.streams.iter().map(|s| s.len() + 16).sum::<usize>();
        std::mem::size_of::<Self>() + slots + messages + ids + streams
    }

    fn evict_front(&mut self) {
        if let Some(old) = self.lines.pop_front() {
            self.ids.remove(&old.id);
            self.message_bytes -= old.message.len();
            self.dropped += 1;
        }
    }

    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(s) = self.streams.get(name) {
            return Arc::clone(s);
        }
        if self.streams.len() >= self.prune_streams_at {
            // Keep the names a buffered line still uses (the set's own reference is one).
            self.streams.retain(|s| Arc::strong_count(s) > 1);
            self.prune_streams_at = (self.streams.len() * 2).max(STREAM_PRUNE_MIN);
        }
        let s: Arc<str> = Arc::from(inert(name));
        self.streams.insert(Arc::clone(&s));
        s
    }
}

/// The message as stored: trailing line break dropped, made inert, exactly sized.
fn clean_message(mut message: String) -> Box<str> {
    let trimmed = message.trim_end_matches(['\n', '\r']).len();
    message.truncate(trimmed);
    match inert(&message) {
        Cow::Borrowed(_) => message.into_boxed_str(),
        Cow::Owned(clean) => clean.into_boxed_str(),
    }
}

impl<'a> IntoIterator for &'a LogBuffer {
    type Item = &'a LogLine;
    type IntoIter = vec_deque::Iter<'a, LogLine>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn ev(id: u64, message: &str) -> LogEvent {
        LogEvent {
            id,
            timestamp: Utc.timestamp_opt(1_700_000_000 + id as i64, 0).unwrap(),
            stream: format!("ecs/app/task{}", id % 3),
            message: message.to_string(),
        }
    }

    fn messages(b: &LogBuffer) -> Vec<&str> {
        b.iter().map(|l| &*l.message).collect()
    }

    #[test]
    fn eviction_counts_dropped_and_keeps_newest() {
        let mut b = LogBuffer::new(3);
        for i in 0..5 {
            assert!(b.push(ev(i, &format!("m{i}"))));
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 2);
        assert_eq!(messages(&b), ["m2", "m3", "m4"]);
        assert_eq!(b.first_seq(), 2);
        assert_eq!(b.end_seq(), 5);
        assert!(b.get(1).is_none());
        assert_eq!(b.get(2).map(|l| l.id), Some(2));
        assert_eq!(b.get(4).map(|l| l.id), Some(4));
        assert!(b.get(5).is_none());
        // Never more slots than the capacity.
        assert!(b.lines.capacity() <= 16);
    }

    #[test]
    fn dedupe_by_id_while_buffered() {
        let mut b = LogBuffer::new(2);
        assert!(b.push(ev(7, "a")));
        assert!(!b.push(ev(7, "a again")));
        assert_eq!(b.len(), 1);
        assert_eq!(b.extend([ev(7, "x"), ev(8, "b"), ev(8, "y"), ev(9, "c")]), 2);
        assert_eq!(messages(&b), ["b", "c"]);
        assert_eq!(b.dropped(), 1);
        // Id 7 was evicted, so it is no longer a duplicate.
        assert!(b.push(ev(7, "back")));
        assert_eq!(b.ids.len(), b.len());
    }

    #[test]
    fn messages_are_inert_and_single_row() {
        let mut b = LogBuffer::new(10);
        b.push(ev(1, "\x1b[2Jboom\n"));
        b.push(ev(2, "two\r\nlines\r\n"));
        b.push(LogEvent { stream: "evil\x1b]0;t\x07".into(), ..ev(3, "ok") });
        assert_eq!(messages(&b), ["␛[2Jboom", "two␍␊lines", "ok"]);
        assert_eq!(&*b.get(2).map(|l| l.stream.clone()).unwrap(), "evil␛]0;t␇");
    }

    #[test]
    fn streams_are_interned() {
        let mut b = LogBuffer::new(10);
        b.extend((0..6).map(|i| ev(i, "m")));
        let a = b.get(0).unwrap();
        let d = b.get(3).unwrap();
        assert!(Arc::ptr_eq(&a.stream, &d.stream));
        assert_eq!(b.streams.len(), 3);
    }

    #[test]
    fn unused_stream_names_are_pruned() {
        let mut b = LogBuffer::new(10);
        for i in 0..2000u64 {
            b.push(LogEvent { stream: format!("s{i}"), ..ev(i, "m") });
        }
        assert!(b.streams.len() <= 2 * STREAM_PRUNE_MIN, "{}", b.streams.len());
        assert!(b.iter().all(|l| b.streams.contains(&*l.stream)));
    }

    #[test]
    fn skipped_and_clear() {
        let mut b = LogBuffer::new(1);
        b.extend([ev(1, "a"), ev(2, "b")]);
        b.add_skipped(5);
        b.add_skipped(u64::MAX);
        assert_eq!(b.skipped(), u64::MAX);
        assert_eq!(b.dropped(), 1);
        b.clear();
        assert!(b.is_empty());
        assert_eq!((b.dropped(), b.skipped()), (0, 0));
        assert_eq!(b.first_seq(), 2);
        assert!(b.push(ev(1, "a")), "cleared ids are forgotten");
        assert_eq!(b.get(2).map(|l| l.id), Some(1));
    }

    #[test]
    fn zero_capacity_keeps_one() {
        let mut b = LogBuffer::new(0);
        b.extend([ev(1, "a"), ev(2, "b")]);
        assert_eq!(messages(&b), ["b"]);
        assert_eq!(b.capacity(), 1);
    }

    #[test]
    fn approx_bytes_grows_with_content() {
        let mut b = LogBuffer::new(1000);
        let empty = b.approx_bytes();
        b.extend((0..1000).map(|i| ev(i, &"x".repeat(100))));
        let full = b.approx_bytes();
        assert!(full > empty + 1000 * 100, "{empty} {full}");
        assert!(full < empty + 1000 * 400, "{empty} {full}");
    }

    #[test]
    fn range_clamps() {
        let mut b = LogBuffer::new(5);
        b.extend((0..5).map(|i| ev(i, "m")));
        assert_eq!(b.range(3..10).count(), 2);
        assert_eq!(b.range(7..10).count(), 0);
    }
}
