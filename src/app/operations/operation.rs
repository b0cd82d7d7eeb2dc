//! What the console keeps about operator actions: the plan being read, whether a confirmed one
//! is on its way, and each action carried out in this session with its watch.

use crate::app::action_path::Planning;
use crate::app::loadable::RequestId;
use crate::ops::{Executed, Watch, WatchState};
use chrono::{DateTime, Utc};

/// One action carried out in this session, and its watch.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub executed: Executed,
    /// None for actions with nothing to watch (an invocation).
    pub watch: Option<Watch>,
    pub in_flight: Option<RequestId>,
    pub polled_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The next stage is being carried out (a restore's instance counts, its test inferences).
    pub proceeding: bool,
    /// The watches of the stages before this one, as they ended.
    pub history: Vec<Watch>,
}

impl Operation {
    pub fn running(&self) -> bool {
        self.finished_at.is_none()
    }
}

/// Everything about actions in one place of `State`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpsState {
    /// A plan being read.
    pub planning: Option<Planning>,
    /// A confirmed action on its way (plans cannot be confirmed twice).
    pub executing: bool,
    pub operations: Vec<Operation>,
}

/// How a watch ended, in words.
pub fn end_text(state: &WatchState) -> String {
    match state {
        WatchState::Running => "in progress".into(),
        WatchState::Settled => "done".into(),
        WatchState::Failed(why) => format!("FAILED: {why}"),
        WatchState::TimedOut => "stopped watching (timed out); it may still finish".into(),
    }
}
