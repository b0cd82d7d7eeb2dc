//! Team mode headless: `team init|check`, `lease ADDRESS|list|release`, `audit --team`.

use super::read::print_audit;
use super::{Env, EXIT_FAILED, EXIT_REFUSED, EXIT_USAGE};
use crate::audit::{AuditRecord, Phase, Who};
use crate::ops::grammar::{self, AuditArgs, LeaseArgs, LeaseCommand, Output, TeamArgs, TeamCommand};
use crate::ops::leasing;
use crate::sanitize::inert;
use crate::team::lease::{LeaseError, Request};
use crate::team::{policy, Team};
use crate::team_table::{LeaseCondition, TableItem};
use chrono::Utc;
use serde_json::json;
use std::io::Write;

const OFF: &str = "team mode is off: set [team] table = \"NAME\" in config.toml (see docs/team.md)";

fn team<'a>(env: &'a Env<'_>, err: &mut (dyn Write + Send)) -> std::io::Result<Result<&'a Team, u8>> {
    match env.ops.team.as_deref() {
        Some(team) => Ok(Ok(team)),
        None => {
            writeln!(err, "opsdeck: {OFF}")?;
            Ok(Err(EXIT_USAGE))
        }
    }
}

pub async fn run(
    args: &TeamArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let team = match team(env, err)? {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    match args.command {
        TeamCommand::Init => init(team, out, err).await,
        TeamCommand::Check => check(team, out, err).await,
    }
}

async fn init(team: &Team, out: &mut (dyn Write + Send), err: &mut (dyn Write + Send)) -> std::io::Result<u8> {
    let name = &team.settings.table;
    match team.table().create().await {
        Ok(true) => writeln!(out, "created table {name}: on-demand billing, keys pk/sk (strings), TTL on expires_at")?,
        Ok(false) => writeln!(out, "table {name} exists; TTL on expires_at is on")?,
        Err(e) => {
            writeln!(err, "opsdeck: {}", inert(&e.to_string()))?;
            return Ok(EXIT_FAILED);
        }
    }
    let arn = policy::table_arn(&team.settings.region, team.operator.account(), name);
    writeln!(out, "\nthe least-privilege IAM policy for operators (attach it to their role):")?;
    let text = serde_json::to_string_pretty(&policy::operator_policy(&arn)).unwrap_or_default();
    writeln!(out, "{text}")?;
    writeln!(out, "\nthen check access from each bastion: opsdeck team check")?;
    Ok(0)
}

/// Every call an operator makes, tried once on probe items that are removed again.
async fn check(team: &Team, out: &mut (dyn Write + Send), err: &mut (dyn Write + Send)) -> std::io::Result<u8> {
    let table = team.table();
    let mut failed = 0;
    let mut line = |out: &mut (dyn Write + Send), what: &str, result: Result<String, String>| -> std::io::Result<()> {
        match result {
            Ok(detail) => writeln!(out, "ok      {what:<34} {}", inert(&detail)),
            Err(e) => {
                failed += 1;
                writeln!(out, "FAILED  {what:<34} {}", inert(&e))
            }
        }
    };
    let info = table.describe().await.map_err(|e| e.to_string());
    let described = info
        .as_ref()
        .map(|i| {
            format!(
                "{} is {}, {}, TTL on {}, ~{} items",
                i.name,
                i.status,
                if i.on_demand { "on-demand" } else { "provisioned" },
                i.ttl_attribute.as_deref().unwrap_or("nothing (run opsdeck team init)"),
                i.items.map_or("?".to_string(), |n| n.to_string())
            )
        })
        .map_err(String::clone);
    line(out, "dynamodb:DescribeTable", described.clone())?;
    if described.is_err() {
        writeln!(
            err,
            "opsdeck: the table cannot be read; create it with `opsdeck team init` (an administrator, once)"
        )?;
        return Ok(EXIT_FAILED);
    }
    let now = Utc::now();
    let probe = TableItem {
        pk: "CHECK".into(),
        sk: format!("{}#{}", team.operator.session, now.timestamp_micros()),
        body: "{}".into(),
        expires_at: Some(now.timestamp() + 3600),
        session: Some(team.operator.session.clone()),
        until: Some(now.timestamp() + 60),
        version: Some(1),
    };
    let condition = LeaseCondition::FreeExpiredOrMine { now: now.timestamp(), session: team.operator.session.clone() };
    let put = table.put_lease(&probe, &condition).await.map_err(|e| e.to_string());
    line(
        out,
        "dynamodb:PutItem (conditional)",
        put.map(|w| if w { "written".into() } else { "condition failed".into() }),
    )?;
    let got = table.get(&probe.pk, &probe.sk).await.map_err(|e| e.to_string());
    line(out, "dynamodb:GetItem", got.map(|i| if i.is_some() { "read back".into() } else { "not found".into() }))?;
    let extended = table
        .extend_lease(&probe.pk, &probe.sk, &team.operator.session, 1, now.timestamp() + 60, now.timestamp() + 3600)
        .await
        .map_err(|e| e.to_string());
    line(
        out,
        "dynamodb:UpdateItem (conditional)",
        extended.map(|w| if w { "extended".into() } else { "condition failed".into() }),
    )?;
    let queried = table.query(&probe.pk, None).await.map_err(|e| e.to_string());
    line(out, "dynamodb:Query", queried.map(|items| format!("{} probe items", items.len())))?;
    let deleted = table.delete_lease(&probe.pk, &probe.sk, 2).await.map_err(|e| e.to_string());
    line(
        out,
        "dynamodb:DeleteItem (conditional)",
        deleted.map(|w| if w { "removed".into() } else { "condition failed".into() }),
    )?;
    let pending = team.pending();
    let queue = match team.flush().await {
        Ok(sent) => Ok(format!("{sent} queued records sent, {} waiting", team.pending())),
        Err(e) => Err(format!("{pending} records wait in {}: {e}", team.queue_path().display())),
    };
    line(out, "local queue", queue)?;
    writeln!(out, "operator: {} session {}", inert(&team.operator.describe()), inert(&team.operator.session))?;
    Ok(if failed == 0 { 0 } else { EXIT_FAILED })
}

pub async fn lease(
    args: &LeaseArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let team = match team(env, err)? {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let now = env.backend.clock().unwrap_or_else(Utc::now);
    let arn = env.backend.caller_identity().await.unwrap_or_default();
    let scope = leasing::scope(&env.backend.label(), &arn);
    let failed = |err: &mut (dyn Write + Send), e: &LeaseError| -> std::io::Result<u8> {
        writeln!(err, "opsdeck: {}", inert(&e.to_string()))?;
        Ok(match e {
            LeaseError::Table(_) => EXIT_FAILED,
            _ => EXIT_REFUSED,
        })
    };
    match (&args.command, &args.address) {
        (Some(LeaseCommand::List { output }), _) => match team.leases.list(now).await {
            Ok(leases) if *output == Output::Json => {
                writeln!(out, "{}", serde_json::to_string(&leases).unwrap_or_default())?;
                Ok(0)
            }
            Ok(leases) => {
                if leases.is_empty() {
                    writeln!(out, "no leases held")?;
                }
                for l in &leases {
                    writeln!(
                        out,
                        "{:<40} {:<28} {:<24} {:<14} {} -> {} UTC  {}",
                        inert(&l.resource),
                        inert(&l.scope),
                        inert(&l.holder.at()),
                        inert(&l.purpose),
                        l.since.format("%H:%M"),
                        l.until.format("%H:%M"),
                        inert(l.note.as_deref().unwrap_or_default())
                    )?;
                }
                Ok(0)
            }
            Err(e) => failed(err, &LeaseError::Table(e)),
        },
        (Some(LeaseCommand::Release { address }), _) => {
            let address = match grammar::parse_address(address) {
                // A lease is on the whole resource a plan reads: a variant's endpoint.
                Ok(a) => a.resource().to_string(),
                Err(e) => return usage(err, &e),
            };
            match team.leases.release_resource(&scope, &address, now).await {
                Ok(said) => {
                    writeln!(out, "{said}")?;
                    Ok(0)
                }
                Err(e) => failed(err, &e),
            }
        }
        (None, Some(address)) => {
            let address = match grammar::parse_address(address) {
                // A lease is on the whole resource a plan reads: a variant's endpoint.
                Ok(a) => a.resource().to_string(),
                Err(e) => return usage(err, &e),
            };
            let duration = match chrono::Duration::from_std(args.duration) {
                Ok(d) if d >= chrono::Duration::seconds(5) && d <= chrono::Duration::hours(12) => d,
                _ => return usage(err, "--for: a lease lasts from 5s to 12h"),
            };
            let note = args.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
            let request = Request {
                scope: &scope,
                resources: std::slice::from_ref(&address),
                purpose: "investigating",
                note,
                duration,
                take_over: args.take_over,
            };
            match team.leases.take("manual", &request, now).await {
                Ok(taken) => {
                    let until = (now + duration).format("%H:%M");
                    writeln!(out, "holding {address} until {until} UTC; others' actions on it are refused")?;
                    for from in &taken.taken_over {
                        writeln!(out, "taken over from {}", inert(&from.describe()))?;
                        record_take_over(env, &address, &arn, &from.describe(), now);
                    }
                    Ok(0)
                }
                Err(e) => failed(err, &e),
            }
        }
        (None, None) => usage(err, "lease ADDRESS [--for D] [--note TEXT], lease list, or lease release ADDRESS"),
    }
}

fn usage(err: &mut (dyn Write + Send), e: &str) -> std::io::Result<u8> {
    writeln!(err, "opsdeck: {}", inert(e))?;
    Ok(EXIT_USAGE)
}

/// A lease taken over by hand is in the audit log (and so in the team's).
fn record_take_over(env: &Env<'_>, address: &str, arn: &str, from: &str, now: chrono::DateTime<Utc>) {
    let (profile, region) = match env.backend.label() {
        crate::backend::BackendLabel::Aws { profile, region } => (profile, region),
        crate::backend::BackendLabel::Demo { scenario, .. } => (format!("demo:{scenario}"), "simulated".into()),
    };
    let record = AuditRecord {
        id: crate::audit::new_id(now),
        time: now,
        phase: Phase::Finished,
        who: Who::local(arn.to_string()),
        profile,
        region,
        action: "lease".into(),
        resource: address.to_string(),
        command: format!("lease {address} --take-over"),
        before: json!({ "held_by": from }),
        after: json!({ "held_by": arn }),
        request_ids: Vec::new(),
        outcome: format!("took over the lease from {from}"),
        inverse: None,
        step: None,
        replan: None,
        lease: Some(format!("took over {address} from {from}")),
    };
    if let Err(e) = env.ops.audit.append(&record) {
        tracing::error!(%e, "could not record a lease take-over");
    }
}

/// `audit --team`: every operator's actions from the table, each named `user@host`.
pub async fn audit(
    args: &AuditArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let team = match team(env, err)? {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let records = match team.audit_log().await {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "opsdeck: {}", inert(&e.to_string()))?;
            return Ok(EXIT_FAILED);
        }
    };
    let empty = format!("no actions recorded in the team table {}", team.settings.table);
    print_audit(crate::audit::entries(&records), args, &empty, out)?;
    Ok(0)
}
