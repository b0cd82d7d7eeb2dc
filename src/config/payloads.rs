//! Test payloads from config.toml: endpoint bodies (`[invoke."sm:NAME"]`) and Lambda test events
//! (`[lambda.NAME]`), inline or from a file relative to the config directory, read and checked
//! when opsdeck starts.

use super::paths::ConfigError;
use super::sections::{InvokeConfig, LambdaConfig};
use std::collections::BTreeMap;
use std::path::Path;

fn read(config_dir: &Path, file: &Path) -> Result<String, ConfigError> {
    let path = config_dir.join(file);
    let shown = path.display().to_string();
    std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: shown, source })
}

/// The configured test payloads by endpoint name.
pub fn invoke_payloads(
    invoke: &BTreeMap<String, InvokeConfig>,
    config_dir: &Path,
) -> Result<BTreeMap<String, (String, Option<String>)>, ConfigError> {
    let mut out = BTreeMap::new();
    for (address, entry) in invoke {
        let name = address.trim_start_matches("sm:").to_string();
        let body = match (&entry.payload, &entry.payload_file) {
            (Some(inline), _) => inline.clone(),
            (None, Some(file)) => read(config_dir, file)?,
            (None, None) => continue,
        };
        crate::ops::invoke::from_config(&body, entry.content_type.as_deref())
            .map_err(|message| ConfigError::Invalid { path: format!("[invoke.\"{address}\"]"), message })?;
        out.insert(name, (body, entry.content_type.clone()));
    }
    Ok(out)
}

/// The shape of `[lambda.NAME]`, checked when the file is parsed (files are read later).
pub fn check_lambda(lambda: &BTreeMap<String, LambdaConfig>) -> Result<(), String> {
    for (name, entry) in lambda {
        // Lambda's own rule for names (an ARN or alias would be a different key).
        let valid =
            (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
        if !valid {
            return Err(format!("[lambda.{name}]: a function name is 1-64 letters, digits, '-' and '_'"));
        }
        match (&entry.test_event, &entry.event) {
            (Some(_), Some(_)) => return Err(format!("[lambda.{name}]: give test_event or event, not both")),
            (None, None) => return Err(format!("[lambda.{name}]: test_event (a JSON file) or event is missing")),
            _ => {}
        }
    }
    Ok(())
}

/// The configured test events by function name; each must be a JSON document, since Lambda
/// takes nothing else.
pub fn lambda_events(
    lambda: &BTreeMap<String, LambdaConfig>,
    config_dir: &Path,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut out = BTreeMap::new();
    for (name, entry) in lambda {
        let body = match (&entry.event, &entry.test_event) {
            (Some(inline), _) => inline.clone(),
            (None, Some(file)) => read(config_dir, file)?,
            (None, None) => continue,
        };
        let payload = crate::ops::invoke::from_config(&body, Some("application/json"));
        payload
            .and_then(crate::ops::invoke::event)
            .map_err(|message| ConfigError::Invalid { path: format!("[lambda.{name}]"), message })?;
        out.insert(name.clone(), body);
    }
    Ok(out)
}
