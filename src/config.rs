//! Where opsdeck reads and writes, and the user's config file.

use crate::app::{SavedQuery, Settings};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every path opsdeck touches; `opsdeck info` prints them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub config_file: PathBuf,
    pub keymap_file: PathBuf,
    pub themes_dir: PathBuf,
    pub log_file: PathBuf,
    /// ctrl-s in the log pane saves here.
    pub saved_logs_dir: PathBuf,
    /// Answers worth keeping between runs (Cost Explorer: each request is billed).
    pub cache_dir: PathBuf,
    /// The audit log of actions on AWS (JSON lines, 0600).
    pub audit_file: PathBuf,
    /// The audit log of actions on the simulated fleet, kept apart so drills never mix with the record.
    pub demo_audit_file: PathBuf,
    /// Local copies of environments' saved state (`<profile>@<region>/ENV.json`, `demo/ENV.json`).
    pub environments_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no home directory to keep configuration in: set OPSDECK_CONFIG_DIR or HOME")]
    NoHome,
    #[error("{path}: could not read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Paths {
    /// `config_dir` overrides the platform's config directory (flag or OPSDECK_CONFIG_DIR).
    pub fn discover(config_dir: Option<&Path>) -> Result<Paths, ConfigError> {
        let dirs = directories::ProjectDirs::from("", "", "opsdeck");
        let config_dir = match (config_dir, &dirs) {
            (Some(dir), _) => dir.to_path_buf(),
            (None, Some(d)) => d.config_dir().to_path_buf(),
            (None, None) => return Err(ConfigError::NoHome),
        };
        // With an explicit config directory everything lives under it, so a test or a bastion
        // host's shared account can keep opsdeck entirely in one place.
        let (state_dir, data_dir, cache_dir) = match (config_dir_given(config_dir.as_path(), dirs.as_ref()), &dirs) {
            (false, Some(d)) => (
                d.state_dir().unwrap_or(d.data_local_dir()).to_path_buf(),
                d.data_local_dir().to_path_buf(),
                d.cache_dir().to_path_buf(),
            ),
            _ => (config_dir.join("state"), config_dir.join("data"), config_dir.join("cache")),
        };
        Ok(Paths {
            config_file: config_dir.join("config.toml"),
            keymap_file: config_dir.join("keymap.toml"),
            themes_dir: config_dir.join("themes"),
            log_file: state_dir.join("opsdeck.log"),
            saved_logs_dir: data_dir.join("saved-logs"),
            audit_file: data_dir.join("audit.jsonl"),
            demo_audit_file: data_dir.join("audit-demo.jsonl"),
            environments_dir: data_dir.join("environments"),
            cache_dir,
            config_dir,
        })
    }
}

fn config_dir_given(config_dir: &Path, dirs: Option<&directories::ProjectDirs>) -> bool {
    dirs.is_none_or(|d| d.config_dir() != config_dir)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CtrlC {
    /// Ask before quitting: an on-call session should not die by a stray keystroke.
    #[default]
    Confirm,
    Quit,
}

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
}

/// `[queries.NAME]`: a Logs Insights query the query view offers by name.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryConfig {
    pub query: String,
    pub description: Option<String>,
}

/// `[[runbooks]]`: alarms matching `alarm` (`*` and `?` wildcards) open `file`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookLinkConfig {
    pub alarm: String,
    pub file: String,
}

/// `[environments.NAME]`: the resources torn down and restored together.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    /// Addresses (`ecs:C/S`, `sm:E`, `lambda:F`, `rule:[BUS/]R`) or `ecs:CLUSTER/*`.
    pub resources: Vec<String>,
    /// The cost allocation tag value whose cost the environments view shows per day.
    pub system: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Refuse every action in this profile (plans are still shown).
    #[serde(default)]
    pub read_only: bool,
}

/// A test payload: inline (`payload`) or from a file (`payload_file`, relative to the config
/// directory), with its content type.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvokeConfig {
    pub payload: Option<String>,
    pub payload_file: Option<PathBuf>,
    pub content_type: Option<String>,
}

/// What the simulated fleet brings along (test payloads for its endpoints).
const DEMO_CONFIG: &str = include_str!("demo-config.toml");

impl Config {
    /// The demo's built-in configuration with the user's laid over it: a key the user sets wins.
    pub fn with_demo_defaults(mut self) -> Result<Config, ConfigError> {
        let demo = Config::parse(DEMO_CONFIG, "built-in demo config")?;
        for (address, entry) in demo.invoke {
            self.invoke.entry(address).or_insert(entry);
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
        let invalid = |message: String| ConfigError::Invalid { path: origin.to_string(), message };
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
        let mut out = BTreeMap::new();
        for (address, entry) in &self.invoke {
            let name = address.trim_start_matches("sm:").to_string();
            let body = match (&entry.payload, &entry.payload_file) {
                (Some(inline), _) => inline.clone(),
                (None, Some(file)) => {
                    let path = config_dir.join(file);
                    let shown = path.display().to_string();
                    std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: shown, source })?
                }
                (None, None) => continue,
            };
            crate::ops::invoke::from_config(&body, entry.content_type.as_deref())
                .map_err(|message| ConfigError::Invalid { path: format!("[invoke.\"{address}\"]"), message })?;
            out.insert(name, (body, entry.content_type.clone()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses() {
        let c = Config::parse(
            "theme = \"light\"\nrefresh_seconds = 10\nlog_buffer_lines = 5000\nctrl_c = \"quit\"\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(c.ctrl_c, Some(CtrlC::Quit));
        let paths = Paths::discover(Some(Path::new("/tmp/x"))).unwrap();
        let s = c.settings(None, &paths);
        assert_eq!(s.refresh, chrono::Duration::seconds(10));
        assert_eq!(s.log_capacity, 5000);
        assert!(s.ctrl_c_quits);
        assert_eq!(c.settings(Some(3), &paths).refresh, chrono::Duration::seconds(3));
    }

    #[test]
    fn bad_configs_name_the_file_and_the_problem() {
        let err = Config::parse("refresh_second = 5\n", "c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml: unknown field `refresh_second`"), "{err}");
        let err = Config::parse("refresh_seconds = 0\n", "c.toml").unwrap_err().to_string();
        assert_eq!(err, "c.toml: refresh_seconds = 0: must be between 1 and 3600");
        let err = Config::parse("log_buffer_lines = 5\n", "c.toml").unwrap_err().to_string();
        assert!(err.contains("between 100 and 1000000"), "{err}");
        let err = Config::parse("ctrl_c = \"maybe\"\n", "c.toml").unwrap_err().to_string();
        assert!(err.contains("maybe"), "{err}");
        let err = Config::parse("monthly_budget = -5.0\n", "c.toml").unwrap_err().to_string();
        assert_eq!(err, "c.toml: budget -5: must be a positive number of dollars");
        let err = Config::parse("[system_budgets]\nsvg-ai = 0.0\n", "c.toml").unwrap_err().to_string();
        assert!(err.contains("budget 0"), "{err}");
        let c = Config::parse(
            "cost_tag = \"system\"\nmonthly_budget = 600.0\n[system_budgets]\nsvg-ai = 250.0\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.system_budgets.get("svg-ai"), Some(&250.0));
        let err = Config::parse("theme = [", "c.toml").unwrap_err().to_string();
        assert!(err.starts_with("c.toml: "), "{err}");
    }

    #[test]
    fn profiles_and_invoke_payloads_are_checked() {
        let c =
            Config::parse("[profiles.prod]\nread_only = true\n[invoke.\"sm:pred\"]\npayload = '{\"x\":1}'\n", "c.toml")
                .unwrap();
        assert!(c.profile_read_only("prod"));
        assert!(!c.profile_read_only("dev"));
        let payloads = c.invoke_payloads(Path::new("/nonexistent")).unwrap();
        assert_eq!(payloads.get("pred").map(|(b, _)| b.as_str()), Some("{\"x\":1}"));
        let err = Config::parse("[profiles.prod]\nreadonly = true\n", "c.toml").unwrap_err().to_string();
        assert!(err.contains("readonly"), "{err}");
        let err = Config::parse("[invoke.\"ecs:a/b\"]\npayload = 'x'\n", "c.toml").unwrap_err().to_string();
        assert!(err.contains("the key must be an endpoint"), "{err}");
        let err = Config::parse("[invoke.\"sm:e\"]\ncontent_type = 'text/csv'\n", "c.toml").unwrap_err().to_string();
        assert!(err.contains("payload or payload_file is missing"), "{err}");
        let c = Config::parse("[invoke.\"sm:e\"]\npayload_file = 'missing.json'\n", "c.toml").unwrap();
        let err = c.invoke_payloads(Path::new("/nonexistent")).unwrap_err().to_string();
        assert!(err.contains("missing.json"), "{err}");
        let c = Config::parse("[invoke.\"sm:e\"]\npayload = ''\n", "c.toml").unwrap();
        assert!(c.invoke_payloads(Path::new("/x")).unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn environments_are_checked_when_the_file_is_read() {
        let c = Config::parse(
            "[environments.garmax-dev]\nresources = [\"ecs:garmax-cluster/*\", \"lambda:GarmaxAi-TryonProcessor-DEV\"]\nsystem = \"garmax-ai\"\n",
            "c.toml",
        )
        .unwrap();
        let specs = c.environment_specs().unwrap();
        assert_eq!(specs["garmax-dev"].resources.len(), 2);
        assert_eq!(specs["garmax-dev"].system.as_deref(), Some("garmax-ai"));
        for (text, expected) in [
            ("[environments.x]\nresources = [\"sm:e/v\"]\n", "whole endpoints"),
            ("[environments.x]\nresources = []\n", "resources is empty"),
            ("[environments.x]\nresource = [\"rule:r\"]\n", "unknown field `resource`"),
            ("[environments.\"a b\"]\nresources = [\"rule:r\"]\n", "environment name 'a b'"),
            ("[environments.x]\nresources = [\"rule:r\", \"rule:r\"]\n", "listed twice"),
        ] {
            let err = Config::parse(text, "c.toml").unwrap_err().to_string();
            assert!(err.starts_with("c.toml: ") && err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn an_explicit_config_dir_holds_everything() {
        let paths = Paths::discover(Some(Path::new("/tmp/od"))).unwrap();
        assert_eq!(paths.config_file, Path::new("/tmp/od/config.toml"));
        assert_eq!(paths.keymap_file, Path::new("/tmp/od/keymap.toml"));
        assert_eq!(paths.themes_dir, Path::new("/tmp/od/themes"));
        assert!(paths.log_file.starts_with("/tmp/od"));
        assert!(paths.saved_logs_dir.starts_with("/tmp/od"));
    }
}
