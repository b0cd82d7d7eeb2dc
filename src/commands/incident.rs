//! `incident start|note|end|list|export`: the timeline headless.

use super::{Env, EXIT_FAILED, EXIT_USAGE};
use crate::incident::{self, ExportOptions, Kind};
use crate::ops::grammar::{IncidentArgs, IncidentCommand};
use crate::sanitize::inert;
use std::io::Write;

pub async fn run(
    args: &IncidentArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let log = &env.ops.incidents;
    let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
    let failed = |err: &mut (dyn Write + Send), e: String, code: u8| -> std::io::Result<u8> {
        writeln!(err, "opsdeck: {}", inert(&e))?;
        Ok(code)
    };
    let team = env.ops.team.as_deref();
    match &args.command {
        IncidentCommand::Start { name } if team.is_some() => {
            // Someone else's open incident of that name is joined, not started twice.
            if let Some(shared) = shared_open(team, name).await {
                let by = shared.started_by.at();
                return failed(
                    err,
                    format!("incident {name} is already open (started by {by}): `opsdeck incident join {name}`"),
                    EXIT_USAGE,
                );
            }
            match log.start(name, "started by hand", now) {
                Ok(()) => {
                    writeln!(out, "incident {name} opened and shared; its timeline is {}", log.path().display())?;
                    Ok(0)
                }
                Err(e) => failed(err, e, EXIT_USAGE),
            }
        }
        IncidentCommand::Join { name } => {
            let Some(team) = team else {
                return failed(
                    err,
                    "incident join needs team mode: set [team] table in config.toml".into(),
                    EXIT_USAGE,
                );
            };
            if let Err(e) = incident::check_name(name) {
                return failed(err, e, EXIT_USAGE);
            }
            match team.incidents().await {
                Ok(index) => match index.iter().rev().find(|i| &i.name == name) {
                    None => {
                        return failed(
                            err,
                            format!("no shared incident named {name} (see `opsdeck incident list`)"),
                            EXIT_USAGE,
                        )
                    }
                    Some(i) if i.ended.is_some() => {
                        return failed(err, format!("incident {name} has ended"), EXIT_USAGE)
                    }
                    Some(_) => {}
                },
                Err(e) => return failed(err, e.to_string(), EXIT_FAILED),
            }
            match log.join(name, now) {
                Ok(()) => {
                    writeln!(out, "joined incident {name}: your notes, steps and actions land on its shared timeline")?;
                    Ok(0)
                }
                Err(e) => failed(err, e, EXIT_USAGE),
            }
        }
        IncidentCommand::Start { name } => match log.start(name, "started by hand", now) {
            Ok(()) => {
                writeln!(out, "incident {name} opened; its timeline is {}", log.path().display())?;
                Ok(0)
            }
            Err(e) => failed(err, e, EXIT_USAGE),
        },
        IncidentCommand::Note { text } if text.len() == 1 && text[0] == "-" => {
            // `incident note -`: one note per line of stdin (a pasted list, a script's findings).
            let mut noted = 0;
            for line in std::io::BufRead::lines(std::io::stdin().lock()) {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let at = env.backend.clock().unwrap_or_else(chrono::Utc::now);
                if let Err(e) = log.note(&line, at) {
                    return failed(err, e, EXIT_USAGE);
                }
                noted += 1;
            }
            writeln!(out, "{noted} notes added")?;
            Ok(0)
        }
        IncidentCommand::Note { text } => match log.note(&text.join(" "), now) {
            Ok(name) => {
                writeln!(out, "noted on {name}")?;
                Ok(0)
            }
            Err(e) => failed(err, e, EXIT_USAGE),
        },
        IncidentCommand::End => match log.end(now) {
            Ok(name) => {
                writeln!(out, "incident {name} closed")?;
                Ok(0)
            }
            Err(e) => failed(err, e, EXIT_USAGE),
        },
        IncidentCommand::List if team.is_some() => {
            let index = match team.map(|t| t.incidents()) {
                Some(read) => match read.await {
                    Ok(index) => index,
                    Err(e) => return failed(err, e.to_string(), EXIT_FAILED),
                },
                None => Vec::new(),
            };
            let here = log.open().ok().flatten();
            for i in &index {
                let mark = match (&i.ended, here.as_deref() == Some(i.name.as_str())) {
                    (Some(_), _) => "closed",
                    (None, true) => "open here",
                    (None, false) => "open",
                };
                writeln!(
                    out,
                    "{:<48} {} UTC  {mark:<9} started by {}",
                    inert(&i.name),
                    i.started.format("%Y-%m-%d %H:%M"),
                    inert(&i.started_by.at())
                )?;
            }
            if index.is_empty() {
                writeln!(out, "no incidents in the team table")?;
            }
            Ok(0)
        }
        IncidentCommand::List => {
            let entries = match log.read() {
                Ok(e) => e,
                Err(e) => return failed(err, e, EXIT_FAILED),
            };
            let open = incident::open_in(&entries);
            for start in entries.iter().filter(|e| e.kind == Kind::Start) {
                let n = entries.iter().filter(|e| e.incident == start.incident).count();
                let mark = if open.as_deref() == Some(start.incident.as_str()) { "open" } else { "closed" };
                writeln!(
                    out,
                    "{:<48} {} UTC  {mark:<6} {n} entries",
                    inert(&start.incident),
                    start.at.format("%Y-%m-%d %H:%M")
                )?;
            }
            Ok(0)
        }
        IncidentCommand::Export { name, since, to } => {
            let mut entries = match log.read() {
                Ok(e) => e,
                Err(e) => return failed(err, e, EXIT_FAILED),
            };
            let mut records = match env.ops.audit.read() {
                Ok((records, _)) => records,
                Err(e) => return failed(err, e, EXIT_FAILED),
            };
            if let Some(team) = team {
                // Every operator's entries and actions, each once.
                let wanted = name.clone().or_else(|| incident::open_in(&entries));
                if let Err(e) = add_shared(team, wanted, &mut entries, &mut records).await {
                    writeln!(err, "opsdeck: {}; exporting this bastion's record only", inert(&e))?;
                }
            }
            let actions = crate::audit::entries(&records);
            let since = since.and_then(|d| chrono::Duration::from_std(d).ok()).map(|d| now - d);
            let doc = match incident::export(&entries, &actions, &ExportOptions { name: name.clone(), since, now }) {
                Ok(doc) => doc,
                Err(e) => return failed(err, e, EXIT_USAGE),
            };
            match to {
                Some(path) => match std::fs::write(path, &doc) {
                    Ok(()) => {
                        writeln!(out, "wrote {}", path.display())?;
                        Ok(0)
                    }
                    Err(e) => failed(err, format!("{}: {e}", path.display()), EXIT_FAILED),
                },
                None => {
                    out.write_all(doc.as_bytes())?;
                    Ok(0)
                }
            }
        }
    }
}

/// The shared index's open incident of this name, if any.
async fn shared_open(team: Option<&crate::team::Team>, name: &str) -> Option<crate::team::items::SharedIncident> {
    let index = team?.incidents().await.ok()?;
    index.into_iter().rev().find(|i| i.name == name && i.ended.is_none())
}

/// Add the team table's entries of the incident (the newest shared one when none is named) and
/// every operator's audit records, skipping what this bastion has already.
async fn add_shared(
    team: &crate::team::Team,
    name: Option<String>,
    entries: &mut Vec<crate::incident::Entry>,
    records: &mut Vec<crate::audit::AuditRecord>,
) -> Result<(), String> {
    let name = match name {
        Some(n) => n,
        None => match team.incidents().await.map_err(|e| e.to_string())?.pop() {
            Some(i) => i.name,
            None => return Ok(()),
        },
    };
    // The shared copy of an entry names its host too; this bastion's own copy fills in what the
    // table does not have (yet).
    let shared: Vec<crate::incident::Entry> =
        team.entries(&name, None).await.map_err(|e| e.to_string())?.into_iter().map(|(_, s)| s.entry).collect();
    let ids: std::collections::HashSet<String> = shared.iter().map(|e| e.id.clone()).collect();
    entries.retain(|e| e.id.is_empty() || !ids.contains(&e.id));
    entries.extend(shared);
    entries.sort_by_key(|e| e.recorded_at);
    let key =
        |r: &crate::audit::AuditRecord| (r.id.clone(), format!("{:?}", r.phase), r.time, r.step.as_ref().map(|s| s.n));
    let have: std::collections::HashSet<_> = records.iter().map(key).collect();
    for s in team.audit_records().await.map_err(|e| e.to_string())? {
        let mut record = s.record;
        if !have.contains(&key(&record)) {
            record.who.user = s.operator.at();
            records.push(record);
        }
    }
    records.sort_by_key(|r| r.time);
    Ok(())
}
