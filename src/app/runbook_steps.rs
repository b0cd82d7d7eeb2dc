//! A runbook step running: its commands one after another, each a read (run by the CLI's code),
//! a change (through the palette's plan/confirm/strip path), or a wait; and the hooks by which the
//! action path tells a step how its change went.

use super::msg::{Effect, OpEffect};
use super::runbook_state::{Prompt, StepRun, StepState, Waiting};
use super::state::{Mode, State, TextInput};
use crate::domain::Address;
use crate::incident::{Entry, Kind};
use crate::ops::grammar::{self, Verb};
use crate::ops::watch::Expect;
use crate::ops::{Watch, WatchState};
use crate::runbook::placeholders;

/// `enter`: run the selected step from its first command.
pub(super) fn run_selected(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(session) = state.runbook.as_mut() else { return };
    let i = session.selected;
    if let Some(running) = session.running() {
        return state.flash_info(format!("step {} is running: one step at a time", running + 1));
    }
    if let Some(failed) = session.steps[..i].iter().position(|s| matches!(s.state, StepState::Failed(_))) {
        return state.flash_error(format!(
            "step {} failed, so the runbook stopped there: run it again (enter on it) or skip it (s)",
            failed + 1
        ));
    }
    let step = &session.runbook.steps[i];
    let commands: Vec<String> = step.commands().map(|c| c.text.clone()).collect();
    if commands.is_empty() {
        session.steps[i].state = StepState::Done;
        session.selected = (i + 1).min(session.steps.len().saturating_sub(1));
        return;
    }
    // A step with an unfilled placeholder does not run: ask for the first one.
    for c in &commands {
        if let Err(missing) = placeholders::fill(c, &session.values) {
            let name = missing.first().cloned().unwrap_or_default();
            session.prompt = Some(Prompt::Value { name, input: TextInput::default() });
            return;
        }
    }
    let started = state.now;
    let run = &mut session.steps[i];
    *run = StepRun::new();
    run.state = StepState::Running;
    run.started = Some(started);
    next_command(state, i, effects);
}

/// Start the step's next command, or finish the step when none is left.
fn next_command(state: &mut State, i: usize, effects: &mut Vec<Effect>) {
    let now = state.now;
    // Taken up front: the session is borrowed below.
    let id = state.request_id();
    let config = Box::new(state.settings.clone());
    let Some(session) = state.runbook.as_mut() else { return };
    let step = &session.runbook.steps[i];
    let texts: Vec<String> = step.commands().map(|c| c.text.clone()).collect();
    let run = &mut session.steps[i];
    let Some(text) = texts.get(run.command) else {
        return finish(state, i, 0, None, effects);
    };
    let filled = match placeholders::fill(text, &session.values) {
        Ok(f) => f,
        Err(missing) => return finish(state, i, 2, Some(format!("no value for {}", missing.join(", "))), effects),
    };
    run.say(format!("$ opsdeck {filled}"));
    run.ran.push(filled.clone());
    let verb = match grammar::parse_line(&filled) {
        Ok(v) => v,
        Err(e) => return finish(state, i, 2, Some(e), effects),
    };
    match &verb {
        Verb::Wait(args) if args.alarm.is_some() => {
            let timeout = args.timeout.unwrap_or(crate::commands::DEFAULT_TIMEOUT);
            let until = now + chrono::Duration::from_std(timeout).unwrap_or(chrono::Duration::minutes(15));
            let (name, wanted) = (args.alarm.clone().unwrap_or_default(), args.state.state());
            run.say(format!("waiting for {name} to be {} (the alarms pane keeps reading)", wanted.as_str()));
            run.waiting = Some(Waiting::Alarm { name, state: wanted, until });
            alarms_read(state, effects);
        }
        Verb::Wait(args) => {
            let address = args.address.as_deref().unwrap_or_default();
            let expect = match address.parse::<Address>() {
                Ok(a @ Address::EcsService { .. }) => (a, Expect::EcsSteady),
                Ok(Address::Endpoint { endpoint, variant }) => (
                    Address::Endpoint { endpoint, variant: variant.clone() },
                    Expect::Endpoint { variant, count: None },
                ),
                Ok(other) => return finish(state, i, 2, Some(format!("wait cannot follow {other}")), effects),
                Err(e) => return finish(state, i, 2, Some(e.to_string()), effects),
            };
            let watch = Watch::new(String::new(), expect.0, format!("wait {address}"), expect.1, now);
            run.waiting = Some(Waiting::Watch { watch: Box::new(watch), in_flight: None, polled_at: None });
        }
        verb if verb.mutates() => {
            // The palette's path: plan, dialog, execute, strip.
            run.waiting = Some(Waiting::Plan(0));
            state.mode = Mode::Normal;
            super::operations::run_verb(state, verb, effects);
            let planning = state.ops.planning.as_mut();
            let Some(planning) = planning else {
                // Refused before a plan was asked for (bad input); the flash says why.
                let why = state.flash.as_ref().map(|f| f.text.clone()).unwrap_or_else(|| "not planned".into());
                state.mode = Mode::Runbook;
                return finish(state, i, 2, Some(why), effects);
            };
            planning.for_runbook = true;
            let id = planning.id;
            if let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) {
                run.waiting = Some(Waiting::Plan(id));
            }
            state.mode = Mode::Runbook;
        }
        _ => {
            run.waiting = Some(Waiting::Command(id));
            effects.push(Effect::Op(Box::new(OpEffect::RunCommand { id, verb, config })));
        }
    }
}

/// The command running in step `i` ended: go on with the next, or stop the step there.
fn command_ended(state: &mut State, i: usize, code: u8, why: Option<String>, effects: &mut Vec<Effect>) {
    let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) else { return };
    run.waiting = None;
    if code != 0 {
        return finish(state, i, code, why, effects);
    }
    run.command += 1;
    next_command(state, i, effects);
}

/// The step ends: done, or failed with why; it goes on the incident timeline.
fn finish(state: &mut State, i: usize, code: u8, why: Option<String>, effects: &mut Vec<Effect>) {
    let now = state.now;
    let Some(session) = state.runbook.as_mut() else { return };
    let title = session.runbook.steps[i].title.clone();
    let origin = session.runbook.origin.clone();
    let last = session.steps.len().saturating_sub(1);
    let run = &mut session.steps[i];
    run.waiting = None;
    run.exit = Some(code);
    // A failure is spelled out under the step (from its state), not repeated in its output.
    run.state = match &why {
        Some(w) if code != 0 => StepState::Failed(w.clone()),
        _ => StepState::Done,
    };
    let mut entry = Entry::new(
        "",
        Kind::Step,
        format!("step {} of {origin}", i + 1),
        run.started.unwrap_or(now),
        &crate::incident::local_user(),
    );
    entry.recorded_at = now;
    entry.runbook = Some(origin);
    entry.step = Some(title.clone());
    entry.commands = run.ran.clone();
    entry.exit = Some(code);
    entry.output = Some(crate::incident::excerpt(
        &run.output.iter().filter(|l| !l.starts_with("$ opsdeck ")).cloned().collect::<Vec<_>>().join("\n"),
    ));
    entry.audit_ids = run.audit_ids.clone();
    if code == 0 {
        session.selected = (i + 1).min(last);
        session.scroll = 0;
        state.flash_info(format!("step \"{title}\" done"));
    } else {
        state.flash_error(format!("step \"{title}\" failed: the runbook stops here"));
    }
    let why = format!("runbook {} (steps recorded as they run)", entry.runbook.as_deref().unwrap_or_default());
    let runbook_title = state.runbook.as_ref().map_or(title.clone(), |s| s.runbook.title.clone());
    let name = crate::incident::name_for(&runbook_title, now);
    effects.push(Effect::Op(Box::new(OpEffect::IncidentOpen { name, why, alarm: None })));
    effects.push(Effect::Op(Box::new(OpEffect::IncidentRecord(Box::new(entry)))));
}

/// Which step waits for what.
fn waiting_step(state: &State, matches: impl Fn(&Waiting) -> bool) -> Option<usize> {
    let session = state.runbook.as_ref()?;
    session.steps.iter().position(|s| s.state == StepState::Running && s.waiting.as_ref().is_some_and(&matches))
}

/// A read's output came back (for a step, or for the palette).
pub fn command_output(state: &mut State, id: u64, code: u8, output: String, effects: &mut Vec<Effect>) {
    if state.palette_command == Some(id) {
        state.palette_command = None;
        let lines: Vec<String> = output.lines().map(|l| crate::sanitize::inert(l).into_owned()).collect();
        if lines.len() <= 1 {
            let text = lines.first().cloned().unwrap_or_else(|| "done".into());
            if code == 0 {
                state.flash_info(text)
            } else {
                state.flash_error(text)
            }
        } else {
            state.mode = Mode::Report(super::ops_state::Report { title: "opsdeck".into(), lines, scroll: 0 });
        }
        return;
    }
    let Some(i) = waiting_step(state, |w| *w == Waiting::Command(id)) else { return };
    if let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) {
        for line in output.lines() {
            run.say(crate::sanitize::inert(line).into_owned());
        }
    }
    let why = (code != 0).then(|| format!("exit {code}"));
    command_ended(state, i, code, why, effects);
}

/// The plan of a step's change: the dialog opened (or the plan ended the command).
pub fn planned(
    state: &mut State,
    id: u64,
    outcome: Result<bool, String>,
    lines: Vec<String>,
    effects: &mut Vec<Effect>,
) {
    let Some(i) = waiting_step(state, |w| *w == Waiting::Plan(id)) else { return };
    match outcome {
        // The dialog is open: back to the runbook once it is answered.
        Ok(true) => {
            if let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) {
                run.waiting = Some(Waiting::Confirm);
            }
        }
        // Nothing to change, or a dry run: the plan is the output.
        Ok(false) => {
            if let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) {
                lines.into_iter().for_each(|l| run.say(l));
            }
            state.mode = Mode::Runbook;
            command_ended(state, i, 0, None, effects);
        }
        Err(why) => {
            state.mode = Mode::Runbook;
            let code = if why.starts_with("refused") { 3 } else { 2 };
            command_ended(state, i, code, Some(why), effects);
        }
    }
}

/// The dialog was answered: applying, or refused/cancelled (the step fails, nothing was sent).
pub fn answered(state: &mut State, outcome: Result<(), String>, effects: &mut Vec<Effect>) {
    let Some(i) = waiting_step(state, |w| *w == Waiting::Confirm) else { return };
    state.mode = Mode::Runbook;
    match outcome {
        Ok(()) => {
            if let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) {
                run.waiting = Some(Waiting::Executing);
            }
        }
        Err(why) => command_ended(state, i, 3, Some(why), effects),
    }
}

/// The change was applied (its audit id) or refused at execute.
pub fn executed(state: &mut State, outcome: Result<String, String>, effects: &mut Vec<Effect>) {
    let Some(i) = waiting_step(state, |w| *w == Waiting::Executing) else { return };
    match outcome {
        Ok(id) => {
            if let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) {
                run.say(format!("applied (audit {id}); followed in the operations strip"));
                run.audit_ids.push(id.clone());
                run.waiting = Some(Waiting::Operation(id));
            }
            operations_changed(state, effects);
        }
        Err(why) => command_ended(state, i, 1, Some(why), effects),
    }
}

/// What a step's change answered (a test inference) goes into the step's output; false when no
/// step is applying one.
pub fn take_output(state: &mut State, lines: &[String]) -> bool {
    let running = |w: &Waiting| matches!(w, Waiting::Executing | Waiting::Operation(_));
    let Some(i) = waiting_step(state, running) else { return false };
    let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) else { return false };
    lines.iter().for_each(|l| run.say(l.clone()));
    true
}

/// An operation a step waits for has ended (settled, failed, timed out).
pub fn operations_changed(state: &mut State, effects: &mut Vec<Effect>) {
    let ended: Vec<(String, WatchState)> = state
        .ops
        .operations
        .iter()
        .filter(|o| o.finished_at.is_some())
        .map(|o| (o.executed.id.clone(), o.watch.as_ref().map_or(WatchState::Settled, |w| w.state.clone())))
        .collect();
    for (id, end) in ended {
        let Some(i) = waiting_step(state, |w| *w == Waiting::Operation(id.clone())) else { continue };
        let (code, why, line) = match &end {
            WatchState::Settled | WatchState::Running => (0, None, "done".to_string()),
            WatchState::Failed(why) => (1, Some(why.clone()), format!("FAILED: {why}")),
            WatchState::TimedOut => (1, Some("timed out watching".into()), "timed out watching".into()),
        };
        if let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) {
            run.say(line);
        }
        command_ended(state, i, code, why, effects);
    }
}

/// `wait --alarm`: the alarms were read again.
pub fn alarms_read(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.now;
    let Some(i) = waiting_step(state, |w| matches!(w, Waiting::Alarm { .. })) else { return };
    let Some(Waiting::Alarm { name, state: wanted, until }) =
        state.runbook.as_ref().and_then(|s| s.steps[i].waiting.clone())
    else {
        return;
    };
    let current = state.alarms.data.as_ref().and_then(|alarms| alarms.iter().find(|a| a.name == name)).map(|a| a.state);
    if current == Some(wanted) {
        if let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) {
            run.say(format!("done: {name} is {}", wanted.as_str()));
        }
        command_ended(state, i, 0, None, effects);
    } else if now >= until {
        let still = current.map_or("unknown", |s| s.as_str());
        command_ended(state, i, 1, Some(format!("timed out waiting: {name} is still {still}")), effects);
    }
}

/// `wait ADDRESS` steps read their resource like watches do.
pub fn due(state: &mut State, effects: &mut Vec<Effect>) {
    let (now, poll, limit) = (state.now, state.settings.watch_poll, state.settings.watch_timeout);
    let Some(i) = waiting_step(state, |w| matches!(w, Waiting::Watch { .. })) else { return };
    let id = state.next_request;
    let Some(Waiting::Watch { watch, in_flight, polled_at }) =
        state.runbook.as_mut().and_then(|s| s.steps[i].waiting.as_mut())
    else {
        return;
    };
    watch.check_timeout(now, limit);
    if watch.is_done() {
        let end = watch.state.clone();
        return watch_ended(state, i, end, effects);
    }
    if in_flight.is_none() && polled_at.is_none_or(|at| now - at >= poll) {
        *in_flight = Some(id);
        let fetch = super::msg::Fetch::Snapshots(watch.pending_reads());
        state.next_request += 1;
        effects.push(Effect::Fetch { id, fetch });
    }
}

/// A `wait ADDRESS` step's reads. False when no step asked for them.
pub fn observed(
    state: &mut State,
    id: u64,
    reads: Vec<(Address, super::operations::SnapshotResult)>,
    effects: &mut Vec<Effect>,
) -> bool {
    let now = state.now;
    let Some(i) = waiting_step(state, |w| matches!(w, Waiting::Watch { in_flight: Some(f), .. } if *f == id)) else {
        return false;
    };
    let Some(run) = state.runbook.as_mut().and_then(|s| s.steps.get_mut(i)) else { return false };
    let Some(Waiting::Watch { watch, in_flight, polled_at }) = run.waiting.as_mut() else { return false };
    *in_flight = None;
    *polled_at = Some(now);
    for (address, result) in reads {
        match result {
            Ok(snapshot) => watch.observe_read(&address, snapshot.as_ref(), now),
            Err(e) => watch.read_failed(&address, &e.to_string()),
        }
    }
    let (progress, end) = (watch.progress.clone(), watch.state.clone());
    if run.output.last().is_none_or(|l| *l != progress) {
        run.say(progress);
    }
    if end != WatchState::Running {
        watch_ended(state, i, end, effects);
    }
    true
}

fn watch_ended(state: &mut State, i: usize, end: WatchState, effects: &mut Vec<Effect>) {
    match end {
        WatchState::Settled => command_ended(state, i, 0, None, effects),
        WatchState::Failed(why) => command_ended(state, i, 1, Some(why), effects),
        WatchState::TimedOut => command_ended(state, i, 1, Some("timed out".into()), effects),
        WatchState::Running => {}
    }
}

/// Alarm changes seen while an incident is open go on its timeline.
pub fn record_alarm_changes(state: &State, before: &[crate::domain::Alarm], effects: &mut Vec<Effect>) {
    if state.incident.is_none() {
        return;
    }
    let Some(now) = state.alarms.data.as_ref() else { return };
    for alarm in now {
        let previous = before.iter().find(|b| b.name == alarm.name);
        if let Some(previous) = previous.filter(|p| p.state != alarm.state) {
            let entry = crate::incident::alarm_entry("", alarm, Some(previous.state.as_str()));
            effects.push(Effect::Op(Box::new(OpEffect::IncidentRecord(Box::new(entry)))));
        }
    }
}
