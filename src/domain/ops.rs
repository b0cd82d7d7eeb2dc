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
    /// Why the endpoint is Failed (DescribeEndpoint FailureReason).
    pub failure_reason: Option<String>,
    /// Variant name -> its registered scalable target.
    pub scaling: BTreeMap<String, ScalingTarget>,
}

/// A resource as read fresh from the backend (never the screen's cached copy).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Snapshot {
    Service(ServiceSnapshot),
    Endpoint(EndpointSnapshot),
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

/// What the backend answered to one mutation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Receipt {
    /// The AWS request id (x-amzn-RequestId), for the audit record and a support case.
    pub request_id: Option<String>,
    pub response: Option<InvokeResponse>,
}

/// InvokeEndpoint's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvokeResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub invoked_variant: Option<String>,
    pub body: Vec<u8>,
    /// Measured by the client, round trip.
    pub latency_ms: f64,
}
