//! Execute: conflict check, audit record, then the steps, in that order and no other. A plan
//! with several stages goes on with `proceed` once the watch of a stage has settled.

use super::confirm::Confirmed;
use super::env::store;
use super::plan::{Change, Plan, Step};
use super::recheck::{self, Recheck};
use super::watch::Watch;
use super::OpError;
use crate::audit::{self, AuditLog, AuditRecord, Phase, ReplanRecord, StepRecord, Who};
use crate::backend::{Backend, BackendError, BackendLabel, Permit};
use crate::domain::Receipt;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// What every action needs besides the backend: the read-only switch, the audit log, where
/// local copies of environments' saved state go, the incident timeline, and (team mode) the
/// shared table.
#[derive(Debug)]
pub struct OpsContext {
    pub read_only: bool,
    pub audit: AuditLog,
    pub env_dir: PathBuf,
    /// Next to the audit log: `incidents.jsonl` beside `audit.jsonl` (`-demo` beside `-demo`).
    pub incidents: crate::incident::IncidentLog,
    /// Team mode: audit and timeline shared, leases taken before an action.
    pub team: Option<std::sync::Arc<crate::team::Team>>,
    /// A fleet session: the accounts and regions (`ACCOUNT@REGION`) whose profile is
    /// `read_only`. An action on any of them is refused here like `--read-only`.
    pub read_only_places: Vec<String>,
}

impl OpsContext {
    pub fn new(read_only: bool, audit: AuditLog, env_dir: PathBuf) -> OpsContext {
        let incidents = crate::incident::IncidentLog::new(crate::incident::path_beside(audit.path()));
        OpsContext { read_only, audit, env_dir, incidents, team: None, read_only_places: Vec::new() }
    }

    /// Team mode: every audit record and timeline entry written from now on is also shared.
    pub fn with_team(self, team: std::sync::Arc<crate::team::Team>) -> OpsContext {
        let audit = AuditLog::new(self.audit.path().to_path_buf()).with_mirror(team.clone());
        let incidents =
            crate::incident::IncidentLog::new(self.incidents.path().to_path_buf()).with_mirror(team.clone());
        OpsContext { audit, incidents, team: Some(team), ..self }
    }
}

impl OpsContext {
    /// Why this plan may not be carried out from here: read-only mode, or (fleet) a resource in
    /// a read-only account.
    pub fn refusal(&self, plan: &Plan) -> Option<String> {
        if self.read_only {
            return Some("read-only mode".into());
        }
        let places = plan.reads.iter().filter_map(|r| r.address.placed().and_then(|p| p.place));
        let mut read_only = places.filter(|p| self.read_only_places.iter().any(|q| q == p));
        read_only.next().map(|p| format!("read-only mode: {p} is a read_only profile's account"))
    }
}

/// An action that was carried out (so far): its audit id, what AWS answered, and the watch of
/// the stage it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    pub id: String,
    pub plan: Plan,
    pub receipts: Vec<Receipt>,
    pub watch: Option<Watch>,
    pub who: Who,
    /// The stage carried out last (0: the first).
    pub stage: usize,
    /// Steps done so far, across stages (for the audit's step numbers).
    steps_done: usize,
}

impl Executed {
    /// Another stage waits for this one's watch to settle.
    pub fn has_next_stage(&self) -> bool {
        self.stage + 1 < self.plan.stages.len()
    }

    /// "2/3 set instance counts", for a plan with stages; empty for one with a single stage.
    pub fn stage_label(&self) -> String {
        match self.plan.stages.get(self.stage) {
            Some(s) if self.plan.stages.len() > 1 => {
                format!("{}/{} {}", self.stage + 1, self.plan.stages.len(), s.label)
            }
            _ => String::new(),
        }
    }
}

fn where_(label: &BackendLabel) -> (String, String) {
    match label {
        BackendLabel::Aws { profile, region } => (profile.clone(), region.clone()),
        BackendLabel::Demo { scenario, .. } => (format!("demo:{scenario}"), "simulated".into()),
    }
}

/// The record of one phase of an action: who, where, what, before and after.
struct Recorder<'a> {
    plan: &'a Plan,
    id: &'a str,
    who: &'a Who,
    label: BackendLabel,
}

impl Recorder<'_> {
    fn record(&self, phase: Phase, outcome: String, now: DateTime<Utc>) -> AuditRecord {
        let (profile, region) = where_(&self.label);
        let (before, after) = self.plan.before_after();
        AuditRecord {
            id: self.id.to_string(),
            time: now,
            phase,
            who: self.who.clone(),
            profile,
            region,
            action: self.plan.intent.verb().to_string(),
            resource: self.plan.intent.target().to_string(),
            command: self.plan.intent.command_line(),
            before,
            after,
            request_ids: Vec::new(),
            outcome,
            inverse: self.plan.inverse.clone(),
            step: None,
            replan: None,
            lease: None,
        }
    }
}

/// Carry out a confirmed plan's first stage: refuse in read-only mode, read every resource again
/// (a plan that moved is re-planned, found done, or refused: `recheck`), write the audit record
/// (nothing runs if that fails), carry out each step, and write what AWS said.
pub async fn execute(backend: &dyn Backend, ctx: &OpsContext, confirmed: Confirmed) -> Result<Executed, OpError> {
    let plan = confirmed.into_plan();
    if let Some(why) = ctx.refusal(&plan) {
        return Err(OpError::Refused(why));
    }
    let now = || backend.clock().unwrap_or_else(Utc::now);
    let id = audit::new_id(now());
    // Credentials that expired between plan and execute: nothing is sent, and the log says so
    // (the engineer may believe it went out).
    let not_sent = |who: Who, e: &OpError| {
        let recorder = Recorder { plan: &plan, id: &id, who: &who, label: backend.label() };
        if let Err(audit_error) = ctx.audit.append(&recorder.record(Phase::Finished, format!("not sent: {e}"), now())) {
            tracing::error!(%audit_error, "could not record an action that was not sent");
        }
    };
    let recheck = match recheck::recheck(backend, &plan).await {
        Ok(recheck) => recheck,
        Err(e) => {
            if is_credentials(&e) {
                not_sent(Who::local("unknown (credentials expired)".into()), &e);
            }
            return Err(e);
        }
    };
    let arn = match backend.caller_identity().await {
        Ok(arn) => arn,
        Err(e @ BackendError::Credentials(_)) => {
            let e = OpError::Backend(e);
            not_sent(Who::local("unknown (credentials expired)".into()), &e);
            return Err(e);
        }
        Err(e) => format!("unknown ({e})"),
    };
    let who = Who::local(arn);
    let recorder = Recorder { plan: &plan, id: &id, who: &who, label: backend.label() };
    if let Some(e) = replanned(ctx, &recorder, recheck, now())? {
        return Err(e);
    }
    // Team mode: a lease on each resource changed, or nothing is sent (refused, naming the holder).
    let lease_note = match super::leasing::take(ctx.team.as_deref(), backend, &plan, &id, &who.arn, now()).await {
        Ok(note) => note,
        Err(e) => {
            not_sent(who.clone(), &e);
            return Err(e);
        }
    };
    let mut started = recorder.record(Phase::Started, "started".into(), now());
    started.lease = lease_note;
    if let Err(e) = ctx.audit.append(&started) {
        super::leasing::release(ctx.team.as_deref(), &id);
        return Err(OpError::Audit(e));
    }
    let mut receipts = Vec::new();
    let mut steps_done = 0;
    let run = run_stage(backend, ctx, &recorder, 0, &mut steps_done, &mut receipts).await;
    let request_ids = || receipts.iter().filter_map(|r| r.request_id.clone()).collect::<Vec<_>>();
    if let Err(e) = run {
        let e = partial(&plan, steps_done, e);
        let mut failed = recorder.record(Phase::Finished, failure_outcome(&e, steps_done), now());
        failed.request_ids = request_ids();
        // The failure is what matters now; a failed audit write is logged, not hidden.
        if let Err(audit_error) = ctx.audit.append(&failed) {
            tracing::error!(%audit_error, "could not record a failed action");
        }
        super::leasing::release(ctx.team.as_deref(), &id);
        return Err(e);
    }
    let mut done = recorder.record(Phase::Finished, "succeeded".into(), now());
    done.request_ids = request_ids();
    let watch = stage_watch(&plan, 0, &id, now());
    if watch.is_none() && plan.stages.len() < 2 {
        // Nothing to watch: the lease has done its work.
        super::leasing::release(ctx.team.as_deref(), &id);
    }
    ctx.audit.append(&done).map_err(|e| OpError::Audit(format!("{e}; the change WAS applied")))?;
    Ok(Executed { id, plan, receipts, watch, who, stage: 0, steps_done })
}

fn is_credentials(e: &OpError) -> bool {
    matches!(e, OpError::Backend(BackendError::Credentials(_)))
}

/// A failure after some of a plan's steps were done is a partial action, with the command that
/// finishes it (the same command: it plans again from what is there now).
fn partial(plan: &Plan, done: usize, e: OpError) -> OpError {
    let of = plan.step_count();
    if done == 0 || of < 2 || matches!(e, OpError::Partial { .. }) {
        return e;
    }
    OpError::Partial { done, of, error: Box::new(e), resume: plan.intent.command_line() }
}

/// The audit outcome of a failed action. AWS refuses a request signed with expired credentials
/// before acting on it, so a first step refused that way changed nothing.
fn failure_outcome(e: &OpError, steps_done: usize) -> String {
    match e {
        OpError::Partial { .. } => format!("partial: {e}"),
        e if steps_done == 0 && is_credentials(e) => format!("failed, nothing changed: {e}"),
        e => format!("failed: {e}"),
    }
}

/// Carry out the next stage of an action whose watch has settled (a restore's instance counts
/// once its endpoints are InService). Each step is audited; nothing runs if the watch did not settle.
pub async fn proceed(backend: &dyn Backend, ctx: &OpsContext, executed: &mut Executed) -> Result<(), OpError> {
    if let Some(why) = ctx.refusal(&executed.plan) {
        return Err(OpError::Refused(why));
    }
    if executed.watch.as_ref().is_some_and(|w| w.state != super::WatchState::Settled) {
        return Err(OpError::Refused(format!(
            "{}: the stage before has not settled; nothing more was sent",
            executed.plan.intent.command_line()
        )));
    }
    if !executed.has_next_stage() {
        return Err(OpError::Refused("no stage left".into()));
    }
    let stage = executed.stage + 1;
    let now = || backend.clock().unwrap_or_else(Utc::now);
    let recorder = Recorder { plan: &executed.plan, id: &executed.id, who: &executed.who, label: backend.label() };
    let mut receipts = Vec::new();
    let mut done = executed.steps_done;
    let run = run_stage(backend, ctx, &recorder, stage, &mut done, &mut receipts).await;
    let label = executed.plan.stages.get(stage).map(|s| s.label.clone()).unwrap_or_default();
    executed.receipts.extend(receipts.iter().cloned());
    match run {
        Ok(()) => {
            executed.steps_done = done;
            executed.stage = stage;
            executed.watch = stage_watch(&executed.plan, stage, &executed.id, now());
            Ok(())
        }
        Err(e) => {
            let e = partial(&executed.plan, done, e);
            let mut failed = recorder.record(Phase::Settled, format!("failed at stage {label}: {e}"), now());
            if matches!(e, OpError::Partial { .. }) {
                failed.outcome = format!("partial: failed at stage {label}: {e}");
            }
            failed.request_ids = receipts.iter().filter_map(|r| r.request_id.clone()).collect();
            if let Err(audit_error) = ctx.audit.append(&failed) {
                tracing::error!(%audit_error, "could not record a failed stage");
            }
            super::leasing::release(ctx.team.as_deref(), &executed.id);
            Err(e)
        }
    }
}

/// The re-check's verdict written down (a `replanned` record, with no undo: nothing was sent)
/// and turned into the error that says what now; None: go on with the confirmed plan.
fn replanned(
    ctx: &OpsContext,
    recorder: &Recorder<'_>,
    recheck: Recheck,
    now: DateTime<Utc>,
) -> Result<Option<OpError>, OpError> {
    let lines = |why: &[Change]| why.iter().map(|c| format!("{}: {} -> {}", c.field, c.before, c.after)).collect();
    let was = recheck::calls(recorder.plan);
    let (outcome, record, error) = match recheck {
        Recheck::Proceed => return Ok(None),
        Recheck::Replanned { plan, why } => {
            let now_calls = recheck::calls(&plan);
            let outcome = format!("replanned: {} -> {}", was.join("; "), now_calls.join("; "));
            let record = ReplanRecord { was, now: now_calls, why: lines(&why) };
            (outcome, record, OpError::Replanned { plan, why })
        }
        Recheck::NothingLeft { reason, why } => {
            let record = ReplanRecord { was, now: Vec::new(), why: lines(&why) };
            (format!("nothing left to do: {reason}"), record, OpError::NothingLeft(reason))
        }
        Recheck::NoLongerApplies { error, why } => {
            let error = match error {
                OpError::Refused(why) | OpError::BadInput(why) => why,
                other => other.to_string(),
            };
            let text = format!(
                "{} changed since the plan was read ({}) and the plan no longer applies: {error}",
                recorder.plan.intent.target(),
                why.iter().map(|c| format!("{}: {} -> {}", c.field, c.before, c.after)).collect::<Vec<_>>().join(", ")
            );
            let record = ReplanRecord { was, now: Vec::new(), why: lines(&why) };
            (format!("refused: {text}"), record, OpError::Refused(text))
        }
    };
    let mut entry = recorder.record(Phase::Replanned, outcome, now);
    entry.inverse = None;
    entry.replan = Some(record);
    ctx.audit.append(&entry).map_err(|e| OpError::Audit(format!("{e} (the plan had changed; nothing was sent)")))?;
    Ok(Some(error))
}

/// The steps of one stage, in order; each audited when the plan has more than one. `done` counts
/// the steps carried out so far across stages (a failed step is not counted).
async fn run_stage(
    backend: &dyn Backend,
    ctx: &OpsContext,
    recorder: &Recorder<'_>,
    stage: usize,
    done: &mut usize,
    receipts: &mut Vec<Receipt>,
) -> Result<(), OpError> {
    let plan = recorder.plan;
    let Some(current) = plan.stages.get(stage) else { return Ok(()) };
    let total = plan.step_count();
    let now = || backend.clock().unwrap_or_else(Utc::now);
    for step in &current.steps {
        let n = *done + 1;
        let (what, result) = match step {
            Step::Apply(mutation) => {
                let what = mutation.describe();
                let result = backend.apply(Permit::grant(mutation.clone())).await.map_err(OpError::Backend);
                (what, result.map(Some))
            }
            Step::LocalCopy { path, contents } => {
                let what = format!("local copy {}", path.display());
                let result = store::write_local(path, contents)
                    .map(|()| None)
                    .map_err(|e| OpError::Backend(BackendError::Other(format!("local copy: {e}"))));
                (what, result)
            }
        };
        if total > 1 {
            let outcome = match &result {
                Ok(_) => "done".to_string(),
                Err(e) => format!("failed: {e}"),
            };
            let mut record = recorder.record(Phase::Step, outcome, now());
            record.step = Some(StepRecord { n, of: total, stage: current.label.clone(), what });
            if let Ok(Some(Receipt { request_id: Some(id), .. })) = &result {
                record.request_ids = vec![id.clone()];
            }
            ctx.audit.append(&record).map_err(OpError::Audit)?;
        }
        if let Some(receipt) = result? {
            receipts.push(receipt);
        }
        *done = n;
    }
    Ok(())
}

fn stage_watch(plan: &Plan, stage: usize, id: &str, now: DateTime<Utc>) -> Option<Watch> {
    let expect = &plan.stages.get(stage)?.expect;
    if expect.is_empty() {
        return None;
    }
    Some(Watch::many(id.to_string(), plan.headline(), expect.clone(), now))
}

/// Write the watch's end to the audit log: settled, failed, or timed out.
pub fn record_settled(
    ctx: &OpsContext,
    executed: &Executed,
    watch: &Watch,
    label: &BackendLabel,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let outcome = match &watch.state {
        super::WatchState::Running => return Ok(()),
        super::WatchState::Settled => format!("settled: {}", watch.progress),
        super::WatchState::Failed(why) => format!("watch failed: {why}"),
        super::WatchState::TimedOut => format!("timed out watching: {}", watch.progress),
    };
    let recorder = Recorder { plan: &executed.plan, id: &executed.id, who: &executed.who, label: label.clone() };
    let mut settled = recorder.record(Phase::Settled, outcome, now);
    // The action is over (a stage still to come keeps its lease until the last one settles).
    if !executed.has_next_stage() || !matches!(watch.state, super::WatchState::Settled) {
        super::leasing::release(ctx.team.as_deref(), &executed.id);
        if let Some(team) = &ctx.team {
            let lost = team.leases.take_lost();
            if !lost.is_empty() {
                settled.lease = Some(lost.join("; "));
            }
        }
    }
    ctx.audit.append(&settled)
}
