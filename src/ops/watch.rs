//! Watching a change to its end. Pure: each fresh read of a resource goes through
//! [`Watch::observe_read`], which says how far the change has come. A watch follows one resource
//! or several (an environment) and is done when every one is. The console and `--wait` share it.

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
    /// The resource gone (an endpoint deleted by a teardown).
    Absent,
    /// A function's reserved concurrency read back as set (None: no limit).
    Concurrency { reserved: Option<u32> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum WatchState {
    Running,
    Settled,
    Failed(String),
    TimedOut,
}

/// One resource a watch follows, and where it has got to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchTarget {
    /// What `expect` is about (a variant address for a variant's instance count).
    pub address: Address,
    pub expect: Expect,
    pub state: WatchState,
    /// One line: where this resource is now.
    pub progress: String,
    #[serde(skip)]
    last_event_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Watch {
    /// The audit id of the action being watched (empty for a plain `wait`).
    pub id: String,
    /// e.g. "rollback ecs:c/s -> api:14".
    pub label: String,
    pub targets: Vec<WatchTarget>,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// All settled, any failed, or timed out.
    pub state: WatchState,
    /// One line: where the change is now.
    pub progress: String,
    /// New service events since the watch began, oldest first (inert).
    pub events: Vec<String>,
}

impl Watch {
    /// A watch of one resource.
    pub fn new(id: String, address: Address, label: String, expect: Expect, now: DateTime<Utc>) -> Watch {
        Watch::many(id, label, vec![(address, expect)], now)
    }

    /// A watch of several resources (an environment): done when every one is.
    pub fn many(id: String, label: String, targets: Vec<(Address, Expect)>, now: DateTime<Utc>) -> Watch {
        let targets = targets
            .into_iter()
            .map(|(address, expect)| WatchTarget {
                address,
                expect,
                state: WatchState::Running,
                progress: "waiting for the first read".into(),
                // Events from a few seconds before the action belong to it (clock skew, ECS latency).
                last_event_at: Some(now - chrono::Duration::seconds(5)),
            })
            .collect();
        let mut watch = Watch {
            id,
            label,
            targets,
            started_at: now,
            updated_at: now,
            state: WatchState::Running,
            progress: "waiting for the first read".into(),
            events: Vec::new(),
        };
        watch.summarise();
        watch
    }

    pub fn is_done(&self) -> bool {
        self.state != WatchState::Running
    }

    /// The resources still to read (an endpoint once for all its variants), in target order.
    pub fn pending_reads(&self) -> Vec<Address> {
        let mut out: Vec<Address> = Vec::new();
        for t in self.targets.iter().filter(|t| t.state == WatchState::Running) {
            let resource = t.address.resource();
            if !out.contains(&resource) {
                out.push(resource);
            }
        }
        out
    }

    /// Give up after `limit`; the change may still finish, the watch no longer says so.
    pub fn check_timeout(&mut self, now: DateTime<Utc>, limit: chrono::Duration) {
        if !self.is_done() && now - self.started_at >= limit {
            self.state = WatchState::TimedOut;
            self.updated_at = now;
        }
    }

    /// Take one fresh read of a resource into account.
    pub fn observe(&mut self, snapshot: &Snapshot, now: DateTime<Utc>) {
        self.observe_read(&snapshot.address(), Some(snapshot), now);
    }

    /// A fresh read of `address`: None when the resource does not exist (any more).
    pub fn observe_read(&mut self, address: &Address, snapshot: Option<&Snapshot>, now: DateTime<Utc>) {
        if self.is_done() {
            return;
        }
        self.updated_at = now;
        let resource = address.resource();
        let mut new_events = Vec::new();
        for target in self.targets.iter_mut().filter(|t| t.address.resource() == resource && !t.is_done()) {
            if let Some(Snapshot::Service(s)) = snapshot {
                new_events.extend(target.take_events(s));
            }
            let (state, progress) = assess(snapshot, &target.expect);
            target.state = state;
            target.progress = progress;
        }
        // Each target takes only the events newer than it has seen, and one service is one target:
        // nothing arrives twice.
        self.events.extend(new_events);
        let excess = self.events.len().saturating_sub(EVENTS_KEPT);
        self.events.drain(..excess);
        self.summarise();
    }

    /// A read that failed: the watch goes on, saying so.
    pub fn read_failed(&mut self, address: &Address, why: &str) {
        let resource = address.resource();
        for t in self.targets.iter_mut().filter(|t| t.address.resource() == resource && !t.is_done()) {
            t.progress = format!("read failed ({}); trying again", inert(why));
        }
        self.summarise();
    }

    /// The overall state and line from the targets'.
    fn summarise(&mut self) {
        if self.state == WatchState::TimedOut {
            return;
        }
        let many = self.targets.len() > 1;
        let failed = self.targets.iter().find_map(|t| match &t.state {
            WatchState::Failed(why) if many => Some(format!("{}: {why}", t.address)),
            WatchState::Failed(why) => Some(why.clone()),
            _ => None,
        });
        let running: Vec<&WatchTarget> = self.targets.iter().filter(|t| !t.is_done()).collect();
        self.state = match failed {
            Some(why) => WatchState::Failed(why),
            None if running.is_empty() => WatchState::Settled,
            None => WatchState::Running,
        };
        self.progress = match (self.targets.as_slice(), running.first()) {
            ([only], _) => only.progress.clone(),
            (all, Some(next)) => {
                format!("{}/{} done; {}: {}", all.len() - running.len(), all.len(), next.address, next.progress)
            }
            (all, None) => format!("{n}/{n} done", n = all.len()),
        };
    }
}

impl WatchTarget {
    fn is_done(&self) -> bool {
        self.state != WatchState::Running
    }

    fn take_events(&mut self, s: &ServiceSnapshot) -> Vec<String> {
        let since = self.last_event_at;
        let mut new: Vec<_> = s.events.iter().filter(|e| since.is_none_or(|t| e.at > t)).collect();
        new.sort_by_key(|e| e.at);
        if let Some(last) = new.last() {
            self.last_event_at = Some(last.at);
        }
        new.into_iter().map(|e| format!("{} {}", e.at.format("%H:%M:%S"), inert(&e.message))).collect()
    }
}

/// How far one resource has come towards what is expected of it.
fn assess(snapshot: Option<&Snapshot>, expect: &Expect) -> (WatchState, String) {
    match (snapshot, expect) {
        (None, Expect::Absent) => (WatchState::Settled, "gone".into()),
        (None, _) => (WatchState::Running, "not found (yet)".into()),
        (Some(s), Expect::Absent) => {
            let status = match s {
                Snapshot::Endpoint(e) => format!("endpoint {}", e.endpoint.status),
                _ => "still there".into(),
            };
            (WatchState::Running, status)
        }
        (Some(Snapshot::Service(s)), expect) => assess_service(s, expect),
        (Some(Snapshot::Endpoint(e)), Expect::Endpoint { variant, count }) => {
            let v = variant.as_ref().and_then(|name| e.endpoint.variants.iter().find(|v| &v.name == name));
            let instances =
                v.map(|v| format!("; {} {}/{} instances", v.name, v.current_instances, v.desired_instances));
            let progress = format!("endpoint {}{}", e.endpoint.status, instances.unwrap_or_default());
            let at_count = match (v, count) {
                (Some(v), Some(n)) => v.current_instances == *n && v.desired_instances == *n,
                _ => true,
            };
            let state = match e.endpoint.status.as_str() {
                "Failed" => WatchState::Failed(
                    e.failure_reason
                        .as_deref()
                        .map_or("endpoint Failed".into(), |r| format!("endpoint Failed: {}", inert(r))),
                ),
                "InService" if at_count => WatchState::Settled,
                _ => WatchState::Running,
            };
            (state, progress)
        }
        (Some(Snapshot::Function(f)), Expect::Concurrency { reserved }) => {
            let now = f.reserved_concurrency.map_or("none set".to_string(), |n| n.to_string());
            let state = if f.reserved_concurrency == *reserved { WatchState::Settled } else { WatchState::Running };
            (state, format!("reserved concurrency {now}"))
        }
        (Some(Snapshot::Endpoint(_)), _) => {
            (WatchState::Failed("expected an ECS service, read an endpoint".into()), String::new())
        }
        (Some(other), _) => (WatchState::Failed(format!("nothing to watch on {}", other.address())), String::new()),
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
        Expect::Endpoint { .. } | Expect::Absent | Expect::Concurrency { .. } => {
            (WatchState::Failed("expected an endpoint, read an ECS service".into()), String::new())
        }
    }
}
