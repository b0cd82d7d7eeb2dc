//! The "why" reads through the real SDK against the emulated account: Logs Insights (start, poll,
//! results; moto returns the group's events without evaluating the query, so the language is
//! tested on the simulated fleet), the concurrent-query limit and a malformed query (injected at
//! the bridge), `opsdeck query` and `opsdeck metric` on the command line, an alarm's state
//! history (moto has no DescribeAlarmHistory: a recorded answer goes through the real SDK), and a
//! metric-math alarm (moto keeps its `Metrics[]`) charted metric by metric. Pages, the time-out
//! and GetMetricData's 500 queries a call are in `why_limits_aws`.

use crate::aws_backend::backend;
use crate::emulator;

use emulator::Emulator;
use opsdeck::app::{perform, rows, update, Effect, Mode, Msg, Pane, Settings, State};
use opsdeck::aws::AwsBackend;
use opsdeck::backend::{Backend, BackendError};
use opsdeck::domain::{AlarmState, QueryRequest, QueryStatus};
use serde_json::Value;
use std::process::Output;

pub(crate) fn opsdeck(emu: &Emulator, dir: &std::path::Path, args: &[&str]) -> Output {
    crate::account::command(&emu.endpoint, dir, args).output().expect("run opsdeck")
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn a_query_is_started_polled_and_its_rows_read_through_the_real_sdk() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let now = chrono::Utc::now();
    let request = QueryRequest {
        groups: vec!["/ecs/cleanistic-ai-api".into()],
        query: "fields @timestamp, @message | filter @message like /ERROR/".into(),
        start: now - chrono::Duration::hours(2),
        end: now + chrono::Duration::minutes(1),
    };
    emu.clear_calls();
    let id = aws.start_query(&request).await.expect("started");
    let results = aws.query_results(&id).await.expect("results");
    assert_eq!(results.status, QueryStatus::Complete);
    assert_eq!(results.rows.len(), 4, "moto returns the group's events unevaluated: {results:?}");
    assert_eq!(results.fields(), vec!["@timestamp", "@message"], "@ptr is kept in the rows, not shown as a column");
    assert!(results.rows.iter().all(|r| r.iter().any(|(f, _)| f == "@ptr")));
    let calls = emu.calls();
    assert_eq!(calls.get("logs:StartQuery"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("logs:GetQueryResults"), Some(&1), "{calls:?}");

    // moto implements neither StopQuery nor GetLogRecord: each says so as an error, nothing panics.
    assert!(aws.stop_query(&id).await.is_err());
    assert!(aws.log_record("0").await.is_err());

    // A group that does not exist is refused as not found, with AWS's words.
    let missing = QueryRequest { groups: vec!["/ecs/nope".into()], ..request.clone() };
    match aws.start_query(&missing).await {
        Err(BackendError::NotFound(why)) => assert!(why.contains("log group does not exist"), "{why}"),
        other => panic!("{other:?}"),
    }
    // More than 50 groups never leave opsdeck.
    let many = QueryRequest { groups: (0..51).map(|i| format!("/g/{i}")).collect(), ..request };
    assert!(matches!(aws.start_query(&many).await, Err(BackendError::Invalid(_))));
}

#[test]
fn opsdeck_query_prints_rows_and_exits_by_what_happened() {
    let emu = Emulator::start();
    emu.seed();
    let dir = tempfile::tempdir().unwrap();
    let query = "fields @timestamp, @message | limit 10";
    let service = ["--service", "ecs:cleanistic-ai-cluster/cleanistic-ai-api"];

    // The service's log group comes from its task definition, as the log pane finds it.
    let out = opsdeck(&emu, dir.path(), &[&["query", query][..], &service[..], &["--since", "2h"]].concat());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("@timestamp"), "{stdout}");
    assert!(stdout.contains("ERROR Inference failed: CUDA out of memory"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "a control sequence from the log reached the terminal: {stdout:?}");
    assert!(stdout.contains("␛"), "the escape is shown as a symbol: {stdout}");
    assert!(stderr.contains("4 rows;"), "{stderr}");

    let out = opsdeck(&emu, dir.path(), &[&["query", query, "--output", "csv"][..], &service[..]].concat());
    assert!(text(&out.stdout).starts_with("@timestamp,@message\n"), "{}", text(&out.stdout));
    let out = opsdeck(&emu, dir.path(), &["query", query, "--group", "/ecs/cleanistic-ai-api", "--output", "json"]);
    let rows: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows.as_array().map(Vec::len), Some(4));

    // The account at its concurrent-query limit (past the SDK's own 3 attempts): queued, then run.
    emu.fault(r#"{"operation": "StartQuery", "status": 400, "body": {"__type": "LimitExceededException", "message": "Account maximum query concurrency limit of [30] reached."}, "times": 3}"#);
    let out = opsdeck(&emu, dir.path(), &["query", query, "--group", "/ecs/cleanistic-ai-api"]);
    assert_eq!(out.status.code(), Some(0), "{:?} {}", out.status, text(&out.stderr));
    assert!(text(&out.stderr).contains("queued:"), "{}", text(&out.stderr));

    // A query AWS will not parse: exit 2 with its words.
    emu.fault(r#"{"operation": "StartQuery", "status": 400, "body": {"__type": "MalformedQueryException", "message": "unexpected symbol found | at line 1"}, "times": 1}"#);
    let out = opsdeck(&emu, dir.path(), &["query", "fields | |", "--group", "/ecs/cleanistic-ai-api"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unexpected symbol found"), "{}", text(&out.stderr));

    // The API failing (past the SDK's retries): exit 1.
    emu.fault(r#"{"operation": "GetQueryResults", "status": 500, "body": {"__type": "ServiceUnavailableException", "message": "try later"}, "times": 3}"#);
    let out = opsdeck(&emu, dir.path(), &["query", query, "--group", "/ecs/cleanistic-ai-api"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    // Bad time ranges and nothing to query never reach AWS.
    emu.clear_calls();
    let backwards = ["query", query, "--group", "/g", "--start", "2026-12-04 13:00", "--end", "2026-12-04 12:00"];
    assert_eq!(opsdeck(&emu, dir.path(), &backwards).status.code(), Some(2));
    assert_eq!(opsdeck(&emu, dir.path(), &["query", query]).status.code(), Some(2));
    assert_eq!(emu.calls().get("logs:StartQuery"), None);
}

#[test]
fn opsdeck_metric_prints_each_period_and_no_data_as_a_dash() {
    let emu = Emulator::start();
    emu.seed();
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "metric",
        "AWS/ECS",
        "CPUUtilization",
        "--dim",
        "ClusterName=cleanistic-ai-cluster",
        "--dim",
        "ServiceName=cleanistic-ai-api",
        "--since",
        "45m",
    ];
    emu.clear_calls();
    let out = opsdeck(&emu, dir.path(), &args);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let rows: Vec<&str> = stdout.lines().skip(1).collect();
    assert!(rows.len() >= 45, "{stdout}");
    let valued = rows.iter().filter(|r| !r.ends_with(" -")).count();
    assert_eq!(valued, 30, "the 30 seeded minutes have values, the others read '-': {stdout}");
    assert_eq!(emu.calls().get("monitoring:GetMetricData"), Some(&1), "one call for one metric");

    let out = opsdeck(&emu, dir.path(), &[&args[..], &["--output", "json"]].concat());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["datapoints"], 30);
    assert!(doc["points"].as_array().unwrap().iter().any(|p| p[1].is_null()), "a gap is null, not 0");
}

#[tokio::test]
async fn an_alarms_state_history_is_read_through_the_real_sdk() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    // moto has no DescribeAlarmHistory: the bridge answers with a recorded response, in CBOR.
    let recorded = r#"{"operation": "DescribeAlarmHistory", "status": 200, "times": 1, "body": {"AlarmHistoryItems": [
        {"AlarmName": "CleanisticAI-HighErrorRate", "Timestamp": 1796389200, "HistoryItemType": "StateUpdate",
         "HistorySummary": "Alarm updated from OK to ALARM",
         "HistoryData": "{\"version\":\"1.0\",\"oldState\":{\"stateValue\":\"OK\"},\"newState\":{\"stateValue\":\"ALARM\"}}"},
        {"AlarmName": "CleanisticAI-HighErrorRate", "Timestamp": 1796389800, "HistoryItemType": "StateUpdate",
         "HistorySummary": "Alarm updated from ALARM to OK",
         "HistoryData": "{\"version\":\"1.0\",\"oldState\":{\"stateValue\":\"ALARM\"},\"newState\":{\"stateValue\":\"OK\"}}"}
    ]}}"#;
    emu.fault(recorded);
    let start = chrono::DateTime::from_timestamp(1_796_385_600, 0).unwrap();
    let history = aws.alarm_history("CleanisticAI-HighErrorRate", start, start + chrono::Duration::hours(3)).await;
    let history = history.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].from, history[0].to), (AlarmState::Ok, AlarmState::Alarm));
    assert_eq!(history[1].at.timestamp(), 1_796_389_800);
    assert_eq!(emu.calls().get("monitoring:DescribeAlarmHistory"), Some(&1));
}

/// The console at 160x48 on the emulated account, its first reads carried out (and the backend's
/// cache folder, kept as long as it is used).
pub(crate) async fn console(emu: &Emulator) -> (State, AwsBackend, tempfile::TempDir) {
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(emu, cache.path()).await;
    let now = chrono::Utc::now();
    let mut state = State::new(aws.label(), Settings::default(), now, (160, 48));
    let effects = update(&mut state, Msg::Tick(now));
    settle(&mut state, &aws, effects).await;
    (state, aws, cache)
}

/// Carry out the console's reads on `aws` until it asks for nothing more.
pub(crate) async fn settle(state: &mut State, aws: &AwsBackend, mut queue: Vec<Effect>) {
    for _ in 0..6 {
        let mut next = Vec::new();
        while let Some(effect) = queue.pop() {
            if let Effect::Fetch { id, fetch } = effect {
                let reply = perform(aws, fetch, &|_| {}).await;
                next.extend(update(state, Msg::Fetched(id, reply)));
            }
        }
        queue = next;
    }
}

#[tokio::test]
async fn m_in_the_console_charts_an_alarms_metric_read_with_one_get_metric_data() {
    let emu = Emulator::start();
    emu.seed();
    let (mut state, aws, _cache) = console(&emu).await;
    state.dashboard.focus = Pane::Alarms;
    let names: Vec<String> = rows::alarm_rows(&state.fleet, &state.dashboard.alarms_list)
        .iter()
        .map(|i| state.fleet.alarms.data.as_ref().unwrap()[*i].name.clone())
        .collect();
    state.dashboard.alarms_list.selected = names.iter().position(|n| n == "svg-ai-high-cpu").expect("listed");
    emu.clear_calls();
    let keymap = opsdeck::keymap::Keymap::defaults().unwrap();
    let msg = opsdeck::app::key_to_msg(&state, &keymap, "m".parse().unwrap()).unwrap();
    let effects = update(&mut state, msg);
    settle(&mut state, &aws, effects).await;
    let Mode::Chart(view) = &state.mode else { panic!("no chart: {:?}", state.ctx.flash) };
    let series = view.page_series();
    assert_eq!(series.len(), 1);
    let valued = series[0].1.iter().filter(|(_, v)| v.is_some()).count();
    assert!((29..=31).contains(&valued), "the seeded half hour has values, the rest are gaps: {valued}");
    assert!((180..=181).contains(&series[0].1.len()), "a period per minute of the 3 hours");
    let calls = emu.calls();
    assert_eq!(calls.get("monitoring:GetMetricData"), Some(&1), "{calls:?}");
    // moto has no DescribeAlarmHistory: the chart is drawn without the ALARM periods it gives.
    assert!(calls.contains_key("monitoring:DescribeAlarmHistory"), "{calls:?}");
    assert!(view.data.error.is_none(), "{:?}", view.data.error);
}

#[tokio::test]
async fn a_metric_math_alarm_is_charted_with_each_of_its_metrics_and_says_it_is_math() {
    let emu = Emulator::start();
    emu.seed();
    emu.run_python("why_fixtures.py", &["--endpoint", &emu.moto_url, "math-alarm"]);
    let (mut state, aws, _cache) = console(&emu).await;

    // The rule as DescribeAlarms gives it: no metric of its own, an expression over two metrics.
    let alarm = state.fleet.alarm("cleanistic-ai-saturation").expect("the math alarm is listed");
    let rule = alarm.rule.as_ref().expect("its rule");
    assert!(rule.metric.is_none(), "{rule:?}");
    let ids: Vec<&str> = rule.math.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["e1", "m1", "m2"]);
    assert_eq!(rule.math[0].expression.as_deref(), Some("(m1 + m2) / 2"));
    assert_eq!(rule.in_words(), "2 of 3 datapoints > 80 in 60 s periods (metric math)");

    state.dashboard.focus = Pane::Alarms;
    let at = rows::alarm_rows(&state.fleet, &state.dashboard.alarms_list)
        .iter()
        .position(|&i| state.fleet.alarms.data.as_ref().unwrap()[i].name == "cleanistic-ai-saturation")
        .expect("a row");
    state.dashboard.alarms_list.selected = at;
    emu.clear_calls();
    let keymap = opsdeck::keymap::Keymap::defaults().unwrap();
    let msg = opsdeck::app::key_to_msg(&state, &keymap, "m".parse().unwrap()).unwrap();
    let effects = update(&mut state, msg);
    settle(&mut state, &aws, effects).await;
    let Mode::Chart(view) = &state.mode else { panic!("no chart: {:?}", state.ctx.flash) };
    assert!(view.data.error.is_none(), "{:?}", view.data.error);
    assert_eq!(view.pages.len(), 1);
    assert_eq!(view.pages[0].title, "metric math: (m1 + m2) / 2 (each metric charted)");
    let series = view.page_series();
    let labels: Vec<&str> = series.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(labels, ["cpu", "memory"], "each metric of the expression, by its label");
    for (label, points) in &series {
        let valued = points.iter().filter(|(_, v)| v.is_some()).count();
        assert!((29..=31).contains(&valued), "{label}: the seeded half hour has values, the rest are gaps: {valued}");
    }
    let (cpu, memory) = (&series[0].1, &series[1].1);
    let latest = |p: &[(chrono::DateTime<chrono::Utc>, Option<f64>)]| p.iter().rev().find_map(|(_, v)| *v);
    let (cpu, memory) = (latest(cpu).unwrap_or_default(), latest(memory).unwrap_or_default());
    assert!(cpu < 50.0 && memory > 60.0, "CPU ~42-48 %, memory ~61-64 %, two metrics: {cpu} {memory}");
    assert_eq!(emu.calls().get("monitoring:GetMetricData"), Some(&1), "both metrics in one call: {:?}", emu.calls());

    let screen = crate::common::text_of(&crate::common::draw(
        &state,
        &opsdeck::theme::Theme::builtin("dark").unwrap(),
        (160, 48),
    ));
    assert!(screen.contains("metric math: (m1 + m2) / 2"), "the chart says it is math: {screen}");
    assert!(screen.contains("(metric math)"), "and so does its evaluation in words: {screen}");
}
