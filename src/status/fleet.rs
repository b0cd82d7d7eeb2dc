//! `opsdeck status --fleet`: every account and region of `[fleet]` read side by side, their rows
//! merged with ACCOUNT (alias or id) and REGION columns. Every member is read at the same time;
//! an account's regions share its rate limits (its limiter paces their requests, `aws/limit.rs`).
//! One member's failure is said on its own line and its rows are missing; the others are shown.

use super::{snapshot, AlarmStatus, EndpointStatus, FunctionStatus, OutputFormat, ServiceStatus, StatusArgs};
use crate::domain::{AlarmState, FunctionFilter};
use crate::sanitize::inert;
use serde::Serialize;
use std::fmt::Write as _;

pub use crate::accounts::Member;

/// A row of one member, tagged with where it is.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tagged<T> {
    pub account: String,
    pub region: String,
    #[serde(flatten)]
    pub row: T,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AccountStatus {
    /// The alias, else the account id, else the profile.
    pub account: String,
    pub account_id: Option<String>,
    pub profile: String,
    pub region: String,
    /// Why this member's rows are missing or partial.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct FleetReport {
    pub accounts: Vec<AccountStatus>,
    pub services: Vec<Tagged<ServiceStatus>>,
    pub endpoints: Vec<Tagged<EndpointStatus>>,
    pub alarms: Vec<Tagged<AlarmStatus>>,
    pub functions: Vec<Tagged<FunctionStatus>>,
}

impl FleetReport {
    pub fn complete(&self) -> bool {
        self.accounts.iter().all(|a| a.errors.is_empty())
    }
}

async fn read_member(
    member: &Member,
    clusters: &[String],
    filter: &FunctionFilter,
) -> (AccountStatus, super::StatusReport) {
    let profile = member.profile.clone().unwrap_or_else(|| "default".into());
    let mut status = AccountStatus {
        account: member.alias.clone().unwrap_or_else(|| profile.clone()),
        account_id: None,
        profile,
        region: member.region.clone(),
        errors: Vec::new(),
    };
    let backend = match &member.backend {
        Ok(b) => b.clone(),
        Err(e) => {
            status.errors.push(inert(e).into_owned());
            return (status, super::StatusReport::default());
        }
    };
    let (identity, report) = futures::join!(backend.caller_identity(), snapshot(backend.as_ref(), clusters, filter));
    match identity {
        Ok(arn) => {
            let id = arn.split(':').nth(4).filter(|a| !a.is_empty()).map(str::to_string);
            if member.alias.is_none() {
                if let Some(id) = &id {
                    status.account.clone_from(id);
                }
            }
            status.account_id = id;
        }
        Err(e) => status.errors.push(format!("identity: {}", inert(&e.to_string()))),
    }
    // A cluster lives in one account: not finding it in the others is no error (said once below).
    status.errors.extend(report.errors.iter().filter(|e| !e.starts_with("--cluster ")).cloned());
    (status, report)
}

/// Read every member, side by side (each account's limiter paces its requests).
pub async fn snapshot_fleet(members: &[Member], clusters: &[String], filter: &FunctionFilter) -> FleetReport {
    let results = futures::future::join_all(members.iter().map(|m| read_member(m, clusters, filter))).await;
    let mut fleet = FleetReport::default();
    for (status, report) in results {
        fleet.services.extend(report.services.into_iter().map(|row| tag(&status, row)));
        fleet.endpoints.extend(report.endpoints.into_iter().map(|row| tag(&status, row)));
        fleet.alarms.extend(report.alarms.into_iter().map(|row| tag(&status, row)));
        fleet.functions.extend(report.functions.into_iter().map(|row| tag(&status, row)));
        fleet.accounts.push(status);
    }
    for c in clusters {
        if !fleet.services.iter().any(|s| &s.row.cluster == c) {
            if let Some(first) = fleet.accounts.first_mut() {
                first
                    .errors
                    .push(format!("--cluster {}: no service in a cluster of that name in any account", inert(c)));
            }
        }
    }
    // Firing alarms first, across accounts.
    fleet.alarms.sort_by_key(|a| a.row.state != AlarmState::Alarm);
    fleet
}

fn tag<T>(status: &AccountStatus, row: T) -> Tagged<T> {
    Tagged { account: status.account.clone(), region: status.region.clone(), row }
}

pub fn to_text(report: &FleetReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "opsdeck status --fleet: {} accounts and regions", report.accounts.len());
    for a in &report.accounts {
        let id = a.account_id.as_deref().unwrap_or("?");
        let state = if a.errors.is_empty() { "ok".to_string() } else { format!("{} errors", a.errors.len()) };
        let _ = writeln!(out, "  {:<20} {:<14} {:<16} profile {}  {state}", a.account, id, a.region, a.profile);
    }
    let _ = writeln!(out, "\nSERVICES ({})", report.services.len());
    let _ = writeln!(
        out,
        "{:<20} {:<16} {:<56} {:>7}  {:<11} TASK DEFINITION",
        "ACCOUNT", "REGION", "SERVICE", "RUN/DES", "ROLLOUT"
    );
    for s in &report.services {
        let tasks = format!("{}/{}", s.row.running, s.row.desired);
        let rollout = s.row.rollout_state.as_str();
        let _ = writeln!(
            out,
            "{:<20} {:<16} {:<56} {tasks:>7}  {rollout:<11} {}",
            s.account, s.region, s.row.address, s.row.task_definition
        );
    }
    let _ = writeln!(out, "\nENDPOINTS ({})", report.endpoints.len());
    for e in &report.endpoints {
        let _ = writeln!(out, "{:<20} {:<16} {:<56} {}", e.account, e.region, e.row.address, e.row.status);
    }
    let firing = report.alarms.iter().filter(|a| a.row.state == AlarmState::Alarm).count();
    let _ = writeln!(out, "\nALARMS ({} firing of {})", firing, report.alarms.len());
    for a in &report.alarms {
        let _ = writeln!(
            out,
            "{:<20} {:<16} {:<17} {:<44} {}",
            a.account,
            a.region,
            a.row.state.as_str(),
            a.row.name,
            a.row.reason
        );
    }
    if !report.functions.is_empty() {
        let _ = writeln!(out, "\nFUNCTIONS ({})", report.functions.len());
        for f in &report.functions {
            let _ = writeln!(out, "{:<20} {:<16} {}", f.account, f.region, f.row.name);
        }
    }
    let errors: Vec<String> = report
        .accounts
        .iter()
        .flat_map(|a| a.errors.iter().map(move |e| format!("{}/{}: {e}", a.account, a.region)))
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "\nERRORS ({})", errors.len());
        for e in errors {
            let _ = writeln!(out, "  {e}");
        }
    }
    out
}

/// Takes the fleet's snapshot and writes it; `Ok(false)` when a member could not be read fully.
pub async fn run(
    members: &[Member],
    args: &StatusArgs,
    filter: &FunctionFilter,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<bool> {
    let report = snapshot_fleet(members, &args.clusters, filter).await;
    match args.output {
        OutputFormat::Text => out.write_all(to_text(&report).as_bytes())?,
        OutputFormat::Json => {
            out.write_all(serde_json::to_string_pretty(&report)?.as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(report.complete())
}
