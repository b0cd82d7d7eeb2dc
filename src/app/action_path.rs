//! The console's door to the one action path: a verb of the grammar (typed in the palette, an
//! audit record's undo, an environment's `t`/`r`, a runbook step) becomes an intent and a request
//! for its plan. The plan, read fresh, comes back as `Msg::Planned`; one is read at a time.

use super::context::Context;
use super::loadable::RequestId;
use super::msg::{Effect, OpEffect};
use crate::ops::grammar::{self, Verb};
use crate::ops::Intent;

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

/// Ask for a plan: the resource is read fresh, and the dialog opens when it arrives. With
/// `dry_run` it is only shown. The id asked for, or None when a plan is still being read.
pub fn request_plan(
    ctx: &mut Context,
    planning: &mut Option<Planning>,
    intent: Intent,
    dry_run: bool,
    effects: &mut Vec<Effect>,
) -> Option<RequestId> {
    if planning.is_some() {
        ctx.flash_info("a plan is still being read: one at a time");
        return None;
    }
    let id = ctx.request_id();
    *planning = Some(Planning { id, command: intent.command_line(), dry_run, for_runbook: false });
    ctx.flash_info(format!("reading {} fresh for the plan…", intent.target()));
    effects.push(Effect::Op(Box::new(OpEffect::Plan { id, intent })));
    Some(id)
}

/// A verb that acts (scale, redeploy, rollback, invoke, teardown, restore): its plan is asked
/// for. A verb that does not parse into an action says why; one that is no action does nothing.
pub fn run(
    ctx: &mut Context,
    planning: &mut Option<Planning>,
    verb: &Verb,
    effects: &mut Vec<Effect>,
) -> Option<RequestId> {
    match grammar::intent_of(verb, &ctx.settings) {
        Ok(Some(intent)) => {
            let dry_run = verb.run_args().is_some_and(|r| r.dry_run);
            request_plan(ctx, planning, intent, dry_run, effects)
        }
        Ok(None) => None,
        Err(e) => {
            ctx.flash_error(e);
            None
        }
    }
}
