//! The environments view (`:env`, `E`): every configured environment, where it stands, what it
//! costs and what a teardown saves; `t` tears the selected one down, `r` restores it, both
//! through the palette's grammar and the one plan/confirm path.

use super::msg::{Effect, OpEffect};
use super::ops_state::EnvView;
use super::state::{Mode, State};
use crate::keymap::Action;
use crate::ops::env::EnvOverview;
use crate::ops::grammar::{self, EnvArgs, EnvCommand};

/// Open the view and read every environment.
pub fn open(state: &mut State, select: Option<String>, detail: bool, effects: &mut Vec<Effect>) {
    if state.settings.environments.is_empty() {
        return state
            .flash_info("no environment is configured: add [environments.NAME] resources = [...] to config.toml");
    }
    let keep = match &state.mode {
        Mode::Environments(view) => Some(view.clone()),
        _ => None,
    };
    let mut view =
        keep.unwrap_or(EnvView { views: Vec::new(), selected: 0, in_flight: None, detail, select_when_read: None });
    view.detail |= detail;
    view.select_when_read = select.or_else(|| state.env_last.clone());
    state.mode = Mode::Environments(view);
    read(state, effects);
}

/// `:env`, `:env list`, `:env show NAME`.
pub fn open_from_palette(state: &mut State, args: &EnvArgs, effects: &mut Vec<Effect>) {
    match &args.command {
        Some(EnvCommand::Show { environment, .. }) => match grammar::environment(&state.settings, environment) {
            Ok(_) => open(state, Some(environment.clone()), true, effects),
            Err(e) => state.flash_error(e),
        },
        _ => open(state, None, false, effects),
    }
}

/// Read every environment again (what runs, what is saved).
pub fn read(state: &mut State, effects: &mut Vec<Effect>) {
    let id = state.request_id();
    let Mode::Environments(view) = &mut state.mode else { return };
    view.in_flight = Some(id);
    let specs = state.settings.environments.values().cloned().collect();
    let cost = state.cost.data.clone();
    let local_dir = state.settings.env_dir.clone();
    effects.push(Effect::Op(Box::new(OpEffect::Environments { id, specs, local_dir, cost })));
}

/// A reading arrived; older ones are dropped.
pub fn read_done(state: &mut State, id: u64, mut views: Vec<EnvOverview>) {
    let Mode::Environments(view) = &mut state.mode else { return };
    if view.in_flight != Some(id) {
        return;
    }
    view.in_flight = None;
    for v in &mut views {
        super::inert::env_overview(v);
    }
    if let Some(name) = view.select_when_read.take() {
        view.selected = views.iter().position(|v| v.name == name).unwrap_or(0);
    }
    view.selected = view.selected.min(views.len().saturating_sub(1));
    view.views = views;
}

fn selected_name(view: &EnvView) -> Option<String> {
    view.views.get(view.selected).map(|v| v.name.clone())
}

/// Keys in the view.
pub fn action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    let Mode::Environments(view) = &mut state.mode else { return };
    if let Some(to) = super::keys::moved(view.selected, view.views.len(), action) {
        view.selected = to;
        return;
    }
    match action {
        Action::Select => view.detail = !view.detail,
        Action::Refresh => read(state, effects),
        Action::Teardown | Action::Restore => {
            let Some(name) = selected_name(view) else { return };
            state.env_last = Some(name.clone());
            let verb = if action == Action::Teardown { "teardown" } else { "restore" };
            // The palette's grammar: the same line a script or a runbook would run.
            match grammar::parse_line(&format!("{verb} {name}")) {
                Ok(verb) => {
                    state.mode = Mode::Normal;
                    super::operations::run_verb(state, &verb, effects);
                }
                Err(e) => state.flash_error(e),
            }
        }
        Action::Help => state.mode = Mode::Help { scroll: 0 },
        Action::QuitRequest => super::keys::quit_request(state),
        Action::Back | Action::Environments => state.mode = Mode::Normal,
        _ => {}
    }
}
