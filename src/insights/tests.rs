//! Query-level tests over logs shaped like the demo's: JSON access lines, gunicorn lines, a
//! Python traceback.

mod commands_tests;
mod refusals_tests;
mod stats_tests;

use super::{parse, Event, QueryOutput};
use chrono::{DateTime, TimeZone, Utc};

/// 2026-12-04 15:50:00 UTC, the start of the fixture.
pub(super) fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_796_399_400 + seconds, 0).single().unwrap()
}

/// (seconds after 15:50:00, message). JSON lines come from task 1, text lines from task 2.
pub(super) const LOGS: [(i64, &str); 10] = [
    (0, r#"{"level":"info","method":"POST","path":"/api/v1/detect","status":200,"latency_ms":191,"request_id":"a1"}"#),
    (10, r#"{"level":"info","method":"GET","path":"/health","status":200,"latency_ms":3,"request_id":"a2"}"#),
    (
        30,
        r#"{"level":"error","method":"POST","path":"/api/v1/detect","status":500,"latency_ms":1204,"request_id":"a3","error":{"type":"KeyError","detail":"MODEL_PATH"}}"#,
    ),
    (62, "[2026-12-04 15:51:02 +0000] [7] [ERROR] Worker timeout (pid:12)"),
    (65, "Traceback (most recent call last):"),
    (66, "KeyError: 'MODEL_PATH'"),
    (70, r#"{"level":"warn","method":"POST","path":"/api/v1/detect","status":429,"latency_ms":15,"request_id":"a4"}"#),
    (
        125,
        r#"{"level":"info","method":"POST","path":"/api/v1/detect","status":200,"latency_ms":240,"request_id":"a5"}"#,
    ),
    (130, "[2026-12-04 15:52:10 +0000] [8] [INFO] Booting worker with pid: 8"),
    (150, r#"{"level":"error","method":"GET","path":"/health","status":503,"latency_ms":30,"request_id":"a6"}"#),
];

const PTRS: [&str; 10] = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"];

/// The fixture as events, deliberately not in time order.
pub(super) fn events() -> Vec<Event<'static>> {
    let order = [4, 9, 0, 7, 2, 5, 1, 8, 3, 6];
    order
        .iter()
        .map(|&i| {
            let (seconds, message) = LOGS[i];
            let log_stream = if message.starts_with('{') { "ecs/detector/task1" } else { "ecs/detector/task2" };
            Event { timestamp: at(seconds), message, log_stream, log_group: "/ecs/detector", ptr: PTRS[i] }
        })
        .collect()
}

/// Runs a query that must parse and run over the fixture.
pub(super) fn run(query: &str) -> QueryOutput {
    match parse(query) {
        Ok(q) => match q.run(events()) {
            Ok(out) => out,
            Err(e) => panic!("{query}: {e}"),
        },
        Err(e) => panic!("{query}: {e}"),
    }
}

/// The values of one field down the rows ("-" where a row has none).
pub(super) fn column(out: &QueryOutput, field: &str) -> Vec<String> {
    out.rows
        .iter()
        .map(|row| row.iter().find(|(f, _)| f == field).map_or("-".to_string(), |(_, v)| v.clone()))
        .collect()
}

/// The one-line refusal of a query that must not parse.
pub(super) fn refusal(query: &str) -> String {
    match parse(query) {
        Ok(q) => panic!("{query} parsed: {q:?}"),
        Err(e) => e.to_string(),
    }
}
