//! fields, filter, parse, sort, limit, dedup; JSON discovery; the counters.

use super::{column, events, run, LOGS};
use crate::insights::parse;

#[test]
fn without_fields_a_query_shows_timestamp_and_message_and_each_row_ends_with_its_ptr() {
    let out = run("filter @message like /Worker/");
    assert_eq!(out.fields, ["@timestamp", "@message"]);
    assert_eq!(
        out.rows,
        vec![vec![
            ("@timestamp".to_string(), "2026-12-04 15:51:02.000".to_string()),
            ("@message".to_string(), LOGS[3].1.to_string()),
            ("@ptr".to_string(), "p3".to_string()),
        ]]
    );
}

#[test]
fn events_come_newest_first_when_the_query_does_not_sort() {
    let out = run("fields @timestamp | limit 3");
    assert_eq!(
        column(&out, "@timestamp"),
        ["2026-12-04 15:52:30.000", "2026-12-04 15:52:10.000", "2026-12-04 15:52:05.000"]
    );
}

#[test]
fn fields_computes_named_expressions() {
    let out = run("fields path, latency_ms / 1000 as seconds | filter seconds > 0.1 | sort seconds desc");
    assert_eq!(out.fields, ["path", "seconds"]);
    assert_eq!(column(&out, "seconds"), ["1.204", "0.24", "0.191"]);
    assert_eq!(column(&out, "path"), ["/api/v1/detect"; 3]);
}

#[test]
fn comparisons_are_numeric_for_numbers_and_textual_for_text() {
    let ids = |q: &str| column(&run(&format!("{q} | fields request_id")), "request_id");
    assert_eq!(ids("filter status >= 500"), ["a6", "a3"]);
    assert_eq!(ids("filter status = \"200\""), ["a5", "a2", "a1"]);
    assert_eq!(ids("filter latency_ms <= 15"), ["a4", "a2"]);
    assert_eq!(ids("filter status < 200 or status > 429"), ["a6", "a3"]);
    // Lines without a level (the plain-text ones) are not "not info".
    assert_eq!(ids("filter level != \"info\""), ["a6", "a4", "a3"]);
    assert_eq!(ids("filter method = \"GET\" and not (status = 200)"), ["a6"]);
    assert_eq!(ids("filter path in [\"/health\", \"/nope\"]"), ["a6", "a2"]);
    assert_eq!(ids("filter path not in [\"/health\"]"), ["a5", "a4", "a3", "a1"]);
    assert_eq!(ids("filter request_id > \"a4\""), ["a6", "a5"]);
}

#[test]
fn like_takes_a_case_sensitive_substring_or_a_regex_with_flags() {
    assert_eq!(run("filter @message like \"worker\"").rows.len(), 1);
    assert_eq!(run("filter @message like /(?i)worker/").rows.len(), 2);
    let key_errors = run("filter @message =~ /(?i)keyerror/");
    assert_eq!(column(&key_errors, "@ptr"), ["p5", "p2"]);
    let text_lines = run(r"filter @message not like /^\{/");
    assert_eq!(column(&text_lines, "@ptr"), ["p8", "p5", "p4", "p3"]);
}

#[test]
fn json_fields_are_discovered_including_nested_objects() {
    let out = run("filter error.type = \"KeyError\" | fields request_id, error.detail");
    assert_eq!(out.fields, ["request_id", "error.detail"]);
    assert_eq!(column(&out, "error.detail"), ["MODEL_PATH"]);
    assert_eq!(column(&out, "request_id"), ["a3"]);
}

#[test]
fn plain_text_lines_have_only_the_builtin_fields() {
    assert_eq!(run("filter ispresent(level)").rows.len(), 6);
    let text = run("filter isempty(level) | fields @logStream, @log");
    assert_eq!(column(&text, "@logStream"), ["ecs/detector/task2"; 4]);
    assert_eq!(column(&text, "@log"), ["/ecs/detector"; 4]);
}

#[test]
fn parse_with_a_glob_extracts_fields_from_plain_text() {
    let out = run("parse @message \"[*] [*] [*] *\" as time, pid, severity, text | filter ispresent(severity) | fields severity, pid, text");
    assert_eq!(column(&out, "severity"), ["INFO", "ERROR"]);
    assert_eq!(column(&out, "pid"), ["8", "7"]);
    assert_eq!(column(&out, "text"), ["Booting worker with pid: 8", "Worker timeout (pid:12)"]);
}

#[test]
fn parse_with_a_regex_takes_both_named_group_syntaxes() {
    let out = run(r"parse @message /\[(?<severity>[A-Z]+)\] (?P<what>\w+)/ | filter severity = 'ERROR' | fields what");
    assert_eq!(column(&out, "what"), ["Worker"]);
    let missing = run(r"parse /KeyError: '(?<missing>[A-Z_]+)'/ | filter ispresent(missing) | fields missing");
    assert_eq!(column(&missing, "missing"), ["MODEL_PATH"]);
}

#[test]
fn a_parsed_field_replaces_the_json_field_and_is_absent_where_the_pattern_misses() {
    let out = run(r#"parse @message "\"path\":\"/api/*\"" as path | filter ispresent(path) | fields path"#);
    assert_eq!(column(&out, "path"), ["v1/detect"; 4]);
}

#[test]
fn parsed_numbers_compare_as_numbers() {
    let out = run("parse @message \"(pid:*)\" as pid | filter pid > 9 | fields pid");
    assert_eq!(column(&out, "pid"), ["12"]);
}

#[test]
fn sort_takes_several_keys_ascending_by_default_and_missing_values_last() {
    let out = run("fields request_id, path, status | sort path, status desc");
    assert_eq!(column(&out, "request_id"), ["a3", "a4", "a5", "a1", "a6", "a2", "-", "-", "-", "-"]);
    let by_latency = run("fields latency_ms | sort latency_ms | limit 7");
    assert_eq!(column(&by_latency, "latency_ms"), ["3", "15", "30", "191", "240", "1204", "-"]);
}

#[test]
fn dedup_keeps_the_first_row_per_value_and_every_row_without_one() {
    let out = run("fields path, request_id | sort @timestamp desc | dedup path");
    assert_eq!(column(&out, "request_id"), ["a6", "-", "a5", "-", "-", "-"]);
    assert_eq!(out.records_matched, 10);
    let limited = run("fields path | dedup path | limit 1");
    assert_eq!(column(&limited, "path"), ["/health"]);
}

#[test]
fn limit_cuts_rows_but_not_the_matched_count() {
    let out = run("limit 2");
    assert_eq!(out.rows.len(), 2);
    assert_eq!((out.records_matched, out.records_scanned), (10, 10));
}

#[test]
fn counters_report_scanned_events_and_bytes_and_what_the_filters_let_through() {
    let out = run("filter level = \"error\"");
    let bytes: usize = LOGS.iter().map(|(_, m)| m.len()).sum();
    assert_eq!((out.records_matched, out.records_scanned, out.bytes_scanned), (2, 10, bytes as u64));
    assert_eq!(run("sort @timestamp desc | filter level = \"error\"").records_matched, 2);
}

#[test]
fn keywords_ignore_case_and_commands_repeat_across_lines_with_comments() {
    let out = run("# errors, newest first\nFILTER level = \"error\"\n| Filter status >= 500 # both 5xx\n| FIELDS path\n| fields request_id");
    assert_eq!(out.fields, ["path", "request_id"]);
    assert_eq!(column(&out, "request_id"), ["a6", "a3"]);
}

#[test]
fn string_functions_and_arithmetic() {
    let out = run("filter strlen(request_id) = 2 and toupper(level) = 'ERROR' | fields tolower(method) as m, abs(0 - latency_ms) % 7 as r, -ceil(latency_ms / 7) as c");
    assert_eq!(column(&out, "m"), ["get", "post"]);
    assert_eq!(column(&out, "r"), ["2", "0"]);
    assert_eq!(column(&out, "c"), ["-5", "-172"]);
}

#[test]
fn a_parsed_query_runs_again_with_the_same_answer() {
    let query = parse("filter status >= 400 | stats count(*) by path").unwrap();
    let first = query.run(events()).unwrap();
    assert_eq!(query.run(events()).unwrap(), first);
    assert_eq!(first.rows.len(), 2);
}
