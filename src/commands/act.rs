//! The mutating verbs, headless: plan, print it, ask (or `--yes`), execute, report, and with
//! `--wait` follow the change to its end.

use super::{follow, watch_end, Env, DEFAULT_TIMEOUT, EXIT_FAILED, EXIT_REFUSED, EXIT_USAGE};
use crate::ops::grammar::{self, Output, RunArgs, UndoArgs};
use crate::ops::{confirm, execute, invoke, plan, record_settled, Answer, Intent, OpError, Plan};
use crate::sanitize::inert;
use serde_json::json;
use std::io::{BufRead, Write};

fn plan_json(p: &Plan) -> serde_json::Value {
    json!({
        "action": p.intent.verb(),
        "resource": p.intent.address().to_string(),
        "command": p.intent.command_line(),
        "changes": p.changes,
        "notes": p.notes,
        "details": p.details,
        "destructive": p.destructive,
        "inverse": p.inverse,
    })
}

fn print_plan(p: &Plan, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "plan: {}", inert(&p.intent.command_line()))?;
    for c in &p.changes {
        writeln!(out, "  {}: {} -> {}", inert(&c.field), inert(&c.before), inert(&c.after))?;
    }
    for n in &p.notes {
        writeln!(out, "  • {}", inert(n))?;
    }
    for d in &p.details {
        writeln!(out, "  {}", inert(d))?;
    }
    if let Some(inverse) = &p.inverse {
        writeln!(out, "  undo: opsdeck {}", inert(inverse))?;
    }
    Ok(())
}

fn fail(e: &OpError, output: Output, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let text = inert(&e.to_string()).into_owned();
    if output == Output::Json {
        writeln!(out, "{}", json!({ "error": text, "exit": e.exit_code() }))?;
    }
    writeln!(err, "opsdeck: {text}")?;
    Ok(e.exit_code())
}

/// Ask on the terminal: y for ordinary plans, the name for destructive ones.
fn ask(p: &Plan, err: &mut dyn Write) -> std::io::Result<Answer> {
    if p.destructive {
        write!(err, "This is destructive. Type {} to apply: ", p.confirm_name)?;
    } else {
        write!(err, "Apply? [y/N] ")?;
    }
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(Answer::Typed(line.trim_end_matches(['\r', '\n']).to_string()))
}

pub async fn act(
    intent: Intent,
    run: &RunArgs,
    env: &Env<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let text = run.output == Output::Text;
    let plan = match plan(env.backend, intent).await {
        Ok(p) => p,
        Err(e) => return fail(&e, run.output, out, err),
    };
    if text {
        print_plan(&plan, out)?;
    }
    if plan.is_noop() {
        if text {
            writeln!(out, "nothing to change")?;
        } else {
            writeln!(out, "{}", json!({ "plan": plan_json(&plan), "outcome": "nothing to change" }))?;
        }
        return Ok(0);
    }
    let answer = if run.yes {
        Answer::AssumeYes
    } else if env.ops.read_only {
        Answer::Yes // confirm refuses it, saying why and what to hand on
    } else if env.interactive {
        out.flush()?;
        ask(&plan, err)?
    } else {
        let e = OpError::Refused("no terminal to ask on: pass --yes to confirm from a script".into());
        return fail(&e, run.output, out, err);
    };
    let plan_view = plan_json(&plan);
    let confirmed = match confirm(plan, &answer, env.ops.read_only) {
        Ok(c) => c,
        Err(e) => return fail(&e, run.output, out, err),
    };
    let mut executed = match execute(env.backend, env.ops, confirmed).await {
        Ok(x) => x,
        Err(e) => return fail(&e, run.output, out, err),
    };
    let request_ids: Vec<String> = executed.receipts.iter().filter_map(|r| r.request_id.clone()).collect();
    let response = executed.receipts.iter().find_map(|r| r.response.clone());
    if text {
        writeln!(out, "applied (audit {}; request {})", executed.id, request_ids.join(", "))?;
        if let Some(r) = &response {
            for line in invoke::describe_response(r) {
                writeln!(out, "{line}")?;
            }
        }
    }
    let mut code = response.as_ref().map_or(0, |r| if r.status >= 400 { EXIT_FAILED } else { 0 });
    let mut watch_view = serde_json::Value::Null;
    if let Some(watch) = executed.watch.take().filter(|_| run.wait) {
        if text {
            writeln!(
                out,
                "watching {} (up to {})",
                watch.address,
                humantime::format_duration(run.timeout.unwrap_or(DEFAULT_TIMEOUT))
            )?;
        }
        let done = follow(env.backend, watch, run.timeout.unwrap_or(DEFAULT_TIMEOUT), text, out).await?;
        let (summary, exit) = watch_end(&done);
        code = exit;
        let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
        if let Err(e) = record_settled(env.ops, &executed, &done, &env.backend.label(), now) {
            writeln!(err, "opsdeck: could not record the end in the audit log: {e}")?;
        }
        if text {
            writeln!(out, "{summary}")?;
        }
        watch_view = serde_json::to_value(&done).unwrap_or_default();
    }
    if !text {
        let body = response.map(|r| {
            json!({
                "status": r.status,
                "latency_ms": r.latency_ms,
                "invoked_variant": r.invoked_variant,
                "content_type": r.content_type,
                "body": String::from_utf8_lossy(&r.body),
            })
        });
        let view = json!({
            "plan": plan_view,
            "audit_id": executed.id,
            "request_ids": request_ids,
            "outcome": if code == 0 { "succeeded" } else { "failed" },
            "response": body,
            "watch": watch_view,
        });
        writeln!(out, "{view}")?;
    }
    Ok(code)
}

/// `undo [ID]`: the audit's inverse command, through the same path.
pub async fn undo(args: &UndoArgs, env: &Env<'_>, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<u8> {
    let records = match env.ops.audit.read() {
        Ok((records, _)) => records,
        Err(e) => {
            writeln!(err, "opsdeck: {e}")?;
            return Ok(EXIT_FAILED);
        }
    };
    let entries = crate::ops::audit::entries(&records);
    let entry = match &args.id {
        Some(id) => entries.iter().find(|e| e.id == *id),
        // The newest action that applied and has an inverse.
        None => entries.iter().rev().find(|e| e.inverse.is_some() && !e.outcome.starts_with("failed")),
    };
    let Some(entry) = entry else {
        let what =
            args.id.as_deref().map_or("no action that can be undone".to_string(), |id| format!("no action {id}"));
        writeln!(err, "opsdeck: {what} in {}", env.ops.audit.path().display())?;
        return Ok(EXIT_USAGE);
    };
    let Some(inverse) = &entry.inverse else {
        writeln!(err, "opsdeck: {} {} has no undo", inert(&entry.action), inert(&entry.resource))?;
        return Ok(EXIT_USAGE);
    };
    if args.run.output == Output::Text {
        writeln!(out, "undo {}: opsdeck {}", entry.id, inert(inverse))?;
    }
    let verb = match grammar::parse_line(inverse) {
        Ok(v) => v,
        Err(e) => {
            writeln!(err, "opsdeck: the inverse `{}` does not parse: {e}", inert(inverse))?;
            return Ok(EXIT_USAGE);
        }
    };
    match grammar::intent_of(&verb, env.payloads) {
        Ok(Some(intent)) => act(intent, &args.run, env, out, err).await,
        Ok(None) | Err(_) => {
            writeln!(err, "opsdeck: `{}` is not an action", inert(inverse))?;
            Ok(EXIT_REFUSED)
        }
    }
}
