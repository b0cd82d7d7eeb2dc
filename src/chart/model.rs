//! What a metric chart shows: the series, the alarm's threshold and its ALARM periods.

use chrono::{DateTime, Utc};

/// One chart: a metric (or the metrics of a metric-math alarm) over `start..=end`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chart {
    /// What is charted, e.g. "AWS/ECS CPUUtilization  ClusterName=x ServiceName=y  Average, 60 s".
    pub title: String,
    /// "%", "ms", "count"...: shown above the y axis and after values in the summary.
    pub unit: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// One line per series; a metric-math alarm charts each of its metrics.
    pub series: Vec<ChartSeries>,
    /// The alarm's threshold, drawn as a horizontal line and labelled on the y axis.
    pub threshold: Option<Threshold>,
    /// Periods the alarm was in ALARM, marked under the time axis.
    pub alarm_spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// A line under the chart, e.g. "2 of 2 datapoints > 10 in 60 s periods".
    pub note: Option<String>,
}

/// One line of a chart. `None` is "no datapoint": drawn as a gap, never as zero. Points should be
/// in time order (any order is accepted and sorted when drawn).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartSeries {
    pub label: String,
    pub points: Vec<(DateTime<Utc>, Option<f64>)>,
}

/// An alarm's threshold: the value and which side of it is breaching.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub value: f64,
    pub comparison: Comparison,
}

/// How a datapoint is compared with the threshold (CloudWatch's static-threshold operators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl Comparison {
    /// `>`, `>=`, `<`, `<=`: ASCII, so it reads in every terminal font.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
        }
    }

    /// From a CloudWatch `ComparisonOperator`; `None` for the anomaly-detection band operators,
    /// which have no single threshold line.
    pub fn from_cloudwatch(operator: &str) -> Option<Comparison> {
        match operator {
            "GreaterThanThreshold" => Some(Comparison::Greater),
            "GreaterThanOrEqualToThreshold" => Some(Comparison::GreaterOrEqual),
            "LessThanThreshold" => Some(Comparison::Less),
            "LessThanOrEqualToThreshold" => Some(Comparison::LessOrEqual),
            _ => None,
        }
    }

    /// Whether `value` is on the breaching side of `threshold`.
    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Greater => value > threshold,
            Comparison::GreaterOrEqual => value >= threshold,
            Comparison::Less => value < threshold,
            Comparison::LessOrEqual => value <= threshold,
        }
    }
}

impl Threshold {
    /// The threshold if it can be drawn (a finite value).
    pub fn finite(&self) -> Option<f64> {
        self.value.is_finite().then_some(self.value)
    }
}

/// Seconds from the instant `start_ms` (milliseconds since the epoch) to `t`, to the
/// millisecond, for any date chrono can hold.
pub(super) fn seconds_from(start_ms: i64, t: &DateTime<Utc>) -> f64 {
    (t.timestamp_millis() - start_ms) as f64 / 1000.0
}

impl Chart {
    /// Seconds from `start` to `at` (to the millisecond; negative before `start`).
    pub fn seconds_at(&self, at: DateTime<Utc>) -> f64 {
        seconds_from(self.start.timestamp_millis(), &at)
    }

    /// The drawn window in seconds (0 when `end` is not after `start`).
    pub fn span_seconds(&self) -> f64 {
        self.seconds_at(self.end).max(0.0)
    }

    /// The threshold's value, if there is one that can be drawn.
    pub fn threshold_value(&self) -> Option<f64> {
        self.threshold.as_ref().and_then(Threshold::finite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn comparisons_read_cloudwatch_operators_and_judge_values() {
        assert_eq!(Comparison::from_cloudwatch("GreaterThanThreshold"), Some(Comparison::Greater));
        assert_eq!(Comparison::from_cloudwatch("LessThanOrEqualToThreshold"), Some(Comparison::LessOrEqual));
        assert_eq!(Comparison::from_cloudwatch("LessThanLowerOrGreaterThanUpperThreshold"), None);
        assert_eq!(Comparison::GreaterOrEqual.symbol(), ">=");
        assert!(Comparison::GreaterOrEqual.breaches(10.0, 10.0));
        assert!(!Comparison::Greater.breaches(10.0, 10.0));
        assert!(Comparison::Less.breaches(9.0, 10.0));
    }

    #[test]
    fn span_is_zero_for_an_empty_or_reversed_window_and_nan_thresholds_are_not_drawn() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        let mut chart = Chart { start, end: start + chrono::Duration::minutes(90), ..Chart::default() };
        assert_eq!(chart.span_seconds(), 5400.0);
        chart.end = start - chrono::Duration::minutes(1);
        assert_eq!(chart.span_seconds(), 0.0);
        chart.threshold = Some(Threshold { value: f64::NAN, comparison: Comparison::Greater });
        assert_eq!(chart.threshold_value(), None);
        chart.threshold = Some(Threshold { value: 80.0, comparison: Comparison::Greater });
        assert_eq!(chart.threshold_value(), Some(80.0));
    }
}
