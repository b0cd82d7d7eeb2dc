//! What has been read of the account: services, endpoints, alarms, cost and their metrics. Every
//! room reads it (the tables, the log source, alarm jumps, runbook placeholders, watches); only
//! replies change it, and text from outside is made inert before it is kept.

use super::inert;
use super::loadable::{Loadable, RequestId};
use super::settings::Settings;
use crate::backend::{BackendError, EndpointMetricsMap};
use crate::domain::{
    load_balancer_dimension, target_group_dimension, Address, Alarm, CostReport, Endpoint, EndpointModels, Function,
    FunctionMetrics, Service, ServiceMetrics, TargetGroupHealth,
};
use crate::sanitize::inert as inert_text;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Fleet {
    pub services: Loadable<Vec<Service>>,
    pub service_metrics: Loadable<BTreeMap<Address, ServiceMetrics>>,
    pub endpoints: Loadable<Vec<Endpoint>>,
    pub endpoint_metrics: Loadable<EndpointMetricsMap>,
    pub alarms: Loadable<Vec<Alarm>>,
    pub cost: Loadable<CostReport>,
    /// Target groups read so far, by ARN (the services on screen, the detail's): kept as they
    /// scroll away, since they also say which load balancer an ELB alarm's service is behind.
    pub target_health: Loadable<BTreeMap<String, TargetGroupHealth>>,
    /// Lambda functions (those the `[functions]` filter keeps), by name.
    pub functions: Loadable<Vec<Function>>,
    pub function_metrics: Loadable<BTreeMap<String, FunctionMetrics>>,
    /// The models, registry packages and monitoring behind endpoints read so far, by endpoint:
    /// kept as they scroll away, like target groups.
    pub endpoint_models: Loadable<BTreeMap<String, EndpointModels>>,
    /// When the last-known fleet drawn at start was written (None: no cache was drawn).
    pub cached_at: Option<DateTime<Utc>>,
    /// When this session last wrote the last-known fleet to disk.
    pub cache_written_at: Option<DateTime<Utc>>,
}

/// A backend error as the panes show it: inert, since AWS wrote part of it.
pub fn describe(e: BackendError) -> String {
    inert_text(&e.to_string()).into_owned()
}

fn sorted_services(mut services: Vec<Service>) -> Vec<Service> {
    services.iter_mut().for_each(inert::service);
    services.sort_by(|a, b| (&a.cluster, &a.name).cmp(&(&b.cluster, &b.name)));
    services
}

impl Fleet {
    pub fn accept_services(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<Vec<Service>, BackendError>,
    ) -> bool {
        self.services.accept(id, now, result.map_err(describe).map(sorted_services))
    }

    /// The first rows of a long list. Only a first load shows partial rows; a refresh keeps the
    /// full list until the new one is in.
    pub fn accept_first_screen(&mut self, id: RequestId, first: Vec<Service>) -> bool {
        if self.services.in_flight != Some(id) || self.services.data.is_some() {
            return false;
        }
        self.services.data = Some(sorted_services(first));
        true
    }

    pub fn accept_service_metrics(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<BTreeMap<Address, ServiceMetrics>, BackendError>,
    ) -> bool {
        self.service_metrics.accept(id, now, result.map_err(describe))
    }

    pub fn accept_endpoints(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<Vec<Endpoint>, BackendError>,
    ) -> bool {
        let result = result.map_err(describe).map(|mut endpoints| {
            endpoints.iter_mut().for_each(inert::endpoint);
            endpoints.sort_by(|a, b| a.name.cmp(&b.name));
            endpoints
        });
        self.endpoints.accept(id, now, result)
    }

    pub fn accept_endpoint_metrics(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<EndpointMetricsMap, BackendError>,
    ) -> bool {
        self.endpoint_metrics.accept(id, now, result.map_err(describe))
    }

    pub fn accept_alarms(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<Vec<Alarm>, BackendError>,
    ) -> bool {
        let result = result.map_err(describe).map(|mut alarms| {
            alarms.iter_mut().for_each(inert::alarm);
            alarms
        });
        self.alarms.accept(id, now, result)
    }

    /// Configured budgets fill in where the account reports none.
    pub fn accept_cost(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        settings: &Settings,
        result: Result<CostReport, BackendError>,
    ) -> bool {
        let result = result.map_err(describe).map(|mut c| {
            inert::cost(&mut c);
            c.budget = c.budget.or(settings.monthly_budget);
            for s in &mut c.by_system {
                s.budget = s.budget.or_else(|| settings.system_budgets.get(&s.system).copied());
            }
            c
        });
        self.cost.accept(id, now, result)
    }

    /// Target groups read: kept by ARN, replacing what was read of the same groups before.
    pub fn accept_target_health(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<Vec<TargetGroupHealth>, BackendError>,
    ) -> bool {
        if self.target_health.in_flight != Some(id) {
            return false;
        }
        let result = result.map_err(describe).map(|groups| {
            let mut known = self.target_health.data.clone().unwrap_or_default();
            for mut g in groups {
                inert::target_group(&mut g);
                known.insert(g.arn.clone(), g);
            }
            known
        });
        self.target_health.accept(id, now, result)
    }

    pub fn accept_functions(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<Vec<Function>, BackendError>,
    ) -> bool {
        let result = result.map_err(describe).map(|mut functions| {
            functions.iter_mut().for_each(inert::function);
            functions.sort_by(|a, b| a.name.cmp(&b.name));
            functions
        });
        self.functions.accept(id, now, result)
    }

    pub fn accept_function_metrics(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<BTreeMap<String, FunctionMetrics>, BackendError>,
    ) -> bool {
        self.function_metrics.accept(id, now, result.map_err(describe))
    }

    /// Endpoint models read: kept by endpoint, replacing what was read of the same before.
    pub fn accept_endpoint_models(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<Vec<EndpointModels>, BackendError>,
    ) -> bool {
        if self.endpoint_models.in_flight != Some(id) {
            return false;
        }
        let result = result.map_err(describe).map(|read| {
            let mut known = self.endpoint_models.data.clone().unwrap_or_default();
            for mut m in read {
                inert::endpoint_models(&mut m);
                known.insert(m.endpoint.clone(), m);
            }
            known
        });
        self.endpoint_models.accept(id, now, result)
    }

    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.data.as_ref()?.iter().find(|f| f.name == name)
    }

    /// Draw the last-known fleet at once; every list stays due, so live reads replace it.
    pub fn seed_from_cache(&mut self, cached: crate::fleet_cache::CachedFleet) {
        fn seed<T>(l: &mut Loadable<T>, data: Option<T>) {
            if let Some(data) = data {
                l.data = Some(data);
                l.cached = true;
            }
        }
        let c = cached;
        seed(&mut self.services, c.services.map(sorted_services));
        seed(&mut self.endpoints, c.endpoints);
        seed(&mut self.alarms, c.alarms);
        seed(&mut self.cost, c.cost);
        self.cached_at = Some(c.written_at);
        // Text from a file is treated as text from AWS: made inert again.
        for e in self.endpoints.data.iter_mut().flatten() {
            inert::endpoint(e);
        }
        for a in self.alarms.data.iter_mut().flatten() {
            inert::alarm(a);
        }
        if let Some(c) = self.cost.data.as_mut() {
            inert::cost(c);
        }
    }

    /// Whether any list on screen is still the one from disk.
    pub fn showing_cached(&self) -> bool {
        self.cached_at.is_some()
            && (self.services.cached || self.endpoints.cached || self.alarms.cached || self.cost.cached)
    }

    /// What to keep on disk now: the lists as live reads last gave them (never a cached list
    /// written back as if fresh).
    pub fn to_cache(&self, now: DateTime<Utc>) -> crate::fleet_cache::CachedFleet {
        // A first screen of a long list (no `fetched_at` yet) is not the whole list: not kept.
        fn live<T: Clone>(l: &Loadable<T>) -> Option<T> {
            l.data.as_ref().filter(|_| !l.cached && l.fetched_at.is_some()).cloned()
        }
        crate::fleet_cache::CachedFleet {
            version: crate::fleet_cache::VERSION,
            written_at: now,
            services: live(&self.services),
            endpoints: live(&self.endpoints),
            alarms: live(&self.alarms),
            cost: live(&self.cost),
        }
    }

    /// An SQS alarm names a queue, not a function: the function it feeds is what it is about.
    fn function_fed_by(&self, queue: &str) -> Option<Address> {
        let functions = self.functions.data.as_ref()?;
        let f = functions.iter().find(|f| f.queues().any(|q| q == queue))?;
        Some(Address::Function { name: f.name.clone() })
    }

    /// The target groups of a service, as far as they have been read.
    pub fn target_groups_of<'a>(&'a self, service: &'a Service) -> impl Iterator<Item = &'a TargetGroupHealth> {
        let known = self.target_health.data.as_ref();
        service.target_groups.iter().filter_map(move |arn| known?.get(arn))
    }

    /// An ELB alarm (`AWS/ApplicationELB`, `AWS/NetworkELB`) names a target group or a load
    /// balancer, not a service: find the service behind it (by its target groups, or else by the
    /// load balancer those are attached to, when that fronts one service only), so `enter`, the
    /// action keys and runbook placeholders work on it as on any other alarm.
    pub fn resolve_alarm_targets(&mut self) {
        self.resolve_balancer_alarms();
        self.resolve_queue_alarms();
    }

    fn resolve_balancer_alarms(&mut self) {
        let (Some(alarms), Some(services)) = (self.alarms.data.as_mut(), self.services.data.as_ref()) else { return };
        let groups = self.target_health.data.as_ref();
        for alarm in alarms.iter_mut().filter(|a| a.watches.is_none()) {
            let Some(rule) = &alarm.rule else { continue };
            let dims = rule.dimensions();
            let named = |key: &str| dims.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
            let by_group = named("TargetGroup").and_then(|tg| {
                services.iter().find(|s| s.target_groups.iter().any(|arn| target_group_dimension(arn) == tg))
            });
            let by_balancer = || {
                let lb = named("LoadBalancer")?;
                let behind = |arn: &String| {
                    groups
                        .and_then(|g| g.get(arn))
                        .is_some_and(|g| g.load_balancers.iter().any(|l| load_balancer_dimension(l) == lb))
                };
                let mut fronted = services.iter().filter(|s| s.target_groups.iter().any(behind));
                let first = fronted.next()?;
                // A load balancer in front of several services names none of them.
                fronted.next().is_none().then_some(first)
            };
            alarm.watches = by_group.or_else(by_balancer).map(Service::address);
        }
    }

    fn resolve_queue_alarms(&mut self) {
        let fed = |queue: &str| self.function_fed_by(queue);
        let found: Vec<(usize, Address)> = self
            .alarms
            .data
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, a)| a.watches.is_none())
            .filter_map(|(i, a)| {
                let dims = a.rule.as_ref()?.dimensions();
                let queue = dims.iter().find(|(k, _)| k == "QueueName").map(|(_, v)| v.as_str())?;
                Some((i, fed(queue)?))
            })
            .collect();
        if let Some(alarms) = self.alarms.data.as_mut() {
            for (i, address) in found {
                alarms[i].watches = Some(address);
            }
        }
    }

    /// After an action: what runs has changed. The simulated fleet's cost follows what runs and
    /// costs nothing to read; Cost Explorer is billed per request, so on AWS it waits for ctrl-r.
    pub fn refresh_after_action(&mut self, demo: bool) {
        self.services.expire();
        self.endpoints.expire();
        self.target_health.expire();
        self.functions.expire();
        if demo {
            self.cost.expire();
        }
    }

    /// Fixed credentials fix every pane at once: read them all again.
    pub fn expire_all(&mut self) {
        self.services.expire();
        self.service_metrics.expire();
        self.endpoints.expire();
        self.endpoint_metrics.expire();
        self.alarms.expire();
        self.target_health.expire();
        self.functions.expire();
        self.function_metrics.expire();
        self.endpoint_models.expire();
        self.cost.error = None;
        self.cost.expire();
    }

    /// The errors of every read, for the credentials banner.
    pub fn errors(&self) -> [Option<&str>; 4] {
        [
            self.services.error.as_deref(),
            self.alarms.error.as_deref(),
            self.endpoints.error.as_deref(),
            self.cost.error.as_deref(),
        ]
    }

    pub fn alarm(&self, name: &str) -> Option<&Alarm> {
        self.alarms.data.as_ref()?.iter().find(|a| a.name == name)
    }
}
