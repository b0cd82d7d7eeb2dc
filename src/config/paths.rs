//! Where opsdeck reads and writes: the config directory and what lives under it.

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
