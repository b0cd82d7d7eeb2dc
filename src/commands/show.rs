//! `opsdeck show ADDRESS`: one resource's detail. A service: its deployments, tasks and target
//! health; an endpoint: its variants, the model behind each (registry package, newer approved
//! version) and Model Monitor's latest runs; a function: configuration, what feeds it, versions,
//! aliases and environment variable names (never values).

use super::{Env, EXIT_FAILED, EXIT_USAGE};
use crate::domain::{Address, EndpointModels, FunctionDetail, ModelContainer, Service, ServiceDetail};
use crate::ops::grammar::{self, Output, ShowArgs};
use crate::sanitize::inert;
use serde_json::json;
use std::io::Write;

pub async fn run(
    args: &ShowArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let address = match grammar::parse_address(&args.address) {
        Ok(a) => a,
        Err(e) => {
            writeln!(err, "opsdeck: {e}")?;
            return Ok(EXIT_USAGE);
        }
    };
    let shown = match &address {
        Address::EcsService { .. } => service(&address, env).await,
        Address::Endpoint { endpoint, .. } => endpoint_doc(endpoint, env).await,
        Address::Function { name } => function(name, env).await,
        other => {
            writeln!(err, "opsdeck: show takes a service, an endpoint or a function, not {other}")?;
            return Ok(EXIT_USAGE);
        }
    };
    let (doc, text) = match shown {
        Ok(Some(found)) => found,
        Ok(None) => {
            writeln!(err, "opsdeck: not found: {address}")?;
            return Ok(EXIT_USAGE);
        }
        Err(e) => {
            writeln!(err, "opsdeck: {}", inert(&e))?;
            return Ok(EXIT_FAILED);
        }
    };
    match args.output {
        Output::Json => writeln!(out, "{doc}")?,
        // Every line carries text from AWS: inert before it reaches a terminal.
        Output::Text => {
            for line in text {
                writeln!(out, "{}", inert(&line))?;
            }
        }
    }
    Ok(0)
}

type Shown = Result<Option<(serde_json::Value, Vec<String>)>, String>;

async fn service(address: &Address, env: &Env<'_>) -> Shown {
    let services = env.backend.services().await.map_err(|e| e.to_string())?;
    let Some(s) = services.into_iter().find(|s| &s.address() == address) else { return Ok(None) };
    let detail = env.backend.service_detail(address).await.map_err(|e| e.to_string())?;
    let groups = match s.target_groups.is_empty() {
        true => Vec::new(),
        false => env.backend.target_health(&s.target_groups).await.map_err(|e| e.to_string())?,
    };
    let (healthy, serving, failing) = crate::domain::summary(&groups);
    let doc = json!({
        "address": address,
        "service": s,
        "tasks": detail.tasks,
        "events": detail.events.iter().take(10).collect::<Vec<_>>(),
        "target_health": {"healthy": healthy, "serving": serving, "failing": failing},
    });
    Ok(Some((doc, service_text(&s, &detail, (healthy, serving)))))
}

fn service_text(s: &Service, d: &ServiceDetail, (healthy, serving): (usize, usize)) -> Vec<String> {
    let mut lines = vec![
        format!("{}", s.address()),
        format!("  tasks       running {}/{} (pending {})", s.running, s.desired, s.pending),
        format!("  revision    {}:{}", s.task_definition.family, s.task_definition.revision),
    ];
    if serving > 0 {
        lines.push(format!("  targets     {healthy}/{serving} healthy"));
    }
    lines.push("  deployments".into());
    for dep in &s.deployments {
        lines.push(format!(
            "    {} {}:{} {}/{} {:?}",
            dep.status, dep.task_definition.family, dep.task_definition.revision, dep.running, dep.desired, dep.rollout
        ));
    }
    lines.push(format!("  tasks ({})", d.tasks.len()));
    for t in &d.tasks {
        let reason = t.stopped_reason.as_deref().map_or(String::new(), |r| format!("  {r}"));
        lines.push(format!("    {} {} :{}{reason}", t.id, t.last_status, t.task_definition.revision));
    }
    lines.push("  events".into());
    lines.extend(d.events.iter().take(5).map(|e| format!("    {}  {}", e.at.format("%H:%M:%S"), e.message)));
    lines
}

async fn endpoint_doc(name: &str, env: &Env<'_>) -> Shown {
    let endpoints = env.backend.endpoints().await.map_err(|e| e.to_string())?;
    let Some(e) = endpoints.into_iter().find(|e| e.name == name) else { return Ok(None) };
    let models = env.backend.endpoint_models(name).await.map_err(|e| e.to_string())?;
    let doc = json!({"address": format!("sm:{name}"), "endpoint": e, "models": models, "drift": models.drift()});
    let mut lines = vec![format!("sm:{name}"), format!("  status      {}", e.status)];
    for v in &e.variants {
        lines.push(format!(
            "  variant     {}  {} x{}/{}  weight {:.2}",
            v.name, v.instance_type, v.current_instances, v.desired_instances, v.weight
        ));
    }
    lines.extend(models_text(&models));
    Ok(Some((doc, lines)))
}

fn container_text(c: &ModelContainer) -> Vec<String> {
    let mut lines = vec![
        format!("      image     {}", c.image.as_deref().unwrap_or("-")),
        format!("      data      {}", c.model_data_url.as_deref().unwrap_or("-")),
    ];
    match &c.package {
        Some(p) => {
            let approved =
                p.approved_at.map_or(String::new(), |t| format!(", approved {}", t.format("%Y-%m-%d %H:%M")));
            lines.push(format!("      package   {}{approved}", p.describe()));
        }
        None => lines.push("      package   none (not from the Model Registry)".into()),
    }
    if let Some(newer) = &c.newer_approved {
        lines.push(format!("      newer     {} is approved and not deployed", newer.describe()));
    }
    lines
}

fn models_text(m: &EndpointModels) -> Vec<String> {
    let mut lines = vec!["  models".to_string()];
    for v in &m.variants {
        lines.push(format!("    {}: {}", v.variant, v.model_name));
        lines.extend(v.containers.iter().flat_map(container_text));
    }
    lines.push("  monitoring".into());
    if m.monitoring.is_empty() {
        lines.push("    no monitoring schedule".into());
    }
    for s in &m.monitoring {
        lines.push(format!("    {} ({}) {}", s.name, s.kind.as_deref().unwrap_or("-"), s.status));
        for run in s.executions.iter().take(5) {
            let when = run.scheduled.map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string());
            let report = run.report.as_deref().filter(|_| run.violations()).map_or(String::new(), |r| format!("  {r}"));
            lines.push(format!("      {when}  {}{report}", run.status));
        }
    }
    if m.drift() {
        lines.push("  DRIFT: the latest monitoring run found violations".into());
    }
    lines
}

async fn function(name: &str, env: &Env<'_>) -> Shown {
    let detail = match env.backend.function_detail(name).await {
        Ok(d) => d,
        Err(crate::backend::BackendError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let metrics = env.backend.function_metrics(std::slice::from_ref(&detail.function)).await.ok();
    let latest = metrics.as_ref().and_then(|m| m.get(name)).map(|m| {
        json!({
            "invocations_per_min": m.invocations.latest(),
            "errors_per_min": m.errors.latest(),
            "throttles_per_min": m.throttles.latest(),
            "duration_p50_ms": m.duration_p50_ms.latest(),
            "duration_p99_ms": m.duration_p99_ms.latest(),
            "concurrent": m.concurrent.latest(),
            "queue_depth": m.queue_depth.iter().map(|(q, s)| (q.clone(), s.latest())).collect::<std::collections::BTreeMap<_, _>>(),
        })
    });
    let doc = json!({"address": format!("lambda:{name}"), "function": detail, "metrics": latest});
    Ok(Some((doc, function_text(&detail, latest.as_ref()))))
}

fn function_text(d: &FunctionDetail, latest: Option<&serde_json::Value>) -> Vec<String> {
    let f = &d.function;
    let mut lines = vec![
        format!("lambda:{}", f.name),
        format!(
            "  config      {}  {} MB  timeout {} s",
            f.runtime.as_deref().unwrap_or("container image"),
            f.memory_mb.map_or("?".into(), |m| m.to_string()),
            f.timeout_secs.map_or("?".into(), |t| t.to_string())
        ),
        format!("  reserved    {}", f.reserved_text()),
    ];
    lines.extend(d.handler.as_ref().map(|h| format!("  handler     {h}")));
    lines.extend(d.arn.as_ref().map(|a| format!("  arn         {a}")));
    lines.push(format!("  logs        {}", f.log_group));
    if let Some(m) = latest {
        let n = |k: &str| m[k].as_f64().map_or("-".into(), |v| format!("{v:.0}"));
        lines.push(format!(
            "  last minute {} invocations, {} errors, {} throttles, p99 {} ms, {} running",
            n("invocations_per_min"),
            n("errors_per_min"),
            n("throttles_per_min"),
            n("duration_p99_ms"),
            n("concurrent")
        ));
    }
    for s in &f.event_sources {
        lines.push(format!("  fed by      {} ({})", s.queue_name().unwrap_or(&s.source_arn), s.state));
    }
    for a in &d.aliases {
        lines.push(format!("  alias       {}: {}", a.name, a.describe()));
    }
    let versions: Vec<&str> = d.versions.iter().map(|v| v.version.as_str()).collect();
    lines.push(format!("  versions    {}", versions.join(" ")));
    lines.push(format!("  environment {} (names only)", d.environment.join(" ")));
    lines
}
