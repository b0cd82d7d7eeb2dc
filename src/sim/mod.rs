//! Simulated fleet: a deterministic, living stand-in for the AWS account behind `--demo`.
//!
//! The world is advanced lazily: every Backend call first simulates the seconds since the last
//! call, so an idle demo costs nothing and a given (seed, scenario, start, time) always shows the
//! same fleet.

mod actions;
mod alarms;
mod billing;
mod catalog;
mod clock;
mod cost;
mod deploy;
mod endpoint_actions;
mod endpoints;
mod function_config;
mod functions;
mod history;
mod insights;
mod lambda;
mod lambda_invoke;
mod lambda_logs;
mod logs;
mod logtext;
mod metrics;
mod models;
mod params;
mod rng;
mod runbooks;
mod scaling;
mod scaling_actions;
mod scenario;
mod serverless;
mod service;
mod smlogs;
mod targets;
mod taskdefs;
mod tasks;
mod world;

#[cfg(test)]
mod env_cost_tests;
#[cfg(test)]
mod env_tests;
#[cfg(test)]
mod functions_tests;
#[cfg(test)]
mod scenario_tests;
#[cfg(test)]
mod tests;

pub use clock::{ManualClock, SimClock};
pub use scenario::{scenarios, ScenarioInfo, SimError};

use crate::backend::{Backend, BackendError, BackendLabel, EndpointMetricsMap};
use crate::domain::{
    Address, Alarm, AlarmTransition, CostReport, Endpoint, EndpointModels, Function, FunctionDetail, FunctionFilter,
    FunctionMetrics, LogBatch, LogQuery, MetricQuery, MetricSeries, QueryRequest, QueryResults, QueryRow, Service,
    ServiceDetail, ServiceMetrics, TargetGroupHealth, TaskDefRef,
};
use catalog::{ENDPOINTS, SERVICES};
use chrono::{DateTime, Utc};
use scenario::Scenario;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;
use world::World;

/// How to build a simulated fleet.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub seed: u64,
    pub scenario: String,
    /// Simulated time at the moment the fleet is created.
    pub start: DateTime<Utc>,
    pub clock: SimClock,
}

/// The simulated AWS account; implements [`Backend`].
pub struct SimFleet {
    options: SimOptions,
    scenario: Scenario,
    created: Instant,
    /// Built on first use so construction stays cheap.
    world: Mutex<Option<World>>,
}

impl SimFleet {
    /// Validates the options; the world itself is rolled on the first Backend call.
    pub fn new(options: SimOptions) -> Result<SimFleet, SimError> {
        let scenario = Scenario::parse(&options.scenario)?;
        Ok(SimFleet { options, scenario, created: Instant::now(), world: Mutex::new(None) })
    }

    /// Current simulated time.
    pub fn now(&self) -> DateTime<Utc> {
        let start = self.options.start;
        match &self.options.clock {
            SimClock::Wall { speed } => {
                let elapsed = chrono::Duration::from_std(self.created.elapsed()).unwrap_or(chrono::Duration::zero());
                start + elapsed * (*speed).max(1) as i32
            }
            SimClock::Manual(clock) => start + chrono::Duration::seconds(clock.offset_secs()),
        }
    }

    /// The world, caught up to now.
    fn world(&self) -> MutexGuard<'_, Option<World>> {
        let now = self.now();
        // A panic while holding the lock leaves a consistent-enough world; keep serving it.
        let mut guard = self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let world = guard.get_or_insert_with(|| World::new(self.options.seed, self.scenario, self.options.start));
        world.catch_up(now);
        guard
    }

    fn read<R>(&self, f: impl FnOnce(&World) -> R) -> Result<R, BackendError> {
        let guard = self.world();
        guard.as_ref().map(f).ok_or_else(|| BackendError::Other("simulation not initialised".to_string()))
    }
}

#[async_trait::async_trait]
impl Backend for SimFleet {
    fn label(&self) -> BackendLabel {
        let speed = match self.options.clock {
            SimClock::Wall { speed } => speed.max(1),
            SimClock::Manual(_) => 1,
        };
        BackendLabel::Demo { scenario: self.options.scenario.clone(), seed: self.options.seed, speed }
    }

    async fn services(&self) -> Result<Vec<Service>, BackendError> {
        self.read(|w| w.services.iter().map(service::to_service).collect())
    }

    async fn service_metrics(&self, services: &[Address]) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError> {
        self.read(|w| {
            services
                .iter()
                .filter_map(|a| {
                    let i = actions::service_index(a)?;
                    Some((a.clone(), w.metrics.services[i].metrics.clone()))
                })
                .collect()
        })
    }

    async fn service_detail(&self, service: &Address) -> Result<ServiceDetail, BackendError> {
        let i = actions::service_index(service).ok_or_else(|| BackendError::NotFound(format!("service {service}")))?;
        self.read(|w| {
            let current = service::to_service(&w.services[i]).task_definition;
            // Every revision up to the newest deployed one exists, as it would in the account.
            let newest = w.services[i].deployments.iter().map(|d| d.revision).max().unwrap_or(0).max(current.revision);
            ServiceDetail {
                address: service.clone(),
                tasks: service::to_tasks(&w.services[i]),
                events: service::to_events(&w.services[i]),
                revisions: (newest.saturating_sub(9).max(1)..=newest)
                    .rev()
                    .map(|revision| TaskDefRef { family: current.family.clone(), revision })
                    .collect(),
            }
        })
    }

    async fn endpoints(&self) -> Result<Vec<Endpoint>, BackendError> {
        self.read(|w| {
            w.endpoints
                .iter()
                .enumerate()
                .filter(|(_, e)| e.exists)
                .map(|(i, e)| endpoints::to_endpoint(i, e))
                .collect()
        })
    }

    async fn endpoint_metrics(&self, endpoints: &[String]) -> Result<EndpointMetricsMap, BackendError> {
        self.read(|w| {
            endpoints
                .iter()
                .filter_map(|name| {
                    let e = ENDPOINTS.iter().position(|e| e.name == name)?;
                    let variants = ENDPOINTS[e]
                        .variants
                        .iter()
                        .zip(&w.metrics.variants[e])
                        .map(|(spec, series)| (spec.name.to_string(), series.metrics.clone()))
                        .collect();
                    Some((name.clone(), variants))
                })
                .collect()
        })
    }

    async fn functions(&self, filter: &FunctionFilter) -> Result<Vec<Function>, BackendError> {
        self.read(|w| functions::list(filter, &w.serverless, w.base()))
    }

    async fn function_metrics(
        &self,
        functions: &[Function],
    ) -> Result<BTreeMap<String, FunctionMetrics>, BackendError> {
        self.read(|w| {
            functions
                .iter()
                .filter_map(|f| {
                    let i = serverless::function_index(&f.name)?;
                    Some((f.name.clone(), w.lambda.metrics(i)))
                })
                .collect()
        })
    }

    async fn function_detail(&self, name: &str) -> Result<FunctionDetail, BackendError> {
        self.read(|w| functions::detail(name, &w.serverless, w.base()))?
    }

    async fn endpoint_models(&self, endpoint: &str) -> Result<EndpointModels, BackendError> {
        self.read(|w| {
            // A deleted endpoint has no config to read its models from.
            let exists = ENDPOINTS.iter().position(|e| e.name == endpoint).is_some_and(|e| w.endpoints[e].exists);
            let models = exists.then(|| models::endpoint_models(endpoint, w.t, w.base(), w.scenario)).flatten();
            models.ok_or_else(|| BackendError::NotFound(format!("endpoint {endpoint}")))
        })?
    }

    async fn alarms(&self) -> Result<Vec<Alarm>, BackendError> {
        self.read(|w| w.alarms.to_domain())
    }

    async fn target_health(&self, target_groups: &[String]) -> Result<Vec<TargetGroupHealth>, BackendError> {
        self.read(|w| targets::target_groups(&w.services, target_groups, w.t))
    }

    async fn metric_data(
        &self,
        queries: &[MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<MetricSeries>, BackendError> {
        // Minutes not yet over have no datapoint yet, as in CloudWatch.
        self.read(|w| {
            let end = end.timestamp().min(w.t - w.t.rem_euclid(60));
            queries.iter().map(|q| w.history.answer(w.seed, q, start.timestamp(), end)).collect()
        })
    }

    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        let mut guard = self.world();
        let w = guard.as_mut().ok_or_else(|| BackendError::Other("simulation not initialised".to_string()))?;
        w.queries.start(&w.logs, request, w.t)
    }

    async fn query_results(&self, id: &str) -> Result<QueryResults, BackendError> {
        let mut guard = self.world();
        let w = guard.as_mut().ok_or_else(|| BackendError::Other("simulation not initialised".to_string()))?;
        w.queries.results(id, w.t)
    }

    async fn stop_query(&self, id: &str) -> Result<(), BackendError> {
        let mut guard = self.world();
        let w = guard.as_mut().ok_or_else(|| BackendError::Other("simulation not initialised".to_string()))?;
        w.queries.stop(id, w.t)
    }

    async fn log_record(&self, ptr: &str) -> Result<QueryRow, BackendError> {
        self.read(|w| w.queries.record(&w.logs, ptr))?
    }

    async fn alarm_history(
        &self,
        alarm: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AlarmTransition>, BackendError> {
        self.read(|w| w.alarms.history(alarm, start.timestamp(), end.timestamp()))?
            .ok_or_else(|| BackendError::NotFound(format!("alarm {alarm}")))
    }

    async fn cost(&self) -> Result<CostReport, BackendError> {
        // The meter already holds every change up to any later second, so the world need not be
        // stepped (nor built: a world never built has had nothing applied).
        let now = self.now();
        let guard = self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let calm = billing::Meter::default();
        let meter = guard.as_ref().map_or(&calm, |w| &w.meter);
        Ok(cost::report(self.options.seed, now, meter))
    }

    async fn cost_cached(&self) -> Option<CostReport> {
        self.cost().await.ok()
    }

    async fn log_events(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError> {
        self.read(|w| w.logs.query(group, &query))?
    }

    fn clock(&self) -> Option<DateTime<Utc>> {
        Some(self.now())
    }

    async fn snapshot(&self, address: &Address) -> Result<crate::domain::Snapshot, BackendError> {
        self.read(|w| w.snapshot(address))?
    }

    async fn cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError> {
        actions::cluster_services(cluster)
    }

    async fn scaling_policies(
        &self,
        resource: &crate::domain::ScalableResource,
    ) -> Result<Vec<crate::domain::ScalingPolicy>, BackendError> {
        self.read(|w| w.scaling.policies(resource))
    }

    async fn parameters(&self, names: &[String]) -> Result<BTreeMap<String, String>, BackendError> {
        self.read(|w| w.params.get(names))
    }

    async fn endpoint_config(&self, config: &str) -> Result<Vec<crate::domain::VariantCapacity>, BackendError> {
        endpoint_actions::endpoint_config(config)
    }

    async fn revision_history(&self, address: &Address) -> Result<crate::domain::RevisionHistory, BackendError> {
        self.read(|w| w.revision_history(address))?
    }

    async fn task_definition(&self, task_def: &TaskDefRef) -> Result<crate::domain::TaskDefSpec, BackendError> {
        self.read(|w| {
            let i = SERVICES.iter().position(|s| s.family == task_def.family);
            match i {
                Some(i) if task_def.revision >= 1 && task_def.revision <= actions::newest_revision(&w.services[i]) => {
                    Ok(taskdefs::spec(&SERVICES[i], task_def.revision))
                }
                _ => Err(BackendError::NotFound(format!("task definition {task_def}"))),
            }
        })?
    }

    async fn caller_identity(&self) -> Result<String, BackendError> {
        Ok(format!("arn:aws:sts::{}:assumed-role/OnCall/demo", catalog::ACCOUNT_ID))
    }

    async fn apply(&self, permit: crate::backend::Permit) -> Result<crate::domain::Receipt, BackendError> {
        let mut guard = self.world();
        let world = guard.as_mut().ok_or_else(|| BackendError::Other("simulation not initialised".to_string()))?;
        world.apply(permit.mutation())
    }
}
