//! `{{name}}` placeholders in runbook commands: found, checked against the names a runbook may
//! use, and filled from the alarm or resource the runbook was opened from (or asked for).

use std::collections::BTreeMap;

/// Filled from the alarm or resource a runbook is opened from. `service` and `endpoint` are
/// addresses (`ecs:C/S`, `sm:E`); the rest are plain names.
pub const KNOWN: [&str; 8] = ["alarm", "service", "cluster", "endpoint", "variant", "log_group", "region", "profile"];

/// A placeholder in a command: its name and where it starts (byte offset in the command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub name: String,
    pub offset: usize,
}

/// Every placeholder of a command, or where the text goes wrong (byte offset, why).
pub fn scan(text: &str) -> Result<Vec<Found>, (usize, String)> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find("{{").map(|i| i + rest) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else {
            return Err((open, "`{{` is never closed with `}}`".into()));
        };
        let name = text[open + 2..close].trim();
        let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err((
                open,
                format!(
                    "`{}` is not a placeholder: write {{{{name}}}} with letters, digits and _",
                    &text[open..close + 2]
                ),
            ));
        }
        out.push(Found { name: name.to_string(), offset: open });
        rest = close + 2;
    }
    if let Some(stray) = text[rest..].find("}}") {
        return Err((rest + stray, "`}}` without a `{{` before it".into()));
    }
    Ok(out)
}

/// The command with every placeholder replaced, or the names that have no value.
pub fn fill(text: &str, values: &BTreeMap<String, String>) -> Result<String, Vec<String>> {
    let found = scan(text).map_err(|(_, why)| vec![why])?;
    let missing: Vec<String> = found.iter().filter(|f| !values.contains_key(&f.name)).map(|f| f.name.clone()).collect();
    if !missing.is_empty() {
        let mut unique = missing;
        unique.dedup();
        return Err(unique);
    }
    let mut out = String::new();
    let mut rest = 0;
    for f in &found {
        out.push_str(&text[rest..f.offset]);
        let close = text[f.offset..].find("}}").map_or(text.len(), |i| f.offset + i + 2);
        out.push_str(values.get(&f.name).map(String::as_str).unwrap_or_default());
        rest = close;
    }
    out.push_str(&text[rest..]);
    Ok(out)
}

/// A value of the right shape for each known placeholder: what `check` fills in to parse commands.
pub fn sample(name: &str) -> String {
    match name {
        "service" => "ecs:sample-cluster/sample-service".into(),
        "endpoint" => "sm:sample-endpoint".into(),
        "cluster" => "sample-cluster".into(),
        "variant" => "sample-variant".into(),
        "alarm" => "sample-alarm".into(),
        "log_group" => "/sample/log-group".into(),
        "region" => "us-east-1".into(),
        "profile" => "default".into(),
        _ => "sample".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_filled_and_refused_when_unfilled() {
        let found = scan("rollback {{service}} --to {{ rev }}").unwrap();
        assert_eq!(found, vec![Found { name: "service".into(), offset: 9 }, Found { name: "rev".into(), offset: 26 }]);
        assert_eq!(scan("logs {{service"), Err((5, "`{{` is never closed with `}}`".into())));
        assert!(scan("logs {{ bad-name }}").unwrap_err().1.contains("not a placeholder"));
        assert!(scan("logs }} x").unwrap_err().1.contains("without"));
        let values: BTreeMap<String, String> = [("service".to_string(), "ecs:c/s".to_string())].into();
        assert_eq!(fill("wait {{service}} --timeout 10m", &values).unwrap(), "wait ecs:c/s --timeout 10m");
        assert_eq!(fill("scale {{endpoint}}/{{variant}} 4", &values), Err(vec!["endpoint".into(), "variant".into()]));
    }
}
