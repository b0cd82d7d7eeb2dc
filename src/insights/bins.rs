//! `bin(5m)`: the width a time unit spells, and the bin a timestamp falls in.

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;
/// A century of bins is as wide as anyone means; wider is a typo.
const WIDEST: i64 = 36_525 * DAY;
/// 1970-01-05 was a Monday: weeks start on Mondays, like ISO weeks.
const FIRST_MONDAY: i64 = 4 * DAY;

/// The width in milliseconds of a bin written like `5m`, `30s`, `1h`, `100ms`, `2days`.
/// Units as Insights spells them; multi-letter units may take a plural `s`. The error is the
/// sentence to show.
pub fn parse_width(text: &str) -> Result<i64, String> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let count: f64 = number.parse().map_err(|_| format!("bin({text}) needs a number before the unit, e.g. bin(5m)"))?;
    let lower = unit.to_ascii_lowercase();
    let singular = match lower.strip_suffix('s') {
        Some(stem) if stem.len() > 1 => stem,
        _ => lower.as_str(),
    };
    let unit_ms = match singular {
        "ms" | "msec" | "millisecond" => 1,
        "s" | "sec" | "second" => SECOND,
        "m" | "min" | "minute" => MINUTE,
        "h" | "hr" | "hour" => HOUR,
        "d" | "day" => DAY,
        "w" | "week" => WEEK,
        "mo" | "mon" | "month" | "q" | "qtr" | "quarter" | "y" | "yr" | "year" => {
            return Err(format!(
                "bin({text}): calendar units (months, quarters, years) are not supported by the simulated fleet; use d or w"
            ))
        }
        "" => return Err(format!("bin({text}) needs a time unit: ms, s, m, h, d or w")),
        _ => return Err(format!("unknown time unit '{unit}' in bin({text}): use ms, s, m, h, d or w")),
    };
    let width = count * unit_ms as f64;
    if !(1.0..=WIDEST as f64).contains(&width) {
        return Err(format!("bin({text}) must be between 1ms and 100 years wide"));
    }
    Ok(width.round() as i64)
}

/// The start of the bin of `width` ms that holds `ms`: bins are aligned to the epoch (so days
/// start at midnight UTC), and whole weeks to Mondays.
pub fn bin_start(ms: i64, width: i64) -> i64 {
    let width = width.max(1);
    let offset = if width % WEEK == 0 { FIRST_MONDAY } else { 0 };
    let shifted = ms.saturating_sub(offset);
    shifted.saturating_sub(shifted.rem_euclid(width)).saturating_add(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_plurals_as_insights_spells_them() {
        assert_eq!(parse_width("30s"), Ok(30 * SECOND));
        assert_eq!(parse_width("5m"), Ok(5 * MINUTE));
        assert_eq!(parse_width("5mins"), Ok(5 * MINUTE));
        assert_eq!(parse_width("1h"), Ok(HOUR));
        assert_eq!(parse_width("2hrs"), Ok(2 * HOUR));
        assert_eq!(parse_width("100ms"), Ok(100));
        assert_eq!(parse_width("1d"), Ok(DAY));
        assert_eq!(parse_width("1week"), Ok(WEEK));
        assert_eq!(parse_width("1.5h"), Ok(90 * MINUTE));
    }

    #[test]
    fn bad_and_calendar_units_are_refused_with_a_reason() {
        assert!(parse_width("5x").unwrap_err().contains("unknown time unit 'x'"));
        assert!(parse_width("1mo").unwrap_err().contains("calendar units"));
        assert!(parse_width("0m").unwrap_err().contains("between 1ms"));
        assert!(parse_width("999999999d").unwrap_err().contains("between 1ms"));
    }

    #[test]
    fn bins_align_to_the_epoch_and_weeks_to_mondays() {
        assert_eq!(bin_start(5 * MINUTE + 59_999, MINUTE), 5 * MINUTE);
        assert_eq!(bin_start(-1, MINUTE), -MINUTE);
        // 1970-01-08 (a Thursday) falls in the week of Monday 1970-01-05.
        assert_eq!(bin_start(7 * DAY, WEEK), FIRST_MONDAY);
    }
}
