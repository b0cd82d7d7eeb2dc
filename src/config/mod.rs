//! The user's config file: read, checked as a whole (a bad key is an error at start, never a
//! surprise at 3 a.m.), and turned into a session's settings.

mod paths;
mod payloads;
mod sections;

pub use paths::{ConfigError, Paths};
pub use sections::*;

use crate::app::{SavedQuery, Settings};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `config.toml`. Every key is optional; unknown keys are errors, so a typo never silently
/// leaves a default in place.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub theme: Option<String>,
    /// Seconds between refreshes of services, endpoints and alarms (1-3600).
    pub refresh_seconds: Option<u64>,
    /// Log lines kept in the tail's buffer (100-1,000,000).
    pub log_buffer_lines: Option<usize>,
    pub ctrl_c: Option<CtrlC>,
    /// Cost allocation tag whose values group cost "per system" (AWS only), e.g. "system".
    pub cost_tag: Option<String>,
    /// Monthly budget in USD drawn as the line in the cost pane, when the account gives none.
    pub monthly_budget: Option<f64>,
    /// Monthly budgets per system (tag value), e.g. { children-drawing = 40.0 }.
    #[serde(default)]
    pub system_budgets: std::collections::BTreeMap<String, f64>,
    /// Settings per AWS profile, e.g. `[profiles.prod] read_only = true`.
    #[serde(default)]
    pub profiles: std::collections::BTreeMap<String, ProfileConfig>,
    /// Test inference payloads per endpoint address, e.g. `[invoke."sm:prediction-endpoint"]`.
    #[serde(default)]
    pub invoke: std::collections::BTreeMap<String, InvokeConfig>,
    /// Environments torn down and restored together, e.g. `[environments.garmax-dev]`.
    #[serde(default)]
    pub environments: std::collections::BTreeMap<String, EnvironmentConfig>,
    /// Where runbooks are read from (default: `runbooks/` in the config directory); relative
    /// paths are relative to the config directory.
    pub runbooks_dir: Option<PathBuf>,
    /// Alarms whose runbook is found by name: `[[runbooks]] alarm = "GLOB" file = "..."`.
    #[serde(default)]
    pub runbooks: Vec<RunbookLinkConfig>,
    /// Saved Logs Insights queries, offered in the query view beside the built-in ones:
    /// `[queries.NAME] query = "..." description = "..."`.
    #[serde(default)]
    pub queries: std::collections::BTreeMap<String, QueryConfig>,
    /// Draw the last-known fleet from disk at start (AWS only; default true). `--no-cache` also
    /// turns it off.
    pub fleet_cache: Option<bool>,
    /// Test events per Lambda function: `[lambda.NAME] test_event = "file.json"` (or `event`
    /// inline).
    #[serde(default)]
    pub lambda: std::collections::BTreeMap<String, LambdaConfig>,
    /// Which functions the functions view polls, and where it sits: `[functions]`.
    #[serde(default)]
    pub functions: FunctionsConfig,
    /// Team mode: audit, incident timeline and leases shared through a DynamoDB table:
    /// `[team] table = "opsdeck-team"` (see docs/team.md).
    pub team: Option<TeamConfig>,
    /// Many accounts and regions side by side (`opsdeck status --fleet`): `[fleet]` and
    /// `[[fleet.accounts]]`.
    pub fleet: Option<FleetConfig>,
}

/// What the simulated fleet brings along (test payloads for its endpoints).
const DEMO_CONFIG: &str = include_str!("../demo-config.toml");

impl Config {
    /// The demo's built-in configuration with the user's laid over it: a key the user sets wins.
    pub fn with_demo_defaults(mut self) -> Result<Config, ConfigError> {
        let demo = Config::parse(DEMO_CONFIG, "built-in demo config")?;
        for (address, entry) in demo.invoke {
            self.invoke.entry(address).or_insert(entry);
        }
        for (name, entry) in demo.lambda {
            self.lambda.entry(name).or_insert(entry);
        }
        for (name, entry) in demo.environments {
            self.environments.entry(name).or_insert(entry);
        }
        // The user's links are tried first; the demo's fill in.
        self.runbooks.extend(demo.runbooks);
        Ok(self)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        Config::parse(&text, &shown)
    }

    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        // Messages quote the file (keys, names, toml's own quotes): inert, so printing one is safe.
        let invalid = |message: String| ConfigError::Invalid {
            path: crate::sanitize::inert(origin).into_owned(),
            message: crate::sanitize::inert(&message).into_owned(),
        };
        let config: Config = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        if let Some(s) = config.refresh_seconds {
            if !(1..=3600).contains(&s) {
                return Err(invalid(format!("refresh_seconds = {s}: must be between 1 and 3600")));
            }
        }
        let budgets = config.monthly_budget.iter().chain(config.system_budgets.values());
        if let Some(bad) = budgets.into_iter().find(|b| !b.is_finite() || **b <= 0.0) {
            return Err(invalid(format!("budget {bad}: must be a positive number of dollars")));
        }
        if let Some(n) = config.log_buffer_lines {
            if !(100..=1_000_000).contains(&n) {
                return Err(invalid(format!("log_buffer_lines = {n}: must be between 100 and 1000000")));
            }
        }
        if let Some(team) = &config.team {
            team.check().map_err(invalid)?;
        }
        if let Some(fleet) = &config.fleet {
            fleet.members().map_err(invalid)?;
        }
        config.environment_specs().map_err(invalid)?;
        for link in &config.runbooks {
            if link.alarm.trim().is_empty() || link.file.trim().is_empty() {
                return Err(invalid("[[runbooks]]: alarm and file must both be given".into()));
            }
        }
        for (name, q) in &config.queries {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                return Err(invalid(format!("[queries.{name}]: a name is letters, digits, '-', '_' and '.'")));
            }
            if q.query.trim().is_empty() {
                return Err(invalid(format!("[queries.{name}]: query is empty")));
            }
        }
        for (address, entry) in &config.invoke {
            match address.parse::<crate::domain::Address>() {
                Ok(crate::domain::Address::Endpoint { variant: None, .. }) => {}
                _ => return Err(invalid(format!("[invoke.\"{address}\"]: the key must be an endpoint, sm:ENDPOINT"))),
            }
            match (&entry.payload, &entry.payload_file) {
                (Some(_), Some(_)) => {
                    return Err(invalid(format!("[invoke.\"{address}\"]: give payload or payload_file, not both")))
                }
                (None, None) => {
                    return Err(invalid(format!("[invoke.\"{address}\"]: payload or payload_file is missing")))
                }
                _ => {}
            }
        }
        for (name, p) in &config.profiles {
            if p.badge
                .as_deref()
                .is_some_and(|b| b.trim().is_empty() || b.chars().count() > 12 || b.chars().any(char::is_control))
            {
                return Err(invalid(format!("[profiles.{name}] badge: 1-12 printable characters")));
            }
            let region_ok =
                |r: &str| !r.is_empty() && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if p.region.as_deref().is_some_and(|r| !region_ok(r)) {
                return Err(invalid(format!("[profiles.{name}] region: not a region name (like eu-west-1)")));
            }
        }
        payloads::check_lambda(&config.lambda).map_err(invalid)?;
        config.functions.check().map_err(invalid)?;
        Ok(config)
    }

    /// Settings for a session: the flag wins over the file, the file over the defaults.
    pub fn settings(&self, refresh_flag: Option<u64>, paths: &Paths) -> Settings {
        let mut settings = Settings { save_dir: paths.saved_logs_dir.clone(), ..Settings::default() };
        if let Some(secs) = refresh_flag.or(self.refresh_seconds) {
            settings.refresh = chrono::Duration::seconds(secs as i64);
            settings.metrics_refresh = settings.metrics_refresh.max(settings.refresh);
        }
        if let Some(n) = self.log_buffer_lines {
            settings.log_capacity = n;
        }
        settings.ctrl_c_quits = self.ctrl_c == Some(CtrlC::Quit);
        settings.monthly_budget = self.monthly_budget;
        settings.system_budgets = self.system_budgets.clone();
        // Checked when the file was parsed; a spec that fails here was checked there already.
        settings.environments = self.environment_specs().unwrap_or_default();
        settings.env_dir = paths.environments_dir.clone();
        settings.runbooks = self.runbook_library(&paths.config_dir);
        settings.queries = self
            .queries
            .iter()
            .map(|(name, q)| SavedQuery {
                name: name.clone(),
                description: q.description.clone().unwrap_or_default(),
                query: q.query.trim().to_string(),
            })
            .collect();
        settings.profile_badges = self
            .profiles
            .iter()
            .filter_map(|(name, p)| {
                let text = p.badge.clone()?;
                Some((name.clone(), crate::app::Badge { text, style: p.badge_style.unwrap_or_default() }))
            })
            .collect();
        settings.function_filter = self.functions.filter();
        settings.functions_slot = self.functions.slot();
        settings
    }

    /// The environments, checked: names, addresses, patterns, duplicates.
    pub fn environment_specs(&self) -> Result<BTreeMap<String, crate::ops::env::EnvironmentSpec>, String> {
        self.environments
            .iter()
            .map(|(name, e)| {
                let spec = crate::ops::env::EnvironmentSpec::parse(
                    name,
                    &e.resources,
                    e.system.clone(),
                    e.description.clone(),
                )?;
                Ok((name.clone(), spec))
            })
            .collect()
    }

    /// The runbooks folder and the alarm links.
    pub fn runbook_library(&self, config_dir: &Path) -> crate::runbook::Library {
        let dir = self.runbooks_dir.as_ref().map_or_else(|| config_dir.join("runbooks"), |d| config_dir.join(d));
        let links = self
            .runbooks
            .iter()
            .map(|l| crate::runbook::AlarmLink { alarm: l.alarm.clone(), file: l.file.clone() })
            .collect();
        crate::runbook::Library::new(dir, links)
    }

    /// The region configured for a profile (`[profiles.NAME] region`), used without `--region`.
    pub fn profile_region(&self, profile: &str) -> Option<String> {
        self.profiles.get(profile).and_then(|p| p.region.clone())
    }

    /// Whether the profile in use is configured read-only.
    pub fn profile_read_only(&self, profile: &str) -> bool {
        self.profiles.get(profile).is_some_and(|p| p.read_only)
    }

    /// The configured test payloads by endpoint name, files read and checked now (a bad one is a
    /// clear error at start, not a surprise at 3 a.m.).
    pub fn invoke_payloads(
        &self,
        config_dir: &Path,
    ) -> Result<BTreeMap<String, (String, Option<String>)>, ConfigError> {
        payloads::invoke_payloads(&self.invoke, config_dir)
    }

    /// The configured Lambda test events by function name, read and checked as JSON now.
    pub fn lambda_events(&self, config_dir: &Path) -> Result<BTreeMap<String, String>, ConfigError> {
        payloads::lambda_events(&self.lambda, config_dir)
    }
}

#[cfg(test)]
mod tests;
