//! stats: every aggregate, grouping, bins and their order, what follows a stats.

use super::{column, run};
use crate::insights::parse;

#[test]
fn count_counts_records_and_count_of_a_field_counts_where_it_is_present() {
    let out = run("stats count() as all_a, count(*) as all_b, count(level) as json_lines, count(error.type) as typed");
    assert_eq!(out.fields, ["all_a", "all_b", "json_lines", "typed"]);
    assert_eq!(
        out.rows,
        vec![vec![
            ("all_a".to_string(), "10".to_string()),
            ("all_b".to_string(), "10".to_string()),
            ("json_lines".to_string(), "6".to_string()),
            ("typed".to_string(), "1".to_string()),
        ]]
    );
}

#[test]
fn sum_avg_min_max_and_percentiles_over_a_json_field() {
    // latency_ms: 191, 3, 1204, 15, 240, 30.
    let out = run("stats sum(latency_ms), avg(latency_ms), min(latency_ms), max(latency_ms), pct(latency_ms, 50), pct(latency_ms, 99), percentile(latency_ms, 0)");
    let want = [
        ("sum(latency_ms)", "1683"),
        ("avg(latency_ms)", "280.5"),
        ("min(latency_ms)", "3"),
        ("max(latency_ms)", "1204"),
        ("pct(latency_ms, 50)", "30"),
        ("pct(latency_ms, 99)", "1204"),
        ("percentile(latency_ms, 0)", "3"),
    ];
    assert_eq!(out.fields, want.map(|(f, _)| f));
    assert_eq!(out.rows, vec![want.map(|(f, v)| (f.to_string(), v.to_string())).to_vec()]);
}

#[test]
fn groups_by_a_field_come_first_in_natural_order_with_the_missing_group_last() {
    let out = run("stats count(*), avg(latency_ms) by path");
    assert_eq!(out.fields, ["path", "count(*)", "avg(latency_ms)"]);
    assert_eq!(column(&out, "path"), ["/api/v1/detect", "/health", "-"]);
    assert_eq!(column(&out, "count(*)"), ["4", "2", "4"]);
    assert_eq!(column(&out, "avg(latency_ms)"), ["412.5", "16.5", "-"]);
}

#[test]
fn bins_group_by_time_newest_first_and_print_their_start() {
    let query = parse("stats count(*) by bin(1m)").unwrap();
    assert_eq!(query.time_bin(), Some(chrono::Duration::minutes(1)));
    let out = run("stats count(*) by bin(1m)");
    assert_eq!(out.fields, ["bin(1m)", "count(*)"]);
    assert_eq!(
        column(&out, "bin(1m)"),
        ["2026-12-04 15:52:00.000", "2026-12-04 15:51:00.000", "2026-12-04 15:50:00.000"]
    );
    assert_eq!(column(&out, "count(*)"), ["3", "4", "3"]);
    assert!(out.rows.iter().all(|r| r.iter().all(|(f, _)| f != "@ptr")), "stats rows stand for no one event");
}

#[test]
fn bins_of_seconds_and_hours_and_a_bin_with_another_group() {
    let thirty = run("stats count(*) as n by bin(30s)");
    assert_eq!(
        column(&thirty, "bin(30s)"),
        ["15:52:30", "15:52:00", "15:51:00", "15:50:30", "15:50:00"].map(|t| format!("2026-12-04 {t}.000"))
    );
    assert_eq!(column(&thirty, "n"), ["1", "2", "4", "1", "2"]);
    let hourly = run("stats count(*) by bin(1h) as hour, level");
    assert_eq!(hourly.fields, ["hour", "level", "count(*)"]);
    assert_eq!(column(&hourly, "hour"), ["2026-12-04 15:00:00.000"; 4]);
    assert_eq!(column(&hourly, "level"), ["error", "info", "warn", "-"]);
    assert_eq!(column(&hourly, "count(*)"), ["2", "3", "1", "4"]);
    assert_eq!(parse("stats count(*) by bin(1h) as hour, level").unwrap().time_bin(), Some(chrono::Duration::hours(1)));
}

#[test]
fn a_query_without_bins_has_no_time_bin() {
    assert_eq!(parse("stats count(*) by path").unwrap().time_bin(), None);
    assert_eq!(parse("fields @message").unwrap().time_bin(), None);
}

#[test]
fn stats_columns_can_be_sorted_filtered_limited_and_aggregated_again() {
    let top = run("filter ispresent(path) | stats count(*) as n by path | sort n desc | limit 1");
    assert_eq!(column(&top, "path"), ["/api/v1/detect"]);
    let busy = run("stats count(*) as n by path | filter n > 3 and ispresent(path)");
    assert_eq!(column(&busy, "n"), ["4"]);
    let total = run("stats count(*) as n by path | stats sum(n) as total, count(*) as groups");
    assert_eq!(column(&total, "total"), ["10"]);
    assert_eq!(column(&total, "groups"), ["3"]);
    let doubled = run("stats count(*) as n by level | fields n * 2 as twice | sort twice desc");
    assert_eq!(doubled.fields, ["level", "n", "twice"]);
    assert_eq!(column(&doubled, "twice"), ["8", "6", "4", "2"]);
}

#[test]
fn the_matched_count_is_of_events_before_stats() {
    let out = run("filter status >= 400 | stats count(*) by path");
    assert_eq!((out.records_matched, out.records_scanned), (3, 10));
}

#[test]
fn stats_without_by_over_no_match_is_a_count_of_zero() {
    let out = run("filter level = \"fatal\" | stats count(*) as n, avg(latency_ms) as mean");
    assert_eq!(out.rows, vec![vec![("n".to_string(), "0".to_string())]]);
    assert!(run("filter level = \"fatal\" | stats count(*) by path").rows.is_empty());
}

#[test]
fn min_and_max_of_timestamps_print_as_timestamps() {
    let out = run("stats min(@timestamp) as first, max(@timestamp) as last by @logStream");
    assert_eq!(out.fields, ["@logStream", "first", "last"]);
    assert_eq!(column(&out, "@logStream"), ["ecs/detector/task1", "ecs/detector/task2"]);
    assert_eq!(column(&out, "first"), ["2026-12-04 15:50:00.000", "2026-12-04 15:51:02.000"]);
    assert_eq!(column(&out, "last"), ["2026-12-04 15:52:30.000", "2026-12-04 15:52:10.000"]);
}

#[test]
fn aggregates_take_expressions_and_ignore_text() {
    let out = run("stats avg(latency_ms * 2) as s, sum(level) as nothing, max(status) as worst by method");
    assert_eq!(column(&out, "method"), ["GET", "POST", "-"]);
    assert_eq!(column(&out, "s"), ["33", "825", "-"]);
    assert_eq!(column(&out, "nothing"), ["-", "-", "-"]);
    assert_eq!(column(&out, "worst"), ["503", "500", "-"]);
}
