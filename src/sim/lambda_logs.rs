//! What a Node.js Lambda function writes to `/aws/lambda/NAME` per invocation: the runtime's
//! START, END and REPORT lines around the handler's own, an ERROR line when it throws, and
//! `Task timed out` when it runs out of time. Pure formatting: `lambda.rs` decides what happened.

use super::catalog::FUNCTIONS;
use super::function_config::{CONFIGS, TIMEOUT_SECS};
use super::lambda::{Invocation, Outcome};
use super::logtext::at;

/// The log stream of an execution environment: `YYYY/MM/DD/[VERSION]ID`.
pub(crate) fn stream(ts_ms: i64, version: &str, sandbox: &str) -> String {
    format!("{}/[{version}]{sandbox}", at(ts_ms).format("%Y/%m/%d"))
}

fn iso(ts_ms: i64) -> String {
    at(ts_ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The handler's own INFO line for a successful run.
fn work_line(f: usize, batch: u32, duration_ms: f64) -> String {
    match FUNCTIONS[f].name {
        "GarmaxAi-TryonProcessor-PROD" => format!("processed batch of {batch} try-on jobs (0 failed)"),
        "GarmaxAi-AiRenderProcessor-PROD" => format!("render complete in {:.0} ms", duration_ms * 0.9),
        _ => "usage recorded for 1 try-on (credits: 1)".to_string(),
    }
}

/// An error a bad job makes the handler throw, as the Node.js runtime logs it.
pub(crate) fn error_json(message: &str) -> String {
    serde_json::json!({
        "errorType": "Error",
        "errorMessage": message,
        "stack": [format!("Error: {message}"), "    at fetchImage (/var/task/index.js:42:11)", "    at async Runtime.handler (/var/task/index.js:118:19)"],
    })
    .to_string()
}

/// The lines one invocation writes, in order (the handler's own lines take `handler_lines`).
pub(crate) fn lines(inv: &Invocation, handler_lines: &[String], out: &mut Vec<String>) {
    let (id, ts) = (&inv.request_id, inv.ts_ms);
    let config = &CONFIGS[inv.function];
    out.push(format!("START RequestId: {id} Version: {}", inv.version));
    for line in handler_lines {
        out.push(format!("{}\t{id}\tINFO\t{line}", iso(ts)));
    }
    match inv.outcome {
        Outcome::Ok if handler_lines.is_empty() => {
            out.push(format!("{}\t{id}\tINFO\t{}", iso(ts), work_line(inv.function, inv.batch, inv.duration_ms)));
        }
        Outcome::Ok => {}
        Outcome::Error => {
            let message = error_json("Invalid image URL: garment image could not be fetched (403)");
            out.push(format!("{}\t{id}\tERROR\tInvoke Error \t{message}", iso(ts)));
        }
        Outcome::Timeout => out.push(format!("{} {id} Task timed out after {TIMEOUT_SECS}.00 seconds", iso(ts))),
    }
    out.push(format!("END RequestId: {id}"));
    let status = if inv.outcome == Outcome::Timeout { "\tStatus: timeout" } else { "" };
    let used = if inv.outcome == Outcome::Timeout { config.memory_mb } else { config.used_mb };
    out.push(format!(
        "REPORT RequestId: {id}\tDuration: {:.2} ms\tBilled Duration: {:.0} ms\tMemory Size: {} MB\tMax Memory Used: {used} MB{status}",
        inv.duration_ms,
        inv.duration_ms.ceil(),
        config.memory_mb
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(outcome: Outcome) -> Invocation {
        Invocation {
            function: 0,
            ts_ms: 1_795_000_000_000,
            request_id: "r-1".into(),
            version: "7",
            sandbox: "abc".into(),
            batch: 3,
            duration_ms: 4012.25,
            outcome,
        }
    }

    #[test]
    fn every_invocation_is_framed_by_start_end_and_report() {
        for outcome in [Outcome::Ok, Outcome::Error, Outcome::Timeout] {
            let mut out = Vec::new();
            lines(&inv(outcome), &[], &mut out);
            assert_eq!(out.first().map(String::as_str), Some("START RequestId: r-1 Version: 7"));
            assert!(out.iter().any(|l| l == "END RequestId: r-1"));
            assert!(out.last().is_some_and(
                |l| l.starts_with("REPORT RequestId: r-1\tDuration: 4012.25 ms\tBilled Duration: 4013 ms")
            ));
            assert_eq!(out.iter().any(|l| l.contains("\tERROR\t")), outcome == Outcome::Error);
            assert_eq!(
                out.iter().any(|l| l.contains("Task timed out after 300.00 seconds")),
                outcome == Outcome::Timeout
            );
        }
        assert_eq!(stream(1_795_000_000_000, "7", "abc"), "2026/11/18/[7]abc");
    }
}
