//! Where each environment stands, for `env list`, `env show` and the console's environments
//! view: running, torn down since T, partly torn down, or restoring; what it costs per day now;
//! what a teardown would save. Reads only.

use super::saved::{describe_now, is_down, EnvStatus, Pointer, SavedResource, SavedState};
use super::store;
use super::{pricing, read_all};
use crate::backend::Backend;
use crate::domain::{Address, CostReport};
use crate::ops::environment::EnvironmentSpec;
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use std::path::Path;

/// Where an environment stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Shape {
    Running,
    TornDown {
        since: DateTime<Utc>,
    },
    /// Some resources are down and some up: a teardown interrupted, or brought back by hand.
    PartlyTornDown {
        since: Option<DateTime<Utc>>,
        why: String,
    },
    Restoring {
        since: DateTime<Utc>,
    },
    /// It could not be read.
    Unknown,
}

impl Shape {
    pub fn text(&self) -> String {
        let at = |t: &DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        match self {
            Shape::Running => "running".into(),
            Shape::TornDown { since } => format!("torn down since {}", at(since)),
            Shape::PartlyTornDown { since: Some(since), why } => format!("partly torn down since {}: {why}", at(since)),
            Shape::PartlyTornDown { since: None, why } => format!("partly down: {why}"),
            Shape::Restoring { since } => format!("restoring since {} (or interrupted: run restore again)", at(since)),
            Shape::Unknown => "unknown".into(),
        }
    }
}

/// One resource: what it is now, and what was saved for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceLine {
    pub address: String,
    pub now: String,
    pub saved: Option<String>,
    pub down: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvOverview {
    pub name: String,
    pub description: Option<String>,
    pub shape: Shape,
    pub resources: Vec<ResourceLine>,
    /// Estimated cost per hour of what runs now (on-demand list prices).
    pub hourly_now: Option<f64>,
    /// What the environment cost per day, from the cost data, where its `system` is known.
    pub cost_per_day: Option<f64>,
    /// Where the saved state was read from.
    pub saved_in: String,
    pub error: Option<String>,
}

impl EnvOverview {
    /// What a teardown would save per day now (estimate), when it is running at all.
    pub fn saves_per_day(&self) -> Option<f64> {
        self.hourly_now.filter(|h| *h > 0.0).map(|h| h * 24.0)
    }
}

/// Every environment, read now. `cost` is the cost report already on hand (never read here:
/// Cost Explorer is billed per request).
pub async fn overview(
    backend: &dyn Backend,
    specs: &[EnvironmentSpec],
    local_dir: &Path,
    cost: Option<&CostReport>,
) -> Vec<EnvOverview> {
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    let pointers = store::read_pointers(backend, &names).await;
    let mut out = Vec::new();
    for spec in specs {
        let found = match &pointers {
            Ok(found) => {
                let p = found.iter().find(|(n, _)| *n == spec.name).and_then(|(_, p)| p.clone());
                Found { pointer: p, saved: None, saved_in: "SSM".to_string(), unknown: None }
            }
            // SSM cannot be read: the local copy holds the pointer AND the saved state, so both
            // come from it (reading the saved parts from SSM would fail the same way, leaving the
            // SAVED column empty and an error). Without a usable local copy nobody can tell
            // whether a teardown saved anything: say so, rather than "nothing was saved".
            Err(e) => {
                let local = store::local_path(local_dir, &backend.label(), &spec.name);
                match store::read_local(&local) {
                    Ok(Some(copy)) => Found {
                        pointer: Some(copy.pointer),
                        saved: Some(copy.saved),
                        saved_in: format!("local copy {} ({e})", local.display()),
                        unknown: None,
                    },
                    Ok(None) => Found {
                        pointer: None,
                        saved: None,
                        saved_in: format!("unknown ({e})"),
                        unknown: Some(format!("{e}, and there is no local copy at {}", local.display())),
                    },
                    Err(local_error) => Found {
                        pointer: None,
                        saved: None,
                        saved_in: format!("unknown ({e})"),
                        unknown: Some(format!("{e}, and the local copy cannot be read ({local_error})")),
                    },
                }
            }
        };
        out.push(one(backend, spec, found, cost).await);
    }
    out
}

/// An environment's pointer and where it was read.
struct Found {
    pointer: Option<Pointer>,
    /// The saved state when it came with the pointer (the local copy); None: read it from SSM.
    saved: Option<SavedState>,
    saved_in: String,
    /// Why the saved state cannot be known (SSM unreachable and no usable local copy).
    unknown: Option<String>,
}

async fn one(backend: &dyn Backend, spec: &EnvironmentSpec, found: Found, cost: Option<&CostReport>) -> EnvOverview {
    let Found { pointer, saved: in_hand, saved_in, unknown } = found;
    let mut view = EnvOverview {
        name: spec.name.clone(),
        description: spec.description.clone(),
        shape: Shape::Unknown,
        resources: Vec::new(),
        hourly_now: None,
        cost_per_day: cost_per_day(spec, cost),
        saved_in,
        error: None,
    };
    let addresses = match spec.expand(backend).await {
        Ok(a) => a,
        Err(e) => {
            view.error = Some(e.to_string());
            return view;
        }
    };
    let reads = match read_all(backend, &addresses).await {
        Ok(r) => r,
        Err(e) => {
            view.error = Some(e.to_string());
            return view;
        }
    };
    let saved: Option<SavedState> = match pointer.as_ref().filter(|p| p.status != EnvStatus::Restored) {
        Some(_) if in_hand.is_some() => in_hand,
        Some(p) => match store::read_saved(backend, p).await {
            Ok(s) => Some(s),
            Err(e) => {
                view.error = Some(e.to_string());
                None
            }
        },
        None => None,
    };
    view.resources = reads
        .iter()
        .map(|r| {
            let saved = saved.as_ref().and_then(|s| s.find(&r.address));
            ResourceLine {
                address: r.address.to_string(),
                now: describe_now(r.snapshot.as_ref()),
                saved: saved.map(|s| s.describe()),
                // A rule saved DISABLED (or a function saved at 0) is down in its normal state too.
                down: is_down(r.snapshot.as_ref()) || saved.is_some_and(SavedResource::was_down),
            }
        })
        .collect();
    let down = view.resources.iter().filter(|r| r.down).count();
    let total = view.resources.len();
    // Without a teardown's saved state, only services at 0 and missing endpoints say "down":
    // a disabled rule or a function held at 0 may simply be how it is meant to be.
    let idle = reads
        .iter()
        .filter(|r| matches!(r.address, Address::EcsService { .. } | Address::Endpoint { .. }))
        .filter(|r| is_down(r.snapshot.as_ref()))
        .count();
    view.shape = match pointer.filter(|p| p.status != EnvStatus::Restored) {
        None if idle == 0 => Shape::Running,
        None => Shape::PartlyTornDown {
            since: None,
            why: format!("{idle} service(s) or endpoint(s) down, but nothing was saved by a teardown"),
        },
        Some(p) => match p.status {
            EnvStatus::TornDown if down == total => Shape::TornDown { since: p.status_at },
            EnvStatus::TornDown => Shape::PartlyTornDown {
                since: Some(p.status_at),
                why: format!("{} of {total} resources are up again", total - down),
            },
            EnvStatus::TearingDown => Shape::PartlyTornDown {
                since: Some(p.status_at),
                why: format!("a teardown started and did not finish ({down} of {total} down): run it again to finish"),
            },
            EnvStatus::Restoring | EnvStatus::Restored => Shape::Restoring { since: p.status_at },
        },
    };
    if let Some(why) = unknown {
        view.error = Some(why);
        view.shape = Shape::Unknown;
    }
    view.hourly_now = pricing::hourly_cost(backend, &reads).await;
    view
}

/// The system's month to date divided by the days so far, where the environment names its system.
fn cost_per_day(spec: &EnvironmentSpec, cost: Option<&CostReport>) -> Option<f64> {
    let (system, cost) = (spec.system.as_ref()?, cost?);
    let s = cost.by_system.iter().find(|s| &s.system == system)?;
    let days = f64::from(cost.as_of.day()).max(1.0);
    Some(s.month_to_date / days)
}
