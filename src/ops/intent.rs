//! What the user asked for, checked for shape but not yet read against the cloud.

use super::environment::EnvironmentSpec;
use super::invoke::Payload;
use crate::domain::Address;
use crate::sanitize::inert;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Which revision a roll back goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionChoice {
    /// The last revision that completed a deployment of this service (not "current - 1").
    Previous,
    /// A revision number of the service's own family (`family:N` is checked against it).
    Number { family: Option<String>, revision: u32 },
}

impl fmt::Display for RevisionChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RevisionChoice::Previous => write!(f, "previous"),
            RevisionChoice::Number { family: Some(family), revision } => write!(f, "{family}:{revision}"),
            RevisionChoice::Number { family: None, revision } => write!(f, "{revision}"),
        }
    }
}

impl std::str::FromStr for RevisionChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "previous" {
            return Ok(RevisionChoice::Previous);
        }
        let (family, number) = match s.rsplit_once(':') {
            // A task-definition family: letters, digits, '-' and '_' (ECS's rule), up to 255.
            Some((family, n))
                if !family.is_empty()
                    && family.len() <= 255
                    && family.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                (Some(family.to_string()), n)
            }
            Some(_) => return Err(format!("'{}' is not a revision: expected N, family:N or previous", inert(s))),
            None => (None, s),
        };
        match number.parse::<u32>() {
            Ok(revision) if revision > 0 => Ok(RevisionChoice::Number { family, revision }),
            _ => Err(format!("'{}' is not a revision: expected N, family:N or previous", inert(s))),
        }
    }
}

/// What an action is about: one resource, or a whole environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Resource(Address),
    /// Shown as `env:NAME`.
    Environment(String),
}

impl Target {
    pub fn address(&self) -> Option<&Address> {
        match self {
            Target::Resource(a) => Some(a),
            Target::Environment(_) => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Resource(a) => write!(f, "{a}"),
            Target::Environment(name) => write!(f, "env:{name}"),
        }
    }
}

/// One operator action, as typed in the palette, on the command line or in a runbook step.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    Scale {
        address: Address,
        count: u32,
        adjust_autoscaling: bool,
    },
    Redeploy {
        address: Address,
    },
    Rollback {
        address: Address,
        to: RevisionChoice,
    },
    Invoke {
        address: Address,
        payload: Payload,
    },
    /// A test event to a Lambda function (`$LATEST`, or a version or alias).
    InvokeFunction {
        address: Address,
        payload: Payload,
        qualifier: Option<String>,
    },
    /// A function's reserved concurrency; None removes the limit.
    Concurrency {
        address: Address,
        reserved: Option<u32>,
    },
    /// Save the environment's state, then take it down; `local_dir` holds the local copies.
    Teardown {
        env: EnvironmentSpec,
        local_dir: PathBuf,
    },
    /// Put the environment back as saved; `local_dir` holds the local copies (read when SSM is
    /// unreachable), `payloads` the test inferences that verify its endpoints (by endpoint name).
    Restore {
        env: EnvironmentSpec,
        local_dir: PathBuf,
        payloads: BTreeMap<String, Payload>,
    },
}

impl Intent {
    pub fn verb(&self) -> &'static str {
        match self {
            Intent::Scale { .. } => "scale",
            Intent::Redeploy { .. } => "redeploy",
            Intent::Rollback { .. } => "rollback",
            Intent::Invoke { .. } | Intent::InvokeFunction { .. } => "invoke",
            Intent::Concurrency { .. } => "concurrency",
            Intent::Teardown { .. } => "teardown",
            Intent::Restore { .. } => "restore",
        }
    }

    pub fn target(&self) -> Target {
        match self {
            Intent::Scale { address, .. }
            | Intent::Redeploy { address }
            | Intent::Rollback { address, .. }
            | Intent::Invoke { address, .. }
            | Intent::InvokeFunction { address, .. }
            | Intent::Concurrency { address, .. } => Target::Resource(address.clone()),
            Intent::Teardown { env, .. } | Intent::Restore { env, .. } => Target::Environment(env.name.clone()),
        }
    }

    /// The command that does this, in the one grammar (palette, CLI, runbooks): what a read-only
    /// user hands to someone who may act.
    pub fn command_line(&self) -> String {
        match self {
            Intent::Scale { address, count, adjust_autoscaling } => {
                let flag = if *adjust_autoscaling { " --adjust-autoscaling" } else { "" };
                format!("scale {address} {count}{flag}")
            }
            Intent::Redeploy { address } => format!("redeploy {address}"),
            Intent::Rollback { address, to } => format!("rollback {address} --to {to}"),
            Intent::Invoke { address, payload } => format!("invoke {address}{}", payload.as_flags()),
            Intent::InvokeFunction { address, payload, qualifier } => {
                let qualifier = qualifier.as_ref().map(|q| format!(" --qualifier {q}")).unwrap_or_default();
                format!("invoke {address}{}{qualifier}", payload.as_event_flags())
            }
            Intent::Concurrency { address, reserved: Some(n) } => format!("concurrency {address} {n}"),
            Intent::Concurrency { address, reserved: None } => format!("concurrency {address} none"),
            Intent::Teardown { env, .. } => format!("teardown {}", env.name),
            Intent::Restore { env, .. } => format!("restore {}", env.name),
        }
    }
}

/// The largest count opsdeck will set: far above any fleet here, low enough to catch a typo
/// (an extra zero) before it costs money.
pub const COUNT_CEILING: u32 = 1000;

/// A desired count as typed: whole, not negative, not absurd.
pub fn parse_count(text: &str) -> Result<u32, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(format!("count '{}' is negative: a desired count is 0 or more", inert(text)));
    }
    let n: u64 = trimmed.parse().map_err(|_| format!("count '{}' is not a whole number", inert(text)))?;
    if n > u64::from(COUNT_CEILING) {
        return Err(format!("count {n} is above opsdeck's ceiling of {COUNT_CEILING}: is there an extra digit?"));
    }
    Ok(n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_checked_with_clear_words() {
        assert_eq!(parse_count("5"), Ok(5));
        assert_eq!(parse_count("0"), Ok(0));
        assert!(parse_count("-1").unwrap_err().contains("negative"));
        assert!(parse_count("five").unwrap_err().contains("not a whole number"));
        assert!(parse_count("2.5").unwrap_err().contains("not a whole number"));
        assert!(parse_count("50000").unwrap_err().contains("ceiling"));
    }

    #[test]
    fn revisions_parse_in_three_forms() {
        assert_eq!("previous".parse(), Ok(RevisionChoice::Previous));
        assert_eq!("14".parse(), Ok(RevisionChoice::Number { family: None, revision: 14 }));
        assert_eq!(
            "cleanistic-ai-api:14".parse(),
            Ok(RevisionChoice::Number { family: Some("cleanistic-ai-api".into()), revision: 14 })
        );
        for bad in ["", "0", "x", ":3", "a:b", "-2"] {
            assert!(bad.parse::<RevisionChoice>().is_err(), "{bad}");
        }
    }
}
