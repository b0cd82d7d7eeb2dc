//! The operations strip above the status bar: running actions, and those that ended in the last
//! two minutes, three at most.

use super::operation::{Operation, OpsState};
use chrono::{DateTime, Utc};

/// How long a finished operation stays in the strip.
pub const SHOWN_AFTER_END_SECS: i64 = 120;
/// Operations the strip has room for.
pub const STRIP_MAX: usize = 3;

/// Operations the strip shows. `speed` is simulated seconds per real second: two minutes are
/// the engineer's, however fast the simulated clock runs.
pub fn shown_operations(ops: &OpsState, now: DateTime<Utc>, speed: i64) -> Vec<&Operation> {
    let keep = SHOWN_AFTER_END_SECS * speed;
    let mut shown: Vec<&Operation> =
        ops.operations.iter().filter(|o| o.finished_at.is_none_or(|at| (now - at).num_seconds() < keep)).collect();
    let skip = shown.len().saturating_sub(STRIP_MAX);
    shown.drain(..skip);
    shown
}

/// Rows the operations strip takes: a title line and two lines per operation.
pub fn strip_rows(ops: &OpsState, now: DateTime<Utc>, speed: i64) -> u16 {
    match shown_operations(ops, now, speed).len() {
        0 => 0,
        n => 1 + 2 * n as u16,
    }
}
