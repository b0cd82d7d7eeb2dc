//! Live Tail (StartLiveTail) for the log pane, with FilterLogEvents as the fallback.
//!
//! A session streams new events into a `TailBuffer`; each poll from the UI drains it. Live Tail
//! never backfills, can sample under load and ends after 3 hours, so whenever a session is not
//! live (starting, ended, refused, sampled) the poll reads FilterLogEvents from the cursor
//! instead: that read is also the reconcile pass after a reconnect. Both paths key events the
//! same way, so the log buffer's dedupe drops what arrives twice.

use crate::domain::LogEvent;
use std::collections::VecDeque;

/// Events held between polls; Live Tail delivers at most 500 per second.
const CAPACITY: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailState {
    Starting,
    Live,
    /// The session is over; `retry` says whether a new one is worth starting.
    Ended {
        reason: String,
        retry: bool,
    },
}

#[derive(Debug)]
pub struct TailBuffer {
    pub state: TailState,
    events: VecDeque<LogEvent>,
    /// Events dropped because the UI did not poll in time (counted, never silent).
    overflow: u64,
    /// When the UI last drained the buffer: a session nobody reads is ended (it is billed).
    pub drained_at: std::time::Instant,
}

impl Default for TailBuffer {
    fn default() -> Self {
        TailBuffer {
            state: TailState::Starting,
            events: VecDeque::new(),
            overflow: 0,
            drained_at: std::time::Instant::now(),
        }
    }
}

impl TailBuffer {
    pub fn on_start(&mut self) {
        self.state = TailState::Live;
    }

    /// A sampled update means Live Tail dropped events on its side: the session can no longer
    /// be trusted, so it ends and polling takes over (and reconciles what was missed).
    pub fn on_update(&mut self, events: Vec<LogEvent>, sampled: bool) {
        if self.state != TailState::Live {
            return;
        }
        for event in events {
            if self.events.len() == CAPACITY {
                self.events.pop_front();
                self.overflow += 1;
            }
            self.events.push_back(event);
        }
        if sampled {
            self.state = TailState::Ended { reason: "sampled under load".into(), retry: false };
        }
    }

    /// True when nobody has read the session for `idle`: the log pane is hidden or gone.
    pub fn unread_for(&self, idle: std::time::Duration) -> bool {
        self.drained_at.elapsed() >= idle
    }

    pub fn on_end(&mut self, reason: impl Into<String>, retry: bool) {
        if matches!(self.state, TailState::Ended { .. }) {
            return;
        }
        self.state = TailState::Ended { reason: reason.into(), retry };
    }

    /// Everything delivered since the last poll, oldest first, and how many were dropped.
    pub fn take(&mut self) -> (Vec<LogEvent>, u64) {
        self.drained_at = std::time::Instant::now();
        let mut events: Vec<LogEvent> = self.events.drain(..).collect();
        events.sort_by_key(|e| e.id);
        (events, std::mem::take(&mut self.overflow))
    }
}

/// Whether an error ending a session is worth a new session, or means "stay on polling".
pub fn retryable(code: &str) -> bool {
    // A 3-hour session ending, or a dropped connection, is routine; refusals and limits are not.
    !matches!(
        code,
        "AccessDeniedException" | "LimitExceededException" | "InvalidParameterException" | "ResourceNotFoundException"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn event(id: u64) -> LogEvent {
        LogEvent { id, timestamp: Utc::now(), stream: "s".into(), message: format!("m{id}") }
    }

    #[test]
    fn updates_count_only_while_live() {
        let mut b = TailBuffer::default();
        b.on_update(vec![event(1)], false);
        assert_eq!(b.take().0.len(), 0, "nothing before the session started");
        b.on_start();
        b.on_update(vec![event(3), event(2)], false);
        let (events, overflow) = b.take();
        assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(overflow, 0);
        assert!(b.take().0.is_empty(), "take drains");
    }

    #[test]
    fn sampling_ends_the_session_for_good() {
        let mut b = TailBuffer::default();
        b.on_start();
        b.on_update(vec![event(1)], true);
        assert_eq!(b.state, TailState::Ended { reason: "sampled under load".into(), retry: false });
        // What arrived with the sampled update is still handed over.
        assert_eq!(b.take().0.len(), 1);
        b.on_update(vec![event(2)], false);
        assert!(b.take().0.is_empty());
    }

    #[test]
    fn overflow_is_counted_not_silent() {
        let mut b = TailBuffer::default();
        b.on_start();
        b.on_update((0..(CAPACITY as u64 + 7)).map(event).collect(), false);
        let (events, overflow) = b.take();
        assert_eq!(events.len(), CAPACITY);
        assert_eq!(overflow, 7);
        assert_eq!(events[0].id, 7);
    }

    #[test]
    fn an_unread_session_is_noticed() {
        let mut b = TailBuffer::default();
        assert!(!b.unread_for(std::time::Duration::from_secs(60)));
        b.drained_at -= std::time::Duration::from_secs(61);
        assert!(b.unread_for(std::time::Duration::from_secs(60)));
        b.take();
        assert!(!b.unread_for(std::time::Duration::from_secs(60)));
    }

    #[test]
    fn the_first_end_reason_sticks_and_refusals_are_final() {
        let mut b = TailBuffer::default();
        b.on_start();
        b.on_end("SessionTimeoutException", true);
        b.on_end("stream closed", true);
        assert_eq!(b.state, TailState::Ended { reason: "SessionTimeoutException".into(), retry: true });
        assert!(retryable("SessionTimeoutException"));
        assert!(!retryable("LimitExceededException"));
        assert!(!retryable("AccessDeniedException"));
    }
}
