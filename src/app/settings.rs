//! Settings that shape the console's behaviour for a session: intervals, limits, budgets, the
//! read-only switch, test payloads, environments and runbooks (read from config.toml by `config`).

use chrono::Duration;
use std::path::PathBuf;

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
    pub environments: std::collections::BTreeMap<String, crate::ops::environment::EnvironmentSpec>,
    /// Where local copies of environments' saved state are kept.
    pub env_dir: PathBuf,
    /// Runbooks: the folder, the built-in ones and the alarm links.
    pub runbooks: crate::runbook::Library,
    /// Logs Insights queries from config.toml (`[queries.NAME]`), offered beside the built-ins.
    pub queries: Vec<SavedQuery>,
    /// Lambda test events by function name (`[lambda.NAME]`), checked as JSON at start.
    pub lambda_events: std::collections::BTreeMap<String, String>,
    /// Which functions are polled (`[functions] prefixes / tags`; empty: all of the region).
    pub function_filter: crate::domain::FunctionFilter,
    /// The dashboard pane whose place the functions pane shares.
    pub functions_slot: super::pane::Pane,
    /// Badges per AWS profile (`[profiles.NAME] badge`), shown while that profile is in use.
    pub profile_badges: std::collections::BTreeMap<String, Badge>,
    /// Where the last-known fleet is kept per profile and region (None: `--no-cache`,
    /// `fleet_cache = false`, or the simulated fleet).
    pub fleet_cache_dir: Option<PathBuf>,
    /// Where the console opens (`--cluster`, `--service`, `--endpoint`, `--alarm`, `--function`).
    pub deep_link: Option<DeepLink>,
    /// Team mode is on (`[team]`): the open incident's shared timeline is read every few seconds.
    pub team: bool,
}

/// Where the console opens (`--cluster`, ...): a setting of the session, applied by `deep_link`
/// once its list has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    Cluster(String),
    /// `ecs:CLUSTER/SERVICE`, or a service name (unique across clusters, else filtered to it).
    Service(String),
    Endpoint(String),
    Alarm(String),
    Function(String),
}

impl DeepLink {
    /// The first of the flags given (the CLI allows one).
    pub fn from_flags(
        cluster: Option<&str>,
        service: Option<&str>,
        endpoint: Option<&str>,
        alarm: Option<&str>,
        function: Option<&str>,
    ) -> Option<DeepLink> {
        let strip = |s: &str, prefix: &str| s.strip_prefix(prefix).unwrap_or(s).to_string();
        cluster
            .map(|c| DeepLink::Cluster(c.to_string()))
            .or_else(|| service.map(|s| DeepLink::Service(s.to_string())))
            .or_else(|| endpoint.map(|e| DeepLink::Endpoint(strip(e, "sm:"))))
            .or_else(|| alarm.map(|a| DeepLink::Alarm(a.to_string())))
            .or_else(|| function.map(|f| DeepLink::Function(strip(f, "lambda:"))))
    }
}

/// A profile's badge: its word and how it is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub text: String,
    pub style: BadgeStyle,
}

/// Badge styles by meaning; the theme decides the colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeStyle {
    #[default]
    Danger,
    Warn,
    Info,
    Ok,
}

/// A Logs Insights query kept by name (built in, or `[queries.NAME]` in config.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedQuery {
    pub name: String,
    pub description: String,
    pub query: String,
}

impl crate::ops::grammar::ActionConfig for Settings {
    fn configured(&self, endpoint: &str) -> Option<(String, Option<String>)> {
        self.invoke_payloads.get(endpoint).cloned()
    }
    fn test_event(&self, function: &str) -> Option<String> {
        self.lambda_events.get(function).cloned()
    }
    fn environment(&self, name: &str) -> Option<crate::ops::environment::EnvironmentSpec> {
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
            queries: Vec::new(),
            lambda_events: std::collections::BTreeMap::new(),
            function_filter: crate::domain::FunctionFilter::default(),
            functions_slot: super::pane::Pane::Endpoints,
            profile_badges: std::collections::BTreeMap::new(),
            deep_link: None,
            team: false,
            fleet_cache_dir: None,
        }
    }
}
