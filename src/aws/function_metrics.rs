//! Lambda metrics for the functions on screen: one GetMetricData pass (500 queries a call) over
//! the last hour at one minute, AWS/Lambda by FunctionName and the depth of every SQS queue that
//! feeds them (AWS/SQS by QueueName, each queue asked for once). Minutes without a datapoint stay
//! None: an idle function has no Duration, not a zero one.

use super::metrics::data_query;
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{Function, FunctionMetrics, Series};
use aws_sdk_cloudwatch::types::MetricDataQuery;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const MINUTES: i64 = 60;
const PERIOD: i32 = 60;

/// Per function, in the order `FunctionMetrics` takes them: (metric, statistic). Percentiles go
/// as extended statistics ("p50"), which MetricStat's `Stat` carries as they are.
const LAMBDA: [(&str, &str); 6] = [
    ("Invocations", "Sum"),
    ("Errors", "Sum"),
    ("Throttles", "Sum"),
    ("Duration", "p50"),
    ("Duration", "p99"),
    ("ConcurrentExecutions", "Maximum"),
];

type Points = HashMap<String, Vec<(DateTime<Utc>, f64)>>;

impl AwsBackend {
    pub(super) async fn lambda_metrics(
        &self,
        functions: &[Function],
    ) -> Result<BTreeMap<String, FunctionMetrics>, BackendError> {
        if functions.is_empty() {
            return Ok(BTreeMap::new());
        }
        let queues: Vec<&str> =
            functions.iter().flat_map(Function::queues).collect::<BTreeSet<_>>().into_iter().collect();
        let end = Utc::now();
        let end = end - Duration::seconds(end.timestamp().rem_euclid(60));
        let start = end - Duration::minutes(MINUTES);
        let mut points = self.metric_points(queries(functions, &queues), start, end).await?;
        Ok(assemble(functions, &queues, &mut points, start))
    }
}

/// Query ids: `f{function}_{metric}` and `q{queue}` (ids must start with a lowercase letter).
fn queries(functions: &[Function], queues: &[&str]) -> Vec<MetricDataQuery> {
    let mut out = Vec::with_capacity(functions.len() * LAMBDA.len() + queues.len());
    for (i, f) in functions.iter().enumerate() {
        let dims = [("FunctionName", f.name.as_str())];
        for (j, (metric, stat)) in LAMBDA.iter().enumerate() {
            out.push(data_query(&format!("f{i}_{j}"), "AWS/Lambda", metric, &dims, stat, PERIOD));
        }
    }
    for (k, queue) in queues.iter().enumerate() {
        let dims = [("QueueName", *queue)];
        out.push(data_query(
            &format!("q{k}"),
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            &dims,
            "Maximum",
            PERIOD,
        ));
    }
    out
}

fn assemble(
    functions: &[Function],
    queues: &[&str],
    points: &mut Points,
    start: DateTime<Utc>,
) -> BTreeMap<String, FunctionMetrics> {
    let mut take = |id: String| to_series(points.remove(&id).unwrap_or_default(), start);
    let depth: BTreeMap<&str, Series> = queues.iter().enumerate().map(|(k, q)| (*q, take(format!("q{k}")))).collect();
    let mut out = BTreeMap::new();
    for (i, f) in functions.iter().enumerate() {
        let mut next = (0..LAMBDA.len()).map(|j| take(format!("f{i}_{j}")));
        let mut series = || next.next().unwrap_or_default();
        let metrics = FunctionMetrics {
            invocations: series(),
            errors: series(),
            throttles: series(),
            duration_p50_ms: series(),
            duration_p99_ms: series(),
            concurrent: series(),
            queue_depth: f.queues().map(|q| (q.to_string(), depth.get(q).cloned().unwrap_or_default())).collect(),
        };
        out.insert(f.name.clone(), metrics);
    }
    out
}

/// One slot per minute from `start`; minutes without a datapoint stay `None`.
fn to_series(points: Vec<(DateTime<Utc>, f64)>, start: DateTime<Utc>) -> Series {
    let mut slots = vec![None; MINUTES as usize];
    for (t, v) in points {
        let minute = (t - start).num_minutes();
        if let Some(slot) = usize::try_from(minute).ok().and_then(|m| slots.get_mut(m)) {
            *slot = Some(v);
        }
    }
    Series { points: slots }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventSource;

    fn function(name: &str, queues: &[&str]) -> Function {
        Function {
            name: name.into(),
            runtime: None,
            memory_mb: None,
            timeout_secs: None,
            last_modified: None,
            reserved_concurrency: None,
            event_sources: queues
                .iter()
                .map(|q| EventSource {
                    uuid: format!("u-{q}"),
                    source_arn: format!("arn:aws:sqs:us-east-1:1:{q}"),
                    state: "Enabled".into(),
                    batch_size: Some(10),
                })
                .collect(),
            log_group: format!("/aws/lambda/{name}"),
        }
    }

    #[test]
    fn six_queries_a_function_and_one_per_queue_shared_or_not() {
        let fs = [function("a", &["jobs"]), function("b", &["jobs", "retries"])];
        let queues = ["jobs", "retries"];
        let q = queries(&fs, &queues);
        assert_eq!(q.len(), 2 * 6 + 2);
        let stat = |i: usize| q[i].metric_stat().and_then(|s| s.stat()).unwrap_or_default().to_string();
        assert_eq!((stat(3), stat(4), stat(5)), ("p50".into(), "p99".into(), "Maximum".into()));
        assert_eq!(q[12].id(), Some("q0"));
        let m = q[13].metric_stat().and_then(|s| s.metric()).unwrap();
        assert_eq!((m.namespace(), m.metric_name()), (Some("AWS/SQS"), Some("ApproximateNumberOfMessagesVisible")));
    }

    #[test]
    fn missing_minutes_are_no_data_and_queues_go_to_every_function_they_feed() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let fs = [function("a", &["jobs"]), function("b", &[])];
        let mut points = Points::new();
        points.insert("f0_0".into(), vec![(start + Duration::minutes(59), 7.0)]);
        points.insert("q0".into(), vec![(start + Duration::minutes(58), 120.0), (start - Duration::minutes(1), 1.0)]);
        let out = assemble(&fs, &["jobs"], &mut points, start);
        let a = &out["a"];
        assert_eq!(a.invocations.points.len(), 60);
        assert_eq!(a.invocations.latest(), Some(7.0));
        assert_eq!(a.duration_p99_ms.points.iter().flatten().count(), 0, "no data, never zero");
        assert_eq!(a.queue_depth["jobs"].points[58], Some(120.0));
        assert!(out["b"].queue_depth.is_empty());
        assert_eq!(out["b"].invocations.latest(), None);
    }
}
