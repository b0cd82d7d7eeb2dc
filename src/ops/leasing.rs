//! Team mode on the action path: a plan says whose lease a resource is under; execute takes a
//! lease on each resource it changes before anything is sent (refusing, naming the holder, unless
//! the plan takes it over); the end of the action releases it. Without `[team]` all of this is a
//! no-op. A team table that cannot be reached does not stop an action at 3 a.m.: it goes ahead,
//! and its audit record says no lease was taken.

use super::plan::Plan;
use super::OpError;
use crate::backend::{Backend, BackendLabel};
use crate::team::lease::{LeaseError, Request, ACTION_LEASE};
use crate::team::Team;
use chrono::{DateTime, Utc};

/// Where a resource is: `ACCOUNT/REGION` (from the credentials' ARN), `demo/SCENARIO` on the
/// simulated fleet. A lease is on a resource in one account and region.
pub fn scope(label: &BackendLabel, arn: &str) -> String {
    match label {
        BackendLabel::Aws { region, .. } => {
            let account = arn.split(':').nth(4).filter(|a| !a.is_empty()).unwrap_or("unknown-account");
            format!("{account}/{region}")
        }
        BackendLabel::Demo { scenario, .. } => format!("demo/{scenario}"),
    }
}

/// The resources a plan changes (a test invocation changes none).
pub fn resources(plan: &Plan) -> Vec<String> {
    if plan.intent.verb() == "invoke" {
        return Vec::new();
    }
    let mut out: Vec<String> = plan.reads.iter().map(|r| r.address.resource().to_string()).collect();
    if out.is_empty() {
        out.push(plan.intent.target().to_string());
    }
    out.sort();
    out.dedup();
    out
}

/// At plan time: name another session's lease on what the plan changes. Never refuses: a plan
/// is a read.
pub async fn annotate(team: Option<&Team>, backend: &dyn Backend, plan: &mut Plan) {
    let Some(team) = team else { return };
    let resources = resources(plan);
    if resources.is_empty() {
        return;
    }
    let arn = backend.caller_identity().await.unwrap_or_default();
    let now = backend.clock().unwrap_or_else(Utc::now);
    match team.leases.held_by_other(&scope(&backend.label(), &arn), &resources, now).await {
        Ok(Some(lease)) => {
            // First among the notes, and holder first: the dialog cuts long lines.
            plan.notes.insert(0, format!("HELD by {}; acting takes the lease over (audited)", lease.summary()));
            plan.held_by = Some(format!("{} is {}", lease.resource, lease.describe()));
        }
        Ok(None) => {}
        Err(e) => plan.notes.push(format!("{e}: leases could not be checked")),
    }
}

/// At execute: take the leases (the audit record's note), or refuse.
pub(super) async fn take(
    team: Option<&Team>,
    backend: &dyn Backend,
    plan: &Plan,
    id: &str,
    arn: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, OpError> {
    let Some(team) = team else { return Ok(None) };
    let resources = resources(plan);
    if resources.is_empty() {
        return Ok(None);
    }
    let scope = scope(&backend.label(), arn);
    let request = Request {
        scope: &scope,
        resources: &resources,
        purpose: plan.intent.verb(),
        note: None,
        duration: ACTION_LEASE,
        take_over: plan.take_over,
    };
    match team.leases.take(id, &request, now).await {
        Ok(taken) if taken.taken_over.is_empty() => Ok(Some(format!("leased {}", resources.join(", ")))),
        Ok(taken) => Ok(Some(format!(
            "took over {}",
            taken
                .taken_over
                .iter()
                .map(|l| format!("{} from {}", l.resource, l.holder.describe()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        Err(LeaseError::Table(e)) => {
            tracing::warn!(%e, "no lease taken; acting anyway");
            Ok(Some(format!("no lease taken: {e}")))
        }
        Err(e) => Err(OpError::Refused(e.to_string())),
    }
}

/// The action is over: its leases go (in the background; a headless command waits for it in
/// `Team::drain`).
pub fn release(team: Option<&Team>, id: &str) {
    if let Some(team) = team {
        team.release_later(id);
    }
}
