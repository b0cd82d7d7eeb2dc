//! `incident start|note|end|list|export`: the timeline headless.

use super::{Env, EXIT_FAILED, EXIT_USAGE};
use crate::incident::{self, ExportOptions, Kind};
use crate::ops::grammar::{IncidentArgs, IncidentCommand};
use crate::sanitize::inert;
use std::io::Write;

pub fn run(
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
    match &args.command {
        IncidentCommand::Start { name } => match log.start(name, "started by hand", now) {
            Ok(()) => {
                writeln!(out, "incident {name} opened; its timeline is {}", log.path().display())?;
                Ok(0)
            }
            Err(e) => failed(err, e, EXIT_USAGE),
        },
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
            let entries = match log.read() {
                Ok(e) => e,
                Err(e) => return failed(err, e, EXIT_FAILED),
            };
            let actions = match env.ops.audit.read() {
                Ok((records, _)) => crate::audit::entries(&records),
                Err(e) => return failed(err, e, EXIT_FAILED),
            };
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
