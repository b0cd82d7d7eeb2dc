//! Domain types of operator actions: what a resource looks like when read fresh before (and while
//! watching) a change, what a change is, and what the cloud answered. No SDK type appears here.

use super::{Address, Endpoint, Service, ServiceEvent, TaskDefRef};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Application Auto Scaling's SuspendedState: three independent flags. Whoever changes min/max must
/// read them first and send them back unchanged (re-registering with hard-coded flags clears
/// suspensions someone else set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspended {
    pub dynamic_in: bool,
    pub dynamic_out: bool,
    pub scheduled: bool,
}

impl Suspended {
    pub fn any(&self) -> bool {
        self.dynamic_in || self.dynamic_out || self.scheduled
    }
}

/// A scalable target registered with Application Auto Scaling for an ECS service or a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalingTarget {
    pub min: u32,
    pub max: u32,
    pub suspended: Suspended,
}

/// ECS's service-deployment record (ListServiceDeployments / DescribeServiceDeployments), where
/// ECS reports one: newer services, and the status native rollback acts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceDeploymentInfo {
    pub arn: String,
    /// PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_REQUESTED,
    /// ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED.
    pub status: String,
    /// Blue/green lifecycle stage (RECONCILE_SERVICE, PRE_SCALE_UP, ..., BAKE_TIME), when reported.
    pub lifecycle_stage: Option<String>,
    /// The revision this deployment rolls out, when known.
    pub target: Option<TaskDefRef>,
    pub status_reason: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl ServiceDeploymentInfo {
    /// Native rollback (StopServiceDeployment ROLLBACK) applies only while it is under way.
    pub fn in_progress(&self) -> bool {
        matches!(self.status.as_str(), "PENDING" | "IN_PROGRESS")
    }
}

/// An ECS service read fresh: the service, its newest events, its autoscaling target and the
/// newest service deployment where ECS reports one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceSnapshot {
    pub service: Service,
    /// Newest first.
    pub events: Vec<ServiceEvent>,
    pub scaling: Option<ScalingTarget>,
    pub deployment: Option<ServiceDeploymentInfo>,
}

/// A SageMaker endpoint read fresh, with the autoscaling target of each variant that has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointSnapshot {
    pub endpoint: Endpoint,
    /// The endpoint config it runs (DescribeEndpoint EndpointConfigName): what a restore recreates it from.
    pub config_name: Option<String>,
    /// Why the endpoint is Failed (DescribeEndpoint FailureReason).
    pub failure_reason: Option<String>,
    /// Variant name -> its registered scalable target.
    pub scaling: BTreeMap<String, ScalingTarget>,
}

/// A Lambda function's reserved concurrency (GetFunctionConcurrency). None means no limit is set,
/// which is not the same as any number: a restore must remove the limit, not set one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionSnapshot {
    pub name: String,
    pub reserved_concurrency: Option<u32>,
}

/// An EventBridge rule's state (DescribeRule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSnapshot {
    /// None: the default event bus.
    pub bus: Option<String>,
    pub name: String,
    /// ENABLED, DISABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
    pub state: String,
}

impl RuleSnapshot {
    pub fn enabled(&self) -> bool {
        self.state.starts_with("ENABLED")
    }
}

/// A resource as read fresh from the backend (never the screen's cached copy).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Snapshot {
    Service(ServiceSnapshot),
    Endpoint(EndpointSnapshot),
    Function(FunctionSnapshot),
    Rule(RuleSnapshot),
}

impl Snapshot {
    /// The address of the resource read (an endpoint without a variant).
    pub fn address(&self) -> Address {
        match self {
            Snapshot::Service(s) => s.service.address(),
            Snapshot::Endpoint(e) => e.endpoint.address(),
            Snapshot::Function(f) => Address::function(&f.name),
            Snapshot::Rule(r) => Address::rule(r.bus.as_deref(), &r.name),
        }
    }
}

/// An Application Auto Scaling policy, kept whole so it can be put back after SageMaker removes
/// it with its endpoint. `config` is the policy's configuration as the AWS module writes and
/// reads it (JSON); nothing else interprets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingPolicy {
    pub name: String,
    /// TargetTrackingScaling or StepScaling.
    pub kind: String,
    pub config: serde_json::Value,
}

/// One variant's instance count and weight, as a restore puts them back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantCapacity {
    pub variant: String,
    pub instances: u32,
    pub weight: f64,
}

/// What roll back can go to.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RevisionHistory {
    /// The family's ACTIVE revisions, newest first.
    pub revisions: Vec<TaskDefRef>,
    /// Revisions that completed a deployment of this service, most recent completion first.
    pub completed: Vec<TaskDefRef>,
}

/// One container of a task definition, reduced to what a diff should show.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// Sorted by name.
    pub environment: Vec<(String, String)>,
    /// Secret names only: values never leave AWS.
    pub secrets: Vec<String>,
    pub command: Vec<String>,
    /// e.g. "8080/tcp".
    pub ports: Vec<String>,
    /// The health check command, e.g. "CMD-SHELL curl -f localhost:8080/health".
    pub health_check: Option<String>,
    pub cpu: Option<i32>,
    pub memory: Option<i32>,
}

/// A task definition revision, reduced to what a diff should show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskDefSpec {
    pub task_def: TaskDefRef,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub containers: Vec<ContainerSpec>,
}

/// The registered-target resource an autoscaling change applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScalableResource {
    EcsService { cluster: String, service: String },
    Variant { endpoint: String, variant: String },
}

impl ScalableResource {
    /// Application Auto Scaling's ResourceId.
    pub fn resource_id(&self) -> String {
        match self {
            ScalableResource::EcsService { cluster, service } => format!("service/{cluster}/{service}"),
            ScalableResource::Variant { endpoint, variant } => format!("endpoint/{endpoint}/variant/{variant}"),
        }
    }
}

/// One change to the cloud. Only `ops::execute` hands these to a backend, inside a `Permit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Mutation {
    /// ECS UpdateService with desiredCount only.
    SetDesiredCount { address: Address, count: u32 },
    /// SageMaker UpdateEndpointWeightsAndCapacities with DesiredInstanceCount only.
    SetVariantInstances { endpoint: String, variant: String, count: u32 },
    /// RegisterScalableTarget with new min/max and the SuspendedState read before, unchanged.
    SetScalingBounds { resource: ScalableResource, min: u32, max: u32, suspended: Suspended },
    /// ECS UpdateService forceNewDeployment on the current task definition.
    ForceNewDeployment { address: Address },
    /// ECS UpdateService with taskDefinition only (nothing that needs iam:PassRole).
    SetTaskDefinition { address: Address, task_def: TaskDefRef },
    /// ECS StopServiceDeployment(stopType=ROLLBACK): native roll back of a deployment under way.
    RollbackDeployment { address: Address, deployment_arn: String },
    /// SageMaker Runtime InvokeEndpoint.
    Invoke { endpoint: String, variant: Option<String>, content_type: String, body: Vec<u8> },
    /// Lambda Invoke, RequestResponse with the log tail, of `$LATEST` or a version or alias.
    InvokeFunction { function: String, qualifier: Option<String>, body: Vec<u8> },
    /// SageMaker DeleteEndpoint: the endpoint config and models stay.
    DeleteEndpoint { endpoint: String },
    /// SageMaker CreateEndpoint from an existing endpoint config.
    CreateEndpoint { endpoint: String, config: String },
    /// SageMaker UpdateEndpointWeightsAndCapacities with the instance count and weight of each variant named.
    SetVariantCapacities { endpoint: String, variants: Vec<VariantCapacity> },
    /// Application Auto Scaling DeregisterScalableTarget (its policies go with it).
    DeregisterScalingTarget { resource: ScalableResource },
    /// Application Auto Scaling PutScalingPolicy, as saved.
    PutScalingPolicy { resource: ScalableResource, policy: ScalingPolicy },
    /// Lambda PutFunctionConcurrency (Some) or DeleteFunctionConcurrency (None: no limit).
    SetFunctionConcurrency { function: String, reserved: Option<u32> },
    /// EventBridge EnableRule / DisableRule.
    SetRuleEnabled { bus: Option<String>, rule: String, enabled: bool },
    /// SSM PutParameter (a standard String parameter, overwritten): where environment state is saved.
    PutParameter { name: String, value: String },
    /// SSM DeleteParameters (at most 10 names).
    DeleteParameters { names: Vec<String> },
}

impl Mutation {
    /// What the mutation acts on, for the audit record's steps.
    pub fn describe(&self) -> String {
        match self {
            Mutation::SetDesiredCount { address, count } => format!("{address}: desired count {count}"),
            Mutation::SetVariantInstances { endpoint, variant, count } => {
                format!("sm:{endpoint}/{variant}: {count} instances")
            }
            Mutation::SetScalingBounds { resource, min, max, .. } => {
                format!("autoscaling {}: min {min} max {max}", resource.resource_id())
            }
            Mutation::ForceNewDeployment { address } => format!("{address}: new deployment"),
            Mutation::SetTaskDefinition { address, task_def } => {
                format!("{address}: task definition {task_def} (UpdateService)")
            }
            Mutation::RollbackDeployment { address, .. } => {
                format!("{address}: native roll back (StopServiceDeployment)")
            }
            Mutation::Invoke { endpoint, variant, .. } => match variant {
                Some(v) => format!("sm:{endpoint}/{v}: test inference"),
                None => format!("sm:{endpoint}: test inference"),
            },
            Mutation::InvokeFunction { function, qualifier, .. } => match qualifier {
                Some(q) => format!("lambda:{function}:{q}: test invocation"),
                None => format!("lambda:{function}: test invocation"),
            },
            Mutation::DeleteEndpoint { endpoint } => format!("sm:{endpoint}: delete endpoint (config kept)"),
            Mutation::CreateEndpoint { endpoint, config } => format!("sm:{endpoint}: create from config {config}"),
            Mutation::SetVariantCapacities { endpoint, variants } => {
                let each: Vec<String> =
                    variants.iter().map(|v| format!("{} {} × weight {}", v.variant, v.instances, v.weight)).collect();
                format!("sm:{endpoint}: {}", each.join(", "))
            }
            Mutation::DeregisterScalingTarget { resource } => {
                format!("autoscaling {}: deregister", resource.resource_id())
            }
            Mutation::PutScalingPolicy { resource, policy } => {
                format!("autoscaling {}: policy {}", resource.resource_id(), policy.name)
            }
            Mutation::SetFunctionConcurrency { function, reserved: Some(n) } => {
                format!("lambda:{function}: reserved concurrency {n}")
            }
            Mutation::SetFunctionConcurrency { function, reserved: None } => {
                format!("lambda:{function}: no reserved concurrency")
            }
            Mutation::SetRuleEnabled { bus, rule, enabled } => {
                let address = Address::rule(bus.as_deref(), rule);
                format!("{address}: {}", if *enabled { "enable" } else { "disable" })
            }
            Mutation::PutParameter { name, value } => format!("ssm {name}: {} bytes", value.len()),
            Mutation::DeleteParameters { names } => format!("ssm: delete {}", names.join(", ")),
        }
    }
}

/// What the backend answered to one mutation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Receipt {
    /// The AWS request id (x-amzn-RequestId), for the audit record and a support case.
    pub request_id: Option<String>,
    pub response: Option<InvokeResponse>,
}

/// InvokeEndpoint's or a Lambda Invoke's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InvokeResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub invoked_variant: Option<String>,
    pub body: Vec<u8>,
    /// Measured by the client, round trip.
    pub latency_ms: f64,
    /// Lambda: `Unhandled` (or `Handled`) when the function itself failed; the call still
    /// answers 200 and the body is the error.
    pub function_error: Option<String>,
    /// Lambda: the end of the invocation's log (LogType=Tail, the last 4 KB), decoded.
    pub log_tail: Option<String>,
    /// Lambda: the version that ran.
    pub executed_version: Option<String>,
}
