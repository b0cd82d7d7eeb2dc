//! Operator actions in the console: `s`/`r`/`R`/`i` on the selected row, a plan's arrival (the
//! confirm dialog, a dry run, nothing to do), a confirmed plan on its way, and each action as it
//! is applied, goes on through its stages and is watched to its end in the strip. Pure like the
//! rest of update: the I/O goes out as `Effect::Op`.

mod operation;
mod strip;
mod watches;

pub use operation::{end_text, Operation, OpsState};
pub use strip::{shown_operations, strip_rows, SHOWN_AFTER_END_SECS, STRIP_MAX};
pub use watches::{due, observed, wants, Progress, SnapshotResult};

use super::action_path::{self, Planning};
use super::confirm::ConfirmDialog;
use super::context::Context;
use super::fleet::Fleet;
use super::loadable::RequestId;
use super::msg::{Effect, OpEffect};
use super::next::Next;
use super::report::Report;
use super::text_input::TextInput;
use crate::domain::Address;
use crate::keymap::Action;
use crate::ops::{invoke, Confirmed, Executed, Intent, OpError, Plan, RevisionChoice, WatchState};
use crate::sanitize::inert;
use watches::{next_stage_or_finish, outcome_report, responses};

/// A plan arrived (or could not be read).
#[derive(Debug)]
pub enum Planned {
    /// Not the plan being waited for.
    Stale,
    /// The console's own plan: what to show (the flash says the rest).
    Show(Next),
    /// A runbook step's plan: the step hears how it went (Ok(true): the dialog is open; Ok(false):
    /// nothing to confirm, `lines` are the output), and `next` shows the dialog when there is one.
    ForRunbook { id: RequestId, outcome: Result<bool, String>, lines: Vec<String>, next: Next },
}

/// `s`, `r`, `R`, `i` on the row that stands for `target`: a plan asked for, or the palette
/// opened with the command to complete (a scale's count, an invocation's payload).
pub fn on_action(
    ops: &mut OpsState,
    ctx: &mut Context,
    fleet: &Fleet,
    target: Option<Address>,
    action: Action,
    effects: &mut Vec<Effect>,
) -> Next {
    let Some(address) = target else {
        ctx.flash_info("select a service, an endpoint or an alarm that watches one first");
        return Next::Stay;
    };
    let is_service = matches!(address, Address::EcsService { .. });
    let mut request = |ctx: &mut Context, intent: Intent| {
        action_path::request_plan(ctx, &mut ops.planning, intent, false, effects);
        Next::Stay
    };
    if let Address::Function { name } = &address {
        return function_action(ctx, name, action, request);
    }
    match action {
        // The count is typed: the palette opens with the command, in the one grammar.
        Action::Scale => {
            let shown = match &address {
                Address::Endpoint { endpoint, variant: None } => {
                    let variant = single_variant(fleet, endpoint);
                    format!("scale sm:{endpoint}/{}", variant.unwrap_or_default())
                }
                other => format!("scale {other} "),
            };
            Next::Palette(TextInput::with_text(&shown))
        }
        Action::Redeploy if is_service => request(ctx, Intent::Redeploy { address }),
        Action::Rollback if is_service => request(ctx, Intent::Rollback { address, to: RevisionChoice::Previous }),
        Action::Invoke if !is_service => {
            let Address::Endpoint { endpoint, .. } = &address else { return Next::Stay };
            let configured = ctx.settings.invoke_payloads.get(endpoint).cloned();
            match configured.map(|(body, ty)| invoke::from_config(&body, ty.as_deref())) {
                Some(Ok(payload)) => request(ctx, Intent::Invoke { address, payload }),
                Some(Err(e)) => {
                    ctx.flash_error(e);
                    Next::Stay
                }
                None => {
                    ctx.flash_error(format!(
                        "no test payload configured for sm:{endpoint}: give one with --payload FILE"
                    ));
                    Next::Palette(TextInput::with_text(&format!("invoke {address} --payload ")))
                }
            }
        }
        Action::Redeploy | Action::Rollback => {
            ctx.flash_info(format!("{address} is not an ECS service"));
            Next::Stay
        }
        Action::Invoke => {
            ctx.flash_info(format!("{address} is not a SageMaker endpoint"));
            Next::Stay
        }
        _ => Next::Stay,
    }
}

/// `s` on a function sets its reserved concurrency (the number is typed: 0 stops it, `none`
/// removes the limit); `i` sends its configured test event.
fn function_action(
    ctx: &mut Context,
    name: &str,
    action: Action,
    mut request: impl FnMut(&mut Context, Intent) -> Next,
) -> Next {
    let address = Address::Function { name: name.to_string() };
    match action {
        Action::Scale => Next::Palette(TextInput::with_text(&format!("concurrency {address} "))),
        Action::Invoke => {
            let configured = ctx.settings.lambda_events.get(name).cloned();
            match configured.map(|body| invoke::from_config(&body, Some("application/json")).and_then(invoke::event)) {
                Some(Ok(payload)) => request(ctx, Intent::InvokeFunction { address, payload, qualifier: None }),
                Some(Err(e)) => {
                    ctx.flash_error(e);
                    Next::Stay
                }
                None => {
                    ctx.flash_error(format!(
                        "no test event configured for {address}: [lambda.{name}] test_event in config.toml, or give --payload FILE"
                    ));
                    Next::Palette(TextInput::with_text(&format!("invoke {address} --payload ")))
                }
            }
        }
        Action::Redeploy | Action::Rollback => {
            ctx.flash_info(format!("{address} is a Lambda function: s sets its concurrency, i invokes it"));
            Next::Stay
        }
        _ => Next::Stay,
    }
}

fn single_variant(fleet: &Fleet, endpoint: &str) -> Option<String> {
    let e = fleet.endpoints.data.as_ref()?.iter().find(|e| e.name == endpoint)?;
    match e.variants.as_slice() {
        [only] => Some(format!("{} ", only.name)),
        _ => None,
    }
}

/// A plan arrived: the dialog opens, a dry run is shown, or it says why nothing will happen.
pub fn planned(ops: &mut OpsState, ctx: &mut Context, id: u64, result: Result<Plan, OpError>) -> Planned {
    let Some(planning) = ops.planning.take() else { return Planned::Stale };
    if planning.id != id {
        ops.planning = Some(planning);
        return Planned::Stale;
    }
    let Planning { command, dry_run, for_runbook, .. } = planning;
    if for_runbook {
        // A runbook's step: the dialog opens as always; anything else ends the command.
        let (outcome, lines, next) = match result {
            Ok(plan) if plan.is_noop() => (Ok(false), plan.notes, Next::Stay),
            Ok(plan) if dry_run => {
                let mut lines = plan_lines(&plan);
                lines.push("dry run: nothing was changed".into());
                (Ok(false), lines, Next::Stay)
            }
            Ok(plan) => {
                ctx.flash = None;
                (Ok(true), Vec::new(), Next::Confirm(Box::new(ConfirmDialog::new(plan))))
            }
            Err(e) => (Err(inert(&e.to_string()).into_owned()), Vec::new(), Next::Stay),
        };
        return Planned::ForRunbook { id, outcome, lines, next };
    }
    Planned::Show(match result {
        Ok(plan) if plan.is_noop() => {
            let why = plan.notes.first().cloned().unwrap_or_else(|| "nothing to change".into());
            ctx.flash_info(why);
            Next::Stay
        }
        Ok(plan) if dry_run => {
            ctx.flash_info("dry run: nothing was changed");
            let title = format!("dry run: {}", plan.intent.command_line());
            Next::Report(Report::new(title, plan_lines(&plan)))
        }
        Ok(plan) => {
            ctx.flash = None;
            Next::Confirm(Box::new(ConfirmDialog::new(plan)))
        }
        // Outside autoscaling's bounds: offer the same command with the flag that moves them.
        Err(OpError::BadInput(why)) if why.contains("--adjust-autoscaling") => {
            ctx.flash_error(inert(&why).into_owned());
            Next::Palette(TextInput::with_text(&format!("{command} --adjust-autoscaling")))
        }
        Err(e) => {
            ctx.flash_error(inert(&e.to_string()).into_owned());
            Next::Stay
        }
    })
}

/// The dialog was answered yes (or with the name): the action goes out, once.
pub fn confirmed(ops: &mut OpsState, ctx: &mut Context, confirmed: Confirmed, effects: &mut Vec<Effect>) {
    ops.executing = true;
    ctx.flash_info(format!("applying {}…", confirmed.plan().intent.command_line()));
    effects.push(Effect::Op(Box::new(OpEffect::Execute(Box::new(confirmed)))));
}

/// How a confirmed action went at execute.
#[derive(Debug, Clone, PartialEq)]
pub enum Execution {
    /// Applied: its audit id.
    Applied(String),
    /// Refused or failed: why.
    Failed(String),
    /// The fresh read at execute showed the plan no longer held: a new plan is in the dialog.
    Replanned(String),
    /// The fresh read at execute showed the goal already reached.
    NothingLeft(String),
}

/// A confirmed action ran (or was refused at execute): how it went, and what to show (the new
/// plan in the dialog when the fresh read at execute re-planned it).
pub fn executed(
    ops: &mut OpsState,
    ctx: &mut Context,
    result: Result<Executed, OpError>,
    effects: &mut Vec<Effect>,
) -> (Execution, Progress, Next) {
    ops.executing = false;
    let mut executed = match result {
        Ok(executed) => executed,
        Err(OpError::Replanned { plan, why }) => {
            let why = inert(
                &why.iter().map(|c| format!("{}: {} -> {}", c.field, c.before, c.after)).collect::<Vec<_>>().join(", "),
            )
            .into_owned();
            ctx.flash_info(format!("the plan changed ({why}): nothing was sent; confirm the new plan"));
            let said = format!("the plan changed ({why}); the new plan is in the dialog");
            return (
                Execution::Replanned(said),
                Progress::default(),
                Next::Confirm(Box::new(ConfirmDialog::replanned(*plan, why))),
            );
        }
        Err(OpError::NothingLeft(why)) => {
            let why = format!("nothing left to do: {}", inert(&why));
            ctx.flash_info(why.clone());
            return (Execution::NothingLeft(why), Progress::default(), Next::Stay);
        }
        Err(e) => {
            let why = inert(&e.to_string()).into_owned();
            ctx.flash_error(why.clone());
            return (Execution::Failed(why), Progress::default(), Next::Stay);
        }
    };
    let watch = executed.watch.take();
    ctx.flash_info(format!("{} applied (audit {})", executed.plan.intent.command_line(), executed.id));
    let progress = Progress { outcome: None, responses: responses(&executed, 0), changed: true };
    let mut op = Operation {
        executed,
        watch,
        in_flight: None,
        polled_at: None,
        finished_at: None,
        proceeding: false,
        history: Vec::new(),
    };
    if op.watch.is_none() {
        next_stage_or_finish(ctx.now, &mut op, effects);
    }
    let id = op.executed.id.clone();
    ops.operations.push(op);
    (Execution::Applied(id), progress, Next::Stay)
}

/// The next stage of an action was carried out (or failed). `screen_free` as for `observed`.
pub fn proceeded(
    ops: &mut OpsState,
    ctx: &mut Context,
    executed: Executed,
    result: Result<(), OpError>,
    screen_free: bool,
    effects: &mut Vec<Effect>,
) -> Progress {
    let Some(i) = ops.operations.iter().position(|o| o.executed.id == executed.id && o.proceeding) else {
        return Progress::default();
    };
    let before = ops.operations[i].executed.receipts.len();
    let now = ctx.now;
    let op = &mut ops.operations[i];
    op.proceeding = false;
    op.polled_at = None;
    let mut executed = executed;
    let mut progress = Progress { changed: true, ..Progress::default() };
    match result {
        Ok(()) => {
            if let Some(done) = op.watch.take() {
                op.history.push(done);
            }
            op.watch = executed.watch.take();
            op.executed = executed;
            let label = op.executed.stage_label();
            if op.watch.is_none() {
                next_stage_or_finish(now, op, effects);
            }
            ctx.flash_info(format!("{}: stage {label} applied", op.executed.plan.intent.command_line()));
            progress.outcome = if screen_free { outcome_report(op) } else { None };
            if progress.outcome.is_none() {
                progress.responses = responses(&op.executed, before);
            }
        }
        Err(e) => {
            op.executed = executed;
            op.finished_at = Some(now);
            let why = inert(&e.to_string()).into_owned();
            if let Some(w) = op.watch.as_mut() {
                w.state = WatchState::Failed(why.clone());
            }
            let command = op.executed.plan.intent.command_line();
            ctx.flash_error(format!("{command}: {why}"));
        }
    }
    progress
}

/// A plan as text: what `--dry-run` shows.
fn plan_lines(plan: &Plan) -> Vec<String> {
    let mut lines: Vec<String> =
        plan.changes.iter().map(|c| format!("{}: {} -> {}", c.field, c.before, c.after)).collect();
    lines.push(String::new());
    lines.extend(plan.notes.iter().map(|n| format!("• {n}")));
    if !plan.details.is_empty() {
        lines.push(String::new());
        lines.extend(plan.details.iter().cloned());
    }
    if let Some(inverse) = &plan.inverse {
        lines.push(String::new());
        lines.push(format!("undo: {inverse}"));
    }
    lines
}
