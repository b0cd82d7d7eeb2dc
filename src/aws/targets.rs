//! Load-balancer target health (ELBv2): the target groups in batches of 20 (DescribeTargetGroups:
//! their health checks and load balancers), then one DescribeTargetHealth per group.

use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{HealthCheck, TargetGroupHealth, TargetHealth, TargetState};
use aws_sdk_elasticloadbalancingv2::types::{TargetGroup, TargetHealthDescription};

/// DescribeTargetGroups takes at most this many ARNs.
const GROUPS_PER_CALL: usize = 20;

impl AwsBackend {
    pub(super) async fn elb_target_health(&self, arns: &[String]) -> Result<Vec<TargetGroupHealth>, BackendError> {
        let mut groups = Vec::new();
        for batch in arns.chunks(GROUPS_PER_CALL) {
            self.stats.count("elasticloadbalancing:DescribeTargetGroups");
            let page = self
                .elbv2
                .describe_target_groups()
                .set_target_group_arns(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| self.fail("elasticloadbalancing:DescribeTargetGroups", &e))?;
            groups.extend(page.target_groups().iter().map(group_from));
        }
        let reads = groups.iter().map(|g| async move {
            self.stats.count("elasticloadbalancing:DescribeTargetHealth");
            self.elbv2
                .describe_target_health()
                .target_group_arn(&g.arn)
                .send()
                .await
                .map_err(|e| self.fail("elasticloadbalancing:DescribeTargetHealth", &e))
        });
        let answers = futures::future::join_all(reads).await;
        for (group, answer) in groups.iter_mut().zip(answers) {
            group.targets = answer?.target_health_descriptions().iter().map(target_from).collect();
        }
        Ok(groups)
    }
}

fn group_from(g: &TargetGroup) -> TargetGroupHealth {
    let port = |p: Option<i32>| p.and_then(|p| u16::try_from(p).ok());
    let secs = |s: Option<i32>| s.and_then(|s| u32::try_from(s).ok());
    let matcher = g.matcher().and_then(|m| m.http_code().or(m.grpc_code())).map(str::to_string);
    TargetGroupHealth {
        arn: g.target_group_arn().unwrap_or_default().to_string(),
        name: g.target_group_name().unwrap_or_default().to_string(),
        protocol: g.protocol().map(|p| p.as_str().to_string()),
        port: port(g.port()),
        target_type: g.target_type().map(|t| t.as_str().to_string()),
        load_balancers: g.load_balancer_arns().to_vec(),
        health_check: HealthCheck {
            enabled: g.health_check_enabled().unwrap_or(true),
            protocol: g.health_check_protocol().map(|p| p.as_str().to_string()),
            path: g.health_check_path().map(str::to_string),
            port: g.health_check_port().map(str::to_string),
            interval_secs: secs(g.health_check_interval_seconds()),
            timeout_secs: secs(g.health_check_timeout_seconds()),
            healthy_threshold: secs(g.healthy_threshold_count()),
            unhealthy_threshold: secs(g.unhealthy_threshold_count()),
            matcher,
        },
        targets: Vec::new(),
    }
}

fn target_from(t: &TargetHealthDescription) -> TargetHealth {
    let health = t.target_health();
    TargetHealth {
        id: t.target().and_then(|t| t.id()).unwrap_or_default().to_string(),
        port: t.target().and_then(|t| t.port()).and_then(|p| u16::try_from(p).ok()),
        state: TargetState::parse(health.and_then(|h| h.state()).map_or("", |s| s.as_str())),
        reason: health.and_then(|h| h.reason()).map(|r| r.as_str().to_string()),
        description: health.and_then(|h| h.description()).map(str::to_string),
    }
}
