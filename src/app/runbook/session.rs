//! What the console keeps about a runbook being followed: each step's state and output, the
//! placeholder values, what a running command waits for, and the incident it is recorded on.

use crate::app::loadable::RequestId;
use crate::app::text_input::TextInput;
use crate::domain::AlarmState;
use crate::runbook::Runbook;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Lines of output a step keeps (the newest).
pub const STEP_OUTPUT_LINES: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    NotRun,
    Running,
    Done,
    Failed(String),
    Skipped,
}

impl StepState {
    pub fn mark(&self) -> &'static str {
        match self {
            StepState::NotRun => "[ ]",
            StepState::Running => "[…]",
            StepState::Done => "[✓]",
            StepState::Failed(_) => "[✗]",
            StepState::Skipped => "[-]",
        }
    }
}

/// What the command running now waits for.
#[derive(Debug, Clone, PartialEq)]
pub enum Waiting {
    /// A read (logs, alarms, env show, ...) run by the CLI's code; its output comes back whole.
    Command(RequestId),
    /// A change's plan being read; then the confirm dialog.
    Plan(RequestId),
    /// The confirm dialog is open.
    Confirm,
    /// Confirmed: the change is being applied.
    Executing,
    /// Applied: the operation (by audit id) is watched in the strip until it ends.
    Operation(String),
    /// `wait ADDRESS`: followed like an operation, without changing anything.
    Watch { watch: Box<crate::ops::Watch>, in_flight: Option<RequestId>, polled_at: Option<DateTime<Utc>> },
    /// `wait --alarm NAME --state S`: checked each time the alarms are read.
    Alarm { name: String, state: AlarmState, until: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepRun {
    pub state: StepState,
    pub output: Vec<String>,
    /// The index of the command running now (or next).
    pub command: usize,
    pub waiting: Option<Waiting>,
    pub started: Option<DateTime<Utc>>,
    /// The commands as run (placeholders filled), for the timeline.
    pub ran: Vec<String>,
    pub audit_ids: Vec<String>,
    /// The exit status the CLI would give (0 done, 1 failed, 2 bad input, 3 refused).
    pub exit: Option<u8>,
}

impl StepRun {
    pub fn new() -> StepRun {
        StepRun {
            state: StepState::NotRun,
            output: Vec::new(),
            command: 0,
            waiting: None,
            started: None,
            ran: Vec::new(),
            audit_ids: Vec::new(),
            exit: None,
        }
    }

    pub fn say(&mut self, line: impl Into<String>) {
        self.output.push(line.into());
        let excess = self.output.len().saturating_sub(STEP_OUTPUT_LINES);
        self.output.drain(..excess);
    }
}

impl Default for StepRun {
    fn default() -> Self {
        StepRun::new()
    }
}

/// A text typed in the runbook view: a placeholder's value, or a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    Value { name: String, input: TextInput },
    Note(TextInput),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunbookSession {
    pub runbook: Runbook,
    pub values: BTreeMap<String, String>,
    pub steps: Vec<StepRun>,
    pub selected: usize,
    /// Lines scrolled past the selected step's place (ctrl-f / ctrl-b).
    pub scroll: isize,
    /// Where it was opened from ("alarm CleanisticAI-HighErrorRate", "the palette").
    pub opened_from: String,
    pub prompt: Option<Prompt>,
}

impl RunbookSession {
    pub fn new(runbook: Runbook, values: BTreeMap<String, String>, opened_from: String) -> RunbookSession {
        let steps = runbook.steps.iter().map(|_| StepRun::new()).collect();
        RunbookSession { runbook, values, steps, selected: 0, scroll: 0, opened_from, prompt: None }
    }

    /// The step running now, if any (one at a time).
    pub fn running(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.state == StepState::Running)
    }
}
