//! What can be wrong with a query, said in one line a status bar can show.

use std::fmt;

/// The commands the simulated fleet answers, quoted in every refusal so the user knows the subset.
pub const SUPPORTED_COMMANDS: &str = "fields, filter, parse, stats, sort, limit, dedup";
/// The aggregations `stats` takes.
pub const SUPPORTED_AGGREGATES: &str = "count, sum, avg, min, max, pct";
/// The functions an expression outside `stats` may call.
pub const SUPPORTED_FUNCTIONS: &str = "bin, ispresent, isempty, strlen, tolower, toupper, abs, floor, ceil";

/// A place in the query text: 1-based line and column, counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// Single-line queries (the usual case) say only the column.
    multi_line: bool,
}

impl Location {
    /// The location of byte offset `byte` in `text` (clamped to the text, snapped to a char boundary).
    pub fn of(text: &str, byte: usize) -> Location {
        let mut end = byte.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column, multi_line: text.trim_end().contains('\n') }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.multi_line {
            write!(f, "line {}, column {}", self.line, self.column)
        } else {
            write!(f, "column {}", self.column)
        }
    }
}

/// Why a query was refused. `Display` is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("empty query: write a command, e.g. `fields @timestamp, @message` or `stats count(*) by bin(5m)`")]
    Empty,
    #[error("syntax error at {at}: {message}")]
    Syntax { at: Location, message: String },
    #[error("unsupported command '{name}' at {at} (the simulated fleet answers {SUPPORTED_COMMANDS})")]
    UnsupportedCommand { name: String, at: Location },
    #[error("unsupported function '{name}' at {at} (the simulated fleet answers {supported})")]
    UnsupportedFunction { name: String, at: Location, supported: &'static str },
    #[error("invalid regex /{pattern}/ at {at}: {reason}")]
    BadRegex { pattern: String, reason: String, at: Location },
    /// Well-formed but meaningless: a bad bin unit, a percentile over 100, an unknown field after stats.
    #[error("{message} (at {at})")]
    Invalid { message: String, at: Location },
}

impl QueryError {
    pub(super) fn syntax(text: &str, byte: usize, message: impl Into<String>) -> QueryError {
        QueryError::Syntax { at: Location::of(text, byte), message: one_line(&message.into()) }
    }

    pub(super) fn invalid(text: &str, byte: usize, message: impl Into<String>) -> QueryError {
        QueryError::Invalid { at: Location::of(text, byte), message: one_line(&message.into()) }
    }
}

/// Text from the query as it may appear in a one-line message: control characters escaped, and
/// what else [`inert`](crate::sanitize::inert) replaces (bidi overrides) replaced.
pub fn one_line(text: &str) -> String {
    let escaped: String =
        text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect();
    crate::sanitize::inert(&escaped).into_owned()
}

/// A literal from the query, shortened for an error message.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_line_query_reports_the_column_in_characters() {
        let at = Location::of("filter é = 1 |", 12);
        assert_eq!((at.line, at.column), (1, 12));
        assert_eq!(at.to_string(), "column 12");
    }

    #[test]
    fn a_multi_line_query_reports_line_and_column() {
        let text = "fields @message\n| filter x";
        let at = Location::of(text, text.len());
        assert_eq!(at.to_string(), "line 2, column 11");
    }

    #[test]
    fn messages_stay_on_one_line_and_long_literals_are_shortened() {
        let e = QueryError::syntax("x", 0, "found \"a\nb\tc\"");
        assert_eq!(e.to_string(), "syntax error at column 1: found \"a\\nb\\tc\"");
        assert_eq!(excerpt(&"é".repeat(50)), format!("{}…", "é".repeat(40)));
        assert_eq!(excerpt("short"), "short");
    }

    #[test]
    fn an_offset_inside_a_character_or_past_the_end_is_clamped() {
        assert_eq!(Location::of("é", 1).column, 1);
        assert_eq!(Location::of("ab", 99).column, 3);
    }
}
