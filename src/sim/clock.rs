//! Where simulated time comes from: the wall clock for the live demo, a manual clock for tests
//! and scripted recordings.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// How the simulation's "now" advances.
#[derive(Debug, Clone)]
pub enum SimClock {
    /// Sim time = start + real time elapsed since `SimFleet::new`, times `speed` (`--speed`, 1-60),
    /// so a drill can be rehearsed in seconds.
    Wall { speed: u32 },
    /// Sim time = start + the seconds this clock has been advanced by.
    Manual(ManualClock),
}

/// A clock moved only by hand; clones share the same offset so a test can keep one and hand the
/// other to the fleet.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves simulated time forward by `secs` (negative values are ignored by the fleet: the
    /// world never runs backwards).
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }

    /// Seconds advanced so far.
    pub fn offset_secs(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_clones_share_offset() {
        let a = ManualClock::new();
        let b = a.clone();
        a.advance(30);
        b.advance(12);
        assert_eq!(a.offset_secs(), 42);
    }
}
