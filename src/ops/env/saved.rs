//! The saved state of an environment: what each resource looked like before a teardown, and
//! where the environment stands (tearing down, torn down, restoring, restored). Written before
//! anything changes, never overwritten by a second teardown, marked restored only when
//! everything is back.

use crate::domain::{Address, ScalingPolicy, ScalingTarget, Snapshot, VariantCapacity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Written into every pointer and saved state, so a future format can tell old ones apart.
pub const FORMAT: &str = "opsdeck-environment/1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvStatus {
    /// The state is saved and the teardown has started (or was interrupted).
    TearingDown,
    /// Every teardown call was accepted.
    TornDown,
    /// A restore has started (or was interrupted).
    Restoring,
    /// Everything is back as saved: the saved state is history.
    Restored,
}

impl EnvStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvStatus::TearingDown => "tearing down",
            EnvStatus::TornDown => "torn down",
            EnvStatus::Restoring => "restoring",
            EnvStatus::Restored => "restored",
        }
    }
}

/// The small parameter that says where the environment stands and which saved generation holds
/// its state. It is written last when saving, so a save cut short leaves the previous one in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pointer {
    pub format: String,
    pub environment: String,
    pub status: EnvStatus,
    pub status_at: DateTime<Utc>,
    /// Names the parameters holding the saved state (`.../saved/GENERATION/0..parts`).
    pub generation: String,
    pub parts: u32,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

/// A variant's autoscaling as it was: SageMaker removes the target and its policies with the
/// endpoint, so both are saved to be put back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedScaling {
    pub target: ScalingTarget,
    pub policies: Vec<ScalingPolicy>,
}

/// One resource as it was before the teardown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SavedResource {
    EcsService {
        address: Address,
        desired: u32,
        /// None: no scalable target was registered.
        scaling: Option<ScalingTarget>,
    },
    Endpoint {
        address: Address,
        /// The endpoint config it ran, which stays when the endpoint is deleted.
        config: String,
        variants: Vec<VariantCapacity>,
        /// Variant name -> its autoscaling.
        scaling: BTreeMap<String, SavedScaling>,
    },
    Function {
        address: Address,
        /// null: no reserved concurrency was set, which restore puts back by removing the limit.
        reserved_concurrency: Option<u32>,
    },
    Rule {
        address: Address,
        /// ENABLED, DISABLED, ...: restore re-enables only the rules that were enabled.
        state: String,
    },
}

impl SavedResource {
    pub fn address(&self) -> &Address {
        match self {
            SavedResource::EcsService { address, .. }
            | SavedResource::Endpoint { address, .. }
            | SavedResource::Function { address, .. }
            | SavedResource::Rule { address, .. } => address,
        }
    }

    /// Whether it was already at its torn-down values when saved (a rule kept disabled).
    pub fn was_down(&self) -> bool {
        match self {
            SavedResource::EcsService { desired, .. } => *desired == 0,
            SavedResource::Endpoint { .. } => false,
            SavedResource::Function { reserved_concurrency, .. } => *reserved_concurrency == Some(0),
            SavedResource::Rule { state, .. } => !state.starts_with("ENABLED"),
        }
    }

    /// What the saved values are, in a few words.
    pub fn describe(&self) -> String {
        match self {
            SavedResource::EcsService { desired, scaling, .. } => match scaling {
                Some(t) => format!("desired {desired}, autoscaling {}-{}", t.min, t.max),
                None => format!("desired {desired}"),
            },
            SavedResource::Endpoint { config, variants, .. } => {
                let each: Vec<String> = variants.iter().map(|v| format!("{} × {}", v.variant, v.instances)).collect();
                format!("{} from {config}", each.join(", "))
            }
            SavedResource::Function { reserved_concurrency: Some(n), .. } => format!("reserved concurrency {n}"),
            SavedResource::Function { reserved_concurrency: None, .. } => "no reserved concurrency".into(),
            SavedResource::Rule { state, .. } => state.clone(),
        }
    }
}

/// Everything saved before a teardown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedState {
    pub format: String,
    pub environment: String,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
    pub resources: Vec<SavedResource>,
}

impl SavedState {
    pub fn find(&self, address: &Address) -> Option<&SavedResource> {
        self.resources.iter().find(|r| r.address() == address)
    }
}

/// Whether a resource read now is at its torn-down values.
pub fn is_down(snapshot: Option<&Snapshot>) -> bool {
    match snapshot {
        None => true,
        Some(Snapshot::Service(s)) => s.service.desired == 0 && s.scaling.is_none_or(|t| t.min == 0 && t.max == 0),
        Some(Snapshot::Endpoint(e)) => e.endpoint.status == "Deleting",
        Some(Snapshot::Function(f)) => f.reserved_concurrency == Some(0),
        Some(Snapshot::Rule(r)) => !r.enabled(),
    }
}

/// What a resource is now, in the words `describe` uses for saved values.
pub fn describe_now(snapshot: Option<&Snapshot>) -> String {
    match snapshot {
        None => "absent".into(),
        Some(Snapshot::Service(s)) => {
            let running = format!("{}/{} running", s.service.running, s.service.desired);
            match s.scaling {
                Some(t) => format!("{running}, autoscaling {}-{}", t.min, t.max),
                None => running,
            }
        }
        Some(Snapshot::Endpoint(e)) => {
            let each: Vec<String> =
                e.endpoint.variants.iter().map(|v| format!("{} × {}", v.name, v.current_instances)).collect();
            format!("{} ({})", e.endpoint.status, each.join(", "))
        }
        Some(Snapshot::Function(f)) => match f.reserved_concurrency {
            Some(n) => format!("reserved concurrency {n}"),
            None => "no reserved concurrency".into(),
        },
        Some(Snapshot::Rule(r)) => r.state.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Suspended;

    #[test]
    fn saved_state_round_trips_and_keeps_none_apart_from_numbers() {
        let state = SavedState {
            format: FORMAT.into(),
            environment: "garmax-dev".into(),
            saved_at: Utc::now(),
            saved_by: "arn:aws:sts::1:assumed-role/OnCall/ana".into(),
            resources: vec![
                SavedResource::EcsService {
                    address: Address::ecs("c", "s"),
                    desired: 2,
                    scaling: Some(ScalingTarget {
                        min: 1,
                        max: 4,
                        suspended: Suspended { scheduled: true, ..Suspended::default() },
                    }),
                },
                SavedResource::Function { address: Address::function("f0"), reserved_concurrency: Some(0) },
                SavedResource::Function { address: Address::function("f"), reserved_concurrency: None },
                SavedResource::Rule { address: Address::rule(Some("bus"), "r"), state: "ENABLED".into() },
            ],
        };
        let json = serde_json::to_string(&state).unwrap();
        assert!(json.contains(r#""reserved_concurrency":null"#), "{json}");
        assert!(json.contains(r#""reserved_concurrency":0"#), "{json}");
        assert!(json.contains(r#""address":"rule:bus/r""#), "{json}");
        let back: SavedState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, state);
        assert!(serde_json::from_str::<SavedState>(&json.replace("rule:bus/r", "nope:x")).is_err());
    }
}
