//! The seam between the console and a cloud: the simulated fleet and AWS both implement
//! [`Backend`] and speak only the domain types.

use crate::domain::{
    Address, Alarm, AlarmTransition, CostReport, Endpoint, EndpointModels, Function, FunctionDetail, FunctionFilter,
    FunctionMetrics, LogBatch, LogQuery, MetricQuery, MetricSeries, Mutation, QueryRequest, QueryResults, QueryRow,
    Receipt, RevisionHistory, ScalableResource, ScalingPolicy, Service, ServiceDetail, ServiceMetrics, Snapshot,
    TargetGroupHealth, TaskDefRef, TaskDefSpec, VariantCapacity, VariantMetrics,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("access denied: {action} is not allowed ({detail})")]
    AccessDenied { action: String, detail: String },
    #[error("throttled by {api}; backing off")]
    Throttled { api: String },
    /// "expired (...): run `aws sso login ...`" reads "credentials expired (...)".
    #[error("credentials{}{}", if .0.starts_with("expired") { " " } else { ": " }, .0)]
    Credentials(String),
    #[error("network: {0}")]
    Network(String),
    /// The request itself was refused as malformed (a query that does not parse, a time range
    /// AWS will not take): AWS's message, for the person who wrote it.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Other(String),
}

/// What the status bar says about where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendLabel {
    /// `speed` is how many simulated seconds pass per real second (`--speed`).
    Demo {
        scenario: String,
        seed: u64,
        speed: u32,
    },
    Aws {
        profile: String,
        region: String,
    },
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
    /// Cost only where it is free to read now (a fresh cache, the simulated fleet); None otherwise.
    async fn cost_cached(&self) -> Option<CostReport> {
        None
    }
    async fn log_events(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError>;
    /// Datapoints of each query from `start` to `end` (GetMetricData, 500 queries a call, paged);
    /// a period without a datapoint is absent, never zero.
    async fn metric_data(
        &self,
        queries: &[MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<MetricSeries>, BackendError> {
        let _ = (queries, start, end);
        Err(BackendError::Other("this backend has no metric data".into()))
    }
    /// An alarm's state changes from `start` to `end` (DescribeAlarmHistory), oldest first.
    async fn alarm_history(
        &self,
        alarm: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AlarmTransition>, BackendError> {
        let _ = (alarm, start, end);
        Err(BackendError::Other("this backend keeps no alarm history".into()))
    }
    /// Start a Logs Insights query (StartQuery); its id.
    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        let _ = request;
        Err(BackendError::Other("this backend runs no Logs Insights queries".into()))
    }
    /// A query's status, rows so far and statistics (GetQueryResults).
    async fn query_results(&self, id: &str) -> Result<QueryResults, BackendError> {
        let _ = id;
        Err(BackendError::Other("this backend runs no Logs Insights queries".into()))
    }
    /// Cancel a running query (StopQuery).
    async fn stop_query(&self, id: &str) -> Result<(), BackendError> {
        let _ = id;
        Err(BackendError::Other("this backend runs no Logs Insights queries".into()))
    }
    /// The whole event behind a result row's `@ptr` (GetLogRecord).
    async fn log_record(&self, ptr: &str) -> Result<QueryRow, BackendError> {
        let _ = ptr;
        Err(BackendError::Other("this backend runs no Logs Insights queries".into()))
    }
    /// Target groups by ARN with their health check and every target's health
    /// (DescribeTargetGroups 20 ARNs a call, one DescribeTargetHealth per group). Groups that do
    /// not exist are left out. A backend without load balancers has none.
    async fn target_health(&self, target_groups: &[String]) -> Result<Vec<TargetGroupHealth>, BackendError> {
        let _ = target_groups;
        Ok(Vec::new())
    }

    /// The functions that pass `filter` (ListFunctions, 50 a page; tags read only when the filter
    /// names some), each with its reserved concurrency and event-source mappings.
    async fn functions(&self, filter: &FunctionFilter) -> Result<Vec<Function>, BackendError> {
        let _ = filter;
        Ok(Vec::new())
    }
    /// Per-minute metrics of each function over the last hour (GetMetricData, 500 a call), with
    /// the depth of the queues that feed them; keyed by function name.
    async fn function_metrics(
        &self,
        functions: &[Function],
    ) -> Result<BTreeMap<String, FunctionMetrics>, BackendError> {
        let _ = functions;
        Ok(BTreeMap::new())
    }
    /// One function with its versions, aliases and environment variable names.
    async fn function_detail(&self, name: &str) -> Result<FunctionDetail, BackendError> {
        Err(BackendError::NotFound(format!("lambda:{name}")))
    }
    /// The models behind an endpoint's variants, their registry packages and Model Monitor's
    /// newest runs.
    async fn endpoint_models(&self, endpoint: &str) -> Result<EndpointModels, BackendError> {
        Ok(EndpointModels { endpoint: endpoint.to_string(), ..EndpointModels::default() })
    }

    /// Accounts and regions whose last read failed, with why (`ACCOUNT@REGION`, message): a
    /// fleet session shows them on their own rows while the others read on. Empty for one account.
    fn place_errors(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The backend's own time where it keeps one (the simulated fleet, which may run faster than
    /// the wall clock); None means real time.
    fn clock(&self) -> Option<DateTime<Utc>> {
        None
    }

    // Operator actions. Reads here are always fresh (no cache): a plan and its conflict check
    // must see the resource as it is now.

    /// One resource read fresh, with its autoscaling target and newest deployment. A resource
    /// that does not exist (a deleted endpoint) is `NotFound`.
    async fn snapshot(&self, address: &Address) -> Result<Snapshot, BackendError>;
    /// The ECS services of one cluster, for an environment's `ecs:CLUSTER/*` (ListServices).
    async fn cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError>;
    /// The scaling policies attached to a scalable target (DescribeScalingPolicies): saved before a
    /// teardown deletes an endpoint, since SageMaker removes them with it.
    async fn scaling_policies(&self, resource: &ScalableResource) -> Result<Vec<ScalingPolicy>, BackendError>;
    /// SSM parameters by exact name (GetParameters); names that do not exist are left out.
    async fn parameters(&self, names: &[String]) -> Result<BTreeMap<String, String>, BackendError>;
    /// The variants of an endpoint config with their initial instance counts and weights
    /// (DescribeEndpointConfig): what an endpoint recreated from it starts with. `NotFound` when
    /// the config is gone.
    async fn endpoint_config(&self, config: &str) -> Result<Vec<VariantCapacity>, BackendError>;
    /// The service's family's revisions and which of them completed a deployment of it.
    async fn revision_history(&self, address: &Address) -> Result<RevisionHistory, BackendError>;
    /// One task definition revision, for the roll back diff.
    async fn task_definition(&self, task_def: &TaskDefRef) -> Result<TaskDefSpec, BackendError>;
    /// Who the credentials are (STS GetCallerIdentity's ARN), for the audit record.
    async fn caller_identity(&self) -> Result<String, BackendError>;
    /// Carry out one mutation. A `Permit` is only made by `ops::execute`, after confirmation,
    /// the conflict check and the audit record: there is no other way to reach this.
    async fn apply(&self, permit: Permit) -> Result<Receipt, BackendError>;
}

/// The one thing a backend's `apply` takes: the right to carry out one mutation. Its field is
/// private; only the action path grants one (`ops::execute` and `ops::proceed`, after the
/// confirmation, the conflict check and the audit record), and tests/layers.rs fails when
/// `Permit::grant` is called from any other file. It lives here, beside the trait that demands
/// it, so the backend does not import the action path that stands above it.
#[derive(Debug)]
pub struct Permit {
    mutation: Mutation,
}

impl Permit {
    pub fn mutation(&self) -> &Mutation {
        &self.mutation
    }

    /// Called by `ops::execute` alone (tests/layers.rs keeps it so).
    pub(crate) fn grant(mutation: Mutation) -> Permit {
        Permit { mutation }
    }

    /// The same change addressed to the account that makes it: a fleet session's backend takes
    /// the place off the names before it hands the permit to that account's backend. It needs a
    /// permit to make one, so it grants nothing new.
    pub fn readdress(self, mutation: Mutation) -> Permit {
        Permit { mutation }
    }

    /// For the library's own unit tests of a backend's mutations (src/aws/env_tests.rs):
    /// `cfg(test)` items exist only in that build, never in the binary or for integration tests.
    #[cfg(test)]
    pub(crate) fn for_tests(mutation: Mutation) -> Permit {
        Permit { mutation }
    }
}

/// Resources read fresh a few at a time (an environment's sixty services must not burst past
/// ECS's request rate), in the order given. Boxed as `Send` here, where the compiler can see it:
/// an unboxed stream of borrowing futures trips the Send check of the tasks that await it.
pub fn read_each(
    backend: &dyn Backend,
    addresses: Vec<Address>,
) -> futures::future::BoxFuture<'_, Vec<Result<Snapshot, BackendError>>> {
    use futures::StreamExt;
    /// Reads in flight at once.
    const AT_ONCE: usize = 8;
    Box::pin(async move {
        let mut out = Vec::with_capacity(addresses.len());
        let mut reads = futures::stream::iter(addresses.into_iter().map(|a| async move { backend.snapshot(&a).await }))
            .buffered(AT_ONCE);
        while let Some(r) = reads.next().await {
            out.push(r);
        }
        out
    })
}
