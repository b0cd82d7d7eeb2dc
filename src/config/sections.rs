//! The tables of config.toml other than its top-level keys, each as serde reads it.

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CtrlC {
    /// Ask before quitting: an on-call session should not die by a stray keystroke.
    #[default]
    Confirm,
    Quit,
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
    /// A word shown in the header and status bar while this profile is in use, e.g. "PROD".
    pub badge: Option<String>,
    /// How the badge is drawn, by meaning (the theme gives the colour): danger (default), warn,
    /// info, ok.
    pub badge_style: Option<crate::app::BadgeStyle>,
    /// The region used with this profile when `--region` is not given.
    pub region: Option<String>,
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

/// `[lambda.NAME]`: the test event `invoke lambda:NAME` sends: a JSON file (relative to the
/// config directory) or inline.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaConfig {
    pub test_event: Option<PathBuf>,
    pub event: Option<String>,
}

/// The dashboard panes the functions pane may share a place with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FunctionsPlace {
    /// Beside the endpoints (wide enough for its columns): the default.
    #[default]
    Endpoints,
    Services,
    Alarms,
    Cost,
    Logs,
}

/// `[functions]`: which Lambda functions are polled (by name prefix and/or tag; none given: every
/// function of the region) and whose place the pane takes in the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionsConfig {
    #[serde(default)]
    pub prefixes: Vec<String>,
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub shares_place_with: FunctionsPlace,
}

impl FunctionsConfig {
    pub fn check(&self) -> Result<(), String> {
        if self.prefixes.iter().any(|p| p.trim().is_empty()) {
            return Err("[functions] prefixes: an empty prefix would match every function; leave prefixes out".into());
        }
        if self.tags.keys().any(|k| k.trim().is_empty()) {
            return Err("[functions] tags: a tag key is empty".into());
        }
        Ok(())
    }

    pub fn filter(&self) -> crate::domain::FunctionFilter {
        crate::domain::FunctionFilter {
            prefixes: self.prefixes.clone(),
            tags: self.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        }
    }

    pub fn slot(&self) -> crate::app::Pane {
        use crate::app::Pane;
        match self.shares_place_with {
            FunctionsPlace::Endpoints => Pane::Endpoints,
            FunctionsPlace::Services => Pane::Services,
            FunctionsPlace::Alarms => Pane::Alarms,
            FunctionsPlace::Cost => Pane::Cost,
            FunctionsPlace::Logs => Pane::Logs,
        }
    }
}

/// `[team]`: the DynamoDB table operators share, and how to reach it (its own profile and
/// region: often a shared tooling account).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    pub table: String,
    /// The profile whose credentials reach the table (default: the one opsdeck runs with).
    pub profile: Option<String>,
    /// The table's region (default: the profile's).
    pub region: Option<String>,
    /// Let DynamoDB delete audit records after this many days (default: never).
    pub keep_audit_days: Option<u32>,
}

impl TeamConfig {
    /// DynamoDB's table-name rules: 3-255 of letters, digits, `_`, `-`, `.`.
    pub fn check(&self) -> Result<(), String> {
        let ok = (3..=255).contains(&self.table.len())
            && self.table.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !ok {
            return Err(format!(
                "[team] table = {:?}: a DynamoDB table name is 3-255 letters, digits, '_', '-' or '.'",
                self.table
            ));
        }
        if self.keep_audit_days == Some(0) {
            return Err("[team] keep_audit_days = 0: leave it out to keep audit records, or give days".into());
        }
        Ok(())
    }
}

/// `[fleet]`: the accounts and regions `opsdeck status --fleet` reads side by side.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    /// Regions for accounts that list none of their own.
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<FleetAccountConfig>,
}

/// `[[fleet.accounts]]`: one account, reached through a profile (and optionally a role).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetAccountConfig {
    /// The AWS profile whose credentials reach it (default: the default chain).
    pub profile: Option<String>,
    /// A role to assume with those credentials (cross-account access from one bastion).
    pub role_arn: Option<String>,
    /// The name shown in the ACCOUNT column (default: the account id).
    pub alias: Option<String>,
    /// Its regions (default: `[fleet] regions`).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Send its calls to this endpoint (a VPC endpoint, or an emulator in tests).
    pub endpoint_url: Option<String>,
    /// Its API requests in flight at once, over all its regions (default 8).
    pub max_in_flight: Option<u32>,
    /// Its API requests started a second, over all its regions (default 20).
    pub calls_per_second: Option<u32>,
}

/// One account in one region, as the fleet reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetMember {
    /// The alias, when one is configured (else the account id is shown once read).
    pub alias: Option<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    pub region: String,
    pub endpoint_url: Option<String>,
    /// The account's limits (one limiter for all members with its credentials).
    pub limit: crate::aws::limit::RateLimit,
}

impl FleetMember {
    /// Members reached with the same credentials are one account: they share its limiter
    /// (`limit`), and every member is read side by side.
    pub fn credentials_key(&self) -> String {
        format!("{}|{}", self.profile.as_deref().unwrap_or("default"), self.role_arn.as_deref().unwrap_or(""))
    }
}

/// An account's `max_in_flight` (1-100) and `calls_per_second` (1-1000), else the defaults.
fn account_limit(name: &str, a: &FleetAccountConfig) -> Result<crate::aws::limit::RateLimit, String> {
    let default = crate::aws::limit::RateLimit::DEFAULT;
    let check = |key: &str, value: Option<u32>, max: u32, default: u32| match value {
        None => Ok(default),
        Some(v) if (1..=max).contains(&v) => Ok(v),
        Some(v) => Err(format!(
            "[[fleet.accounts]] {name}: {key} = {v}: give 1 to {max} (the default is {default}; see docs/config.md)"
        )),
    };
    Ok(crate::aws::limit::RateLimit {
        in_flight: check("max_in_flight", a.max_in_flight, 100, default.in_flight)?,
        per_second: check("calls_per_second", a.calls_per_second, 1000, default.per_second)?,
    })
}

impl FleetConfig {
    /// Every (account, region), checked: each account has a region, names are plausible, no pair twice.
    pub fn members(&self) -> Result<Vec<FleetMember>, String> {
        if self.accounts.is_empty() {
            return Err(
                "[fleet]: list its accounts as [[fleet.accounts]] (profile, regions, optional role_arn, alias)".into(),
            );
        }
        let region_ok = |r: &str| {
            !r.is_empty()
                && r.len() <= 32
                && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        let mut out = Vec::new();
        for (i, a) in self.accounts.iter().enumerate() {
            let name = a.alias.clone().or_else(|| a.profile.clone()).unwrap_or_else(|| format!("account {}", i + 1));
            if let Some(alias) = &a.alias {
                if !crate::domain::place::valid_account(alias) {
                    return Err(format!(
                        "[[fleet.accounts]] alias {alias:?}: an alias names the account in every row and address \
                         (prod@us-east-1:...): 1-64 letters, digits, '-', '_' or '.'"
                    ));
                }
            }
            let regions = if a.regions.is_empty() { &self.regions } else { &a.regions };
            if regions.is_empty() {
                return Err(format!("[[fleet.accounts]] {name}: no regions (set regions here or in [fleet])"));
            }
            if let Some(role) = &a.role_arn {
                if !role.starts_with("arn:") || !role.contains(":role/") {
                    return Err(format!("[[fleet.accounts]] {name}: role_arn {role:?} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"));
                }
            }
            let limit = account_limit(&name, a)?;
            for region in regions {
                if !region_ok(region) {
                    return Err(format!("[[fleet.accounts]] {name}: {region:?} is not a region name"));
                }
                let member = FleetMember {
                    alias: a.alias.clone(),
                    profile: a.profile.clone(),
                    role_arn: a.role_arn.clone(),
                    region: region.clone(),
                    endpoint_url: a.endpoint_url.clone(),
                    limit,
                };
                if out.iter().any(|m: &FleetMember| m == &member) {
                    return Err(format!("[[fleet.accounts]] {name}: {region} is listed twice"));
                }
                if let Some(other) =
                    out.iter().find(|m| m.credentials_key() == member.credentials_key() && m.limit != limit)
                {
                    return Err(format!(
                        "[[fleet.accounts]] {name}: the same credentials as {} (one account) with other limits: \
                         give max_in_flight and calls_per_second once, the same on each entry",
                        other
                            .alias
                            .clone()
                            .or_else(|| other.profile.clone())
                            .unwrap_or_else(|| "the default chain".into())
                    ));
                }
                out.push(member);
            }
        }
        Ok(out)
    }
}
