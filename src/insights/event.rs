//! What the engine reads: one log event, borrowed from wherever the caller keeps its logs.

use chrono::{DateTime, Utc};

/// A log event as Logs Insights sees it. Its fields are the built-ins `@timestamp`, `@message`,
/// `@logStream`, `@log` and `@ptr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    pub timestamp: DateTime<Utc>,
    pub message: &'a str,
    pub log_stream: &'a str,
    pub log_group: &'a str,
    /// The opaque pointer a caller can resolve back to this event (GetLogRecord's `@ptr`).
    pub ptr: &'a str,
}
