//! Domain types shared by every backend and the UI. No AWS SDK type appears here: the AWS module
//! converts into these, the simulated fleet produces them directly.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod functions;
mod insights;
mod metrics;
mod models;
mod ops;
pub mod place;
mod targets;
pub use functions::*;
pub use insights::*;
pub use metrics::*;
pub use models::*;
pub use ops::*;
pub use targets::*;

/// How a command names a resource: `ecs:CLUSTER/SERVICE`, `sm:ENDPOINT[/VARIANT]`,
/// `lambda:FUNCTION` or `rule:[BUS/]NAME` (an EventBridge rule; the default bus when no bus is named).
/// In a fleet session the cluster, endpoint or function name carries its place
/// (`ecs:prod@us-east-1:app/api`, see `place.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Address {
    EcsService {
        cluster: String,
        service: String,
    },
    Endpoint {
        endpoint: String,
        variant: Option<String>,
    },
    Function {
        name: String,
    },
    /// `bus` is None for the default event bus.
    Rule {
        bus: Option<String>,
        name: String,
    },
}

impl Address {
    pub fn ecs(cluster: impl Into<String>, service: impl Into<String>) -> Self {
        Address::EcsService { cluster: cluster.into(), service: service.into() }
    }
    pub fn endpoint(endpoint: impl Into<String>) -> Self {
        Address::Endpoint { endpoint: endpoint.into(), variant: None }
    }
    pub fn function(name: impl Into<String>) -> Self {
        Address::Function { name: name.into() }
    }
    pub fn rule(bus: Option<&str>, name: impl Into<String>) -> Self {
        Address::Rule { bus: bus.filter(|b| *b != "default").map(str::to_string), name: name.into() }
    }

    /// The name that carries a fleet session's place (`ACCOUNT@REGION:`): the cluster, endpoint
    /// or function; a rule has none.
    pub fn placed(&self) -> Option<place::Placed<'_>> {
        let name = match self {
            Address::EcsService { cluster, .. } => cluster,
            Address::Endpoint { endpoint, .. } => endpoint,
            Address::Function { name } => name,
            Address::Rule { .. } => return None,
        };
        let placed = place::split(name);
        placed.place.is_some().then_some(placed)
    }

    /// The address of the whole resource a snapshot reads: a variant's endpoint.
    pub fn resource(&self) -> Address {
        match self {
            Address::Endpoint { endpoint, variant: Some(_) } => Address::endpoint(endpoint),
            other => other.clone(),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::EcsService { cluster, service } => write!(f, "ecs:{cluster}/{service}"),
            Address::Endpoint { endpoint, variant: None } => write!(f, "sm:{endpoint}"),
            Address::Endpoint { endpoint, variant: Some(v) } => write!(f, "sm:{endpoint}/{v}"),
            Address::Function { name } => write!(f, "lambda:{name}"),
            Address::Rule { bus: None, name } => write!(f, "rule:{name}"),
            Address::Rule { bus: Some(bus), name } => write!(f, "rule:{bus}/{name}"),
        }
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.to_string()
    }
}

impl TryFrom<String> for Address {
    type Error = AddressError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error(
        "'{0}' is not an address: expected ecs:CLUSTER/SERVICE, sm:ENDPOINT[/VARIANT], lambda:FUNCTION or rule:[BUS/]NAME"
    )]
    Malformed(String),
}

/// AWS resource names allow letters, digits, hyphens and underscores (ECS also dots in a few places).
/// In a fleet session a name may carry its place (`prod@us-east-1:app`, see `place.rs`).
fn valid_name(s: &str) -> bool {
    let bare = place::split(s).name;
    !bare.is_empty()
        && bare.len() <= 255
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // The error quotes the text, inert: it may come from a file, a runbook or an AWS tag.
        let bad = || AddressError::Malformed(crate::sanitize::inert(s).into_owned());
        if let Some(rest) = s.strip_prefix("ecs:") {
            let (cluster, service) = rest.split_once('/').ok_or_else(bad)?;
            if !valid_name(cluster) || !valid_name(service) {
                return Err(bad());
            }
            return Ok(Address::ecs(cluster, service));
        }
        if let Some(rest) = s.strip_prefix("sm:") {
            let (endpoint, variant) = match rest.split_once('/') {
                Some((e, v)) => (e, Some(v)),
                None => (rest, None),
            };
            if !valid_name(endpoint) || variant.is_some_and(|v| !valid_name(v)) {
                return Err(bad());
            }
            return Ok(Address::Endpoint { endpoint: endpoint.to_string(), variant: variant.map(str::to_string) });
        }
        if let Some(name) = s.strip_prefix("lambda:") {
            // Function names: letters, digits, hyphens and underscores, up to 64 (ARNs are not taken
            // here), with a place in a fleet session.
            let name_only = place::split(name).name;
            if name_only.is_empty()
                || name_only.len() > 64
                || !name_only.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
            {
                return Err(bad());
            }
            return Ok(Address::function(name));
        }
        if let Some(rest) = s.strip_prefix("rule:") {
            // Partner event buses contain slashes (aws.partner/...): the rule is what follows the last one.
            let (bus, name) = match rest.rsplit_once('/') {
                Some((bus, name)) => (Some(bus), name),
                None => (None, rest),
            };
            let rule_ok = !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            let bus_ok = bus.is_none_or(|b| {
                !b.is_empty() && b.len() <= 256 && b.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            });
            if !rule_ok || !bus_ok {
                return Err(bad());
            }
            return Ok(Address::rule(bus, name));
        }
        Err(bad())
    }
}

/// A per-minute metric series, oldest first. `None` is "no datapoint", never zero: ECS publishes no
/// CPU/memory while no task runs, and that must not read as an idle service.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub points: Vec<Option<f64>>,
}

impl Series {
    pub fn latest(&self) -> Option<f64> {
        self.points.last().copied().flatten()
    }
    pub fn push_capped(&mut self, value: Option<f64>, cap: usize) {
        self.points.push(value);
        if self.points.len() > cap {
            let excess = self.points.len() - cap;
            self.points.drain(..excess);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RolloutState {
    InProgress,
    Completed,
    Failed,
    Unknown,
}

impl RolloutState {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutState::InProgress => "IN_PROGRESS",
            RolloutState::Completed => "COMPLETED",
            RolloutState::Failed => "FAILED",
            RolloutState::Unknown => "-",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TaskDefRef {
    pub family: String,
    pub revision: u32,
}

impl fmt::Display for TaskDefRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.family, self.revision)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    /// PRIMARY (the newest) or ACTIVE (being drained).
    pub status: String,
    pub task_definition: TaskDefRef,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub failed: u32,
    pub rollout: RolloutState,
    pub created_at: DateTime<Utc>,
}

/// One ECS service as the list view needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub cluster: String,
    pub name: String,
    /// The system (application) the service belongs to, from its tags; used to group cost.
    pub system: Option<String>,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub rollout: RolloutState,
    pub task_definition: TaskDefRef,
    pub deployments: Vec<Deployment>,
    pub last_deployment_at: Option<DateTime<Utc>>,
    pub log_group: Option<String>,
    /// The target groups it is registered with (`loadBalancers[].targetGroupArn`), ARNs.
    pub target_groups: Vec<String>,
}

impl Service {
    pub fn address(&self) -> Address {
        Address::ecs(&self.cluster, &self.name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceMetrics {
    /// Percent of reserved CPU, per minute.
    pub cpu: Series,
    /// Percent of reserved memory, per minute.
    pub memory: Series,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskHealth {
    Healthy,
    Unhealthy,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub task_definition: TaskDefRef,
    /// PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, STOPPED.
    pub last_status: String,
    pub desired_status: String,
    pub health: TaskHealth,
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub stopped_reason: Option<String>,
    /// The task's private IP (awsvpc): how a load balancer's IP target is told to be this task.
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceEvent {
    pub at: DateTime<Utc>,
    pub message: String,
}

/// What `enter` on a service shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDetail {
    pub address: Address,
    pub tasks: Vec<Task>,
    pub events: Vec<ServiceEvent>,
    /// The family's latest revisions, newest first: what a roll back can go to.
    pub revisions: Vec<TaskDefRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    pub instance_type: String,
    pub current_instances: u32,
    pub desired_instances: u32,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    pub name: String,
    /// InService, Creating, Updating, SystemUpdating, RollingBack, Deleting, Failed, OutOfService.
    pub status: String,
    pub system: Option<String>,
    pub variants: Vec<Variant>,
    pub log_group: Option<String>,
}

impl Endpoint {
    pub fn address(&self) -> Address {
        Address::endpoint(&self.name)
    }
}

/// Per-variant metrics. Latencies are in microseconds, as AWS reports them; the UI converts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VariantMetrics {
    pub invocations: Series,
    pub latency_p50_us: Series,
    pub latency_p99_us: Series,
    pub errors_4xx: Series,
    pub errors_5xx: Series,
    /// Summed over cores: a 4-core instance reads 0-400.
    pub cpu: Series,
    /// Absent on CPU-only instance types.
    pub gpu: Option<Series>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    /// Ordered so that sorting puts the state that needs attention first.
    Alarm,
    InsufficientData,
    Ok,
}

impl AlarmState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
            AlarmState::Ok => "OK",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    pub state_since: DateTime<Utc>,
    /// e.g. "AWS/ECS CPUUtilization > 80".
    pub condition: String,
    /// The resource the alarm watches, when it is one opsdeck shows.
    pub watches: Option<Address>,
    /// AlarmDescription: may name its runbook (a path or URL).
    pub description: Option<String>,
    /// The alarm's `runbook_url` tag, where read.
    pub runbook_tag: Option<String>,
    /// What it evaluates (metric, statistic, period, threshold), where known: for its chart, and
    /// to find the service an ELB alarm's target group or load balancer belongs to.
    pub rule: Option<AlarmRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyCost {
    pub date: NaiveDate,
    /// AWS service name (Cost Explorer's SERVICE dimension) -> USD.
    pub by_service: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemCost {
    pub system: String,
    pub month_to_date: f64,
    pub forecast: f64,
    pub budget: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    pub as_of: DateTime<Utc>,
    pub currency: String,
    pub today: f64,
    pub month_to_date: f64,
    /// Month-end forecast.
    pub forecast: f64,
    /// The account's monthly budget, when one exists.
    pub budget: Option<f64>,
    /// Month to date per AWS service, largest first.
    pub by_service: Vec<(String, f64)>,
    pub by_system: Vec<SystemCost>,
    /// Daily totals this month, oldest first.
    pub daily: Vec<DailyCost>,
    /// What the account costs per hour right now, where the backend knows it (the simulated
    /// fleet); None on AWS, where Cost Explorer has no present rate.
    #[serde(default)]
    pub hourly: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEvent {
    /// Unique within a log group; used to drop duplicates after reconnects.
    pub id: u64,
    pub timestamp: DateTime<Utc>,
    pub stream: String,
    pub message: String,
}

/// Where a log read starts.
#[derive(Debug, Clone, PartialEq)]
pub enum LogQuery {
    /// The newest `limit` events.
    Tail { limit: usize },
    /// Everything after this event id (the follow cursor).
    After { id: u64 },
    /// Everything since this time, at most `limit` events (the newest ones).
    Since { from: DateTime<Utc>, limit: usize },
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogBatch {
    pub events: Vec<LogEvent>,
    /// Events the source had but did not return (sampled or beyond `limit`): shown, never hidden.
    pub skipped: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_and_print_the_same() {
        for text in [
            "ecs:c/s",
            "sm:e",
            "sm:e/v",
            "lambda:GarmaxAi-TryonProcessor-DEV",
            "rule:garmax-nightly",
            "rule:garmax-events/tryon-done",
            "rule:aws.partner/saas.com/123/bus/rule.x",
        ] {
            let a: Address = text.parse().unwrap();
            assert_eq!(a.to_string(), text);
        }
        assert_eq!("rule:default/nightly".parse::<Address>().unwrap(), Address::rule(None, "nightly"));
        assert_eq!("sm:e/v".parse::<Address>().unwrap().resource(), Address::endpoint("e"));
        for bad in ["lambda:", "lambda:a b", "lambda:a/b", "rule:", "rule:/x", "rule:bus/", "rule:a*b", "ec2:i-1"] {
            let err = bad.parse::<Address>().unwrap_err().to_string();
            assert!(err.contains("lambda:FUNCTION or rule:[BUS/]NAME"), "{bad}: {err}");
        }
    }
}
