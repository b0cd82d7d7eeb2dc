//! Everything the console knows, composed from its rooms. Only `update` mutates it; `render` only
//! reads it. `Mode` says which view has the keys; each view's state lives in its own room.

use super::audit::AuditView;
use super::confirm::ConfirmDialog;
use super::context::Context;
use super::dashboard::{Dashboard, Panes};
use super::environments::EnvView;
use super::fleet::Fleet;
use super::layout::Areas;
use super::loadable::RequestId;
use super::metric_chart::ChartView;
use super::next::Next;
use super::operations::{strip_rows, OpsState};
use super::query::QueryView;
use super::report::Report;
use super::runbook::{RunbookSession, Runner};
use super::settings::Settings;
use super::text_input::TextInput;
use crate::backend::BackendLabel;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    Palette(TextInput),
    Filter(TextInput),
    Help {
        scroll: usize,
    },
    ConfirmQuit,
    /// A plan waiting for confirmation.
    Confirm(Box<ConfirmDialog>),
    Audit(AuditView),
    Report(Report),
    Environments(EnvView),
    /// The runbook being followed (`state.runbook`).
    Runbook,
    /// Logs Insights: the editor, a query running, its results.
    Query(Box<QueryView>),
    /// A metric chart: an alarm's, or a service's or endpoint's.
    Chart(Box<ChartView>),
    /// The open incident's timeline (`state.timeline`).
    Timeline(super::timeline_view::TimelineView),
}

pub struct State {
    /// What every room shares: the account, settings, time, size, the message line, request ids.
    pub ctx: Context,
    /// What has been read of the account.
    pub fleet: Fleet,
    /// The panes: focus, cursors, filters, the service detail and the log pane.
    pub dashboard: Dashboard,
    pub mode: Mode,
    pub ops: OpsState,
    /// The runbook being followed, kept while its view is closed (a dialog, another pane).
    pub runbook: Option<RunbookSession>,
    /// The environment last acted on, selected again when the environments view reopens.
    pub env_last: Option<String>,
    /// A palette command run by the CLI's code (`:incident ...`), whose output is shown.
    pub palette_command: Option<RequestId>,
    /// The open incident's timeline as read (every operator's, in team mode).
    pub timeline: super::timeline_feed::TimelineFeed,
    pub quit: bool,
    /// Set by update when the screen must be drawn again.
    pub dirty: bool,
}

impl State {
    pub fn new(label: BackendLabel, settings: Settings, now: DateTime<Utc>, size: (u16, u16)) -> State {
        let mut dashboard = Dashboard::new(settings.log_capacity);
        dashboard.pending_link = settings.deep_link.clone();
        State {
            ctx: Context::new(label, settings, now, size),
            fleet: Fleet::default(),
            dashboard,
            mode: Mode::Normal,
            ops: OpsState::default(),
            runbook: None,
            env_last: None,
            timeline: Default::default(),
            palette_command: None,
            quit: false,
            dirty: true,
        }
    }

    /// Rows the operations strip takes now.
    pub fn strip_rows(&self) -> u16 {
        strip_rows(&self.ops, self.ctx.now, self.ctx.speed())
    }

    /// The dashboard with what it shows, to act on.
    pub fn panes(&mut self) -> Panes<'_> {
        let strip_rows = self.strip_rows();
        Panes { dashboard: &mut self.dashboard, fleet: &mut self.fleet, ctx: &mut self.ctx, strip_rows }
    }

    /// The runbook being followed with what it acts on.
    pub fn runner(&mut self) -> Runner<'_> {
        Runner { session: &mut self.runbook, ctx: &mut self.ctx, ops: &mut self.ops, fleet: &self.fleet }
    }

    /// Where everything goes on screen now: the same geometry render draws.
    pub fn areas(&self) -> Areas {
        let swap = self.dashboard.swap(self.ctx.settings.functions_slot);
        super::layout::compute(self.ctx.size, self.dashboard.focus, self.dashboard.zoomed, self.strip_rows(), swap)
    }

    /// The first credentials error any pane has: it gets a banner, since every pane will fail.
    pub fn credentials_problem(&self) -> Option<&str> {
        self.dashboard.credentials_problem(&self.fleet)
    }

    /// Carry out what a room asked for: rooms never set `Mode` themselves.
    pub fn show(&mut self, next: Next) {
        match next {
            Next::Stay => {}
            Next::Dashboard => self.mode = Mode::Normal,
            Next::Help => self.mode = Mode::Help { scroll: 0 },
            Next::QuitRequest => self.quit_request(),
            Next::Palette(input) => self.mode = Mode::Palette(input),
            Next::Confirm(dialog) => self.mode = Mode::Confirm(dialog),
            Next::Report(report) => self.mode = Mode::Report(report),
            Next::Runbook => self.mode = Mode::Runbook,
        }
    }

    /// ctrl-c: quit at once (`ctrl_c = "quit"`), or ask first.
    pub fn quit_request(&mut self) {
        if self.ctx.settings.ctrl_c_quits {
            self.quit = true;
            self.mode = Mode::Normal;
        } else {
            self.mode = Mode::ConfirmQuit;
        }
    }

    /// Whether an action's outcome may open as a report: nothing else holds the screen.
    pub fn screen_free(&self) -> bool {
        self.mode == Mode::Normal && self.runbook.as_ref().is_none_or(|r| r.running().is_none())
    }
}
