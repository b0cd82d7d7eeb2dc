//! A simulated fleet whose clock jumps between a plan and its execute: the `n`-th `snapshot`
//! read (0-based; a one-resource plan reads once, the re-check at execute next) first moves the
//! manual clock on, as if the engineer had looked at the plan that long. Everything else is the
//! fleet's own answer. A colleague's action can land at the same moment.
#![allow(dead_code)]

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use opsdeck::backend::{Backend, BackendError, BackendLabel, EndpointMetricsMap, Permit};
use opsdeck::domain::{
    Address, Alarm, CostReport, Endpoint, LogBatch, LogQuery, Receipt, RevisionHistory, ScalableResource,
    ScalingPolicy, Service, ServiceDetail, ServiceMetrics, Snapshot, TaskDefRef, TaskDefSpec, VariantCapacity,
};
use opsdeck::ops::{self, Intent, OpsContext};
use opsdeck::sim::{ManualClock, SimFleet};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub struct Racing {
    pub fleet: Arc<SimFleet>,
    pub clock: ManualClock,
    /// Which snapshot read jumps, and by how many seconds.
    pub jump_at: usize,
    pub jump_secs: i64,
    /// Planned, confirmed and executed on the fleet when the clock jumps (their own audit log).
    pub colleague: Option<(Intent, OpsContext)>,
    reads: AtomicUsize,
}

impl Racing {
    pub fn new(fleet: Arc<SimFleet>, clock: ManualClock, jump_at: usize, jump_secs: i64) -> Racing {
        Racing { fleet, clock, jump_at, jump_secs, colleague: None, reads: AtomicUsize::new(0) }
    }
}

#[async_trait]
impl Backend for Racing {
    fn label(&self) -> BackendLabel {
        self.fleet.label()
    }
    fn clock(&self) -> Option<DateTime<Utc>> {
        self.fleet.clock()
    }
    async fn services(&self) -> Result<Vec<Service>, BackendError> {
        self.fleet.services().await
    }
    async fn service_metrics(&self, services: &[Address]) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError> {
        self.fleet.service_metrics(services).await
    }
    async fn service_detail(&self, service: &Address) -> Result<ServiceDetail, BackendError> {
        self.fleet.service_detail(service).await
    }
    async fn endpoints(&self) -> Result<Vec<Endpoint>, BackendError> {
        self.fleet.endpoints().await
    }
    async fn endpoint_metrics(&self, endpoints: &[String]) -> Result<EndpointMetricsMap, BackendError> {
        self.fleet.endpoint_metrics(endpoints).await
    }
    async fn alarms(&self) -> Result<Vec<Alarm>, BackendError> {
        self.fleet.alarms().await
    }
    async fn cost(&self) -> Result<CostReport, BackendError> {
        self.fleet.cost().await
    }
    async fn log_events(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError> {
        self.fleet.log_events(group, query).await
    }
    async fn snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        if self.reads.fetch_add(1, Ordering::SeqCst) == self.jump_at {
            if let Some((intent, ctx)) = &self.colleague {
                let planned = ops::plan(self.fleet.as_ref(), intent.clone()).await.expect("the colleague's plan");
                let confirmed = ops::confirm(planned, &ops::Answer::AssumeYes, false).expect("confirmed");
                ops::execute(self.fleet.as_ref(), ctx, confirmed).await.expect("the colleague's change");
            }
            self.clock.advance(self.jump_secs);
        }
        self.fleet.snapshot(address).await
    }
    async fn cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError> {
        self.fleet.cluster_services(cluster).await
    }
    async fn scaling_policies(&self, resource: &ScalableResource) -> Result<Vec<ScalingPolicy>, BackendError> {
        self.fleet.scaling_policies(resource).await
    }
    async fn parameters(&self, names: &[String]) -> Result<BTreeMap<String, String>, BackendError> {
        self.fleet.parameters(names).await
    }
    async fn endpoint_config(&self, config: &str) -> Result<Vec<VariantCapacity>, BackendError> {
        self.fleet.endpoint_config(config).await
    }
    async fn revision_history(&self, address: &Address) -> Result<RevisionHistory, BackendError> {
        self.fleet.revision_history(address).await
    }
    async fn task_definition(&self, task_def: &TaskDefRef) -> Result<TaskDefSpec, BackendError> {
        self.fleet.task_definition(task_def).await
    }
    async fn caller_identity(&self) -> Result<String, BackendError> {
        self.fleet.caller_identity().await
    }
    async fn apply(&self, permit: Permit) -> Result<Receipt, BackendError> {
        self.fleet.apply(permit).await
    }
}
