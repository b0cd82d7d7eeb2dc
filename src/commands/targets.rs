//! `opsdeck targets ecs:CLUSTER/SERVICE`: the service's target groups (health check, load
//! balancer) and every target's state and reason, each IP target named by the task it is.

use super::{Env, EXIT_FAILED, EXIT_USAGE};
use crate::domain::{load_balancer_dimension, summary, Address, ServiceDetail, TargetGroupHealth};
use crate::ops::grammar::{self, Output, TargetsArgs};
use crate::sanitize::inert;
use serde_json::json;
use std::io::Write;

pub async fn run(
    args: &TargetsArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let address = match grammar::parse_address(&args.address) {
        Ok(a @ Address::EcsService { .. }) => a,
        Ok(other) => {
            writeln!(err, "opsdeck: targets takes an ECS service (ecs:CLUSTER/SERVICE), not {other}")?;
            return Ok(EXIT_USAGE);
        }
        Err(e) => {
            writeln!(err, "opsdeck: {e}")?;
            return Ok(EXIT_USAGE);
        }
    };
    let failed = |err: &mut (dyn Write + Send), e: &dyn std::fmt::Display| -> std::io::Result<u8> {
        writeln!(err, "opsdeck: {}", inert(&e.to_string()))?;
        Ok(EXIT_FAILED)
    };
    let services = match env.backend.services().await {
        Ok(s) => s,
        Err(e) => return failed(err, &e),
    };
    let Some(service) = services.into_iter().find(|s| s.address() == address) else {
        writeln!(err, "opsdeck: not found: {address}")?;
        return Ok(EXIT_USAGE);
    };
    let groups = match service.target_groups.is_empty() {
        true => Vec::new(),
        false => match env.backend.target_health(&service.target_groups).await {
            Ok(g) => g,
            Err(e) => return failed(err, &e),
        },
    };
    // Which task an IP target is: the detail's tasks carry their IPs (best effort).
    let detail = env.backend.service_detail(&address).await.ok();
    match args.output {
        Output::Json => {
            let (healthy, total, failing) = summary(&groups);
            let values: Vec<_> = groups
                .iter()
                .map(|g| {
                    let targets: Vec<_> = g
                        .targets
                        .iter()
                        .map(|t| {
                            let mut value = serde_json::to_value(t).unwrap_or_default();
                            value["task"] = json!(task_of(detail.as_ref(), &t.id).map(|(id, _)| id));
                            value
                        })
                        .collect();
                    // The group as read, its targets each with the task it is.
                    let mut value = serde_json::to_value(g).unwrap_or_default();
                    value["targets"] = json!(targets);
                    value
                })
                .collect();
            let doc = json!({
                "service": address,
                "healthy": healthy,
                "serving": total,
                "failing": failing,
                "target_groups": values,
            });
            writeln!(out, "{doc}")?;
        }
        Output::Text => print(&address, &groups, detail.as_ref(), out)?,
    }
    Ok(0)
}

fn task_of<'a>(detail: Option<&'a ServiceDetail>, ip: &str) -> Option<(&'a str, String)> {
    let task = detail?.tasks.iter().find(|t| t.ip.as_deref() == Some(ip) || t.id == ip)?;
    Some((&task.id, format!(":{} {}", task.task_definition.revision, task.last_status)))
}

fn print(
    address: &Address,
    groups: &[TargetGroupHealth],
    detail: Option<&ServiceDetail>,
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    if groups.is_empty() {
        return writeln!(out, "{address} is behind no load balancer (no target groups)");
    }
    let (healthy, total, failing) = summary(groups);
    let failing = if failing { ", some failing their health checks" } else { "" };
    writeln!(out, "{address}: {healthy} of {total} serving targets healthy{failing}")?;
    for g in groups {
        let balancers: Vec<String> =
            g.load_balancers.iter().map(|l| inert(load_balancer_dimension(l)).into_owned()).collect();
        let listener = match (&g.protocol, g.port) {
            (Some(p), Some(port)) => format!(" {}:{port}", inert(p)),
            _ => String::new(),
        };
        writeln!(out)?;
        writeln!(out, "TARGET GROUP {}{listener}  behind {}", inert(&g.name), balancers.join(", "))?;
        writeln!(out, "  check {}", inert(&g.health_check.describe()))?;
        writeln!(out, "  {:<21} {:<18} {:<30} TASK", "TARGET", "STATE", "REASON")?;
        for t in &g.targets {
            let target = match t.port {
                Some(port) => format!("{}:{port}", t.id),
                None => t.id.clone(),
            };
            let task = task_of(detail, &t.id).map_or("-".to_string(), |(id, rest)| format!("{id} {rest}"));
            writeln!(
                out,
                "  {:<21} {:<18} {:<30} {}",
                inert(&target),
                t.state.as_str(),
                inert(t.reason.as_deref().unwrap_or("")),
                inert(&task)
            )?;
            if let Some(d) = &t.description {
                writeln!(out, "  {:<21} {}", "", inert(d))?;
            }
        }
    }
    Ok(())
}
