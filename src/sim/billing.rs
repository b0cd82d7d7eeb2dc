//! Which simulated resource bills to which Cost Explorer line, and how much of each ran when.
//!
//! A resource's share of its system's line is charged only for the seconds it ran, in proportion
//! to how much of its catalog size ran (tasks for a service, instances by type for an endpoint,
//! on or off for a Lambda). Changes are recorded when a mutation is applied, together with the
//! ones it schedules (an endpoint that comes InService two minutes later), so the bill at any
//! second is known without stepping the world and costs nothing per simulated second.

use super::catalog::{EndpointSpec, ServiceSpec, ENDPOINTS, FUNCTIONS, SERVICES};
use super::taskdefs::task_cpu;
use std::collections::BTreeMap;

pub(crate) const ECS: &str = "Amazon Elastic Container Service";
pub(crate) const SAGEMAKER: &str = "Amazon SageMaker";
pub(crate) const LAMBDA: &str = "AWS Lambda";

/// A billed resource, by its index in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Service(usize),
    Endpoint(usize),
    Function(usize),
}

impl Unit {
    fn index(self) -> usize {
        match self {
            Unit::Service(i) => i,
            Unit::Endpoint(e) => SERVICES.len() + e,
            Unit::Function(f) => SERVICES.len() + ENDPOINTS.len() + f,
        }
    }

    fn count() -> usize {
        SERVICES.len() + ENDPOINTS.len() + FUNCTIONS.len()
    }

    pub(crate) fn all() -> impl Iterator<Item = Unit> {
        let services = (0..SERVICES.len()).map(Unit::Service);
        let endpoints = (0..ENDPOINTS.len()).map(Unit::Endpoint);
        services.chain(endpoints).chain((0..FUNCTIONS.len()).map(Unit::Function))
    }

    /// (system, Cost Explorer service, this resource's share of that line).
    pub(crate) fn line(self) -> (&'static str, &'static str, f64) {
        match self {
            Unit::Service(i) => {
                let system = SERVICES[i].system;
                let total: f64 = SERVICES.iter().filter(|s| s.system == system).map(service_size).sum();
                (system, ECS, service_size(&SERVICES[i]) / total)
            }
            Unit::Endpoint(e) => {
                let system = ENDPOINTS[e].system;
                let total: f64 = ENDPOINTS.iter().filter(|x| x.system == system).map(catalog_units).sum();
                (system, SAGEMAKER, catalog_units(&ENDPOINTS[e]) / total)
            }
            Unit::Function(f) => (FUNCTIONS[f].system, LAMBDA, FUNCTIONS[f].cost_share),
        }
    }
}

/// Fargate bills by task size: CPU units times tasks.
fn service_size(spec: &ServiceSpec) -> f64 {
    f64::from(spec.desired) * f64::from(task_cpu(spec))
}

/// Relative hourly price of a SageMaker instance type, by size (large = 1, xlarge = 2, 2xlarge = 4).
pub(crate) fn instance_units(instance_type: &str) -> f64 {
    let size = instance_type.rsplit('.').next().unwrap_or("");
    match size {
        "medium" => 0.5,
        "large" => 1.0,
        "xlarge" => 2.0,
        _ => size.strip_suffix("xlarge").and_then(|n| n.parse::<f64>().ok()).map_or(1.0, |n| 2.0 * n),
    }
}

/// Instances times instance units of an endpoint as the catalog runs it.
pub(crate) fn catalog_units(spec: &EndpointSpec) -> f64 {
    spec.variants.iter().map(|v| f64::from(v.instances) * instance_units(v.instance_type)).sum()
}

/// Per billed resource, how much of its catalog size runs from which second.
#[derive(Debug, Clone)]
pub(crate) struct Meter {
    /// Per unit: (from second, fraction running), in time order; 1 (as catalogued) before the first.
    changes: Vec<Vec<(i64, f64)>>,
}

impl Default for Meter {
    fn default() -> Self {
        Meter { changes: vec![Vec::new(); Unit::count()] }
    }
}

impl Meter {
    /// From second `at` on, `running` of the unit's catalog size runs. Replaces whatever was
    /// scheduled from `at` on (a newer change supersedes a pending one).
    pub(crate) fn set(&mut self, unit: Unit, at: i64, running: f64) {
        let Some(changes) = self.changes.get_mut(unit.index()) else {
            return;
        };
        changes.retain(|&(t, _)| t < at);
        if changes.last().map_or(1.0, |&(_, r)| r) != running {
            changes.push((at, running));
        }
    }

    /// The fraction of the unit's catalog size running at second `t`.
    pub(crate) fn running(&self, unit: Unit, t: i64) -> f64 {
        let changes = self.changes.get(unit.index()).map_or(&[][..], Vec::as_slice);
        changes.iter().rev().find(|&&(at, _)| at <= t).map_or(1.0, |&(_, r)| r)
    }

    /// Catalog-size seconds that did not run before `now`, per UTC day (days since the epoch), per
    /// unit in `Unit::all` order. Negative where more than the catalog ran. Days without a change
    /// are absent, so untouched days cost exactly what they always did.
    pub(crate) fn shortfall(&self, now: i64) -> BTreeMap<i64, Vec<f64>> {
        let mut out: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
        for (u, changes) in self.changes.iter().enumerate() {
            for (k, &(from, running)) in changes.iter().enumerate() {
                let to = changes.get(k + 1).map_or(now, |&(t, _)| t.min(now));
                let mut a = from;
                while a < to && running != 1.0 {
                    let day = a.div_euclid(86_400);
                    let b = to.min((day + 1) * 86_400);
                    let slot = out.entry(day).or_insert_with(|| vec![0.0; Unit::count()]);
                    slot[u] += (1.0 - running) * (b - a) as f64;
                    a = b;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_each_line_sum_to_one() {
        let mut lines: BTreeMap<(&str, &str), f64> = BTreeMap::new();
        for unit in Unit::all() {
            let (system, service, share) = unit.line();
            assert!(share > 0.0 && share <= 1.0, "{unit:?}");
            *lines.entry((system, service)).or_default() += share;
        }
        assert!(lines.values().all(|s| (s - 1.0).abs() < 1e-9), "{lines:?}");
        assert_eq!(Unit::all().count(), Unit::count());
        // backend-service (2 x 1024 CPU) outweighs ml-model-service (1 x 512).
        assert!((Unit::Service(4).line().2 - 0.8).abs() < 1e-9);
    }

    #[test]
    fn instance_sizes_price_up_by_doubling() {
        assert_eq!(instance_units("ml.m5.large"), 1.0);
        assert_eq!(instance_units("ml.m5.xlarge"), 2.0);
        assert_eq!(instance_units("ml.g5.4xlarge"), 8.0);
        assert_eq!(catalog_units(&ENDPOINTS[1]), 6.0);
    }

    #[test]
    fn shortfall_integrates_down_time_per_day() {
        let mut m = Meter::default();
        let day = 20_000 * 86_400;
        let svc = Unit::Service(0);
        m.set(svc, day - 100, 0.0);
        m.set(svc, day + 200, 1.0);
        m.set(Unit::Endpoint(1), day + 50, 0.5);
        assert!(m.shortfall(day - 200).is_empty());
        let s = m.shortfall(day + 1000);
        assert_eq!(s[&19_999][0], 100.0);
        assert_eq!(s[&20_000][0], 200.0);
        assert_eq!(s[&20_000][SERVICES.len() + 1], 0.5 * 950.0);
        assert_eq!((m.running(svc, day), m.running(svc, day + 200)), (0.0, 1.0));
    }

    #[test]
    fn a_newer_change_replaces_what_was_scheduled_after_it() {
        let mut m = Meter::default();
        let e = Unit::Endpoint(0);
        m.set(e, 100, 0.0);
        m.set(e, 220, 1.0);
        m.set(e, 150, 0.0);
        assert_eq!(m.running(e, 300), 0.0);
        assert_eq!(m.shortfall(300)[&0][SERVICES.len()], 200.0);
    }
}
