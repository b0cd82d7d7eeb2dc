//! ECS task life cycles for one service: tasks that go PROVISIONING -> PENDING -> RUNNING,
//! become healthy or fail, get stopped, and the service event messages ECS writes about them.

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
/// How long a deregistered target drains before its task stops.
const DRAINING_SECS: std::ops::RangeInclusive<i64> = 20..=30;
/// Chance per second that a healthy task dies in the calm background (~one per 3 h per task);
/// never while the service is still recovering, so calm never takes a whole service down.
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
    /// When the load balancer began deregistering it (its draining starts).
    pub deregistered_at: Option<i64>,
}

impl SimTask {
    /// The task's private IP in the service's subnets: derived from its id, so it is the same on
    /// every read and the load balancer's IP targets can be told to be this task.
    pub(crate) fn ip(&self) -> String {
        let byte = |i: usize| u8::from_str_radix(self.id.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        format!("10.0.{}.{}", 1 + byte(0) % 3, 4 + byte(2) % 250)
    }

    pub(crate) fn is_live(&self) -> bool {
        self.phase <= Phase::Running && self.health != TaskHealth::Unhealthy
    }
    /// Receives traffic: healthy, or a bad revision still registered with the load balancer.
    pub(crate) fn is_serving(&self) -> bool {
        self.phase == Phase::Running && (self.health == TaskHealth::Healthy || self.fate == Fate::FailElb)
    }
}

/// What the log generator must react to.
#[derive(Debug, Clone)]
pub(crate) enum Note {
    Started { stream: Arc<str>, fate: Fate },
    Stopping { stream: Arc<str>, fate: Fate },
}

/// One ECS deployment of a service (its rollout is played out in `deploy`).
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

#[derive(Debug, Clone)]
pub(crate) struct ServiceState {
    pub spec: &'static ServiceSpec,
    pub tasks: Vec<SimTask>,
    pub deployments: Vec<SimDeployment>,
    /// Newest first, as ECS returns them.
    pub events: VecDeque<(i64, String)>,
    pub recovering: bool,
}

impl ServiceState {
    pub(crate) fn new(spec: &'static ServiceSpec) -> Self {
        ServiceState { spec, tasks: Vec::new(), deployments: Vec::new(), events: VecDeque::new(), recovering: false }
    }

    pub(crate) fn primary(&self) -> Option<&SimDeployment> {
        self.deployments.iter().rev().find(|d| d.primary)
    }

    pub(crate) fn event(&mut self, at: i64, message: String) {
        let message = format!("(service {}) {message}", self.spec.name);
        self.events.push_front((at, message));
        self.events.truncate(EVENT_CAP);
    }

    pub(crate) fn new_task(&self, rng: &mut ChaCha8Rng, deployment: usize, revision: u32, fate: Fate) -> SimTask {
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
            deregistered_at: None,
        }
    }

    /// Advances one second.
    pub(crate) fn step(&mut self, t: i64, rng: &mut ChaCha8Rng, notes: &mut Vec<Note>) {
        for i in 0..self.tasks.len() {
            self.step_task(i, t, rng, notes);
        }
        self.schedule(t, rng);
        self.settle(t);
        self.tasks.retain(|k| k.stopped_at.is_none_or(|s| s >= t - STOPPED_VISIBLE_SECS));
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
                let note = Note::Started { stream: task.stream.clone(), fate: task.fate };
                notes.push(note);
                if self.spec.target_group.is_some() && self.tasks[i].fate != Fate::FailExit {
                    self.event(t, "registered 1 targets in (target-group ".to_string() + &self.tg_arn() + ")");
                }
            }
            Phase::Running if task.health == TaskHealth::Unknown && due => match task.fate {
                Fate::Healthy => task.health = TaskHealth::Healthy,
                Fate::FailElb => {
                    let reason = match self.spec.target_group {
                        Some(_) => format!("Task failed ELB health checks in (target-group {})", self.tg_arn()),
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
                if task.health == TaskHealth::Healthy && !self.recovering && rng.random_bool(CALM_FAIL_PER_SEC) =>
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
        self.spec.target_group.map(target_group_arn).unwrap_or_default()
    }

    fn calm_reason(&self, rng: &mut ChaCha8Rng) -> String {
        match rng.random_range(0..4) {
            0 => "Task failed container health checks".to_string(),
            1 if self.spec.target_group.is_some() => {
                format!("Task failed ELB health checks in (target-group {})", self.tg_arn())
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
        task.phase = if has_tg { Phase::Deactivating } else { Phase::Stopping };
        // Behind a load balancer the task stays DEACTIVATING while its target drains (a
        // deregistration delay, shortened from ALB's 300 s default so the story plays in a minute).
        task.next_at = t + if has_tg { rng.random_range(DRAINING_SECS) } else { rng.random_range(3..=8) };
        if has_tg {
            task.deregistered_at = Some(t);
        }
        task.stopped_reason = Some(reason);
        notes.push(Note::Stopping { stream: task.stream.clone(), fate: task.fate });
        let (id, dep) = (task.id.clone(), task.deployment);
        if let Some(d) = self.deployments.get_mut(dep) {
            d.failed += u32::from(failed);
            d.next_launch_at = t + rng.random_range(8..=20);
        }
        self.recovering = true;
        if has_tg {
            self.event(t, format!("deregistered 1 targets in (target-group {})", self.tg_arn()));
        }
        self.event(t, format!("has stopped 1 running tasks: (task {id})."));
    }
}
