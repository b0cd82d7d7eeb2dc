//! The fleet as one [`Backend`]: lists merged from every member, everything about one resource
//! sent to the member its place names.

use super::qualify::{self, Stripped};
use super::{cost, AccountsBackend};
use crate::backend::{ApiUsage, Backend, BackendError, BackendLabel, EndpointMetricsMap, Permit, ServicesProgress};
use crate::domain::{
    Address, Alarm, AlarmTransition, CostReport, Endpoint, EndpointModels, Function, FunctionDetail, FunctionFilter,
    FunctionMetrics, LogBatch, LogQuery, MetricQuery, MetricSeries, QueryRequest, QueryResults, QueryRow, Receipt,
    RevisionHistory, ScalableResource, ScalingPolicy, Service, ServiceDetail, ServiceMetrics, Snapshot,
    TargetGroupHealth, TaskDefRef, TaskDefSpec, VariantCapacity,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

impl AccountsBackend {
    /// Items split by the member their place names; unplaced ones go to the only member, or
    /// nowhere when there are several (nothing of the fleet is unplaced).
    fn split_by_member<T>(&self, items: impl IntoIterator<Item = Stripped<T>>) -> BTreeMap<usize, Vec<T>> {
        let mut out: BTreeMap<usize, Vec<T>> = BTreeMap::new();
        for item in items {
            if let Ok(i) = self.route(&item.places) {
                out.entry(i).or_default().push(item.value);
            }
        }
        out
    }

    async fn costs<F, Fut>(&self, read: F) -> Result<CostReport, BackendError>
    where
        F: Fn(std::sync::Arc<dyn Backend>) -> Fut,
        Fut: std::future::Future<Output = Result<CostReport, BackendError>>,
    {
        let mut ok = Vec::new();
        let mut first_error = None;
        for (i, result) in self.each(|_, b| read(b)).await {
            match result {
                Ok(r) => {
                    self.note(i, "cost", Ok(()));
                    ok.push((self.places[i].clone(), r));
                }
                Err(e) => {
                    self.note(i, "cost", Err(e.to_string()));
                    first_error.get_or_insert(e);
                }
            }
        }
        match (cost::merge(ok), first_error) {
            (Some(r), _) => Ok(r),
            (None, Some(e)) => Err(e),
            (None, None) => Err(BackendError::Other("no account in [fleet]".into())),
        }
    }
}

#[async_trait]
impl Backend for AccountsBackend {
    fn label(&self) -> BackendLabel {
        BackendLabel::Aws { profile: "fleet".into(), region: self.places.join(", ") }
    }

    fn usage(&self) -> Option<ApiUsage> {
        self.usage_sum()
    }

    fn place_errors(&self) -> Vec<(String, String)> {
        let errors = super::lock(&self.errors);
        let mut out: Vec<(String, String)> = Vec::new();
        for ((place, what), e) in errors.iter() {
            match out.iter_mut().find(|(p, _)| p == place) {
                Some((_, text)) => text.push_str(&format!("; {what}: {e}")),
                None => out.push((place.clone(), format!("{what}: {e}"))),
            }
        }
        out
    }

    async fn services(&self) -> Result<Vec<Service>, BackendError> {
        self.merged("services", &self.last_services, qualify::service, |b| async move { b.services().await }).await
    }

    async fn services_progressive(&self, _first_screen: &ServicesProgress<'_>) -> Result<Vec<Service>, BackendError> {
        self.services().await
    }

    async fn service_metrics(&self, services: &[Address]) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError> {
        let mut out = BTreeMap::new();
        for (i, addresses) in self.split_by_member(services.iter().map(qualify::strip_address)) {
            let (backend, place) = (self.backend(i)?, self.places[i].clone());
            let metrics = backend.service_metrics(&addresses).await?;
            out.extend(metrics.into_iter().map(|(a, m)| (qualify::address(&place, &a), m)));
        }
        Ok(out)
    }

    async fn service_detail(&self, service: &Address) -> Result<ServiceDetail, BackendError> {
        let s = qualify::strip_address(service);
        let (backend, place) = self.routed(&s.places)?;
        let mut detail = backend.service_detail(&s.value).await?;
        qualify::service_detail(place, &mut detail);
        Ok(detail)
    }

    async fn endpoints(&self) -> Result<Vec<Endpoint>, BackendError> {
        self.merged("endpoints", &self.last_endpoints, qualify::endpoint, |b| async move { b.endpoints().await }).await
    }

    async fn endpoint_metrics(&self, endpoints: &[String]) -> Result<EndpointMetricsMap, BackendError> {
        let mut out = BTreeMap::new();
        for (i, names) in self.split_by_member(endpoints.iter().map(|e| qualify::strip_name(e))) {
            let (backend, place) = (self.backend(i)?, self.places[i].clone());
            let metrics = backend.endpoint_metrics(&names).await?;
            out.extend(metrics.into_iter().map(|(name, m)| (qualify::name(&place, &name), m)));
        }
        Ok(out)
    }

    async fn alarms(&self) -> Result<Vec<Alarm>, BackendError> {
        let mut alarms =
            self.merged("alarms", &self.last_alarms, qualify::alarm, |b| async move { b.alarms().await }).await?;
        // Firing alarms first, across accounts (each member sorts its own).
        alarms.sort_by_key(|a| a.state != crate::domain::AlarmState::Alarm);
        Ok(alarms)
    }

    async fn cost(&self) -> Result<CostReport, BackendError> {
        self.costs(|b| async move { b.cost().await }).await
    }

    async fn cost_fresh(&self) -> Result<CostReport, BackendError> {
        self.costs(|b| async move { b.cost_fresh().await }).await
    }

    async fn cost_cached(&self) -> Option<CostReport> {
        let mut reports = Vec::new();
        for (i, b) in self.backends.iter().enumerate() {
            // Only when every member has it free to read: a partial sum would read as the whole.
            reports.push((self.places[i].clone(), b.as_ref().ok()?.cost_cached().await?));
        }
        cost::merge(reports)
    }

    async fn log_events(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError> {
        let g = qualify::strip_name(group);
        let (backend, _) = self.routed(&g.places)?;
        backend.log_events(&g.value, query).await
    }

    async fn metric_data(
        &self,
        queries: &[MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<MetricSeries>, BackendError> {
        let q = qualify::strip_queries(queries);
        if !q.places.is_empty() {
            let (backend, _) = self.routed(&q.places)?;
            return backend.metric_data(&q.value, start, end).await;
        }
        // An alarm's own metric names no place (its dimensions are AWS's): ask every member and
        // keep, per series, the answer with data.
        let mut best: Vec<MetricSeries> = Vec::new();
        for (_, result) in self
            .each(|_, b| {
                let queries = q.value.clone();
                async move { b.metric_data(&queries, start, end).await }
            })
            .await
        {
            for series in result.into_iter().flatten() {
                match best.iter_mut().find(|s| s.id == series.id) {
                    Some(s) if s.points.len() < series.points.len() => *s = series,
                    Some(_) => {}
                    None => best.push(series),
                }
            }
        }
        Ok(best)
    }

    async fn alarm_history(
        &self,
        alarm: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AlarmTransition>, BackendError> {
        let a = qualify::strip_name(alarm);
        let (backend, _) = self.routed(&a.places)?;
        backend.alarm_history(&a.value, start, end).await
    }

    async fn start_query(&self, request: &QueryRequest) -> Result<String, BackendError> {
        let groups = qualify::strip_names(&request.groups);
        let (backend, place) = self.routed(&groups.places)?;
        let request = QueryRequest { groups: groups.value, ..request.clone() };
        Ok(qualify::name(place, &backend.start_query(&request).await?))
    }

    async fn query_results(&self, id: &str) -> Result<QueryResults, BackendError> {
        let q = qualify::strip_name(id);
        let (backend, place) = self.routed(&q.places)?;
        let mut results = backend.query_results(&q.value).await?;
        for row in &mut results.rows {
            for (field, value) in row.iter_mut() {
                if field == "@ptr" {
                    *value = qualify::name(place, value);
                }
            }
        }
        Ok(results)
    }

    async fn stop_query(&self, id: &str) -> Result<(), BackendError> {
        let q = qualify::strip_name(id);
        let (backend, _) = self.routed(&q.places)?;
        backend.stop_query(&q.value).await
    }

    async fn log_record(&self, ptr: &str) -> Result<QueryRow, BackendError> {
        let p = qualify::strip_name(ptr);
        let (backend, _) = self.routed(&p.places)?;
        backend.log_record(&p.value).await
    }

    async fn target_health(&self, target_groups: &[String]) -> Result<Vec<TargetGroupHealth>, BackendError> {
        let mut asks: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for arn in target_groups {
            for i in self.members_of_arn(arn) {
                asks.entry(i).or_default().push(arn.clone());
            }
        }
        let mut out: Vec<TargetGroupHealth> = Vec::new();
        for (i, arns) in asks {
            match self.backend(i)?.target_health(&arns).await {
                Ok(groups) => out.extend(groups.into_iter().filter(|g| arns.contains(&g.arn))),
                Err(e) => self.note(i, "target health", Err(e.to_string())),
            }
        }
        out.dedup_by(|a, b| a.arn == b.arn);
        Ok(out)
    }

    async fn functions(&self, filter: &FunctionFilter) -> Result<Vec<Function>, BackendError> {
        self.merged("functions", &self.last_functions, qualify::function, |b| async move { b.functions(filter).await })
            .await
    }

    async fn function_metrics(
        &self,
        functions: &[Function],
    ) -> Result<BTreeMap<String, FunctionMetrics>, BackendError> {
        let stripped = functions.iter().map(|f| {
            let name = qualify::strip_name(&f.name);
            let log_group = qualify::strip(&f.log_group).1;
            Stripped { places: name.places, value: Function { name: name.value, log_group, ..f.clone() } }
        });
        let mut out = BTreeMap::new();
        for (i, functions) in self.split_by_member(stripped) {
            let (backend, place) = (self.backend(i)?, self.places[i].clone());
            let metrics = backend.function_metrics(&functions).await?;
            out.extend(metrics.into_iter().map(|(name, m)| (qualify::name(&place, &name), m)));
        }
        Ok(out)
    }

    async fn function_detail(&self, name: &str) -> Result<FunctionDetail, BackendError> {
        let n = qualify::strip_name(name);
        let (backend, place) = self.routed(&n.places)?;
        let mut detail = backend.function_detail(&n.value).await?;
        qualify::function_detail(place, &mut detail);
        Ok(detail)
    }

    async fn endpoint_models(&self, endpoint: &str) -> Result<EndpointModels, BackendError> {
        let n = qualify::strip_name(endpoint);
        let (backend, place) = self.routed(&n.places)?;
        let mut models = backend.endpoint_models(&n.value).await?;
        qualify::endpoint_models(place, &mut models);
        Ok(models)
    }

    async fn snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        let a = qualify::strip_address(address);
        let (backend, place) = self.routed(&a.places)?;
        let mut snapshot = backend.snapshot(&a.value).await?;
        qualify::snapshot(place, &mut snapshot);
        Ok(snapshot)
    }

    async fn cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError> {
        let c = qualify::strip_name(cluster);
        let (backend, place) = self.routed(&c.places)?;
        Ok(backend.cluster_services(&c.value).await?.iter().map(|a| qualify::address(place, a)).collect())
    }

    async fn scaling_policies(&self, resource: &ScalableResource) -> Result<Vec<ScalingPolicy>, BackendError> {
        let r = qualify::strip_resource(resource);
        let (backend, _) = self.routed(&r.places)?;
        backend.scaling_policies(&r.value).await
    }

    async fn parameters(&self, names: &[String]) -> Result<BTreeMap<String, String>, BackendError> {
        // SSM names carry no place: only a one-account fleet can answer.
        let (backend, _) = self.routed(&[])?;
        backend.parameters(names).await
    }

    async fn endpoint_config(&self, config: &str) -> Result<Vec<VariantCapacity>, BackendError> {
        let c = qualify::strip_name(config);
        let (backend, _) = self.routed(&c.places)?;
        backend.endpoint_config(&c.value).await
    }

    async fn revision_history(&self, address: &Address) -> Result<RevisionHistory, BackendError> {
        let a = qualify::strip_address(address);
        let (backend, place) = self.routed(&a.places)?;
        let mut history = backend.revision_history(&a.value).await?;
        qualify::revision_history(place, &mut history);
        Ok(history)
    }

    async fn task_definition(&self, task_def: &TaskDefRef) -> Result<TaskDefSpec, BackendError> {
        let t = qualify::strip_task_def(task_def);
        let (backend, place) = self.routed(&t.places)?;
        let mut spec = backend.task_definition(&t.value).await?;
        qualify::task_def_spec(place, &mut spec);
        Ok(spec)
    }

    /// The first member's caller: the audit record's address names the account acted on.
    async fn caller_identity(&self) -> Result<String, BackendError> {
        let mut first_error = None;
        for i in 0..self.places.len() {
            match self.backend(i) {
                Ok(b) => match b.caller_identity().await {
                    Ok(arn) => return Ok(arn),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                },
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| BackendError::Other("no account in [fleet]".into())))
    }

    /// The change goes to the member its names place it in, with the place taken off; a change
    /// that names no place, or two, reaches no account.
    async fn apply(&self, permit: Permit) -> Result<Receipt, BackendError> {
        let m = qualify::strip_mutation(permit.mutation());
        let (backend, _) = self.routed(&m.places)?;
        backend.apply(permit.readdress(m.value)).await
    }
}
