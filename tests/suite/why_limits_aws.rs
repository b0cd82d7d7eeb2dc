//! The limits of the "why" reads, through the real SDK against the emulated account, with AWS's
//! answers recorded and injected at the bridge where moto does not behave as AWS does:
//! - Logs Insights' pages: GetQueryResults gives at most 10,000 rows a call and a `nextToken` for
//!   the next (moto ignores both and answers every event at once); opsdeck follows the token up
//!   to 100,000 rows and says so when it stops there.
//! - A query's time-out (status `Timeout`; the sim never times out): `opsdeck query` exits 1 with
//!   its words, and the console's query view says so.
//! - GetMetricData's 500 queries a call: 502 queries are two calls, and every series comes back.

use crate::aws_backend::backend;
use crate::emulator;
use crate::why_aws::{console, opsdeck, settle, text};

use emulator::Emulator;
use opsdeck::app::{update, Mode, Msg, QueryRun};
use opsdeck::backend::Backend;
use opsdeck::domain::{Address, QueryRequest, QueryStatus, MAX_ROWS};
use opsdeck::keymap::{KeyChord, Keymap};
use serde_json::{json, Value};

const GROUP: &str = "/ecs/cleanistic-ai-api";

/// Rows `from..to` as GetQueryResults spells them: `row N` in `@message`, and a pointer.
fn rows(from: usize, to: usize) -> Vec<Value> {
    (from..to)
        .map(|i| {
            json!([
                {"field": "@timestamp", "value": format!("2026-12-04 13:{:02}:00.000", i % 60)},
                {"field": "@message", "value": format!("row {i}")},
                {"field": "@ptr", "value": format!("ptr-{i}")}
            ])
        })
        .collect()
}

/// A recorded GetQueryResults answer, given `times` times (only to a request holding `when`).
fn answer(status: &str, rows: Vec<Value>, next: Option<&str>, times: u32, when: Option<&str>) -> String {
    let mut body = json!({
        "status": status,
        "results": rows,
        "statistics": {"recordsMatched": 250000.0, "recordsScanned": 900000.0, "bytesScanned": 3.5e8}
    });
    if let Some(token) = next {
        body["nextToken"] = json!(token);
    }
    let mut fault = json!({"operation": "GetQueryResults", "status": 200, "times": times, "body": body});
    if let Some(text) = when {
        fault["request_contains"] = json!(text);
    }
    fault.to_string()
}

fn request() -> QueryRequest {
    let now = chrono::Utc::now();
    QueryRequest {
        groups: vec![GROUP.into()],
        query: "fields @timestamp, @message".into(),
        start: now - chrono::Duration::hours(2),
        end: now + chrono::Duration::minutes(1),
    }
}

#[tokio::test]
async fn a_complete_query_is_read_page_by_page_following_the_next_token() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let id = aws.start_query(&request()).await.expect("started");

    // While it runs, the rows so far: no pages are followed.
    emu.fault(&answer("Running", rows(0, 2), Some("running-token"), 1, None));
    emu.clear_calls();
    let running = aws.query_results(&id).await.expect("results");
    assert_eq!((running.status.clone(), running.rows.len()), (QueryStatus::Running, 2));
    assert_eq!(emu.calls().get("logs:GetQueryResults"), Some(&1), "{:?}", emu.calls());

    // Complete: page 1 carries a token; page 2 is answered only to a request that sends it back.
    emu.fault(&answer("Complete", rows(3, 5), None, 1, Some("page-2-token-7f3a")));
    emu.fault(&answer("Complete", rows(0, 3), Some("page-2-token-7f3a"), 1, None));
    emu.clear_calls();
    let results = aws.query_results(&id).await.expect("results");
    assert_eq!(results.status, QueryStatus::Complete);
    let messages: Vec<&str> = results.rows.iter().map(|r| opsdeck::domain::row_value(r, "@message")).collect();
    assert_eq!(messages, ["row 0", "row 1", "row 2", "row 3", "row 4"], "both pages, in order");
    assert_eq!(emu.calls().get("logs:GetQueryResults"), Some(&2), "{:?}", emu.calls());
    assert_eq!(emu.faulted().get("logs:GetQueryResults"), Some(&2), "the second request carried the token");
    assert_eq!(results.capped_at, None);
    assert!(results.summary().starts_with("5 rows; 250,000 of 900,000 records matched"), "{}", results.summary());

    // The command line prints every page's rows, in order.
    emu.fault(&answer("Complete", rows(3, 5), None, 1, Some("page-2-token-7f3a")));
    emu.fault(&answer("Complete", rows(0, 3), Some("page-2-token-7f3a"), 1, None));
    let dir = tempfile::tempdir().unwrap();
    let out = opsdeck(&emu, dir.path(), &["query", "fields @timestamp, @message", "--group", GROUP, "--output", "csv"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let printed: Vec<&str> = stdout.lines().skip(1).map(|l| l.rsplit(',').next().unwrap_or_default()).collect();
    assert_eq!(printed, ["row 0", "row 1", "row 2", "row 3", "row 4"], "{stdout}");
}

#[tokio::test]
async fn pages_stop_at_100000_rows_and_the_summary_says_so() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let id = aws.start_query(&request()).await.expect("started");
    // Every page full (10,000 rows) and pointing at another: more matched than a query returns.
    emu.fault(&answer("Complete", rows(0, 10_000), Some("more-rows"), 11, None));
    emu.clear_calls();
    let results = aws.query_results(&id).await.expect("results");
    assert_eq!(results.rows.len(), MAX_ROWS);
    assert_eq!(MAX_ROWS, 100_000);
    assert_eq!(emu.calls().get("logs:GetQueryResults"), Some(&10), "ten pages of 10,000, then no more asked");
    assert_eq!(results.capped_at, Some(100_000));
    let summary = results.summary();
    assert!(summary.starts_with("100000 rows; "), "{summary}");
    assert!(summary.contains("stopped at 100,000 rows, the most a query returns: narrow the window"), "{summary}");
}

#[tokio::test]
async fn a_query_that_times_out_exits_1_on_the_command_line_and_is_said_in_the_console() {
    let emu = Emulator::start();
    emu.seed();
    let timeout = answer("Timeout", vec![], None, 1, None);

    let dir = tempfile::tempdir().unwrap();
    emu.fault(&timeout);
    let out = opsdeck(&emu, dir.path(), &["query", "fields @timestamp, @message", "--group", GROUP]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("opsdeck: timed out (Logs Insights stops a query after 60 minutes): narrow the window"),
        "{stderr}"
    );
    assert!(text(&out.stdout).is_empty(), "no rows printed: {}", text(&out.stdout));
    assert_eq!(emu.faulted().get("logs:GetQueryResults"), Some(&1));

    // The console: `:query` from the palette, run against the account; its poll answers Timeout.
    let (mut state, aws, _cache) = console(&emu).await;
    emu.fault(&timeout);
    let keymap = Keymap::defaults().unwrap();
    let msg = opsdeck::app::key_to_msg(&state, &keymap, ":".parse().unwrap()).expect("the palette opens");
    let mut effects = update(&mut state, msg);
    for c in format!("query --group {GROUP} 'fields @timestamp, @message'").chars() {
        effects.extend(update(&mut state, Msg::Text(KeyChord::plain(c))));
    }
    let enter = opsdeck::app::key_to_msg(&state, &keymap, "enter".parse().unwrap()).expect("enter runs it");
    effects.extend(update(&mut state, enter));
    settle(&mut state, &aws, effects).await;
    let Mode::Query(view) = &state.mode else { panic!("no query view: {:?}", state.ctx.flash) };
    assert_eq!(view.run, QueryRun::Finished);
    assert_eq!(view.results.as_ref().map(|r| r.status.clone()), Some(QueryStatus::Timeout));
    let said = "timed out (Logs Insights stops a query after 60 minutes): narrow the window";
    assert_eq!(view.message, Some(Err(said.to_string())));
    let screen = crate::common::text_of(&crate::common::draw(
        &state,
        &opsdeck::theme::Theme::builtin("dark").unwrap(),
        (160, 48),
    ));
    assert!(screen.contains("timed out (Logs Insights stops a query after 60 minutes)"), "{screen}");
}

#[tokio::test]
async fn more_than_500_metric_queries_go_in_calls_of_500_and_every_series_comes_back() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    // 251 services, 2 queries each: 502 queries. The seeded services with datapoints are the first
    // (queries 0 and 1, in the first call) and the last (queries 500 and 501, in the second).
    let mut services = vec![Address::ecs("svg-ai-cluster", "svg-ai-service")];
    services.extend((0..249).map(|i| Address::ecs("batch-cluster", format!("quiet-{i:03}"))));
    services.push(Address::ecs("cleanistic-ai-cluster", "cleanistic-ai-api"));
    emu.clear_calls();
    let before = aws.usage().expect("the status bar's counter");
    let metrics = aws.service_metrics(&services).await.expect("metrics");
    assert_eq!(emu.calls().get("monitoring:GetMetricData"), Some(&2), "500 queries a call: {:?}", emu.calls());
    assert_eq!(metrics.len(), 251);
    let valued = |a: &Address| {
        metrics[a].cpu.points.iter().flatten().count() + metrics[a].memory.points.iter().flatten().count()
    };
    assert!(valued(&services[0]) >= 50, "the first call's series: {:?}", metrics[&services[0]]);
    assert!(valued(&services[250]) >= 50, "the second call's series: {:?}", metrics[&services[250]]);
    assert_eq!(valued(&services[1]), 0, "a service without datapoints has gaps, not zeros");
    let after = aws.usage().expect("the status bar's counter");
    assert_eq!(after.calls - before.calls, 2, "the status bar counts both calls");
    let billed = after.estimated_usd - before.estimated_usd;
    assert!((billed - 502.0 * 0.01 / 1000.0).abs() < 1e-9, "every metric requested is billed once: {billed}");
}
