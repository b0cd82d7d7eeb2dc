//! Actions after they were applied: each stage watched until it settles (then the next stage, or
//! the end recorded in the audit log), and what their ends want shown.

use super::operation::{end_text, Operation, OpsState};
use crate::app::context::Context;
use crate::app::msg::{Effect, Fetch, OpEffect};
use crate::app::report::Report;
use crate::backend::BackendError;
use crate::domain::{Address, InvokeResponse, Mutation, Snapshot};
use crate::ops::{invoke, Executed, Intent, WatchState};
use chrono::{DateTime, Utc};

/// A resource read fresh for a watch: None when it does not exist.
pub type SnapshotResult = Result<Option<Snapshot>, BackendError>;

/// What an action's progress wants shown besides the flash, and whether what runs changed.
#[derive(Debug, Default)]
pub struct Progress {
    /// A teardown's or restore's outcome per resource, once it ended (if the screen was free).
    pub outcome: Option<Report>,
    /// What invocations answered: a runbook step applying the change takes them, otherwise they
    /// open as a report.
    pub responses: Option<Report>,
    /// What runs has changed: the lists are read again.
    pub changed: bool,
}

/// A stage has nothing (more) to wait for: go on to the next stage, or record the end.
pub(super) fn next_stage_or_finish(now: DateTime<Utc>, op: &mut Operation, effects: &mut Vec<Effect>) {
    let settled = op.watch.as_ref().is_none_or(|w| w.state == WatchState::Settled);
    if settled && op.executed.has_next_stage() {
        op.proceeding = true;
        let mut executed = op.executed.clone();
        executed.watch = op.watch.clone();
        effects.push(Effect::Op(Box::new(OpEffect::Proceed(Box::new(executed)))));
        return;
    }
    op.finished_at = Some(now);
    if let Some(watch) = &op.watch {
        effects.push(Effect::Op(Box::new(OpEffect::RecordSettled {
            executed: Box::new(op.executed.clone()),
            watch: watch.clone(),
        })));
    }
}

/// Watches read their resources every `watch_poll`; one read in flight per watch.
pub fn due(ops: &mut OpsState, ctx: &mut Context, effects: &mut Vec<Effect>) {
    let (now, poll, limit) = (ctx.now, ctx.settings.watch_poll, ctx.settings.watch_timeout);
    let mut reads = Vec::new();
    for (i, op) in ops.operations.iter_mut().enumerate() {
        if op.finished_at.is_some() || op.proceeding {
            continue;
        }
        let Some(watch) = op.watch.as_mut() else { continue };
        watch.check_timeout(now, limit);
        if watch.is_done() {
            next_stage_or_finish(now, op, effects);
            continue;
        }
        if op.in_flight.is_none() && op.polled_at.is_none_or(|at| now - at >= poll) {
            reads.push((i, watch.pending_reads()));
        }
    }
    for (i, addresses) in reads {
        let id = ctx.request_id();
        ops.operations[i].in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Snapshots(addresses) });
    }
}

/// Whether a watch asked for the reads with this id.
pub fn wants(ops: &OpsState, id: u64) -> bool {
    ops.operations.iter().any(|o| o.in_flight == Some(id))
}

/// Fresh reads for a watch; None when no watch asked for them. `screen_free` says whether an
/// environment's outcome may open as a report (nothing else holds the screen).
pub fn observed(
    ops: &mut OpsState,
    ctx: &mut Context,
    id: u64,
    reads: Vec<(Address, SnapshotResult)>,
    screen_free: bool,
    effects: &mut Vec<Effect>,
) -> Option<Progress> {
    let now = ctx.now;
    let i = ops.operations.iter().position(|o| o.in_flight == Some(id))?;
    let op = &mut ops.operations[i];
    op.in_flight = None;
    op.polled_at = Some(now);
    let Some(watch) = op.watch.as_mut() else { return Some(Progress::default()) };
    for (address, result) in reads {
        match result {
            Ok(snapshot) => watch.observe_read(&address, snapshot.as_ref(), now),
            Err(e) => watch.read_failed(&address, &e.to_string()),
        }
    }
    if !watch.is_done() {
        return Some(Progress::default());
    }
    let (label, state_text, settled) =
        (watch.label.clone(), end_text(&watch.state), watch.state == WatchState::Settled);
    next_stage_or_finish(now, op, effects);
    let more = op.proceeding;
    let finished = op.finished_at.is_some();
    if settled && more {
        ctx.flash_info(format!("{label}: stage done, going on"));
    } else if settled {
        ctx.flash_info(format!("{label}: {state_text}"));
    } else {
        ctx.flash_error(format!("{label}: {state_text}"));
    }
    let outcome = if finished && screen_free { outcome_report(&ops.operations[i]) } else { None };
    Some(Progress { outcome, responses: None, changed: true })
}

/// When an environment's teardown or restore has ended, each resource's outcome (and a
/// restore's test inferences); None for any other action, or one still going.
pub(super) fn outcome_report(op: &Operation) -> Option<Report> {
    let env = matches!(op.executed.plan.intent, Intent::Teardown { .. } | Intent::Restore { .. });
    if !env || op.finished_at.is_none() {
        return None;
    }
    let mut lines = Vec::new();
    for w in op.history.iter().chain(op.watch.iter()) {
        for t in &w.targets {
            lines.push(format!("{:<56} {}: {}", t.address.to_string(), end_text(&t.state), t.progress));
        }
    }
    let answers: Vec<&InvokeResponse> = op.executed.receipts.iter().filter_map(|r| r.response.as_ref()).collect();
    for a in answers {
        lines.push(String::new());
        lines.extend(invoke::describe_response(a));
    }
    if lines.is_empty() {
        return None;
    }
    let title = format!("{} ({})", op.executed.plan.intent.command_line(), op.executed.id);
    Some(Report::new(title, lines))
}

/// Invocation answers from receipt `from` on (a test inference, a restore's checks), as a report.
pub(super) fn responses(executed: &Executed, from: usize) -> Option<Report> {
    let answers: Vec<&InvokeResponse> =
        executed.receipts.iter().skip(from).filter_map(|r| r.response.as_ref()).collect();
    if answers.is_empty() {
        return None;
    }
    let mut lines = Vec::new();
    let endpoints: Vec<String> = executed
        .plan
        .mutations()
        .filter_map(|m| match m {
            Mutation::Invoke { endpoint, .. } => Some(format!("sm:{endpoint}")),
            _ => None,
        })
        .collect();
    for (i, answer) in answers.iter().enumerate() {
        if answers.len() > 1 {
            lines.push(endpoints.get(i).cloned().unwrap_or_default());
        }
        lines.extend(invoke::describe_response(answer));
    }
    let title = format!("{} {}", executed.plan.intent.verb(), executed.plan.intent.target());
    Some(Report::new(title, lines))
}
