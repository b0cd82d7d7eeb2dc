//! SageMaker endpoints as state: each variant's current and desired instance count, and the
//! Updating window a capacity change goes through before new instances serve.

use super::catalog::ENDPOINTS;
use crate::domain::{Endpoint, Variant};

/// Seconds an endpoint stays Updating after a capacity change (real ones take minutes).
pub(crate) const UPDATING_SECS: i64 = 90;

#[derive(Debug, Clone)]
pub(crate) struct VariantState {
    pub current: u32,
    pub desired: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct EndpointState {
    pub variants: Vec<VariantState>,
    /// While Some, the endpoint is Updating; at that second new capacity comes InService.
    pub updating_until: Option<i64>,
}

impl EndpointState {
    pub(crate) fn seeded() -> Vec<EndpointState> {
        ENDPOINTS
            .iter()
            .map(|e| EndpointState {
                variants: e
                    .variants
                    .iter()
                    .map(|v| VariantState { current: v.instances, desired: v.instances })
                    .collect(),
                updating_until: None,
            })
            .collect()
    }

    /// Advance to second `t`; true when an update finished this second.
    pub(crate) fn step(&mut self, t: i64) -> bool {
        if self.updating_until.is_some_and(|until| t >= until) {
            self.updating_until = None;
            for v in &mut self.variants {
                v.current = v.desired;
            }
            return true;
        }
        false
    }

    pub(crate) fn status(&self) -> &'static str {
        if self.updating_until.is_some() {
            "Updating"
        } else {
            "InService"
        }
    }
}

/// How much of a load-driven slowdown is left with `current` instances where the catalog has
/// `base`: latency under overload falls steeply with capacity (queueing), so doubling the
/// instances takes most of it away and one more instance does not.
pub(crate) fn relief(base: u32, current: u32) -> f64 {
    if current == 0 {
        return 1.0;
    }
    (f64::from(base) / f64::from(current)).powi(4).min(1.0)
}

/// A slowdown factor after capacity relief.
pub(crate) fn relieved(factor: f64, base: u32, current: u32) -> f64 {
    1.0 + (factor - 1.0) * relief(base, current)
}

pub(crate) fn to_endpoint(index: usize, state: &EndpointState) -> Endpoint {
    let spec = &ENDPOINTS[index];
    Endpoint {
        name: spec.name.to_string(),
        status: state.status().to_string(),
        system: Some(spec.system.to_string()),
        variants: spec
            .variants
            .iter()
            .zip(&state.variants)
            .map(|(v, s)| Variant {
                name: v.name.to_string(),
                instance_type: v.instance_type.to_string(),
                current_instances: s.current,
                desired_instances: s.desired,
                weight: v.weight,
            })
            .collect(),
        log_group: Some(spec.log_group.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubling_capacity_relieves_most_of_a_spike_and_one_more_instance_does_not() {
        let peak = 40.0;
        assert!(relieved(peak, 2, 4) * 250.0 < 2000.0, "four instances bring p99 under 2 s");
        assert!(relieved(peak, 2, 3) * 250.0 > 2000.0, "three are not enough");
        assert_eq!(relieved(peak, 2, 2), peak);
    }

    #[test]
    fn an_update_finishes_at_its_second() {
        let mut e = EndpointState::seeded().remove(1);
        e.variants[0].desired = 4;
        e.updating_until = Some(100);
        assert!(!e.step(99));
        assert_eq!(e.status(), "Updating");
        assert!(e.step(100));
        assert_eq!((e.status(), e.variants[0].current), ("InService", 4));
    }
}
