//! Application Auto Scaling: the scalable targets and scaling policies the seed systems register,
//! and RegisterScalableTarget, DeregisterScalableTarget and PutScalingPolicy played out on them.
//! Nothing here scales anything: the simulated fleet keeps the registrations, not the controller.

use crate::backend::BackendError;
use crate::domain::{ScalableResource, ScalingPolicy, ScalingTarget, Suspended};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub(crate) struct Scaling {
    /// By ResourceId (service/C/S, endpoint/E/variant/V).
    targets: BTreeMap<String, ScalingTarget>,
    /// By ResourceId, then policy name.
    policies: BTreeMap<String, BTreeMap<String, ScalingPolicy>>,
}

fn target_tracking(name: &str, target: f64, metric: &str, scale_in: u32, scale_out: u32) -> ScalingPolicy {
    ScalingPolicy {
        name: name.to_string(),
        kind: "TargetTrackingScaling".to_string(),
        config: json!({
            "TargetValue": target,
            "PredefinedMetricSpecification": { "PredefinedMetricType": metric },
            "ScaleInCooldown": scale_in,
            "ScaleOutCooldown": scale_out,
        }),
    }
}

/// The service namespace and scalable dimension AWS names a resource's target by.
fn dimension(resource: &ScalableResource) -> (&'static str, &'static str) {
    match resource {
        ScalableResource::EcsService { .. } => ("ecs", "ecs:service:DesiredCount"),
        ScalableResource::Variant { .. } => ("sagemaker", "sagemaker:variant:DesiredInstanceCount"),
    }
}

pub(crate) fn no_target(resource: &ScalableResource) -> BackendError {
    let (namespace, dimension) = dimension(resource);
    BackendError::NotFound(format!(
        "ObjectNotFoundException: No scalable target registered for service namespace: {namespace}, resource ID: {}, \
         scalable dimension: {dimension}",
        resource.resource_id()
    ))
}

pub(crate) fn validation(message: String) -> BackendError {
    BackendError::Other(format!("ValidationException: {message}"))
}

impl Scaling {
    /// What the seed guides register: the ECS services' and variants' targets and their
    /// target-tracking policies.
    pub(crate) fn seeded() -> Self {
        let target = |min, max| ScalingTarget { min, max, suspended: Suspended::default() };
        let targets = [
            ("service/cleanistic-ai-cluster/cleanistic-ai-api", target(1, 4)),
            ("service/svg-ai-cluster/svg-ai-service", target(1, 4)),
            ("endpoint/prediction-endpoint/variant/model-v1", target(1, 6)),
            ("endpoint/cleanistic-property-detector-endpoint/variant/AllTraffic", target(1, 3)),
        ];
        const CPU: &str = "ECSServiceAverageCPUUtilization";
        const MEMORY: &str = "ECSServiceAverageMemoryUtilization";
        const INVOCATIONS: &str = "SageMakerVariantInvocationsPerInstance";
        let policies = [
            (
                "service/cleanistic-ai-cluster/cleanistic-ai-api",
                target_tracking("cleanistic-ai-api-cpu", 70.0, CPU, 300, 60),
            ),
            ("service/svg-ai-cluster/svg-ai-service", target_tracking("cpu-scaling", 70.0, CPU, 300, 60)),
            ("service/svg-ai-cluster/svg-ai-service", target_tracking("memory-scaling", 80.0, MEMORY, 300, 60)),
            (
                "endpoint/prediction-endpoint/variant/model-v1",
                target_tracking("prediction-endpoint-model-v1-invocations", 70.0, INVOCATIONS, 300, 60),
            ),
            (
                "endpoint/cleanistic-property-detector-endpoint/variant/AllTraffic",
                target_tracking("cleanistic-ai-scaling-policy", 70.0, INVOCATIONS, 300, 300),
            ),
        ];
        let mut scaling = Scaling {
            targets: targets.into_iter().map(|(id, t)| (id.to_string(), t)).collect(),
            policies: BTreeMap::new(),
        };
        for (id, policy) in policies {
            scaling.policies.entry(id.to_string()).or_default().insert(policy.name.clone(), policy);
        }
        scaling
    }

    pub(crate) fn target(&self, resource_id: &str) -> Option<ScalingTarget> {
        self.targets.get(resource_id).copied()
    }

    /// DescribeScalingPolicies for one target: by name; none for an unregistered target.
    pub(crate) fn policies(&self, resource: &ScalableResource) -> Vec<ScalingPolicy> {
        self.policies.get(&resource.resource_id()).map(|p| p.values().cloned().collect()).unwrap_or_default()
    }

    pub(crate) fn set_target(&mut self, resource_id: String, target: ScalingTarget) {
        self.targets.insert(resource_id, target);
    }

    /// A policy by name on a resource, replacing one of the same name.
    pub(crate) fn put_policy(&mut self, resource_id: String, policy: ScalingPolicy) {
        self.policies.entry(resource_id).or_default().insert(policy.name.clone(), policy);
    }

    /// DeregisterScalableTarget: the target and its policies go.
    pub(crate) fn deregister(&mut self, resource: &ScalableResource) -> Result<(), BackendError> {
        let id = resource.resource_id();
        self.targets.remove(&id).ok_or_else(|| no_target(resource))?;
        self.policies.remove(&id);
        Ok(())
    }
}
