//! Operator actions in the console: from a key or a palette line to a plan, the confirm dialog,
//! execution and the watch. Pure like the rest of update: the I/O goes out as `Effect::Op`.

pub use super::watches::{due, observed, proceeded, shown_operations, strip_rows, SnapshotResult};

use super::msg::{Effect, OpEffect};
use super::ops_state::{ConfirmDialog, Operation, Planning, Report};
use super::rows;
use super::state::{Mode, Pane, State, TextInput};
use super::watches::{next_stage_or_finish, refresh_lists};
use crate::domain::Address;
use crate::keymap::{Action, ChordCode, KeyChord};
use crate::ops::grammar::{self, Verb};
use crate::ops::{confirm, invoke, Answer, Executed, Intent, OpError, Plan, RevisionChoice};

/// Ask for a plan: the resource is read fresh, and the dialog opens when it arrives.
pub fn request(state: &mut State, intent: Intent, effects: &mut Vec<Effect>) {
    request_plan(state, intent, false, effects);
}

/// Ask for a plan; with `dry_run` it is only shown when it arrives.
fn request_plan(state: &mut State, intent: Intent, dry_run: bool, effects: &mut Vec<Effect>) {
    if state.ops.planning.is_some() {
        return state.flash_info("a plan is still being read: one at a time");
    }
    let id = state.request_id();
    state.ops.planning = Some(Planning { id, command: intent.command_line(), dry_run, for_runbook: false });
    state.flash_info(format!("reading {} fresh for the plan…", intent.target()));
    effects.push(Effect::Op(Box::new(OpEffect::Plan { id, intent })));
}

/// A palette line (or an undo) that names an action verb.
pub fn run_verb(state: &mut State, verb: &Verb, effects: &mut Vec<Effect>) {
    match verb {
        Verb::Audit(_) => super::audit_view::open_audit(state, effects),
        Verb::Undo(args) => {
            // Without an id, the audit view opens to choose from; with one, it is undone once read.
            super::audit_view::open_audit(state, effects);
            if let (Mode::Audit(view), Some(id)) = (&mut state.mode, &args.id) {
                view.undo_when_read = Some(id.clone());
            }
        }
        Verb::Env(args) => super::environments::open_from_palette(state, args, effects),
        Verb::Runbook(args) => super::runbooks::palette(state, args, effects),
        Verb::Incident(args) => super::runbooks::incident(state, args, effects),
        Verb::Revisions(args) => match grammar::parse_address(&args.address) {
            Ok(address) => {
                let diff = args.diff.as_ref().and_then(|d| Some((d.first()?.clone(), d.get(1)?.clone())));
                effects.push(Effect::Op(Box::new(OpEffect::Revisions { address, diff })));
            }
            Err(e) => state.flash_error(e),
        },
        other => match grammar::intent_of(other, &state.settings) {
            Ok(Some(intent)) => {
                let dry_run = other.run_args().is_some_and(|r| r.dry_run);
                request_plan(state, intent, dry_run, effects)
            }
            Ok(None) => {}
            Err(e) => state.flash_error(e),
        },
    }
}

/// The resource the selected row stands for: a service, an endpoint variant, or what an alarm watches.
pub fn selected_target(state: &State) -> Option<Address> {
    match state.focus {
        Pane::Services => match &state.detail {
            Some(d) => Some(d.address.clone()),
            None => rows::selected_service(state).map(|s| s.address()),
        },
        Pane::Endpoints => {
            let rows = rows::endpoint_rows(state);
            let row = *rows.get(state.endpoints_list.selected)?;
            let (endpoint, variant) = rows::endpoint_row_parts(state, row)?;
            Some(Address::Endpoint { endpoint: endpoint.name.clone(), variant: variant.map(|v| v.name.clone()) })
        }
        Pane::Alarms => rows::selected_alarm(state)?.watches.clone(),
        Pane::Logs => state.logs.source.as_ref().map(|s| s.owner.clone()),
        Pane::Cost => None,
    }
}

/// `s`, `r`, `R`, `i` on the selected row.
pub fn key_action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    let Some(address) = selected_target(state) else {
        return state.flash_info("select a service, an endpoint or an alarm that watches one first");
    };
    let is_service = matches!(address, Address::EcsService { .. });
    match action {
        // The count is typed: the palette opens with the command, in the one grammar.
        Action::Scale => {
            let shown = match &address {
                Address::Endpoint { endpoint, variant: None } => {
                    let variant = single_variant(state, endpoint);
                    format!("scale sm:{endpoint}/{}", variant.unwrap_or_default())
                }
                other => format!("scale {other} "),
            };
            state.mode = Mode::Palette(TextInput::with_text(&shown));
        }
        Action::Redeploy if is_service => request(state, Intent::Redeploy { address }, effects),
        Action::Rollback if is_service => {
            request(state, Intent::Rollback { address, to: RevisionChoice::Previous }, effects)
        }
        Action::Invoke if !is_service => {
            let Address::Endpoint { endpoint, .. } = &address else { return };
            let configured = state.settings.invoke_payloads.get(endpoint).cloned();
            match configured.map(|(body, ty)| invoke::from_config(&body, ty.as_deref())) {
                Some(Ok(payload)) => request(state, Intent::Invoke { address, payload }, effects),
                Some(Err(e)) => state.flash_error(e),
                None => {
                    state.flash_error(format!(
                        "no test payload configured for sm:{endpoint}: give one with --payload FILE"
                    ));
                    state.mode = Mode::Palette(TextInput::with_text(&format!("invoke {address} --payload ")));
                }
            }
        }
        Action::Redeploy | Action::Rollback => state.flash_info(format!("{address} is not an ECS service")),
        Action::Invoke => state.flash_info(format!("{address} is not a SageMaker endpoint")),
        _ => {}
    }
}

fn single_variant(state: &State, endpoint: &str) -> Option<String> {
    let e = state.endpoints.data.as_ref()?.iter().find(|e| e.name == endpoint)?;
    match e.variants.as_slice() {
        [only] => Some(format!("{} ", only.name)),
        _ => None,
    }
}

pub fn planned(state: &mut State, id: u64, result: Result<Plan, OpError>, effects: &mut Vec<Effect>) {
    let Some(planning) = state.ops.planning.take() else { return };
    if planning.id != id {
        state.ops.planning = Some(planning);
        return;
    }
    if planning.for_runbook {
        // A runbook's step: the dialog opens as always; anything else ends the command.
        let outcome = match result {
            Ok(plan) if plan.is_noop() => Err(Ok(plan.notes)),
            Ok(plan) if planning.dry_run => {
                let mut lines = plan_lines(&plan);
                lines.push("dry run: nothing was changed".into());
                Err(Ok(lines))
            }
            Ok(plan) => {
                state.flash = None;
                state.mode = Mode::Confirm(Box::new(ConfirmDialog {
                    plan,
                    typed: TextInput::default(),
                    scroll: 0,
                    error: None,
                }));
                Ok(())
            }
            Err(e) => Err(Err(crate::sanitize::inert(&e.to_string()).into_owned())),
        };
        return match outcome {
            Ok(()) => super::runbooks::planned(state, id, Ok(true), Vec::new(), effects),
            Err(Ok(lines)) => super::runbooks::planned(state, id, Ok(false), lines, effects),
            Err(Err(why)) => super::runbooks::planned(state, id, Err(why), Vec::new(), effects),
        };
    }
    let command = planning.command;
    match result {
        Ok(plan) if plan.is_noop() => {
            let why = plan.notes.first().cloned().unwrap_or_else(|| "nothing to change".into());
            state.flash_info(why);
        }
        Ok(plan) if planning.dry_run => {
            state.flash_info("dry run: nothing was changed");
            let title = format!("dry run: {}", plan.intent.command_line());
            state.mode = Mode::Report(Report { title, lines: plan_lines(&plan), scroll: 0 });
        }
        Ok(plan) => {
            state.flash = None;
            state.mode =
                Mode::Confirm(Box::new(ConfirmDialog { plan, typed: TextInput::default(), scroll: 0, error: None }));
        }
        // Outside autoscaling's bounds: offer the same command with the flag that moves them.
        Err(OpError::BadInput(why)) if why.contains("--adjust-autoscaling") => {
            state.flash_error(crate::sanitize::inert(&why).into_owned());
            state.mode = Mode::Palette(TextInput::with_text(&format!("{command} --adjust-autoscaling")));
        }
        Err(e) => state.flash_error(crate::sanitize::inert(&e.to_string()).into_owned()),
    }
}

/// Keys while the confirm dialog is open.
pub fn confirm_key(state: &mut State, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Mode::Confirm(dialog) = &mut state.mode else { return };
    let destructive = dialog.plan.destructive && !state.settings.read_only;
    let answer = match (chord.code, chord.ctrl) {
        (ChordCode::Esc, _) | (ChordCode::Char('c'), true) => {
            state.mode = Mode::Normal;
            state.flash_info("cancelled: nothing was sent");
            return super::runbooks::answered(state, Err("cancelled: nothing was sent".into()), effects);
        }
        (ChordCode::Up, _) => return dialog.scroll = dialog.scroll.saturating_sub(1),
        (ChordCode::Down, _) => return dialog.scroll += 1,
        (ChordCode::PageUp, _) => return dialog.scroll = dialog.scroll.saturating_sub(10),
        (ChordCode::PageDown, _) => return dialog.scroll += 10,
        (ChordCode::Enter, _) if destructive => Answer::Typed(dialog.typed.text.clone()),
        (ChordCode::Backspace, _) if destructive => {
            dialog.typed.text.pop();
            dialog.typed.cursor = dialog.typed.text.chars().count();
            return;
        }
        (ChordCode::Char(c), false) if destructive => {
            dialog.typed.text.push(c);
            dialog.typed.cursor += 1;
            dialog.error = None;
            return;
        }
        (ChordCode::Enter, _) | (ChordCode::Char('y' | 'Y'), false) => Answer::Yes,
        (ChordCode::Char('n' | 'q'), false) => {
            state.mode = Mode::Normal;
            state.flash_info("cancelled: nothing was sent");
            return super::runbooks::answered(state, Err("cancelled: nothing was sent".into()), effects);
        }
        (ChordCode::Char('j'), false) => return dialog.scroll += 1,
        (ChordCode::Char('k'), false) => return dialog.scroll = dialog.scroll.saturating_sub(1),
        _ => return,
    };
    let Mode::Confirm(dialog) = std::mem::replace(&mut state.mode, Mode::Normal) else { return };
    let ConfirmDialog { plan, scroll, .. } = *dialog;
    match confirm(plan.clone(), &answer, state.settings.read_only) {
        Ok(confirmed) => {
            state.ops.executing = true;
            state.flash_info(format!("applying {}…", plan.intent.command_line()));
            effects.push(Effect::Op(Box::new(OpEffect::Execute(Box::new(confirmed)))));
            super::runbooks::answered(state, Ok(()), effects);
        }
        // A wrong name keeps the dialog open, cleared, with the reason.
        Err(e) if destructive => {
            let error = Some(e.to_string());
            state.mode = Mode::Confirm(Box::new(ConfirmDialog { plan, typed: TextInput::default(), scroll, error }));
        }
        Err(e) => {
            state.flash_error(e.to_string());
            super::runbooks::answered(state, Err(e.to_string()), effects);
        }
    }
}

pub fn executed(state: &mut State, result: Result<Executed, OpError>, effects: &mut Vec<Effect>) {
    state.ops.executing = false;
    let mut executed = match result {
        Ok(executed) => executed,
        Err(e) => {
            let why = crate::sanitize::inert(&e.to_string()).into_owned();
            state.flash_error(why.clone());
            return super::runbooks::executed(state, Err(why), effects);
        }
    };
    let watch = executed.watch.take();
    state.flash_info(format!("{} applied (audit {})", executed.plan.intent.command_line(), executed.id));
    show_responses(state, &executed, 0);
    refresh_lists(state);
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
        next_stage_or_finish(state.now, &mut op, effects);
    }
    let id = op.executed.id.clone();
    state.ops.operations.push(op);
    super::runbooks::executed(state, Ok(id), effects);
}

/// Invocation answers from `from` on (a test inference, a restore's checks) open as a report.
pub(super) fn show_responses(state: &mut State, executed: &Executed, from: usize) {
    let answers: Vec<&crate::domain::InvokeResponse> =
        executed.receipts.iter().skip(from).filter_map(|r| r.response.as_ref()).collect();
    if answers.is_empty() {
        return;
    }
    let mut lines = Vec::new();
    let endpoints: Vec<String> = executed
        .plan
        .mutations()
        .filter_map(|m| match m {
            crate::domain::Mutation::Invoke { endpoint, .. } => Some(format!("sm:{endpoint}")),
            _ => None,
        })
        .collect();
    for (i, answer) in answers.iter().enumerate() {
        if answers.len() > 1 {
            lines.push(endpoints.get(i).cloned().unwrap_or_default());
        }
        lines.extend(invoke::describe_response(answer));
    }
    if super::runbooks::take_output(state, &lines) {
        return;
    }
    let title = format!("{} {}", executed.plan.intent.verb(), executed.plan.intent.target());
    state.mode = Mode::Report(Report { title, lines, scroll: 0 });
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
