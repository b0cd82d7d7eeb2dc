//! `runbook list|show|check|run`: runbooks headless. `run` runs each step's commands through the
//! same verbs as the command line (so every change is planned, confirmed, audited and watched)
//! and records each step on the open incident's timeline, starting one if none is open.

use super::{Env, EXIT_USAGE};
use crate::audit::{AuditRecord, Phase};
use crate::incident::{self, Entry, Kind};
use crate::ops::grammar::{self, RunbookArgs, RunbookCommand, Verb};
use crate::runbook::{placeholders, render, Runbook};
use crate::sanitize::inert;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::io::Write;

pub async fn run(
    args: &RunbookArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let library = env.config.runbooks();
    match args.command.clone().unwrap_or(RunbookCommand::List) {
        RunbookCommand::List => {
            writeln!(out, "runbooks folder: {}", library.dir.display())?;
            for e in library.list() {
                match &e.title {
                    Ok(title) => writeln!(out, "{:<40} {:>2} steps  {}", e.name, e.steps, inert(title))?,
                    Err(_) => writeln!(out, "{:<40} does not check: `opsdeck runbook check {}`", e.name, e.origin)?,
                }
            }
            Ok(0)
        }
        RunbookCommand::Show { file } => match library.load(&file) {
            Ok(rb) => {
                show(&rb, out)?;
                Ok(0)
            }
            Err(e) => {
                problems(&e, err)?;
                Ok(EXIT_USAGE)
            }
        },
        RunbookCommand::Check { files } => {
            let mut code = 0;
            for file in files {
                match library.load(&file) {
                    Ok(rb) => writeln!(out, "{}: ok ({} steps)", rb.origin, rb.steps.len())?,
                    Err(e) => {
                        problems(&e, err)?;
                        code = EXIT_USAGE;
                    }
                }
            }
            Ok(code)
        }
        RunbookCommand::Run { file, step, set, alarm, yes } => {
            let rb = match library.load(&file) {
                Ok(rb) => rb,
                Err(e) => {
                    problems(&e, err)?;
                    return Ok(EXIT_USAGE);
                }
            };
            run_steps(&rb, step, set, alarm.as_deref(), yes, env, out, err).await
        }
    }
}

/// Problems one per line, each made inert on its own (a newline between them stays a newline).
fn problems(text: &str, err: &mut (dyn Write + Send)) -> std::io::Result<()> {
    for line in text.lines() {
        writeln!(err, "{}", inert(line))?;
    }
    Ok(())
}

fn show(rb: &Runbook, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
    writeln!(out, "# {}  ({})", inert(&rb.title), rb.origin)?;
    for line in render::lines(&rb.intro, 0) {
        writeln!(out, "{}", inert(&render::text(&line)))?;
    }
    for step in &rb.steps {
        writeln!(out, "\n## {}", inert(&step.title))?;
        for line in render::lines(&step.blocks, 0) {
            writeln!(out, "{}", inert(&render::text(&line)))?;
        }
    }
    Ok(())
}

/// Writes through to `out` and keeps a copy (a step's output, for the timeline).
struct Tee<'a> {
    out: &'a mut (dyn Write + Send),
    kept: Vec<u8>,
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The placeholder values: the alarm's, then the declared defaults, then `--set`.
async fn values(
    rb: &Runbook,
    set: Vec<(String, String)>,
    alarm: Option<&str>,
    env: &Env<'_>,
) -> Result<BTreeMap<String, String>, String> {
    let mut values = BTreeMap::new();
    if let Some(name) = alarm {
        let alarms = env.backend.alarms().await.map_err(|e| e.to_string())?;
        let a = alarms.iter().find(|a| a.name == name).ok_or_else(|| format!("no alarm named {name}"))?;
        let services = env.backend.services().await.unwrap_or_default();
        let endpoints = env.backend.endpoints().await.unwrap_or_default();
        values = crate::runbook::context::values_for(Some(a), None, &services, &endpoints, &env.backend.label());
    } else {
        let label = env.backend.label();
        values.extend(crate::runbook::context::values_for(None, None, &[], &[], &label));
    }
    for (name, param) in &rb.params {
        if let Some(default) = &param.default {
            values.entry(name.clone()).or_insert_with(|| default.clone());
        }
    }
    values.extend(set);
    Ok(values)
}

#[allow(clippy::too_many_arguments)]
async fn run_steps(
    rb: &Runbook,
    only: Option<usize>,
    set: Vec<(String, String)>,
    alarm: Option<&str>,
    yes: bool,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    if let Some(n) = only.filter(|n| *n == 0 || *n > rb.steps.len()) {
        writeln!(err, "opsdeck: {} has steps 1 to {}, not {n}", rb.origin, rb.steps.len())?;
        return Ok(EXIT_USAGE);
    }
    let values = match values(rb, set, alarm, env).await {
        Ok(v) => v,
        Err(e) => {
            writeln!(err, "opsdeck: {}", inert(&e))?;
            return Ok(EXIT_USAGE);
        }
    };
    let chosen: Vec<(usize, &crate::runbook::RunbookStep)> =
        rb.steps.iter().enumerate().filter(|(i, _)| only.is_none_or(|n| n == i + 1)).collect();
    // Every placeholder of every step to run must have a value before anything runs.
    let mut missing: Vec<String> = Vec::new();
    for (i, step) in &chosen {
        for c in step.commands() {
            if let Err(names) = placeholders::fill(&c.text, &values) {
                missing.extend(names.into_iter().map(|n| format!("{n} (step {})", i + 1)));
            }
        }
    }
    if !missing.is_empty() {
        missing.dedup();
        writeln!(err, "opsdeck: no value for {}: pass --set NAME=VALUE (or --alarm NAME)", missing.join(", "))?;
        return Ok(EXIT_USAGE);
    }
    let now = || env.backend.clock().unwrap_or_else(chrono::Utc::now);
    let title = rb.origin.rsplit(['/', ':']).next().unwrap_or(&rb.origin).trim_end_matches(".md").to_string();
    let log = &env.ops.incidents;
    let why = format!("runbook run {}", rb.origin);
    let incident = match log.open_or_start(&incident::name_for(&title, now()), &why, now()) {
        Ok((name, started)) => {
            if started {
                writeln!(out, "incident {name} opened (opsdeck incident export writes its timeline)")?;
                // The alarm that paged, as it stands, is where the timeline begins.
                if let Some(a) = alarm_now(env, alarm).await {
                    if let Err(e) = log.append(&incident::alarm_entry(&name, &a, None)) {
                        writeln!(err, "opsdeck: the incident timeline: {e}")?;
                    }
                }
            }
            name
        }
        Err(e) => {
            writeln!(err, "opsdeck: the incident timeline: {e}")?;
            return Ok(super::EXIT_FAILED);
        }
    };
    writeln!(out, "# {}", inert(&rb.title))?;
    for (i, step) in chosen {
        writeln!(out, "\n## {}", inert(&step.title))?;
        for line in render::lines(&step.blocks, 0) {
            writeln!(out, "{}", inert(&render::text(&line)))?;
        }
        let commands: Vec<String> = step.commands().filter_map(|c| placeholders::fill(&c.text, &values).ok()).collect();
        if commands.is_empty() {
            continue;
        }
        let started = now();
        let before = audit_ids(env);
        let mut tee = Tee { out: &mut *out, kept: Vec::new() };
        let mut code = 0;
        for command in &commands {
            // Shown, not kept: the timeline lists the commands apart from what they printed.
            writeln!(tee.out, "$ opsdeck {}", inert(command))?;
            code = match grammar::parse_line(command) {
                Ok(Verb::Runbook(_)) => {
                    writeln!(err, "opsdeck: a runbook step cannot run another runbook")?;
                    EXIT_USAGE
                }
                Ok(mut verb) => {
                    if yes {
                        assume_yes(&mut verb);
                    }
                    let code = Box::pin(super::run(&verb, env, &mut tee, err)).await?;
                    if let (Verb::Wait(w), 0) = (&verb, code) {
                        let made: Vec<String> = audit_ids(env).into_iter().filter(|id| !before.contains(id)).collect();
                        if let Err(e) = record_waited(env, w.address.as_deref(), &made, now()) {
                            writeln!(err, "opsdeck: could not record the end in the audit log: {e}")?;
                        }
                    }
                    code
                }
                Err(e) => {
                    writeln!(err, "opsdeck: {}", inert(&e))?;
                    EXIT_USAGE
                }
            };
            if code != 0 {
                break;
            }
        }
        let kept = String::from_utf8_lossy(&tee.kept).into_owned();
        let mut entry = Entry::new(
            &incident,
            Kind::Step,
            format!("step {} of {}", i + 1, rb.origin),
            started,
            &incident::local_user(),
        );
        entry.recorded_at = now();
        entry.runbook = Some(rb.origin.clone());
        entry.step = Some(step.title.clone());
        entry.commands = commands;
        entry.exit = Some(code);
        entry.output = Some(incident::excerpt(&kept));
        entry.audit_ids = audit_ids(env).into_iter().filter(|id| !before.contains(id)).collect();
        if let Err(e) = log.append(&entry) {
            writeln!(err, "opsdeck: could not record the step on the timeline: {e}")?;
        }
        if code != 0 {
            writeln!(err, "opsdeck: step \"{}\" failed (exit {code}): the runbook stops here", inert(&step.title))?;
            return Ok(code);
        }
    }
    Ok(0)
}

async fn alarm_now(env: &Env<'_>, name: Option<&str>) -> Option<crate::domain::Alarm> {
    let name = name?;
    env.backend.alarms().await.ok()?.into_iter().find(|a| a.name == name)
}

/// A script's `--yes` for every step that asks.
fn assume_yes(verb: &mut Verb) {
    match verb {
        Verb::Scale(a) => a.run.yes = true,
        Verb::Redeploy(a) => a.run.yes = true,
        Verb::Rollback(a) => a.run.yes = true,
        Verb::Invoke(a) => a.run.yes = true,
        Verb::Undo(a) => a.run.yes = true,
        Verb::Teardown(a) | Verb::Restore(a) => a.run.yes = true,
        _ => {}
    }
}

/// A step's `wait ADDRESS` that ended with the resource settled is the end of the changes the
/// step made to it: write their `settled` record. Headless, a change without `--wait` is followed
/// by the runbook's own `wait` line rather than by the change's watch (the console's strip and
/// `--wait` write this record themselves); without this, a change run from a runbook stayed
/// "succeeded" in the audit log for ever, as if no one had seen it finish.
fn record_waited(env: &Env<'_>, address: Option<&str>, made: &[String], now: DateTime<Utc>) -> Result<(), String> {
    let Some(address) = address.and_then(|a| grammar::parse_address(a).ok()).map(|a| a.to_string()) else {
        return Ok(());
    };
    let (records, _) = env.ops.audit.read()?;
    for id in made {
        let mine: Vec<&AuditRecord> = records.iter().filter(|r| r.id == *id).collect();
        if mine.iter().any(|r| r.phase == Phase::Settled) {
            continue;
        }
        // A variant's change (`sm:E/V`) is settled by waiting for its endpoint (`sm:E`).
        let Some(finished) = mine.iter().rev().find(|r| {
            r.phase == Phase::Finished
                && r.outcome == "succeeded"
                && (r.resource == address || r.resource.starts_with(&format!("{address}/")))
        }) else {
            continue;
        };
        let mut settled = (*finished).clone();
        settled.phase = Phase::Settled;
        settled.time = now;
        settled.request_ids = Vec::new();
        settled.outcome = format!("settled: `wait {address}` saw it done");
        env.ops.audit.append(&settled)?;
    }
    Ok(())
}

/// The actions in the audit log now (to tell which ones a step made).
fn audit_ids(env: &Env<'_>) -> Vec<String> {
    let records = env.ops.audit.read().map(|(records, _)| records).unwrap_or_default();
    crate::audit::entries(&records).into_iter().map(|e| e.id).collect()
}
