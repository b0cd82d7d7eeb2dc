//! CloudWatch GetMetricData: every metric a view needs in as few calls as the 500-query limit
//! allows, one-minute points for the last 30 minutes. Missing points stay missing.

use super::convert::{time, to_smithy};
use super::AwsBackend;
use crate::backend::{BackendError, EndpointMetricsMap};
use crate::domain::{Address, Series, ServiceMetrics, VariantMetrics};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap};

/// One metric's statistic over a period, as GetMetricData takes it.
pub(super) fn data_query(
    id: &str,
    namespace: &str,
    metric: &str,
    dimensions: &[(&str, &str)],
    stat: &str,
    period: i32,
) -> MetricDataQuery {
    let mut m = Metric::builder().namespace(namespace).metric_name(metric);
    for (name, value) in dimensions {
        m = m.dimensions(Dimension::builder().name(*name).value(*value).build());
    }
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(MetricStat::builder().metric(m.build()).period(period).stat(stat).build())
        .return_data(true)
        .build()
}

/// GetMetricData accepts at most 500 queries per call.
const QUERIES_PER_CALL: usize = 500;
const MINUTES: i64 = 30;
/// $0.01 per 1,000 metrics requested, in millionths of a dollar per metric.
const MICRO_USD_PER_METRIC: u64 = 10;

struct Query {
    namespace: &'static str,
    metric: &'static str,
    stat: &'static str,
    dimensions: Vec<(&'static str, String)>,
}

impl AwsBackend {
    /// GetMetricData for any number of queries: 500 a call, every page, points by query id.
    /// Billed per metric requested (the status bar counts it).
    pub(super) async fn metric_points(
        &self,
        queries: Vec<MetricDataQuery>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<HashMap<String, Vec<(DateTime<Utc>, f64)>>, BackendError> {
        let mut points: HashMap<String, Vec<(DateTime<Utc>, f64)>> = HashMap::new();
        for batch in batches(&queries) {
            let mut token = None;
            loop {
                self.stats.count("cloudwatch:GetMetricData");
                let out = self
                    .cloudwatch
                    .get_metric_data()
                    .start_time(to_smithy(start))
                    .end_time(to_smithy(end))
                    .set_metric_data_queries(Some(batch.to_vec()))
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| self.fail("cloudwatch:GetMetricData", &e))?;
                self.stats.charge(MICRO_USD_PER_METRIC * batch.len() as u64);
                for result in out.metric_data_results() {
                    let Some(id) = result.id() else { continue };
                    let entry = points.entry(id.to_string()).or_default();
                    for (t, v) in result.timestamps().iter().zip(result.values()) {
                        if let Some(t) = time(Some(t)) {
                            entry.push((t, *v));
                        }
                    }
                }
                token = out.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
        }
        Ok(points)
    }

    async fn metric_series(&self, queries: &[Query]) -> Result<Vec<Series>, BackendError> {
        let end = Utc::now();
        let end = end - Duration::seconds(i64::from(end.timestamp() as i32 % 60));
        let start = end - Duration::minutes(MINUTES);
        let data_queries: Vec<MetricDataQuery> = queries
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let dims: Vec<(&str, &str)> = q.dimensions.iter().map(|(k, v)| (*k, v.as_str())).collect();
                data_query(&format!("m{i}"), q.namespace, q.metric, &dims, q.stat, 60)
            })
            .collect();
        let mut points = self.metric_points(data_queries, start, end).await?;
        Ok((0..queries.len()).map(|i| to_series(points.remove(&format!("m{i}")).unwrap_or_default(), start)).collect())
    }

    pub(super) async fn ecs_metrics(
        &self,
        services: &[Address],
    ) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError> {
        let ecs: Vec<(&Address, &str, &str)> = services
            .iter()
            .filter_map(|a| match a {
                Address::EcsService { cluster, service } => Some((a, cluster.as_str(), service.as_str())),
                _ => None,
            })
            .collect();
        let mut queries = Vec::new();
        for (_, cluster, service) in &ecs {
            for metric in ["CPUUtilization", "MemoryUtilization"] {
                queries.push(Query {
                    namespace: "AWS/ECS",
                    metric,
                    stat: "Average",
                    dimensions: vec![("ClusterName", cluster.to_string()), ("ServiceName", service.to_string())],
                });
            }
        }
        if queries.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut series = self.metric_series(&queries).await?.into_iter();
        let mut out = BTreeMap::new();
        for (address, _, _) in ecs {
            let cpu = series.next().unwrap_or_default();
            let memory = series.next().unwrap_or_default();
            out.insert(address.clone(), ServiceMetrics { cpu, memory });
        }
        Ok(out)
    }

    pub(super) async fn sm_metrics(&self, endpoints: &[String]) -> Result<EndpointMetricsMap, BackendError> {
        let known = self.variants.lock().map(|v| v.clone()).unwrap_or_default();
        let mut targets = Vec::new();
        for name in endpoints {
            for (variant, gpu) in known.get(name).cloned().unwrap_or_default() {
                targets.push((name.clone(), variant, gpu));
            }
        }
        let mut queries = Vec::new();
        for (endpoint, variant, gpu) in &targets {
            let dims = || vec![("EndpointName", endpoint.clone()), ("VariantName", variant.clone())];
            let q = |namespace, metric, stat| Query { namespace, metric, stat, dimensions: dims() };
            queries.push(q("AWS/SageMaker", "Invocations", "Sum"));
            queries.push(q("AWS/SageMaker", "ModelLatency", "p50"));
            queries.push(q("AWS/SageMaker", "ModelLatency", "p99"));
            queries.push(q("AWS/SageMaker", "Invocation4XXErrors", "Sum"));
            queries.push(q("AWS/SageMaker", "Invocation5XXErrors", "Sum"));
            queries.push(q("/aws/sagemaker/Endpoints", "CPUUtilization", "Average"));
            if *gpu {
                queries.push(q("/aws/sagemaker/Endpoints", "GPUUtilization", "Average"));
            }
        }
        if queries.is_empty() {
            return Ok(EndpointMetricsMap::new());
        }
        let mut series = self.metric_series(&queries).await?.into_iter();
        let mut out = EndpointMetricsMap::new();
        for (endpoint, variant, gpu) in targets {
            let mut next = || series.next().unwrap_or_default();
            let metrics = VariantMetrics {
                invocations: next(),
                latency_p50_us: next(),
                latency_p99_us: next(),
                errors_4xx: next(),
                errors_5xx: next(),
                cpu: next(),
                gpu: if gpu { Some(next()) } else { None },
            };
            out.entry(endpoint).or_default().insert(variant, metrics);
        }
        Ok(out)
    }
}

/// The queries as GetMetricData calls take them: 500 a call, in order.
fn batches<T>(queries: &[T]) -> std::slice::Chunks<'_, T> {
    queries.chunks(QUERIES_PER_CALL)
}

/// One slot per minute from `start`; minutes without a datapoint stay `None`.
fn to_series(points: Vec<(DateTime<Utc>, f64)>, start: DateTime<Utc>) -> Series {
    let mut slots = vec![None; MINUTES as usize];
    for (t, v) in points {
        let minute = (t - start).num_minutes();
        if (0..MINUTES).contains(&minute) {
            slots[minute as usize] = Some(v);
        }
    }
    Series { points: slots }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_minutes_stay_missing() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let s = to_series(vec![(start + Duration::minutes(2), 40.0), (start + Duration::minutes(29), 10.0)], start);
        assert_eq!(s.points.len(), 30);
        assert_eq!(s.points[0], None);
        assert_eq!(s.points[2], Some(40.0));
        assert_eq!(s.latest(), Some(10.0));
    }

    #[test]
    fn queries_go_500_a_call_in_order() {
        let queries: Vec<usize> = (0..1001).collect();
        let sizes: Vec<usize> = batches(&queries).map(<[usize]>::len).collect();
        assert_eq!(sizes, vec![500, 500, 1]);
        assert_eq!(batches(&queries).nth(1).map(|b| b[0]), Some(500), "the second call starts where the first ended");
        assert_eq!(batches(&queries[..500]).count(), 1, "500 queries are one call");
        assert_eq!(batches::<usize>(&[]).count(), 0, "nothing to ask, no call");
    }
}
