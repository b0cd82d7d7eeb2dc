//! Teardown: save every resource's state first (SSM and the local copy), then take the environment
//! down. A second teardown never overwrites the state saved by the first; an interrupted one is
//! finished by running it again.

use super::saved::{EnvStatus, Pointer, SavedResource, SavedScaling, SavedState, FORMAT};
use super::store::{self, ReadError};
use super::{read_all, teardown_rank};
use crate::audit;
use crate::backend::{Backend, BackendError};
use crate::domain::{Address, EndpointSnapshot, Mutation, ScalableResource, Snapshot, VariantCapacity};
use crate::ops::environment::EnvironmentSpec;
use crate::ops::plan::{Change, Plan, Read, Step};
use crate::ops::watch::Expect;
use crate::ops::{Intent, OpError};
use chrono::Utc;
use std::collections::BTreeMap;
use std::path::Path;

/// A saved state that cannot be read refuses the teardown: without it, a second teardown could
/// overwrite the state of the first with zeros.
pub(super) fn read_error(env: &str, e: ReadError) -> OpError {
    match e {
        ReadError::Unreachable(e) => OpError::Backend(BackendError::Other(format!(
            "environment {env}: the saved state could not be read from SSM ({e}); nothing was changed"
        ))),
        ReadError::Corrupt(why) => OpError::Refused(format!(
            "environment {env}: {}; nothing was changed (see `opsdeck env show {env}` and docs/actions.md, recovering by hand)",
            ReadError::Corrupt(why)
        )),
    }
}

pub async fn plan_teardown(backend: &dyn Backend, env: &EnvironmentSpec, local_dir: &Path) -> Result<Plan, OpError> {
    let now = backend.clock().unwrap_or_else(Utc::now);
    let stored = store::read(backend, &env.name).await.map_err(|e| read_error(&env.name, e))?;
    let addresses = env.expand(backend).await?;
    let mut reads = read_all(backend, &addresses).await?;
    reads.sort_by_key(|r| teardown_rank(&r.address));
    // A state saved by a teardown that has not been restored is the one to keep.
    let (previous, kept) = match stored {
        Some((pointer, saved)) if pointer.status != EnvStatus::Restored => (Some(pointer), Some(saved)),
        Some((pointer, _)) => (Some(pointer), None),
        None => (None, None),
    };
    let mut plan = Plan::new(
        Intent::Teardown { env: env.clone(), local_dir: local_dir.to_path_buf() },
        reads.clone(),
        env.name.clone(),
    );
    plan.destructive = true;
    plan.inverse = Some(format!("restore {}", env.name));

    let mut added = Vec::new();
    let mut missing = Vec::new();
    for read in &reads {
        let saved = kept.as_ref().and_then(|k| k.find(&read.address));
        match (saved, &read.snapshot) {
            (Some(_), _) => {}
            (None, Some(snapshot)) => added.push(capture(backend, snapshot).await?),
            (None, None) => missing.push(read.address.to_string()),
        }
    }
    if !missing.is_empty() {
        return Err(OpError::BadInput(format!(
            "environment {}: {} not found, so there is no state to save; nothing was changed",
            env.name,
            missing.join(", ")
        )));
    }

    let mut down = Vec::new();
    for read in &reads {
        take_down(&mut plan, read, &mut down);
    }
    let saved_by = backend.caller_identity().await.unwrap_or_else(|e| format!("unknown ({e})"));
    let local = store::local_path(local_dir, &backend.label(), &env.name);
    let (saved, pointer, new_generation) = match (&previous, kept) {
        (Some(p), Some(k)) if added.is_empty() => (k, p.clone(), false),
        (_, kept) => {
            let mut saved = kept.unwrap_or_else(|| SavedState {
                format: FORMAT.into(),
                environment: env.name.clone(),
                saved_at: now,
                saved_by: saved_by.clone(),
                resources: Vec::new(),
            });
            saved.resources.extend(added.iter().cloned());
            let parts = store::parts_of(&saved).map_err(OpError::BadInput)?;
            let pointer = Pointer {
                format: FORMAT.into(),
                environment: env.name.clone(),
                status: EnvStatus::TearingDown,
                status_at: now,
                generation: audit::new_id(now),
                parts,
                saved_at: saved.saved_at,
                saved_by: saved.saved_by.clone(),
            };
            (saved, pointer, true)
        }
    };
    if let Some(p) = previous.as_ref().filter(|p| p.status != EnvStatus::Restored) {
        plan.notes.push(format!(
            "{} has been {} since {}: the state saved then is kept, never overwritten",
            env.name,
            p.status.as_str(),
            p.status_at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    let finished = previous.as_ref().is_some_and(|p| p.status == EnvStatus::TornDown);
    if down.is_empty() && finished && !new_generation {
        plan.notes.insert(0, format!("{} is already torn down: nothing to change", env.name));
        return Ok(plan);
    }

    let mut steps = Vec::new();
    if new_generation {
        steps.extend(store::save_mutations(&pointer, &saved).map_err(OpError::BadInput)?.into_iter().map(Step::Apply));
        plan.notes.push(format!(
            "first, the state of {} resources is saved to SSM ({}, {} part{}) and to {}: nothing changes before both are written",
            saved.resources.len(),
            store::pointer_name(&env.name),
            pointer.parts,
            if pointer.parts == 1 { "" } else { "s" },
            local.display()
        ));
    } else if pointer.status != EnvStatus::TearingDown {
        let marking = store::with_status(&pointer, EnvStatus::TearingDown, now);
        steps.push(Step::Apply(store::pointer_mutation(&marking).map_err(OpError::BadInput)?));
    }
    steps.push(local_copy(&local, &store::with_status(&pointer, EnvStatus::TearingDown, now), &saved)?);
    steps.extend(down.into_iter().map(Step::Apply));
    let done = store::with_status(&pointer, EnvStatus::TornDown, now);
    steps.push(Step::Apply(store::pointer_mutation(&done).map_err(OpError::BadInput)?));
    steps.push(local_copy(&local, &done, &saved)?);
    if let Some(old) = previous.as_ref().filter(|p| new_generation && p.generation != pointer.generation) {
        steps.extend(store::delete_generation(old).into_iter().map(Step::Apply));
    }
    for step in steps {
        plan.push_step(step);
    }
    for r in &saved.resources {
        plan.details.push(format!("saved  {:<52} {}", r.address().to_string(), r.describe()));
    }
    plan.notes.push("autoscaling min and max go to 0 so nothing brings tasks back; restore puts them back".into());
    if let Some(per_hour) = super::hourly_cost(backend, &reads).await.filter(|c| *c > 0.0) {
        plan.notes
            .push(format!("saves about ${:.2}/day while torn down (estimate, on-demand prices)", per_hour * 24.0));
    }
    Ok(plan)
}

fn local_copy(path: &Path, pointer: &Pointer, saved: &SavedState) -> Result<Step, OpError> {
    let copy = store::LocalCopy { pointer: pointer.clone(), saved: saved.clone() };
    let contents = serde_json::to_string_pretty(&copy).map_err(|e| OpError::BadInput(format!("local copy: {e}")))?;
    Ok(Step::LocalCopy { path: path.to_path_buf(), contents })
}

/// A resource's state as it is now, to be saved.
async fn capture(backend: &dyn Backend, snapshot: &Snapshot) -> Result<SavedResource, OpError> {
    let address = snapshot.address();
    Ok(match snapshot {
        Snapshot::Service(s) => SavedResource::EcsService { address, desired: s.service.desired, scaling: s.scaling },
        Snapshot::Endpoint(e) => capture_endpoint(backend, e).await?,
        Snapshot::Function(f) => SavedResource::Function { address, reserved_concurrency: f.reserved_concurrency },
        Snapshot::Rule(r) => SavedResource::Rule { address, state: r.state.clone() },
    })
}

async fn capture_endpoint(backend: &dyn Backend, e: &EndpointSnapshot) -> Result<SavedResource, OpError> {
    let name = &e.endpoint.name;
    let config = e.config_name.clone().ok_or_else(|| {
        OpError::Refused(format!(
            "sm:{name}: its endpoint config is unknown, so it could not be recreated; nothing was changed"
        ))
    })?;
    if e.endpoint.status == "Deleting" {
        return Err(OpError::Refused(format!(
            "sm:{name} is being deleted by someone else: its state cannot be saved; nothing was changed"
        )));
    }
    let variants = e
        .endpoint
        .variants
        .iter()
        .map(|v| VariantCapacity { variant: v.name.clone(), instances: v.desired_instances, weight: v.weight })
        .collect();
    let mut scaling = BTreeMap::new();
    for (variant, target) in &e.scaling {
        let resource = ScalableResource::Variant { endpoint: name.clone(), variant: variant.clone() };
        let policies = backend.scaling_policies(&resource).await?;
        scaling.insert(variant.clone(), SavedScaling { target: *target, policies });
    }
    Ok(SavedResource::Endpoint { address: Address::endpoint(name), config, variants, scaling })
}

/// The changes that take one resource down from where it is now (nothing for one already down).
fn take_down(plan: &mut Plan, read: &Read, down: &mut Vec<Mutation>) {
    let address = &read.address;
    match &read.snapshot {
        None => {}
        Some(Snapshot::Rule(r)) if r.enabled() => {
            plan.changes.push(Change::new(format!("{address}"), &r.state, "DISABLED"));
            down.push(Mutation::SetRuleEnabled { bus: r.bus.clone(), rule: r.name.clone(), enabled: false });
        }
        Some(Snapshot::Function(f)) if f.reserved_concurrency != Some(0) => {
            let before = f.reserved_concurrency.map_or("none".to_string(), |n| n.to_string());
            plan.changes.push(Change::new(format!("{address} reserved concurrency"), before, 0));
            down.push(Mutation::SetFunctionConcurrency { function: f.name.clone(), reserved: Some(0) });
        }
        Some(Snapshot::Service(s)) => {
            if let Some(t) = s.scaling.filter(|t| (t.min, t.max) != (0, 0)) {
                plan.changes.push(Change::new(
                    format!("{address} autoscaling min-max"),
                    format!("{}-{}", t.min, t.max),
                    "0-0",
                ));
                let resource = ScalableResource::EcsService {
                    cluster: s.service.cluster.clone(),
                    service: s.service.name.clone(),
                };
                down.push(Mutation::SetScalingBounds { resource, min: 0, max: 0, suspended: t.suspended });
            }
            if s.service.desired != 0 {
                plan.changes.push(Change::new(format!("{address} desired"), s.service.desired, 0));
                down.push(Mutation::SetDesiredCount { address: address.clone(), count: 0 });
            }
            plan.wait_for(address.clone(), Expect::EcsCount { count: 0 });
        }
        Some(Snapshot::Endpoint(e)) => {
            if e.endpoint.status != "Deleting" {
                for variant in e.scaling.keys() {
                    let resource =
                        ScalableResource::Variant { endpoint: e.endpoint.name.clone(), variant: variant.clone() };
                    down.push(Mutation::DeregisterScalingTarget { resource });
                }
                let shape: Vec<String> = e
                    .endpoint
                    .variants
                    .iter()
                    .map(|v| format!("{} {}×{}", v.name, v.current_instances, v.instance_type))
                    .collect();
                let config = e.config_name.clone().unwrap_or_default();
                plan.changes.push(Change::new(
                    format!("{address}"),
                    format!("{} ({})", e.endpoint.status, shape.join(", ")),
                    format!("deleted (config {config} kept)"),
                ));
                down.push(Mutation::DeleteEndpoint { endpoint: e.endpoint.name.clone() });
                if !e.scaling.is_empty() {
                    plan.notes.push(format!(
                        "{address}: its autoscaling goes with it (deregistered first); the target and its policies are saved"
                    ));
                }
            }
            plan.wait_for(address.clone(), Expect::Absent);
        }
        Some(_) => {}
    }
}
