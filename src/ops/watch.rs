//! Watching a change to its end. Pure: each fresh read of the resource goes through
//! [`Watch::observe`], which says how far the change has come. The console and `--wait` share it.

use crate::domain::{Address, RolloutState, ServiceSnapshot, Snapshot, TaskDefRef};
use crate::sanitize::inert;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Service events kept per watch (newest last).
const EVENTS_KEPT: usize = 20;

/// What "done" means for one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Expect {
    /// A new primary deployment (not `previous_primary`) of `task_def` reaching COMPLETED (or FAILED).
    Rollout { previous_primary: Option<String>, task_def: TaskDefRef },
    /// The service wanting and running `count` tasks, none pending.
    EcsCount { count: u32 },
    /// The endpoint InService, with the variant at `count` instances where given.
    Endpoint { variant: Option<String>, count: Option<u32> },
    /// The service steady: its primary deployment COMPLETED and running = desired (`opsdeck wait`).
    EcsSteady,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum WatchState {
    Running,
    Settled,
    Failed(String),
    TimedOut,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Watch {
    /// The audit id of the action being watched (empty for a plain `wait`).
    pub id: String,
    pub address: Address,
    /// e.g. "rollback ecs:c/s -> api:14".
    pub label: String,
    pub expect: Expect,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub state: WatchState,
    /// One line: where the change is now.
    pub progress: String,
    /// New service events since the watch began, oldest first (inert).
    pub events: Vec<String>,
    #[serde(skip)]
    last_event_at: Option<DateTime<Utc>>,
}

impl Watch {
    pub fn new(id: String, address: Address, label: String, expect: Expect, now: DateTime<Utc>) -> Watch {
        Watch {
            id,
            address,
            label,
            expect,
            started_at: now,
            updated_at: now,
            state: WatchState::Running,
            progress: "waiting for the first read".into(),
            events: Vec::new(),
            // Events from a few seconds before the action belong to it (clock skew, ECS latency).
            last_event_at: Some(now - chrono::Duration::seconds(5)),
        }
    }

    pub fn is_done(&self) -> bool {
        self.state != WatchState::Running
    }

    /// Give up after `limit`; the change may still finish, the watch no longer says so.
    pub fn check_timeout(&mut self, now: DateTime<Utc>, limit: chrono::Duration) {
        if !self.is_done() && now - self.started_at >= limit {
            self.state = WatchState::TimedOut;
            self.updated_at = now;
        }
    }

    /// Take one fresh read into account.
    pub fn observe(&mut self, snapshot: &Snapshot, now: DateTime<Utc>) {
        if self.is_done() {
            return;
        }
        self.updated_at = now;
        match (snapshot, &self.expect) {
            (Snapshot::Service(s), _) => {
                self.take_events(s);
                let (state, progress) = assess_service(s, &self.expect);
                self.state = state;
                self.progress = progress;
            }
            (Snapshot::Endpoint(e), Expect::Endpoint { variant, count }) => {
                let v = variant.as_ref().and_then(|name| e.endpoint.variants.iter().find(|v| &v.name == name));
                let instances =
                    v.map(|v| format!("; {} {}/{} instances", v.name, v.current_instances, v.desired_instances));
                self.progress = format!("endpoint {}{}", e.endpoint.status, instances.unwrap_or_default());
                let at_count = match (v, count) {
                    (Some(v), Some(n)) => v.current_instances == *n && v.desired_instances == *n,
                    _ => true,
                };
                self.state = match e.endpoint.status.as_str() {
                    "Failed" => WatchState::Failed(
                        e.failure_reason
                            .as_deref()
                            .map_or("endpoint Failed".into(), |r| format!("endpoint Failed: {}", inert(r))),
                    ),
                    "InService" if at_count => WatchState::Settled,
                    _ => WatchState::Running,
                };
            }
            (Snapshot::Endpoint(_), _) => {
                self.state = WatchState::Failed("expected an ECS service, read an endpoint".into());
            }
            (other, _) => {
                self.state = WatchState::Failed(format!("nothing to watch on {}", other.address()));
            }
        }
    }

    fn take_events(&mut self, s: &ServiceSnapshot) {
        let since = self.last_event_at;
        let mut new: Vec<_> = s.events.iter().filter(|e| since.is_none_or(|t| e.at > t)).collect();
        new.sort_by_key(|e| e.at);
        if let Some(last) = new.last() {
            self.last_event_at = Some(last.at);
        }
        for e in new {
            self.events.push(format!("{} {}", e.at.format("%H:%M:%S"), inert(&e.message)));
        }
        let excess = self.events.len().saturating_sub(EVENTS_KEPT);
        self.events.drain(..excess);
    }
}

fn assess_service(s: &ServiceSnapshot, expect: &Expect) -> (WatchState, String) {
    let svc = &s.service;
    let primary = svc.deployments.iter().find(|d| d.status == "PRIMARY");
    let stage = s
        .deployment
        .as_ref()
        .map(|d| {
            let stage = d.lifecycle_stage.as_deref().map(|l| format!(", stage {}", inert(l))).unwrap_or_default();
            format!("; service deployment {}{stage}", inert(&d.status))
        })
        .unwrap_or_default();
    let counts = |desired: u32, running: u32, pending: u32, failed: u32| {
        format!("{running}/{desired} running, {pending} pending, {failed} failed")
    };
    match expect {
        Expect::Rollout { previous_primary, task_def } => {
            // Native roll back reports its own end state.
            if let Some(d) = &s.deployment {
                match d.status.as_str() {
                    "ROLLBACK_FAILED" => {
                        let why = d.status_reason.as_deref().map(inert).unwrap_or_default();
                        return (WatchState::Failed(format!("ECS roll back failed {why}").trim_end().into()), stage);
                    }
                    "ROLLBACK_SUCCESSFUL" => return (WatchState::Settled, format!("rolled back to {task_def}{stage}")),
                    _ => {}
                }
            }
            let Some(p) =
                primary.filter(|p| Some(&p.id) != previous_primary.as_ref() && p.task_definition == *task_def)
            else {
                return (WatchState::Running, format!("waiting for ECS to start a deployment of {task_def}{stage}"));
            };
            let progress = format!(
                "{}: {} ({}){stage}",
                p.task_definition,
                counts(p.desired, p.running, p.pending, p.failed),
                p.rollout.as_str()
            );
            match p.rollout {
                RolloutState::Completed => (WatchState::Settled, progress),
                RolloutState::Failed => {
                    let why =
                        s.events.iter().find(|e| e.message.contains("fail")).map(|e| inert(&e.message).into_owned());
                    (WatchState::Failed(why.unwrap_or_else(|| "deployment FAILED".into())), progress)
                }
                // Without rollout data (older APIs, emulators) running = desired is the end.
                RolloutState::Unknown if p.running == p.desired && p.pending == 0 => (WatchState::Settled, progress),
                _ => (WatchState::Running, progress),
            }
        }
        Expect::EcsCount { count } => {
            let progress =
                format!("{}{stage}", counts(svc.desired, svc.running, svc.pending, primary.map_or(0, |p| p.failed)));
            if svc.desired != *count {
                let why = format!("desired count is now {} (autoscaling or someone else changed it)", svc.desired);
                return (WatchState::Failed(why), progress);
            }
            if svc.running == *count && svc.pending == 0 {
                (WatchState::Settled, progress)
            } else {
                (WatchState::Running, progress)
            }
        }
        Expect::EcsSteady => {
            let progress =
                format!("{}{stage}", counts(svc.desired, svc.running, svc.pending, primary.map_or(0, |p| p.failed)));
            match svc.rollout {
                RolloutState::Failed => (WatchState::Failed("the newest deployment FAILED".into()), progress),
                RolloutState::Completed | RolloutState::Unknown
                    if svc.running == svc.desired && svc.pending == 0 && svc.deployments.len() <= 1 =>
                {
                    (WatchState::Settled, progress)
                }
                _ => (WatchState::Running, progress),
            }
        }
        Expect::Endpoint { .. } => {
            (WatchState::Failed("expected an endpoint, read an ECS service".into()), String::new())
        }
    }
}
