//! A runbook step running: its commands one after another, each a read (run by the CLI's code),
//! a change (through the action path: plan, the confirm dialog, the operations strip), or a wait;
//! and the hooks by which the action path tells a step how its change went.

use super::session::{Prompt, RunbookSession, StepRun, StepState, Waiting};
use crate::app::action_path;
use crate::app::context::Context;
use crate::app::fleet::Fleet;
use crate::app::msg::{Effect, Fetch, OpEffect};
use crate::app::next::Next;
use crate::app::operations::{Execution, OpsState, SnapshotResult};
use crate::app::text_input::TextInput;
use crate::domain::Address;
use crate::incident::{Entry, Kind};
use crate::ops::grammar::{self, Verb};
use crate::ops::watch::Expect;
use crate::ops::{Watch, WatchState};
use crate::runbook::placeholders;

/// What following a runbook acts on: the session, the shared context, the actions (a step's
/// change goes through the action path; its end is read from the operations), and the fleet as
/// read (alarms a step waits for, placeholder values).
pub struct Runner<'a> {
    pub session: &'a mut Option<RunbookSession>,
    pub ctx: &'a mut Context,
    pub ops: &'a mut OpsState,
    pub fleet: &'a Fleet,
}

impl Runner<'_> {
    /// `enter`: run the selected step from its first command.
    pub(super) fn run_selected(&mut self, effects: &mut Vec<Effect>) -> Next {
        let Some(session) = self.session.as_mut() else { return Next::Stay };
        let i = session.selected;
        if let Some(running) = session.running() {
            self.ctx.flash_info(format!("step {} is running: one step at a time", running + 1));
            return Next::Stay;
        }
        if let Some(failed) = session.steps[..i].iter().position(|s| matches!(s.state, StepState::Failed(_))) {
            self.ctx.flash_error(format!(
                "step {} failed, so the runbook stopped there: run it again (enter on it) or skip it (s)",
                failed + 1
            ));
            return Next::Stay;
        }
        let step = &session.runbook.steps[i];
        let commands: Vec<String> = step.commands().map(|c| c.text.clone()).collect();
        if commands.is_empty() {
            session.steps[i].state = StepState::Done;
            session.selected = (i + 1).min(session.steps.len().saturating_sub(1));
            return Next::Stay;
        }
        // A step with an unfilled placeholder does not run: ask for the first one.
        for c in &commands {
            if let Err(missing) = placeholders::fill(c, &session.values) {
                let name = missing.first().cloned().unwrap_or_default();
                session.prompt = Some(Prompt::Value { name, input: TextInput::default() });
                return Next::Stay;
            }
        }
        let started = self.ctx.now;
        let run = &mut session.steps[i];
        *run = StepRun::new();
        run.state = StepState::Running;
        run.started = Some(started);
        self.next_command(i, effects)
    }

    /// Start the step's next command, or finish the step when none is left.
    fn next_command(&mut self, i: usize, effects: &mut Vec<Effect>) -> Next {
        let now = self.ctx.now;
        // Taken up front: the session is borrowed below.
        let id = self.ctx.request_id();
        let config = Box::new(self.ctx.settings.clone());
        let Some(session) = self.session.as_mut() else { return Next::Stay };
        let step = &session.runbook.steps[i];
        let texts: Vec<String> = step.commands().map(|c| c.text.clone()).collect();
        let run = &mut session.steps[i];
        let Some(text) = texts.get(run.command) else {
            self.finish(i, 0, None, effects);
            return Next::Stay;
        };
        let filled = match placeholders::fill(text, &session.values) {
            Ok(f) => f,
            Err(missing) => {
                self.finish(i, 2, Some(format!("no value for {}", missing.join(", "))), effects);
                return Next::Stay;
            }
        };
        run.say(format!("$ opsdeck {filled}"));
        run.ran.push(filled.clone());
        let verb = match grammar::parse_line(&filled) {
            Ok(v) => v,
            Err(e) => {
                self.finish(i, 2, Some(e), effects);
                return Next::Stay;
            }
        };
        match &verb {
            Verb::Wait(args) if args.alarm.is_some() => {
                let timeout = args.timeout.unwrap_or(crate::commands::DEFAULT_TIMEOUT);
                let until = now + chrono::Duration::from_std(timeout).unwrap_or(chrono::Duration::minutes(15));
                let (name, wanted) = (args.alarm.clone().unwrap_or_default(), args.state.state());
                run.say(format!("waiting for {name} to be {} (the alarms pane keeps reading)", wanted.as_str()));
                run.waiting = Some(Waiting::Alarm { name, state: wanted, until });
                self.alarms_read(effects)
            }
            Verb::Wait(args) => {
                let address = args.address.as_deref().unwrap_or_default();
                let expect = match address.parse::<Address>() {
                    Ok(a @ Address::EcsService { .. }) => (a, Expect::EcsSteady),
                    Ok(Address::Endpoint { endpoint, variant }) => (
                        Address::Endpoint { endpoint, variant: variant.clone() },
                        Expect::Endpoint { variant, count: None },
                    ),
                    Ok(other) => {
                        self.finish(i, 2, Some(format!("wait cannot follow {other}")), effects);
                        return Next::Stay;
                    }
                    Err(e) => {
                        self.finish(i, 2, Some(e.to_string()), effects);
                        return Next::Stay;
                    }
                };
                let watch = Watch::new(String::new(), expect.0, format!("wait {address}"), expect.1, now);
                run.waiting = Some(Waiting::Watch { watch: Box::new(watch), in_flight: None, polled_at: None });
                Next::Stay
            }
            verb if verb.mutates() => {
                // The palette's path: plan, dialog, execute, strip.
                run.waiting = Some(Waiting::Plan(0));
                let Some(plan_id) = action_path::run(self.ctx, &mut self.ops.planning, verb, effects) else {
                    // Refused before a plan was asked for (bad input); the flash says why.
                    let why = self.ctx.flash.as_ref().map(|f| f.text.clone()).unwrap_or_else(|| "not planned".into());
                    self.finish(i, 2, Some(why), effects);
                    return Next::Runbook;
                };
                if let Some(planning) = self.ops.planning.as_mut() {
                    planning.for_runbook = true;
                }
                if let Some(run) = self.step_mut(i) {
                    run.waiting = Some(Waiting::Plan(plan_id));
                }
                Next::Runbook
            }
            _ => {
                run.waiting = Some(Waiting::Command(id));
                effects.push(Effect::Op(Box::new(OpEffect::RunCommand { id, verb, config })));
                Next::Stay
            }
        }
    }

    fn step_mut(&mut self, i: usize) -> Option<&mut StepRun> {
        self.session.as_mut().and_then(|s| s.steps.get_mut(i))
    }

    /// The command running in step `i` ended: go on with the next, or stop the step there.
    fn command_ended(&mut self, i: usize, code: u8, why: Option<String>, effects: &mut Vec<Effect>) -> Next {
        let Some(run) = self.step_mut(i) else { return Next::Stay };
        run.waiting = None;
        if code != 0 {
            self.finish(i, code, why, effects);
            return Next::Stay;
        }
        run.command += 1;
        self.next_command(i, effects)
    }

    /// The step ends: done, or failed with why; it goes on the incident timeline.
    fn finish(&mut self, i: usize, code: u8, why: Option<String>, effects: &mut Vec<Effect>) {
        let now = self.ctx.now;
        let Some(session) = self.session.as_mut() else { return };
        let title = session.runbook.steps[i].title.clone();
        let origin = session.runbook.origin.clone();
        let runbook_title = session.runbook.title.clone();
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
            self.ctx.flash_info(format!("step \"{title}\" done"));
        } else {
            self.ctx.flash_error(format!("step \"{title}\" failed: the runbook stops here"));
        }
        let why = format!("runbook {} (steps recorded as they run)", entry.runbook.as_deref().unwrap_or_default());
        let name = crate::incident::name_for(&runbook_title, now);
        effects.push(Effect::Op(Box::new(OpEffect::IncidentOpen { name, why, alarm: None })));
        effects.push(Effect::Op(Box::new(OpEffect::IncidentRecord(Box::new(entry)))));
    }

    /// Which step waits for what.
    fn waiting_step(&self, matches: impl Fn(&Waiting) -> bool) -> Option<usize> {
        let session = self.session.as_ref()?;
        session.steps.iter().position(|s| s.state == StepState::Running && s.waiting.as_ref().is_some_and(&matches))
    }

    /// A read's output came back for a step.
    pub fn command_output(&mut self, id: u64, code: u8, output: String, effects: &mut Vec<Effect>) -> Next {
        let Some(i) = self.waiting_step(|w| *w == Waiting::Command(id)) else { return Next::Stay };
        if let Some(run) = self.step_mut(i) {
            for line in output.lines() {
                run.say(crate::sanitize::inert(line).into_owned());
            }
        }
        let why = (code != 0).then(|| format!("exit {code}"));
        self.command_ended(i, code, why, effects)
    }

    /// The plan of a step's change: the dialog opened (or the plan ended the command).
    pub fn planned(
        &mut self,
        id: u64,
        outcome: Result<bool, String>,
        lines: Vec<String>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let Some(i) = self.waiting_step(|w| *w == Waiting::Plan(id)) else { return Next::Stay };
        match outcome {
            // The dialog is open: back to the runbook once it is answered.
            Ok(true) => {
                if let Some(run) = self.step_mut(i) {
                    run.waiting = Some(Waiting::Confirm);
                }
                Next::Stay
            }
            // Nothing to change, or a dry run: the plan is the output.
            Ok(false) => {
                if let Some(run) = self.step_mut(i) {
                    lines.into_iter().for_each(|l| run.say(l));
                }
                Next::Runbook.then(self.command_ended(i, 0, None, effects))
            }
            Err(why) => {
                let code = if why.starts_with("refused") { 3 } else { 2 };
                Next::Runbook.then(self.command_ended(i, code, Some(why), effects))
            }
        }
    }

    /// The dialog was answered: applying, or refused/cancelled (the step fails, nothing was sent).
    pub fn answered(&mut self, outcome: Result<(), String>, effects: &mut Vec<Effect>) -> Next {
        let Some(i) = self.waiting_step(|w| *w == Waiting::Confirm) else { return Next::Stay };
        match outcome {
            Ok(()) => {
                if let Some(run) = self.step_mut(i) {
                    run.waiting = Some(Waiting::Executing);
                }
                Next::Runbook
            }
            Err(why) => Next::Runbook.then(self.command_ended(i, 3, Some(why), effects)),
        }
    }

    /// The change was applied (its audit id), refused at execute, re-planned (the new plan is in
    /// the dialog: the step waits for it again) or found already done.
    pub fn executed(&mut self, outcome: Execution, effects: &mut Vec<Effect>) -> Next {
        let Some(i) = self.waiting_step(|w| *w == Waiting::Executing) else { return Next::Stay };
        match outcome {
            Execution::Applied(id) => {
                if let Some(run) = self.step_mut(i) {
                    run.say(format!("applied (audit {id}); followed in the operations strip"));
                    run.audit_ids.push(id.clone());
                    run.waiting = Some(Waiting::Operation(id));
                }
                self.operations_changed(effects)
            }
            Execution::Replanned(why) => {
                if let Some(run) = self.step_mut(i) {
                    run.say(why);
                    run.waiting = Some(Waiting::Confirm);
                }
                Next::Stay
            }
            Execution::NothingLeft(why) => {
                if let Some(run) = self.step_mut(i) {
                    run.say(why);
                }
                self.command_ended(i, 0, None, effects)
            }
            Execution::Failed(why) => self.command_ended(i, 1, Some(why), effects),
        }
    }

    /// What a step's change answered (a test inference) goes into the step's output; false when
    /// no step is applying one.
    pub fn take_output(&mut self, lines: &[String]) -> bool {
        let running = |w: &Waiting| matches!(w, Waiting::Executing | Waiting::Operation(_));
        let Some(i) = self.waiting_step(running) else { return false };
        let Some(run) = self.step_mut(i) else { return false };
        lines.iter().for_each(|l| run.say(l.clone()));
        true
    }

    /// An operation a step waits for has ended (settled, failed, timed out).
    pub fn operations_changed(&mut self, effects: &mut Vec<Effect>) -> Next {
        let ended: Vec<(String, WatchState)> = self
            .ops
            .operations
            .iter()
            .filter(|o| o.finished_at.is_some())
            .map(|o| (o.executed.id.clone(), o.watch.as_ref().map_or(WatchState::Settled, |w| w.state.clone())))
            .collect();
        let mut next = Next::Stay;
        for (id, end) in ended {
            let Some(i) = self.waiting_step(|w| *w == Waiting::Operation(id.clone())) else { continue };
            let (code, why, line) = match &end {
                WatchState::Settled | WatchState::Running => (0, None, "done".to_string()),
                WatchState::Failed(why) => (1, Some(why.clone()), format!("FAILED: {why}")),
                WatchState::TimedOut => (1, Some("timed out watching".into()), "timed out watching".into()),
            };
            if let Some(run) = self.step_mut(i) {
                run.say(line);
            }
            next = next.then(self.command_ended(i, code, why, effects));
        }
        next
    }

    /// `wait --alarm`: the alarms were read again.
    pub fn alarms_read(&mut self, effects: &mut Vec<Effect>) -> Next {
        let now = self.ctx.now;
        let Some(i) = self.waiting_step(|w| matches!(w, Waiting::Alarm { .. })) else { return Next::Stay };
        let Some(Waiting::Alarm { name, state: wanted, until }) =
            self.session.as_ref().and_then(|s| s.steps[i].waiting.clone())
        else {
            return Next::Stay;
        };
        let current = self.fleet.alarm(&name).map(|a| a.state);
        if current == Some(wanted) {
            if let Some(run) = self.step_mut(i) {
                run.say(format!("done: {name} is {}", wanted.as_str()));
            }
            self.command_ended(i, 0, None, effects)
        } else if now >= until {
            let still = current.map_or("unknown", |s| s.as_str());
            self.command_ended(i, 1, Some(format!("timed out waiting: {name} is still {still}")), effects)
        } else {
            Next::Stay
        }
    }

    /// `wait ADDRESS` steps read their resource like watches do.
    pub fn due(&mut self, effects: &mut Vec<Effect>) -> Next {
        let (now, poll, limit) = (self.ctx.now, self.ctx.settings.watch_poll, self.ctx.settings.watch_timeout);
        let Some(i) = self.waiting_step(|w| matches!(w, Waiting::Watch { .. })) else { return Next::Stay };
        let Some(Waiting::Watch { watch, in_flight, polled_at }) =
            self.session.as_mut().and_then(|s| s.steps[i].waiting.as_mut())
        else {
            return Next::Stay;
        };
        watch.check_timeout(now, limit);
        if watch.is_done() {
            let end = watch.state.clone();
            return self.watch_ended(i, end, effects);
        }
        if in_flight.is_none() && polled_at.is_none_or(|at| now - at >= poll) {
            let fetch = Fetch::Snapshots(watch.pending_reads());
            let id = self.ctx.request_id();
            *in_flight = Some(id);
            effects.push(Effect::Fetch { id, fetch });
        }
        Next::Stay
    }

    /// A `wait ADDRESS` step's reads; None when no step asked for them.
    pub fn observed(
        &mut self,
        id: u64,
        reads: Vec<(Address, SnapshotResult)>,
        effects: &mut Vec<Effect>,
    ) -> Option<Next> {
        let now = self.ctx.now;
        let i = self.waiting_step(|w| matches!(w, Waiting::Watch { in_flight: Some(f), .. } if *f == id))?;
        let run = self.step_mut(i)?;
        let Some(Waiting::Watch { watch, in_flight, polled_at }) = run.waiting.as_mut() else { return None };
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
            return Some(self.watch_ended(i, end, effects));
        }
        Some(Next::Stay)
    }

    fn watch_ended(&mut self, i: usize, end: WatchState, effects: &mut Vec<Effect>) -> Next {
        match end {
            WatchState::Settled => self.command_ended(i, 0, None, effects),
            WatchState::Failed(why) => self.command_ended(i, 1, Some(why), effects),
            WatchState::TimedOut => self.command_ended(i, 1, Some("timed out".into()), effects),
            WatchState::Running => Next::Stay,
        }
    }
}
