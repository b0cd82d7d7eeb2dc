//! SageMaker endpoints as state: each variant's current and desired instance count and weight,
//! and the Creating, Updating and Deleting windows an endpoint goes through before a change shows.

use super::catalog::{EndpointSpec, ENDPOINTS};
use crate::domain::{Endpoint, Variant, VariantCapacity};

/// Seconds an endpoint stays Updating after a capacity change (real ones take minutes).
pub(crate) const UPDATING_SECS: i64 = 90;
/// Seconds CreateEndpoint keeps an endpoint Creating (real ones take 5-10 minutes: the demo
/// shortens it so a restore can be watched to the end, as it does for updates).
pub(crate) const CREATING_SECS: i64 = 120;
/// Seconds DeleteEndpoint keeps an endpoint Deleting before it is gone.
pub(crate) const DELETING_SECS: i64 = 30;

/// A change under way; the endpoint refuses other changes until it finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Busy {
    Creating,
    Updating,
    Deleting,
}

#[derive(Debug, Clone)]
pub(crate) struct VariantState {
    pub current: u32,
    pub desired: u32,
    /// Traffic weight in effect, and the one the change under way puts in effect.
    pub weight: f64,
    pub desired_weight: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct EndpointState {
    pub variants: Vec<VariantState>,
    /// False once a deletion has finished: the endpoint is gone, its config stays.
    pub exists: bool,
    /// The change under way and the second it finishes.
    pub busy: Option<(Busy, i64)>,
}

/// The config a catalog endpoint was created from: its catalog counts and weights.
pub(crate) fn config(spec: &EndpointSpec) -> Vec<VariantCapacity> {
    spec.variants
        .iter()
        .map(|v| VariantCapacity { variant: v.name.to_string(), instances: v.instances, weight: v.weight })
        .collect()
}

impl EndpointState {
    pub(crate) fn seeded() -> Vec<EndpointState> {
        ENDPOINTS
            .iter()
            .map(|e| EndpointState {
                variants: e
                    .variants
                    .iter()
                    .map(|v| VariantState {
                        current: v.instances,
                        desired: v.instances,
                        weight: v.weight,
                        desired_weight: v.weight,
                    })
                    .collect(),
                exists: true,
                busy: None,
            })
            .collect()
    }

    /// Advance to second `t`; true when a change finished this second.
    pub(crate) fn step(&mut self, t: i64) -> bool {
        let Some((busy, until)) = self.busy else {
            return false;
        };
        if t < until {
            return false;
        }
        self.busy = None;
        if busy == Busy::Deleting {
            self.exists = false;
        }
        for v in &mut self.variants {
            if busy == Busy::Deleting {
                v.desired = 0;
            }
            v.current = v.desired;
            v.weight = v.desired_weight;
        }
        true
    }

    /// DescribeEndpoint's EndpointStatus; None when the endpoint is gone.
    pub(crate) fn status(&self) -> Option<&'static str> {
        match (self.exists, self.busy) {
            (false, _) => None,
            (true, None) => Some("InService"),
            (true, Some((Busy::Creating, _))) => Some("Creating"),
            (true, Some((Busy::Updating, _))) => Some("Updating"),
            (true, Some((Busy::Deleting, _))) => Some("Deleting"),
        }
    }

    /// Takes traffic: InService, or Updating (SageMaker keeps serving while it updates).
    pub(crate) fn serving(&self) -> bool {
        self.exists && matches!(self.busy, None | Some((Busy::Updating, _)))
    }

    /// The variant a request goes to when none is named: by weight, as SageMaker splits traffic
    /// (`pick` uniform in [0, 1)).
    pub(crate) fn pick_variant(&self, pick: f64) -> usize {
        let total: f64 = self.variants.iter().map(|v| v.weight).sum();
        let pick = pick * total;
        let mut acc = 0.0;
        self.variants
            .iter()
            .position(|v| {
                acc += v.weight;
                pick < acc
            })
            .unwrap_or(0)
    }

    /// Each variant's part of the endpoint's traffic.
    pub(crate) fn traffic_shares(&self) -> Vec<f64> {
        let total: f64 = self.variants.iter().map(|v| v.weight).sum();
        self.variants.iter().map(|v| if total > 0.0 { v.weight / total } else { 0.0 }).collect()
    }

    /// DeleteEndpoint: Deleting, then gone.
    pub(crate) fn delete(&mut self, t: i64) {
        self.busy = Some((Busy::Deleting, t + DELETING_SECS));
    }

    /// CreateEndpoint from a config: Creating with no instances, then InService with the config's.
    pub(crate) fn create(&mut self, t: i64, config: &[VariantCapacity]) {
        self.exists = true;
        for (v, c) in self.variants.iter_mut().zip(config) {
            *v = VariantState { current: 0, desired: c.instances, weight: c.weight, desired_weight: c.weight };
        }
        self.busy = Some((Busy::Creating, t + CREATING_SECS));
    }

    /// UpdateEndpointWeightsAndCapacities: (variant index, instances, weight when given).
    pub(crate) fn update(&mut self, t: i64, changes: &[(usize, u32, Option<f64>)]) {
        for &(v, instances, weight) in changes {
            if let Some(state) = self.variants.get_mut(v) {
                state.desired = instances;
                state.desired_weight = weight.unwrap_or(state.desired_weight);
            }
        }
        self.busy = Some((Busy::Updating, t + UPDATING_SECS));
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
        status: state.status().unwrap_or("Deleted").to_string(),
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
                weight: s.weight,
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
        e.update(10, &[(0, 4, None)]);
        assert!(!e.step(10 + UPDATING_SECS - 1));
        assert_eq!(e.status(), Some("Updating"));
        assert!(e.serving(), "an updating endpoint keeps serving");
        assert!(e.step(10 + UPDATING_SECS));
        assert_eq!((e.status(), e.variants[0].current), (Some("InService"), 4));
    }

    #[test]
    fn delete_then_create_goes_through_both_windows() {
        let mut e = EndpointState::seeded().remove(1);
        e.delete(0);
        assert_eq!((e.status(), e.serving()), (Some("Deleting"), false));
        assert!(e.step(DELETING_SECS));
        assert_eq!(e.status(), None);
        assert!(e.variants.iter().all(|v| v.current == 0 && v.desired == 0));
        e.create(100, &config(&ENDPOINTS[1]));
        assert_eq!((e.status(), e.serving(), e.variants[0].current), (Some("Creating"), false, 0));
        assert!(e.step(100 + CREATING_SECS));
        assert_eq!(e.status(), Some("InService"));
        let counts: Vec<u32> = e.variants.iter().map(|v| v.current).collect();
        assert_eq!(counts, vec![2, 1]);
        assert_eq!(e.traffic_shares(), vec![0.9, 0.1]);
    }

    #[test]
    fn weights_split_traffic_and_catalog_weights_pick_as_before() {
        let mut e = EndpointState::seeded().remove(1);
        assert_eq!((e.pick_variant(0.85), e.pick_variant(0.95)), (0, 1));
        e.update(0, &[(0, 2, Some(1.0)), (1, 1, Some(3.0))]);
        e.step(UPDATING_SECS);
        assert_eq!(e.traffic_shares(), vec![0.25, 0.75]);
        assert_eq!((e.pick_variant(0.2), e.pick_variant(0.3)), (0, 1));
    }
}
