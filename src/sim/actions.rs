//! Operator actions on the simulated fleet: fresh snapshots, revision history, and every
//! mutation played out the way ECS and SageMaker play them (deployments roll, tasks start and
//! stop, endpoints go Updating and come back InService).

use super::catalog::{ACCOUNT_ID, CLEANISTIC_API, ENDPOINTS, REGION, SERVICES};
use super::endpoints::{relieved, to_endpoint, UPDATING_SECS};
use super::rng::rng_keyed;
use super::scenario::Scenario;
use super::service::{to_events, to_service};
use super::tasks::{Phase, ServiceState};
use super::world::{World, BAD_REVISION};
use crate::backend::BackendError;
use crate::domain::{
    Address, EndpointSnapshot, InvokeResponse, Mutation, Receipt, RevisionHistory, RolloutState, ScalableResource,
    ScalingTarget, ServiceDeploymentInfo, ServiceSnapshot, Snapshot, TaskDefRef,
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

fn endpoint_index(name: &str) -> Option<usize> {
    ENDPOINTS.iter().position(|e| e.name == name)
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
                    scaling: self.scaling.get(&format!("service/{cluster}/{service}")).copied(),
                    deployment: deployment_info(s),
                }))
            }
            Address::Endpoint { endpoint, .. } => {
                let e = endpoint_index(endpoint).ok_or_else(|| not_found(format!("endpoint {endpoint}")))?;
                let scaling = ENDPOINTS[e]
                    .variants
                    .iter()
                    .filter_map(|v| {
                        let t = self.scaling.get(&format!("endpoint/{endpoint}/variant/{}", v.name))?;
                        Some((v.name.to_string(), *t))
                    })
                    .collect();
                Ok(Snapshot::Endpoint(EndpointSnapshot {
                    endpoint: to_endpoint(e, &self.endpoints[e]),
                    config_name: None,
                    failure_reason: None,
                    scaling,
                }))
            }
            other => Err(not_found(other)),
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
        let request_id = format!("sim-{:016x}", rng_keyed(self.seed, t as u64).random::<u64>());
        let mut receipt = Receipt { request_id: Some(request_id), response: None };
        match mutation {
            Mutation::SetDesiredCount { address, count } => {
                let i = service_index(address).ok_or_else(|| not_found(format!("service {address}")))?;
                let (rng, s) = (&mut self.rng_tasks, &mut self.services[i]);
                s.set_desired(t, *count, rng);
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
                let e = endpoint_index(endpoint).ok_or_else(|| not_found(format!("endpoint {endpoint}")))?;
                let v = ENDPOINTS[e]
                    .variants
                    .iter()
                    .position(|v| v.name == variant)
                    .ok_or_else(|| not_found(format!("variant {variant} of {endpoint}")))?;
                let state = &mut self.endpoints[e];
                if state.updating_until.is_some() {
                    return Err(BackendError::Other(format!(
                        "ValidationException: Cannot update in-progress endpoint \"{endpoint}\"."
                    )));
                }
                state.variants[v].desired = *count;
                state.updating_until = Some(t + UPDATING_SECS);
            }
            Mutation::SetScalingBounds { resource, min, max, suspended } => {
                let id = resource.resource_id();
                let known = match resource {
                    ScalableResource::EcsService { .. } | ScalableResource::Variant { .. } => {
                        self.scaling.contains_key(&id)
                    }
                };
                if !known {
                    return Err(not_found(format!("scalable target {id}")));
                }
                self.scaling.insert(id, ScalingTarget { min: *min, max: *max, suspended: *suspended });
            }
            Mutation::Invoke { endpoint, variant, body, .. } => {
                receipt.response = Some(self.invoke(endpoint, variant.as_deref(), body.len())?);
            }
            other => return Err(BackendError::Other(format!("not implemented yet: {}", other.describe()))),
        }
        Ok(receipt)
    }

    /// A test inference: answered by a variant (the target, else by weight), as slow as that
    /// variant is now; during heavy degradation some answers are 500s.
    fn invoke(&self, endpoint: &str, target: Option<&str>, size: usize) -> Result<InvokeResponse, BackendError> {
        let e = endpoint_index(endpoint).ok_or_else(|| not_found(format!("endpoint {endpoint}")))?;
        let spec = &ENDPOINTS[e];
        let mut rng = rng_keyed(self.seed ^ 0x1_4f0c, (self.t as u64).wrapping_mul(31).wrapping_add(size as u64));
        let v = match target {
            Some(name) => {
                spec.variants.iter().position(|v| v.name == name).ok_or_else(|| not_found(format!("variant {name}")))?
            }
            None => {
                let pick: f64 = rng.random();
                let mut acc = 0.0;
                spec.variants
                    .iter()
                    .position(|v| {
                        acc += v.weight;
                        pick < acc
                    })
                    .unwrap_or(0)
            }
        };
        let variant = &spec.variants[v];
        let factor = if e == super::catalog::PREDICTION_ENDPOINT && v == super::catalog::MODEL_V1 {
            let raw = self.scenario.latency_factor((self.t - self.base()) as f64);
            relieved(raw, variant.instances, self.endpoints[e].variants[v].current)
        } else {
            1.0
        };
        let latency_ms = variant.p50_ms * factor * (1.0 + 0.2 * rng.random::<f64>()) + 12.0;
        let failing = factor > 20.0 && rng.random_bool(0.3);
        let (status, body) = if failing {
            (500, "<html><body><h1>500 Internal Server Error</h1>[CRITICAL] WORKER TIMEOUT</body></html>".to_string())
        } else if spec.system == "prediction-app" {
            let p: f64 = 0.55 + 0.4 * rng.random::<f64>();
            (
                200,
                format!(
                    r#"{{"predictions":[{{"label":"churn","probability":{p:.3}}}],"model":"prediction-model-{}"}}"#,
                    variant.name.trim_start_matches("model-")
                ),
            )
        } else {
            let c: f64 = 0.7 + 0.29 * rng.random::<f64>();
            (
                200,
                format!(
                    r#"{{"detections":[{{"class":"stain","confidence":{c:.3},"box":[112,40,310,222]}}],"image_ok":true}}"#
                ),
            )
        };
        Ok(InvokeResponse {
            status,
            content_type: Some(if failing { "text/html" } else { "application/json" }.to_string()),
            invoked_variant: Some(variant.name.to_string()),
            body: body.into_bytes(),
            latency_ms,
        })
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
