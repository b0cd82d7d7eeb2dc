//! The mutating verbs, headless: plan, print it, ask (or `--yes`), execute, report, and with
//! `--wait` follow the change to its end.

use super::{follow, watch_end, Env, DEFAULT_TIMEOUT, EXIT_FAILED, EXIT_REFUSED, EXIT_USAGE};
use crate::domain::InvokeResponse;
use crate::ops::grammar::{self, Output, RunArgs, UndoArgs};
use crate::ops::{
    confirm, execute, invoke, plan, proceed, record_settled, Answer, Executed, Intent, OpError, Plan, Watch, WatchState,
};
use crate::sanitize::inert;
use serde_json::json;
use std::io::{BufRead, Write};

fn plan_json(p: &Plan) -> serde_json::Value {
    json!({
        "action": p.intent.verb(),
        "resource": p.intent.target().to_string(),
        "command": p.intent.command_line(),
        "changes": p.changes,
        "notes": p.notes,
        "details": p.details,
        "destructive": p.destructive,
        "inverse": p.inverse,
    })
}

fn print_plan(p: &Plan, out: &mut (dyn Write + Send)) -> std::io::Result<()> {
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

fn fail(
    e: &OpError,
    output: Output,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let text = inert(&e.to_string()).into_owned();
    if output == Output::Json {
        writeln!(out, "{}", json!({ "error": text, "exit": e.exit_code() }))?;
    }
    writeln!(err, "opsdeck: {text}")?;
    Ok(e.exit_code())
}

/// Ask on the terminal: y for ordinary plans, the name for destructive ones.
fn ask(p: &Plan, err: &mut (dyn Write + Send)) -> std::io::Result<Answer> {
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
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let text = run.output == Output::Text;
    let mut plan = match plan(env.backend, intent).await {
        Ok(p) => p,
        Err(e) => return fail(&e, run.output, out, err),
    };
    crate::ops::leasing::annotate(env.ops.team.as_deref(), env.backend, &mut plan).await;
    if plan.held_by.is_some() && run.take_over {
        // Taking a colleague's lease is confirmed by typing the name (or --yes).
        plan.take_over = true;
        plan.destructive = true;
    } else if run.take_over {
        plan.take_over = true;
    }
    if text {
        print_plan(&plan, out)?;
    }
    if let (Some(held), false, false) = (&plan.held_by, run.take_over, run.dry_run) {
        let e = OpError::Refused(format!("{held}; take it over with --take-over (audited)"));
        return fail(&e, run.output, out, err);
    }
    if plan.is_noop() {
        if text {
            writeln!(out, "nothing to change")?;
        } else {
            writeln!(out, "{}", json!({ "plan": plan_json(&plan), "outcome": "nothing to change" }))?;
        }
        return Ok(0);
    }
    if run.dry_run {
        if text {
            writeln!(out, "dry run: nothing was changed")?;
        } else {
            writeln!(out, "{}", json!({ "plan": plan_json(&plan), "outcome": "dry run" }))?;
        }
        return Ok(0);
    }
    let (executed, plan_view) = match confirm_and_execute(plan, run, env, out, err).await? {
        Ok(done) => done,
        Err(code) => return Ok(code),
    };
    let request_ids: Vec<String> = executed.receipts.iter().filter_map(|r| r.request_id.clone()).collect();
    if text {
        let requests = match request_ids.as_slice() {
            [] => "no request".to_string(),
            [one] => format!("request {one}"),
            many => format!("{} requests, each in the audit log", many.len()),
        };
        writeln!(out, "applied (audit {}; {requests})", executed.id)?;
    }
    let (executed, watches, mut code) = follow_stages(executed, run, env, out, err).await?;
    let responses: Vec<&InvokeResponse> = executed.receipts.iter().filter_map(|r| r.response.as_ref()).collect();
    if text {
        for r in &responses {
            for line in invoke::describe_response(r) {
                writeln!(out, "{line}")?;
            }
        }
        if watches.iter().map(|w| w.targets.len()).sum::<usize>() > 1 {
            writeln!(out, "outcome:")?;
            for t in watches.iter().flat_map(|w| &w.targets) {
                writeln!(out, "  {:<52} {}: {}", t.address.to_string(), end_word(&t.state), inert(&t.progress))?;
            }
        }
    }
    if responses.iter().any(|r| r.status >= 400) {
        code = EXIT_FAILED;
    }
    if !text {
        let bodies: Vec<serde_json::Value> = responses
            .iter()
            .map(|r| {
                json!({
                    "status": r.status,
                    "latency_ms": r.latency_ms,
                    "invoked_variant": r.invoked_variant,
                    "content_type": r.content_type,
                    "body": String::from_utf8_lossy(&r.body),
                })
            })
            .collect();
        let all_ids: Vec<String> = executed.receipts.iter().filter_map(|r| r.request_id.clone()).collect();
        let view = json!({
            "plan": plan_view,
            "audit_id": executed.id,
            "request_ids": all_ids,
            "outcome": if code == 0 { "succeeded" } else { "failed" },
            "stage": executed.stage + 1,
            "stages": executed.plan.stages.len(),
            // One answer for an invoke (as before), every answer for a restore's test inferences.
            "response": bodies.first(),
            "responses": bodies,
            "watch": watches.last().map(|w| serde_json::to_value(w).unwrap_or_default()),
            "watches": watches,
        });
        writeln!(out, "{view}")?;
    }
    Ok(code)
}

/// Ask (or take `--yes`), confirm and execute. When the fresh read at execute shows the plan no
/// longer holds, the new plan is printed: asked again on a terminal, exit 3 with `--yes` (a
/// script confirmed the old plan, not this one); nothing left to do is exit 0.
async fn confirm_and_execute(
    mut plan: Plan,
    run: &RunArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<Result<(Executed, serde_json::Value), u8>> {
    let text = run.output == Output::Text;
    loop {
        let answer = if run.yes {
            Answer::AssumeYes
        } else if env.ops.read_only {
            Answer::Yes // confirm refuses it, saying why and what to hand on
        } else if env.interactive {
            out.flush()?;
            ask(&plan, err)?
        } else {
            let e = OpError::Refused("no terminal to ask on: pass --yes to confirm from a script".into());
            return Ok(Err(fail(&e, run.output, out, err)?));
        };
        let plan_view = plan_json(&plan);
        let confirmed = match confirm(plan, &answer, env.ops.read_only) {
            Ok(c) => c,
            Err(e) => return Ok(Err(fail(&e, run.output, out, err)?)),
        };
        match execute(env.backend, env.ops, confirmed).await {
            Ok(x) => return Ok(Ok((x, plan_view))),
            Err(OpError::NothingLeft(why)) => {
                if text {
                    writeln!(out, "nothing left to do: {}", inert(&why))?;
                } else {
                    writeln!(
                        out,
                        "{}",
                        json!({ "plan": plan_view, "outcome": "nothing left to do", "why": inert(&why) })
                    )?;
                }
                return Ok(Err(0));
            }
            Err(OpError::Replanned { plan: new, why }) => {
                if text {
                    writeln!(out, "the plan changed since it was confirmed:")?;
                    for c in &why {
                        writeln!(out, "  {}: {} -> {}", inert(&c.field), inert(&c.before), inert(&c.after))?;
                    }
                    print_plan(&new, out)?;
                }
                if run.yes || !env.interactive {
                    let new_view = plan_json(&new);
                    let e = OpError::Replanned { plan: new, why };
                    if text {
                        writeln!(err, "opsdeck: the plan changed; nothing was sent: run again to act on the new plan")?;
                    } else {
                        let view = json!({ "plan": plan_view, "new_plan": new_view, "outcome": "replanned",
                                           "error": inert(&e.to_string()), "exit": e.exit_code() });
                        writeln!(out, "{view}")?;
                    }
                    return Ok(Err(e.exit_code()));
                }
                plan = *new;
            }
            Err(e) => return Ok(Err(fail(&e, run.output, out, err)?)),
        }
    }
}

fn end_word(state: &WatchState) -> &'static str {
    match state {
        WatchState::Running => "still going",
        WatchState::Settled => "done",
        WatchState::Failed(_) => "FAILED",
        WatchState::TimedOut => "timed out",
    }
}

/// Follow each stage's watch (with `--wait`) and go on to the next stage once it settles; a stage
/// with nothing to wait for goes on at once. Returns the action as far as it got, the watches
/// followed, and the exit code.
async fn follow_stages(
    mut executed: Executed,
    run: &RunArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<(Executed, Vec<Watch>, u8)> {
    let text = run.output == Output::Text;
    let timeout = run.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let mut watches = Vec::new();
    let mut code = 0;
    loop {
        let watch = executed.watch.clone();
        match watch {
            Some(watch) if run.wait => {
                if text {
                    let stage = executed.stage_label();
                    let what = if stage.is_empty() { String::new() } else { format!(" ({stage})") };
                    let targets: Vec<String> = watch.targets.iter().map(|t| t.address.to_string()).collect();
                    writeln!(
                        out,
                        "watching {}{what} (up to {})",
                        targets.join(", "),
                        humantime::format_duration(timeout)
                    )?;
                }
                let done = follow(env.backend, watch, timeout, text, out).await?;
                let (summary, exit) = watch_end(&done);
                code = exit;
                if text {
                    writeln!(out, "{summary}")?;
                }
                executed.watch = Some(done.clone());
                watches.push(done.clone());
                if exit != 0 || !executed.has_next_stage() {
                    let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
                    if let Err(e) = record_settled(env.ops, &executed, &done, &env.backend.label(), now) {
                        writeln!(err, "opsdeck: could not record the end in the audit log: {e}")?;
                    }
                    return Ok((executed, watches, code));
                }
            }
            Some(_) if executed.has_next_stage() => {
                if text {
                    let left: Vec<&str> =
                        executed.plan.stages.iter().skip(executed.stage + 1).map(|s| s.label.as_str()).collect();
                    writeln!(
                        out,
                        "not finished: {} wait{} for this stage to settle; run `opsdeck {} --wait` (or again once it has)",
                        left.join(", "),
                        if left.len() == 1 { "s" } else { "" },
                        inert(&executed.plan.intent.command_line())
                    )?;
                }
                return Ok((executed, watches, code));
            }
            _ if !executed.has_next_stage() => return Ok((executed, watches, code)),
            _ => {}
        }
        match proceed(env.backend, env.ops, &mut executed).await {
            Ok(()) if text => writeln!(out, "stage {} applied", executed.stage_label())?,
            Ok(()) => {}
            Err(e) => {
                let c = fail(&e, run.output, out, err)?;
                return Ok((executed, watches, c));
            }
        }
    }
}

/// `undo [ID]`: the audit's inverse command, through the same path.
pub async fn undo(
    args: &UndoArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let records = match env.ops.audit.read() {
        Ok((records, _)) => records,
        Err(e) => {
            writeln!(err, "opsdeck: {e}")?;
            return Ok(EXIT_FAILED);
        }
    };
    let entries = crate::audit::entries(&records);
    let entry = match &args.id {
        Some(id) => entries.iter().find(|e| e.id == *id),
        // The newest action that applied and has an inverse.
        None => entries.iter().rev().find(|e| {
            e.inverse.is_some() && !["failed", "partial", "not sent"].iter().any(|p| e.outcome.starts_with(p))
        }),
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
    match grammar::intent_of(&verb, env.config) {
        Ok(Some(intent)) => act(intent, &args.run, env, out, err).await,
        Ok(None) | Err(_) => {
            writeln!(err, "opsdeck: `{}` is not an action", inert(inverse))?;
            Ok(EXIT_REFUSED)
        }
    }
}
