//! Operator actions on the simulated fleet: fresh snapshots, revision history, and every
//! mutation played out the way AWS plays it (deployments roll, tasks start and stop, endpoints go
//! Updating, Deleting or Creating before the change shows). ECS lives here; the other services'
//! actions have files of their own.

use super::billing::Unit;
use super::catalog::{endpoint_config_name, ACCOUNT_ID, CLEANISTIC_API, ENDPOINTS, REGION, SERVICES};
use super::endpoint_actions::endpoint_index;
use super::endpoints::to_endpoint;
use super::rng::rng_keyed;
use super::scenario::Scenario;
use super::scenario::BAD_REVISION;
use super::service::{to_events, to_service};
use super::tasks::{Phase, ServiceState};
use super::world::World;
use crate::backend::BackendError;
use crate::domain::{
    Address, EndpointSnapshot, Mutation, Receipt, RevisionHistory, RolloutState, ServiceDeploymentInfo,
    ServiceSnapshot, Snapshot, TaskDefRef,
};
use chrono::{DateTime, Utc};
use rand::Rng;

fn time(ts: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default()
}

pub(crate) fn service_index(address: &Address) -> Option<usize> {
    match address {
        Address::EcsService { cluster, service } => {
            SERVICES.iter().position(|s| s.cluster == cluster && s.name == service)
        }
        _ => None,
    }
}

/// ListServices of one cluster, sorted.
pub(crate) fn cluster_services(cluster: &str) -> Result<Vec<Address>, BackendError> {
    let mut out: Vec<Address> =
        SERVICES.iter().filter(|s| s.cluster == cluster).map(|s| Address::ecs(s.cluster, s.name)).collect();
    if out.is_empty() {
        return Err(not_found(format!("cluster {cluster}: ClusterNotFoundException: Cluster not found.")));
    }
    out.sort();
    Ok(out)
}

fn not_found(what: impl std::fmt::Display) -> BackendError {
    BackendError::NotFound(what.to_string())
}

/// The newest registered revision of a service's family.
pub(crate) fn newest_revision(s: &ServiceState) -> u32 {
    s.deployments.iter().map(|d| d.revision).max().unwrap_or(0).max(s.spec.revision)
}

fn deployment_info(s: &ServiceState) -> Option<ServiceDeploymentInfo> {
    let d = s.deployments.iter().rev().find(|d| d.primary)?;
    let id = d.id.trim_start_matches("ecs-svc/");
    let status = match d.rollout {
        RolloutState::InProgress => "IN_PROGRESS",
        RolloutState::Completed => "SUCCESSFUL",
        RolloutState::Failed => "STOPPED",
        RolloutState::Unknown => "PENDING",
    };
    Some(ServiceDeploymentInfo {
        arn: format!("arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service-deployment/{}/{}/{id}", s.spec.cluster, s.spec.name),
        status: status.to_string(),
        lifecycle_stage: None,
        target: Some(TaskDefRef { family: s.spec.family.to_string(), revision: d.revision }),
        status_reason: (d.rollout == RolloutState::Failed)
            .then(|| "ECS deployment circuit breaker: tasks failed to start.".to_string()),
        created_at: Some(time(d.created_at)),
    })
}

impl World {
    pub(crate) fn snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        match address {
            Address::EcsService { cluster, service } => {
                let i = service_index(address).ok_or_else(|| not_found(format!("service {address}")))?;
                let s = &self.services[i];
                let mut events = to_events(s);
                events.truncate(50);
                Ok(Snapshot::Service(ServiceSnapshot {
                    service: to_service(s),
                    events,
                    scaling: self.scaling.target(&format!("service/{cluster}/{service}")),
                    deployment: deployment_info(s),
                }))
            }
            Address::Endpoint { endpoint, .. } => {
                let e = endpoint_index(endpoint)
                    .filter(|&e| self.endpoints[e].exists)
                    .ok_or_else(|| not_found(format!("endpoint {endpoint}")))?;
                let scaling = ENDPOINTS[e]
                    .variants
                    .iter()
                    .filter_map(|v| {
                        let t = self.scaling.target(&format!("endpoint/{endpoint}/variant/{}", v.name))?;
                        Some((v.name.to_string(), t))
                    })
                    .collect();
                Ok(Snapshot::Endpoint(EndpointSnapshot {
                    endpoint: to_endpoint(e, &self.endpoints[e]),
                    config_name: Some(endpoint_config_name(&ENDPOINTS[e])),
                    failure_reason: None,
                    scaling,
                }))
            }
            Address::Function { name } => self.serverless.function(name).map(Snapshot::Function),
            Address::Rule { bus, name } => self.serverless.rule(bus.as_deref(), name).map(Snapshot::Rule),
        }
    }

    pub(crate) fn revision_history(&self, address: &Address) -> Result<RevisionHistory, BackendError> {
        let i = service_index(address).ok_or_else(|| not_found(format!("service {address}")))?;
        let s = &self.services[i];
        let family = s.spec.family.to_string();
        let newest = newest_revision(s);
        let revisions = (newest.saturating_sub(9).max(1)..=newest)
            .rev()
            .map(|revision| TaskDefRef { family: family.clone(), revision })
            .collect();
        let mut done: Vec<_> = s.deployments.iter().filter(|d| d.rollout == RolloutState::Completed).collect();
        done.sort_by_key(|d| std::cmp::Reverse(d.created_at));
        let mut completed: Vec<TaskDefRef> = Vec::new();
        for d in done {
            let r = TaskDefRef { family: family.clone(), revision: d.revision };
            if !completed.contains(&r) {
                completed.push(r);
            }
        }
        Ok(RevisionHistory { revisions, completed })
    }

    fn is_bad(&self, service: usize, revision: u32) -> bool {
        self.scenario == Scenario::BadDeploy && service == CLEANISTIC_API && revision == BAD_REVISION
    }

    pub(crate) fn apply(&mut self, mutation: &Mutation) -> Result<Receipt, BackendError> {
        let t = self.t;
        self.requests += 1;
        let key = (t as u64).wrapping_mul(1_000_003).wrapping_add(self.requests);
        let request_id = format!("sim-{:016x}", rng_keyed(self.seed, key).random::<u64>());
        let mut receipt = Receipt { request_id: Some(request_id), response: None };
        match mutation {
            Mutation::InvokeFunction { function, qualifier, body } => {
                let (response, request_id) = self.invoke_function(function, qualifier.as_deref(), body)?;
                // Lambda's request id is the invocation's: the one its log lines carry.
                receipt.request_id = Some(request_id);
                receipt.response = Some(response);
            }
            Mutation::SetDesiredCount { address, count } => {
                let i = service_index(address).ok_or_else(|| not_found(format!("service {address}")))?;
                let (rng, s) = (&mut self.rng_tasks, &mut self.services[i]);
                s.set_desired(t, *count, rng);
                // Fargate bills running tasks: the service's share follows its desired count.
                self.meter.set(Unit::Service(i), t, f64::from(*count) / f64::from(SERVICES[i].desired));
            }
            Mutation::ForceNewDeployment { address } => {
                let i = service_index(address).ok_or_else(|| not_found(format!("service {address}")))?;
                let revision = to_service(&self.services[i]).task_definition.revision;
                let bad = self.is_bad(i, revision);
                self.services[i].deploy(t, revision, bad, &mut self.rng_tasks);
            }
            Mutation::SetTaskDefinition { address, task_def } => {
                let i = service_index(address).ok_or_else(|| not_found(format!("service {address}")))?;
                let s = &self.services[i];
                if task_def.family != s.spec.family || task_def.revision == 0 || task_def.revision > newest_revision(s)
                {
                    return Err(BackendError::Other(format!(
                        "ClientException: TaskDefinition not found: {task_def} (update-service)"
                    )));
                }
                let bad = self.is_bad(i, task_def.revision);
                self.services[i].deploy(t, task_def.revision, bad, &mut self.rng_tasks);
            }
            Mutation::RollbackDeployment { address, .. } => {
                let i = service_index(address).ok_or_else(|| not_found(format!("service {address}")))?;
                let s = &self.services[i];
                let primary = s.deployments.iter().rev().find(|d| d.primary);
                if primary.is_none_or(|d| d.rollout != RolloutState::InProgress) {
                    return Err(BackendError::Other(
                        "InvalidParameterException: the service deployment is not in progress and cannot be stopped"
                            .into(),
                    ));
                }
                let current = primary.map_or(0, |d| d.revision);
                let last = s
                    .deployments
                    .iter()
                    .filter(|d| d.rollout == RolloutState::Completed && d.revision != current)
                    .max_by_key(|d| d.created_at)
                    .map(|d| d.revision)
                    .ok_or_else(|| {
                        BackendError::Other("InvalidParameterException: no deployment to roll back to".into())
                    })?;
                let bad = self.is_bad(i, last);
                self.services[i].deploy(t, last, bad, &mut self.rng_tasks);
                self.services[i].event(t, format!("rollback requested: returning to revision {last}."));
            }
            Mutation::SetVariantInstances { endpoint, variant, count } => {
                self.set_variant_instances(endpoint, variant, *count)?;
            }
            Mutation::SetVariantCapacities { endpoint, variants } => self.set_variant_capacities(endpoint, variants)?,
            Mutation::DeleteEndpoint { endpoint } => self.delete_endpoint(endpoint)?,
            Mutation::CreateEndpoint { endpoint, config } => self.create_endpoint(endpoint, config)?,
            Mutation::SetScalingBounds { resource, min, max, suspended } => {
                self.register_target(resource, *min, *max, *suspended)?;
            }
            Mutation::DeregisterScalingTarget { resource } => self.scaling.deregister(resource)?,
            Mutation::PutScalingPolicy { resource, policy } => self.put_policy(resource, policy)?,
            Mutation::SetFunctionConcurrency { function, reserved } => {
                let f = self.serverless.set_concurrency(function, *reserved)?;
                // Reserved concurrency 0 throttles every invocation: nothing runs, nothing bills.
                self.meter.set(Unit::Function(f), t, if self.serverless.runs(f) { 1.0 } else { 0.0 });
            }
            Mutation::SetRuleEnabled { bus, rule, enabled } => {
                self.serverless.set_rule(bus.as_deref(), rule, *enabled)?
            }
            Mutation::PutParameter { name, value } => self.params.put(name, value)?,
            Mutation::DeleteParameters { names } => self.params.delete(names)?,
            Mutation::Invoke { endpoint, variant, body, .. } => {
                receipt.response = Some(self.invoke(endpoint, variant.as_deref(), body.len())?);
            }
        }
        Ok(receipt)
    }
}

impl ServiceState {
    /// UpdateService desiredCount: the primary deployment wants `count`; excess tasks stop,
    /// newest first, and the scheduler starts what is missing.
    pub(crate) fn set_desired(&mut self, t: i64, count: u32, rng: &mut rand_chacha::ChaCha8Rng) {
        let Some(p) = self.deployments.iter().rposition(|d| d.primary) else { return };
        self.deployments[p].desired = count;
        self.deployments[p].next_launch_at = t;
        let mut live: Vec<usize> =
            (0..self.tasks.len()).filter(|&i| self.tasks[i].deployment == p && self.tasks[i].is_live()).collect();
        live.sort_by_key(|&i| std::cmp::Reverse(self.tasks[i].started_at.unwrap_or(i64::MAX)));
        let excess = live.len().saturating_sub(count as usize);
        let mut notes = Vec::new();
        let reason = format!("Scaling activity initiated by (service {})", self.spec.name);
        for &i in live.iter().take(excess) {
            self.begin_stop(i, t, reason.clone(), false, rng, &mut notes);
            if self.tasks[i].phase < Phase::Running {
                self.tasks[i].phase = Phase::Stopping;
            }
        }
        self.recovering = true;
    }
}
