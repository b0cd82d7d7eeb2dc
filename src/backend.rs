//! The seam between the console and a cloud: the simulated fleet and AWS both implement
//! [`Backend`] and speak only the domain types.

use crate::domain::{
    Address, Alarm, CostReport, Endpoint, LogBatch, LogQuery, Service, ServiceDetail, ServiceMetrics, VariantMetrics,
};
use async_trait::async_trait;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("access denied: {action} is not allowed ({detail})")]
    AccessDenied { action: String, detail: String },
    #[error("throttled by {api}; backing off")]
    Throttled { api: String },
    #[error("credentials: {0}")]
    Credentials(String),
    #[error("network: {0}")]
    Network(String),
    #[error("{0}")]
    Other(String),
}

/// What the status bar says about where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendLabel {
    Demo { scenario: String, seed: u64 },
    Aws { profile: String, region: String },
}

/// Receives the first rows of a long service list before the rest is read.
pub type ServicesProgress<'a> = dyn Fn(Vec<Service>) + Send + Sync + 'a;

/// API calls made this session and their estimated cost, for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ApiUsage {
    pub calls: u64,
    pub estimated_usd: f64,
}

/// Endpoint metrics are keyed by endpoint name, then variant name.
pub type EndpointMetricsMap = BTreeMap<String, BTreeMap<String, VariantMetrics>>;

#[async_trait]
pub trait Backend: Send + Sync {
    fn label(&self) -> BackendLabel;
    /// Calls made and what they cost; None where nothing is billed (the simulated fleet).
    fn usage(&self) -> Option<ApiUsage> {
        None
    }
    async fn services(&self) -> Result<Vec<Service>, BackendError>;
    /// Like `services`, but hands over a first screenful as soon as it is read, so a large
    /// account shows rows at once and fills in the rest.
    async fn services_progressive(&self, first_screen: &ServicesProgress<'_>) -> Result<Vec<Service>, BackendError> {
        let _ = first_screen;
        self.services().await
    }
    /// CPU/memory for the given services (the ones on screen), by address.
    async fn service_metrics(&self, services: &[Address]) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError>;
    async fn service_detail(&self, service: &Address) -> Result<ServiceDetail, BackendError>;
    async fn endpoints(&self) -> Result<Vec<Endpoint>, BackendError>;
    async fn endpoint_metrics(&self, endpoints: &[String]) -> Result<EndpointMetricsMap, BackendError>;
    async fn alarms(&self) -> Result<Vec<Alarm>, BackendError>;
    /// Cost Explorer charges per request: callers cache and never poll.
    async fn cost(&self) -> Result<CostReport, BackendError>;
    /// Cost read again, past any cache: only on the user's request, since it is billed.
    async fn cost_fresh(&self) -> Result<CostReport, BackendError> {
        self.cost().await
    }
    async fn log_events(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError>;
}
