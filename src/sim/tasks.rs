//! ECS task and deployment life cycles for one service: the scheduler that keeps `desired` tasks
//! alive, tasks that go PROVISIONING -> PENDING -> RUNNING and sometimes die, deployments that
//! complete or trip the circuit breaker, and the service event messages ECS would write.

use super::catalog::{target_group_arn, ServiceSpec};
use super::rng::hex;
use crate::domain::{RolloutState, TaskHealth};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::sync::Arc;

/// Stopped tasks stay listed this long, as in ECS.
const STOPPED_VISIBLE_SECS: i64 = 3600;
const EVENT_CAP: usize = 100;
/// Chance per second that a healthy task dies in the calm background (~one per 3 h per task).
const CALM_FAIL_PER_SEC: f64 = 1.0 / (3.0 * 3600.0);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    Provisioning,
    Pending,
    Running,
    Deactivating,
    Stopping,
    Stopped,
}

impl Phase {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Phase::Provisioning => "PROVISIONING",
            Phase::Pending => "PENDING",
            Phase::Running => "RUNNING",
            Phase::Deactivating => "DEACTIVATING",
            Phase::Stopping => "STOPPING",
            Phase::Stopped => "STOPPED",
        }
    }
}

/// What a task will do once it runs: decided at launch so the story is reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Healthy,
    /// Serves 500s and fails the load balancer's health checks.
    FailElb,
    /// Crashes during startup.
    FailExit,
}

#[derive(Debug, Clone)]
pub(crate) struct SimTask {
    pub id: String,
    pub stream: Arc<str>,
    pub deployment: usize,
    pub revision: u32,
    pub phase: Phase,
    pub health: TaskHealth,
    pub fate: Fate,
    /// When the next phase or health change is due.
    pub next_at: i64,
    pub started_at: Option<i64>,
    pub stopped_at: Option<i64>,
    pub stopped_reason: Option<String>,
}

impl SimTask {
    pub(crate) fn is_live(&self) -> bool {
        self.phase <= Phase::Running && self.health != TaskHealth::Unhealthy
    }
    /// Receives traffic: healthy, or a bad revision still registered with the load balancer.
    pub(crate) fn is_serving(&self) -> bool {
        self.phase == Phase::Running
            && (self.health == TaskHealth::Healthy || self.fate == Fate::FailElb)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SimDeployment {
    pub id: String,
    pub primary: bool,
    /// Drained and gone from describe-services.
    pub retired: bool,
    pub revision: u32,
    pub desired: u32,
    pub failed: u32,
    pub rollout: RolloutState,
    pub created_at: i64,
    /// New tasks of this deployment never become healthy.
    pub bad: bool,
    pub attempts: u32,
    pub next_launch_at: i64,
}

/// What the log generator must react to.
#[derive(Debug, Clone)]
pub(crate) enum Note {
    Started { stream: Arc<str>, fate: Fate },
    Stopping { stream: Arc<str>, fate: Fate },
}

#[derive(Debug, Clone)]
pub(crate) struct ServiceState {
    pub spec: &'static ServiceSpec,
    pub tasks: Vec<SimTask>,
    pub deployments: Vec<SimDeployment>,
    /// Newest first, as ECS returns them.
    pub events: VecDeque<(i64, String)>,
    recovering: bool,
}

pub(crate) fn deployment_id(rng: &mut ChaCha8Rng) -> String {
    format!(
        "ecs-svc/{}",
        rng.random_range(1_000_000_000_000_000_000u64..10_000_000_000_000_000_000)
    )
}

impl ServiceState {
    pub(crate) fn new(spec: &'static ServiceSpec) -> Self {
        ServiceState {
            spec,
            tasks: Vec::new(),
            deployments: Vec::new(),
            events: VecDeque::new(),
            recovering: false,
        }
    }

    pub(crate) fn primary(&self) -> Option<&SimDeployment> {
        self.deployments.iter().rev().find(|d| d.primary)
    }

    pub(crate) fn event(&mut self, at: i64, message: String) {
        let message = format!("(service {}) {message}", self.spec.name);
        self.events.push_front((at, message));
        self.events.truncate(EVENT_CAP);
    }

    pub(crate) fn new_task(
        &self,
        rng: &mut ChaCha8Rng,
        deployment: usize,
        revision: u32,
        fate: Fate,
    ) -> SimTask {
        let id = hex(rng, 32);
        SimTask {
            stream: Arc::from(format!("ecs/{}/{id}", self.spec.container)),
            id,
            deployment,
            revision,
            phase: Phase::Provisioning,
            health: TaskHealth::Unknown,
            fate,
            next_at: 0,
            started_at: None,
            stopped_at: None,
            stopped_reason: None,
        }
    }

    /// Rolls out `revision` as a new PRIMARY deployment; the old one turns ACTIVE and keeps its
    /// tasks until the new one is healthy (minimum healthy percent 100).
    pub(crate) fn deploy(&mut self, t: i64, revision: u32, bad: bool, rng: &mut ChaCha8Rng) {
        let desired = self.primary().map_or(self.spec.desired, |d| d.desired);
        for d in &mut self.deployments {
            d.primary = false;
        }
        self.deployments.push(SimDeployment {
            id: deployment_id(rng),
            primary: true,
            retired: false,
            revision,
            desired,
            failed: 0,
            rollout: RolloutState::InProgress,
            created_at: t,
            bad,
            attempts: 0,
            next_launch_at: t + 1,
        });
        self.recovering = true;
    }

    /// Advances one second.
    pub(crate) fn step(&mut self, t: i64, rng: &mut ChaCha8Rng, notes: &mut Vec<Note>) {
        for i in 0..self.tasks.len() {
            self.step_task(i, t, rng, notes);
        }
        self.schedule(t, rng);
        self.settle(t);
        self.tasks
            .retain(|k| k.stopped_at.is_none_or(|s| s >= t - STOPPED_VISIBLE_SECS));
    }

    fn step_task(&mut self, i: usize, t: i64, rng: &mut ChaCha8Rng, notes: &mut Vec<Note>) {
        let task = &mut self.tasks[i];
        let due = t >= task.next_at;
        match task.phase {
            Phase::Provisioning if due => {
                task.phase = Phase::Pending;
                task.next_at = t + rng.random_range(6..=14);
            }
            Phase::Pending if due => {
                task.phase = Phase::Running;
                task.started_at = Some(t);
                task.next_at = t + match task.fate {
                    Fate::Healthy => rng.random_range(15..=35),
                    Fate::FailElb => rng.random_range(30..=50),
                    Fate::FailExit => rng.random_range(4..=9),
                };
                let note = Note::Started {
                    stream: task.stream.clone(),
                    fate: task.fate,
                };
                notes.push(note);
                if self.spec.target_group.is_some() && self.tasks[i].fate != Fate::FailExit {
                    self.event(
                        t,
                        "registered 1 targets in (target-group ".to_string() + &self.tg_arn() + ")",
                    );
                }
            }
            Phase::Running if task.health == TaskHealth::Unknown && due => match task.fate {
                Fate::Healthy => task.health = TaskHealth::Healthy,
                Fate::FailElb => {
                    let reason = match self.spec.target_group {
                        Some(_) => format!(
                            "Task failed ELB health checks in (target-group {})",
                            self.tg_arn()
                        ),
                        None => "Task failed container health checks".to_string(),
                    };
                    self.event(t, format!(
                        "(port {}) is unhealthy in (target-group {}) due to (reason Health checks failed with these codes: [503]).",
                        self.spec.port, self.tg_arn()));
                    self.begin_stop(i, t, reason, true, rng, notes);
                }
                Fate::FailExit => {
                    let reason = "Essential container in task exited".to_string();
                    self.begin_stop(i, t, reason, true, rng, notes);
                }
            },
            Phase::Running
                if task.health == TaskHealth::Healthy && rng.random_bool(CALM_FAIL_PER_SEC) =>
            {
                let reason = self.calm_reason(rng);
                self.begin_stop(i, t, reason, false, rng, notes);
            }
            Phase::Deactivating if due => {
                task.phase = Phase::Stopping;
                task.next_at = t + rng.random_range(2..=5);
            }
            Phase::Stopping if due => {
                task.phase = Phase::Stopped;
                task.stopped_at = Some(t);
            }
            _ => {}
        }
    }

    fn tg_arn(&self) -> String {
        self.spec
            .target_group
            .map(target_group_arn)
            .unwrap_or_default()
    }

    fn calm_reason(&self, rng: &mut ChaCha8Rng) -> String {
        match rng.random_range(0..4) {
            0 => "Task failed container health checks".to_string(),
            1 if self.spec.target_group.is_some() => {
                format!(
                    "Task failed ELB health checks in (target-group {})",
                    self.tg_arn()
                )
            }
            2 => "OutOfMemoryError: Container killed due to memory usage".to_string(),
            _ => "Essential container in task exited".to_string(),
        }
    }

    /// Starts stopping task `i`; counts a deployment failure when `failed`.
    pub(crate) fn begin_stop(
        &mut self,
        i: usize,
        t: i64,
        reason: String,
        failed: bool,
        rng: &mut ChaCha8Rng,
        notes: &mut Vec<Note>,
    ) {
        let has_tg = self.spec.target_group.is_some();
        let task = &mut self.tasks[i];
        task.health = TaskHealth::Unhealthy;
        task.phase = if has_tg {
            Phase::Deactivating
        } else {
            Phase::Stopping
        };
        task.next_at = t + rng.random_range(3..=8);
        task.stopped_reason = Some(reason);
        notes.push(Note::Stopping {
            stream: task.stream.clone(),
            fate: task.fate,
        });
        let (id, dep) = (task.id.clone(), task.deployment);
        if let Some(d) = self.deployments.get_mut(dep) {
            d.failed += u32::from(failed);
            d.next_launch_at = t + rng.random_range(8..=20);
        }
        self.recovering = true;
        if has_tg {
            self.event(
                t,
                format!("deregistered 1 targets in (target-group {})", self.tg_arn()),
            );
        }
        self.event(t, format!("has stopped 1 running tasks: (task {id})."));
    }

    /// The scheduler: tops every deployment that still launches back up to its desired count.
    fn schedule(&mut self, t: i64, rng: &mut ChaCha8Rng) {
        for d in 0..self.deployments.len() {
            let dep = &self.deployments[d];
            if dep.retired || dep.rollout == RolloutState::Failed || t < dep.next_launch_at {
                continue;
            }
            let live = self
                .tasks
                .iter()
                .filter(|k| k.deployment == d && k.is_live())
                .count();
            let missing = (dep.desired as usize).saturating_sub(live);
            if missing == 0 {
                continue;
            }
            let mut ids = Vec::with_capacity(missing);
            for _ in 0..missing {
                let dep = &mut self.deployments[d];
                let fate = match dep.bad {
                    false => Fate::Healthy,
                    true if dep.attempts < 2 || rng.random_bool(0.6) => Fate::FailElb,
                    true => Fate::FailExit,
                };
                dep.attempts += 1;
                let revision = dep.revision;
                let mut task = self.new_task(rng, d, revision, fate);
                task.next_at = t + rng.random_range(3..=7);
                ids.push(format!("(task {})", task.id));
                self.tasks.push(task);
            }
            self.event(
                t,
                format!("has started {missing} tasks: {}.", ids.join(" ")),
            );
        }
    }

    /// Circuit breaker, deployment completion and the "steady state" message.
    fn settle(&mut self, t: i64) {
        let Some(p) = self.deployments.iter().rposition(|d| d.primary) else {
            return;
        };
        let dep = &self.deployments[p];
        // ECS: failures >= 0.5 x desired, clamped to 3..=200.
        let threshold = (dep.desired.div_ceil(2)).clamp(3, 200);
        if dep.rollout == RolloutState::InProgress && dep.failed >= threshold {
            let id = dep.id.clone();
            self.deployments[p].rollout = RolloutState::Failed;
            self.event(
                t,
                format!("(deployment {id}) deployment failed: tasks failed to start."),
            );
        }
        let dep = &self.deployments[p];
        if dep.rollout == RolloutState::InProgress && healthy(&self.tasks, p) >= dep.desired {
            let id = dep.id.clone();
            self.deployments[p].rollout = RolloutState::Completed;
            for d in 0..self.deployments.len() {
                if d != p && !self.deployments[d].retired {
                    self.deployments[d].retired = true;
                    for k in self
                        .tasks
                        .iter_mut()
                        .filter(|k| k.deployment == d && k.is_live())
                    {
                        k.phase = Phase::Stopping;
                        k.next_at = t + 5;
                        k.stopped_reason =
                            Some(format!("Scaling activity initiated by (deployment {id})"));
                    }
                }
            }
            self.event(t, format!("(deployment {id}) deployment completed."));
        }
        let steady = self
            .deployments
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.retired && d.rollout != RolloutState::Failed)
            .all(|(i, d)| healthy(&self.tasks, i) >= d.desired);
        let busy = self.tasks.iter().any(|k| {
            (k.phase > Phase::Running && k.phase < Phase::Stopped)
                || (k.is_live() && k.health != TaskHealth::Healthy)
        });
        if self.recovering && steady && !busy {
            self.recovering = false;
            self.event(t, "has reached a steady state.".to_string());
        }
    }
}

fn healthy(tasks: &[SimTask], deployment: usize) -> u32 {
    tasks
        .iter()
        .filter(|k| k.deployment == deployment && k.is_live() && k.health == TaskHealth::Healthy)
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::catalog::SERVICES;
    use crate::sim::rng::{rng_for, Stream};

    fn run(state: &mut ServiceState, from: i64, to: i64, rng: &mut ChaCha8Rng) -> Vec<Note> {
        let mut notes = Vec::new();
        for t in from..to {
            state.step(t, rng, &mut notes);
        }
        notes
    }

    #[test]
    fn scheduler_brings_a_good_deployment_to_steady_state() {
        let mut rng = rng_for(3, Stream::Tasks);
        let mut s = ServiceState::new(&SERVICES[1]);
        s.deploy(0, 9, false, &mut rng);
        run(&mut s, 0, 120, &mut rng);
        assert_eq!(
            s.primary().map(|d| d.rollout),
            Some(RolloutState::Completed)
        );
        assert!(s
            .events
            .iter()
            .any(|(_, m)| m.ends_with("has reached a steady state.")));
        assert_eq!(s.tasks.iter().filter(|k| k.is_serving()).count(), 2);
    }

    #[test]
    fn bad_deployment_trips_the_circuit_breaker() {
        let mut rng = rng_for(4, Stream::Tasks);
        let mut s = ServiceState::new(&SERVICES[0]);
        s.deploy(0, 14, false, &mut rng);
        run(&mut s, 0, 100, &mut rng);
        s.deploy(100, 15, true, &mut rng);
        let notes = run(&mut s, 100, 280, &mut rng);
        assert_eq!(s.primary().map(|d| d.rollout), Some(RolloutState::Failed));
        assert!(notes.iter().any(|n| matches!(
            n,
            Note::Stopping {
                fate: Fate::FailElb,
                ..
            }
        )));
        // The old deployment keeps serving.
        assert_eq!(
            s.tasks
                .iter()
                .filter(|k| k.revision == 14 && k.is_serving())
                .count(),
            2
        );
    }
}
