//! Application Auto Scaling: the scalable targets of ECS services and SageMaker variants (min, max,
//! the three suspended flags) and their scaling policies. Re-registering a target, deregistering
//! it and putting a policy back are actions (actions.rs).

use super::policies::policy_from;
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{ScalableResource, ScalingPolicy, ScalingTarget, Suspended};
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ScalableTarget, ServiceNamespace, SuspendedState};
use std::collections::BTreeMap;

/// Where a resource's target lives: namespace and dimension.
pub(super) fn coordinates(resource: &ScalableResource) -> (ServiceNamespace, ScalableDimension) {
    match resource {
        ScalableResource::EcsService { .. } => (ServiceNamespace::Ecs, ScalableDimension::EcsServiceDesiredCount),
        ScalableResource::Variant { .. } => {
            (ServiceNamespace::Sagemaker, ScalableDimension::SageMakerVariantDesiredInstanceCount)
        }
    }
}

fn capacity(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A flag that is absent is not suspended.
fn suspended_from(state: Option<&SuspendedState>) -> Suspended {
    let flag = |f: Option<bool>| f.unwrap_or(false);
    state.map_or_else(Suspended::default, |s| Suspended {
        dynamic_in: flag(s.dynamic_scaling_in_suspended()),
        dynamic_out: flag(s.dynamic_scaling_out_suspended()),
        scheduled: flag(s.scheduled_scaling_suspended()),
    })
}

fn target_from(t: &ScalableTarget) -> ScalingTarget {
    ScalingTarget {
        min: capacity(t.min_capacity()),
        max: capacity(t.max_capacity()),
        suspended: suspended_from(t.suspended_state()),
    }
}

/// What RegisterScalableTarget is sent: exactly the three flags given, each one explicit.
pub(super) fn suspended_state(s: Suspended) -> SuspendedState {
    SuspendedState::builder()
        .dynamic_scaling_in_suspended(s.dynamic_in)
        .dynamic_scaling_out_suspended(s.dynamic_out)
        .scheduled_scaling_suspended(s.scheduled)
        .build()
}

impl AwsBackend {
    /// The registered targets of `resources` (all of one kind), keyed by resource id; a resource
    /// without a target is absent.
    async fn scalable_targets(
        &self,
        resources: &[ScalableResource],
    ) -> Result<BTreeMap<String, ScalingTarget>, BackendError> {
        let Some(first) = resources.first() else {
            return Ok(BTreeMap::new());
        };
        let (namespace, dimension) = coordinates(first);
        let ids: Vec<String> = resources.iter().map(ScalableResource::resource_id).collect();
        let mut found = BTreeMap::new();
        let mut token = None;
        loop {
            self.stats.count("application-autoscaling:DescribeScalableTargets");
            let page = self
                .autoscaling
                .describe_scalable_targets()
                .service_namespace(namespace.clone())
                .scalable_dimension(dimension.clone())
                .set_resource_ids(Some(ids.clone()))
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("application-autoscaling:DescribeScalableTargets", &e))?;
            for t in page.scalable_targets() {
                // Asked by id; an endpoint that ignores the filter must not mix other targets in.
                if ids.iter().any(|id| id == t.resource_id()) && *t.scalable_dimension() == dimension {
                    found.insert(t.resource_id().to_string(), target_from(t));
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(found);
            }
        }
    }

    /// The target's scaling policies (DescribeScalingPolicies, paged), sorted by name.
    pub(super) async fn autoscaling_policies(
        &self,
        resource: &ScalableResource,
    ) -> Result<Vec<ScalingPolicy>, BackendError> {
        let (namespace, dimension) = coordinates(resource);
        let id = resource.resource_id();
        let mut policies = Vec::new();
        let mut token = None;
        loop {
            self.stats.count("application-autoscaling:DescribeScalingPolicies");
            let page = self
                .autoscaling
                .describe_scaling_policies()
                .service_namespace(namespace.clone())
                .resource_id(&id)
                .scalable_dimension(dimension.clone())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("application-autoscaling:DescribeScalingPolicies", &e))?;
            for p in page.scaling_policies() {
                // moto matches ResourceId as a substring: keep exactly this target's policies.
                if p.resource_id() == id && *p.scalable_dimension() == dimension {
                    policies.push(policy_from(p)?);
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                policies.sort_by(|a, b| a.name.cmp(&b.name));
                return Ok(policies);
            }
        }
    }

    /// The ECS service's target (ecs:service:DesiredCount), if one is registered.
    pub(super) async fn service_scaling(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ScalingTarget>, BackendError> {
        let resource = ScalableResource::EcsService { cluster: cluster.to_string(), service: service.to_string() };
        let mut targets = self.scalable_targets(std::slice::from_ref(&resource)).await?;
        Ok(targets.remove(&resource.resource_id()))
    }

    /// Variant name -> its target (sagemaker:variant:DesiredInstanceCount), for those that have one.
    pub(super) async fn variant_scaling(
        &self,
        endpoint: &str,
        variants: &[String],
    ) -> Result<BTreeMap<String, ScalingTarget>, BackendError> {
        let resources: Vec<ScalableResource> = variants
            .iter()
            .map(|v| ScalableResource::Variant { endpoint: endpoint.to_string(), variant: v.clone() })
            .collect();
        let mut targets = self.scalable_targets(&resources).await?;
        Ok(resources
            .iter()
            .zip(variants)
            .filter_map(|(r, v)| Some((v.clone(), targets.remove(&r.resource_id())?)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspended_flags_round_trip_exactly() {
        for flags in [(false, false, false), (true, false, false), (false, true, true), (true, true, true)] {
            let s = Suspended { dynamic_in: flags.0, dynamic_out: flags.1, scheduled: flags.2 };
            assert_eq!(suspended_from(Some(&suspended_state(s))), s);
        }
        assert_eq!(suspended_from(None), Suspended::default());
        let partial = SuspendedState::builder().dynamic_scaling_in_suspended(true).build();
        assert_eq!(suspended_from(Some(&partial)), Suspended { dynamic_in: true, ..Suspended::default() });
    }
}
