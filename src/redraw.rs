//! When the drawn screen next changes by itself. Every label relative to now ("12s", "3m ago")
//! notes the moment it will read differently while it is drawn; the runtime takes the earliest
//! after each frame, so an idle console redraws when a label changes, not on every tick: a
//! screen of minute-old ages is redrawn once a minute, not once a second.
//!
//! A thread-local keeps it out of every renderer's signature: a frame is drawn on one thread,
//! with nothing awaited between `start` and `take`.

use chrono::{DateTime, Duration, Utc};
use std::cell::Cell;

thread_local! {
    static NEXT_CHANGE: Cell<Option<DateTime<Utc>>> = const { Cell::new(None) };
}

/// Before a frame: forget what the last one noted.
pub fn start() {
    NEXT_CHANGE.with(|n| n.set(None));
}

/// After a frame: the earliest moment a drawn label changes, if any label is relative to now.
pub fn take() -> Option<DateTime<Utc>> {
    NEXT_CHANGE.with(Cell::take)
}

/// A label shows the time between `since` and `now` in units of `step` seconds: note when it
/// next reads differently (for a moment ahead of now, counting down works the same way).
pub fn note_age(since: DateTime<Utc>, now: DateTime<Utc>, step: i64) {
    let step = step.max(1);
    let secs = (now - since).num_seconds();
    let at = if step == 1 {
        // Labels in seconds change at every fraction of a second; one frame a second serves
        // them all, each at most a second behind.
        now + Duration::seconds(1)
    } else if secs >= 0 {
        // Forty log lines in minutes change at forty moments of the minute: one frame per
        // tenth of the step serves them all ("3m" shows at most 6 s late).
        let exact = since + Duration::seconds((secs / step + 1) * step);
        let grain = step / 10;
        let late = exact.timestamp().rem_euclid(grain);
        if late == 0 && exact.timestamp_subsec_nanos() == 0 {
            exact
        } else {
            exact + Duration::seconds(grain - late) - Duration::nanoseconds(i64::from(exact.timestamp_subsec_nanos()))
        }
    } else {
        // Ahead of now: "in 5s" changes as now approaches `since`.
        now + Duration::seconds(((-secs) % step).max(1))
    };
    NEXT_CHANGE.with(|n| n.set(Some(n.get().map_or(at, |c| c.min(at)))));
}

/// The step of an age shown in seconds below a minute, minutes below a day, days beyond.
pub fn step_of(secs: i64) -> i64 {
    match secs.unsigned_abs() {
        0..=59 => 1,
        60..=86_399 => 60,
        _ => 86_400,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_earliest_change_of_the_frame_is_taken_once() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        start();
        note_age(now - Duration::seconds(130), now, 60); // "2m" reads "3m" in 50 s
        note_age(now - Duration::milliseconds(10_300), now, 1); // "10s": one frame a second
        assert_eq!(take(), Some(now + Duration::seconds(1)));
        assert_eq!(take(), None, "taken");
        note_age(now - Duration::seconds(130), now, 60); // on the 6 s grid: 54 s
        assert_eq!(take(), Some(now + Duration::seconds(54)));
        // Minute labels changing within the same 6 s share one frame.
        note_age(now - Duration::milliseconds(125_300), now, 60);
        note_age(now - Duration::milliseconds(121_000), now, 60);
        assert_eq!(take(), Some(now + Duration::seconds(60)));
        note_age(now + Duration::seconds(5), now, 1);
        assert_eq!(take(), Some(now + Duration::seconds(1)));
        assert_eq!(step_of(59), 1);
        assert_eq!(step_of(3600), 60);
        assert_eq!(step_of(90_000), 86_400);
    }
}
