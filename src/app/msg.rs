//! Messages into `update` and the effects it asks the runtime to carry out.

use super::state::RequestId;
use crate::audit::AuditEntry;
use crate::backend::{Backend, BackendError, EndpointMetricsMap};
use crate::domain::{
    Address, Alarm, CostReport, Endpoint, LogBatch, LogQuery, Service, ServiceDetail, ServiceMetrics, Snapshot,
};
use crate::keymap::{Action, KeyChord};
use crate::ops::{Confirmed, Executed, Intent, OpError, OpsContext, Plan, Watch};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Msg {
    /// Time passes only through this message: update never reads a clock.
    Tick(DateTime<Utc>),
    Action(Action),
    /// A key typed into a text field (palette, filter prompt, confirm).
    Text(KeyChord),
    Paste(String),
    Resize(u16, u16),
    Fetched(RequestId, Reply),
    Saved(Result<PathBuf, String>),
    /// The terminal came back after ctrl-z / fg: everything must be drawn again.
    Resumed,
    /// A reconnect finished: the new backend's label, or why it failed (the old one stays).
    Switched(Result<crate::backend::BackendLabel, String>),
    /// The backend's running count of API calls and their cost changed.
    Usage(crate::backend::ApiUsage),
    /// A plan was read (or could not be).
    Planned(RequestId, Box<Result<Plan, OpError>>),
    /// A confirmed action ran (or was refused at execute: conflict, audit, the backend).
    Executed(Box<Result<Executed, OpError>>),
    /// The next stage of an action ran (or failed); the action as it now stands.
    Proceeded(Box<Executed>, Result<(), OpError>),
    AuditRead(Result<Vec<AuditEntry>, String>),
    /// Every environment read (for the environments view).
    Environments(RequestId, Vec<crate::ops::env::EnvOverview>),
    /// A verb run by the CLI's code finished: its exit code, what it printed, and the incident
    /// open afterwards.
    CommandOutput {
        id: RequestId,
        code: u8,
        output: String,
        incident: Option<String>,
    },
    /// The incident open now (after opening one, or recording on it), or why the timeline failed.
    Incident(Result<Option<String>, String>),
    Report {
        title: String,
        result: Result<Vec<String>, String>,
    },
}

/// What to read from the backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch {
    Services,
    ServiceMetrics(Vec<Address>),
    ServiceDetail(Address),
    Endpoints,
    EndpointMetrics(Vec<String>),
    Alarms,
    /// `fresh` skips any cache (a manual refresh); otherwise a cached answer will do.
    Cost {
        fresh: bool,
    },
    Logs {
        group: String,
        query: LogQuery,
        generation: u64,
    },
    /// Resources read fresh, for a watch.
    Snapshots(Vec<Address>),
}

#[derive(Debug)]
pub enum Reply {
    Services(Result<Vec<Service>, BackendError>),
    /// The first rows of a long list, while the rest is still being read.
    ServicesFirstScreen(Vec<Service>),
    ServiceMetrics(Result<BTreeMap<Address, ServiceMetrics>, BackendError>),
    ServiceDetail(Result<ServiceDetail, BackendError>),
    Endpoints(Result<Vec<Endpoint>, BackendError>),
    EndpointMetrics(Result<EndpointMetricsMap, BackendError>),
    Alarms(Result<Vec<Alarm>, BackendError>),
    Cost(Result<CostReport, BackendError>),
    Logs {
        generation: u64,
        result: Result<LogBatch, BackendError>,
    },
    /// Fresh reads for a watch, each None when the resource does not exist.
    Snapshots(Vec<(Address, Result<Option<Snapshot>, BackendError>)>),
}

#[derive(Debug, PartialEq)]
pub enum Effect {
    Fetch {
        id: RequestId,
        fetch: Fetch,
    },
    SaveFile {
        path: PathBuf,
        contents: String,
    },
    Suspend,
    Quit,
    /// Connect again with another profile and/or region; answered by `Msg::Switched`.
    Reconnect {
        profile: Option<String>,
        region: Option<String>,
    },
    /// Operator actions and what they read; answered by `Msg::Planned`, `Msg::Executed`, ...
    Op(Box<OpEffect>),
}

#[derive(Debug, PartialEq)]
pub enum OpEffect {
    Plan {
        id: RequestId,
        intent: Intent,
    },
    Execute(Box<Confirmed>),
    /// The watch of a stage settled: carry out the next one.
    Proceed(Box<Executed>),
    /// The watch reached its end: write it to the audit log.
    RecordSettled {
        executed: Box<Executed>,
        watch: Watch,
    },
    ReadAudit,
    /// Run a verb through the CLI's code (a runbook step's read, `:incident ...`).
    RunCommand {
        id: RequestId,
        verb: crate::ops::grammar::Verb,
        config: Box<super::state::Settings>,
    },
    /// Open an incident unless one is open (recording the alarm that paged as it stands).
    IncidentOpen {
        name: String,
        why: String,
        alarm: Option<Alarm>,
    },
    /// A note on the open incident.
    IncidentNote(String),
    /// An entry for the open incident (its name is filled in when written).
    IncidentRecord(Box<crate::incident::Entry>),
    /// Where every environment stands (the environments view).
    Environments {
        id: RequestId,
        specs: Vec<crate::ops::env::EnvironmentSpec>,
        local_dir: PathBuf,
        /// The cost report on hand, if any: never read for this (Cost Explorer is billed).
        cost: Option<CostReport>,
    },
    /// A revision list, or a diff of two revisions.
    Revisions {
        address: Address,
        diff: Option<(String, String)>,
    },
}

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
        OpEffect::Plan { id, intent } => Some(Msg::Planned(id, Box::new(crate::ops::plan(backend, intent).await))),
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
        OpEffect::ReadAudit => Some(Msg::AuditRead(ctx.audit.read().map(|(records, _)| {
            let mut entries = crate::audit::entries(&records);
            entries.reverse();
            entries
        }))),
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
