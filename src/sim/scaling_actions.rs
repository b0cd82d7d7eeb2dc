//! RegisterScalableTarget and PutScalingPolicy on the world: they check the resource exists (and an
//! endpoint is InService) before the registration is kept in `Scaling`.

use super::catalog::{ENDPOINTS, SERVICES};
use super::scaling::{no_target, validation};
use super::world::World;
use crate::backend::BackendError;
use crate::domain::{ScalableResource, ScalingPolicy, ScalingTarget, Suspended};

impl World {
    /// RegisterScalableTarget creates or updates: the resource must exist, and a variant's
    /// endpoint must be InService.
    pub(crate) fn register_target(
        &mut self,
        resource: &ScalableResource,
        min: u32,
        max: u32,
        suspended: Suspended,
    ) -> Result<(), BackendError> {
        if min > max {
            return Err(validation(format!(
                "Minimum capacity ({min}) cannot be greater than maximum capacity ({max})"
            )));
        }
        match resource {
            ScalableResource::EcsService { cluster, service } => {
                if !SERVICES.iter().any(|s| s.cluster == cluster && s.name == service) {
                    return Err(validation(format!("ECS service doesn't exist: {}", resource.resource_id())));
                }
            }
            ScalableResource::Variant { endpoint, variant } => {
                let e = ENDPOINTS.iter().position(|e| e.name == endpoint);
                let status = e.and_then(|e| self.endpoints[e].status());
                match (e, status) {
                    (Some(e), Some("InService")) => {
                        if !ENDPOINTS[e].variants.iter().any(|v| v.name == variant) {
                            return Err(validation(format!(
                                "The variant name {variant} is invalid for endpoint {endpoint}"
                            )));
                        }
                    }
                    (_, None) => return Err(validation(format!("Endpoint {endpoint} does not exist"))),
                    (_, Some(status)) => {
                        return Err(validation(format!(
                            "Endpoint {endpoint} is in status {status}: a scalable target needs it InService"
                        )))
                    }
                }
            }
        }
        let target = ScalingTarget { min, max, suspended };
        self.scaling.set_target(resource.resource_id(), target);
        Ok(())
    }

    /// PutScalingPolicy creates or replaces a policy by name on a registered target.
    pub(crate) fn put_policy(
        &mut self,
        resource: &ScalableResource,
        policy: &ScalingPolicy,
    ) -> Result<(), BackendError> {
        let id = resource.resource_id();
        if self.scaling.target(&id).is_none() {
            return Err(no_target(resource));
        }
        if !matches!(policy.kind.as_str(), "TargetTrackingScaling" | "StepScaling" | "PredictiveScaling") {
            return Err(validation(format!(
                "1 validation error detected: Value '{}' at 'policyType' failed to satisfy constraint: Member must \
                 satisfy enum value set: [PredictiveScaling, StepScaling, TargetTrackingScaling]",
                policy.kind
            )));
        }
        self.scaling.put_policy(id, policy.clone());
        Ok(())
    }
}
