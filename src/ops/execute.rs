//! Execute: conflict check, audit record, then the mutations, in that order and no other.

use super::audit::{self, AuditLog, AuditRecord, Phase, Who};
use super::confirm::Confirmed;
use super::plan::{self, Plan};
use super::watch::Watch;
use super::OpError;
use crate::backend::{Backend, BackendLabel};
use crate::domain::{Mutation, Receipt};
use chrono::{DateTime, Utc};

/// The one thing a backend's `apply` takes. Its field is private and only `execute` (below)
/// makes one, after the conflict check and the audit record: skipping a step does not compile.
#[derive(Debug)]
pub struct Permit {
    mutation: Mutation,
}

impl Permit {
    pub fn mutation(&self) -> &Mutation {
        &self.mutation
    }

    /// For the library's own unit tests of a backend's mutations (src/aws/env_tests.rs):
    /// `cfg(test)` items exist only in that build, never in the binary or for integration tests.
    #[cfg(test)]
    pub(crate) fn for_tests(mutation: Mutation) -> Permit {
        Permit { mutation }
    }
}

/// What every action needs besides the backend: the read-only switch and the audit log.
#[derive(Debug)]
pub struct OpsContext {
    pub read_only: bool,
    pub audit: AuditLog,
}

/// An action that was carried out: its audit id, what AWS answered, and the watch to follow it.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    pub id: String,
    pub plan: Plan,
    pub receipts: Vec<Receipt>,
    pub watch: Option<Watch>,
    pub who: Who,
}

fn where_(label: &BackendLabel) -> (String, String) {
    match label {
        BackendLabel::Aws { profile, region } => (profile.clone(), region.clone()),
        BackendLabel::Demo { scenario, .. } => (format!("demo:{scenario}"), "simulated".into()),
    }
}

fn record(
    plan: &Plan,
    id: &str,
    who: &Who,
    label: &BackendLabel,
    phase: Phase,
    outcome: String,
    now: DateTime<Utc>,
) -> AuditRecord {
    let (profile, region) = where_(label);
    let (before, after) = plan.before_after();
    AuditRecord {
        id: id.to_string(),
        time: now,
        phase,
        who: who.clone(),
        profile,
        region,
        action: plan.intent.verb().to_string(),
        resource: plan.intent.address().to_string(),
        command: plan.intent.command_line(),
        before,
        after,
        request_ids: Vec::new(),
        outcome,
        inverse: plan.inverse.clone(),
    }
}

/// Carry out a confirmed plan: refuse in read-only mode, refuse if the resource changed since the
/// plan read it, write the audit record (nothing runs if that fails), apply each mutation, and
/// write what AWS said.
pub async fn execute(backend: &dyn Backend, ctx: &OpsContext, confirmed: Confirmed) -> Result<Executed, OpError> {
    let plan = confirmed.into_plan();
    if ctx.read_only {
        return Err(OpError::Refused("read-only mode".into()));
    }
    let address = plan.intent.address().clone();
    let fresh = backend.snapshot(&address).await?;
    let changed = plan::conflicts(&plan.snapshot, &fresh);
    if !changed.is_empty() {
        return Err(OpError::Conflict { address: address.to_string(), changes: changed });
    }
    let arn = match backend.caller_identity().await {
        Ok(arn) => arn,
        Err(e) => format!("unknown ({e})"),
    };
    let who = Who::local(arn);
    let label = backend.label();
    let now = || backend.clock().unwrap_or_else(Utc::now);
    let id = audit::new_id(now());
    ctx.audit
        .append(&record(&plan, &id, &who, &label, Phase::Started, "started".into(), now()))
        .map_err(OpError::Audit)?;
    let mut receipts = Vec::new();
    for mutation in &plan.mutations {
        match backend.apply(Permit { mutation: mutation.clone() }).await {
            Ok(receipt) => receipts.push(receipt),
            Err(e) => {
                let mut failed = record(&plan, &id, &who, &label, Phase::Finished, format!("failed: {e}"), now());
                failed.request_ids = receipts.iter().filter_map(|r| r.request_id.clone()).collect();
                // The failure is what matters now; a failed audit write is logged, not hidden.
                if let Err(audit_error) = ctx.audit.append(&failed) {
                    tracing::error!(%audit_error, "could not record a failed action");
                }
                return Err(OpError::Backend(e));
            }
        }
    }
    let mut done = record(&plan, &id, &who, &label, Phase::Finished, "succeeded".into(), now());
    done.request_ids = receipts.iter().filter_map(|r| r.request_id.clone()).collect();
    ctx.audit.append(&done).map_err(|e| OpError::Audit(format!("{e}; the change WAS applied")))?;
    let watch = plan.expect.clone().map(|expect| {
        let label = plan.headline();
        Watch::new(id.clone(), address.clone(), label, expect, now())
    });
    Ok(Executed { id, plan, receipts, watch, who })
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
    ctx.audit.append(&record(&executed.plan, &executed.id, &executed.who, label, Phase::Settled, outcome, now))
}
