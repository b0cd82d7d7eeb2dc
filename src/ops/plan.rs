//! Plan: what an action will do, read fresh, before anything is sent: its changes, its stages of
//! steps, and what the conflict check compares. The plans of single-resource actions are made in
//! `resource_plans`, those of environments in `env`.

use super::intent::Intent;
use super::watch::Expect;
use crate::domain::{Address, Mutation, ScalingTarget, ServiceSnapshot, Snapshot};
use serde::Serialize;
use std::path::PathBuf;

/// One field a plan changes (or, in a conflict, one that changed under it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

impl Change {
    pub(crate) fn new(field: impl Into<String>, before: impl ToString, after: impl ToString) -> Change {
        Change { field: field.into(), before: before.to_string(), after: after.to_string() }
    }
}

/// One resource as a plan read it; `snapshot` is None when it does not exist (a deleted endpoint).
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub address: Address,
    pub snapshot: Option<Snapshot>,
}

/// One thing `execute` does, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A change in the cloud, through the backend (with a `Permit`).
    Apply(Mutation),
    /// The local copy of an environment's saved state, written whole (temporary file, rename).
    LocalCopy { path: PathBuf, contents: String },
}

/// Steps carried out together, then what to wait for before the next stage starts. Most actions
/// have one stage; a restore waits for its endpoints before setting their instance counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// What the stage does, for the operations strip and the audit log.
    pub label: String,
    pub steps: Vec<Step>,
    /// What "done" means for each resource the stage changed (the watch); empty: nothing to wait for.
    pub expect: Vec<(Address, Expect)>,
}

/// What an action will do, read fresh from the backend. Only `confirm` turns it into something
/// `execute` accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub intent: Intent,
    /// Every resource as read for this plan: the conflict check compares against them.
    pub reads: Vec<Read>,
    pub changes: Vec<Change>,
    /// Carried out by `execute` (the first) and `proceed` (the rest, each after the watch of the
    /// one before settled). Within a stage, in order: autoscaling bounds before a count they
    /// would otherwise fight, saved state before anything it protects.
    pub stages: Vec<Stage>,
    /// Destructive plans are confirmed by typing `confirm_name`.
    pub destructive: bool,
    pub confirm_name: String,
    /// Things the engineer must know: autoscaling, suspended scaling, which roll back path.
    pub notes: Vec<String>,
    /// Longer context: the revision list and the diff of a roll back, the payload of an invoke.
    pub details: Vec<String>,
    /// The command that would undo it, in the one grammar.
    pub inverse: Option<String>,
    /// Team mode: another session's lease on a resource this plan changes ("held by ARN
    /// (user@host): rollback since 13:41, until 13:46"). Execute refuses it unless `take_over`.
    pub held_by: Option<String>,
    /// Take the lease over from its holder (`--take-over`, or the typed confirmation in the
    /// console); audited.
    pub take_over: bool,
}

impl Plan {
    pub(crate) fn new(intent: Intent, reads: Vec<Read>, confirm_name: String) -> Plan {
        Plan {
            intent,
            reads,
            changes: Vec::new(),
            stages: Vec::new(),
            destructive: false,
            confirm_name,
            notes: Vec::new(),
            details: Vec::new(),
            inverse: None,
            held_by: None,
            take_over: false,
        }
    }

    /// Nothing to send: the resource is already as asked.
    pub fn is_noop(&self) -> bool {
        self.stages.iter().all(|s| s.steps.is_empty())
    }

    /// Every change to the cloud the plan makes, in order, across its stages.
    pub fn mutations(&self) -> impl Iterator<Item = &Mutation> {
        self.stages.iter().flat_map(|s| s.steps.iter()).filter_map(|step| match step {
            Step::Apply(m) => Some(m),
            Step::LocalCopy { .. } => None,
        })
    }

    /// Steps across every stage (one action's audit record counts them).
    pub fn step_count(&self) -> usize {
        self.stages.iter().map(|s| s.steps.len()).sum()
    }

    fn first_stage(&mut self) -> &mut Stage {
        if self.stages.is_empty() {
            let label = self.intent.verb().to_string();
            self.stages.push(Stage { label, steps: Vec::new(), expect: Vec::new() });
        }
        let last = self.stages.len() - 1;
        &mut self.stages[last]
    }

    /// Add a mutation to the stage being built (the first, until `next_stage`).
    pub(crate) fn push(&mut self, mutation: Mutation) {
        self.first_stage().steps.push(Step::Apply(mutation));
    }

    pub(crate) fn push_step(&mut self, step: Step) {
        self.first_stage().steps.push(step);
    }

    /// What the stage being built waits for.
    pub(crate) fn wait_for(&mut self, address: Address, expect: Expect) {
        self.first_stage().expect.push((address, expect));
    }

    /// Start the next stage: it runs once the one before has settled.
    pub(crate) fn next_stage(&mut self, label: impl Into<String>) {
        self.stages.push(Stage { label: label.into(), steps: Vec::new(), expect: Vec::new() });
    }

    /// The single resource this plan read (actions on one resource).
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.reads.first().and_then(|r| r.snapshot.as_ref())
    }

    /// A one-line summary: "scale ecs:c/s: desired 2 -> 5".
    pub fn headline(&self) -> String {
        let changes: Vec<String> =
            self.changes.iter().map(|c| format!("{} {} -> {}", c.field, c.before, c.after)).collect();
        let what = match changes.len() {
            0 => "no change".to_string(),
            1..=3 => changes.join(", "),
            n => format!("{n} changes"),
        };
        format!("{} {}: {what}", self.intent.verb(), self.intent.target())
    }

    /// The audit's before/after: the fields this plan changes.
    pub fn before_after(&self) -> (serde_json::Value, serde_json::Value) {
        let mut before = serde_json::Map::new();
        let mut after = serde_json::Map::new();
        for c in &self.changes {
            before.insert(c.field.clone(), serde_json::Value::String(c.before.clone()));
            after.insert(c.field.clone(), serde_json::Value::String(c.after.clone()));
        }
        (serde_json::Value::Object(before), serde_json::Value::Object(after))
    }
}

/// The id of the service's PRIMARY deployment.
pub(super) fn primary_id(s: &ServiceSnapshot) -> Option<String> {
    s.service.deployments.iter().find(|d| d.status == "PRIMARY").map(|d| d.id.clone())
}

/// The fingerprint field of the newest ECS service deployment's status.
pub(super) const SERVICE_DEPLOYMENT: &str = "service deployment";

/// The fields whose change between plan and execute means the plan is stale.
pub(super) fn fingerprint(s: Option<&Snapshot>) -> Vec<(String, String)> {
    let bounds = |t: Option<&ScalingTarget>| t.map_or("none".to_string(), |t| format!("{}-{}", t.min, t.max));
    let Some(s) = s else {
        return vec![("exists".into(), "no".into())];
    };
    match s {
        Snapshot::Service(s) => vec![
            ("desired count".into(), s.service.desired.to_string()),
            ("task definition".into(), s.service.task_definition.to_string()),
            ("primary deployment".into(), primary_id(s).unwrap_or_else(|| "-".into())),
            ("deployments".into(), s.service.deployments.len().to_string()),
            ("autoscaling min-max".into(), bounds(s.scaling.as_ref())),
            // What a native roll back depends on; moving alone is no conflict (see `recheck`).
            (SERVICE_DEPLOYMENT.into(), s.deployment.as_ref().map_or_else(|| "-".to_string(), |d| d.status.clone())),
        ],
        Snapshot::Endpoint(e) => {
            let mut f = vec![("endpoint status".into(), e.endpoint.status.clone())];
            for v in &e.endpoint.variants {
                f.push((format!("{} instances", v.name), v.desired_instances.to_string()));
                f.push((format!("{} autoscaling min-max", v.name), bounds(e.scaling.get(&v.name))));
            }
            f
        }
        Snapshot::Function(f) => {
            vec![("reserved concurrency".into(), f.reserved_concurrency.map_or("none".to_string(), |n| n.to_string()))]
        }
        Snapshot::Rule(r) => vec![("rule state".into(), r.state.clone())],
    }
}

/// What differs between the plan's read and a fresh one of the same resource.
pub(super) fn conflicts(planned: Option<&Snapshot>, now: Option<&Snapshot>) -> Vec<Change> {
    let (a, b) = (fingerprint(planned), fingerprint(now));
    let mut changes: Vec<Change> = a
        .iter()
        .filter_map(|(field, before)| {
            let after = b.iter().find(|(f, _)| f == field).map_or("gone", |(_, v)| v.as_str());
            (before != after).then(|| Change::new(field.clone(), before, after))
        })
        .collect();
    changes
        .extend(b.iter().filter(|(f, _)| !a.iter().any(|(g, _)| g == f)).map(|(f, v)| Change::new(f.clone(), "-", v)));
    changes
}
