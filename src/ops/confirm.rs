//! Confirm: the only code that turns a [`Plan`] into a [`Confirmed`], the value `execute` takes.

use super::plan::Plan;
use super::OpError;

/// How the engineer answered the confirm dialog or prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `y` / `enter` in the dialog, `y` at the prompt.
    Yes,
    /// What was typed where a destructive plan asks for the resource's name.
    Typed(String),
    /// `--yes` on the command line: a script's explicit consent, for every plan.
    AssumeYes,
}

/// A plan the engineer agreed to. Its field is private: nothing outside this file can make one.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    plan: Plan,
}

impl Confirmed {
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub(super) fn into_plan(self) -> Plan {
        self.plan
    }
}

/// Refuses in read-only mode (saying what would have run), refuses a plan with nothing to send,
/// and for a destructive plan accepts only the exact name (or `--yes`).
pub fn confirm(plan: Plan, answer: &Answer, read_only: bool) -> Result<Confirmed, OpError> {
    if read_only {
        return Err(OpError::Refused(format!(
            "read-only mode: {} was planned but not applied; someone who may act can run `opsdeck {}`",
            plan.intent.verb(),
            plan.intent.command_line()
        )));
    }
    if plan.is_noop() {
        return Err(OpError::Refused("nothing to change".into()));
    }
    let accepted = match answer {
        Answer::AssumeYes => true,
        Answer::Yes => !plan.destructive,
        Answer::Typed(text) if plan.destructive => *text == plan.confirm_name,
        Answer::Typed(text) => matches!(text.trim(), "y" | "Y" | "yes"),
    };
    if !accepted {
        return Err(OpError::Refused(if plan.destructive {
            format!("not confirmed: type {} exactly to confirm this destructive change", plan.confirm_name)
        } else {
            "not confirmed".to_string()
        }));
    }
    Ok(Confirmed { plan })
}
