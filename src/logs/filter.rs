//! The log filter typed after `/`: a regex, `!` in front to keep the lines that do *not* match.
//!
//! Smart case: a pattern with no uppercase letter ignores case; one uppercase letter makes the
//! whole pattern case-sensitive. Letters inside escapes (`\D`, `\S`, `\p{Lu}`, `\x{2F}`) and group
//! names (`(?P<Name>..)`) do not count. A pattern that starts with a literal `!` is written `[!]`.
//!
//! The filter matches the stored (already [`inert`](crate::sanitize::inert)) message, so an escape
//! character in a log line is matched as `␛`.

use crate::sanitize::inert;
use regex::{Regex, RegexBuilder};
use std::fmt;
use std::ops::Range;

/// Compiled regexes above this size are refused (a typo such as `\w{1000}{1000}` would otherwise
/// take seconds and megabytes to build).
const SIZE_LIMIT: usize = 4 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// Nothing to match (`""` or a lone `!`). The caller treats an empty prompt as "no filter".
    #[error("empty filter")]
    Empty,
    /// The pattern is not a valid regex; `reason` is one line, fit for a status bar.
    #[error("invalid filter /{pattern}/: {reason}")]
    Invalid { pattern: String, reason: String },
}

/// A compiled log filter. Cheap to clone (the regex is shared).
#[derive(Debug, Clone)]
pub struct LogFilter {
    input: String,
    regex: Regex,
    inverse: bool,
    ignore_case: bool,
}

impl LogFilter {
    /// Parse what the user typed. On error the caller keeps its previous filter.
    pub fn parse(input: &str) -> Result<LogFilter, FilterError> {
        let (inverse, pattern) = match input.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        if pattern.is_empty() {
            return Err(FilterError::Empty);
        }
        let ignore_case = !has_uppercase_literal(pattern);
        let regex = RegexBuilder::new(pattern)
            .case_insensitive(ignore_case)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| FilterError::Invalid { pattern: inert(pattern).into_owned(), reason: one_line(&e) })?;
        Ok(LogFilter { input: input.to_string(), regex, inverse, ignore_case })
    }

    /// Whether a line passes the filter (for an inverse filter: the regex does not match).
    #[inline]
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text) != self.inverse
    }

    /// Byte ranges of `text` to highlight, in order and non-overlapping. Empty for an inverse
    /// filter (a line that passes it has nothing to point at), and empty matches are left out.
    pub fn match_ranges(&self, text: &str) -> Vec<Range<usize>> {
        if self.inverse {
            return Vec::new();
        }
        self.regex.find_iter(text).map(|m| m.range()).filter(|r| !r.is_empty()).collect()
    }

    /// The filter as typed, `!` included: for the title and for editing it again.
    pub fn pattern(&self) -> &str {
        &self.input
    }

    pub fn is_inverse(&self) -> bool {
        self.inverse
    }

    /// Whether smart case chose to ignore case.
    pub fn ignores_case(&self) -> bool {
        self.ignore_case
    }
}

impl fmt::Display for LogFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.input)
    }
}

/// Whether `pattern` has an uppercase letter that stands for itself (smart case).
fn has_uppercase_literal(pattern: &str) -> bool {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                // \p{..}, \P{..}, \x{..}, \u{..}: the name or digits inside braces don't count.
                Some('p' | 'P' | 'x' | 'u' | 'U') if chars.peek() == Some(&'{') => {
                    chars.by_ref().find(|&c| c == '}');
                }
                // \pL and friends: the one-letter class name doesn't count either.
                Some('p' | 'P') => {
                    chars.next();
                }
                // Any other escaped character (\D, \S, \W, \B, \A, \z, \.) is a class, an
                // assertion or escaped punctuation, never a literal letter.
                _ => {}
            },
            '(' => {
                // Named groups: (?P<Name>..) and (?<Name>..).
                let mut probe = chars.clone();
                if probe.next() == Some('?') {
                    let named = match probe.next() {
                        Some('P') => probe.next() == Some('<'),
                        Some('<') => true,
                        _ => false,
                    };
                    if named {
                        chars = probe;
                        chars.by_ref().find(|&c| c == '>');
                    }
                }
            }
            c if c.is_uppercase() => return true,
            _ => {}
        }
    }
    false
}

/// regex's syntax errors span several lines (pattern, caret, message); keep the message.
pub(crate) fn one_line(e: &regex::Error) -> String {
    let line = match e {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error:"))
            .map(|l| l.trim().to_string())
            .unwrap_or_else(|| text.lines().last().unwrap_or("syntax error").trim().to_string()),
        regex::Error::CompiledTooBig(_) => "pattern too large".to_string(),
        other => other.to_string().lines().next().unwrap_or("invalid pattern").to_string(),
    };
    // The regex crate quotes the pattern: inert, like the pattern itself.
    inert(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> LogFilter {
        LogFilter::parse(s).unwrap()
    }

    #[test]
    fn plain_and_inverse() {
        let error = f("error");
        assert!(error.is_match("an error here"));
        assert!(!error.is_match("all good"));
        let not = f("!error");
        assert!(not.is_inverse());
        assert!(!not.is_match("an error here"));
        assert!(not.is_match("all good"));
        assert_eq!(not.pattern(), "!error");
        assert_eq!(not.to_string(), "!error");
    }

    #[test]
    fn smart_case() {
        let lower = f("error");
        assert!(lower.ignores_case());
        assert!(lower.is_match("ERROR: boom"));
        assert!(lower.is_match("Error: boom"));
        let upper = f("ERROR");
        assert!(!upper.ignores_case());
        assert!(upper.is_match("ERROR: boom"));
        assert!(!upper.is_match("error: boom"));
        // Escapes and group names are not literal uppercase letters.
        for p in [r"\d+\S", r"\p{Lu}", r"\x{2F}x", r"(?P<Name>x)", r"(?<Name>x)", r"\D\W\B", r"\pL"] {
            assert!(f(p).ignores_case(), "{p}");
        }
        assert!(!f(r"(?P<n>Warn)").ignores_case());
        assert!(!f(r"\dX").ignores_case());
        // Inverse keeps smart case.
        assert!(f("!DEBUG").is_match("debug"), "case-sensitive inverse keeps lowercase debug");
        assert!(!f("!debug").is_match("DEBUG"), "case-insensitive inverse drops DEBUG");
    }

    #[test]
    fn invalid_regex_is_one_clear_line() {
        let err = LogFilter::parse("(abc").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("invalid filter /(abc/: "), "{msg}");
        assert!(msg.contains("unclosed group"), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
        assert!(matches!(LogFilter::parse("![z-a]"), Err(FilterError::Invalid { .. })));
        assert!(matches!(LogFilter::parse(""), Err(FilterError::Empty)));
        assert!(matches!(LogFilter::parse("!"), Err(FilterError::Empty)));
        assert!(matches!(LogFilter::parse(r"\w{1000}{1000}"), Err(FilterError::Invalid { .. })));
    }

    #[test]
    fn literal_bang_via_class() {
        let bang = f("[!]important");
        assert!(!bang.is_inverse());
        assert!(bang.is_match("!important"));
        assert!(!bang.is_match("important"));
    }

    #[test]
    fn match_ranges_are_byte_ranges() {
        let s = r#"{"status":503,"msg":"ERROR upstream"} status":500"#;
        let filter = f(r#"status":5\d\d|ERROR"#);
        let ranges = filter.match_ranges(s);
        let texts: Vec<&str> = ranges.iter().map(|r| &s[r.clone()]).collect();
        assert_eq!(texts, [r#"status":503"#, "ERROR", r#"status":500"#]);
        // Multibyte text before a match: ranges stay on char boundaries.
        let s = "日本 error";
        let r = f("error").match_ranges(s);
        assert_eq!(r, vec![7..12]);
        assert!(f("!error").match_ranges(s).is_empty());
        // Empty matches are not highlighted.
        assert!(f("x*").match_ranges("abc").is_empty());
    }
}
