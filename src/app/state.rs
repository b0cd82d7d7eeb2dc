//! Everything the console knows. Only `update` mutates it; `render` only reads it.

use crate::backend::{BackendLabel, EndpointMetricsMap};
use crate::domain::{Address, Alarm, CostReport, Endpoint, Service, ServiceDetail, ServiceMetrics};
use crate::logs::{LogFilter, LogView};
use chrono::{DateTime, Duration, Utc};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub type RequestId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Services,
    Endpoints,
    Logs,
    Alarms,
    Cost,
}

impl Pane {
    /// Tab order.
    pub const ALL: [Pane; 5] = [Pane::Services, Pane::Endpoints, Pane::Logs, Pane::Alarms, Pane::Cost];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Services => "ECS services",
            Pane::Endpoints => "SageMaker endpoints",
            Pane::Logs => "Logs",
            Pane::Alarms => "Alarms",
            Pane::Cost => "Cost",
        }
    }
}

/// A one-line text field (palette, filter prompt). The cursor is a char index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
    pub cursor: usize,
}

impl TextInput {
    pub fn with_text(text: &str) -> Self {
        TextInput { text: text.to_string(), cursor: text.chars().count() }
    }
}

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
    Confirm(Box<super::ops_state::ConfirmDialog>),
    Audit(super::ops_state::AuditView),
    Report(super::ops_state::Report),
    Environments(super::ops_state::EnvView),
    /// The runbook being followed (`state.runbook`).
    Runbook,
}

/// Data from one backend call plus what the UI needs to say about its freshness.
#[derive(Debug, Clone)]
pub struct Loadable<T> {
    pub data: Option<T>,
    pub error: Option<String>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub in_flight: Option<RequestId>,
    /// Throttled calls in a row; each one doubles the wait before the next try.
    pub throttled: u32,
    /// No automatic read before this (set while an API throttles us).
    pub retry_at: Option<DateTime<Utc>>,
}

impl<T> Default for Loadable<T> {
    fn default() -> Self {
        Loadable { data: None, error: None, fetched_at: None, in_flight: None, throttled: 0, retry_at: None }
    }
}

impl<T> Loadable<T> {
    /// Due when nothing is in flight and the last answer is older than `every` (or never came).
    pub fn due(&self, now: DateTime<Utc>, every: Duration) -> bool {
        self.in_flight.is_none()
            && self.retry_at.is_none_or(|at| now >= at)
            && self.fetched_at.is_none_or(|at| now - at >= every)
    }

    /// A manual refresh: read now, whatever the schedule or a backoff says.
    pub fn expire(&mut self) {
        self.fetched_at = None;
        self.retry_at = None;
    }

    /// Accept a reply only if it answers the request still in flight (stale replies are dropped).
    pub fn accept(&mut self, id: RequestId, now: DateTime<Utc>, result: Result<T, String>) -> bool {
        if self.in_flight != Some(id) {
            return false;
        }
        self.in_flight = None;
        self.fetched_at = Some(now);
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.error = None;
                self.throttled = 0;
                self.retry_at = None;
            }
            // Keep the last good data on screen; the error is shown beside it.
            Err(e) => {
                if e.starts_with("throttled") {
                    // Back off per API (each pane reads its own), 2 s doubling to 5 minutes, so a
                    // throttled account recovers instead of being hammered; other panes go on.
                    self.throttled = (self.throttled + 1).min(8);
                    let wait = Duration::seconds((1i64 << self.throttled).min(300));
                    self.retry_at = Some(now + wait);
                }
                self.error = Some(e);
            }
        }
        true
    }
}

/// A row filter typed after `/`: a regex, `!` in front to invert.
#[derive(Debug, Clone)]
pub struct RowFilter {
    pub text: String,
    pub regex: Regex,
    pub inverse: bool,
}

impl RowFilter {
    pub fn parse(text: &str) -> Result<RowFilter, String> {
        let (inverse, pattern) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        // Smart case, as in the log filter: lowercase patterns ignore case.
        let smart =
            if pattern.chars().any(char::is_uppercase) { pattern.to_string() } else { format!("(?i){pattern}") };
        let regex = Regex::new(&smart).map_err(|e| format!("bad filter /{text}/: {e}"))?;
        Ok(RowFilter { text: text.to_string(), regex, inverse })
    }

    pub fn keeps(&self, haystack: &str) -> bool {
        self.regex.is_match(haystack) != self.inverse
    }
}

/// Cursor and filter of a table pane. `selected` indexes the filtered rows.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub selected: usize,
    pub offset: usize,
    pub filter: Option<RowFilter>,
}

#[derive(Debug, Clone)]
pub struct DetailView {
    pub address: Address,
    pub data: Loadable<ServiceDetail>,
}

/// Where the log pane reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    pub group: String,
    pub owner: Address,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogWindow {
    Tail,
    Last(i64),
}

impl LogWindow {
    pub fn label(self) -> String {
        match self {
            LogWindow::Tail => "tail".to_string(),
            LogWindow::Last(s) if s >= 3600 => format!("last {}h", s / 3600),
            LogWindow::Last(s) => format!("last {}m", s / 60),
        }
    }
}

#[derive(Debug)]
pub struct LogsPane {
    pub source: Option<LogSource>,
    /// A source chosen by moving the cursor; applied once the cursor rests, so scrolling through
    /// a list does not open a tail per row.
    pub pending: Option<(LogSource, DateTime<Utc>)>,
    pub view: LogView,
    pub window: LogWindow,
    /// Bumped whenever the source or window changes; replies of older generations are dropped.
    pub generation: u64,
    pub cursor: Option<u64>,
    pub in_flight: Option<RequestId>,
    pub polled_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// The filter text as typed, for the prompt and title.
    pub filter_text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashLevel {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub level: FlashLevel,
    pub at: DateTime<Utc>,
}

/// Settings that shape behaviour; fixed for a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub refresh: Duration,
    pub metrics_refresh: Duration,
    pub log_poll: Duration,
    pub log_capacity: usize,
    /// ctrl-c quits at once instead of asking.
    pub ctrl_c_quits: bool,
    /// Where ctrl-s in the log pane writes.
    pub save_dir: PathBuf,
    /// Budgets from config.toml, used where the backend reports none.
    pub monthly_budget: Option<f64>,
    pub system_budgets: std::collections::BTreeMap<String, f64>,
    /// Plans are shown, nothing is applied (`--read-only`, or the profile's `read_only`).
    pub read_only: bool,
    /// Test payloads per endpoint name: (body, content type).
    pub invoke_payloads: std::collections::BTreeMap<String, (String, Option<String>)>,
    /// A watch gives up after this long (the change may still finish).
    pub watch_timeout: Duration,
    /// Seconds between reads of a resource being watched.
    pub watch_poll: Duration,
    /// Environments from config.toml (and the demo's), by name.
    pub environments: std::collections::BTreeMap<String, crate::ops::env::EnvironmentSpec>,
    /// Where local copies of environments' saved state are kept.
    pub env_dir: PathBuf,
    /// Runbooks: the folder, the built-in ones and the alarm links.
    pub runbooks: crate::runbook::Library,
}

impl crate::ops::grammar::ActionConfig for Settings {
    fn configured(&self, endpoint: &str) -> Option<(String, Option<String>)> {
        self.invoke_payloads.get(endpoint).cloned()
    }
    fn environment(&self, name: &str) -> Option<crate::ops::env::EnvironmentSpec> {
        self.environments.get(name).cloned()
    }
    fn environment_names(&self) -> Vec<String> {
        self.environments.keys().cloned().collect()
    }
    fn env_dir(&self) -> PathBuf {
        self.env_dir.clone()
    }
}

impl crate::commands::CommandConfig for Settings {
    fn runbooks(&self) -> crate::runbook::Library {
        self.runbooks.clone()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            refresh: Duration::seconds(5),
            metrics_refresh: Duration::seconds(30),
            log_poll: Duration::seconds(1),
            log_capacity: 10_000,
            ctrl_c_quits: false,
            save_dir: PathBuf::from("."),
            monthly_budget: None,
            system_budgets: std::collections::BTreeMap::new(),
            read_only: false,
            invoke_payloads: std::collections::BTreeMap::new(),
            watch_timeout: Duration::minutes(30),
            watch_poll: Duration::seconds(2),
            environments: std::collections::BTreeMap::new(),
            env_dir: PathBuf::from("environments"),
            runbooks: crate::runbook::Library::default(),
        }
    }
}

pub struct State {
    pub label: BackendLabel,
    pub settings: Settings,
    pub now: DateTime<Utc>,
    /// Terminal size in cells; layout (and so what is visible, and polled) derives from it.
    pub size: (u16, u16),
    pub focus: Pane,
    pub zoomed: bool,
    pub mode: Mode,
    pub services: Loadable<Vec<Service>>,
    pub service_metrics: Loadable<BTreeMap<Address, ServiceMetrics>>,
    pub services_list: ListState,
    pub detail: Option<DetailView>,
    pub endpoints: Loadable<Vec<Endpoint>>,
    pub endpoint_metrics: Loadable<EndpointMetricsMap>,
    pub endpoints_list: ListState,
    pub alarms: Loadable<Vec<Alarm>>,
    pub alarms_list: ListState,
    pub cost: Loadable<CostReport>,
    pub logs: LogsPane,
    /// Which list last chose the log source, so `tab` through other panes keeps it.
    pub log_follows: Pane,
    pub flash: Option<Flash>,
    pub ops: super::ops_state::OpsState,
    /// The runbook being followed, kept while its view is closed (a dialog, another pane).
    pub runbook: Option<super::runbook_state::RunbookSession>,
    /// The environment last acted on, selected again when the environments view reopens.
    pub env_last: Option<String>,
    /// The incident open now, as last read or started.
    pub incident: Option<String>,
    /// A palette command run by the CLI's code (`:incident ...`), whose output is shown.
    pub palette_command: Option<RequestId>,
    pub usage: Option<crate::backend::ApiUsage>,
    pub next_request: RequestId,
    pub quit: bool,
    /// Set by update when the screen must be drawn again.
    pub dirty: bool,
}

impl State {
    pub fn new(label: BackendLabel, settings: Settings, now: DateTime<Utc>, size: (u16, u16)) -> State {
        let view = LogView::new(settings.log_capacity);
        State {
            label,
            settings,
            now,
            size,
            focus: Pane::Services,
            zoomed: false,
            mode: Mode::Normal,
            services: Loadable::default(),
            service_metrics: Loadable::default(),
            services_list: ListState::default(),
            detail: None,
            endpoints: Loadable::default(),
            endpoint_metrics: Loadable::default(),
            endpoints_list: ListState::default(),
            alarms: Loadable::default(),
            alarms_list: ListState::default(),
            cost: Loadable::default(),
            logs: LogsPane {
                source: None,
                pending: None,
                view,
                window: LogWindow::Tail,
                generation: 0,
                cursor: None,
                in_flight: None,
                polled_at: None,
                error: None,
                filter_text: None,
            },
            log_follows: Pane::Services,
            flash: None,
            ops: super::ops_state::OpsState::default(),
            runbook: None,
            env_last: None,
            incident: None,
            palette_command: None,
            usage: None,
            next_request: 1,
            quit: false,
            dirty: true,
        }
    }

    pub fn request_id(&mut self) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        id
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash { text: text.into(), level: FlashLevel::Info, at: self.now });
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash { text: text.into(), level: FlashLevel::Error, at: self.now });
    }

    /// Where everything goes on screen now: the same geometry render draws.
    pub fn areas(&self) -> crate::layout::Areas {
        crate::layout::compute(self.size, self.focus, self.zoomed, super::operations::strip_rows(self))
    }

    /// Simulated seconds per real second (1 on AWS): on-screen lifetimes are the engineer's
    /// seconds, however fast the simulated clock runs.
    pub fn speed(&self) -> i64 {
        match self.label {
            BackendLabel::Demo { speed, .. } => i64::from(speed.max(1)),
            BackendLabel::Aws { .. } => 1,
        }
    }

    pub fn is_demo(&self) -> bool {
        matches!(self.label, BackendLabel::Demo { .. })
    }
}

/// The log filter as the log view wants it, built from what was typed.
pub fn parse_log_filter(text: &str) -> Result<LogFilter, String> {
    LogFilter::parse(text).map_err(|e| e.to_string())
}

impl State {
    /// The first credentials error any pane has: it gets a banner, since every pane will fail.
    pub fn credentials_problem(&self) -> Option<&str> {
        [
            self.services.error.as_deref(),
            self.alarms.error.as_deref(),
            self.endpoints.error.as_deref(),
            self.cost.error.as_deref(),
            self.logs.error.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find(|e| e.starts_with("credentials:"))
    }
}
