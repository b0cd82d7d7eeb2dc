//! The arguments of each verb, as clap parses them (the CLI, the palette and runbook steps).

use super::parse_duration;
use crate::domain::AlarmState;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Output {
    #[default]
    #[value(alias = "table")]
    Text,
    Json,
}

/// How a mutating verb is confirmed and followed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct RunArgs {
    /// Answer the confirmation for a script (also for destructive changes)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Watch the change until it settles or fails (exit 1 if it fails)
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this long, e.g. 90s, 10m (default 15m)
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// text (default) or json
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Print the plan (read fresh) and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Team mode: act even though another operator holds a lease on the resource (taken over, audited)
    #[arg(long)]
    pub take_over: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ScaleArgs {
    /// ecs:CLUSTER/SERVICE or sm:ENDPOINT/VARIANT
    pub address: String,
    /// The new desired count (instances for a variant)
    #[arg(allow_hyphen_values = true)]
    pub count: String,
    /// Also move autoscaling's min/max when COUNT is outside them (suspended flags are kept)
    #[arg(long)]
    pub adjust_autoscaling: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct AddressArgs {
    /// ecs:CLUSTER/SERVICE
    pub address: String,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RollbackArgs {
    /// ecs:CLUSTER/SERVICE
    pub address: String,
    /// A revision number, family:number, or previous (the last revision that completed a deployment)
    #[arg(long, value_name = "REVISION", default_value = "previous")]
    pub to: String,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct InvokeArgs {
    /// sm:ENDPOINT or sm:ENDPOINT/VARIANT (a variant sets TargetVariant), or lambda:FUNCTION
    pub address: String,
    /// A file with the request body, or - for stdin (default: the payload or test event configured for it)
    #[arg(long, value_name = "FILE|-")]
    pub payload: Option<String>,
    /// A function's version or alias to invoke (default $LATEST)
    #[arg(long, value_name = "VERSION|ALIAS")]
    pub qualifier: Option<String>,
    /// Content type of the body (default: the configured one, else guessed: JSON or CSV)
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ConcurrencyArgs {
    /// lambda:FUNCTION
    pub address: String,
    /// The reserved concurrency: a number (0 stops every invocation), or none to remove the limit
    #[arg(allow_hyphen_values = true, value_name = "N|none")]
    pub reserved: String,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ShowArgs {
    /// ecs:CLUSTER/SERVICE, sm:ENDPOINT or lambda:FUNCTION
    pub address: String,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct WaitArgs {
    /// ecs:CLUSTER/SERVICE (steady: rollout done) or sm:ENDPOINT (InService)
    #[arg(required_unless_present = "alarm")]
    pub address: Option<String>,
    /// Wait for this CloudWatch alarm to reach --state instead (default OK)
    #[arg(long, value_name = "NAME", conflicts_with = "address")]
    pub alarm: Option<String>,
    /// The state --alarm waits for
    #[arg(long, value_enum, requires = "alarm", default_value_t = StateArg::Ok)]
    pub state: StateArg,
    /// Give up after this long (default 15m)
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RevisionsArgs {
    /// ecs:CLUSTER/SERVICE
    pub address: String,
    /// Compare two revisions (numbers or family:number)
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub diff: Option<Vec<String>>,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct LogsArgs {
    /// A log group (/ecs/...), or a service/endpoint address whose group to read
    pub source: Option<String>,
    /// How far back, e.g. 30m, 2h (default: the newest lines)
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub since: Option<std::time::Duration>,
    /// Only lines matching this regex (smart case; !RE inverts)
    #[arg(long, value_name = "RE")]
    pub filter: Option<String>,
    /// Keep printing new lines until interrupted
    #[arg(long)]
    pub follow: bool,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StateArg {
    Alarm,
    Ok,
    InsufficientData,
}

impl StateArg {
    pub fn state(self) -> AlarmState {
        match self {
            StateArg::Alarm => AlarmState::Alarm,
            StateArg::Ok => AlarmState::Ok,
            StateArg::InsufficientData => AlarmState::InsufficientData,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct AlarmsArgs {
    /// Only alarms in this state
    #[arg(long, value_enum)]
    pub state: Option<StateArg>,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct AuditArgs {
    /// Only actions started within this long, e.g. 2h, 1d
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub since: Option<std::time::Duration>,
    /// Every operator's actions, from the team table (team mode)
    #[arg(long)]
    pub team: bool,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct EnvActArgs {
    /// The environment's name, as configured under [environments.NAME] in config.toml
    pub environment: String,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum EnvCommand {
    /// Every configured environment: its state, cost per day, what a teardown saves
    #[command(visible_alias = "ls")]
    List {
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// One environment: each resource as it is now and as saved
    Show {
        environment: String,
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct EnvArgs {
    #[command(subcommand)]
    pub command: Option<EnvCommand>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum RunbookCommand {
    /// Every runbook: the runbooks folder's, then the built-in ones
    #[command(visible_alias = "ls")]
    List,
    /// A runbook's steps, prose and commands
    Show {
        /// A file, or a name in the runbooks folder
        file: String,
    },
    /// Check runbooks before anyone needs them: every problem with its file, line and column
    Check {
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Run a runbook's steps in order (or one), recorded on the open incident (one is started if none is)
    Run {
        file: String,
        /// Run only step N (1-based)
        #[arg(long, value_name = "N")]
        step: Option<usize>,
        /// A placeholder's value, e.g. --set service=ecs:c/s (repeat for several)
        #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
        set: Vec<(String, String)>,
        /// Fill the placeholders from this alarm (what it watches, its log group)
        #[arg(long, value_name = "NAME")]
        alarm: Option<String>,
        /// Answer every confirmation (also for destructive steps)
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct RunbookArgs {
    #[command(subcommand)]
    pub command: Option<RunbookCommand>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum IncidentCommand {
    /// Open an incident: alarm changes, runbook steps, actions and notes are gathered under it
    Start { name: String },
    /// A note on the open incident's timeline (`-`: one note per line of stdin)
    Note {
        #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
        text: Vec<String>,
    },
    /// Close the open incident
    End,
    /// Make another operator's incident the open one here (team mode): notes and steps land on it
    Join { name: String },
    /// The incidents recorded
    #[command(visible_alias = "ls")]
    List,
    /// The timeline as one Markdown document for the postmortem (stdout unless --to)
    Export {
        /// Default: the open incident, else the last one
        name: Option<String>,
        /// Only what happened in this long, e.g. 2h
        #[arg(long, value_name = "D", value_parser = parse_duration)]
        since: Option<std::time::Duration>,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct IncidentArgs {
    #[command(subcommand)]
    pub command: IncidentCommand,
}

/// `NAME=VALUE`.
fn parse_set(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.to_string())),
        _ => Err(format!("'{}' is not NAME=VALUE", crate::sanitize::inert(text))),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct UndoArgs {
    /// The audit id to undo (default: the newest action that can be undone)
    pub id: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum LeaseCommand {
    /// Every lease held now: resource, holder, what for, until when
    #[command(visible_alias = "ls")]
    List {
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Give up a lease you hold (from any of your terminals)
    Release { address: String },
}

/// `lease ADDRESS [--for D] [--note TEXT]`, `lease list`, `lease release ADDRESS`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LeaseArgs {
    #[command(subcommand)]
    pub command: Option<LeaseCommand>,
    /// Hold this resource while you investigate (ecs:C/S, sm:E, lambda:F): others' actions on it are refused
    pub address: Option<String>,
    /// How long, e.g. 15m, 1h (5s to 12h)
    #[arg(long = "for", value_name = "D", value_parser = parse_duration, default_value = "15m")]
    pub duration: std::time::Duration,
    /// What you are doing, shown to whoever is refused
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Take the lease over from its holder (audited)
    #[arg(long)]
    pub take_over: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum TeamCommand {
    /// Create the team table (on-demand, TTL on expires_at) and print the operators' IAM policy
    Init,
    /// Check the table is there and this operator may read, append and lease
    Check,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct TeamArgs {
    #[command(subcommand)]
    pub command: TeamCommand,
}
