//! What each action does in normal mode (text fields are handled in `text`).

use super::msg::Effect;
use super::state::{DetailView, ListState, Loadable, LogWindow, Mode, Pane, State, TextInput};
use super::{logs_ctl, operations, rows, schedule};
use crate::domain::Address;
use crate::keymap::Action;

pub fn handle(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    match state.mode {
        Mode::Audit(_) => return super::audit_view::audit_action(state, action, effects),
        Mode::Report(_) => return super::audit_view::report_action(state, action),
        Mode::Environments(_) => return super::environments::action(state, action, effects),
        Mode::Runbook => return super::runbooks::action(state, action, effects),
        _ => {}
    }
    if let Mode::Help { scroll } = &mut state.mode {
        match action {
            Action::Down => *scroll += 1,
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::PageDown => *scroll += 10,
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::Top => *scroll = 0,
            Action::QuitRequest => quit_request(state),
            _ => state.mode = Mode::Normal,
        }
        return;
    }
    match action {
        Action::Help => state.mode = Mode::Help { scroll: 0 },
        Action::Palette => state.mode = Mode::Palette(TextInput::default()),
        Action::Filter => {
            let current = current_filter_text(state).unwrap_or_default();
            state.mode = Mode::Filter(TextInput::with_text(&current));
        }
        Action::Back => back(state),
        Action::NextPane => cycle_focus(state, 1),
        Action::PrevPane => cycle_focus(state, Pane::ALL.len() - 1),
        Action::Up => move_cursor(state, Move::By(-1)),
        Action::Down => move_cursor(state, Move::By(1)),
        Action::Top => move_cursor(state, Move::Top),
        Action::Bottom => move_cursor(state, Move::Bottom),
        Action::PageUp => move_cursor(state, Move::Page(-1)),
        Action::PageDown => move_cursor(state, Move::Page(1)),
        Action::Select => select(state),
        Action::Zoom => {
            state.zoomed = !state.zoomed;
            clamp_all(state);
        }
        Action::Refresh => refresh(state, effects),
        Action::QuitRequest => quit_request(state),
        Action::Suspend => effects.push(Effect::Suspend),
        Action::ToggleFollow => state.logs.view.toggle_follow(),
        Action::ToggleWrap => state.logs.view.toggle_wrap(),
        Action::CycleTimestamps => state.logs.view.cycle_timestamps(),
        Action::NextMatch | Action::PrevMatch => {
            let found =
                if action == Action::NextMatch { state.logs.view.next_match() } else { state.logs.view.prev_match() };
            if !found {
                state.flash_info(if state.logs.filter_text.is_some() {
                    "no matches"
                } else {
                    "no filter: press / first"
                });
            }
        }
        Action::ToggleHighlight => {
            state.logs.view.toggle_highlight_only();
            let mode =
                if state.logs.view.highlight_only() { "all lines, matches highlighted" } else { "matching lines only" };
            state.flash_info(format!("logs: {mode}"));
        }
        Action::SaveLogs => logs_ctl::save(state, effects),
        Action::WindowTail => logs_ctl::set_window(state, LogWindow::Tail),
        Action::Window1m => logs_ctl::set_window(state, LogWindow::Last(60)),
        Action::Window5m => logs_ctl::set_window(state, LogWindow::Last(300)),
        Action::Window15m => logs_ctl::set_window(state, LogWindow::Last(900)),
        Action::Window30m => logs_ctl::set_window(state, LogWindow::Last(1800)),
        Action::Window1h => logs_ctl::set_window(state, LogWindow::Last(3600)),
        Action::Window3h => logs_ctl::set_window(state, LogWindow::Last(3 * 3600)),
        Action::Scale | Action::Redeploy | Action::Rollback | Action::Invoke => {
            operations::key_action(state, action, effects)
        }
        Action::Undo => state.flash_info("u undoes an action in the audit view: open it with :audit"),
        Action::Environments => super::environments::open(state, None, false, effects),
        Action::Runbook => super::runbooks::open_key(state, effects),
        Action::RunStep | Action::SkipStep | Action::Note => {
            state.flash_info("runbook keys work in the runbook view: o on an alarm opens its runbook")
        }
        Action::Teardown | Action::Restore => {
            state.flash_info("teardown and restore act on an environment: open the list with E (or :env)")
        }
        Action::None => {}
    }
}

/// Where a movement key takes the selection of a popup's list of `len` rows (j/k, page, top,
/// bottom); None for any other action.
pub fn moved(selected: usize, len: usize, action: Action) -> Option<usize> {
    let last = len.saturating_sub(1);
    Some(match action {
        Action::Down => (selected + 1).min(last),
        Action::Up => selected.saturating_sub(1),
        Action::PageDown => (selected + 10).min(last),
        Action::PageUp => selected.saturating_sub(10),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return None,
    })
}

pub fn quit_request(state: &mut State) {
    if state.settings.ctrl_c_quits {
        state.quit = true;
        state.mode = Mode::Normal;
    } else {
        state.mode = Mode::ConfirmQuit;
    }
}

fn current_filter_text(state: &State) -> Option<String> {
    match state.focus {
        Pane::Logs => state.logs.filter_text.clone(),
        pane => list(state, pane).and_then(|l| l.filter.as_ref().map(|f| f.text.clone())),
    }
}

fn back(state: &mut State) {
    if state.focus == Pane::Services && state.detail.is_some() {
        state.detail = None;
        logs_ctl::follow_selection(state, Pane::Services, false);
    } else if state.zoomed {
        state.zoomed = false;
    } else if current_filter_text(state).is_some() {
        super::text::apply_filter(state, "");
    }
    clamp_all(state);
}

pub fn focus(state: &mut State, pane: Pane) {
    state.focus = pane;
    clamp_all(state);
}

fn cycle_focus(state: &mut State, step: usize) {
    let index = Pane::ALL.iter().position(|p| *p == state.focus).unwrap_or(0);
    focus(state, Pane::ALL[(index + step) % Pane::ALL.len()]);
}

pub fn list(state: &State, pane: Pane) -> Option<&ListState> {
    match pane {
        Pane::Services => Some(&state.services_list),
        Pane::Endpoints => Some(&state.endpoints_list),
        Pane::Alarms => Some(&state.alarms_list),
        Pane::Logs | Pane::Cost => None,
    }
}

pub fn list_mut(state: &mut State, pane: Pane) -> Option<&mut ListState> {
    match pane {
        Pane::Services => Some(&mut state.services_list),
        Pane::Endpoints => Some(&mut state.endpoints_list),
        Pane::Alarms => Some(&mut state.alarms_list),
        Pane::Logs | Pane::Cost => None,
    }
}

fn row_count(state: &State, pane: Pane) -> usize {
    match pane {
        Pane::Services => rows::service_rows(state).len(),
        Pane::Endpoints => rows::endpoint_rows(state).len(),
        Pane::Alarms => rows::alarm_rows(state).len(),
        Pane::Logs | Pane::Cost => 0,
    }
}

enum Move {
    By(i64),
    Page(i64),
    Top,
    Bottom,
}

fn move_cursor(state: &mut State, how: Move) {
    let pane = state.focus;
    let areas = state.areas();
    let page = areas.table_rows(pane).max(1);
    if pane == Pane::Logs {
        let view = &mut state.logs.view;
        match how {
            Move::By(n) if n < 0 => view.scroll_up(1),
            Move::By(_) => view.scroll_down(1),
            Move::Page(n) if n < 0 => view.scroll_up(page),
            Move::Page(_) => view.scroll_down(page),
            Move::Top => view.top(),
            Move::Bottom => view.bottom(),
        }
        return;
    }
    let len = row_count(state, pane);
    let Some(list) = list_mut(state, pane) else { return };
    if len == 0 {
        return;
    }
    let last = len - 1;
    let current = list.selected.min(last) as i64;
    list.selected = match how {
        Move::By(n) => (current + n).clamp(0, last as i64) as usize,
        Move::Page(n) => (current + n * page as i64).clamp(0, last as i64) as usize,
        Move::Top => 0,
        Move::Bottom => last,
    };
    clamp_all(state);
    if matches!(pane, Pane::Services | Pane::Endpoints) {
        state.log_follows = pane;
        logs_ctl::follow_selection(state, pane, false);
    }
}

/// Keep every cursor on a row and inside its viewport after data, filters or sizes change.
pub fn clamp_all(state: &mut State) {
    let areas = state.areas();
    if let Some(area) = areas.of(Pane::Logs) {
        state.logs.view.set_viewport_height(usize::from(area.height.saturating_sub(2)).max(1));
    }
    for pane in [Pane::Services, Pane::Endpoints, Pane::Alarms] {
        let len = row_count(state, pane);
        let height = areas.table_rows(pane).max(1);
        if let Some(list) = list_mut(state, pane) {
            list.selected = list.selected.min(len.saturating_sub(1));
            if list.selected < list.offset {
                list.offset = list.selected;
            } else if list.selected >= list.offset + height {
                list.offset = list.selected + 1 - height;
            }
            list.offset = list.offset.min(len.saturating_sub(height));
        }
    }
}

fn select(state: &mut State) {
    match state.focus {
        Pane::Services => {
            if state.detail.is_some() {
                return;
            }
            if let Some(service) = rows::selected_service(state) {
                state.detail = Some(DetailView { address: service.address(), data: Loadable::default() });
            }
        }
        Pane::Endpoints => {
            state.log_follows = Pane::Endpoints;
            logs_ctl::follow_selection(state, Pane::Endpoints, false);
            if let Some((source, _)) = state.logs.pending.take() {
                logs_ctl::switch_to(state, source);
            }
            focus(state, Pane::Logs);
        }
        Pane::Alarms => jump_to_alarm_target(state),
        Pane::Logs | Pane::Cost => {}
    }
}

fn jump_to_alarm_target(state: &mut State) {
    let Some(alarm) = rows::selected_alarm(state) else { return };
    let name = alarm.name.clone();
    match alarm.watches.clone() {
        Some(address @ Address::EcsService { .. }) => {
            if rows::service_row_of(state, &address).is_none() {
                state.services_list.filter = None;
            }
            match rows::service_row_of(state, &address) {
                Some(row) => {
                    state.services_list.selected = row;
                    state.detail = None;
                    focus(state, Pane::Services);
                    state.log_follows = Pane::Services;
                    logs_ctl::follow_selection(state, Pane::Services, false);
                }
                None => state.flash_error(format!("{name} watches {address}, which is not in the service list")),
            }
        }
        Some(Address::Endpoint { endpoint, .. }) => {
            if rows::endpoint_row_of(state, &endpoint).is_none() {
                state.endpoints_list.filter = None;
            }
            match rows::endpoint_row_of(state, &endpoint) {
                Some(row) => {
                    state.endpoints_list.selected = row;
                    focus(state, Pane::Endpoints);
                    state.log_follows = Pane::Endpoints;
                    logs_ctl::follow_selection(state, Pane::Endpoints, false);
                }
                None => state.flash_error(format!("{name} watches sm:{endpoint}, which is not in the endpoint list")),
            }
        }
        Some(other) => state.flash_info(format!("{name} watches {other}, which no pane shows")),
        None => state.flash_info(format!("{name} does not watch a service or endpoint shown here")),
    }
}

pub fn refresh(state: &mut State, effects: &mut Vec<Effect>) {
    if state.credentials_problem().is_some() {
        // Fixed credentials fix every pane at once: read them all again.
        state.services.expire();
        state.service_metrics.expire();
        state.endpoints.expire();
        state.endpoint_metrics.expire();
        state.alarms.expire();
        state.cost.error = None;
        state.cost.expire();
        state.logs.polled_at = None;
        state.logs.error = None;
    }
    match state.focus {
        Pane::Services => {
            state.services.expire();
            state.service_metrics.expire();
            if let Some(d) = state.detail.as_mut() {
                d.data.expire();
            }
        }
        Pane::Endpoints => {
            state.endpoints.expire();
            state.endpoint_metrics.expire();
        }
        Pane::Alarms => state.alarms.expire(),
        Pane::Logs => state.logs.polled_at = None,
        Pane::Cost => {
            // Cost is read once; a refresh is the only way to read it again. The old figures
            // stay on screen until the new ones arrive.
            if state.cost.in_flight.is_none() {
                let id = state.request_id();
                state.cost.in_flight = Some(id);
                effects.push(Effect::Fetch { id, fetch: super::msg::Fetch::Cost { fresh: true } });
            }
            state.flash_info(if state.is_demo() {
                "cost: reading again"
            } else {
                "cost: reading again (one Cost Explorer request)"
            });
        }
    }
    schedule::due_fetches(state, effects);
}

/// Another account or region: nothing read from the old one may stay on screen, and replies
/// still on their way from it are dropped (nothing is in flight any more, so no id matches).
pub fn switch_backend(state: &mut State, label: crate::backend::BackendLabel) {
    state.label = label;
    state.services = Loadable::default();
    state.service_metrics = Loadable::default();
    state.endpoints = Loadable::default();
    state.endpoint_metrics = Loadable::default();
    state.alarms = Loadable::default();
    state.cost = Loadable::default();
    state.detail = None;
    state.usage = None;
    for pane in [Pane::Services, Pane::Endpoints, Pane::Alarms] {
        if let Some(list) = list_mut(state, pane) {
            list.selected = 0;
            list.offset = 0;
        }
    }
    state.logs.source = None;
    state.logs.pending = None;
    logs_ctl::restart(state);
    let label = match &state.label {
        crate::backend::BackendLabel::Aws { profile, region } => format!("{profile} @ {region}"),
        crate::backend::BackendLabel::Demo { scenario, .. } => format!("demo ({scenario})"),
    };
    state.flash_info(format!("now on {label}"));
}
