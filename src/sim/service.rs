//! An ECS service's history before the simulation starts, and its conversion to domain types.

use super::catalog::ServiceSpec;
use super::deploy::deployment_id;
use super::tasks::{Fate, Phase, ServiceState, SimDeployment};
use crate::domain::{Deployment, RolloutState, Service, ServiceEvent, Task, TaskDefRef, TaskHealth};
use chrono::{DateTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

fn time(ts: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default()
}

/// A service that has been steady for days: one completed deployment, `desired` healthy tasks,
/// and the events ECS would have logged. With `replaced`, one task was replaced that many
/// seconds before `base` (so the stopped task is still listed).
pub(crate) fn seeded(
    spec: &'static ServiceSpec,
    base: i64,
    replaced: Option<i64>,
    rng: &mut ChaCha8Rng,
) -> ServiceState {
    let mut s = ServiceState::new(spec);
    let created = base - rng.random_range(2 * 86_400..20 * 86_400);
    s.deployments.push(SimDeployment {
        id: deployment_id(rng),
        primary: true,
        retired: false,
        revision: spec.revision,
        desired: spec.desired,
        failed: 0,
        rollout: RolloutState::Completed,
        created_at: created,
        bad: false,
        attempts: spec.desired,
        next_launch_at: created,
    });
    let mut events: Vec<(i64, String)> = Vec::new();
    let dep_id = s.deployments[0].id.clone();
    events.push((created + 240, format!("(deployment {dep_id}) deployment completed.")));
    for k in 0..spec.desired {
        let mut task = s.new_task(rng, 0, spec.revision, Fate::Healthy);
        task.phase = Phase::Running;
        task.health = TaskHealth::Healthy;
        task.started_at = Some(created + 30 + i64::from(k) * 7);
        task.next_at = i64::MAX;
        s.tasks.push(task);
    }
    if let Some(ago) = replaced {
        let stop = base - ago;
        let mut old = s.tasks[0].clone();
        let mut new = s.new_task(rng, 0, spec.revision, Fate::Healthy);
        new.phase = Phase::Running;
        new.health = TaskHealth::Healthy;
        new.started_at = Some(stop + rng.random_range(15..40));
        new.next_at = i64::MAX;
        old.phase = Phase::Stopped;
        old.health = TaskHealth::Unhealthy;
        old.stopped_at = Some(stop);
        old.stopped_reason = Some("Task failed container health checks".to_string());
        events.push((stop - 6, format!("has stopped 1 running tasks: (task {}).", old.id)));
        events.push((stop + 4, format!("has started 1 tasks: (task {}).", new.id)));
        events.push((stop + 70, "has reached a steady state.".to_string()));
        s.tasks[0] = new;
        s.tasks.push(old);
    }
    // ECS repeats the steady-state message roughly every six hours.
    let mut t = base - rng.random_range(600..21_600);
    while t > created + 300 && t > base - 86_400 {
        events.push((t, "has reached a steady state.".to_string()));
        t -= 21_600 + rng.random_range(0..600);
    }
    events.sort_by_key(|(at, _)| *at);
    for (at, message) in events {
        s.event(at, message);
    }
    s
}

fn task_def(spec: &ServiceSpec, revision: u32) -> TaskDefRef {
    TaskDefRef { family: spec.family.to_string(), revision }
}

pub(crate) fn to_service(s: &ServiceState) -> Service {
    let spec = s.spec;
    let count = |dep: Option<usize>, pred: &dyn Fn(Phase) -> bool| {
        s.tasks.iter().filter(|k| dep.is_none_or(|d| k.deployment == d) && pred(k.phase)).count() as u32
    };
    let running = |p: Phase| p == Phase::Running;
    let pending = |p: Phase| p < Phase::Running;
    let mut order: Vec<usize> = (0..s.deployments.len()).filter(|&i| !s.deployments[i].retired).collect();
    order.sort_by_key(|&i| (!s.deployments[i].primary, std::cmp::Reverse(i)));
    let deployments: Vec<Deployment> = order
        .iter()
        .map(|&i| {
            let d = &s.deployments[i];
            Deployment {
                id: d.id.clone(),
                status: if d.primary { "PRIMARY" } else { "ACTIVE" }.to_string(),
                task_definition: task_def(spec, d.revision),
                desired: d.desired,
                running: count(Some(i), &running),
                pending: count(Some(i), &pending),
                failed: d.failed,
                rollout: d.rollout,
                created_at: time(d.created_at),
            }
        })
        .collect();
    let primary = s.primary();
    Service {
        cluster: spec.cluster.to_string(),
        name: spec.name.to_string(),
        system: Some(spec.system.to_string()),
        desired: primary.map_or(spec.desired, |d| d.desired),
        running: count(None, &running),
        pending: count(None, &pending),
        rollout: primary.map_or(RolloutState::Unknown, |d| d.rollout),
        task_definition: task_def(spec, primary.map_or(spec.revision, |d| d.revision)),
        deployments,
        last_deployment_at: primary.map(|d| time(d.created_at)),
        log_group: Some(spec.log_group.to_string()),
        target_groups: spec.target_group.map(super::catalog::target_group_arn).into_iter().collect(),
    }
}

/// Live tasks first (oldest first), then stopped ones, most recently stopped first.
pub(crate) fn to_tasks(s: &ServiceState) -> Vec<Task> {
    let mut tasks: Vec<&super::tasks::SimTask> = s.tasks.iter().collect();
    tasks.sort_by_key(|k| match k.stopped_at {
        None => (0, k.started_at.unwrap_or(i64::MAX)),
        Some(at) => (1, -at),
    });
    tasks
        .into_iter()
        .map(|k| Task {
            id: k.id.clone(),
            task_definition: task_def(s.spec, k.revision),
            last_status: k.phase.as_str().to_string(),
            desired_status: if k.phase <= Phase::Running && k.stopped_reason.is_none() { "RUNNING" } else { "STOPPED" }
                .to_string(),
            health: k.health,
            started_at: k.started_at.map(time),
            stopped_at: k.stopped_at.map(time),
            stopped_reason: k.stopped_reason.clone(),
            // Tasks get their ENI (and IP) once they leave PROVISIONING.
            ip: (k.phase > Phase::Provisioning).then(|| k.ip()),
        })
        .collect()
}

pub(crate) fn to_events(s: &ServiceState) -> Vec<ServiceEvent> {
    s.events.iter().map(|(at, message)| ServiceEvent { at: time(*at), message: message.clone() }).collect()
}
