//! Load-balancer target health: a service's target groups (DescribeServices `loadBalancers`),
//! their health-check settings (DescribeTargetGroups) and each target's state with its reason
//! (DescribeTargetHealth).

use serde::Serialize;
use std::fmt;

/// ELBv2's target states.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub enum TargetState {
    Initial,
    Healthy,
    Unhealthy,
    UnhealthyDraining,
    Unused,
    Draining,
    Unavailable,
    /// A state this build does not know, as AWS named it.
    Other(String),
}

impl TargetState {
    pub fn parse(text: &str) -> TargetState {
        match text {
            "initial" => TargetState::Initial,
            "healthy" => TargetState::Healthy,
            "unhealthy" => TargetState::Unhealthy,
            "unhealthy.draining" => TargetState::UnhealthyDraining,
            "unused" => TargetState::Unused,
            "draining" => TargetState::Draining,
            "unavailable" => TargetState::Unavailable,
            other => TargetState::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            TargetState::Initial => "initial",
            TargetState::Healthy => "healthy",
            TargetState::Unhealthy => "unhealthy",
            TargetState::UnhealthyDraining => "unhealthy.draining",
            TargetState::Unused => "unused",
            TargetState::Draining => "draining",
            TargetState::Unavailable => "unavailable",
            TargetState::Other(s) => s,
        }
    }

    /// Failing its health checks (whether or not it is being drained).
    pub fn is_unhealthy(&self) -> bool {
        matches!(self, TargetState::Unhealthy | TargetState::UnhealthyDraining)
    }

    /// On its way out of the group: not counted among the targets that serve.
    pub fn is_leaving(&self) -> bool {
        matches!(self, TargetState::Draining | TargetState::UnhealthyDraining | TargetState::Unused)
    }
}

impl fmt::Display for TargetState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<TargetState> for String {
    fn from(s: TargetState) -> String {
        s.as_str().to_string()
    }
}

/// A target group's health check, as DescribeTargetGroups gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HealthCheck {
    pub enabled: bool,
    pub protocol: Option<String>,
    pub path: Option<String>,
    /// A port number, or `traffic-port`.
    pub port: Option<String>,
    pub interval_secs: Option<u32>,
    pub timeout_secs: Option<u32>,
    pub healthy_threshold: Option<u32>,
    pub unhealthy_threshold: Option<u32>,
    /// HTTP codes (`200`, `200-299`) or gRPC codes that count as healthy.
    pub matcher: Option<String>,
}

impl HealthCheck {
    /// "HTTP /health on traffic-port every 30 s, timeout 5 s, 5 ok / 2 failed, codes 200".
    pub fn describe(&self) -> String {
        if !self.enabled {
            return "health checks disabled".to_string();
        }
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        let n = |v: Option<u32>| v.map_or("?".into(), |v| v.to_string());
        let mut text = format!("{} {} on {}", or(&self.protocol), self.path.as_deref().unwrap_or(""), or(&self.port));
        text.push_str(&format!(
            " every {} s, timeout {} s, {} ok / {} failed",
            n(self.interval_secs),
            n(self.timeout_secs),
            n(self.healthy_threshold),
            n(self.unhealthy_threshold)
        ));
        if let Some(m) = &self.matcher {
            text.push_str(&format!(", codes {m}"));
        }
        text.replace("  ", " ")
    }
}

/// One registered target and its health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetHealth {
    /// An IP address (awsvpc tasks) or an instance id.
    pub id: String,
    pub port: Option<u16>,
    pub state: TargetState,
    /// `Target.ResponseCodeMismatch`, `Elb.InitialHealthChecking`, ...; none for healthy targets.
    pub reason: Option<String>,
    pub description: Option<String>,
}

/// A target group with its health check and its targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetGroupHealth {
    pub arn: String,
    /// `NAME` of `targetgroup/NAME/ID`.
    pub name: String,
    pub protocol: Option<String>,
    pub port: Option<u16>,
    /// `ip` or `instance`.
    pub target_type: Option<String>,
    /// The load balancers it is attached to (ARNs).
    pub load_balancers: Vec<String>,
    pub health_check: HealthCheck,
    pub targets: Vec<TargetHealth>,
}

impl TargetGroupHealth {
    /// The part of the ARN CloudWatch names in a `TargetGroup` dimension: `targetgroup/NAME/ID`.
    pub fn dimension(&self) -> &str {
        target_group_dimension(&self.arn)
    }
}

/// `targetgroup/NAME/ID` of a target group's ARN, as the `TargetGroup` dimension names it (the
/// whole text when it is not such an ARN).
pub fn target_group_dimension(arn: &str) -> &str {
    arn.find("targetgroup/").map_or(arn, |at| &arn[at..])
}

/// `app/NAME/ID` (or `net/...`) of a load balancer's ARN, as the `LoadBalancer` dimension names
/// it (the whole text when it is not such an ARN).
pub fn load_balancer_dimension(arn: &str) -> &str {
    const MARK: &str = "loadbalancer/";
    arn.find(MARK).map_or(arn, |at| &arn[at + MARK.len()..])
}

/// Healthy targets out of those in service (leaving ones not counted), and whether any fails
/// its health checks: what the services table shows (`3/3`, `1/3 ✗`).
pub fn summary<'a>(groups: impl IntoIterator<Item = &'a TargetGroupHealth>) -> (usize, usize, bool) {
    let (mut healthy, mut total, mut failing) = (0, 0, false);
    for t in groups.into_iter().flat_map(|g| &g.targets) {
        failing |= t.state.is_unhealthy();
        if t.state.is_leaving() {
            continue;
        }
        total += 1;
        healthy += usize::from(t.state == TargetState::Healthy);
    }
    (healthy, total, failing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(state: &str) -> TargetHealth {
        TargetHealth {
            id: "10.0.1.2".into(),
            port: Some(80),
            state: TargetState::parse(state),
            reason: None,
            description: None,
        }
    }

    #[test]
    fn states_round_trip_and_unknown_ones_are_kept() {
        for s in ["initial", "healthy", "unhealthy", "unhealthy.draining", "unused", "draining", "unavailable"] {
            assert_eq!(TargetState::parse(s).as_str(), s);
        }
        assert_eq!(TargetState::parse("weird").as_str(), "weird");
    }

    #[test]
    fn the_summary_counts_serving_targets_and_flags_failing_ones() {
        let group = |states: &[&str]| TargetGroupHealth {
            arn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc".into(),
            name: "web".into(),
            protocol: None,
            port: None,
            target_type: None,
            load_balancers: vec![],
            health_check: HealthCheck::default(),
            targets: states.iter().map(|s| target(s)).collect(),
        };
        assert_eq!(summary([&group(&["healthy", "healthy", "healthy"])]), (3, 3, false));
        assert_eq!(summary([&group(&["healthy", "initial", "unhealthy"])]), (1, 3, true));
        assert_eq!(summary([&group(&["healthy", "draining", "unhealthy.draining"])]), (1, 1, true));
        assert_eq!(group(&[]).dimension(), "targetgroup/web/abc");
        assert_eq!(
            load_balancer_dimension("arn:aws:elasticloadbalancing:r:1:loadbalancer/app/web-alb/123"),
            "app/web-alb/123"
        );
    }

    #[test]
    fn a_health_check_reads_as_one_line() {
        let hc = HealthCheck {
            enabled: true,
            protocol: Some("HTTP".into()),
            path: Some("/health".into()),
            port: Some("traffic-port".into()),
            interval_secs: Some(30),
            timeout_secs: Some(5),
            healthy_threshold: Some(5),
            unhealthy_threshold: Some(2),
            matcher: Some("200".into()),
        };
        assert_eq!(hc.describe(), "HTTP /health on traffic-port every 30 s, timeout 5 s, 5 ok / 2 failed, codes 200");
    }
}
