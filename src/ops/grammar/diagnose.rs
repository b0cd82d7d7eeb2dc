//! The arguments of the verbs that find out why: `targets` (load-balancer target health),
//! `query` (Logs Insights) and `metric` (any CloudWatch metric over time).

use super::{parse_duration, Output};
use chrono::{DateTime, NaiveDateTime, Utc};
use clap::{Args, ValueEnum};

/// How a table of results is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum TableOutput {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct TargetsArgs {
    /// The service: ecs:CLUSTER/SERVICE
    pub address: String,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// A time window: `--since 1h` back from now, or `--start T --end T`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct WindowArgs {
    /// How far back from now, e.g. 15m, 1h, 3h, 7d
    #[arg(long, value_name = "D", value_parser = parse_duration, conflicts_with_all = ["start", "end"])]
    pub since: Option<std::time::Duration>,
    /// Start time, UTC: 2026-12-04T13:00:00Z or "2026-12-04 13:00"
    #[arg(long, value_name = "T", value_parser = parse_time, requires = "end")]
    pub start: Option<DateTime<Utc>>,
    /// End time, UTC
    #[arg(long, value_name = "T", value_parser = parse_time, requires = "start")]
    pub end: Option<DateTime<Utc>>,
}

impl WindowArgs {
    /// The window as (start, end), `default` back from `now` when none was given. Errors for an
    /// end before the start or a window in the future.
    pub fn resolve(
        &self,
        now: DateTime<Utc>,
        default: chrono::Duration,
    ) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
        let (start, end) = match (self.since, self.start, self.end) {
            (Some(since), _, _) => {
                let back = chrono::Duration::from_std(since).map_err(|_| "--since is too long".to_string())?;
                (now - back, now)
            }
            (None, Some(start), Some(end)) => (start, end),
            _ => (now - default, now),
        };
        if end <= start {
            return Err(format!("the window ends ({end}) before it starts ({start})"));
        }
        if start > now {
            return Err(format!("the window starts in the future ({start})"));
        }
        Ok((start, end.min(now)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct QueryArgs {
    /// The Logs Insights query, e.g. 'fields @timestamp, @message | filter @message like /ERROR/'
    /// (in the console, `:query` alone opens the editor with the saved queries)
    pub query: Option<String>,
    /// A log group to query (repeat for several)
    #[arg(long = "group", value_name = "LOG_GROUP")]
    pub groups: Vec<String>,
    /// A service or endpoint whose log group(s) to query: ecs:CLUSTER/SERVICE, sm:ENDPOINT
    #[arg(long = "service", value_name = "ADDRESS")]
    pub services: Vec<String>,
    #[command(flatten)]
    pub window: WindowArgs,
    #[arg(long, value_enum, default_value_t = TableOutput::Table)]
    pub output: TableOutput,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct MetricArgs {
    /// The namespace, e.g. AWS/ECS, AWS/SageMaker, AWS/ApplicationELB
    pub namespace: String,
    /// The metric's name, e.g. CPUUtilization
    pub metric: String,
    /// A dimension, NAME=VALUE (repeat for several)
    #[arg(long = "dim", value_name = "NAME=VALUE", value_parser = parse_dimension)]
    pub dimensions: Vec<(String, String)>,
    /// The statistic: Average, Sum, Minimum, Maximum, SampleCount, or a percentile such as p99
    #[arg(long, default_value = "Average", value_parser = parse_stat)]
    pub stat: String,
    /// Seconds per datapoint (a multiple of 60)
    #[arg(long, default_value_t = 60, value_parser = parse_period)]
    pub period: u32,
    #[command(flatten)]
    pub window: WindowArgs,
    #[arg(long, value_enum, default_value_t = TableOutput::Table)]
    pub output: TableOutput,
}

/// RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` read as UTC.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc());
        }
    }
    Err(format!(
        "'{}' is not a time like 2026-12-04T13:00:00Z or \"2026-12-04 13:00\" (UTC)",
        crate::sanitize::inert(text)
    ))
}

fn parse_dimension(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() && !value.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("'{}' is not a dimension like ServiceName=web", crate::sanitize::inert(text))),
    }
}

/// CloudWatch's statistics and percentile forms (p99, p99.9, tm90, ...).
fn parse_stat(text: &str) -> Result<String, String> {
    const NAMED: [&str; 5] = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"];
    if let Some(name) = NAMED.iter().find(|n| n.eq_ignore_ascii_case(text)) {
        return Ok((*name).to_string());
    }
    let percentile = regex::Regex::new(r"^(p|tm|tc|ts|wm|pr)\d{1,2}(\.\d+)?$").map_err(|e| e.to_string())?;
    if percentile.is_match(text) {
        return Ok(text.to_string());
    }
    Err(format!(
        "'{}' is not a statistic: {} or a percentile such as p99",
        crate::sanitize::inert(text),
        NAMED.join(", ")
    ))
}

fn parse_period(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(p) if p >= 60 && p % 60 == 0 => Ok(p),
        _ => Err(format!("'{}' is not a period: a multiple of 60 seconds", crate::sanitize::inert(text))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_statistics_and_dimensions_are_checked() {
        assert_eq!(parse_time("2026-12-04T13:00:00Z").map(|t| t.timestamp()), Ok(1_796_389_200));
        assert_eq!(parse_time("2026-12-04 13:00"), parse_time("2026-12-04T13:00:00Z"));
        assert!(parse_time("yesterday").is_err());
        assert_eq!(parse_stat("average").as_deref(), Ok("Average"));
        assert_eq!(parse_stat("p99.9").as_deref(), Ok("p99.9"));
        assert!(parse_stat("median").is_err());
        assert_eq!(parse_dimension("ServiceName=web"), Ok(("ServiceName".into(), "web".into())));
        assert!(parse_dimension("ServiceName").is_err());
        assert_eq!(parse_period("300"), Ok(300));
        assert!(parse_period("90").is_err());
    }

    #[test]
    fn a_window_is_resolved_and_checked() {
        let now = parse_time("2026-12-04T13:00:00Z").unwrap();
        let default = WindowArgs { since: None, start: None, end: None };
        assert_eq!(default.resolve(now, chrono::Duration::hours(1)).unwrap().0, now - chrono::Duration::hours(1));
        let backwards = WindowArgs { since: None, start: Some(now), end: Some(now - chrono::Duration::hours(1)) };
        assert!(backwards.resolve(now, chrono::Duration::hours(1)).unwrap_err().contains("before it starts"));
        let future = WindowArgs {
            since: None,
            start: Some(now + chrono::Duration::hours(1)),
            end: Some(now + chrono::Duration::hours(2)),
        };
        assert!(future.resolve(now, chrono::Duration::hours(1)).unwrap_err().contains("future"));
    }
}
