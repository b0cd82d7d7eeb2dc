//! Logs Insights on the simulated fleet: queries run over the fleet's own logs (the newest
//! events each group keeps) with the subset of the language `crate::insights` understands. A
//! query takes a moment of simulated time, so its progress can be seen and it can be stopped;
//! past 30 at once the account is "at its limit", as on AWS.

use super::logs::LogStore;
use crate::backend::BackendError;
use crate::domain::{QueryRequest, QueryResults, QueryRow, QueryStats, QueryStatus};
use crate::insights::{self, Event, QueryOutput};
use std::collections::HashMap;

/// Concurrent queries an account may run (the StartQuery reference's figure).
const CONCURRENT: usize = 30;
/// Simulated bytes scanned per second of a query's running time.
const BYTES_PER_SEC: f64 = 20e6;
/// Even a small query takes a few seconds on AWS (scheduling, then the scan).
const MIN_SECS: i64 = 3;

#[derive(Debug, Clone)]
struct SimQuery {
    output: QueryOutput,
    started: i64,
    done_at: i64,
    /// The seconds of scanning done when it was stopped.
    stopped: Option<i64>,
    /// GetQueryResults calls so far: each counts as a second of scanning, so a query also ends
    /// when only its poller moves (a runbook step or the CLI over a stopped clock).
    polls: i64,
}

impl SimQuery {
    /// Seconds of scanning done: by the clock, or by the polls when they are ahead of it.
    fn elapsed(&self, now: i64) -> i64 {
        self.stopped.unwrap_or_else(|| (now - self.started).max(self.polls))
    }

    fn running(&self, now: i64) -> bool {
        self.stopped.is_none() && self.elapsed(now) < self.done_at - self.started
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Queries {
    queries: HashMap<String, SimQuery>,
    next: u64,
}

impl Queries {
    pub(crate) fn start(&mut self, logs: &LogStore, request: &QueryRequest, now: i64) -> Result<String, BackendError> {
        let running = self.queries.values().filter(|q| q.running(now)).count();
        if running >= CONCURRENT {
            return Err(BackendError::Throttled { api: "StartQuery".into() });
        }
        if let Some(missing) = request.groups.iter().find(|g| !logs.has_group(g)) {
            return Err(BackendError::NotFound(format!(
                "StartQuery: The specified log group does not exist: {missing}"
            )));
        }
        let query = insights::parse(&request.query).map_err(|e| BackendError::Invalid(format!("StartQuery: {e}")))?;
        let (start_ms, end_ms) = (request.start.timestamp_millis(), request.end.timestamp_millis());
        let mut events = Vec::new();
        for group in &request.groups {
            for (id, ts_ms, stream, message) in logs.between(group, start_ms, end_ms) {
                events.push((format!("{group}|{id}"), ts_ms, stream, message, group.as_str()));
            }
        }
        let output = query
            .run(events.iter().map(|(ptr, ts_ms, stream, message, group)| Event {
                timestamp: chrono::DateTime::from_timestamp_millis(*ts_ms).unwrap_or_default(),
                message,
                log_stream: stream,
                log_group: group,
                ptr,
            }))
            .map_err(|e| BackendError::Invalid(format!("StartQuery: {e}")))?;
        self.next += 1;
        let id = format!("sim-query-{:04}", self.next);
        let seconds = MIN_SECS + (output.bytes_scanned as f64 / BYTES_PER_SEC).ceil() as i64;
        self.queries
            .insert(id.clone(), SimQuery { output, started: now, done_at: now + seconds, stopped: None, polls: 0 });
        Ok(id)
    }

    pub(crate) fn results(&mut self, id: &str, now: i64) -> Result<QueryResults, BackendError> {
        let q =
            self.queries.get_mut(id).ok_or_else(|| BackendError::NotFound(format!("GetQueryResults: query {id}")))?;
        let total = q.done_at - q.started;
        let elapsed = q.elapsed(now);
        let done = elapsed.clamp(0, total) as f64 / total.max(1) as f64;
        let status = match (q.stopped.is_some(), elapsed >= total) {
            (true, _) => QueryStatus::Cancelled,
            (false, true) => QueryStatus::Complete,
            (false, false) => QueryStatus::Running,
        };
        if status == QueryStatus::Running {
            q.polls += 1;
        }
        let finished = status == QueryStatus::Complete;
        // While it runs, the statistics grow; the rows come at the end (as stats rows do on AWS).
        let share = if finished { 1.0 } else { done };
        let o = &q.output;
        Ok(QueryResults {
            status,
            rows: if finished { o.rows.clone() } else { Vec::new() },
            stats: QueryStats {
                records_matched: (o.records_matched as f64 * share).round(),
                records_scanned: (o.records_scanned as f64 * share).round(),
                bytes_scanned: (o.bytes_scanned as f64 * share).round(),
            },
            // The language's own most rows (no pages here): a query without `limit` stops there.
            capped_at: (finished && o.rows.len() >= insights::DEFAULT_LIMIT).then_some(insights::DEFAULT_LIMIT),
        })
    }

    pub(crate) fn stop(&mut self, id: &str, now: i64) -> Result<(), BackendError> {
        let q = self.queries.get_mut(id).ok_or_else(|| BackendError::NotFound(format!("StopQuery: query {id}")))?;
        if !q.running(now) {
            return Err(BackendError::Invalid(format!("StopQuery: query {id} is not running")));
        }
        q.stopped = Some(q.elapsed(now));
        Ok(())
    }

    /// The whole event behind a pointer: its built-in fields and, for a JSON line, its fields.
    pub(crate) fn record(&self, logs: &LogStore, ptr: &str) -> Result<QueryRow, BackendError> {
        let missing =
            || BackendError::NotFound(format!("GetLogRecord: no event {ptr} (the fleet keeps the newest events)"));
        let (group, id) = ptr.rsplit_once('|').ok_or_else(missing)?;
        let id: u64 = id.parse().map_err(|_| missing())?;
        let (ts_ms, stream, message) = logs.event(group, id).ok_or_else(missing)?;
        let time = chrono::DateTime::from_timestamp_millis(ts_ms).unwrap_or_default();
        let mut row: QueryRow = vec![
            ("@timestamp".into(), time.format("%Y-%m-%d %H:%M:%S%.3f").to_string()),
            ("@log".into(), group.to_string()),
            ("@logStream".into(), stream.to_string()),
            ("@message".into(), message.to_string()),
        ];
        if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(message) {
            for (k, v) in fields {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                row.push((k, text));
            }
        }
        Ok(row)
    }
}
