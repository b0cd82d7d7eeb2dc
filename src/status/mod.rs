//! `opsdeck status`: one snapshot of the fleet, printed as aligned text (for people, e.g. an
//! incident channel) or JSON (for scripts), then exit. Works over any [`Backend`].
//!
//! The three reads (services, endpoints, alarms) run concurrently and fail independently: a
//! section whose read fails is left empty and its error goes into [`StatusReport::errors`], so
//! the other sections are still reported and the caller exits 1. Every string that came from
//! the backend passes through [`inert`] in both formats. The formats are documented in
//! `docs/cli.md`.

pub mod fleet;
mod functions;

pub use functions::FunctionStatus;

use crate::backend::{Backend, BackendLabel};
use crate::domain::{Address, Alarm, AlarmState, Endpoint, RolloutState, Service};
use crate::sanitize::inert;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

/// Text lines aim to fit this many columns (alarm reasons are cut to fit).
const TEXT_WIDTH: usize = 120;
/// An alarm reason keeps at least this many columns even when the name is very long.
const MIN_REASON: usize = 24;
/// Indent of the reason of an alarm not OK, written in full below its row.
const REASON_INDENT: &str = "      ";

#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    /// Only these clusters (repeatable)
    #[arg(long = "cluster", value_name = "NAME")]
    pub clusters: Vec<String>,
    /// text (for people) or json (for scripts)
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// One snapshot. A section whose read failed is empty and has an entry in `errors`.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct StatusReport {
    /// Where the data came from: `demo (scenario bad-deploy, seed 7)` or `aws (profile p, region r)`.
    pub source: String,
    pub services: Vec<ServiceStatus>,
    pub endpoints: Vec<EndpointStatus>,
    pub alarms: Vec<AlarmStatus>,
    /// Lambda functions the `[functions]` filter keeps (all of the region without one).
    pub functions: Vec<FunctionStatus>,
    /// `services: ...`, `endpoints: ...`, `alarms: ...` for a failed read; `--cluster NAME: ...`
    /// for a cluster filter that matched no service. Empty when everything was read.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServiceStatus {
    /// `ecs:CLUSTER/SERVICE`
    pub address: String,
    pub cluster: String,
    pub service: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    /// IN_PROGRESS, COMPLETED, FAILED or UNKNOWN.
    pub rollout_state: RolloutState,
    /// `family:revision` of the primary deployment.
    pub task_definition: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EndpointStatus {
    /// `sm:ENDPOINT`
    pub address: String,
    pub name: String,
    pub status: String,
    pub variants: Vec<VariantStatus>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VariantStatus {
    pub name: String,
    pub instance_type: String,
    pub current_instances: u32,
    pub desired_instances: u32,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AlarmStatus {
    pub name: String,
    /// ALARM, INSUFFICIENT_DATA or OK.
    pub state: AlarmState,
    pub reason: String,
    /// RFC 3339, UTC.
    pub state_since: DateTime<Utc>,
    pub condition: String,
    /// Address of the service or endpoint the alarm watches, when opsdeck knows it.
    pub watches: Option<String>,
}

fn clean(s: &str) -> String {
    inert(s).into_owned()
}

fn source_of(label: &BackendLabel) -> String {
    match label {
        BackendLabel::Demo { scenario, seed, .. } => format!("demo (scenario {}, seed {seed})", inert(scenario)),
        BackendLabel::Aws { profile, region } => format!("aws (profile {}, region {})", inert(profile), inert(region)),
    }
}

fn service_status(s: &Service) -> ServiceStatus {
    ServiceStatus {
        address: clean(&s.address().to_string()),
        cluster: clean(&s.cluster),
        service: clean(&s.name),
        desired: s.desired,
        running: s.running,
        pending: s.pending,
        rollout_state: s.rollout,
        task_definition: clean(&s.task_definition.to_string()),
    }
}

fn endpoint_status(e: &Endpoint) -> EndpointStatus {
    EndpointStatus {
        address: clean(&e.address().to_string()),
        name: clean(&e.name),
        status: clean(&e.status),
        variants: e
            .variants
            .iter()
            .map(|v| VariantStatus {
                name: clean(&v.name),
                instance_type: clean(&v.instance_type),
                current_instances: v.current_instances,
                desired_instances: v.desired_instances,
                weight: v.weight,
            })
            .collect(),
    }
}

fn alarm_status(a: &Alarm) -> AlarmStatus {
    AlarmStatus {
        name: clean(&a.name),
        state: a.state,
        reason: clean(&a.reason),
        state_since: a.state_since,
        condition: clean(&a.condition),
        watches: a.watches.as_ref().map(|w| clean(&w.to_string())),
    }
}

/// With a cluster filter, an alarm watching an ECS service outside those clusters is dropped;
/// alarms on endpoints or on nothing opsdeck knows are kept.
fn alarm_in_scope(alarm: &Alarm, clusters: &[String]) -> bool {
    match &alarm.watches {
        Some(Address::EcsService { cluster, .. }) => clusters.is_empty() || clusters.contains(cluster),
        _ => true,
    }
}

/// Reads services, endpoints, alarms and functions concurrently. `clusters` (exact names) limits
/// services, and alarms watching services, to those clusters; empty means all.
pub async fn snapshot(
    backend: &dyn Backend,
    clusters: &[String],
    function_filter: &crate::domain::FunctionFilter,
) -> StatusReport {
    let (services, endpoints, alarms, functions) = futures::join!(
        backend.services(),
        backend.endpoints(),
        backend.alarms(),
        functions::read(backend, function_filter)
    );
    let mut errors = Vec::new();

    let services = match services {
        Ok(all) => {
            for c in clusters {
                if !all.iter().any(|s| &s.cluster == c) {
                    errors.push(format!("--cluster {}: no service in a cluster of that name", inert(c)));
                }
            }
            let mut kept: Vec<ServiceStatus> = all
                .iter()
                .filter(|s| clusters.is_empty() || clusters.contains(&s.cluster))
                .map(service_status)
                .collect();
            kept.sort_by(|a, b| a.address.cmp(&b.address));
            kept
        }
        Err(e) => {
            errors.push(clean(&format!("services: {e}")));
            Vec::new()
        }
    };
    let endpoints = match endpoints {
        Ok(all) => {
            let mut kept: Vec<EndpointStatus> = all.iter().map(endpoint_status).collect();
            kept.sort_by(|a, b| a.name.cmp(&b.name));
            kept
        }
        Err(e) => {
            errors.push(clean(&format!("endpoints: {e}")));
            Vec::new()
        }
    };
    let alarms = match alarms {
        Ok(all) => {
            let mut kept: Vec<AlarmStatus> =
                all.iter().filter(|a| alarm_in_scope(a, clusters)).map(alarm_status).collect();
            kept.sort_by(|a, b| a.state.cmp(&b.state).then_with(|| a.name.cmp(&b.name)));
            kept
        }
        Err(e) => {
            errors.push(clean(&format!("alarms: {e}")));
            Vec::new()
        }
    };
    let functions = functions.unwrap_or_else(|e| {
        errors.push(clean(&format!("functions: {e}")));
        Vec::new()
    });
    StatusReport { source: source_of(&backend.label()), services, endpoints, alarms, functions, errors }
}

/// Pretty-printed JSON (see docs/cli.md for the schema).
pub fn to_json(report: &StatusReport) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report)
}

/// `s` padded with spaces to `width` display columns.
fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// `s` cut to at most `max` display columns, ending in `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Widest entry, capped so one very long name does not push every row off the screen.
fn column(values: impl Iterator<Item = usize>, cap: usize) -> usize {
    values.max().unwrap_or(0).min(cap)
}

fn section_failed(report: &StatusReport, section: &str) -> bool {
    report.errors.iter().any(|e| e.strip_prefix(section).is_some_and(|rest| rest.starts_with(": ")))
}

fn header(out: &mut String, report: &StatusReport, section: &str, title: &str, counts: String) {
    if section_failed(report, section) {
        let _ = writeln!(out, "{title} (unavailable, see ERRORS)");
    } else {
        let _ = writeln!(out, "{title} ({counts})");
    }
}

fn services_text(out: &mut String, report: &StatusReport) {
    let services = &report.services;
    header(out, report, "services", "SERVICES", services.len().to_string());
    let counts: Vec<String> = services.iter().map(|s| format!("{}/{}", s.running, s.desired)).collect();
    let pending: Vec<String> =
        services.iter().map(|s| if s.pending > 0 { format!("{} pending", s.pending) } else { String::new() }).collect();
    let w_addr = column(services.iter().map(|s| s.address.width()), 64);
    let w_count = column(counts.iter().map(|c| c.width()), 12);
    let w_pending = column(pending.iter().map(|p| p.width()), 16);
    for ((s, count), pend) in services.iter().zip(&counts).zip(&pending) {
        let mut line = format!("  {}   {}", pad(&s.address, w_addr), pad(count, w_count));
        if w_pending > 0 {
            let _ = write!(line, "   {}", pad(pend, w_pending));
        }
        let _ = write!(line, "   {}   {}", pad(s.rollout_state.as_str(), 11), s.task_definition);
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn endpoints_text(out: &mut String, report: &StatusReport) {
    let endpoints = &report.endpoints;
    header(out, report, "endpoints", "ENDPOINTS", endpoints.len().to_string());
    let w_addr = column(endpoints.iter().map(|e| e.address.width()), 64);
    let w_status = column(endpoints.iter().map(|e| e.status.width()), 16);
    for e in endpoints {
        let variants: Vec<String> = e
            .variants
            .iter()
            .map(|v| format!("{} {}/{} w{:.2}", v.name, v.current_instances, v.desired_instances, v.weight))
            .collect();
        let line = format!("  {}   {}   {}", pad(&e.address, w_addr), pad(&e.status, w_status), variants.join(", "));
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// `s` word-wrapped to `width` columns, at most `max_lines` lines (the last ends in `…` when
/// text was left out).
fn wrap(s: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let needed = if line.is_empty() { word.width() } else { line.width() + 1 + word.width() };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&truncate(word, width));
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = truncate(&format!("{last} …"), width);
        }
    }
    lines
}

fn alarms_text(out: &mut String, report: &StatusReport) {
    let alarms = &report.alarms;
    let firing = alarms.iter().filter(|a| a.state == AlarmState::Alarm).count();
    header(out, report, "alarms", "ALARMS", format!("{}, {firing} in ALARM", alarms.len()));
    let w_state = column(alarms.iter().map(|a| a.state.as_str().len()), 17);
    let w_name = column(alarms.iter().map(|a| a.name.width()), 48);
    for a in alarms {
        let since = a.state_since.format("%b %d %H:%MZ");
        let prefix = format!("  {}  {}  since {since}  ", pad(a.state.as_str(), w_state), pad(&a.name, w_name));
        let room = TEXT_WIDTH.saturating_sub(prefix.width()).max(MIN_REASON);
        if a.state != AlarmState::Ok && a.reason.width() > room {
            // Why an alarm fires (or lacks data) is what the incident channel needs: in full, below.
            let _ = writeln!(out, "{}", prefix.trim_end());
            for line in wrap(&a.reason, TEXT_WIDTH - REASON_INDENT.len(), 4) {
                let _ = writeln!(out, "{REASON_INDENT}{line}");
            }
        } else {
            let _ = writeln!(out, "{}", format!("{prefix}{}", truncate(&a.reason, room)).trim_end());
        }
    }
}

/// Aligned plain text: a source line, then SERVICES, ENDPOINTS, ALARMS and, when something
/// failed, ERRORS. No colour and no control characters other than the line feeds.
pub fn to_text(report: &StatusReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "opsdeck status: {}", report.source);
    out.push('\n');
    services_text(&mut out, report);
    out.push('\n');
    endpoints_text(&mut out, report);
    out.push('\n');
    alarms_text(&mut out, report);
    if !report.functions.is_empty() {
        out.push('\n');
        functions::text(&mut out, &report.functions);
    }
    if !report.errors.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "ERRORS ({})", report.errors.len());
        for e in &report.errors {
            let _ = writeln!(out, "  {e}");
        }
    }
    out
}

/// Takes a snapshot and writes it in the chosen format. `Ok(false)` when some section could
/// not be read or a `--cluster` matched nothing (the caller exits 1); `Err` only when writing
/// fails.
pub async fn run(
    backend: &dyn Backend,
    args: &StatusArgs,
    function_filter: &crate::domain::FunctionFilter,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<bool> {
    let report = snapshot(backend, &args.clusters, function_filter).await;
    match args.output {
        OutputFormat::Text => out.write_all(to_text(&report).as_bytes())?,
        OutputFormat::Json => {
            out.write_all(to_json(&report)?.as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(report.errors.is_empty())
}
