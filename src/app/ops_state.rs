//! What the console keeps about operator actions: the confirm dialog, the operations being
//! watched, the audit view and read-only reports.

use super::state::{RequestId, TextInput};
use crate::audit::AuditEntry;
use crate::ops::{Executed, Plan, Watch};
use chrono::{DateTime, Utc};

/// The plan on screen, waiting for y/enter, the typed name, or esc.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmDialog {
    pub plan: Plan,
    /// What was typed, for a destructive plan.
    pub typed: TextInput,
    pub scroll: usize,
    /// Why the last answer was not accepted (a wrong name).
    pub error: Option<String>,
}

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

/// `:audit`: actions from the audit log, newest first; `u` undoes the selected one.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditView {
    pub entries: Vec<AuditEntry>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
    /// `:undo ID`: undo this action as soon as the log is read.
    pub undo_when_read: Option<String>,
}

/// Text to read, not act on: an invocation's answer, a revision list and diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
}

/// `:env`: every environment, where it stands and what a teardown saves; `t`/`r` act on the
/// selected one.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvView {
    pub views: Vec<crate::ops::env::EnvOverview>,
    pub selected: usize,
    /// The reading in flight, if any (the view keeps what it had meanwhile).
    pub in_flight: Option<RequestId>,
    /// Show the selected environment's resources, now and as saved.
    pub detail: bool,
    /// Select this environment once the first reading arrives (`:env show NAME`).
    pub select_when_read: Option<String>,
}

/// A plan being read: its request id, the command it is for, and whether it is only to be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planning {
    pub id: RequestId,
    pub command: String,
    /// `--dry-run`: the plan is shown and nothing can be applied.
    pub dry_run: bool,
    /// A runbook step asked for it: its outcome goes back to the step.
    pub for_runbook: bool,
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
