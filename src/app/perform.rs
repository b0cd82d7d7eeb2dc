//! Carrying out what update asks for: a read turned into a backend call, an operator effect into
//! the one action path (`ops`), a file written. Shared by the runtime, which spawns these, and
//! the headless harness, which awaits them, so both exercise the same code.

use super::msg::{Fetch, Msg, OpEffect, Reply};
use crate::backend::{Backend, BackendError};
use crate::ops::OpsContext;
use std::path::PathBuf;

/// Carry out one read. Shared by the interactive runtime (which spawns it) and the headless
/// harness (which awaits it), so both exercise the same code.
/// `early` receives replies that arrive before the final one (a first screen of services).
pub async fn perform(backend: &dyn Backend, fetch: Fetch, early: &(dyn Fn(Reply) + Send + Sync)) -> Reply {
    match fetch {
        Fetch::Services => {
            Reply::Services(backend.services_progressive(&|first| early(Reply::ServicesFirstScreen(first))).await)
        }
        Fetch::ServiceMetrics(addresses) => Reply::ServiceMetrics(backend.service_metrics(&addresses).await),
        Fetch::ServiceDetail(address) => Reply::ServiceDetail(backend.service_detail(&address).await),
        Fetch::Endpoints => Reply::Endpoints(backend.endpoints().await),
        Fetch::EndpointMetrics(names) => Reply::EndpointMetrics(backend.endpoint_metrics(&names).await),
        Fetch::Alarms => Reply::Alarms(backend.alarms().await),
        Fetch::Cost { fresh: false } => Reply::Cost(backend.cost().await),
        Fetch::Cost { fresh: true } => Reply::Cost(backend.cost_fresh().await),
        Fetch::Logs { group, query, generation } => {
            Reply::Logs { generation, result: backend.log_events(&group, query).await }
        }
        Fetch::TargetHealth(arns) => Reply::TargetHealth(backend.target_health(&arns).await),
        Fetch::Functions(filter) => Reply::Functions(backend.functions(&filter).await),
        Fetch::FunctionMetrics(functions) => Reply::FunctionMetrics(backend.function_metrics(&functions).await),
        Fetch::FunctionDetail(name) => Reply::FunctionDetail(Box::new(backend.function_detail(&name).await)),
        Fetch::EndpointModels(names) => {
            let reads = futures::future::join_all(names.iter().map(|n| backend.endpoint_models(n))).await;
            // One endpoint deleted meanwhile must not hide the others; all failing is the error.
            let mut first_error = None;
            let mut read = Vec::new();
            for result in reads {
                match result {
                    Ok(m) => read.push(m),
                    Err(e) => first_error = first_error.or(Some(e)),
                }
            }
            Reply::EndpointModels(match (read.is_empty(), first_error) {
                (true, Some(e)) => Err(e),
                _ => Ok(read),
            })
        }
        Fetch::StartQuery(request) => Reply::QueryStarted(backend.start_query(&request).await),
        Fetch::QueryResults(id) => Reply::QueryResults(backend.query_results(&id).await),
        Fetch::StopQuery(id) => Reply::QueryStopped(backend.stop_query(&id).await),
        Fetch::LogRecord(ptr) => Reply::LogRecord(backend.log_record(&ptr).await),
        Fetch::Chart { queries, start, end, alarm } => {
            let series = backend.metric_data(&queries, start, end);
            let history = async {
                match &alarm {
                    Some(name) => backend.alarm_history(name, start, end).await,
                    None => Ok(Vec::new()),
                }
            };
            let (series, history) = futures::join!(series, history);
            // The history only marks the ALARM periods: a chart without it is still a chart.
            Reply::Chart(series.map(|s| (s, history.unwrap_or_default())))
        }
        Fetch::Snapshots(addresses) => {
            let reads = crate::backend::read_each(backend, addresses.clone()).await;
            let reads = addresses
                .into_iter()
                .zip(reads)
                .map(|(address, result)| {
                    let result = match result {
                        Ok(s) => Ok(Some(s)),
                        Err(BackendError::NotFound(_)) => Ok(None),
                        Err(e) => Err(e),
                    };
                    (address, result)
                })
                .collect();
            Reply::Snapshots(reads)
        }
    }
}

/// Carry out one operator effect through the one path (`ops`). Shared by the runtime, which
/// spawns it, and the headless harness. None when nothing needs to go back to update.
pub async fn perform_op(backend: &dyn Backend, ctx: &OpsContext, effect: OpEffect) -> Option<Msg> {
    match effect {
        OpEffect::Plan { id, intent } => {
            let mut planned = crate::ops::plan(backend, intent).await;
            if let Ok(plan) = &mut planned {
                crate::ops::leasing::annotate(ctx.team.as_deref(), backend, plan).await;
                if plan.held_by.is_some() {
                    // In the console, typing the name in the confirm dialog is the take-over.
                    plan.take_over = true;
                    plan.destructive = true;
                }
            }
            Some(Msg::Planned(id, Box::new(planned)))
        }
        OpEffect::Execute(confirmed) => {
            Some(Msg::Executed(Box::new(crate::ops::execute(backend, ctx, *confirmed).await)))
        }
        OpEffect::Proceed(executed) => {
            let mut executed = *executed;
            let result = crate::ops::proceed(backend, ctx, &mut executed).await;
            Some(Msg::Proceeded(Box::new(executed), result))
        }
        OpEffect::RecordSettled { executed, watch } => {
            let now = backend.clock().unwrap_or_else(chrono::Utc::now);
            if let Err(e) = crate::ops::record_settled(ctx, &executed, &watch, &backend.label(), now) {
                tracing::error!(error = %e, "could not record the end of a watched action");
            }
            None
        }
        OpEffect::Environments { id, specs, local_dir, cost } => {
            let views = crate::ops::env::overview(backend, &specs, &local_dir, cost.as_ref()).await;
            Some(Msg::Environments(id, views))
        }
        OpEffect::RunCommand { id, verb, config } => {
            let env = crate::commands::Env { backend, ops: ctx, config: config.as_ref(), interactive: false };
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = match crate::commands::run(&verb, &env, &mut out, &mut err).await {
                Ok(code) => code,
                Err(e) => {
                    err.extend_from_slice(e.to_string().as_bytes());
                    1
                }
            };
            out.extend_from_slice(&err);
            let output = String::from_utf8_lossy(&out).into_owned();
            Some(Msg::CommandOutput { id, code, output, incident: ctx.incidents.open().ok().flatten() })
        }
        OpEffect::IncidentOpen { name, why, alarm } => {
            let now = backend.clock().unwrap_or_else(chrono::Utc::now);
            let result = ctx.incidents.open_or_start(&name, &why, now).and_then(|(open, started)| {
                if let (true, Some(alarm)) = (started, alarm) {
                    ctx.incidents.append(&crate::incident::alarm_entry(&open, &alarm, None))?;
                }
                Ok(Some(open))
            });
            Some(Msg::Incident(result))
        }
        OpEffect::IncidentNote(text) => {
            let now = backend.clock().unwrap_or_else(chrono::Utc::now);
            Some(Msg::Incident(ctx.incidents.note(&text, now).map(Some)))
        }
        OpEffect::IncidentRecord(entry) => {
            let mut entry = *entry;
            let result = ctx.incidents.open().and_then(|open| match open {
                Some(name) => {
                    entry.incident = name.clone();
                    ctx.incidents.append(&entry).map(|()| Some(name))
                }
                None => Ok(None),
            });
            Some(Msg::Incident(result))
        }
        OpEffect::ReadTimeline { id, incident, after } => {
            Some(Msg::Timeline(id, read_timeline(ctx, incident, after).await))
        }
        OpEffect::ReadAudit => Some(Msg::AuditRead(read_audit(ctx).await)),
        OpEffect::Revisions { address, diff } => {
            let title = match &diff {
                Some((a, b)) => format!("{address}: diff {a} -> {b}"),
                None => format!("{address}: revisions"),
            };
            let result = crate::ops::revisions::report(backend, &address, diff).await.map_err(|e| e.to_string());
            Some(Msg::Report { title, result })
        }
    }
}

/// Write a file for the log pane's save; the reply says where it went or why not.
pub fn save_file(path: PathBuf, contents: &str) -> Msg {
    let result = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, contents))
        .map(|()| path.clone())
        .map_err(|e| format!("could not save {}: {e}", path.display()));
    Msg::Saved(result)
}

/// The audit log for the audit view: in team mode every operator's records from the table (the
/// reading `audit --team` does), else, or when the table cannot be read, this bastion's file.
async fn read_audit(ctx: &OpsContext) -> Result<super::msg::AuditRead, String> {
    let mut read = super::msg::AuditRead::default();
    let shared = match &ctx.team {
        Some(team) => {
            read.table = Some(team.settings.table.clone());
            team.audit_log().await.map_err(|e| e.to_string()).map(Some)
        }
        None => Ok(None),
    };
    let records = match shared {
        Ok(Some(records)) => records,
        Ok(None) => ctx.audit.read()?.0,
        Err(e) => {
            read.shared_error = Some(e);
            ctx.audit.read()?.0
        }
    };
    read.entries = crate::audit::entries(&records);
    read.entries.reverse();
    Ok(read)
}

/// The incident's entries on this bastion, and in team mode the table's after the cursor; this
/// session's presence is written and the others' read (every few seconds, only while an incident
/// is open).
async fn read_timeline(
    ctx: &OpsContext,
    incident: String,
    after: Option<String>,
) -> Result<super::msg::TimelineRead, String> {
    let mut entries: Vec<crate::incident::Entry> =
        ctx.incidents.read()?.into_iter().filter(|e| e.incident == incident).collect();
    let mut read = super::msg::TimelineRead { incident, cursor: after, ..Default::default() };
    if let Some(team) = &ctx.team {
        let now = chrono::Utc::now();
        // Ask again for the last two minutes: an entry sent late from a queue, or stamped by a
        // bastion whose clock is behind, sorts before the cursor; ids keep each entry once.
        let after = read.cursor.as_deref().map(|c| crate::team::items::rewound(c, chrono::Duration::minutes(2)));
        let shared = async {
            let items = team.entries(&read.incident, after.as_deref()).await?;
            team.present(&read.incident, now).await?;
            let present = team.present_in(&read.incident, now).await?;
            Ok::<_, crate::team_table::TableError>((items, present))
        };
        match shared.await {
            Ok((items, present)) => {
                if let Some((last, _)) = items.last().filter(|(last, _)| read.cursor.as_ref().is_none_or(|c| last > c))
                {
                    read.cursor = Some(last.clone());
                }
                entries.extend(items.into_iter().map(|(_, s)| s.entry));
                read.present = present.iter().filter(|p| p.session != team.operator.session).map(|p| p.at()).collect();
            }
            Err(e) => read.shared_error = Some(e.to_string()),
        }
    }
    read.entries = entries;
    Ok(read)
}
