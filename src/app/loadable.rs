//! Data from one backend call, with what the UI needs to say about its freshness, and the request
//! ids that let a stale reply be told from the one still wanted.

use chrono::{DateTime, Duration, Utc};

pub type RequestId = u64;

/// Data from one backend call plus what the UI needs to say about its freshness.
#[derive(Debug, Clone)]
pub struct Loadable<T> {
    pub data: Option<T>,
    pub error: Option<String>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub in_flight: Option<RequestId>,
    /// Throttled calls in a row; each one doubles the wait before the next try.
    pub throttled: u32,
    /// No automatic read before this (set while an API throttles us).
    pub retry_at: Option<DateTime<Utc>>,
    /// The data came from the last-known fleet on disk and no live answer has replaced it yet.
    pub cached: bool,
}

/// The least time between two reads made for rows that scrolled into view without data.
pub const MISSING_SPACING_SECS: i64 = 2;

impl<T> Default for Loadable<T> {
    fn default() -> Self {
        Loadable {
            data: None,
            error: None,
            fetched_at: None,
            in_flight: None,
            throttled: 0,
            retry_at: None,
            cached: false,
        }
    }
}

impl<T: PartialEq> Loadable<T> {
    /// A successful read that leaves the screen as it was: the same rows, no error or backoff
    /// to clear, not replacing the cached copy, and the last read within `fresh` (the status
    /// bar's "live" is unchanged). No frame is drawn for it: the 5 s refreshes of a calm fleet
    /// were most of an idle console's frames.
    pub fn unchanged_by(&self, new: &T, now: DateTime<Utc>, fresh: Duration) -> bool {
        self.data.as_ref() == Some(new)
            && self.error.is_none()
            && self.throttled == 0
            && self.retry_at.is_none()
            && !self.cached
            && self.fetched_at.is_some_and(|at| now - at < fresh)
    }
}

impl<T> Loadable<T> {
    /// Due when nothing is in flight and the last answer is older than `every` (or never came).
    pub fn due(&self, now: DateTime<Utc>, every: Duration) -> bool {
        self.in_flight.is_none()
            && self.retry_at.is_none_or(|at| now >= at)
            && self.fetched_at.is_none_or(|at| now - at >= every)
    }

    /// Due, or some rows on screen have no data yet (`missing`): those are read at once, but
    /// not again within `MISSING_SPACING_SECS`, and not after a failed read (then the schedule
    /// and its backoff apply). A read that fails, or answers without some rows, must not be
    /// repeated on every update: that loop once sent ListMonitoringSchedules twice a second.
    pub fn due_or_missing(&self, now: DateTime<Utc>, every: Duration, missing: bool) -> bool {
        if self.in_flight.is_some() || self.retry_at.is_some_and(|at| now < at) {
            return false;
        }
        let spaced = self.fetched_at.is_none_or(|at| now - at >= Duration::seconds(MISSING_SPACING_SECS));
        self.due(now, every) || (missing && self.error.is_none() && spaced)
    }

    /// A manual refresh: read now, whatever the schedule or a backoff says.
    pub fn expire(&mut self) {
        self.fetched_at = None;
        self.retry_at = None;
    }

    /// Accept a reply only if it answers the request still in flight (stale replies are dropped).
    pub fn accept(&mut self, id: RequestId, now: DateTime<Utc>, result: Result<T, String>) -> bool {
        if self.in_flight != Some(id) {
            return false;
        }
        self.in_flight = None;
        self.fetched_at = Some(now);
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.cached = false;
                self.error = None;
                self.throttled = 0;
                self.retry_at = None;
            }
            // Keep the last good data on screen; the error is shown beside it.
            Err(e) => {
                if e.starts_with("throttled") {
                    // Back off per API (each pane reads its own), 2 s doubling to 5 minutes, so a
                    // throttled account recovers instead of being hammered; other panes go on.
                    self.throttled = (self.throttled + 1).min(8);
                    let wait = Duration::seconds((1i64 << self.throttled).min(300));
                    self.retry_at = Some(now + wait);
                }
                self.error = Some(e);
            }
        }
        true
    }
}
