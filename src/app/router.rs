//! The key router: a key becomes a message (text fields take raw keys, everything else goes through
//! the keymap), and each message goes to the room that has the keys, by mode and then by focus.
//! It holds no view logic: each room decides what its keys do and says what to show next.

use super::commands;
use super::confirm::Answered;
use super::copy;
use super::environments::EnvRequest;
use super::filter;
use super::help;
use super::msg::{Effect, Msg};
use super::operations;
use super::palette::{self, PaletteKey};
use super::pane::Pane;
use super::quit;
use super::rows;
use super::state::{Mode, State};
use super::text_input::TextInput;
use crate::keymap::{Action, Context as Keys, KeyChord, Keymap};

pub fn key_to_msg(state: &State, keymap: &Keymap, chord: KeyChord) -> Option<Msg> {
    match state.mode {
        Mode::Palette(_) | Mode::Filter(_) | Mode::ConfirmQuit | Mode::Confirm(_) => Some(Msg::Text(chord)),
        // A prompt in the runbook view (a value, a note) takes raw keys, as does the query editor.
        Mode::Runbook if state.runbook.as_ref().is_some_and(|r| r.prompt.is_some()) => Some(Msg::Text(chord)),
        Mode::Query(ref view) if view.editing() => Some(Msg::Text(chord)),
        // An opened row closes on any key its scrolling does not use.
        Mode::Query(ref view) if view.open.is_some() => {
            Some(Msg::Action(keymap.action(&chord, context(state)).unwrap_or(Action::Back)))
        }
        _ => keymap.action(&chord, context(state)).map(Msg::Action),
    }
}

/// Which bindings apply now.
pub fn context(state: &State) -> Keys {
    match state.mode {
        Mode::Environments(_) => Keys::Environments,
        Mode::Runbook => Keys::Runbook,
        Mode::Query(_) => Keys::Query,
        Mode::Chart(_) => Keys::Chart,
        Mode::Timeline(_) => Keys::Timeline,
        Mode::Normal if state.dashboard.focus == Pane::Logs => Keys::Logs,
        _ => Keys::Global,
    }
}

/// A keymap action, to the view that has the keys.
pub fn on_action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    let next = match &mut state.mode {
        Mode::Audit(view) => view.on_action(action, &mut state.ctx, &mut state.ops.planning, effects),
        Mode::Report(report) => match report.on_action(action) {
            true => super::next::Next::Dashboard,
            false => super::next::Next::Stay,
        },
        Mode::Environments(view) => {
            let cost = state.fleet.cost.data.as_ref();
            view.on_action(action, &mut state.ctx, &mut state.ops.planning, &mut state.env_last, cost, effects)
        }
        Mode::Runbook => state.runner().on_action(action, effects),
        Mode::Help { scroll } => help::on_action(scroll, action),
        Mode::Query(view) => view.on_action(action, &mut state.ctx, effects),
        Mode::Chart(view) => view.on_action(action, &mut state.ctx, effects),
        Mode::Timeline(view) => view.on_action(action, &mut state.timeline),
        _ => return on_dashboard(state, action, effects),
    };
    state.show(next);
}

/// Normal mode: keys that open a view, act on the selected row, or belong to the dashboard.
fn on_dashboard(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    match action {
        Action::Help => state.mode = Mode::Help { scroll: 0 },
        Action::Palette => state.mode = Mode::Palette(TextInput::default()),
        Action::Filter => state.mode = Mode::Filter(filter::open(&state.panes())),
        Action::QuitRequest => state.quit_request(),
        Action::Suspend => effects.push(Effect::Suspend),
        Action::Scale | Action::Redeploy | Action::Rollback | Action::Invoke => {
            let target = state.panes().selected_target();
            let next = operations::on_action(&mut state.ops, &mut state.ctx, &state.fleet, target, action, effects);
            state.show(next);
        }
        Action::Undo => state.ctx.flash_info("u undoes an action in the audit view: open it with :audit"),
        Action::Environments => commands::open_environments(state, EnvRequest { select: None, detail: false }, effects),
        Action::Runbook => {
            let on_alarms = state.dashboard.focus == Pane::Alarms;
            let alarm = on_alarms.then(|| rows::selected_alarm(&state.fleet, &state.dashboard.alarms_list).cloned());
            let next = state.runner().open_key(alarm.flatten(), effects);
            state.show(next);
        }
        Action::Query => commands::open_query(state, None, effects),
        Action::Copy => copy::copy(&mut state.panes(), effects),
        Action::ConsoleUrl => copy::browse(&mut state.panes(), effects),
        Action::Chart => commands::open_chart(state, effects),
        Action::Timeline => commands::open_timeline(state, effects),
        Action::Hold => commands::hold(state, effects),
        Action::RunStep | Action::SkipStep | Action::Note => {
            state.ctx.flash_info("runbook keys work in the runbook view: o on an alarm opens its runbook")
        }
        Action::Teardown | Action::Restore => {
            state.ctx.flash_info("teardown and restore act on an environment: open the list with E (or :env)")
        }
        Action::None => {}
        other => {
            state.panes().on_action(other, effects);
        }
    }
}

/// A key typed into a text field: the palette, the filter prompt, the confirm dialog, the quit
/// question, a runbook's prompt.
pub fn on_text(state: &mut State, chord: KeyChord, effects: &mut Vec<Effect>) {
    match &mut state.mode {
        Mode::Confirm(dialog) => match dialog.on_key(chord, state.ctx.settings.read_only) {
            Answered::Open => {}
            Answered::Cancelled => {
                state.mode = Mode::Normal;
                state.ctx.flash_info("cancelled: nothing was sent");
                let next = state.runner().answered(Err("cancelled: nothing was sent".into()), effects);
                state.show(next);
            }
            Answered::Confirmed(confirmed) => {
                state.mode = Mode::Normal;
                operations::confirmed(&mut state.ops, &mut state.ctx, *confirmed, effects);
                let next = state.runner().answered(Ok(()), effects);
                state.show(next);
            }
            Answered::Refused(why) => {
                state.mode = Mode::Normal;
                state.ctx.flash_error(why.clone());
                let next = state.runner().answered(Err(why), effects);
                state.show(next);
            }
        },
        Mode::Runbook => {
            let next = state.runner().prompt_key(chord, effects);
            state.show(next);
        }
        Mode::Query(view) => {
            let next = view.on_key(chord, &mut state.ctx, effects);
            state.show(next);
        }
        Mode::ConfirmQuit => {
            if quit::confirms(chord) {
                state.quit = true;
            }
            state.mode = Mode::Normal;
        }
        Mode::Palette(input) => match palette::on_key(input, chord) {
            PaletteKey::Stay => {}
            PaletteKey::Close => state.mode = Mode::Normal,
            PaletteKey::Submit(line) => {
                state.mode = Mode::Normal;
                commands::run(state, &line, effects);
            }
        },
        Mode::Filter(_) => {
            // The prompt is taken out while the filter is applied (it reads the panes).
            let Mode::Filter(mut input) = std::mem::replace(&mut state.mode, Mode::Normal) else { return };
            if filter::on_key(&mut input, chord, &mut state.panes()) {
                state.mode = Mode::Filter(input);
            }
        }
        _ => {}
    }
}

/// Pasted text goes into the palette or the filter prompt, as one line.
pub fn on_paste(state: &mut State, pasted: &str) {
    match &mut state.mode {
        Mode::Palette(input) | Mode::Filter(input) => input.paste(pasted),
        Mode::Query(view) if view.editing() => view.input.paste(pasted),
        _ => {}
    }
}
