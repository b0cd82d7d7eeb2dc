//! What the engine refuses, and that it says what and where; garbage never panics.

use super::{events, refusal};
use crate::insights::{parse, QueryError};

const SUPPORTED: &str = "(the simulated fleet answers fields, filter, parse, stats, sort, limit, dedup)";

#[test]
fn an_unsupported_command_is_named_with_the_supported_subset() {
    assert_eq!(
        refusal("fields @message | pattern @message"),
        format!("unsupported command 'pattern' at column 19 {SUPPORTED}")
    );
    for command in ["display", "unmask", "diff", "anomaly", "SOURCE", "filterIndex", "unnest", "lookup"] {
        let text = refusal(&format!("{command} x"));
        assert!(text.starts_with(&format!("unsupported command '{command}' at column 1")), "{text}");
        assert!(text.ends_with(SUPPORTED), "{text}");
    }
}

#[test]
fn an_unsupported_function_is_named_with_what_is_supported() {
    assert_eq!(
        refusal("stats count_distinct(path)"),
        "unsupported function 'count_distinct' at column 7 (the simulated fleet answers count, sum, avg, min, max, pct)"
    );
    assert!(refusal("stats earliest(@message) by path").starts_with("unsupported function 'earliest'"));
    let scalar = refusal("filter strcontains(@message, \"x\")");
    assert!(
        scalar
            .starts_with("unsupported function 'strcontains' at column 8 (the simulated fleet answers bin, ispresent"),
        "{scalar}"
    );
    assert!(refusal("filter avg(latency_ms) > 1").contains("'avg' is an aggregate: it works only in stats"));
}

#[test]
fn a_bad_regex_says_why() {
    assert_eq!(refusal("filter @message like /(unclosed/"), "invalid regex /(unclosed/ at column 22: unclosed group");
    assert!(refusal(r"parse @message /(?<a>\p{Nope})/").starts_with("invalid regex"));
    assert!(refusal("filter @message like /no end").contains("unterminated regex"));
    assert!(refusal(r"parse @message /(\d+)/").contains("names what it extracts: (?<name>...)"));
}

#[test]
fn a_bad_bin_is_refused() {
    assert!(refusal("stats count(*) by bin(5x)")
        .starts_with("unknown time unit 'x' in bin(5x): use ms, s, m, h, d or w (at column 23)"));
    assert!(refusal("stats count(*) by bin(5)").contains("needs a time unit"));
    assert!(refusal("stats count(*) by bin(1mo)").contains("calendar units"));
    assert!(refusal("stats count(*) by bin(path)").contains("expected a time span such as 5m, found 'path'"));
}

#[test]
fn an_empty_query_is_refused() {
    assert_eq!(parse("").err(), Some(QueryError::Empty));
    assert_eq!(parse("  \n # just a comment\n").err(), Some(QueryError::Empty));
    assert!(refusal("").starts_with("empty query"));
}

#[test]
fn syntax_errors_say_where_and_what_was_expected() {
    let cases = [
        ("filter level = ", "syntax error at column 16: expected a field, a number or a \"string\", found the end of the query"),
        ("fields a,", "syntax error at column 10: expected a field, a number or a \"string\", found the end of the query"),
        ("stats count(*) by", "syntax error at column 18: expected a field, a number or a \"string\", found the end of the query"),
        ("limit ten", "syntax error at column 7: expected the number of rows after limit, found 'ten'"),
        ("sort", "syntax error at column 5: expected a field to sort by, found the end of the query"),
        ("| filter x", "syntax error at column 1: expected a command (fields, filter, parse, stats, sort, limit or dedup), found '|'"),
        ("filter a | | stats count()", "syntax error at column 12: expected a command (fields, filter, parse, stats, sort, limit or dedup), found '|'"),
        ("filter a |", "syntax error at column 11: expected a command (fields, filter, parse, stats, sort, limit or dedup), found the end of the query"),
        ("fields a b", "syntax error at column 10: expected '|' or the end of the query after the fields command, found 'b'"),
        ("filter (a = 1", "syntax error at column 14: expected ')', found the end of the query"),
        ("filter\n  a = \"open", "syntax error at line 2, column 7: unterminated string: add the closing \""),
    ];
    for (query, message) in cases {
        assert_eq!(refusal(query), message, "{query}");
    }
    assert!(refusal("stats sum(x) / count(*)").contains("arithmetic on aggregates is not supported"));
    assert!(refusal("stats latency_ms").contains("expected '(' after latency_ms"));
}

#[test]
fn meaningless_queries_are_refused_before_they_run() {
    assert!(refusal("limit 0").contains("limit 0 must be a whole number from 1 to 10000"));
    assert!(refusal("limit 20000").contains("from 1 to 10000"));
    assert!(refusal("parse @message \"* *\" as a").contains("the pattern has 2 * but 1 names follow 'as'"));
    assert!(refusal("parse @message \"no stars\" as a").contains("needs a * for each field"));
    assert!(refusal("stats pct(latency_ms, 101)").contains("percentile 101 is not between 0 and 100"));
    assert!(refusal("stats count(*) as n by path | sort latency_ms")
        .contains("field 'latency_ms' does not exist after stats (there are: n, path)"));
    assert!(refusal("stats count(*) by path | fields @message").contains("'@message' does not exist after stats"));
    assert!(refusal("dedup path | sort path").contains("only limit may follow dedup, not sort"));
    assert!(refusal("fields 1 as @message").contains("can't assign to the built-in field @message"));
    assert!(refusal("stats count(*), count(*)").contains("two columns named 'count(*)'"));
}

#[test]
fn a_query_at_the_size_limit_parses_and_runs() {
    // 991 operators, nearly the limit: the deepest expression tree a query can have, evaluated on a test thread's stack.
    let sum = vec!["status"; 990].join(" + ");
    let query = parse(&format!("fields {sum} - 100000 as total | filter total > 0")).unwrap();
    let out = query.run(events()).unwrap();
    assert_eq!(out.rows.len(), 6);
    assert!(refusal(&format!("fields {sum} + {sum}")).contains("too complex"));
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// Queries to mangle: valid ones, so that mangled copies are often valid too.
const VALID: [&str; 6] = [
    "filter level = \"error\" | stats count(*) as n by path, bin(5m) | sort n desc | limit 3",
    "parse @message \"[*] [*] [*] *\" as t, pid, severity, text | filter severity like /(?i)err/ | fields severity, text",
    "fields @timestamp, latency_ms / 1000 as s | filter s > 0.1 or not ispresent(s) | sort s, @timestamp desc",
    "stats avg(latency_ms), pct(latency_ms, 99), min(status), max(status), sum(status) by method | filter method in [\"GET\"]",
    "filter @message =~ /KeyError: '(?<k>\\w+)'/ | parse @message /'(?<k>\\w+)'/ | dedup k | limit 5",
    "fields error.type, tolower(level) as l | sort l desc | dedup l",
];

#[test]
fn random_garbage_never_panics_and_what_parses_runs() {
    const PIECES: [&str; 48] = [
        "fields",
        "filter",
        "parse",
        "stats",
        "sort",
        "limit",
        "dedup",
        "pattern",
        "|",
        "|",
        ",",
        "(",
        ")",
        "[",
        "]",
        "count(*)",
        "avg(",
        "pct(latency_ms,",
        "bin(",
        "5m",
        "1h",
        "0s",
        "by",
        "as",
        "asc",
        "desc",
        "and",
        "or",
        "not",
        "like",
        "in",
        "=~",
        "=",
        "!=",
        "<=",
        ">",
        "/",
        "/(?i)err/",
        "\"[*] *\"",
        "'x'",
        "`a b`",
        "@message",
        "level",
        "latency_ms",
        "a.b",
        "-",
        "10",
        "#",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let all_events = events();
    let mut parsed = 0;
    for round in 0..5_000 {
        let mut text = if round % 2 == 0 { String::new() } else { VALID[rng.below(VALID.len())].to_string() };
        for _ in 0..rng.below(if text.is_empty() { 12 } else { 3 }) {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(4) {
                // A random character, sometimes outside ASCII.
                0 => text.insert(at, char::from_u32(rng.below(0x800) as u32).unwrap_or('?')),
                1 => {
                    let mut end = (at + rng.below(6)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => text.insert_str(at, &format!(" {} ", PIECES[rng.below(PIECES.len())])),
            }
        }
        match parse(&text) {
            Ok(query) => {
                parsed += 1;
                let out = query.run(all_events.iter().copied()).unwrap();
                assert!(out.rows.len() <= 10_000 && out.records_scanned == 10);
            }
            Err(e) => assert!(!e.to_string().contains('\n'), "one line: {e}"),
        }
    }
    assert!(parsed > 250, "mangled valid queries should often stay valid: {parsed} parsed");
}
