//! Operator actions through one path: plan -> confirm -> execute -> audit -> watch.
//!
//! - `plan` reads the resource fresh and says exactly what will change ([`Plan`]).
//! - `confirm` is the only code that can turn a plan into a [`Confirmed`] (its fields are private),
//!   and it refuses in read-only mode and when a destructive plan's name was not typed.
//! - `execute` takes a `Confirmed` and nothing else: it checks the resource has not changed since
//!   the plan, writes the audit record (nothing runs if that fails), and only then makes the
//!   [`crate::backend::Permit`] a backend needs to mutate anything.
//! - `watch` follows the change to its end.
//!
//! - environments (`env`) plan a teardown or restore of many resources as one plan with stages;
//!   it goes through the same confirm and execute.
//!
//! The console, the headless CLI and (later) runbooks all go through these functions.

mod confirm;
pub mod env;
pub mod environment;
mod execute;
mod function_plans;
pub mod grammar;
mod intent;
pub mod invoke;
pub mod leasing;
pub(crate) mod plan;
mod recheck;
mod resource_plans;
pub mod revisions;
pub mod watch;

pub use crate::audit::{AuditLog, AuditRecord, Who};
pub use confirm::{confirm, Answer, Confirmed};
pub use execute::{execute, proceed, record_settled, Executed, OpsContext};
pub use intent::{Intent, RevisionChoice, Target};
pub use plan::{Change, Plan, Read, Stage, Step};
pub use resource_plans::plan;
pub use watch::{Watch, WatchState, WatchTarget};

use crate::backend::BackendError;

/// Why an action did not happen (or did not finish). Each kind has its exit code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OpError {
    /// Bad usage or input: nothing was sent. Exit 2.
    #[error("{0}")]
    BadInput(String),
    /// Read-only, not confirmed: nothing was sent. Exit 3.
    #[error("refused: {0}")]
    Refused(String),
    /// The resource changed between plan and execute: nothing was sent. Exit 3.
    #[error("refused: {} changed since the plan was read ({}); read it again", .address, describe_changes(.changes))]
    Conflict { address: String, changes: Vec<Change> },
    /// The way the confirmed plan goes no longer applies (the deployment it would stop has
    /// finished, the autoscaling bounds moved, ...): nothing was sent; `plan` is the plan read at
    /// execute, to be confirmed afresh. Exit 3 from a script.
    #[error(
        "the plan changed since it was confirmed ({}): it now sends {}; nothing was sent, confirm the new plan (or run again)",
        describe_changes(.why),
        .plan.mutations().map(|m| m.describe()).collect::<Vec<_>>().join("; ")
    )]
    Replanned { plan: Box<Plan>, why: Vec<Change> },
    /// The fresh read at execute shows the goal already reached (a colleague, ECS or autoscaling
    /// got there first): nothing was sent. Exit 0.
    #[error("nothing left to do: {0}")]
    NothingLeft(String),
    /// The audit record could not be written: nothing was sent. Exit 1.
    #[error("audit log: {0} (nothing was executed)")]
    Audit(String),
    /// The backend refused or failed. Exit 1.
    #[error("{0}")]
    Backend(BackendError),
    /// A plan with several steps stopped part way: `done` of `of` steps were carried out, then
    /// `error`. Running `resume` (the same command) plans again from what is there now and finishes
    /// it. Exit 1.
    #[error(
        "{error}; PARTIAL: {done} of {of} steps were done; run `opsdeck {resume}` (or `:{resume}` in the console) \
         again to finish"
    )]
    Partial { done: usize, of: usize, error: Box<OpError>, resume: String },
}

fn describe_changes(changes: &[Change]) -> String {
    changes.iter().map(|c| format!("{}: {} -> {}", c.field, c.before, c.after)).collect::<Vec<_>>().join(", ")
}

impl OpError {
    /// 0 nothing left to do, 1 failed, 2 bad usage or input, 3 refused or re-planned.
    pub fn exit_code(&self) -> u8 {
        match self {
            OpError::NothingLeft(_) => 0,
            OpError::BadInput(_) => 2,
            OpError::Refused(_) | OpError::Conflict { .. } | OpError::Replanned { .. } => 3,
            OpError::Audit(_) | OpError::Backend(_) | OpError::Partial { .. } => 1,
        }
    }
}

impl From<BackendError> for OpError {
    fn from(e: BackendError) -> Self {
        match e {
            BackendError::NotFound(what) => OpError::BadInput(format!("not found: {what}")),
            BackendError::Invalid(why) => OpError::BadInput(why),
            other => OpError::Backend(other),
        }
    }
}
