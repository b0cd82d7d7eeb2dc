//! The command line. Global flags work before or after a subcommand.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "opsdeck", version, about = "A terminal operations console for ML services on AWS")]
pub struct Cli {
    /// Run on the simulated fleet (no AWS account needed)
    #[arg(long, global = true)]
    pub demo: bool,
    /// Seed of the simulated fleet: the same seed and scenario play out the same way
    #[arg(long, global = true, default_value_t = 42, value_name = "N")]
    pub seed: u64,
    /// Scenario of the simulated fleet (see --list-scenarios)
    #[arg(long, global = true, default_value = "calm", value_name = "NAME")]
    pub scenario: String,
    /// Run the simulated fleet's clock N times faster (1-60), to rehearse a drill in seconds
    #[arg(long, global = true, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=60))]
    pub speed: u32,
    /// Show plans but change nothing: every action is refused (also `read_only` per profile in config.toml)
    #[arg(long, global = true)]
    pub read_only: bool,
    /// List the simulated fleet's scenarios and exit
    #[arg(long)]
    pub list_scenarios: bool,
    /// Colour theme: dark, light, high-contrast, monochrome, or a file in the themes directory
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Seconds between refreshes (1-3600)
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub refresh: Option<u64>,
    /// Configuration directory (default: the platform's, e.g. ~/.config/opsdeck)
    #[arg(long, global = true, env = "OPSDECK_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// AWS profile (default: AWS_PROFILE, else "default"); SSO and assume-role profiles work
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, else the profile's)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (an emulator or a VPC endpoint; default: AWS_ENDPOINT_URL)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Open the console on this cluster's services (filtered to it)
    #[arg(long, value_name = "CLUSTER", group = "open_at")]
    pub cluster: Option<String>,
    /// Open the console on this service (ecs:CLUSTER/SERVICE, or a name)
    #[arg(long, value_name = "SERVICE", group = "open_at")]
    pub service: Option<String>,
    /// Open the console on this SageMaker endpoint
    #[arg(long, value_name = "ENDPOINT", group = "open_at")]
    pub endpoint: Option<String>,
    /// Open the console on this alarm
    #[arg(long, value_name = "ALARM", group = "open_at")]
    pub alarm: Option<String>,
    /// Open the console on this Lambda function
    #[arg(long, value_name = "FUNCTION", group = "open_at")]
    pub function: Option<String>,
    /// Every account and region of [fleet] in config.toml in one view: rows merged with ACCOUNT
    /// and REGION columns, each action sent to its row's account (with --demo: two simulated accounts)
    #[arg(long, global = true)]
    pub fleet: bool,
    /// Do not draw the last-known fleet from disk at start (see fleet_cache in config.toml)
    #[arg(long, global = true)]
    pub no_cache: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The deep link the flags ask for, if any.
    pub fn deep_link(&self) -> Option<crate::app::DeepLink> {
        crate::app::DeepLink::from_flags(
            self.cluster.as_deref(),
            self.service.as_deref(),
            self.endpoint.as_deref(),
            self.alarm.as_deref(),
            self.function.as_deref(),
        )
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every path opsdeck reads or writes, and the theme and keymap in effect
    Info,
    /// Print one snapshot of the fleet (services, endpoints, alarms) and exit
    Status(crate::status::StatusArgs),
    #[command(flatten)]
    Verb(crate::ops::grammar::Verb),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff)
    Man,
}
