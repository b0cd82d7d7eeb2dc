//! CloudWatch metrics by name (namespace, metric, dimensions), what an alarm evaluates (its rule),
//! the queries of a metric chart, and the series and alarm history that come back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A CloudWatch metric: namespace, name and dimensions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MetricId {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
}

impl MetricId {
    pub fn new(namespace: &str, name: &str, dimensions: &[(&str, &str)]) -> MetricId {
        MetricId {
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions: dimensions.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.namespace, self.name)?;
        for (k, v) in &self.dimensions {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

/// How an alarm compares its metric with the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    /// Anomaly-detection bands and anything newer, as AWS names it.
    Other(String),
}

impl Comparison {
    pub fn symbol(&self) -> &str {
        match self {
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Other(s) => s,
        }
    }

    /// Whether `value` is on the alarming side of `threshold`.
    pub fn breaches(&self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Greater => value > threshold,
            Comparison::GreaterOrEqual => value >= threshold,
            Comparison::Less => value < threshold,
            Comparison::LessOrEqual => value <= threshold,
            Comparison::Other(_) => false,
        }
    }
}

/// One query of a metric-math alarm: a metric with its statistic, or an expression over others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MathQuery {
    pub id: String,
    pub label: Option<String>,
    pub expression: Option<String>,
    pub metric: Option<MetricId>,
    pub stat: Option<String>,
    pub period_secs: Option<u32>,
    /// The query whose result the alarm compares (only one returns data).
    pub return_data: bool,
}

/// What an alarm evaluates: its metric (or its math), statistic, period, how many datapoints
/// must breach, the threshold and how missing data is treated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmRule {
    /// A single-metric alarm's metric; None for a metric-math alarm.
    pub metric: Option<MetricId>,
    /// `Average`, `Sum`, `Maximum`, `p99`, ...
    pub stat: Option<String>,
    pub period_secs: Option<u32>,
    /// A metric-math alarm's queries.
    pub math: Vec<MathQuery>,
    pub evaluation_periods: u32,
    pub datapoints_to_alarm: u32,
    pub threshold: Option<f64>,
    pub comparison: Comparison,
    /// `missing`, `notBreaching`, `breaching`, `ignore`.
    pub treat_missing: Option<String>,
}

impl AlarmRule {
    /// The evaluation in words: "2 of 2 datapoints > 10 in 60 s periods (p99)".
    pub fn in_words(&self) -> String {
        let threshold = self.threshold.map_or("?".to_string(), format_value);
        let period = self.period_secs.or_else(|| self.math.iter().find_map(|q| q.period_secs));
        let mut text = format!(
            "{} of {} datapoints {} {threshold}",
            self.datapoints_to_alarm,
            self.evaluation_periods,
            self.comparison.symbol()
        );
        if let Some(p) = period {
            text.push_str(&format!(" in {p} s periods"));
        }
        match (&self.stat, self.math.is_empty()) {
            (Some(stat), _) => text.push_str(&format!(" ({stat})")),
            (None, false) => text.push_str(" (metric math)"),
            _ => {}
        }
        if let Some(missing) = &self.treat_missing {
            text.push_str(&format!("; missing data: {missing}"));
        }
        text
    }

    /// The dimensions of the alarm's metric, or of every metric of its math.
    pub fn dimensions(&self) -> Vec<&(String, String)> {
        let metrics = self.metric.iter().chain(self.math.iter().filter_map(|q| q.metric.as_ref()));
        metrics.flat_map(|m| m.dimensions.iter()).collect()
    }
}

/// A number as people read it: no float noise, thousands kept whole.
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// One series of a chart or of `opsdeck metric`: a metric's statistic over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricQuery {
    /// Names the series in the answer (GetMetricData's `Id`): lowercase letter first.
    pub id: String,
    pub metric: MetricId,
    pub stat: String,
    pub period_secs: u32,
    pub label: Option<String>,
}

/// What came back for one query: only the periods with a datapoint (a missing one is no data,
/// never zero), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub id: String,
    pub label: String,
    pub period_secs: u32,
    pub points: Vec<(DateTime<Utc>, f64)>,
}

impl MetricSeries {
    /// Every period from `start` to `end`, None where there was no datapoint: what a chart draws
    /// (a gap) and a table prints (`-`).
    pub fn with_gaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, Option<f64>)> {
        let step = i64::from(self.period_secs.max(1));
        let first = start.timestamp().div_euclid(step) * step;
        let mut out = Vec::new();
        let mut points = self.points.iter().peekable();
        let mut at = first;
        while at < end.timestamp() {
            while points.peek().is_some_and(|(t, _)| t.timestamp() < at) {
                points.next();
            }
            let value = points.peek().filter(|(t, _)| t.timestamp() < at + step).map(|(_, v)| *v);
            out.push((DateTime::from_timestamp(at, 0).unwrap_or(start), value));
            at += step;
        }
        out
    }
}

/// An alarm's state change (DescribeAlarmHistory), for marking the periods it was in ALARM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmTransition {
    pub at: DateTime<Utc>,
    pub from: super::AlarmState,
    pub to: super::AlarmState,
}

/// The spans in ALARM within `[start, end)`, from transitions (any order) and the state now.
pub fn alarm_spans(
    transitions: &[AlarmTransition],
    now_state: super::AlarmState,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    use super::AlarmState;
    let mut sorted: Vec<&AlarmTransition> = transitions.iter().collect();
    sorted.sort_by_key(|t| t.at);
    // The state at `start` is the state before the first transition after it.
    let first_after = sorted.iter().position(|t| t.at >= start);
    let mut state = match first_after {
        Some(i) => sorted[i].from,
        None => sorted.last().map_or(now_state, |t| t.to),
    };
    let mut spans = Vec::new();
    let mut open = (state == AlarmState::Alarm).then_some(start);
    for t in sorted.iter().skip(first_after.unwrap_or(sorted.len())) {
        if t.at >= end {
            break;
        }
        if t.to == AlarmState::Alarm && state != AlarmState::Alarm {
            open = Some(t.at);
        }
        if t.to != AlarmState::Alarm {
            if let Some(from) = open.take() {
                spans.push((from, t.at));
            }
        }
        state = t.to;
    }
    if let Some(from) = open {
        spans.push((from, end));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::super::AlarmState;
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        // Minute-aligned, as CloudWatch's period timestamps are.
        DateTime::from_timestamp(1_790_000_040 + minute * 60, 0).unwrap_or_default()
    }

    #[test]
    fn a_rule_reads_as_words() {
        let rule = AlarmRule {
            metric: Some(MetricId::new("AWS/ECS", "CPUUtilization", &[("ClusterName", "c")])),
            stat: Some("Average".into()),
            period_secs: Some(60),
            math: vec![],
            evaluation_periods: 2,
            datapoints_to_alarm: 2,
            threshold: Some(10.0),
            comparison: Comparison::Greater,
            treat_missing: Some("missing".into()),
        };
        assert_eq!(rule.in_words(), "2 of 2 datapoints > 10 in 60 s periods (Average); missing data: missing");
        assert_eq!(format_value(2_000_000.0), "2000000");
        assert_eq!(format_value(0.125), "0.125");
        assert!(Comparison::LessOrEqual.breaches(1.0, 1.0));
    }

    #[test]
    fn missing_periods_are_gaps_not_zeros() {
        let series = MetricSeries {
            id: "m".into(),
            label: "cpu".into(),
            period_secs: 60,
            points: vec![(at(0), 5.0), (at(2), 7.0)],
        };
        let gapped = series.with_gaps(at(0), at(4));
        assert_eq!(gapped.iter().map(|(_, v)| *v).collect::<Vec<_>>(), vec![Some(5.0), None, Some(7.0), None]);
    }

    #[test]
    fn alarm_spans_follow_the_history() {
        let t = |m, from, to| AlarmTransition { at: at(m), from, to };
        let history = vec![
            t(10, AlarmState::Ok, AlarmState::Alarm),
            t(20, AlarmState::Alarm, AlarmState::Ok),
            t(30, AlarmState::Ok, AlarmState::Alarm),
        ];
        assert_eq!(alarm_spans(&history, AlarmState::Alarm, at(0), at(40)), vec![(at(10), at(20)), (at(30), at(40))]);
        // Already in ALARM when the window opens.
        assert_eq!(alarm_spans(&history, AlarmState::Alarm, at(15), at(25)), vec![(at(15), at(20))]);
        // No history in the window: the state now says it all.
        assert_eq!(alarm_spans(&[], AlarmState::Alarm, at(0), at(5)), vec![(at(0), at(5))]);
        assert!(alarm_spans(&[], AlarmState::Ok, at(0), at(5)).is_empty());
    }
}
