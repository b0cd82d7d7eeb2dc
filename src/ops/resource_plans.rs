//! The plans of actions on one resource: scale, redeploy, roll back, invoke; and `plan`, which
//! reads the resource fresh and picks the planner (environments plan in `env`).

use super::function_plans;
use super::intent::{Intent, RevisionChoice};
use super::plan::{primary_id, Change, Plan, Read};
use super::revisions;
use super::watch::Expect;
use super::OpError;
use crate::backend::Backend;
use crate::domain::{
    Address, EndpointSnapshot, Mutation, ScalableResource, ScalingTarget, ServiceSnapshot, Snapshot, TaskDefRef,
};

/// Read the resource fresh and work out the change.
pub async fn plan(backend: &dyn Backend, intent: Intent) -> Result<Plan, OpError> {
    let address = match &intent {
        Intent::Teardown { env, local_dir } => return super::env::plan_teardown(backend, env, local_dir).await,
        Intent::Restore { env, local_dir, payloads } => {
            return super::env::plan_restore(backend, env, local_dir, payloads).await
        }
        other => other.target().address().cloned().ok_or_else(|| OpError::BadInput("no resource".into()))?,
    };
    let snapshot = backend.snapshot(&address).await?;
    match (&intent, &snapshot) {
        (Intent::Scale { count, adjust_autoscaling, .. }, Snapshot::Service(s)) => {
            let (count, adjust) = (*count, *adjust_autoscaling);
            Ok(scale_service(intent.clone(), s, count, adjust, snapshot.clone()))
                .and_then(|p| check_bounds(p, s.scaling, count, adjust))
        }
        (Intent::Scale { count, adjust_autoscaling, .. }, Snapshot::Endpoint(e)) => {
            scale_variant(intent.clone(), e, *count, *adjust_autoscaling, snapshot.clone())
        }
        (Intent::Redeploy { .. }, Snapshot::Service(s)) => Ok(redeploy(intent.clone(), s, snapshot.clone())),
        (Intent::Rollback { to, .. }, Snapshot::Service(s)) => {
            let to = to.clone();
            rollback(backend, s, &to, snapshot.clone()).await
        }
        (Intent::Invoke { .. }, Snapshot::Endpoint(e)) => invoke(intent.clone(), e, snapshot.clone()),
        (Intent::InvokeFunction { .. }, Snapshot::Function(f)) => {
            function_plans::invoke(intent.clone(), f, snapshot.clone())
        }
        (Intent::Concurrency { .. }, Snapshot::Function(f)) => {
            function_plans::concurrency(intent.clone(), f, snapshot.clone())
        }
        (intent, _) => Err(OpError::BadInput(format!(
            "{} does not apply to {address}: {}",
            intent.verb(),
            match intent {
                Intent::Invoke { .. } => "invoke needs a SageMaker endpoint (sm:ENDPOINT[/VARIANT])",
                Intent::InvokeFunction { .. } | Intent::Concurrency { .. } =>
                    "it needs a Lambda function (lambda:NAME)",
                Intent::Scale { .. } => "scale needs an ECS service or a SageMaker variant",
                _ => "redeploy and rollback need an ECS service (ecs:CLUSTER/SERVICE)",
            }
        ))),
    }
}

fn empty_plan(intent: Intent, snapshot: Snapshot, confirm_name: String) -> Plan {
    let read = Read { address: snapshot.address(), snapshot: Some(snapshot) };
    Plan::new(intent, vec![read], confirm_name)
}

fn scale_service(intent: Intent, s: &ServiceSnapshot, count: u32, adjust: bool, snapshot: Snapshot) -> Plan {
    let address = s.service.address();
    let mut plan = empty_plan(intent, snapshot, s.service.name.clone());
    let before = s.service.desired;
    if before == count {
        plan.notes.push(format!("{address} already wants {count}: nothing to change"));
        return plan;
    }
    plan.changes.push(Change::new("desired", before, count));
    plan.notes.push(format!("running {} of {before} now", s.service.running));
    if let Some(bounds) = bounds_change(s.scaling, count, adjust) {
        let resource =
            ScalableResource::EcsService { cluster: s.service.cluster.clone(), service: s.service.name.clone() };
        push_bounds(&mut plan, resource, bounds);
    }
    plan.push(Mutation::SetDesiredCount { address: address.clone(), count });
    plan.destructive = count == 0;
    if count == 0 {
        plan.notes.push("scaling to 0 stops every task: the service serves nothing until scaled up".into());
    }
    plan.inverse = Some(format!("scale {address} {before}"));
    plan.wait_for(address, Expect::EcsCount { count });
    plan
}

/// The new (min, max, target) when `count` is outside the registered bounds and the user asked to
/// move them; None when they do not need moving.
fn bounds_change(scaling: Option<ScalingTarget>, count: u32, adjust: bool) -> Option<(ScalingTarget, ScalingTarget)> {
    let t = scaling?;
    if !adjust || (t.min..=t.max).contains(&count) {
        return None;
    }
    let moved = ScalingTarget { min: t.min.min(count), max: t.max.max(count), suspended: t.suspended };
    Some((t, moved))
}

fn push_bounds(plan: &mut Plan, resource: ScalableResource, (old, new): (ScalingTarget, ScalingTarget)) {
    plan.changes.push(Change::new(
        "autoscaling min-max",
        format!("{}-{}", old.min, old.max),
        format!("{}-{}", new.min, new.max),
    ));
    plan.notes.push("autoscaling's suspended flags are sent back exactly as read".into());
    plan.push(Mutation::SetScalingBounds { resource, min: new.min, max: new.max, suspended: old.suspended });
}

/// Autoscaling notes, and the refusal when the count is outside min/max without the flag.
fn check_bounds(mut plan: Plan, scaling: Option<ScalingTarget>, count: u32, adjust: bool) -> Result<Plan, OpError> {
    let Some(t) = scaling else {
        if !plan.is_noop() {
            plan.notes.push("no autoscaling target is registered: the count stays as set".into());
        }
        return Ok(plan);
    };
    let suspended = describe_suspended(t);
    plan.notes.insert(0, format!("autoscaling: min {} max {}{suspended}", t.min, t.max));
    if plan.is_noop() || adjust || (t.min..=t.max).contains(&count) {
        return Ok(plan);
    }
    let side = if count > t.max {
        format!("above the autoscaling max {}", t.max)
    } else {
        format!("below the autoscaling min {}", t.min)
    };
    Err(OpError::BadInput(format!(
        "{count} is {side} for {}: autoscaling would undo it. Run `{} --adjust-autoscaling` to move min/max in the same change",
        plan.intent.target(),
        plan.intent.command_line()
    )))
}

fn describe_suspended(t: ScalingTarget) -> String {
    let s = t.suspended;
    let mut parts = Vec::new();
    if s.dynamic_in {
        parts.push("scale-in");
    }
    if s.dynamic_out {
        parts.push("scale-out");
    }
    if s.scheduled {
        parts.push("scheduled");
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" (suspended: {})", parts.join(", "))
    }
}

fn variant_of(e: &EndpointSnapshot, address: &Address) -> Result<String, OpError> {
    let Address::Endpoint { variant, .. } = address else {
        return Err(OpError::BadInput(format!("{address} is not an endpoint")));
    };
    let names: Vec<&str> = e.endpoint.variants.iter().map(|v| v.name.as_str()).collect();
    match variant {
        Some(v) if names.contains(&v.as_str()) => Ok(v.clone()),
        Some(v) => {
            Err(OpError::BadInput(format!("{} has no variant {v} (it has {})", e.endpoint.name, names.join(", "))))
        }
        None if names.len() == 1 => Ok(names[0].to_string()),
        None => Err(OpError::BadInput(format!(
            "{} has {} variants: name one, e.g. sm:{}/{}",
            e.endpoint.name,
            names.len(),
            e.endpoint.name,
            names.first().copied().unwrap_or("VARIANT")
        ))),
    }
}

fn scale_variant(
    intent: Intent,
    e: &EndpointSnapshot,
    count: u32,
    adjust: bool,
    snapshot: Snapshot,
) -> Result<Plan, OpError> {
    let address = intent.target().address().cloned().unwrap_or_else(|| e.endpoint.address());
    let variant = variant_of(e, &address)?;
    if count == 0 {
        return Err(OpError::BadInput(format!(
            "a SageMaker variant cannot scale to 0 instances (only inference components can): to stop paying for \
             {}, delete the endpoint and keep its config (environment teardown)",
            e.endpoint.name
        )));
    }
    if e.endpoint.status != "InService" {
        return Err(OpError::Refused(format!(
            "{} is {}: SageMaker accepts capacity changes only InService; `wait sm:{}` first",
            e.endpoint.name, e.endpoint.status, e.endpoint.name
        )));
    }
    let v = e.endpoint.variants.iter().find(|v| v.name == variant);
    let before = v.map_or(0, |v| v.desired_instances);
    let name = format!("{}/{variant}", e.endpoint.name);
    let mut plan = empty_plan(intent, snapshot, name);
    let scaling = e.scaling.get(&variant).copied();
    if before == count {
        plan.notes.push(format!("{address} already has {count} instances: nothing to change"));
        return Ok(plan);
    }
    plan.changes.push(Change::new("instances", before, count));
    if let Some(v) = v {
        plan.notes.push(format!(
            "{} × {} now; the endpoint goes Updating, then InService",
            v.current_instances, v.instance_type
        ));
    }
    if let Some(bounds) = bounds_change(scaling, count, adjust) {
        let resource = ScalableResource::Variant { endpoint: e.endpoint.name.clone(), variant: variant.clone() };
        push_bounds(&mut plan, resource, bounds);
    }
    plan.push(Mutation::SetVariantInstances { endpoint: e.endpoint.name.clone(), variant: variant.clone(), count });
    plan.inverse = Some(format!("scale sm:{}/{variant} {before}", e.endpoint.name));
    let watched = Address::Endpoint { endpoint: e.endpoint.name.clone(), variant: Some(variant.clone()) };
    plan.wait_for(watched, Expect::Endpoint { variant: Some(variant), count: Some(count) });
    check_bounds(plan, scaling, count, adjust)
}

fn redeploy(intent: Intent, s: &ServiceSnapshot, snapshot: Snapshot) -> Plan {
    let address = s.service.address();
    let mut plan = empty_plan(intent, snapshot, s.service.name.clone());
    let td = &s.service.task_definition;
    plan.changes.push(Change::new(
        "deployment",
        format!("{} ({})", td, s.service.rollout.as_str()),
        format!("new deployment of {td}"),
    ));
    plan.push(Mutation::ForceNewDeployment { address });
    plan.notes.push(
        "every task is replaced, on the same task definition (same image tag: a moved tag is pulled again)".into(),
    );
    plan.notes.push("no undo: a redeploy changes no setting".into());
    plan.wait_for(s.service.address(), Expect::Rollout { previous_primary: primary_id(s), task_def: td.clone() });
    plan
}

async fn rollback(
    backend: &dyn Backend,
    s: &ServiceSnapshot,
    to: &RevisionChoice,
    snapshot: Snapshot,
) -> Result<Plan, OpError> {
    let address = s.service.address();
    let current = s.service.task_definition.clone();
    let history = backend.revision_history(&address).await?;
    let target: TaskDefRef = match to {
        RevisionChoice::Previous => revisions::previous(&current, &history).ok_or_else(|| {
            OpError::BadInput(format!("{address} has no earlier revision of {} to roll back to", current.family))
        })?,
        RevisionChoice::Number { family, revision } => {
            if let Some(f) = family.as_ref().filter(|f| **f != current.family) {
                return Err(OpError::BadInput(format!(
                    "{address} runs family {}, not {f}: roll back stays within the service's family",
                    current.family
                )));
            }
            let wanted = TaskDefRef { family: current.family.clone(), revision: *revision };
            if !history.revisions.contains(&wanted) {
                // Older than the listed window, or INACTIVE: ask for it directly.
                backend.task_definition(&wanted).await.map_err(|e| match e {
                    crate::backend::BackendError::NotFound(_) => {
                        OpError::BadInput(format!("unknown revision {wanted}: it does not exist or is not ACTIVE"))
                    }
                    other => OpError::Backend(other),
                })?;
            }
            wanted
        }
    };
    // The plan names the revision it resolved ("previous" -> 14): the audit, a read-only hand-off
    // and an undo then say exactly what was meant.
    let intent = Intent::Rollback {
        address: address.clone(),
        to: RevisionChoice::Number { family: None, revision: target.revision },
    };
    let mut plan = empty_plan(intent, snapshot, s.service.name.clone());
    plan.details = revisions::listing(&current, &target, &history);
    if target == current {
        plan.notes.push(format!("{address} already runs {current}: nothing to change"));
        return Ok(plan);
    }
    plan.changes.push(Change::new("task definition", &current, &target));
    let last_completed = history.completed.iter().find(|r| **r != current);
    let native = s.deployment.as_ref().filter(|d| d.in_progress() && last_completed == Some(&target));
    match native {
        Some(d) => {
            plan.notes.push(format!(
                "the deployment of {current} is still {}: ECS's native roll back (StopServiceDeployment) returns to the \
                 last completed deployment, the faster path",
                d.status
            ));
            plan.push(Mutation::RollbackDeployment { address: address.clone(), deployment_arn: d.arn.clone() });
        }
        None => {
            // Say why the faster path is not taken when the newest deployment is the one replaced.
            if let Some(d) = s.deployment.as_ref().filter(|d| !d.in_progress() && d.target.as_ref() == Some(&current)) {
                plan.notes.push(format!(
                    "the deployment of {current} is {}: ECS's native roll back applies only while one is under way",
                    d.status
                ));
            }
            plan.notes.push("UpdateService sends only the task definition (no iam:PassRole needed)".into());
            plan.push(Mutation::SetTaskDefinition { address: address.clone(), task_def: target.clone() });
        }
    }
    match (backend.task_definition(&current).await, backend.task_definition(&target).await) {
        (Ok(a), Ok(b)) => {
            plan.details.push(String::new());
            plan.details.extend(revisions::diff(&a, &b));
        }
        (Err(e), _) | (_, Err(e)) => plan.details.push(format!("(no diff: {e})")),
    }
    plan.inverse = Some(format!("rollback {address} --to {}", current.revision));
    plan.wait_for(address, Expect::Rollout { previous_primary: primary_id(s), task_def: target });
    Ok(plan)
}

fn invoke(intent: Intent, e: &EndpointSnapshot, snapshot: Snapshot) -> Result<Plan, OpError> {
    let Intent::Invoke { address, payload } = &intent else {
        return Err(OpError::BadInput("not an invoke".into()));
    };
    let variant = match address {
        Address::Endpoint { variant: Some(_), .. } => Some(variant_of(e, address)?),
        _ => None,
    };
    if !matches!(e.endpoint.status.as_str(), "InService" | "Updating" | "SystemUpdating") {
        return Err(OpError::Refused(format!(
            "{} is {}: it cannot answer an invocation",
            e.endpoint.name, e.endpoint.status
        )));
    }
    let mut plan = empty_plan(intent.clone(), snapshot, e.endpoint.name.clone());
    plan.changes.push(Change::new(
        "invocation",
        "-",
        format!(
            "1 request to {}{}",
            e.endpoint.name,
            variant.as_ref().map(|v| format!(" (variant {v})")).unwrap_or_default()
        ),
    ));
    plan.details.push(format!("payload: {}", payload.describe()));
    plan.details.extend(super::invoke::preview(&payload.body));
    plan.notes.push("a test request is real traffic: it is billed, logged and may have side effects".into());
    plan.notes.push("the container has 60 s to answer; opsdeck waits 70 s".into());
    plan.push(Mutation::Invoke {
        endpoint: e.endpoint.name.clone(),
        variant,
        content_type: payload.content_type.clone(),
        body: payload.body.clone(),
    });
    Ok(plan)
}
