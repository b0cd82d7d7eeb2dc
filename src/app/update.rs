//! The one place state changes: `update(&mut State, Msg) -> Vec<Effect>`. It never awaits,
//! never sends, never reads the clock; effects go back to the runtime to carry out. Keys go to
//! the router; replies go to the room that asked for them.

use super::commands;
use super::deep_link;
use super::fleet::describe;
use super::inert;
use super::msg::{Effect, Msg, Reply};
use super::operations::{self, Planned, Progress};
use super::pane::Pane;
use super::report::Report;
use super::router;
use super::schedule;
use super::state::{Mode, State};
use super::timeline;
use crate::ops::OpError;
use crate::sanitize::inert as inert_text;

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg {
        Msg::Tick(now) => {
            // Only a label that now reads differently makes a redraw: an idle screen of
            // minute-old ages is drawn once a minute.
            if state.ctx.redraw_at.is_some_and(|at| now >= at) {
                state.dirty = true;
            }
            state.ctx.now = now;
            if state.ctx.expire_flash() {
                state.dirty = true;
            }
            if state.dashboard.logs.apply_pending(now) {
                state.dirty = true;
            }
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Drawn(next_change) => state.ctx.redraw_at = next_change,
        Msg::Action(action) => {
            state.dirty = true;
            router::on_action(state, action, &mut effects);
            // A move may reveal rows or open a view whose data is missing: read it now.
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Text(chord) => {
            state.dirty = true;
            router::on_text(state, chord, &mut effects);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Paste(pasted) => {
            state.dirty = true;
            router::on_paste(state, &pasted);
        }
        Msg::Resize(w, h) => {
            state.ctx.size = (w, h);
            state.dirty = true;
            state.panes().clamp_all();
        }
        Msg::Fetched(id, Reply::Snapshots(reads)) => {
            let taken = if operations::wants(&state.ops, id) {
                let screen_free = state.screen_free();
                let progress =
                    operations::observed(&mut state.ops, &mut state.ctx, id, reads, screen_free, &mut effects);
                progress.map(|p| after_progress(state, p)).is_some()
            } else {
                let next = state.runner().observed(id, reads, &mut effects);
                next.map(|n| state.show(n)).is_some()
            };
            let next = state.runner().operations_changed(&mut effects);
            state.show(next);
            if taken {
                state.dirty = true;
                schedule::due_fetches(state, &mut effects);
            }
        }
        Msg::Fetched(id, reply) => {
            let alarms_before = match &reply {
                Reply::Alarms(_) => state.fleet.alarms.data.clone(),
                _ => None,
            };
            // A log read with nothing new changes nothing on screen: no frame for it (the log
            // pane reads every second, so this is most of an idle console's frames).
            let quiet = matches!(&reply, Reply::Logs { result: Ok(batch), .. }
                if batch.events.is_empty() && batch.skipped == 0)
                && state.dashboard.logs.error.is_none()
                || unchanged(state, &reply);
            // The same log error again ("the group does not exist") changes nothing on screen.
            let log_error_before = match &reply {
                Reply::Logs { result: Err(_), .. } => state.dashboard.logs.error.clone(),
                _ => None,
            };
            if accept_reply(state, id, reply, &mut effects) {
                let quiet = quiet || log_error_before.is_some_and(|e| state.dashboard.logs.error.as_ref() == Some(&e));
                if let Some(link) = state.dashboard.pending_link.clone() {
                    if deep_link::apply(&mut state.panes(), &link) {
                        state.dashboard.pending_link = None;
                    }
                }
                if let Some(before) = alarms_before {
                    timeline::record_alarm_changes(&state.ctx, &state.fleet, &before, &mut effects);
                }
                let next = state.runner().alarms_read(&mut effects);
                state.show(next);
                schedule::due_cache_write(state, &mut effects);
                state.dirty |= !quiet;
                // A new list may change what is visible, and so what to poll.
                schedule::due_fetches(state, &mut effects);
            }
        }
        Msg::Saved(result) => {
            state.dirty = true;
            match result {
                Ok(path) => state.ctx.flash_info(format!("saved to {}", path.display())),
                Err(e) => state.ctx.flash_error(e),
            }
        }
        Msg::Resumed => state.dirty = true,
        Msg::Switched(Ok(label)) => {
            state.dirty = true;
            state.panes().switch_backend(label);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Switched(Err(e)) => {
            state.dirty = true;
            state.ctx.flash_error(format!("could not switch: {e} (still on the previous account)"));
        }
        Msg::Usage(usage) => {
            state.ctx.usage = Some(usage);
            state.dirty = true;
        }
        Msg::LeaseLost(text) => {
            // The table's text names another operator: inert before it is shown.
            state.ctx.flash_error(format!("⚠ {}", crate::sanitize::inert(&text)));
            state.dirty = true;
        }
        Msg::PlaceErrors(errors) => {
            // Text from AWS: inert before it is kept.
            state.ctx.place_errors = errors
                .into_iter()
                .map(|(p, e)| (crate::sanitize::inert(&p).into_owned(), crate::sanitize::inert(&e).into_owned()))
                .collect();
            state.dirty = true;
        }
        Msg::Planned(id, result) => {
            state.dirty = true;
            let mut result = *result;
            if let Ok(plan) = result.as_mut() {
                inert::plan(plan);
            }
            match operations::planned(&mut state.ops, &mut state.ctx, id, result) {
                Planned::Stale => {}
                Planned::Show(next) => state.show(next),
                Planned::ForRunbook { id, outcome, lines, next } => {
                    state.show(next);
                    let next = state.runner().planned(id, outcome, lines, &mut effects);
                    state.show(next);
                }
            }
        }
        Msg::Executed(result) => {
            state.dirty = true;
            let mut result = *result;
            if let Err(OpError::Replanned { plan, .. }) = result.as_mut() {
                inert::plan(plan);
            }
            let (outcome, progress, shown) = operations::executed(&mut state.ops, &mut state.ctx, result, &mut effects);
            after_progress(state, progress);
            state.show(shown);
            let next = state.runner().executed(outcome, &mut effects);
            state.show(next);
            let next = state.runner().operations_changed(&mut effects);
            state.show(next);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Proceeded(executed, result) => {
            state.dirty = true;
            let screen_free = state.screen_free();
            let progress =
                operations::proceeded(&mut state.ops, &mut state.ctx, *executed, result, screen_free, &mut effects);
            after_progress(state, progress);
            let next = state.runner().operations_changed(&mut effects);
            state.show(next);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::CommandOutput { id, code, output, incident } => {
            state.dirty = true;
            state.ctx.incident = incident;
            if state.palette_command == Some(id) {
                commands::output(state, code, &output);
            } else {
                let next = state.runner().command_output(id, code, output, &mut effects);
                state.show(next);
            }
        }
        Msg::Incident(result) => {
            state.dirty = true;
            match result {
                Ok(open) => state.ctx.incident = open,
                Err(e) => state.ctx.flash_error(format!("incident timeline: {e}")),
            }
        }
        Msg::Environments(id, views) => {
            state.dirty = true;
            if let Mode::Environments(view) = &mut state.mode {
                view.read_done(id, views);
            }
        }
        Msg::Timeline(id, result) => {
            let before = state.timeline.entries.len();
            state.timeline.accept(id, result, state.ctx.now);
            if let Mode::Timeline(view) = &mut state.mode {
                view.follow(before, state.timeline.entries.len());
                state.dirty = true;
            }
            // The runbook view shows other operators' steps from the same entries.
            if state.mode == Mode::Runbook && state.timeline.entries.len() != before {
                state.dirty = true;
            }
        }
        Msg::AuditRead(result) => {
            state.dirty = true;
            if let Mode::Audit(view) = &mut state.mode {
                let next = view.read(&mut state.ctx, &mut state.ops.planning, result, &mut effects);
                state.show(next);
            }
        }
        Msg::Report { title, result } => {
            state.dirty = true;
            match result {
                Ok(lines) => state.mode = Mode::Report(Report::of_outside_text(title, &lines)),
                Err(e) => state.ctx.flash_error(inert_text(&e).into_owned()),
            }
        }
    }
    if state.mode == Mode::Normal && state.quit {
        effects.push(Effect::Quit);
    }
    effects
}

/// What an action's progress asks for: its outcome or answers on screen (a runbook step applying
/// it takes the answers), and the lists read again when what runs has changed.
fn after_progress(state: &mut State, progress: Progress) {
    if let Some(report) = progress.outcome {
        state.mode = Mode::Report(report);
    }
    if let Some(answers) = progress.responses {
        if !state.runner().take_output(&answers.lines) {
            state.mode = Mode::Report(answers);
        }
    }
    if progress.changed {
        state.fleet.refresh_after_action(state.ctx.is_demo());
        if let Some(d) = state.dashboard.detail.as_mut() {
            d.data.expire();
        }
    }
}

/// Store a reply if it is still wanted. Text from outside is made inert before it is kept.
fn accept_reply(state: &mut State, id: u64, reply: Reply, effects: &mut Vec<Effect>) -> bool {
    let now = state.ctx.now;
    let fleet = &mut state.fleet;
    match reply {
        Reply::Services(result) => {
            let accepted = fleet.accept_services(id, now, result);
            if accepted {
                fleet.resolve_alarm_targets();
                let mut panes = state.panes();
                panes.clamp_all();
                panes.follow_selection(Pane::Services, true);
            }
            accepted
        }
        Reply::ServicesFirstScreen(first) => {
            let accepted = fleet.accept_first_screen(id, first);
            if accepted {
                state.panes().clamp_all();
            }
            accepted
        }
        Reply::ServiceMetrics(result) => fleet.accept_service_metrics(id, now, result),
        Reply::ServiceDetail(result) => match state.dashboard.detail.as_mut() {
            Some(detail) => detail.accept(id, &state.ctx, result),
            None => false,
        },
        Reply::Endpoints(result) => {
            let accepted = fleet.accept_endpoints(id, now, result);
            if accepted {
                state.panes().clamp_all();
            }
            accepted
        }
        Reply::EndpointMetrics(result) => fleet.accept_endpoint_metrics(id, now, result),
        Reply::Alarms(result) => {
            let accepted = fleet.accept_alarms(id, now, result);
            if accepted {
                fleet.resolve_alarm_targets();
                state.panes().clamp_all();
            }
            accepted
        }
        Reply::Cost(result) => fleet.accept_cost(id, now, &state.ctx.settings, result),
        Reply::TargetHealth(result) => {
            let accepted = fleet.accept_target_health(id, now, result);
            if accepted {
                fleet.resolve_alarm_targets();
            }
            accepted
        }
        Reply::Functions(result) => {
            let accepted = fleet.accept_functions(id, now, result);
            if accepted {
                fleet.resolve_alarm_targets();
                state.dashboard.functions.list_read(&state.fleet);
                state.panes().clamp_all();
            }
            accepted
        }
        Reply::FunctionMetrics(result) => fleet.accept_function_metrics(id, now, result),
        Reply::FunctionDetail(result) => match state.dashboard.functions.detail.as_mut() {
            Some(detail) => detail.accept(id, &state.ctx, *result),
            None => false,
        },
        Reply::EndpointModels(result) => fleet.accept_endpoint_models(id, now, result),
        Reply::Logs { generation, result } => state.dashboard.logs.accept(id, generation, result.map_err(describe)),
        // Watches take their reads before this (update's Msg::Fetched arm).
        Reply::Snapshots(_) => false,
        Reply::QueryStarted(result) => match &mut state.mode {
            Mode::Query(view) => {
                view.started(id, result, &state.ctx);
                true
            }
            _ => false,
        },
        Reply::QueryResults(result) => match &mut state.mode {
            Mode::Query(view) => {
                view.progressed(id, result, &state.ctx, effects);
                true
            }
            _ => false,
        },
        Reply::QueryStopped(result) => match &mut state.mode {
            Mode::Query(view) => {
                view.stopped(id, result);
                true
            }
            _ => false,
        },
        Reply::LogRecord(result) => match &mut state.mode {
            Mode::Query(view) => {
                view.record_read(id, result, now);
                true
            }
            _ => false,
        },
        Reply::Chart(result) => match &mut state.mode {
            Mode::Chart(view) => view.accept(id, now, result),
            _ => false,
        },
    }
}

/// A list read again with nothing changed (see `Loadable::unchanged_by`); "live" in the status
/// bar lasts two refreshes.
fn unchanged(state: &State, reply: &Reply) -> bool {
    let (now, fleet) = (state.ctx.now, &state.fleet);
    let fresh = schedule::services_interval(state) * 2;
    match reply {
        Reply::Services(Ok(new)) => fleet.services.unchanged_by(new, now, fresh),
        Reply::Alarms(Ok(new)) => fleet.alarms.unchanged_by(new, now, fresh),
        Reply::Endpoints(Ok(new)) => fleet.endpoints.unchanged_by(new, now, fresh),
        _ => false,
    }
}
