//! Actions after they were applied: each stage watched until it settles (then the next stage, or
//! the end recorded), and the operations strip that shows them.

use super::msg::{Effect, Fetch, OpEffect};
use super::operations::show_responses;
use super::ops_state::{Operation, Report};
use super::state::{Mode, State};
use crate::backend::BackendError;
use crate::domain::{Address, Snapshot};
use crate::ops::{invoke, Executed, Intent, OpError};

/// How long a finished operation stays in the strip.
const SHOWN_AFTER_END_SECS: i64 = 120;
/// Operations the strip has room for.
pub const STRIP_MAX: usize = 3;

/// A stage has nothing (more) to wait for: go on to the next stage, or record the end.
pub(super) fn next_stage_or_finish(now: chrono::DateTime<chrono::Utc>, op: &mut Operation, effects: &mut Vec<Effect>) {
    let settled = op.watch.as_ref().is_none_or(|w| w.state == crate::ops::WatchState::Settled);
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

/// The next stage of an action was carried out (or failed).
pub fn proceeded(state: &mut State, executed: Executed, result: Result<(), OpError>, effects: &mut Vec<Effect>) {
    let Some(i) = state.ops.operations.iter().position(|o| o.executed.id == executed.id && o.proceeding) else {
        return;
    };
    let before = state.ops.operations[i].executed.receipts.len();
    let now = state.now;
    let op = &mut state.ops.operations[i];
    op.proceeding = false;
    op.polled_at = None;
    let mut executed = executed;
    match result {
        Ok(()) => {
            if let Some(done) = op.watch.take() {
                op.history.push(done);
            }
            op.watch = executed.watch.take();
            op.executed = executed;
            let label = op.executed.stage_label();
            if op.watch.is_none() {
                next_stage_or_finish(now, op, effects);
            }
            let shown = op.executed.clone();
            state.flash_info(format!("{}: stage {label} applied", shown.plan.intent.command_line()));
            if !outcome_report(state, i) {
                show_responses(state, &shown, before);
            }
        }
        Err(e) => {
            op.executed = executed;
            op.finished_at = Some(now);
            let why = crate::sanitize::inert(&e.to_string()).into_owned();
            if let Some(w) = op.watch.as_mut() {
                w.state = crate::ops::WatchState::Failed(why.clone());
            }
            let command = op.executed.plan.intent.command_line();
            state.flash_error(format!("{command}: {why}"));
        }
    }
    refresh_lists(state);
}

pub(super) fn refresh_lists(state: &mut State) {
    state.services.expire();
    state.endpoints.expire();
    // The simulated fleet's cost follows what runs and costs nothing to read; Cost Explorer is
    // billed per request, so on AWS it waits for ctrl-r.
    if state.is_demo() {
        state.cost.expire();
    }
    if let Some(d) = state.detail.as_mut() {
        d.data.expire();
    }
}

/// Watches read their resources every `watch_poll`; one read in flight per watch.
pub fn due(state: &mut State, effects: &mut Vec<Effect>) {
    let (now, poll, limit) = (state.now, state.settings.watch_poll, state.settings.watch_timeout);
    let mut reads = Vec::new();
    for (i, op) in state.ops.operations.iter_mut().enumerate() {
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
        let id = state.request_id();
        state.ops.operations[i].in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Snapshots(addresses) });
    }
}

/// Fresh reads for a watch. False when no watch asked for them.
pub fn observed(state: &mut State, id: u64, reads: Vec<(Address, SnapshotResult)>, effects: &mut Vec<Effect>) -> bool {
    let now = state.now;
    let Some(i) = state.ops.operations.iter().position(|o| o.in_flight == Some(id)) else { return false };
    let op = &mut state.ops.operations[i];
    op.in_flight = None;
    op.polled_at = Some(now);
    let Some(watch) = op.watch.as_mut() else { return true };
    for (address, result) in reads {
        match result {
            Ok(snapshot) => watch.observe_read(&address, snapshot.as_ref(), now),
            Err(e) => watch.read_failed(&address, &e.to_string()),
        }
    }
    if !watch.is_done() {
        return true;
    }
    let (label, state_text, settled) =
        (watch.label.clone(), end_text(&watch.state), watch.state == crate::ops::WatchState::Settled);
    next_stage_or_finish(now, op, effects);
    let more = op.proceeding;
    let finished = op.finished_at.is_some();
    if settled && more {
        state.flash_info(format!("{label}: stage done, going on"));
    } else if settled {
        state.flash_info(format!("{label}: {state_text}"));
    } else {
        state.flash_error(format!("{label}: {state_text}"));
    }
    if finished {
        outcome_report(state, i);
    }
    refresh_lists(state);
    true
}

/// When an environment's teardown or restore has ended, each resource's outcome (and a
/// restore's test inferences) opens as a report, unless something else holds the screen.
/// True when it did.
pub(super) fn outcome_report(state: &mut State, i: usize) -> bool {
    let Some(op) = state.ops.operations.get(i) else { return false };
    let env = matches!(op.executed.plan.intent, Intent::Teardown { .. } | Intent::Restore { .. });
    if !env
        || op.finished_at.is_none()
        || state.mode != Mode::Normal
        || state.runbook.as_ref().is_some_and(|r| r.running().is_some())
    {
        return false;
    }
    let mut lines = Vec::new();
    for w in op.history.iter().chain(op.watch.iter()) {
        for t in &w.targets {
            lines.push(format!("{:<56} {}: {}", t.address.to_string(), end_text(&t.state), t.progress));
        }
    }
    let answers: Vec<&crate::domain::InvokeResponse> =
        op.executed.receipts.iter().filter_map(|r| r.response.as_ref()).collect();
    for a in answers {
        lines.push(String::new());
        lines.extend(invoke::describe_response(a));
    }
    if lines.is_empty() {
        return false;
    }
    let title = format!("{} ({})", op.executed.plan.intent.command_line(), op.executed.id);
    state.mode = Mode::Report(Report { title, lines, scroll: 0 });
    true
}

/// A resource read fresh for a watch: None when it does not exist.
pub type SnapshotResult = Result<Option<Snapshot>, BackendError>;

pub fn end_text(state: &crate::ops::WatchState) -> String {
    match state {
        crate::ops::WatchState::Running => "in progress".into(),
        crate::ops::WatchState::Settled => "done".into(),
        crate::ops::WatchState::Failed(why) => format!("FAILED: {why}"),
        crate::ops::WatchState::TimedOut => "stopped watching (timed out); it may still finish".into(),
    }
}

/// Operations the strip shows: running ones, and ones that ended in the last two minutes.
pub fn shown_operations(state: &State) -> Vec<&Operation> {
    let (now, keep) = (state.now, SHOWN_AFTER_END_SECS * state.speed());
    let mut shown: Vec<&Operation> = state
        .ops
        .operations
        .iter()
        .filter(|o| o.finished_at.is_none_or(|at| (now - at).num_seconds() < keep))
        .collect();
    let skip = shown.len().saturating_sub(STRIP_MAX);
    shown.drain(..skip);
    shown
}

/// Rows the operations strip takes: a title line and two lines per operation.
pub fn strip_rows(state: &State) -> u16 {
    match shown_operations(state).len() {
        0 => 0,
        n => 1 + 2 * n as u16,
    }
}
