//! How the log pane shows each line's timestamp.

use chrono::{DateTime, Local, Utc};

/// The timestamp column's mode; `t` cycles Relative → Local → Utc → Off → Relative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampMode {
    /// "12s ago", "3m ago", "2h ago", "4d ago"; "in 5s" for a timestamp ahead of `now`.
    #[default]
    Relative,
    /// Wall-clock time in the machine's time zone, "03:04:05".
    Local,
    /// Wall-clock time in UTC, "03:04:05Z".
    Utc,
    /// No timestamp column.
    Off,
}

impl TimestampMode {
    /// The next mode in the cycle.
    #[must_use]
    pub fn cycle(self) -> Self {
        match self {
            TimestampMode::Relative => TimestampMode::Local,
            TimestampMode::Local => TimestampMode::Utc,
            TimestampMode::Utc => TimestampMode::Off,
            TimestampMode::Off => TimestampMode::Relative,
        }
    }

    /// A short name for the status line.
    pub fn label(self) -> &'static str {
        match self {
            TimestampMode::Relative => "relative",
            TimestampMode::Local => "local",
            TimestampMode::Utc => "utc",
            TimestampMode::Off => "off",
        }
    }

    /// Columns to reserve so the column lines up: the widest `format` output in practice
    /// (relative times of 1000 days or more are wider and simply push the message right).
    pub fn width(self) -> usize {
        match self {
            TimestampMode::Relative => 8,
            TimestampMode::Local => 8,
            TimestampMode::Utc => 9,
            TimestampMode::Off => 0,
        }
    }

    /// `ts` as this mode shows it. `now` is passed in (the view model never reads the clock).
    pub fn format(&self, ts: DateTime<Utc>, now: DateTime<Utc>) -> String {
        match self {
            TimestampMode::Relative => {
                let secs = now.signed_duration_since(ts).num_seconds();
                // Hours are shown whole here: "2h ago" changes on the hour, not the minute. Under
                // a minute, tens of seconds: a tail of fresh lines counting every second redrew
                // the whole screen every second, the larger part of an idle console's CPU, and
                // `t` shows exact times.
                let step = match secs {
                    0..=59 => SECONDS_STEP,
                    s if (3_600..86_400).contains(&s.abs()) => 3_600,
                    s => crate::redraw::step_of(s),
                };
                crate::redraw::note_age(ts, now, step);
                relative(secs)
            }
            TimestampMode::Local => ts.with_timezone(&Local).format("%H:%M:%S").to_string(),
            TimestampMode::Utc => ts.format("%H:%M:%SZ").to_string(),
            TimestampMode::Off => String::new(),
        }
    }
}

/// Lines under a minute old say "now", "10s ago", ... "50s ago".
const SECONDS_STEP: i64 = 10;

fn relative(secs: i64) -> String {
    if (0..SECONDS_STEP).contains(&secs) {
        return "now".into();
    }
    let (ahead, secs) = (secs < 0, secs.unsigned_abs());
    let amount = match secs {
        0..=59 if !ahead => format!("{}s", secs - secs % SECONDS_STEP as u64),
        0..=59 => format!("{secs}s"),
        60..=3_599 => format!("{}m", secs / 60),
        3_600..=86_399 => format!("{}h", secs / 3_600),
        _ => format!("{}d", secs / 86_400),
    };
    if ahead {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 6, 3, 4, 5).single().unwrap_or_default()
    }

    #[test]
    fn relative_units() {
        let m = TimestampMode::Relative;
        let ts = t0();
        assert_eq!(m.format(ts, ts), "now");
        assert_eq!(m.format(ts, ts + Duration::seconds(9)), "now");
        assert_eq!(m.format(ts, ts + Duration::seconds(12)), "10s ago");
        assert_eq!(m.format(ts, ts + Duration::seconds(59)), "50s ago");
        assert_eq!(m.format(ts, ts + Duration::seconds(60)), "1m ago");
        assert_eq!(m.format(ts, ts + Duration::seconds(3 * 60 + 59)), "3m ago");
        assert_eq!(m.format(ts, ts + Duration::hours(2) + Duration::minutes(59)), "2h ago");
        assert_eq!(m.format(ts, ts + Duration::days(4)), "4d ago");
        assert_eq!(m.format(ts, ts - Duration::seconds(5)), "in 5s");
    }

    #[test]
    fn a_fresh_line_asks_for_a_frame_when_its_ten_seconds_change_not_every_second() {
        let ts = t0();
        crate::redraw::start();
        assert_eq!(TimestampMode::Relative.format(ts, ts + Duration::seconds(12)), "10s ago");
        assert_eq!(crate::redraw::take(), Some(ts + Duration::seconds(20)));
        crate::redraw::start();
        assert_eq!(TimestampMode::Relative.format(ts, ts + Duration::milliseconds(3_500)), "now");
        assert_eq!(crate::redraw::take(), Some(ts + Duration::seconds(10)));
    }

    #[test]
    fn utc_local_off() {
        let ts = t0();
        assert_eq!(TimestampMode::Utc.format(ts, ts), "03:04:05Z");
        assert_eq!(TimestampMode::Off.format(ts, ts), "");
        let local = TimestampMode::Local.format(ts, ts);
        assert_eq!(local.len(), 8);
        assert_eq!(local.matches(':').count(), 2);
        assert!(local.ends_with(":05"), "{local}");
    }

    #[test]
    fn cycle_visits_all_and_returns() {
        let mut m = TimestampMode::default();
        assert_eq!(m, TimestampMode::Relative);
        let mut seen = vec![m];
        for _ in 0..4 {
            m = m.cycle();
            seen.push(m);
        }
        assert_eq!(
            seen,
            [
                TimestampMode::Relative,
                TimestampMode::Local,
                TimestampMode::Utc,
                TimestampMode::Off,
                TimestampMode::Relative
            ]
        );
    }

    #[test]
    fn widths_fit_typical_output() {
        let ts = t0();
        for m in [TimestampMode::Relative, TimestampMode::Local, TimestampMode::Utc, TimestampMode::Off] {
            assert!(m.format(ts, ts + Duration::seconds(45)).len() <= m.width(), "{m:?}");
        }
        assert!(TimestampMode::Relative.format(ts, ts + Duration::hours(23)).len() <= 8);
    }
}
