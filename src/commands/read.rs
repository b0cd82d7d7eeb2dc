//! The verbs that only read: wait, revisions, logs, alarms, audit.

use super::{follow, poll_interval, watch_end, Env, DEFAULT_TIMEOUT, EXIT_FAILED, EXIT_USAGE};
use crate::domain::{Address, LogEvent, LogQuery, Snapshot};
use crate::logs::LogFilter;
use crate::ops::grammar::{self, AlarmsArgs, AuditArgs, LogsArgs, Output, RevisionsArgs, WaitArgs};
use crate::ops::watch::Expect;
use crate::ops::{revisions, OpError, Watch};
use crate::sanitize::inert;
use serde_json::json;
use std::io::Write;

fn usage(err: &mut (dyn Write + Send), message: impl std::fmt::Display) -> std::io::Result<u8> {
    writeln!(err, "opsdeck: {}", inert(&message.to_string()))?;
    Ok(EXIT_USAGE)
}

fn op_error(err: &mut (dyn Write + Send), e: &OpError) -> std::io::Result<u8> {
    writeln!(err, "opsdeck: {}", inert(&e.to_string()))?;
    Ok(e.exit_code())
}

/// `wait ADDRESS`: a service steady (rollout done, running = desired), an endpoint InService.
/// `wait --alarm NAME [--state S]`: the alarm in that state.
pub async fn wait(
    args: &WaitArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    if let Some(alarm) = &args.alarm {
        return wait_alarm(alarm, args, env, out, err).await;
    }
    let address = match grammar::parse_address(args.address.as_deref().unwrap_or_default()) {
        Ok(a) => a,
        Err(e) => return usage(err, e),
    };
    let expect = match &address {
        Address::EcsService { .. } => Expect::EcsSteady,
        Address::Endpoint { variant, .. } => Expect::Endpoint { variant: variant.clone(), count: None },
        other => return usage(err, format!("wait takes an ECS service or a SageMaker endpoint, not {other}")),
    };
    if let Err(e) = env.backend.snapshot(&address).await {
        return op_error(err, &OpError::from(e));
    }
    let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
    let watch = Watch::new(String::new(), address.clone(), format!("wait {address}"), expect, now);
    let text = args.output == Output::Text;
    let done = follow(env.backend, watch, args.timeout.unwrap_or(DEFAULT_TIMEOUT), text, out).await?;
    let (summary, code) = watch_end(&done);
    if text {
        writeln!(out, "{summary}")?;
    } else {
        writeln!(out, "{}", serde_json::to_string(&done).unwrap_or_default())?;
    }
    Ok(code)
}

/// Poll the alarms until `name` is in the state asked for, printing each change it goes through.
async fn wait_alarm(
    name: &str,
    args: &WaitArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let wanted = args.state.state();
    let started = env.backend.clock().unwrap_or_else(chrono::Utc::now);
    let limit =
        chrono::Duration::from_std(args.timeout.unwrap_or(DEFAULT_TIMEOUT)).unwrap_or(chrono::Duration::minutes(15));
    let text = args.output == Output::Text;
    let mut last = None;
    loop {
        let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
        match env.backend.alarms().await {
            Ok(alarms) => {
                let Some(alarm) = alarms.iter().find(|a| a.name == name) else {
                    return usage(err, format!("no alarm named {name}"));
                };
                if let Some(before) = last.filter(|s| *s != alarm.state) {
                    record_alarm_change(env, alarm, before);
                }
                if last != Some(alarm.state) && text {
                    writeln!(out, "  {}  {} is {}", now.format("%H:%M:%S"), inert(name), alarm.state.as_str())?;
                }
                last = Some(alarm.state);
                if alarm.state == wanted {
                    if text {
                        writeln!(out, "done: {} is {}", inert(name), wanted.as_str())?;
                    } else {
                        writeln!(out, "{}", json!({ "alarm": name, "state": wanted.as_str(), "outcome": "settled" }))?;
                    }
                    return Ok(0);
                }
            }
            Err(e) if text => writeln!(out, "  read failed ({}); trying again", inert(&e.to_string()))?,
            Err(_) => {}
        }
        if now - started >= limit {
            let state = last.map_or("unknown", |s| s.as_str());
            if text {
                writeln!(out, "timed out waiting: {} is still {state}", inert(name))?;
            } else {
                writeln!(out, "{}", json!({ "alarm": name, "state": state, "outcome": "timed out" }))?;
            }
            return Ok(EXIT_FAILED);
        }
        tokio::time::sleep(poll_interval(env.backend) * 5).await;
    }
}

/// A change seen while waiting goes on the open incident's timeline (if one is open).
fn record_alarm_change(env: &Env<'_>, alarm: &crate::domain::Alarm, before: crate::domain::AlarmState) {
    let log = &env.ops.incidents;
    if let Ok(Some(open)) = log.open() {
        let entry = crate::incident::alarm_entry(&open, alarm, Some(before.as_str()));
        if let Err(e) = log.append(&entry) {
            tracing::warn!(error = %e, "could not record an alarm change on the timeline");
        }
    }
}

pub async fn revisions(
    args: &RevisionsArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let address = match grammar::parse_address(&args.address) {
        Ok(a @ Address::EcsService { .. }) => a,
        Ok(other) => return usage(err, format!("revisions needs an ECS service (ecs:CLUSTER/SERVICE), not {other}")),
        Err(e) => return usage(err, e),
    };
    let compare = args.diff.as_ref().and_then(|d| Some((d.first()?.clone(), d.get(1)?.clone())));
    if args.output == Output::Json && compare.is_none() {
        let (snapshot, history) = (env.backend.snapshot(&address).await, env.backend.revision_history(&address).await);
        return match (snapshot, history) {
            (Ok(Snapshot::Service(s)), Ok(h)) => {
                let view = json!({
                    "current": s.service.task_definition.to_string(),
                    "previous": revisions::previous(&s.service.task_definition, &h).map(|r| r.to_string()),
                    "revisions": h.revisions.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "completed": h.completed.iter().map(ToString::to_string).collect::<Vec<_>>(),
                });
                writeln!(out, "{view}")?;
                Ok(0)
            }
            (Err(e), _) | (_, Err(e)) => op_error(err, &OpError::from(e)),
            (Ok(_), _) => usage(err, "not an ECS service"),
        };
    }
    match revisions::report(env.backend, &address, compare).await {
        Ok(lines) if args.output == Output::Json => {
            writeln!(out, "{}", json!({ "diff": lines }))?;
            Ok(0)
        }
        Ok(lines) => {
            for l in lines {
                writeln!(out, "{l}")?;
            }
            Ok(0)
        }
        Err(e) => op_error(err, &e),
    }
}

/// The log group a source names: a group (`/ecs/...`) as is, or the group of a service/endpoint.
async fn group_of(env: &Env<'_>, source: &str) -> Result<String, String> {
    if source.starts_with('/') {
        return Ok(source.to_string());
    }
    let address = grammar::parse_address(source)?;
    let group = match &address {
        Address::EcsService { .. } => {
            let services = env.backend.services().await.map_err(|e| e.to_string())?;
            services.into_iter().find(|s| s.address() == address).ok_or(format!("no service {address}"))?.log_group
        }
        Address::Endpoint { endpoint, .. } => {
            let endpoints = env.backend.endpoints().await.map_err(|e| e.to_string())?;
            endpoints.into_iter().find(|e| e.name == *endpoint).ok_or(format!("no endpoint sm:{endpoint}"))?.log_group
        }
        Address::Function { name } => Some(format!("/aws/lambda/{name}")),
        Address::Rule { .. } => None,
    };
    group.ok_or(format!("{address} has no log group"))
}

fn print_event(e: &LogEvent, output: Output, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
    let message = inert(&e.message);
    let stream = inert(&e.stream);
    match output {
        Output::Text => writeln!(out, "{} {stream} {message}", e.timestamp.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
        Output::Json => {
            writeln!(out, "{}", json!({ "timestamp": e.timestamp.to_rfc3339(), "stream": stream, "message": message }))
        }
    }
}

pub async fn logs(
    args: &LogsArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let Some(source) = &args.source else {
        return usage(err, "logs needs a source: a log group (/ecs/...) or ecs:CLUSTER/SERVICE or sm:ENDPOINT");
    };
    let filter = match args.filter.as_deref().map(LogFilter::parse).transpose() {
        Ok(f) => f,
        Err(e) => return usage(err, e),
    };
    let group = match group_of(env, source).await {
        Ok(g) => g,
        Err(e) => return usage(err, e),
    };
    let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
    let query = match args.since {
        Some(since) => {
            let from = now - chrono::Duration::from_std(since).unwrap_or(chrono::Duration::hours(1));
            LogQuery::Since { from, limit: 10_000 }
        }
        None => LogQuery::Tail { limit: 200 },
    };
    let mut query = Some(query);
    let mut last = None;
    loop {
        let q = match (query.take(), last) {
            (Some(q), _) => q,
            (None, Some(id)) => LogQuery::After { id },
            (None, None) => LogQuery::Tail { limit: 200 },
        };
        let batch = match env.backend.log_events(&group, q).await {
            Ok(b) => b,
            Err(e) => return op_error(err, &OpError::from(e)),
        };
        for e in &batch.events {
            last = Some(e.id);
            if filter.as_ref().is_none_or(|f| f.is_match(&e.message)) {
                print_event(e, args.output, out)?;
            }
        }
        // A tail skips what is older by design; a window that skips lines must say so.
        if batch.skipped > 0 && args.since.is_some() {
            writeln!(err, "opsdeck: {} lines the source did not return (sampled or over the limit)", batch.skipped)?;
        }
        if !args.follow {
            return Ok(0);
        }
        out.flush()?;
        tokio::time::sleep(poll_interval(env.backend) / 2).await;
    }
}

pub async fn alarms(
    args: &AlarmsArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let mut alarms = match env.backend.alarms().await {
        Ok(a) => a,
        Err(e) => return op_error(err, &OpError::from(e)),
    };
    if let Some(state) = args.state {
        alarms.retain(|a| a.state == state.state());
    }
    alarms.sort_by(|a, b| a.state.cmp(&b.state).then(b.state_since.cmp(&a.state_since)).then(a.name.cmp(&b.name)));
    match args.output {
        Output::Json => writeln!(out, "{}", serde_json::to_string(&alarms).unwrap_or_default())?,
        Output::Text => {
            for a in &alarms {
                let watches = a.watches.as_ref().map(ToString::to_string).unwrap_or_default();
                writeln!(
                    out,
                    "{:<17} {:<44} since {}  {}  {}",
                    a.state.as_str(),
                    inert(&a.name),
                    a.state_since.format("%Y-%m-%d %H:%M"),
                    inert(&watches),
                    inert(&a.condition)
                )?;
                writeln!(out, "    {}", inert(&a.reason))?;
            }
        }
    }
    Ok(0)
}

pub fn audit(
    args: &AuditArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let (records, bad) = match env.ops.audit.read() {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "opsdeck: {e}")?;
            return Ok(EXIT_FAILED);
        }
    };
    if bad > 0 {
        writeln!(err, "opsdeck: {bad} unreadable lines in {} were skipped", env.ops.audit.path().display())?;
    }
    let empty = format!("no actions recorded in {}", env.ops.audit.path().display());
    print_audit(crate::audit::entries(&records), args, &empty, out)?;
    Ok(0)
}

/// Actions as `audit` prints them (text or JSON), the newest last.
pub fn print_audit(
    mut entries: Vec<crate::audit::AuditEntry>,
    args: &AuditArgs,
    empty: &str,
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    if let Some(since) = args.since {
        let from = chrono::Utc::now() - chrono::Duration::from_std(since).unwrap_or(chrono::Duration::days(1));
        entries.retain(|e| e.started >= from);
    }
    match args.output {
        Output::Json => writeln!(out, "{}", serde_json::to_string(&entries).unwrap_or_default())?,
        Output::Text => {
            if entries.is_empty() {
                writeln!(out, "{empty}")?;
            }
            for e in &entries {
                writeln!(
                    out,
                    "{}  {}  {}@{}  {}  {}",
                    e.id,
                    e.started.format("%Y-%m-%d %H:%M:%S"),
                    inert(&e.who.user),
                    inert(&e.profile),
                    inert(&e.command),
                    inert(&e.outcome)
                )?;
                let undo = e.inverse.as_deref().map(|i| format!("undo: opsdeck {}", inert(i))).unwrap_or_default();
                writeln!(out, "    {}  request {}  {undo}", inert(&e.who.arn), e.request_ids.join(","))?;
            }
        }
    }
    Ok(())
}
