//! The one place state changes: `update(&mut State, Msg) -> Vec<Effect>`. It never awaits,
//! never sends, never reads the clock; effects go back to the runtime to carry out.

use super::msg::{Effect, Msg, Reply};
use super::schedule;
use super::state::{Mode, Pane, State};
use super::{keys, logs_ctl, operations, text};
use crate::backend::BackendError;
use crate::sanitize::inert;

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg {
        Msg::Tick(now) => {
            // Ages on screen change once a second; sub-second ticks redraw only if something moved.
            if now.timestamp() != state.now.timestamp() {
                state.dirty = true;
            }
            state.now = now;
            // Eight seconds of the engineer's time, however fast the simulated clock runs.
            let speed = state.speed();
            if state.flash.as_ref().is_some_and(|f| now - f.at > chrono::Duration::seconds(8 * speed)) {
                state.flash = None;
                state.dirty = true;
            }
            logs_ctl::apply_pending_source(state);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Action(action) => {
            state.dirty = true;
            keys::handle(state, action, &mut effects);
            // A move may reveal rows or open a view whose data is missing: read it now.
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Text(chord) => {
            state.dirty = true;
            text::handle_key(state, chord, &mut effects);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Paste(pasted) => {
            state.dirty = true;
            text::handle_paste(state, &pasted);
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.dirty = true;
            keys::clamp_all(state);
        }
        Msg::Fetched(id, Reply::Snapshots(reads)) => {
            let taken = match state.ops.operations.iter().any(|o| o.in_flight == Some(id)) {
                true => operations::observed(state, id, reads, &mut effects),
                false => super::runbooks::observed(state, id, reads, &mut effects),
            };
            super::runbooks::operations_changed(state, &mut effects);
            if taken {
                state.dirty = true;
                schedule::due_fetches(state, &mut effects);
            }
        }
        Msg::Fetched(id, reply) => {
            let alarms_before = match &reply {
                Reply::Alarms(_) => state.alarms.data.clone(),
                _ => None,
            };
            if accept_reply(state, id, reply) {
                if let Some(before) = alarms_before {
                    super::runbooks::record_alarm_changes(state, &before, &mut effects);
                }
                super::runbooks::alarms_read(state, &mut effects);
                state.dirty = true;
                // A new list may change what is visible, and so what to poll.
                schedule::due_fetches(state, &mut effects);
            }
        }
        Msg::Saved(result) => {
            state.dirty = true;
            match result {
                Ok(path) => state.flash_info(format!("saved to {}", path.display())),
                Err(e) => state.flash_error(e),
            }
        }
        Msg::Resumed => state.dirty = true,
        Msg::Switched(Ok(label)) => {
            state.dirty = true;
            super::keys::switch_backend(state, label);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Switched(Err(e)) => {
            state.dirty = true;
            state.flash_error(format!("could not switch: {e} (still on the previous account)"));
        }
        Msg::Usage(usage) => {
            state.usage = Some(usage);
            state.dirty = true;
        }
        Msg::Planned(id, result) => {
            state.dirty = true;
            let mut result = *result;
            if let Ok(plan) = result.as_mut() {
                super::inert::plan(plan);
            }
            operations::planned(state, id, result, &mut effects);
        }
        Msg::Executed(result) => {
            state.dirty = true;
            operations::executed(state, *result, &mut effects);
            super::runbooks::operations_changed(state, &mut effects);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::Proceeded(executed, result) => {
            state.dirty = true;
            operations::proceeded(state, *executed, result, &mut effects);
            super::runbooks::operations_changed(state, &mut effects);
            schedule::due_fetches(state, &mut effects);
        }
        Msg::CommandOutput { id, code, output, incident } => {
            state.dirty = true;
            state.incident = incident;
            super::runbooks::command_output(state, id, code, output, &mut effects);
        }
        Msg::Incident(result) => {
            state.dirty = true;
            match result {
                Ok(open) => state.incident = open,
                Err(e) => state.flash_error(format!("incident timeline: {e}")),
            }
        }
        Msg::Environments(id, views) => {
            state.dirty = true;
            super::environments::read_done(state, id, views);
        }
        Msg::AuditRead(result) => {
            state.dirty = true;
            super::audit_view::audit_read(state, result, &mut effects);
        }
        Msg::Report { title, result } => {
            state.dirty = true;
            super::audit_view::report(state, title, result);
        }
    }
    if state.mode == Mode::Normal && state.quit {
        effects.push(Effect::Quit);
    }
    effects
}

fn describe(e: BackendError) -> String {
    inert(&e.to_string()).into_owned()
}

/// Store a reply if it is still wanted. Text from outside is made inert before it is kept.
fn accept_reply(state: &mut State, id: u64, reply: Reply) -> bool {
    let now = state.now;
    match reply {
        Reply::Services(result) => {
            let result = result.map_err(describe).map(|mut services| {
                services.iter_mut().for_each(super::inert::service);
                services.sort_by(|a, b| (&a.cluster, &a.name).cmp(&(&b.cluster, &b.name)));
                services
            });
            let accepted = state.services.accept(id, now, result);
            if accepted {
                keys::clamp_all(state);
                logs_ctl::follow_selection(state, Pane::Services, true);
            }
            accepted
        }
        Reply::ServicesFirstScreen(mut first) => {
            // Only a first load shows partial rows; a refresh keeps the full list until the new one is in.
            if state.services.in_flight != Some(id) || state.services.data.is_some() {
                return false;
            }
            first.iter_mut().for_each(super::inert::service);
            first.sort_by(|a, b| (&a.cluster, &a.name).cmp(&(&b.cluster, &b.name)));
            state.services.data = Some(first);
            keys::clamp_all(state);
            true
        }
        Reply::ServiceMetrics(result) => state.service_metrics.accept(id, now, result.map_err(describe)),
        Reply::ServiceDetail(result) => {
            let Some(detail) = state.detail.as_mut() else { return false };
            let result = result.map_err(describe).map(|mut d| {
                super::inert::detail(&mut d);
                d
            });
            detail.data.accept(id, now, result)
        }
        Reply::Endpoints(result) => {
            let result = result.map_err(describe).map(|mut endpoints| {
                endpoints.iter_mut().for_each(super::inert::endpoint);
                endpoints.sort_by(|a, b| a.name.cmp(&b.name));
                endpoints
            });
            let accepted = state.endpoints.accept(id, now, result);
            if accepted {
                keys::clamp_all(state);
            }
            accepted
        }
        Reply::EndpointMetrics(result) => state.endpoint_metrics.accept(id, now, result.map_err(describe)),
        Reply::Alarms(result) => {
            let result = result.map_err(describe).map(|mut alarms| {
                alarms.iter_mut().for_each(super::inert::alarm);
                alarms
            });
            let accepted = state.alarms.accept(id, now, result);
            if accepted {
                keys::clamp_all(state);
            }
            accepted
        }
        Reply::Cost(result) => {
            let (monthly, systems) = (state.settings.monthly_budget, &state.settings.system_budgets);
            let result = result.map_err(describe).map(|mut c| {
                super::inert::cost(&mut c);
                // Configured budgets fill in where the account reports none.
                c.budget = c.budget.or(monthly);
                for s in &mut c.by_system {
                    s.budget = s.budget.or_else(|| systems.get(&s.system).copied());
                }
                c
            });
            state.cost.accept(id, now, result)
        }
        Reply::Logs { generation, result } => logs_ctl::accept(state, id, generation, result.map_err(describe)),
        // Watches take their reads before this (update's Msg::Fetched arm).
        Reply::Snapshots(_) => false,
    }
}
