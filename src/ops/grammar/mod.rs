//! The one command grammar: the headless CLI (`opsdeck scale ...`), the `:` palette and runbook
//! steps all parse these clap definitions, and all turn them into an [`Intent`] with the same
//! checks, so a command means the same thing wherever it is typed.

mod args;
mod diagnose;

pub use args::*;
pub use diagnose::*;

use super::env::{self, EnvironmentSpec, ResourcePattern};
use super::intent::{parse_count, Intent, RevisionChoice};
use super::invoke::{self, Payload};
use crate::domain::Address;
use crate::sanitize::inert;
use clap::Subcommand;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every verb of the grammar. Doc comments are the help text, in the CLI and in the palette.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Verb {
    /// Set the desired count of an ECS service or a SageMaker variant
    Scale(ScaleArgs),
    /// Force a new deployment of an ECS service on its current task definition
    Redeploy(AddressArgs),
    /// Roll an ECS service back to an earlier task-definition revision
    Rollback(RollbackArgs),
    /// Send a test inference to a SageMaker endpoint, or a test event to a Lambda function
    Invoke(InvokeArgs),
    /// Set or remove a Lambda function's reserved concurrency (0 stops a runaway function)
    Concurrency(ConcurrencyArgs),
    /// Wait until a service is steady (rollout done) or an endpoint is InService
    Wait(WaitArgs),
    /// A service's task-definition revisions; --diff A B compares two
    Revisions(RevisionsArgs),
    /// Log lines of a group, or of a service's or endpoint's group
    #[command(visible_alias = "log")]
    Logs(LogsArgs),
    /// CloudWatch alarms, firing first
    #[command(visible_alias = "alarm")]
    Alarms(AlarmsArgs),
    /// What opsdeck changed, from the audit log
    Audit(AuditArgs),
    /// Undo an action from the audit log through the same confirm-and-audit path
    Undo(UndoArgs),
    /// Environments: list them, or show one (what runs, what is saved)
    #[command(visible_alias = "environments")]
    Env(EnvArgs),
    /// Save an environment's state (SSM and a local copy), then take it down: services to 0, endpoints deleted (configs kept), Lambda concurrency 0, rules disabled
    Teardown(EnvActArgs),
    /// Put a torn-down environment back exactly as saved, and (with --wait) check it answers
    Restore(EnvActArgs),
    /// Runbooks: list, show, check, run
    Runbook(RunbookArgs),
    /// The incident timeline: start, note, end, list, export
    Incident(IncidentArgs),
    /// A service's load-balancer targets: state, reason, health check, and which task each is
    #[command(visible_alias = "target-health")]
    Targets(TargetsArgs),
    /// Run a Logs Insights query over log groups, or services' and endpoints' own groups
    #[command(visible_alias = "insights")]
    Query(QueryArgs),
    /// Any CloudWatch metric over a window, one row per period (no datapoint: '-', never 0)
    Metric(MetricArgs),
    /// One resource in detail: a service (tasks, targets, events), an endpoint (variants, models, monitoring), a function
    Show(ShowArgs),
    /// Team mode: hold a resource while you investigate, list leases, release one
    Lease(LeaseArgs),
    /// Team mode: create the shared table (init) or check access to it (check)
    Team(TeamArgs),
}

impl Verb {
    /// Whether the verb changes anything (and so is refused in read-only mode at `confirm`).
    pub fn mutates(&self) -> bool {
        matches!(
            self,
            Verb::Scale(_)
                | Verb::Redeploy(_)
                | Verb::Rollback(_)
                | Verb::Invoke(_)
                | Verb::Concurrency(_)
                | Verb::Undo(_)
                | Verb::Teardown(_)
                | Verb::Restore(_)
        )
    }

    pub fn run_args(&self) -> Option<&RunArgs> {
        match self {
            Verb::Scale(a) => Some(&a.run),
            Verb::Redeploy(a) => Some(&a.run),
            Verb::Rollback(a) => Some(&a.run),
            Verb::Invoke(a) => Some(&a.run),
            Verb::Concurrency(a) => Some(&a.run),
            Verb::Undo(a) => Some(&a.run),
            Verb::Teardown(a) | Verb::Restore(a) => Some(&a.run),
            _ => None,
        }
    }
}

#[derive(Debug, clap::Parser)]
#[command(no_binary_name = true, disable_help_flag = true, disable_version_flag = true, disable_help_subcommand = true)]
struct Line {
    #[command(subcommand)]
    verb: Verb,
}

/// One command line in the grammar (an audit's inverse, a runbook step), without `opsdeck`.
pub fn parse_line(line: &str) -> Result<Verb, String> {
    // Errors quote the line and its words (clap does too), inert: a runbook is outside text.
    let words = shell_words::split(line).map_err(|e| format!("`{}`: {e}", inert(line)))?;
    let parsed = <Line as clap::Parser>::try_parse_from(words).map_err(|e| {
        inert(e.to_string().lines().next().unwrap_or("not a command").trim_start_matches("error: ")).into_owned()
    })?;
    Ok(parsed.verb)
}

/// Durations as people type them: 90s, 10m, 2h, 1d.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| inert(&format!("'{text}' is not a duration like 90s, 10m or 2h ({e})")).into_owned())
}

pub fn parse_address(text: &str) -> Result<Address, String> {
    text.parse::<Address>().map_err(|e| e.to_string())
}

/// What actions take from the configuration: test payloads and environments.
pub trait ActionConfig {
    /// The body and content type configured for this endpoint (`[invoke."sm:NAME"]`).
    fn configured(&self, endpoint: &str) -> Option<(String, Option<String>)>;
    /// The test event configured for this function (`[lambda.NAME] test_event`).
    fn test_event(&self, function: &str) -> Option<String> {
        let _ = function;
        None
    }
    /// The environment configured under `[environments.NAME]`.
    fn environment(&self, name: &str) -> Option<EnvironmentSpec>;
    fn environment_names(&self) -> Vec<String>;
    /// Where local copies of environments' saved state are kept.
    fn env_dir(&self) -> PathBuf;
}

/// The environment a command names, or an error listing the configured ones.
pub fn environment(config: &dyn ActionConfig, name: &str) -> Result<EnvironmentSpec, String> {
    env::find(config.environment(name), &config.environment_names(), name)
}

/// Every configured payload, checked, by endpoint name (a restore's test inferences).
fn configured_payloads(config: &dyn ActionConfig, env: &EnvironmentSpec) -> Result<BTreeMap<String, Payload>, String> {
    let mut out = BTreeMap::new();
    for pattern in &env.resources {
        if let ResourcePattern::Exact(Address::Endpoint { endpoint, .. }) = pattern {
            if let Some((body, ty)) = config.configured(endpoint) {
                out.insert(endpoint.clone(), invoke::from_config(&body, ty.as_deref())?);
            }
        }
    }
    Ok(out)
}

/// Turn a mutating verb into an intent with every check that needs no network: address shape,
/// count, revision, payload, environment. `Ok(None)` for verbs that are not actions.
pub fn intent_of(verb: &Verb, payloads: &dyn ActionConfig) -> Result<Option<Intent>, String> {
    Ok(Some(match verb {
        Verb::Teardown(a) => {
            Intent::Teardown { env: environment(payloads, &a.environment)?, local_dir: payloads.env_dir() }
        }
        Verb::Restore(a) => {
            let env = environment(payloads, &a.environment)?;
            let checks = configured_payloads(payloads, &env)?;
            Intent::Restore { env, local_dir: payloads.env_dir(), payloads: checks }
        }
        Verb::Scale(a) => {
            let address = parse_address(&a.address)?;
            let count = parse_count(&a.count)?;
            Intent::Scale { address, count, adjust_autoscaling: a.adjust_autoscaling }
        }
        Verb::Redeploy(a) => Intent::Redeploy { address: ecs_address(&a.address, "redeploy")? },
        Verb::Rollback(a) => {
            let address = ecs_address(&a.address, "rollback")?;
            let to: RevisionChoice = a.to.parse()?;
            Intent::Rollback { address, to }
        }
        Verb::Concurrency(a) => {
            let address = parse_address(&a.address)?;
            let Address::Function { .. } = &address else {
                return Err(format!("concurrency needs a Lambda function (lambda:FUNCTION), not {address}"));
            };
            Intent::Concurrency { address, reserved: parse_reserved(&a.reserved)? }
        }
        Verb::Invoke(a) => {
            let address = parse_address(&a.address)?;
            if let Address::Function { name } = &address {
                let payload = match (&a.payload, payloads.test_event(name)) {
                    (Some(path), _) => invoke::event(invoke::load(path, Some("application/json"))?)?,
                    (None, Some(body)) => invoke::event(invoke::from_config(&body, Some("application/json"))?)?,
                    (None, None) => {
                        return Err(format!(
                            "no test event for {address}: pass --payload FILE (or - for stdin), or configure one in \
                             config.toml under [lambda.{name}] test_event = \"FILE\""
                        ))
                    }
                };
                let qualifier = a.qualifier.as_deref().map(parse_qualifier).transpose()?;
                return Ok(Some(Intent::InvokeFunction { address, payload, qualifier }));
            }
            if a.qualifier.is_some() {
                return Err("--qualifier is for a Lambda function's version or alias".into());
            }
            let Address::Endpoint { endpoint, .. } = &address else {
                return Err(format!(
                    "invoke needs a SageMaker endpoint (sm:ENDPOINT[/VARIANT]) or a Lambda function (lambda:FUNCTION), not {address}"
                ));
            };
            let payload = match (&a.payload, payloads.configured(endpoint)) {
                (Some(path), _) => invoke::load(path, a.content_type.as_deref())?,
                (None, Some((body, ty))) => invoke::from_config(&body, a.content_type.as_deref().or(ty.as_deref()))?,
                (None, None) => {
                    return Err(format!(
                        "no payload for {address}: pass --payload FILE (or - for stdin), or configure one in \
                         config.toml under [invoke.\"sm:{endpoint}\"]"
                    ))
                }
            };
            Intent::Invoke { address, payload }
        }
        _ => return Ok(None),
    }))
}

/// A reserved concurrency as typed: a whole number, or `none` to remove the limit.
pub fn parse_reserved(text: &str) -> Result<Option<u32>, String> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    parse_count(text).map(Some).map_err(|e| format!("{e} (or none to remove the limit)"))
}

/// A version (`7`) or alias name (`live`): what Lambda accepts as a Qualifier.
fn parse_qualifier(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 128
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$');
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!("'{}' is not a version or alias name", inert(text)))
    }
}

fn ecs_address(text: &str, verb: &str) -> Result<Address, String> {
    match parse_address(text)? {
        a @ Address::EcsService { .. } => Ok(a),
        other => Err(format!("{verb} needs an ECS service (ecs:CLUSTER/SERVICE), not {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoPayloads;
    impl ActionConfig for NoPayloads {
        fn configured(&self, _: &str) -> Option<(String, Option<String>)> {
            None
        }
        fn environment(&self, name: &str) -> Option<EnvironmentSpec> {
            (name == "garmax-dev")
                .then(|| EnvironmentSpec::parse(name, &["lambda:GarmaxAi-TryonProcessor-DEV".into()], None, None).ok())
                .flatten()
        }
        fn environment_names(&self) -> Vec<String> {
            vec!["garmax-dev".into()]
        }
        fn env_dir(&self) -> PathBuf {
            PathBuf::from("/tmp/envs")
        }
    }

    fn intent(line: &str) -> Result<Option<Intent>, String> {
        intent_of(&parse_line(line)?, &NoPayloads)
    }

    #[test]
    fn good_lines_become_intents() {
        let i = intent("scale ecs:svg-ai-cluster/svg-ai-service 5").unwrap().unwrap();
        assert_eq!(i.command_line(), "scale ecs:svg-ai-cluster/svg-ai-service 5");
        let i = intent("rollback ecs:c/s --to c:14 --yes --wait").unwrap().unwrap();
        assert_eq!(i.command_line(), "rollback ecs:c/s --to c:14");
        assert!(intent("wait ecs:c/s --timeout 10m").unwrap().is_none());
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert!(intent("scale ecs:c/s -3").unwrap_err().contains("negative"));
        assert!(intent("scale ecs:c/s lots").unwrap_err().contains("not a whole number"));
        assert!(intent("scale ec2:c/s 3").unwrap_err().contains("not an address"));
        assert!(intent("redeploy sm:endpoint").unwrap_err().contains("needs an ECS service"));
        assert!(intent("rollback ecs:c/s --to banana").unwrap_err().contains("not a revision"));
        assert!(intent("invoke ecs:c/s").unwrap_err().contains("needs a SageMaker endpoint"));
        assert!(intent("invoke lambda:f").unwrap_err().contains("[lambda.f] test_event"));
        assert!(intent("invoke sm:e --qualifier live").unwrap_err().contains("Lambda function"));
        assert!(intent("concurrency ecs:c/s 3").unwrap_err().contains("needs a Lambda function"));
        assert!(intent("concurrency lambda:f lots").unwrap_err().contains("or none"));
        let i = intent("concurrency lambda:f none --yes").unwrap().unwrap();
        assert_eq!(i.command_line(), "concurrency lambda:f none");
        let i = intent("concurrency lambda:f 0").unwrap().unwrap();
        assert_eq!(i.command_line(), "concurrency lambda:f 0");
        assert!(intent("invoke sm:e").unwrap_err().contains("no payload"));
        assert!(intent("wait ecs:c/s --timeout soon").unwrap_err().contains("not a duration"));
        assert!(intent("teardown nope").unwrap_err().contains("configured: garmax-dev"));
        let i = intent("teardown garmax-dev --dry-run --yes").unwrap().unwrap();
        assert_eq!(i.command_line(), "teardown garmax-dev");
        assert_eq!(i.target().to_string(), "env:garmax-dev");
        assert!(intent("restore garmax-dev").unwrap().is_some());
        assert!(intent("env show garmax-dev").unwrap().is_none());
    }
}
