//! The simulated fleet's CloudWatch history: every minute's datapoint of each metric it publishes
//! (the services', the variants', the target groups', every alarm's), kept a day. Minutes before
//! the simulation began are the calm fleet's baseline: drawn from what was recorded, shaped by the
//! day's traffic, with noise fixed per seed and minute, so a 7-day chart is full and the same on
//! every read. A metric the fleet does not publish has no datapoints at all.

use super::metrics::load;
use crate::domain::{MetricId, MetricQuery, MetricSeries};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};

/// Minutes kept per metric.
const KEEP_MINUTES: usize = 24 * 60;

#[derive(Debug, Clone, Default)]
pub(crate) struct MetricHistory {
    series: HashMap<String, VecDeque<(i64, Option<f64>)>>,
}

/// The key a metric is kept under: its namespace, name and dimensions, and for latency the
/// statistic (p50 and p99 are different series; an alarm's unnamed statistic is the Average);
/// other statistics read the same datapoints.
pub(crate) fn key(metric: &MetricId, stat: &str) -> String {
    let mut dims = metric.dimensions.clone();
    dims.sort();
    let stat = match (metric.name.as_str(), stat) {
        ("ModelLatency", _) => stat,
        ("Duration", "") => "Average",
        ("Duration", _) => stat,
        _ => "",
    };
    format!("{}|{}|{dims:?}|{stat}", metric.namespace, metric.name)
}

/// How a metric behaved before the simulation: what its baseline looks like.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// Tasks or hosts: the count held steady.
    Count,
    /// Requests, errors: follow the day's traffic.
    Flow,
    /// Utilisation, latency, rates: around their level with a little noise.
    Level,
}

fn shape(name: &str) -> Shape {
    if name.ends_with("TaskCount") || name.ends_with("HostCount") {
        Shape::Count
    } else if name.starts_with("Invocation")
        || name.contains("Errors")
        || name.contains("5XX")
        || name.contains("Count")
    {
        Shape::Flow
    } else {
        Shape::Level
    }
}

/// A uniform number in [-1, 1] fixed by seed, metric and minute (splitmix64).
fn noise(seed: u64, key: &str, minute: i64) -> f64 {
    let mut x = key.bytes().fold(seed ^ (minute as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15), |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    });
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

fn aggregate(stat: &str, values: &[f64]) -> f64 {
    match stat {
        "Sum" => values.iter().sum(),
        "Maximum" => values.iter().copied().fold(f64::MIN, f64::max),
        "Minimum" => values.iter().copied().fold(f64::MAX, f64::min),
        "SampleCount" => values.len() as f64,
        _ => values.iter().sum::<f64>() / values.len() as f64,
    }
}

impl MetricHistory {
    /// The datapoint of the minute starting at `minute`; a second one for the same minute (an
    /// alarm on a metric already recorded) is dropped.
    pub(crate) fn record(&mut self, key: String, minute: i64, value: Option<f64>) {
        let kept = self.series.entry(key).or_default();
        if kept.back().is_some_and(|(m, _)| *m >= minute) {
            return;
        }
        kept.push_back((minute, value));
        while kept.len() > KEEP_MINUTES {
            kept.pop_front();
        }
    }

    /// The datapoints of `query` from `start` to `end` (epoch seconds), one per period.
    pub(crate) fn answer(&self, seed: u64, query: &MetricQuery, start: i64, end: i64) -> MetricSeries {
        let label = query.label.clone().unwrap_or_else(|| format!("{} {}", query.metric.name, query.stat));
        let mut series =
            MetricSeries { id: query.id.clone(), label, period_secs: query.period_secs, points: Vec::new() };
        let k = key(&query.metric, &query.stat);
        let Some(kept) = self.series.get(&k) else { return series };
        let present: Vec<f64> = kept.iter().filter_map(|(_, v)| *v).collect();
        let level = (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64);
        let first_present = present.first().copied();
        let first_minute = kept.front().map_or(i64::MAX, |(m, _)| *m);
        let shape = shape(&query.metric.name);
        let baseline = |minute: i64| -> Option<f64> {
            let v = match shape {
                Shape::Count => first_present?,
                Shape::Flow => level? * load(minute) / 0.65 * (1.0 + 0.1 * noise(seed, &k, minute)),
                Shape::Level => level? * (1.0 + 0.04 * noise(seed, &k, minute)),
            };
            Some(v.max(0.0))
        };
        let recorded = |minute: i64| -> Option<f64> {
            let i = kept.partition_point(|(m, _)| *m < minute);
            kept.get(i).filter(|(m, _)| *m == minute).and_then(|(_, v)| *v)
        };
        let period = i64::from(query.period_secs.max(60));
        let mut bucket = start.div_euclid(period) * period;
        let mut values = Vec::new();
        while bucket < end {
            values.clear();
            let mut minute = bucket - bucket.rem_euclid(60);
            while minute < (bucket + period).min(end) {
                if minute >= start {
                    let v = if minute < first_minute { baseline(minute) } else { recorded(minute) };
                    values.extend(v);
                }
                minute += 60;
            }
            if !values.is_empty() {
                let at = DateTime::<Utc>::from_timestamp(bucket, 0).unwrap_or_default();
                series.points.push((at, aggregate(&query.stat, &values)));
            }
            bucket += period;
        }
        series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu() -> MetricQuery {
        MetricQuery {
            id: "m0".into(),
            metric: MetricId::new("AWS/ECS", "CPUUtilization", &[("ServiceName", "s"), ("ClusterName", "c")]),
            stat: "Average".into(),
            period_secs: 60,
            label: None,
        }
    }

    #[test]
    fn recorded_minutes_come_back_and_missing_ones_stay_missing() {
        let mut h = MetricHistory::default();
        let k = key(&cpu().metric, "Average");
        h.record(k.clone(), 600, Some(40.0));
        h.record(k.clone(), 660, None);
        h.record(k.clone(), 720, Some(50.0));
        h.record(k, 720, Some(99.0));
        let s = h.answer(7, &cpu(), 600, 780);
        assert_eq!(
            s.points.iter().map(|(t, v)| (t.timestamp(), *v)).collect::<Vec<_>>(),
            vec![(600, 40.0), (720, 50.0)]
        );
        // Dimensions in another order are the same metric.
        let mut q = cpu();
        q.metric.dimensions.reverse();
        assert_eq!(h.answer(7, &q, 600, 780).points.len(), 2);
    }

    #[test]
    fn before_the_simulation_the_baseline_is_full_and_the_same_on_every_read() {
        let mut h = MetricHistory::default();
        let k = key(&cpu().metric, "Average");
        h.record(k, 7 * 86_400, Some(40.0));
        let week = h.answer(7, &cpu(), 0, 7 * 86_400);
        assert_eq!(week.points.len(), 7 * 1440);
        assert!(week.points.iter().all(|(_, v)| (38.0..=42.0).contains(v)), "around the recorded level");
        assert_eq!(week, h.answer(7, &cpu(), 0, 7 * 86_400));
        let mut hourly = cpu();
        hourly.period_secs = 3600;
        assert_eq!(h.answer(7, &hourly, 0, 86_400).points.len(), 24);
    }

    #[test]
    fn a_metric_the_fleet_does_not_publish_has_no_datapoints() {
        let h = MetricHistory::default();
        assert!(h.answer(7, &cpu(), 0, 3600).points.is_empty());
    }
}
