//! `opsdeck query 'QUERY' [--group G]... [--service ADDRESS]... [--since 1h | --start T --end T]`:
//! a Logs Insights query run to its end and printed as a table, CSV or JSON. Queued while the
//! account is at its concurrent-query limit; ctrl-c stops it (StopQuery) rather than leaving it
//! to run and bill. With an incident open, the query and a line on what it found go on the
//! timeline.

use super::{tables, Env, EXIT_FAILED, EXIT_USAGE};
use crate::backend::{Backend, BackendError};
use crate::domain::{Address, QueryRequest, QueryResults, QueryStatus};
use crate::incident::{Entry, Kind};
use crate::ops::grammar::{QueryArgs, TableOutput};
use crate::sanitize::inert;
use std::io::Write;
use std::time::Duration;

/// How long a query may wait for a free slot under the account's concurrent-query limit.
const QUEUE_FOR: Duration = Duration::from_secs(300);
const QUEUE_RETRY: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_secs(1);
/// Exit code after ctrl-c, as shells expect (128 + SIGINT).
const EXIT_INTERRUPTED: u8 = 130;

/// The log groups a query reads: those named, and each service's or endpoint's own (from its task
/// definition, as the log pane finds it). An error names what could not be resolved.
pub async fn groups_of(backend: &dyn Backend, groups: &[String], services: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = groups.to_vec();
    if !services.is_empty() {
        let addresses: Vec<Address> =
            services.iter().map(|s| s.parse::<Address>().map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
        let known_services = backend.services().await.map_err(|e| e.to_string())?;
        let wants_endpoints = addresses.iter().any(|a| matches!(a, Address::Endpoint { .. }));
        let endpoints = if wants_endpoints { backend.endpoints().await.map_err(|e| e.to_string())? } else { vec![] };
        for address in &addresses {
            let group = match address {
                Address::EcsService { .. } => {
                    known_services.iter().find(|s| s.address() == *address).map(|s| s.log_group.clone())
                }
                Address::Endpoint { endpoint, .. } => {
                    endpoints.iter().find(|e| e.name == *endpoint).map(|e| e.log_group.clone())
                }
                other => return Err(format!("{other} has no log group to query (a service or an endpoint does)")),
            };
            match group {
                Some(Some(g)) => out.push(g),
                Some(None) => return Err(format!("{address} has no log group (its task definition logs nowhere)")),
                None => return Err(format!("not found: {address}")),
            }
        }
    }
    out.dedup();
    if out.is_empty() {
        return Err("name what to query: --group LOG_GROUP or --service ADDRESS".into());
    }
    Ok(out)
}

pub async fn run(
    args: &QueryArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
    let (start, end) = match args.window.resolve(now, chrono::Duration::hours(1)) {
        Ok(w) => w,
        Err(e) => return usage(err, &e),
    };
    let groups = match groups_of(env.backend, &args.groups, &args.services).await {
        Ok(g) => g,
        Err(e) => return usage(err, &e),
    };
    let Some(query) = args.query.clone().filter(|q| !q.trim().is_empty()) else {
        return usage(err, "give the query: opsdeck query 'fields @timestamp, @message | limit 20' --group G");
    };
    let request = QueryRequest { groups, query, start, end };
    // The running query's id, so ctrl-c can stop it rather than leave it to run and bill.
    let running = std::sync::Mutex::new(None::<String>);
    let results = tokio::select! {
        done = run_to_end(&request, env, &running, err) => done?,
        _ = interrupted(env.interactive) => {
            let id = running.lock().ok().and_then(|mut r| r.take());
            if let Some(id) = id {
                let stopped = env.backend.stop_query(&id).await;
                writeln!(err, "opsdeck: interrupted; query {id} {}", if stopped.is_ok() { "stopped" } else { "may still be running" })?;
            }
            return Ok(EXIT_INTERRUPTED);
        }
    };
    let results = match results {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let fields = results.fields();
    let rows: Vec<Vec<String>> = results
        .rows
        .iter()
        .map(|row| fields.iter().map(|f| crate::domain::row_value(row, f).to_string()).collect())
        .collect();
    tables::print(&fields, &rows, args.output, out)?;
    let line = results.summary();
    if args.output == TableOutput::Table {
        writeln!(err, "{line}")?;
    }
    record_on_incident(env, &request, &line);
    Ok(0)
}

fn usage(err: &mut (dyn Write + Send), why: &str) -> std::io::Result<u8> {
    writeln!(err, "opsdeck: {}", inert(why))?;
    Ok(EXIT_USAGE)
}

/// Never resolves unless ctrl-c is pressed at a terminal (a query started from the console or
/// a script is not interrupted this way).
async fn interrupted(interactive: bool) {
    if interactive && tokio::signal::ctrl_c().await.is_ok() {
        return;
    }
    std::future::pending::<()>().await
}

/// Start (queued while the account is at its limit), poll to the end. Err is the exit code.
async fn run_to_end(
    request: &QueryRequest,
    env: &Env<'_>,
    running: &std::sync::Mutex<Option<String>>,
    err: &mut (dyn Write + Send),
) -> std::io::Result<Result<QueryResults, u8>> {
    let began = std::time::Instant::now();
    let id = loop {
        match env.backend.start_query(request).await {
            Ok(id) => break id,
            Err(BackendError::Throttled { .. }) if began.elapsed() < QUEUE_FOR => {
                writeln!(
                    err,
                    "queued: the account runs as many Logs Insights queries as it may at once; trying again in {} s",
                    QUEUE_RETRY.as_secs()
                )?;
                tokio::time::sleep(QUEUE_RETRY).await;
            }
            Err(e @ BackendError::Invalid(_)) => {
                writeln!(err, "opsdeck: the query was refused: {}", inert(&e.to_string()))?;
                return Ok(Err(EXIT_USAGE));
            }
            Err(e) => {
                writeln!(err, "opsdeck: {}", inert(&e.to_string()))?;
                return Ok(Err(EXIT_FAILED));
            }
        }
    };
    if let Ok(mut r) = running.lock() {
        *r = Some(id.clone());
    }
    loop {
        let results = match env.backend.query_results(&id).await {
            Ok(r) => r,
            Err(e) => {
                writeln!(err, "opsdeck: {}", inert(&e.to_string()))?;
                return Ok(Err(EXIT_FAILED));
            }
        };
        if !results.status.is_done() {
            tokio::time::sleep(POLL).await;
            continue;
        }
        if let Ok(mut r) = running.lock() {
            *r = None;
        }
        let why = match &results.status {
            QueryStatus::Complete => return Ok(Ok(results)),
            QueryStatus::Timeout => {
                "timed out (Logs Insights stops a query after 60 minutes): narrow the window".into()
            }
            QueryStatus::Cancelled => "cancelled (someone stopped it)".into(),
            other => format!("the query ended {}", other.as_str()),
        };
        writeln!(err, "opsdeck: {why}")?;
        return Ok(Err(EXIT_FAILED));
    }
}

fn record_on_incident(env: &Env<'_>, request: &QueryRequest, line: &str) {
    let Ok(Some(name)) = env.ops.incidents.open() else { return };
    let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
    let what = format!("query over {}: {line}", request.groups.join(", "));
    let mut entry = Entry::new(&name, Kind::Query, what, now, &crate::incident::local_user());
    entry.commands = vec![request.query.clone()];
    if let Err(e) = env.ops.incidents.append(&entry) {
        tracing::warn!(error = %e, "could not record the query on the incident");
    }
}
