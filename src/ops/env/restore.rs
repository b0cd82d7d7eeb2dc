//! Restore: put every resource back exactly as saved. Endpoints are recreated from their saved
//! configs first (the slowest), then services, functions and rules; once the endpoints are
//! InService their instance counts and autoscaling go back, the state is marked restored, and the
//! configured test inferences check that they answer.

use super::saved::{EnvStatus, Pointer, SavedResource, SavedState};
use super::store::{self, LocalCopy, ReadError};
use super::{read_all, teardown_rank};
use crate::backend::{Backend, BackendError};
use crate::domain::{Address, Mutation, ScalableResource, Snapshot, VariantCapacity};
use crate::ops::environment::EnvironmentSpec;
use crate::ops::invoke::Payload;
use crate::ops::plan::{Change, Plan, Read, Step};
use crate::ops::watch::Expect;
use crate::ops::{Intent, OpError};
use chrono::Utc;
use std::collections::BTreeMap;
use std::path::Path;

/// Where the saved state came from.
enum Source {
    Ssm,
    /// SSM could not be read: the local copy, and why.
    Local(String),
}

/// SSM first; the local copy only when SSM cannot be read (saying so). No saved state: refused.
async fn saved_state(backend: &dyn Backend, env: &str, local: &Path) -> Result<(Pointer, SavedState, Source), OpError> {
    let why = match store::read(backend, env).await {
        Ok(Some((pointer, saved))) => return Ok((pointer, saved, Source::Ssm)),
        Ok(None) => {
            return Err(OpError::Refused(format!(
                "environment {env} has no saved state ({} does not exist): there is nothing to restore; nothing was changed",
                store::pointer_name(env)
            )))
        }
        Err(e @ (ReadError::Unreachable(_) | ReadError::Corrupt(_))) => e.to_string(),
    };
    match store::read_local(local) {
        Ok(Some(LocalCopy { pointer, saved })) => Ok((pointer, saved, Source::Local(why))),
        Ok(None) => Err(OpError::Backend(BackendError::Other(format!(
            "environment {env}: {why}, and there is no local copy at {}; nothing was changed",
            local.display()
        )))),
        Err(e) => Err(OpError::Backend(BackendError::Other(format!(
            "environment {env}: {why}, and the local copy cannot be read ({e}); nothing was changed"
        )))),
    }
}

pub async fn plan_restore(
    backend: &dyn Backend,
    env: &EnvironmentSpec,
    local_dir: &Path,
    payloads: &BTreeMap<String, Payload>,
) -> Result<Plan, OpError> {
    let now = backend.clock().unwrap_or_else(Utc::now);
    let local = store::local_path(local_dir, &backend.label(), &env.name);
    let (pointer, saved, source) = saved_state(backend, &env.name, &local).await?;
    let mut addresses: Vec<Address> = saved.resources.iter().map(|r| r.address().clone()).collect();
    addresses.sort_by_key(|a| std::cmp::Reverse(teardown_rank(a)));
    let reads = read_all(backend, &addresses).await?;
    let intent = Intent::Restore { env: env.clone(), local_dir: local_dir.to_path_buf(), payloads: payloads.clone() };
    let mut plan = Plan::new(intent, reads.clone(), env.name.clone());
    plan.inverse = Some(format!("teardown {}", env.name));
    if let Source::Local(why) = &source {
        plan.notes.push(format!(
            "{why}: using the local copy {} (saved {}); SSM is not updated, so run `opsdeck restore {}` again once it answers",
            local.display(),
            saved.saved_at.format("%Y-%m-%d %H:%M UTC"),
            env.name
        ));
    } else {
        plan.notes.push(format!(
            "saved state from SSM {} (saved {} by {})",
            store::pointer_name(&env.name),
            saved.saved_at.format("%Y-%m-%d %H:%M UTC"),
            saved.saved_by
        ));
    }
    if pointer.status == EnvStatus::Restored {
        plan.notes.insert(
            0,
            format!(
                "{} was restored at {}: nothing is torn down",
                env.name,
                pointer.status_at.format("%Y-%m-%d %H:%M UTC")
            ),
        );
        return Ok(plan);
    }

    let mut work = Work::default();
    for read in &reads {
        if let Some(resource) = saved.find(&read.address) {
            bring_back(backend, &mut plan, &mut work, resource, read).await?;
        }
    }
    for r in &saved.resources {
        plan.details.push(format!("saved  {:<52} {}", r.address().to_string(), r.describe()));
    }
    let ssm = matches!(source, Source::Ssm);
    let mark = |plan: &mut Plan, status: EnvStatus| -> Result<(), OpError> {
        let marked = store::with_status(&pointer, status, now);
        if ssm {
            plan.push_step(Step::Apply(store::pointer_mutation(&marked).map_err(OpError::BadInput)?));
        }
        plan.push_step(local_copy(&local, &marked, &saved)?);
        Ok(())
    };
    if !work.now.is_empty() || !work.counts.is_empty() || !work.scaling.is_empty() {
        mark(&mut plan, EnvStatus::Restoring)?;
    }
    for m in std::mem::take(&mut work.now) {
        plan.push(m);
    }
    for (address, expect) in std::mem::take(&mut work.expect_now) {
        plan.wait_for(address, expect);
    }
    if !work.counts.is_empty() {
        plan.next_stage("instance counts");
        for m in std::mem::take(&mut work.counts) {
            plan.push(m);
        }
        for (address, expect) in std::mem::take(&mut work.expect_counts) {
            plan.wait_for(address, expect);
        }
    }
    if !work.scaling.is_empty() {
        plan.next_stage("autoscaling");
        for m in std::mem::take(&mut work.scaling) {
            plan.push(m);
        }
    }
    if work.gone.is_empty() {
        mark(&mut plan, EnvStatus::Restored)?;
    } else {
        plan.notes.push(format!(
            "{} no longer exist{} and cannot be restored: the saved state stays '{}' until they are back or removed",
            work.gone.join(", "),
            if work.gone.len() == 1 { "s" } else { "" },
            EnvStatus::Restoring.as_str()
        ));
    }
    if !work.verify.is_empty() {
        plan.next_stage("test inferences");
        for m in std::mem::take(&mut work.verify) {
            plan.push(m);
        }
        plan.notes.push("once InService, each endpoint with a configured payload gets one test inference".into());
    }
    if plan.stages.len() > 1 {
        plan.notes.push(format!(
            "in {} stages ({}): the console and --wait go on to the next once the one before has settled",
            plan.stages.len(),
            plan.stages.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(plan)
}

fn local_copy(path: &Path, pointer: &Pointer, saved: &SavedState) -> Result<Step, OpError> {
    let copy = LocalCopy { pointer: pointer.clone(), saved: saved.clone() };
    let contents = serde_json::to_string_pretty(&copy).map_err(|e| OpError::BadInput(format!("local copy: {e}")))?;
    Ok(Step::LocalCopy { path: path.to_path_buf(), contents })
}

/// What the restore does, sorted by when it can happen.
#[derive(Default)]
struct Work {
    /// At once: recreate endpoints, services' bounds and counts, functions, rules.
    now: Vec<Mutation>,
    expect_now: Vec<(Address, Expect)>,
    /// Once recreated endpoints are InService: their saved instance counts and weights.
    counts: Vec<Mutation>,
    expect_counts: Vec<(Address, Expect)>,
    /// Then their autoscaling targets and policies.
    scaling: Vec<Mutation>,
    /// Last: the test inferences.
    verify: Vec<Mutation>,
    /// Saved resources that no longer exist (a service deleted since).
    gone: Vec<String>,
}

async fn bring_back(
    backend: &dyn Backend,
    plan: &mut Plan,
    work: &mut Work,
    saved: &SavedResource,
    read: &Read,
) -> Result<(), OpError> {
    let address = &read.address;
    let payloads = match &plan.intent {
        Intent::Restore { payloads, .. } => payloads.clone(),
        _ => BTreeMap::new(),
    };
    match (saved, &read.snapshot) {
        (SavedResource::EcsService { desired, scaling, .. }, Some(Snapshot::Service(s))) => {
            if let Some(t) = scaling.filter(|t| s.scaling != Some(*t)) {
                let now = s.scaling.map_or("none".to_string(), |c| format!("{}-{}", c.min, c.max));
                plan.changes.push(Change::new(
                    format!("{address} autoscaling min-max"),
                    now,
                    format!("{}-{}", t.min, t.max),
                ));
                let resource = ScalableResource::EcsService {
                    cluster: s.service.cluster.clone(),
                    service: s.service.name.clone(),
                };
                work.now.push(Mutation::SetScalingBounds { resource, min: t.min, max: t.max, suspended: t.suspended });
            }
            if s.service.desired != *desired {
                plan.changes.push(Change::new(format!("{address} desired"), s.service.desired, desired));
                work.now.push(Mutation::SetDesiredCount { address: address.clone(), count: *desired });
            }
            let expect = if *desired == 0 { Expect::EcsCount { count: 0 } } else { Expect::EcsSteady };
            work.expect_now.push((address.clone(), expect));
        }
        (SavedResource::Endpoint { config, variants, scaling, .. }, current) => {
            let name = match address {
                Address::Endpoint { endpoint, .. } => endpoint.clone(),
                other => other.to_string(),
            };
            let initial = match current {
                None => {
                    let initial = backend.endpoint_config(config).await.map_err(|e| match e {
                        BackendError::NotFound(_) => OpError::Refused(format!(
                            "{address} cannot be recreated: its endpoint config {config} no longer exists; nothing was changed"
                        )),
                        other => OpError::Backend(other),
                    })?;
                    plan.changes.push(Change::new(format!("{address}"), "absent", format!("InService from {config}")));
                    work.now.push(Mutation::CreateEndpoint { endpoint: name.clone(), config: config.clone() });
                    initial
                }
                Some(Snapshot::Endpoint(e)) if e.endpoint.status == "Deleting" => {
                    return Err(OpError::Refused(format!(
                        "{address} is still being deleted: run the restore again once it is gone; nothing was changed"
                    )));
                }
                Some(Snapshot::Endpoint(e)) => e
                    .endpoint
                    .variants
                    .iter()
                    .map(|v| VariantCapacity {
                        variant: v.name.clone(),
                        instances: v.desired_instances,
                        weight: v.weight,
                    })
                    .collect(),
                Some(_) => return Ok(()),
            };
            work.expect_now.push((address.clone(), Expect::Endpoint { variant: None, count: None }));
            if !same_capacities(&initial, variants) {
                let before: Vec<String> = initial.iter().map(|v| format!("{} {}", v.variant, v.instances)).collect();
                let after: Vec<String> = variants.iter().map(|v| format!("{} {}", v.variant, v.instances)).collect();
                plan.changes.push(Change::new(format!("{address} instances"), before.join(", "), after.join(", ")));
                work.counts.push(Mutation::SetVariantCapacities { endpoint: name.clone(), variants: variants.clone() });
                for v in variants {
                    let watched = Address::Endpoint { endpoint: name.clone(), variant: Some(v.variant.clone()) };
                    work.expect_counts.push((
                        watched,
                        Expect::Endpoint { variant: Some(v.variant.clone()), count: Some(v.instances) },
                    ));
                }
            }
            let registered = match current {
                Some(Snapshot::Endpoint(e)) => e.scaling.clone(),
                _ => BTreeMap::new(),
            };
            for (variant, s) in scaling {
                if registered.get(variant) == Some(&s.target) {
                    continue;
                }
                let resource = ScalableResource::Variant { endpoint: name.clone(), variant: variant.clone() };
                plan.changes.push(Change::new(
                    format!("{address}/{variant} autoscaling"),
                    "none",
                    format!(
                        "{}-{}, {} polic{}",
                        s.target.min,
                        s.target.max,
                        s.policies.len(),
                        if s.policies.len() == 1 { "y" } else { "ies" }
                    ),
                ));
                work.scaling.push(Mutation::SetScalingBounds {
                    resource: resource.clone(),
                    min: s.target.min,
                    max: s.target.max,
                    suspended: s.target.suspended,
                });
                for policy in &s.policies {
                    work.scaling
                        .push(Mutation::PutScalingPolicy { resource: resource.clone(), policy: policy.clone() });
                }
            }
            if let Some(payload) = payloads.get(&name) {
                work.verify.push(Mutation::Invoke {
                    endpoint: name.clone(),
                    variant: None,
                    content_type: payload.content_type.clone(),
                    body: payload.body.clone(),
                });
            }
        }
        (SavedResource::Function { reserved_concurrency, .. }, Some(Snapshot::Function(f))) => {
            if f.reserved_concurrency != *reserved_concurrency {
                let show = |n: Option<u32>| n.map_or("none".to_string(), |n| n.to_string());
                plan.changes.push(Change::new(
                    format!("{address} reserved concurrency"),
                    show(f.reserved_concurrency),
                    show(*reserved_concurrency),
                ));
                work.now.push(Mutation::SetFunctionConcurrency {
                    function: f.name.clone(),
                    reserved: *reserved_concurrency,
                });
            }
        }
        (SavedResource::Rule { state, .. }, Some(Snapshot::Rule(r))) => {
            let was_enabled = state.starts_with("ENABLED");
            if was_enabled && !r.enabled() {
                plan.changes.push(Change::new(format!("{address}"), &r.state, "ENABLED"));
                work.now.push(Mutation::SetRuleEnabled { bus: r.bus.clone(), rule: r.name.clone(), enabled: true });
            } else if !was_enabled && r.enabled() {
                plan.notes.push(format!(
                    "{address} is left ENABLED: it was {state} when saved, and someone enabled it since"
                ));
            }
        }
        (_, None) => work.gone.push(address.to_string()),
        (saved, Some(other)) => {
            return Err(OpError::Refused(format!(
                "{address}: saved as {}, read as {:?}; nothing was changed",
                saved.describe(),
                other.address()
            )))
        }
    }
    Ok(())
}

/// Same variants with the same counts and weights (weights compared to a thousandth).
fn same_capacities(a: &[VariantCapacity], b: &[VariantCapacity]) -> bool {
    a.len() == b.len()
        && a.iter().all(|x| {
            b.iter().any(|y| y.variant == x.variant && y.instances == x.instances && (y.weight - x.weight).abs() < 1e-3)
        })
}
