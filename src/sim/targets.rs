//! The load balancer's view of the services behind it: each task a target that registers when it
//! starts, stays `initial` while the first health checks run, turns `healthy` (or, for a revision
//! that answers 503 on /health, `unhealthy` with `Target.ResponseCodeMismatch`), and drains when
//! it is deregistered. Read from the tasks' own life cycle, so it tells the same story as the
//! service's events.

use super::catalog::{load_balancer_arn, target_group_arn, SERVICES};
use super::tasks::{Fate, Phase, ServiceState, SimTask};
use crate::domain::{HealthCheck, TargetGroupHealth, TargetHealth, TargetState, TaskHealth};

/// Seconds after registration during which a target is still `Elb.RegistrationInProgress`.
const REGISTERING_SECS: i64 = 5;
/// Seconds a deregistered target that failed its checks shows `unhealthy` before it drains.
const UNHEALTHY_SHOWN_SECS: i64 = 10;

/// The seed stacks' health check: every service answers on /health.
fn health_check() -> HealthCheck {
    HealthCheck {
        enabled: true,
        protocol: Some("HTTP".into()),
        path: Some("/health".into()),
        port: Some("traffic-port".into()),
        interval_secs: Some(10),
        timeout_secs: Some(5),
        healthy_threshold: Some(3),
        unhealthy_threshold: Some(2),
        matcher: Some("200".into()),
    }
}

fn failed_checks(task: &SimTask) -> bool {
    task.fate == Fate::FailElb || task.stopped_reason.as_deref().is_some_and(|r| r.contains("ELB health checks"))
}

/// The task as a target at second `t`: None while it is not registered.
fn target_of(task: &SimTask, port: u16, t: i64) -> Option<TargetHealth> {
    let (state, reason, description) = match (task.phase, task.health) {
        // A task that crashes on start never registers.
        (Phase::Running, _) if task.fate == Fate::FailExit => return None,
        (Phase::Running, TaskHealth::Unknown) => {
            if task.started_at.is_some_and(|s| t - s < REGISTERING_SECS) {
                (TargetState::Initial, "Elb.RegistrationInProgress", "Target registration is in progress")
            } else {
                (TargetState::Initial, "Elb.InitialHealthChecking", "Initial health checks in progress")
            }
        }
        (Phase::Running, _) => return Some(target(task, port, TargetState::Healthy, None)),
        (Phase::Deactivating, _) => {
            let since = task.deregistered_at.map_or(0, |d| t - d);
            match failed_checks(task) {
                true if since < UNHEALTHY_SHOWN_SECS => (
                    TargetState::Unhealthy,
                    "Target.ResponseCodeMismatch",
                    "Health checks failed with these codes: [503]",
                ),
                true => (
                    TargetState::UnhealthyDraining,
                    "Target.DeregistrationInProgress",
                    "Target deregistration is in progress",
                ),
                false => {
                    (TargetState::Draining, "Target.DeregistrationInProgress", "Target deregistration is in progress")
                }
            }
        }
        _ => return None,
    };
    Some(target(task, port, state, Some((reason, description))))
}

fn target(task: &SimTask, port: u16, state: TargetState, why: Option<(&str, &str)>) -> TargetHealth {
    TargetHealth {
        id: task.ip(),
        port: Some(port),
        state,
        reason: why.map(|(r, _)| r.to_string()),
        description: why.map(|(_, d)| d.to_string()),
    }
}

/// The target groups named (by ARN) that belong to the simulated services; others are unknown.
pub(crate) fn target_groups(services: &[ServiceState], arns: &[String], t: i64) -> Vec<TargetGroupHealth> {
    SERVICES
        .iter()
        .zip(services)
        .filter_map(|(spec, state)| {
            let tg = spec.target_group?;
            let arn = target_group_arn(tg);
            if !arns.contains(&arn) {
                return None;
            }
            let mut targets: Vec<TargetHealth> =
                state.tasks.iter().filter_map(|task| target_of(task, spec.port, t)).collect();
            targets.sort_by(|a, b| a.state.cmp(&b.state).then(a.id.cmp(&b.id)));
            Some(TargetGroupHealth {
                name: tg.split('/').next().unwrap_or(tg).to_string(),
                arn,
                protocol: Some("HTTP".into()),
                port: Some(spec.port),
                target_type: Some("ip".into()),
                load_balancers: vec![load_balancer_arn(spec.system)],
                health_check: health_check(),
                targets,
            })
        })
        .collect()
}
