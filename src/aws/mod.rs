//! The real AWS backend. SDK types never leave this module: every call converts into the
//! domain types before it returns, and every error into a `BackendError`.

mod actions;
mod alarm_tags;
mod alarms;
mod autoscaling;
mod charts;
mod convert;
mod cost;
mod deployments;
mod ecs;
mod errors;
mod function_metrics;
mod functions;
mod identity;
mod insights;
pub mod limit;
mod live_tail;
mod logs;
mod metrics;
mod models;
mod parameters;
mod policies;
mod profiles;
mod sagemaker;
mod snapshot;
mod strict_json;
mod tail_sessions;
mod targets;
pub mod team_table;

pub use profiles::check_profile;
mod taskdef;

#[cfg(test)]
mod env_tests;

use crate::backend::{ApiUsage, Backend, BackendError, BackendLabel, EndpointMetricsMap, ServicesProgress};
use crate::domain::{
    Address, Alarm, AlarmTransition, CostReport, Endpoint, EndpointModels, Function, FunctionDetail, FunctionFilter,
    FunctionMetrics, LogBatch, LogQuery, MetricQuery, MetricSeries, QueryRequest, QueryResults, QueryRow, Receipt,
    RevisionHistory, ScalableResource, ScalingPolicy, Service, ServiceDetail, ServiceMetrics, Snapshot,
    TargetGroupHealth, TaskDefRef, TaskDefSpec, VariantCapacity,
};
use async_trait::async_trait;
use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, Region};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// How to reach AWS. Unset fields fall back to the SDK's default chain (environment, profile,
/// SSO, assume-role, credential_process, web identity, IMDSv2).
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// A role to assume on top of the profile's credentials (a fleet account, `[[fleet.accounts]] role_arn`).
    pub role_arn: Option<String>,
    /// Extra CA certificates (PEM) to trust, for TLS-intercepting proxies (AWS_CA_BUNDLE).
    pub ca_bundle: Option<PathBuf>,
    /// Cost allocation tag whose values are the "systems" in the cost pane (e.g. "system").
    pub cost_tag: Option<String>,
    /// Use Live Tail for the log pane (FilterLogEvents polling when off, refused or sampled).
    pub live_tail: bool,
    /// Where Cost Explorer answers are kept between runs (each request is billed).
    pub cache_dir: PathBuf,
    /// Attempts per call including the first (the SDK's standard retry mode backs off).
    pub max_attempts: u32,
    pub connect_timeout: Duration,
    pub operation_timeout: Duration,
    /// `--fleet`: the account's limiter, shared by the backends of all its regions (every HTTP
    /// request goes through it; see `limit.rs`). None: no limit of opsdeck's own.
    pub limiter: Option<std::sync::Arc<limit::Limiter>>,
}

impl AwsOptions {
    pub fn new(cache_dir: PathBuf) -> Self {
        AwsOptions {
            cache_dir,
            max_attempts: 3,
            live_tail: true,
            // A blackholed network or a TLS-intercepting proxy must show an error in seconds.
            connect_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(30),
            ..AwsOptions::default()
        }
    }
}

/// API calls made this session, and what the billed ones cost.
#[derive(Debug, Default)]
pub struct ApiStats {
    calls: Mutex<BTreeMap<&'static str, u64>>,
    /// Estimated USD, in millionths.
    micro_usd: Mutex<u64>,
}

impl ApiStats {
    fn count(&self, action: &'static str) {
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry(action).or_default() += 1;
        }
    }

    fn charge(&self, micro_usd: u64) {
        if let Ok(mut total) = self.micro_usd.lock() {
            *total += micro_usd;
        }
    }

    pub fn snapshot(&self) -> (u64, f64) {
        let calls = self.calls.lock().map(|c| c.values().sum()).unwrap_or(0);
        let cost = self.micro_usd.lock().map(|m| *m as f64 / 1_000_000.0).unwrap_or(0.0);
        (calls, cost)
    }

    pub fn by_action(&self) -> BTreeMap<&'static str, u64> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

pub struct AwsBackend {
    profile: String,
    region: String,
    ecs: aws_sdk_ecs::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    sagemaker: aws_sdk_sagemaker::Client,
    costexplorer: aws_sdk_costexplorer::Client,
    autoscaling: aws_sdk_applicationautoscaling::Client,
    /// Its own operation timeout (the model container has 60 s, see `INVOKE_TIMEOUT`) and one attempt.
    sagemaker_runtime: aws_sdk_sagemakerruntime::Client,
    sts: aws_sdk_sts::Client,
    /// Parameter Store: where an environment's pre-teardown state is saved.
    ssm: aws_sdk_ssm::Client,
    lambda: aws_sdk_lambda::Client,
    /// Test invocations only: one attempt (a retried invoke may run the function twice) and
    /// Lambda's own 15-minute limit as its timeout (see `functions::lambda_invoke_client`).
    lambda_invoke: aws_sdk_lambda::Client,
    eventbridge: aws_sdk_eventbridge::Client,
    /// Load-balancer target groups and target health.
    elbv2: aws_sdk_elasticloadbalancingv2::Client,
    /// STS GetCallerIdentity's ARN, read once per backend (the credentials do not change under it).
    caller: Mutex<Option<String>>,
    /// Service revisions are immutable: revision ARN -> the task definition it deploys.
    service_revisions: Mutex<HashMap<String, TaskDefRef>>,
    cache_dir: PathBuf,
    cost_tag: Option<String>,
    /// Task definitions are immutable: their log group is looked up once per ARN.
    log_groups: Mutex<HashMap<String, Option<String>>>,
    /// Endpoint configs are immutable too: variant name -> instance type, per config.
    endpoint_configs: Mutex<HashMap<String, HashMap<String, String>>>,
    /// Variants (name, has GPU) of the endpoints last listed, for their metrics.
    variants: Mutex<HashMap<String, Vec<(String, bool)>>>,
    pub stats: ApiStats,
    live_tail: bool,
    /// The Live Tail session of the group on screen (at most one: they are billed per minute).
    tails: Mutex<HashMap<String, tail_sessions::TailSession>>,
    /// Sessions that ended before going live, per group; at the limit the group stays on polling.
    tail_failures: Mutex<HashMap<String, u32>>,
    log_group_arns: Mutex<HashMap<String, String>>,
    /// Alarm ARN -> its runbook_url tag (None: read, no such tag), read once per alarm.
    alarm_tags: Mutex<HashMap<String, Option<String>>>,
}

impl AwsBackend {
    pub async fn connect(options: AwsOptions) -> Result<AwsBackend, BackendError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(options.connect_timeout)
                    .operation_timeout(options.operation_timeout)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)));
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let client = match &options.ca_bundle {
            Some(bundle) => Some(tls_client(bundle)?),
            None if options.limiter.is_some() => Some(https_client()),
            None => None,
        };
        if let Some(client) = client {
            loader = loader.http_client(match &options.limiter {
                Some(limiter) => limit::limited(client, limiter.clone()),
                None => client,
            });
        }
        let mut config = loader.load().await;
        if let Some(role) = &options.role_arn {
            let provider = aws_config::sts::AssumeRoleProvider::builder(role)
                .session_name("opsdeck")
                .configure(&config)
                .build()
                .await;
            config = config
                .into_builder()
                .credentials_provider(aws_types::sdk_config::SharedCredentialsProvider::new(provider))
                .build();
        }
        let region = config.region().map(ToString::to_string).ok_or_else(|| {
            BackendError::Other("no AWS region: pass --region, set AWS_REGION, or set one in the profile".into())
        })?;
        let profile = options
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
            .unwrap_or_else(|| "default".to_string());
        Ok(AwsBackend {
            profile,
            region,
            ecs: aws_sdk_ecs::Client::new(&config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            sagemaker: aws_sdk_sagemaker::Client::new(&config),
            costexplorer: aws_sdk_costexplorer::Client::new(&config),
            autoscaling: aws_sdk_applicationautoscaling::Client::new(&config),
            sagemaker_runtime: actions::runtime_client(&config, options.connect_timeout, options.operation_timeout),
            sts: aws_sdk_sts::Client::new(&config),
            ssm: aws_sdk_ssm::Client::new(&config),
            lambda: aws_sdk_lambda::Client::new(&config),
            lambda_invoke: functions::lambda_invoke_client(&config, options.connect_timeout, options.operation_timeout),
            eventbridge: aws_sdk_eventbridge::Client::new(&config),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(&config),
            caller: Mutex::new(None),
            service_revisions: Mutex::new(HashMap::new()),
            cache_dir: options.cache_dir,
            cost_tag: options.cost_tag,
            log_groups: Mutex::new(HashMap::new()),
            endpoint_configs: Mutex::new(HashMap::new()),
            variants: Mutex::new(HashMap::new()),
            stats: ApiStats::default(),
            live_tail: options.live_tail,
            tails: Mutex::new(HashMap::new()),
            tail_failures: Mutex::new(HashMap::new()),
            log_group_arns: Mutex::new(HashMap::new()),
            alarm_tags: Mutex::new(HashMap::new()),
        })
    }

    /// Count the call and turn its error into a `BackendError` naming the IAM action.
    fn fail<E>(&self, action: &'static str, err: &E) -> BackendError
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error,
    {
        let error = errors::classify(action, &self.profile, err);
        tracing::warn!(action, %error, "AWS call failed");
        error
    }
}

/// The SDK's default HTTPS client (hyper 1, rustls with aws-lc), built here to wrap it.
fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .build_https()
}

/// An HTTPS client that trusts the system's roots plus the certificates in `bundle`.
fn tls_client(
    bundle: &std::path::Path,
) -> Result<aws_smithy_runtime_api::client::http::SharedHttpClient, BackendError> {
    use aws_smithy_http_client::tls;
    let shown = bundle.display();
    let pem = std::fs::read(bundle).map_err(|e| BackendError::Other(format!("AWS_CA_BUNDLE {shown}: {e}")))?;
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err(BackendError::Other(format!("AWS_CA_BUNDLE {shown}: no PEM certificate in the file")));
    }
    let context = tls::TlsContext::builder()
        .with_trust_store(tls::TrustStore::default().with_pem_certificate(pem))
        .build()
        .map_err(|e| BackendError::Other(format!("AWS_CA_BUNDLE {shown}: {e}")))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

#[async_trait]
impl Backend for AwsBackend {
    fn label(&self) -> BackendLabel {
        BackendLabel::Aws { profile: self.profile.clone(), region: self.region.clone() }
    }

    fn usage(&self) -> Option<ApiUsage> {
        let (calls, estimated_usd) = self.stats.snapshot();
        Some(ApiUsage { calls, estimated_usd })
    }

    async fn services(&self) -> Result<Vec<Service>, BackendError> {
        self.ecs_services(&|_| {}).await
    }

    async fn services_progressive(&self, first_screen: &ServicesProgress<'_>) -> Result<Vec<Service>, BackendError> {
        self.ecs_services(first_screen).await
    }

    async fn service_metrics(&self, services: &[Address]) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError> {
        self.ecs_metrics(services).await
    }

    async fn service_detail(&self, service: &Address) -> Result<ServiceDetail, BackendError> {
        self.ecs_service_detail(service).await
    }

    async fn endpoints(&self) -> Result<Vec<Endpoint>, BackendError> {
        self.sm_endpoints().await
    }

    async fn endpoint_metrics(&self, endpoints: &[String]) -> Result<EndpointMetricsMap, BackendError> {
        self.sm_metrics(endpoints).await
    }

    async fn alarms(&self) -> Result<Vec<Alarm>, BackendError> {
        self.cw_alarms().await
    }

    async fn cost(&self) -> Result<CostReport, BackendError> {
        self.ce_cost(false).await
    }

    async fn cost_fresh(&self) -> Result<CostReport, BackendError> {
        self.ce_cost(true).await
    }

    async fn cost_cached(&self) -> Option<CostReport> {
        self.cached_cost(chrono::Utc::now())
    }

    async fn log_events(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError> {
        self.log_events_live(group, query).await
    }

    async fn target_health(&self, target_groups: &[String]) -> Result<Vec<TargetGroupHealth>, BackendError> {
        self.elb_target_health(target_groups).await
    }

    async fn functions(&self, filter: &FunctionFilter) -> Result<Vec<Function>, BackendError> {
        self.lambda_functions(filter).await
    }

    async fn function_metrics(
        &self,
        functions: &[Function],
    ) -> Result<BTreeMap<String, FunctionMetrics>, BackendError> {
        self.lambda_metrics(functions).await
    }

    async fn function_detail(&self, name: &str) -> Result<FunctionDetail, BackendError> {
        self.lambda_function_detail(name).await
    }

    async fn endpoint_models(&self, endpoint: &str) -> Result<EndpointModels, BackendError> {
        self.sm_endpoint_models(endpoint).await
    }

    async fn metric_data(
        &self,
        queries: &[MetricQuery],
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<MetricSeries>, BackendError> {
        self.cw_metric_data(queries, start, end).await
    }

    async fn alarm_history(
        &self,
        alarm: &str,
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<AlarmTransition>, BackendError> {
        self.cw_alarm_history(alarm, start, end).await
    }

    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        self.logs_start_query(request).await
    }

    async fn query_results(&self, id: &str) -> Result<QueryResults, BackendError> {
        self.logs_query_results(id).await
    }

    async fn stop_query(&self, id: &str) -> Result<(), BackendError> {
        self.logs_stop_query(id).await
    }

    async fn log_record(&self, ptr: &str) -> Result<QueryRow, BackendError> {
        self.logs_record(ptr).await
    }

    async fn snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        self.fresh_snapshot(address).await
    }

    async fn cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError> {
        self.ecs_cluster_services(cluster).await
    }

    async fn scaling_policies(&self, resource: &ScalableResource) -> Result<Vec<ScalingPolicy>, BackendError> {
        self.autoscaling_policies(resource).await
    }

    async fn parameters(&self, names: &[String]) -> Result<BTreeMap<String, String>, BackendError> {
        self.ssm_parameters(names).await
    }

    async fn endpoint_config(&self, config: &str) -> Result<Vec<VariantCapacity>, BackendError> {
        self.sm_endpoint_config(config).await
    }

    async fn revision_history(&self, address: &Address) -> Result<RevisionHistory, BackendError> {
        self.ecs_revision_history(address).await
    }

    async fn task_definition(&self, task_def: &TaskDefRef) -> Result<TaskDefSpec, BackendError> {
        self.ecs_task_definition(task_def).await
    }

    async fn caller_identity(&self) -> Result<String, BackendError> {
        self.sts_caller_identity().await
    }

    async fn apply(&self, permit: crate::backend::Permit) -> Result<Receipt, BackendError> {
        self.apply_permit(permit).await
    }
}
