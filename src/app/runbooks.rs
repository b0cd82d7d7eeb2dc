//! Following a runbook in the console: `o` on an alarm opens its runbook with the placeholders
//! filled (and opens an incident), `enter` runs the selected step's commands one after another.
//! Reads run through the CLI's own verbs; changes go through the palette's path (plan, the
//! confirm dialog, execute, the operations strip), so a runbook never bypasses it; a step is
//! done when its last command is, and a failed step stops the runbook there.

pub use super::runbook_steps::{
    alarms_read, answered, command_output, due, executed, observed, operations_changed, planned, record_alarm_changes,
    take_output,
};

use super::msg::{Effect, OpEffect};
use super::runbook_state::{Prompt, RunbookSession, StepState};
use super::runbook_steps::run_selected;
use super::state::{Mode, Pane, State, TextInput};
use crate::domain::Address;
use crate::keymap::{Action, ChordCode, KeyChord};
use crate::ops::grammar::{IncidentArgs, RunbookArgs, RunbookCommand, Verb};
use crate::runbook::Link;

/// `o`: the selected alarm's runbook, or back to the runbook already open.
pub fn open_key(state: &mut State, effects: &mut Vec<Effect>) {
    if state.focus == Pane::Alarms {
        if let Some(alarm) = super::rows::selected_alarm(state).cloned() {
            return open_for_alarm(state, &alarm, effects);
        }
    }
    if state.runbook.is_some() {
        state.mode = Mode::Runbook;
    } else {
        state.flash_info("select an alarm in the alarms pane (o opens its runbook), or :runbook show NAME");
    }
}

fn open_for_alarm(state: &mut State, alarm: &crate::domain::Alarm, effects: &mut Vec<Effect>) {
    match state.settings.runbooks.for_alarm(alarm) {
        Some(Link::Runbook { name, how }) => {
            let values = values_for(state, Some(alarm), None);
            if open(state, &name, values, format!("alarm {} ({how})", alarm.name), effects) {
                let why = format!("runbook {name} opened from alarm {}", alarm.name);
                let name = crate::incident::name_for(&alarm.name, state.now);
                effects.push(Effect::Op(Box::new(OpEffect::IncidentOpen { name, why, alarm: Some(alarm.clone()) })));
            }
        }
        Some(Link::Url { url, how }) => state.flash_info(format!("{}'s runbook is a page ({how}): {url}", alarm.name)),
        None => state.flash_info(format!(
            "{} has no runbook: tag it runbook_url, name one in its description, add [[runbooks]] to config.toml, or write {}",
            alarm.name,
            state.settings.runbooks.dir.join(format!("{}.md", alarm.name)).display()
        )),
    }
}

fn values_for(
    state: &State,
    alarm: Option<&crate::domain::Alarm>,
    target: Option<&Address>,
) -> std::collections::BTreeMap<String, String> {
    let services = state.services.data.as_deref().unwrap_or_default();
    let endpoints = state.endpoints.data.as_deref().unwrap_or_default();
    crate::runbook::context::values_for(alarm, target, services, endpoints, &state.label)
}

/// Load a runbook into the view. False (and a message) when it does not load.
fn open(
    state: &mut State,
    name: &str,
    mut values: std::collections::BTreeMap<String, String>,
    from: String,
    _effects: &mut [Effect],
) -> bool {
    match state.settings.runbooks.load(name) {
        Ok(runbook) => {
            for (param, spec) in &runbook.params {
                if let Some(default) = &spec.default {
                    values.entry(param.clone()).or_insert_with(|| default.clone());
                }
            }
            // The same runbook again (o on its alarm, :runbook show) resumes it, steps and all.
            let same = state.runbook.as_ref().is_some_and(|s| s.runbook.origin == runbook.origin);
            if !same {
                state.runbook = Some(RunbookSession::new(runbook, values, from));
            }
            state.mode = Mode::Runbook;
            true
        }
        Err(problems) => {
            let lines: Vec<String> = problems.lines().map(str::to_string).collect();
            state.mode = Mode::Report(super::ops_state::Report { title: format!("runbook {name}"), lines, scroll: 0 });
            false
        }
    }
}

/// `:runbook list|check|show|run ...` in the palette.
pub fn palette(state: &mut State, args: &RunbookArgs, effects: &mut Vec<Effect>) {
    match &args.command {
        Some(RunbookCommand::Show { file }) => {
            let values = values_for(state, None, super::operations::selected_target(state).as_ref());
            open(state, file, values, "the palette".into(), effects);
        }
        Some(RunbookCommand::Run { file, set, alarm, step, .. }) => {
            let alarm = alarm.as_ref().and_then(|n| state.alarms.data.as_ref()?.iter().find(|a| &a.name == n).cloned());
            let mut values = values_for(state, alarm.as_ref(), super::operations::selected_target(state).as_ref());
            values.extend(set.iter().cloned());
            if open(state, file, values, "the palette".into(), effects) {
                if let (Some(n), Some(session)) = (step, state.runbook.as_mut()) {
                    session.selected = n.saturating_sub(1).min(session.steps.len().saturating_sub(1));
                }
            }
        }
        _ => command(state, Verb::Runbook(args.clone()), effects),
    }
}

/// `:incident ...` in the palette: the CLI's verb; its output opens as a report.
pub fn incident(state: &mut State, args: &IncidentArgs, effects: &mut Vec<Effect>) {
    command(state, Verb::Incident(args.clone()), effects);
}

/// Run a verb through the CLI's code, not for a step: its output comes back as a report.
fn command(state: &mut State, verb: Verb, effects: &mut Vec<Effect>) {
    let id = state.request_id();
    state.palette_command = Some(id);
    effects.push(Effect::Op(Box::new(OpEffect::RunCommand { id, verb, config: Box::new(state.settings.clone()) })));
}

/// Keys in the runbook view (the keymap's [runbook] context, then the global one).
pub fn action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    let Some(session) = state.runbook.as_mut() else {
        state.mode = Mode::Normal;
        return;
    };
    let last = session.steps.len().saturating_sub(1);
    match action {
        Action::Down => {
            session.selected = (session.selected + 1).min(last);
            session.scroll = 0;
        }
        Action::Up => {
            session.selected = session.selected.saturating_sub(1);
            session.scroll = 0;
        }
        Action::Top => (session.selected, session.scroll) = (0, 0),
        Action::Bottom => (session.selected, session.scroll) = (last, 0),
        Action::PageDown => session.scroll += 10,
        Action::PageUp => session.scroll -= 10,
        Action::RunStep | Action::Select => run_selected(state, effects),
        Action::SkipStep => {
            let step = &mut session.steps[session.selected];
            if step.state == StepState::Running {
                return state.flash_info("the step is running: it cannot be skipped now");
            }
            step.state = StepState::Skipped;
            session.selected = (session.selected + 1).min(last);
        }
        Action::Note => session.prompt = Some(Prompt::Note(TextInput::default())),
        Action::Help => state.mode = Mode::Help { scroll: 0 },
        Action::QuitRequest => super::keys::quit_request(state),
        Action::Back | Action::Runbook => state.mode = Mode::Normal,
        Action::Palette => state.mode = Mode::Palette(TextInput::default()),
        _ => {}
    }
}

/// Keys while a prompt (a placeholder's value, a note) is open.
pub fn prompt_key(state: &mut State, chord: KeyChord, effects: &mut Vec<Effect>) {
    let Some(session) = state.runbook.as_mut() else { return };
    let Some(prompt) = session.prompt.as_mut() else { return };
    let input = match prompt {
        Prompt::Value { input, .. } | Prompt::Note(input) => input,
    };
    match (chord.code, chord.ctrl) {
        (ChordCode::Esc, _) | (ChordCode::Char('c'), true) => session.prompt = None,
        (ChordCode::Backspace, _) => {
            input.text.pop();
            input.cursor = input.text.chars().count();
        }
        (ChordCode::Char(c), false) if !chord.alt => {
            input.text.push(c);
            input.cursor += 1;
        }
        (ChordCode::Enter, _) => match session.prompt.take() {
            Some(Prompt::Value { name, input }) if !input.text.trim().is_empty() => {
                session.values.insert(name, input.text.trim().to_string());
                run_selected(state, effects);
            }
            Some(Prompt::Note(input)) if !input.text.trim().is_empty() => {
                let why = format!("note from runbook {}", session.runbook.title);
                let name = crate::incident::name_for(&session.runbook.title, state.now);
                effects.push(Effect::Op(Box::new(OpEffect::IncidentOpen { name, why, alarm: None })));
                effects.push(Effect::Op(Box::new(OpEffect::IncidentNote(input.text.trim().to_string()))));
                state.flash_info("noted on the incident timeline");
            }
            other => session.prompt = other,
        },
        _ => {}
    }
}
