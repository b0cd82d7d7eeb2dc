//! Following a runbook in the console: `o` on an alarm opens its runbook with the placeholders
//! filled (and opens an incident), `enter` runs the selected step's commands one after another.
//! Reads run through the CLI's own verbs; changes go through the action path (plan, the confirm
//! dialog, execute, the operations strip), so a runbook never bypasses it; a step is done when
//! its last command is, and a failed step stops the runbook there.

mod session;
mod shared;
mod steps;

pub use session::{Prompt, RunbookSession, StepRun, StepState, Waiting, STEP_OUTPUT_LINES};
pub use shared::{shared_steps, SharedStep};
pub use steps::Runner;

use super::msg::{Effect, OpEffect};
use super::next::Next;
use super::report::Report;
use crate::domain::{Address, Alarm};
use crate::keymap::{Action, ChordCode, KeyChord};
use crate::runbook::Link;
use std::collections::BTreeMap;

impl Runner<'_> {
    /// `o`: the selected alarm's runbook (`alarm`: the alarms pane's selection, when it has
    /// focus), or back to the runbook already open.
    pub fn open_key(&mut self, alarm: Option<Alarm>, effects: &mut Vec<Effect>) -> Next {
        if let Some(alarm) = alarm {
            return self.open_for_alarm(&alarm, effects);
        }
        if self.session.is_some() {
            return Next::Runbook;
        }
        self.ctx.flash_info("select an alarm in the alarms pane (o opens its runbook), or :runbook show NAME");
        Next::Stay
    }

    fn open_for_alarm(&mut self, alarm: &Alarm, effects: &mut Vec<Effect>) -> Next {
        match self.ctx.settings.runbooks.for_alarm(alarm) {
            Some(Link::Runbook { name, how }) => {
                let values = self.values_for(Some(alarm), None);
                let next = self.open(&name, values, format!("alarm {} ({how})", alarm.name));
                if matches!(next, Next::Runbook) {
                    let why = format!("runbook {name} opened from alarm {}", alarm.name);
                    let name = crate::incident::name_for(&alarm.name, self.ctx.now);
                    effects.push(Effect::Op(Box::new(OpEffect::IncidentOpen {
                        name,
                        why,
                        alarm: Some(Box::new(alarm.clone())),
                    })));
                }
                next
            }
            Some(Link::Url { url, how }) => {
                self.ctx.flash_info(format!("{}'s runbook is a page ({how}): {url}", alarm.name));
                Next::Stay
            }
            None => {
                let file = self.ctx.settings.runbooks.dir.join(format!("{}.md", alarm.name));
                self.ctx.flash_info(format!(
                    "{} has no runbook: tag it runbook_url, name one in its description, add [[runbooks]] to config.toml, or write {}",
                    alarm.name,
                    file.display()
                ));
                Next::Stay
            }
        }
    }

    fn values_for(&self, alarm: Option<&Alarm>, target: Option<&Address>) -> BTreeMap<String, String> {
        let services = self.fleet.services.data.as_deref().unwrap_or_default();
        let endpoints = self.fleet.endpoints.data.as_deref().unwrap_or_default();
        crate::runbook::context::values_for(alarm, target, services, endpoints, &self.ctx.label)
    }

    /// Load a runbook into the view: `Next::Runbook`, or a report of why it does not load.
    fn open(&mut self, name: &str, mut values: BTreeMap<String, String>, from: String) -> Next {
        match self.ctx.settings.runbooks.load(name) {
            Ok(runbook) => {
                for (param, spec) in &runbook.params {
                    if let Some(default) = &spec.default {
                        values.entry(param.clone()).or_insert_with(|| default.clone());
                    }
                }
                // The same runbook again (o on its alarm, :runbook show) resumes it, steps and all.
                let same = self.session.as_ref().is_some_and(|s| s.runbook.origin == runbook.origin);
                if !same {
                    *self.session = Some(RunbookSession::new(runbook, values, from));
                }
                Next::Runbook
            }
            Err(problems) => {
                let lines: Vec<String> = problems.lines().map(str::to_string).collect();
                Next::Report(Report::new(format!("runbook {name}"), lines))
            }
        }
    }

    /// `:runbook show FILE`: the runbook, its placeholders filled from `target` (the selection).
    pub fn show(&mut self, file: &str, target: Option<&Address>) -> Next {
        let values = self.values_for(None, target);
        self.open(file, values, "the palette".into())
    }

    /// `:runbook run FILE [--alarm A] [--set K=V]... [--step N]`: opened at that step.
    pub fn run(
        &mut self,
        file: &str,
        alarm: Option<&str>,
        set: &[(String, String)],
        step: Option<usize>,
        target: Option<&Address>,
    ) -> Next {
        let alarm = alarm.and_then(|n| self.fleet.alarm(n).cloned());
        let mut values = self.values_for(alarm.as_ref(), target);
        values.extend(set.iter().cloned());
        let next = self.open(file, values, "the palette".into());
        if let (Next::Runbook, Some(n), Some(session)) = (&next, step, self.session.as_mut()) {
            session.selected = n.saturating_sub(1).min(session.steps.len().saturating_sub(1));
        }
        next
    }

    /// Keys in the runbook view (the keymap's [runbook] context, then the global one).
    pub fn on_action(&mut self, action: Action, effects: &mut Vec<Effect>) -> Next {
        let Some(session) = self.session.as_mut() else { return Next::Dashboard };
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
            Action::RunStep | Action::Select => return self.run_selected(effects),
            Action::SkipStep => {
                let step = &mut session.steps[session.selected];
                if step.state == StepState::Running {
                    self.ctx.flash_info("the step is running: it cannot be skipped now");
                    return Next::Stay;
                }
                step.state = StepState::Skipped;
                session.selected = (session.selected + 1).min(last);
            }
            Action::Note => session.prompt = Some(Prompt::Note(Default::default())),
            Action::Help => return Next::Help,
            Action::QuitRequest => return Next::QuitRequest,
            Action::Back | Action::Runbook => return Next::Dashboard,
            Action::Palette => return Next::Palette(Default::default()),
            _ => {}
        }
        Next::Stay
    }

    /// Whether a prompt (a placeholder's value, a note) is open: it takes the keys.
    pub fn prompting(&self) -> bool {
        self.session.as_ref().is_some_and(|r| r.prompt.is_some())
    }

    /// Keys while a prompt (a placeholder's value, a note) is open.
    pub fn prompt_key(&mut self, chord: KeyChord, effects: &mut Vec<Effect>) -> Next {
        let Some(session) = self.session.as_mut() else { return Next::Stay };
        let Some(prompt) = session.prompt.as_mut() else { return Next::Stay };
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
                    return self.run_selected(effects);
                }
                Some(Prompt::Note(input)) if !input.text.trim().is_empty() => {
                    let why = format!("note from runbook {}", session.runbook.title);
                    let name = crate::incident::name_for(&session.runbook.title, self.ctx.now);
                    effects.push(Effect::Op(Box::new(OpEffect::IncidentOpen { name, why, alarm: None })));
                    effects.push(Effect::Op(Box::new(OpEffect::IncidentNote(input.text.trim().to_string()))));
                    self.ctx.flash_info("noted on the incident timeline");
                }
                other => session.prompt = other,
            },
            _ => {}
        }
        Next::Stay
    }
}
