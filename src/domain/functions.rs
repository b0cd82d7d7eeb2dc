//! Lambda functions as the console shows them: configuration, reserved concurrency, what feeds
//! them (event-source mappings), their metrics, and the detail behind `enter`.

use super::Series;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One function (ListFunctions, GetFunctionConcurrency, ListEventSourceMappings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Function {
    pub name: String,
    /// `python3.12`, `nodejs20.x`; None for a container-image function.
    pub runtime: Option<String>,
    pub memory_mb: Option<u32>,
    pub timeout_secs: Option<u32>,
    pub last_modified: Option<DateTime<Utc>>,
    /// None: no reserved concurrency is set (the function draws on the account's unreserved
    /// pool). Some(0) stops every invocation.
    pub reserved_concurrency: Option<u32>,
    pub event_sources: Vec<EventSource>,
    /// `/aws/lambda/NAME` unless the function logs elsewhere (LoggingConfig.LogGroup).
    pub log_group: String,
}

impl Function {
    /// The reserved concurrency as the table and the plan say it.
    pub fn reserved_text(&self) -> String {
        match self.reserved_concurrency {
            Some(n) => n.to_string(),
            None => "none set".to_string(),
        }
    }

    /// The SQS queues that feed the function.
    pub fn queues(&self) -> impl Iterator<Item = &str> {
        self.event_sources.iter().filter_map(EventSource::queue_name)
    }
}

/// One event-source mapping: a queue or stream the function is invoked from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSource {
    pub uuid: String,
    /// The source's ARN (`arn:aws:sqs:REGION:ACCOUNT:QUEUE`, a Kinesis or DynamoDB stream, ...).
    pub source_arn: String,
    /// Enabled, Disabled, Creating, Updating, ...
    pub state: String,
    pub batch_size: Option<u32>,
}

impl EventSource {
    /// The queue's name when the source is an SQS queue.
    pub fn queue_name(&self) -> Option<&str> {
        let rest = self.source_arn.strip_prefix("arn:")?;
        let mut parts = rest.splitn(5, ':');
        let (_partition, service, _region, _account, name) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        (service == "sqs" && !name.is_empty()).then_some(name)
    }
}

/// A function's per-minute metrics (AWS/Lambda by FunctionName; queue depth from AWS/SQS
/// ApproximateNumberOfMessagesVisible by QueueName). `None` points are "no datapoint": a
/// function that was not invoked has no Duration, not a zero one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FunctionMetrics {
    /// Sum per minute.
    pub invocations: Series,
    pub errors: Series,
    pub throttles: Series,
    /// Milliseconds.
    pub duration_p50_ms: Series,
    pub duration_p99_ms: Series,
    /// Maximum per minute.
    pub concurrent: Series,
    /// Queue name -> messages waiting.
    pub queue_depth: BTreeMap<String, Series>,
}

/// What `enter` on a function shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDetail {
    pub function: Function,
    pub arn: Option<String>,
    pub handler: Option<String>,
    pub description: Option<String>,
    /// The names of its environment variables; their values are never read into the console.
    pub environment: Vec<String>,
    /// Published versions, newest first (`$LATEST` is not among them).
    pub versions: Vec<FunctionVersion>,
    pub aliases: Vec<FunctionAlias>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionVersion {
    pub version: String,
    pub last_modified: Option<DateTime<Utc>>,
    pub description: Option<String>,
}

/// An alias and the versions it routes to: `version` takes what `weights` leave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionAlias {
    pub name: String,
    pub version: String,
    /// Other versions and the share of invocations each gets (RoutingConfig).
    pub weights: Vec<(String, f64)>,
}

impl FunctionAlias {
    /// "live -> 7 (90%), 8 (10%)" or "live -> 7".
    pub fn describe(&self) -> String {
        if self.weights.is_empty() {
            return format!("{} -> {}", self.name, self.version);
        }
        let rest: f64 = self.weights.iter().map(|(_, w)| w).sum();
        let mut parts = vec![format!("{} ({:.0}%)", self.version, (1.0 - rest).max(0.0) * 100.0)];
        parts.extend(self.weights.iter().map(|(v, w)| format!("{v} ({:.0}%)", w * 100.0)));
        format!("{} -> {}", self.name, parts.join(", "))
    }
}

/// Which functions are polled: by name prefix and/or tag. Empty: every function of the region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FunctionFilter {
    pub prefixes: Vec<String>,
    /// (key, value): a function must carry each.
    pub tags: Vec<(String, String)>,
}

impl FunctionFilter {
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty() && self.tags.is_empty()
    }

    /// Whether the name passes the prefixes (tags are checked by the backend, which reads them).
    pub fn name_matches(&self, name: &str) -> bool {
        self.prefixes.is_empty() || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }

    /// Whether a function with these tags passes.
    pub fn tags_match(&self, tags: &BTreeMap<String, String>) -> bool {
        self.tags.iter().all(|(k, v)| tags.get(k) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sqs_source_names_its_queue_and_others_do_not() {
        let sqs = EventSource {
            uuid: "u".into(),
            source_arn: "arn:aws:sqs:us-east-1:123456789012:garmax-smpl-queue".into(),
            state: "Enabled".into(),
            batch_size: Some(10),
        };
        assert_eq!(sqs.queue_name(), Some("garmax-smpl-queue"));
        let kinesis = EventSource { source_arn: "arn:aws:kinesis:us-east-1:1:stream/clicks".into(), ..sqs.clone() };
        assert_eq!(kinesis.queue_name(), None);
        let broken = EventSource { source_arn: "sqs".into(), ..sqs };
        assert_eq!(broken.queue_name(), None);
    }

    #[test]
    fn aliases_say_their_split_and_filters_match_prefixes_and_tags() {
        let alias = FunctionAlias { name: "live".into(), version: "7".into(), weights: vec![("8".into(), 0.1)] };
        assert_eq!(alias.describe(), "live -> 7 (90%), 8 (10%)");
        let plain = FunctionAlias { weights: vec![], ..alias };
        assert_eq!(plain.describe(), "live -> 7");
        let filter =
            FunctionFilter { prefixes: vec!["GarmaxAi-".into()], tags: vec![("system".into(), "garmax".into())] };
        assert!(filter.name_matches("GarmaxAi-TryonProcessor-PROD"));
        assert!(!filter.name_matches("other"));
        let mut tags = BTreeMap::new();
        assert!(!filter.tags_match(&tags));
        tags.insert("system".to_string(), "garmax".to_string());
        assert!(filter.tags_match(&tags));
        assert!(FunctionFilter::default().name_matches("anything"));
    }
}
