//! The time axis: ticks on round UTC times, as many as fit the width, labelled as tightly as the
//! range allows: `HH:MM` up to a day; beyond, `Sat 21` for whole days or `MM-DD HH:MM`.

use chrono::{DateTime, Utc};

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// Round steps up to a week, in seconds; beyond a week they double.
const STEPS: [i64; 19] = [
    1,
    5,
    10,
    15,
    30,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
];
/// Blank cells kept between two labels.
const GAP: usize = 2;

/// A labelled tick on the time axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XTick {
    pub at: DateTime<Utc>,
    pub label: String,
}

/// Ticks for `start..=end` on multiples of the smallest round step whose labels fit in `width`
/// cells with two blank cells between them (days start at midnight UTC). Empty when the range
/// is empty or nothing fits.
pub fn x_ticks(start: DateTime<Utc>, end: DateTime<Utc>, width: usize) -> Vec<XTick> {
    let (s, e) = (start.timestamp(), end.timestamp());
    if e <= s || width == 0 {
        return Vec::new();
    }
    let range = e - s;
    let steps = STEPS.into_iter().chain((1..40).map(|k| (7 * DAY) << k));
    for step in steps {
        let format = format_for(range, step);
        let first = s.div_euclid(step).saturating_mul(step);
        let first = if first < s { first.saturating_add(step) } else { first };
        let count = if first > e { 0 } else { (e - first) / step + 1 };
        let label_width = format.len();
        if usize::try_from(count).is_ok_and(|n| n.saturating_mul(label_width + GAP) <= width) {
            return (0..count)
                .filter_map(|i| DateTime::from_timestamp(first + i * step, 0))
                .map(|at| XTick { at, label: at.format(format).to_string() })
                .collect();
        }
    }
    Vec::new()
}

/// The label format for ticks `step` apart over `range` seconds; every format's output is as
/// wide as the format string itself.
fn format_for(range: i64, step: i64) -> &'static str {
    if step < MINUTE {
        "%H:%M:%S"
    } else if range <= DAY {
        "%H:%M"
    } else if step < DAY {
        "%m-%d %H:%M"
    } else if range <= 31 * DAY {
        "%a %d"
    } else if range <= 366 * DAY {
        "%m-%d"
    } else {
        "%Y-%m-%d"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn labels(hours: i64, width: usize) -> Vec<String> {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        x_ticks(start, start + Duration::hours(hours), width).into_iter().map(|t| t.label).collect()
    }

    #[test]
    fn one_hour_ticks_every_ten_minutes() {
        assert_eq!(labels(1, 72), ["00:00", "00:10", "00:20", "00:30", "00:40", "00:50", "01:00"]);
        // From an odd minute, ticks still fall on round times.
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 4, 0).unwrap();
        let ticks = x_ticks(start, start + Duration::hours(1), 72);
        let l: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(l, ["03:10", "03:20", "03:30", "03:40", "03:50", "04:00"]);
    }

    #[test]
    fn three_hours_tick_every_half_hour() {
        assert_eq!(labels(3, 72), ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00"]);
    }

    #[test]
    fn a_day_ticks_every_three_hours_and_fewer_when_narrow() {
        assert_eq!(labels(24, 72), ["00:00", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "00:00"]);
        assert_eq!(labels(24, 40), ["00:00", "06:00", "12:00", "18:00", "00:00"]);
    }

    #[test]
    fn seven_days_tick_at_each_midnight_with_the_weekday() {
        assert_eq!(
            labels(24 * 7, 72),
            ["Sat 21", "Sun 22", "Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27", "Sat 28"]
        );
        // Narrower: whole days still, fewer of them.
        assert_eq!(labels(24 * 7, 34), ["Sat 21", "Mon 23", "Wed 25", "Fri 27"]);
        // Two days at full width: hours with the date.
        assert_eq!(labels(48, 72)[..2], ["11-21 00:00".to_string(), "11-21 12:00".to_string()]);
    }

    #[test]
    fn nothing_for_an_empty_range_or_no_room() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        assert!(x_ticks(start, start, 80).is_empty());
        assert!(x_ticks(start, start - Duration::hours(1), 80).is_empty());
        assert!(labels(1, 0).is_empty());
        assert!(labels(1, 3).is_empty());
        let far = x_ticks(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, 200);
        assert!(far.len() <= 20, "{}", far.len());
    }
}
