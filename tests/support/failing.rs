//! A backend that passes everything through to another, except that one `apply` (the Nth, once)
//! fails: an API error between two steps of an action, injected.
#![allow(dead_code)]

use async_trait::async_trait;
use opsdeck::backend::Permit;
use opsdeck::backend::{ApiUsage, Backend, BackendError, BackendLabel, EndpointMetricsMap};
use opsdeck::domain::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub struct FailingApply {
    inner: Arc<dyn Backend>,
    fail_at: usize,
    applied: AtomicUsize,
}

impl FailingApply {
    /// `fail_at` is 1-based: 4 fails the fourth mutation; later ones go through.
    pub fn new(inner: Arc<dyn Backend>, fail_at: usize) -> FailingApply {
        FailingApply { inner, fail_at, applied: AtomicUsize::new(0) }
    }
}

#[async_trait]
impl Backend for FailingApply {
    fn label(&self) -> BackendLabel {
        self.inner.label()
    }
    fn usage(&self) -> Option<ApiUsage> {
        self.inner.usage()
    }
    fn clock(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.clock()
    }
    async fn services(&self) -> Result<Vec<Service>, BackendError> {
        self.inner.services().await
    }
    async fn service_metrics(&self, s: &[Address]) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError> {
        self.inner.service_metrics(s).await
    }
    async fn service_detail(&self, s: &Address) -> Result<ServiceDetail, BackendError> {
        self.inner.service_detail(s).await
    }
    async fn endpoints(&self) -> Result<Vec<Endpoint>, BackendError> {
        self.inner.endpoints().await
    }
    async fn endpoint_metrics(&self, e: &[String]) -> Result<EndpointMetricsMap, BackendError> {
        self.inner.endpoint_metrics(e).await
    }
    async fn alarms(&self) -> Result<Vec<Alarm>, BackendError> {
        self.inner.alarms().await
    }
    async fn cost(&self) -> Result<CostReport, BackendError> {
        self.inner.cost().await
    }
    async fn cost_cached(&self) -> Option<CostReport> {
        self.inner.cost_cached().await
    }
    async fn log_events(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError> {
        self.inner.log_events(group, query).await
    }
    async fn snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        self.inner.snapshot(address).await
    }
    async fn cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError> {
        self.inner.cluster_services(cluster).await
    }
    async fn scaling_policies(&self, r: &ScalableResource) -> Result<Vec<ScalingPolicy>, BackendError> {
        self.inner.scaling_policies(r).await
    }
    async fn parameters(&self, names: &[String]) -> Result<BTreeMap<String, String>, BackendError> {
        self.inner.parameters(names).await
    }
    async fn endpoint_config(&self, config: &str) -> Result<Vec<VariantCapacity>, BackendError> {
        self.inner.endpoint_config(config).await
    }
    async fn revision_history(&self, address: &Address) -> Result<RevisionHistory, BackendError> {
        self.inner.revision_history(address).await
    }
    async fn task_definition(&self, td: &TaskDefRef) -> Result<TaskDefSpec, BackendError> {
        self.inner.task_definition(td).await
    }
    async fn caller_identity(&self) -> Result<String, BackendError> {
        self.inner.caller_identity().await
    }
    async fn apply(&self, permit: Permit) -> Result<Receipt, BackendError> {
        let n = self.applied.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.fail_at {
            return Err(BackendError::Other(format!(
                "injected failure at change {n}: {}",
                permit.mutation().describe()
            )));
        }
        self.inner.apply(permit).await
    }
}
