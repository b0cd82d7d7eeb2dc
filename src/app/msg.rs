//! Messages into `update` and the effects it asks the runtime to carry out.

use super::loadable::RequestId;
use super::settings::Settings;
use crate::audit::AuditEntry;
use crate::backend::{BackendError, EndpointMetricsMap};
use crate::domain::{
    Address, Alarm, AlarmTransition, CostReport, Endpoint, EndpointModels, Function, FunctionDetail, FunctionFilter,
    FunctionMetrics, LogBatch, LogQuery, MetricQuery, MetricSeries, QueryRequest, QueryResults, QueryRow, Service,
    ServiceDetail, ServiceMetrics, Snapshot, TargetGroupHealth,
};
use crate::keymap::{Action, KeyChord};
use crate::ops::{Confirmed, Executed, Intent, OpError, Plan, Watch};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Msg {
    /// Time passes only through this message: update never reads a clock.
    Tick(DateTime<Utc>),
    /// A frame was drawn; the earliest moment one of its labels relative to now changes.
    Drawn(Option<DateTime<Utc>>),
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
    /// Team mode: a lease this session held for an action was taken over or expired.
    LeaseLost(String),
    /// A fleet session: the accounts and regions whose last read failed, and why.
    PlaceErrors(Vec<(String, String)>),
    /// A plan was read (or could not be).
    Planned(RequestId, Box<Result<Plan, OpError>>),
    /// A confirmed action ran (or was refused at execute: conflict, audit, the backend).
    Executed(Box<Result<Executed, OpError>>),
    /// The next stage of an action ran (or failed); the action as it now stands.
    Proceeded(Box<Executed>, Result<(), OpError>),
    AuditRead(Result<AuditRead, String>),
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
    /// The open incident's timeline, read (team mode: with every operator's new entries).
    Timeline(RequestId, Result<TimelineRead, String>),
}

/// The audit log as read for the audit view, newest first, and whose it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditRead {
    pub entries: Vec<AuditEntry>,
    /// Team mode: the table every operator's records were read from.
    pub table: Option<String>,
    /// Team mode, the table unreachable: why (the entries are this bastion's file).
    pub shared_error: Option<String>,
}

/// One read: the incident's entries (this bastion's, and the table's after the cursor), the new
/// cursor, and the others who have it open (`user@host`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimelineRead {
    pub incident: String,
    pub entries: Vec<crate::incident::Entry>,
    pub cursor: Option<String>,
    pub present: Vec<String>,
    /// The team table could not be read (this bastion's entries are still shown).
    pub shared_error: Option<String>,
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
    /// Target groups (ARNs) with their targets' health: the services on screen, the detail's.
    TargetHealth(Vec<String>),
    /// Lambda functions (those the filter keeps), the metrics of those on screen, one's detail.
    Functions(FunctionFilter),
    FunctionMetrics(Vec<Function>),
    FunctionDetail(String),
    /// The models, registry packages and monitoring behind these endpoints.
    EndpointModels(Vec<String>),
    /// Logs Insights: start a query, read its progress and rows, stop it, open a row's event.
    StartQuery(QueryRequest),
    QueryResults(String),
    StopQuery(String),
    LogRecord(String),
    /// A chart's series over its window, and (for an alarm) its state changes.
    Chart {
        queries: Vec<MetricQuery>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        alarm: Option<String>,
    },
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
    TargetHealth(Result<Vec<TargetGroupHealth>, BackendError>),
    Functions(Result<Vec<Function>, BackendError>),
    FunctionMetrics(Result<BTreeMap<String, FunctionMetrics>, BackendError>),
    FunctionDetail(Box<Result<FunctionDetail, BackendError>>),
    EndpointModels(Result<Vec<EndpointModels>, BackendError>),
    QueryStarted(Result<String, BackendError>),
    QueryResults(Result<QueryResults, BackendError>),
    QueryStopped(Result<(), BackendError>),
    LogRecord(Result<QueryRow, BackendError>),
    /// The series, and the alarm's state changes (empty when the chart is not an alarm's).
    Chart(Result<(Vec<MetricSeries>, Vec<AlarmTransition>), BackendError>),
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
    /// Put text on the user's clipboard (OSC 52: works over SSH and in tmux).
    Copy(String),
    /// Keep the last-known fleet on disk (atomically, 0600).
    SaveFleetCache {
        path: PathBuf,
        fleet: Box<crate::fleet_cache::CachedFleet>,
    },
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
    /// Read the incident's timeline: this bastion's file, and the team table after `after`.
    ReadTimeline {
        id: RequestId,
        incident: String,
        after: Option<String>,
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
        config: Box<Settings>,
    },
    /// Open an incident unless one is open (recording the alarm that paged as it stands).
    IncidentOpen {
        name: String,
        why: String,
        alarm: Option<Box<Alarm>>,
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
