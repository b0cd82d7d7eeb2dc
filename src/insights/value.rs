//! A field's value while a query runs, and how values compare and print.
//!
//! Text borrows from the log events wherever it can (`Cow::Borrowed`), so reading a field or
//! extracting one with `parse` costs no allocation.

use chrono::DateTime;
use std::borrow::Cow;
use std::cmp::Ordering;

/// One value. `Time` is milliseconds since the epoch (`@timestamp`, `bin(...)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Time(i64),
    Bool(bool),
}

/// Insights' timestamp format, always UTC.
pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f";

impl<'a> Value<'a> {
    /// The value as a number: numbers and times as they are, text when it is a number literal.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Time(ms) => Some(*ms as f64),
            Value::Str(s) => parse_number(s),
            Value::Bool(_) => None,
        }
    }

    /// The value as text (a number prints as Insights prints it).
    pub fn as_text(&self) -> Cow<'_, str> {
        match self {
            Value::Str(s) => Cow::Borrowed(s.as_ref()),
            other => Cow::Owned(other.render()),
        }
    }

    /// What a result row shows.
    pub fn render(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            Value::Num(n) => format_number(*n),
            Value::Time(ms) => format_time(*ms),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// Text that is a number literal (`12`, `-3.5`, ` 200 `), as a finite number. `inf`, `NaN` and
/// the empty string are text.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let first = t.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Whole numbers without a decimal point (`200`, not `200.0`); others in the shortest form that
/// reads back the same.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `2026-12-04 15:51:02.123`; a time outside chrono's range prints as its milliseconds.
pub fn format_time(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(t) => t.format(TIME_FORMAT).to_string(),
        None => ms.to_string(),
    }
}

/// How `=`, `<` and friends compare: numerically when both sides are numbers (or number
/// literals), otherwise as text. `None` when a number is NaN.
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        return Some(x.cmp(y));
    }
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => Some(a.as_text().as_ref().cmp(b.as_text().as_ref())),
    }
}

/// `sort`'s order, Insights' "natural" sort: text before numbers; numbers by value; text in
/// chunks, runs of digits by length then value, everything else by Unicode code point.
pub fn natural_cmp(a: &Value<'_>, b: &Value<'_>) -> Ordering {
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => natural_text_cmp(&a.as_text(), &b.as_text()),
    }
}

fn natural_text_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (chunk(x), chunk(y)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some((cx, rx)), Some((cy, ry))) => {
                let digits = |s: &str| s.as_bytes().first().is_some_and(u8::is_ascii_digit);
                let order = if digits(cx) && digits(cy) {
                    let (tx, ty) = (cx.trim_start_matches('0'), cy.trim_start_matches('0'));
                    tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty)).then_with(|| cx.len().cmp(&cy.len()))
                } else {
                    cx.cmp(cy)
                };
                if order != Ordering::Equal {
                    return order;
                }
                (x, y) = (rx, ry);
            }
        }
    }
}

/// The leading run of digits, or of non-digits, and the rest.
fn chunk(s: &str) -> Option<(&str, &str)> {
    let first = s.as_bytes().first()?;
    let is_digit = first.is_ascii_digit();
    let end = s.bytes().position(|b| b.is_ascii_digit() != is_digit).unwrap_or(s.len());
    Some(s.split_at(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Value<'_> {
        Value::Str(Cow::Borrowed(t))
    }

    #[test]
    fn numbers_print_like_insights() {
        assert_eq!(format_number(200.0), "200");
        assert_eq!(format_number(191.5), "191.5");
        assert_eq!(format_number(-3.0), "-3");
        assert_eq!(format_number(1e20), "100000000000000000000");
    }

    #[test]
    fn times_print_in_utc_with_milliseconds() {
        assert_eq!(format_time(1_796_399_462_123), "2026-12-04 15:51:02.123");
    }

    #[test]
    fn text_is_a_number_only_when_it_is_a_number_literal() {
        assert_eq!(parse_number(" 200 "), Some(200.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("12abc"), None);
    }

    #[test]
    fn comparison_is_numeric_when_both_sides_are_numbers() {
        assert_eq!(compare(&s("9"), &Value::Num(10.0)), Some(Ordering::Less));
        assert_eq!(compare(&s("9"), &s("10")), Some(Ordering::Less));
        assert_eq!(compare(&s("b"), &s("a")), Some(Ordering::Greater));
        assert_eq!(compare(&s("error"), &Value::Num(1.0)), Some("error".cmp("1")));
    }

    #[test]
    fn natural_sort_puts_text_before_numbers_and_digit_runs_by_value() {
        let mut values = [s("10"), s("a10"), s("2"), s("a9"), s("A"), s("01")];
        values.sort_by(natural_cmp);
        let texts: Vec<String> = values.iter().map(Value::render).collect();
        assert_eq!(texts, ["A", "a9", "a10", "01", "2", "10"]);
    }
}
