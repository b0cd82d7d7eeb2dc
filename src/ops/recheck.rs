//! The re-check at execute. A plan is a promise about what will happen; between the plan and the
//! confirmation the world moves (a deployment finishes, autoscaling fires, a colleague acts). At
//! execute every resource is read again and compared with the plan's read:
//!
//! - nothing moved: the confirmed plan goes out as it is;
//! - something moved: the plan is made again from a fresh read, and
//!   - it has nothing to send: the goal was reached meanwhile (nothing left to do);
//!   - it cannot be made (the endpoint is `Updating`, the count is now outside autoscaling's
//!     bounds, the function is at 0): refused, saying why, nothing sent;
//!   - its promise differs (other calls, or other values to reach): re-planned, the new plan goes
//!     back for a new confirmation;
//!   - its promise is the same but something that was read moved (a colleague changed the
//!     count): a conflict, as always. What only decides *how* (the service deployment's status)
//!     or, for a test invocation, anything short of the resource being unable to answer, lets
//!     the confirmed plan go out.

use super::intent::Intent;
use super::plan::{self, primary_id, Change, Plan, Step};
use super::resource_plans;
use super::OpError;
use crate::backend::{Backend, BackendError};
use crate::domain::{Mutation, Snapshot};

/// What the fresh read at execute says about a confirmed plan.
#[derive(Debug)]
pub(super) enum Recheck {
    /// Go on with the confirmed plan.
    Proceed,
    /// Confirm this plan instead (what moved).
    Replanned { plan: Box<Plan>, why: Vec<Change> },
    /// The goal was reached meanwhile.
    NothingLeft { reason: String, why: Vec<Change> },
    /// The plan cannot be made any more (why it cannot, what moved).
    NoLongerApplies { error: OpError, why: Vec<Change> },
}

/// Read every resource again (side by side), compare, and re-plan when something moved.
pub(super) async fn recheck(backend: &dyn Backend, planned: &Plan) -> Result<Recheck, OpError> {
    let addresses = planned.reads.iter().map(|r| r.address.clone()).collect();
    let fresh_reads = crate::backend::read_each(backend, addresses).await;
    let mut moved: Vec<(String, Vec<Change>)> = Vec::new();
    for (read, result) in planned.reads.iter().zip(fresh_reads) {
        let fresh = match result {
            Ok(s) => Some(s),
            Err(BackendError::NotFound(_)) => None,
            Err(e) => return Err(OpError::Backend(e)),
        };
        let changed = plan::conflicts(read.snapshot.as_ref(), fresh.as_ref());
        if !changed.is_empty() {
            moved.push((read.address.to_string(), changed));
        }
    }
    if moved.is_empty() {
        return Ok(Recheck::Proceed);
    }
    let many = planned.reads.len() > 1;
    let why: Vec<Change> = moved
        .iter()
        .flat_map(|(address, changes)| {
            changes.iter().map(move |c| {
                let field = if many { format!("{address} {}", c.field) } else { c.field.clone() };
                Change::new(field, &c.before, &c.after)
            })
        })
        .collect();
    let fresh = match resource_plans::plan(backend, planned.intent.clone()).await {
        Ok(p) => p,
        Err(e @ (OpError::Backend(_) | OpError::Audit(_))) => return Err(e),
        Err(error) => return Ok(Recheck::NoLongerApplies { error, why }),
    };
    if fresh.is_noop() {
        let reason = fresh
            .notes
            .iter()
            .find(|n| n.contains("nothing to change") || n.contains("nothing is torn down"))
            .or(fresh.notes.first())
            .cloned()
            .unwrap_or_else(|| "the resource is already as asked".into());
        return Ok(Recheck::NothingLeft { reason, why });
    }
    if let Some(reason) = redeployed_meanwhile(planned, &fresh) {
        return Ok(Recheck::NothingLeft { reason, why });
    }
    if promise(planned) != promise(&fresh) {
        return Ok(Recheck::Replanned { plan: Box::new(fresh), why });
    }
    let conflict = moved.into_iter().find(|(_, changes)| changes.iter().any(|c| !how_only(&planned.intent, &c.field)));
    match conflict {
        Some((address, changes)) => Err(OpError::Conflict { address, changes }),
        None => Ok(Recheck::Proceed),
    }
}

/// What a plan promises: the calls it makes to resources (the saved state's SSM writes and local
/// copies carry new generations and times each time, so they are left out) and what each changed
/// field is to become.
fn promise(p: &Plan) -> (Vec<&Mutation>, Vec<(&str, &str)>) {
    let calls = p
        .stages
        .iter()
        .flat_map(|s| s.steps.iter())
        .filter_map(|step| match step {
            Step::Apply(Mutation::PutParameter { .. } | Mutation::DeleteParameters { .. }) => None,
            Step::Apply(m) => Some(m),
            Step::LocalCopy { .. } => None,
        })
        .collect();
    let ends = p.changes.iter().map(|c| (c.field.as_str(), c.after.as_str())).collect();
    (calls, ends)
}

/// A field that only decides how the plan gets there: when it alone moved and the promise holds,
/// the confirmed plan goes out. For a test invocation everything read is of that kind (an
/// endpoint that went `Updating` still answers; one that cannot answer fails the re-plan).
fn how_only(intent: &Intent, field: &str) -> bool {
    matches!(intent, Intent::Invoke { .. } | Intent::InvokeFunction { .. }) || field == plan::SERVICE_DEPLOYMENT
}

/// A redeploy whose service has a new primary deployment of the same task definition: someone
/// (a colleague, a pipeline) already started the new deployment the plan promised.
fn redeployed_meanwhile(planned: &Plan, fresh: &Plan) -> Option<String> {
    let Intent::Redeploy { address } = &planned.intent else { return None };
    let (Some(Snapshot::Service(before)), Some(Snapshot::Service(now))) = (planned.snapshot(), fresh.snapshot()) else {
        return None;
    };
    let started = primary_id(now)?;
    let same_revision = before.service.task_definition == now.service.task_definition;
    (primary_id(before).as_ref() != Some(&started) && same_revision).then(|| {
        format!(
            "a new deployment of {} ({started}) started on {address} since the plan was read",
            now.service.task_definition
        )
    })
}

/// "native roll back (StopServiceDeployment)" and the like: what a plan sends, for the audit
/// record and the dialog.
pub(super) fn calls(p: &Plan) -> Vec<String> {
    promise(p).0.iter().map(|m| m.describe()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Address;
    use std::path::PathBuf;

    fn plan_with(steps: Vec<Step>, after: &str) -> Plan {
        let address: Address = "ecs:c/s".parse().unwrap();
        let intent = Intent::Scale { address, count: 3, adjust_autoscaling: false };
        let mut p = Plan::new(intent, Vec::new(), "s".into());
        p.changes.push(Change::new("desired", "2", after));
        for step in steps {
            p.push_step(step);
        }
        p
    }

    fn saved(generation: &str) -> Vec<Step> {
        vec![
            Step::Apply(Mutation::PutParameter {
                name: format!("/opsdeck/environments/e/saved/{generation}/0"),
                value: "{}".into(),
            }),
            Step::LocalCopy { path: PathBuf::from("/tmp/e.json"), contents: generation.into() },
            Step::Apply(Mutation::SetDesiredCount { address: "ecs:c/s".parse().unwrap(), count: 3 }),
            Step::Apply(Mutation::DeleteParameters {
                names: vec![format!("/opsdeck/environments/e/saved/{generation}/0")],
            }),
        ]
    }

    #[test]
    fn the_saved_states_writes_are_not_part_of_the_promise_but_the_calls_and_ends_are() {
        assert_eq!(promise(&plan_with(saved("g1"), "3")), promise(&plan_with(saved("g2"), "3")));
        assert_ne!(promise(&plan_with(saved("g1"), "3")), promise(&plan_with(saved("g1"), "4")), "another end");
        let other = vec![Step::Apply(Mutation::SetDesiredCount { address: "ecs:c/s".parse().unwrap(), count: 4 })];
        assert_ne!(promise(&plan_with(saved("g1"), "3")), promise(&plan_with(other, "3")), "another call");
        assert_eq!(calls(&plan_with(saved("g1"), "3")), ["ecs:c/s: desired count 3"]);
    }

    #[test]
    fn only_the_deployment_status_or_anything_for_an_invocation_decides_how_only() {
        let address: Address = "ecs:c/s".parse().unwrap();
        let scale = Intent::Scale { address, count: 3, adjust_autoscaling: false };
        assert!(how_only(&scale, plan::SERVICE_DEPLOYMENT));
        assert!(!how_only(&scale, "desired count"));
        let payload = crate::ops::invoke::from_config("{}", Some("application/json")).unwrap();
        let invoke = Intent::Invoke { address: Address::endpoint("e"), payload };
        assert!(how_only(&invoke, "endpoint status"));
    }
}
