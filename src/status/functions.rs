//! The functions section of `opsdeck status`: each Lambda function the `[functions]` filter keeps,
//! its reserved concurrency, the queues that feed it and its last minute (one GetMetricData for
//! all of them).

use crate::backend::Backend;
use crate::domain::{Function, FunctionFilter, FunctionMetrics};
use crate::sanitize::inert;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunctionStatus {
    /// `lambda:NAME`
    pub address: String,
    pub name: String,
    pub runtime: Option<String>,
    /// None: no reserved concurrency set; 0: stopped.
    pub reserved_concurrency: Option<u32>,
    /// SQS queues feeding it through event-source mappings.
    pub queues: Vec<String>,
    /// The last minute's figures; None where CloudWatch has no data.
    pub invocations_per_min: Option<f64>,
    pub errors_per_min: Option<f64>,
    pub throttles_per_min: Option<f64>,
    pub duration_p99_ms: Option<f64>,
    pub concurrent: Option<f64>,
    /// Messages waiting, summed over the queues that feed it.
    pub queue_depth: Option<f64>,
}

fn clean(s: &str) -> String {
    inert(s).into_owned()
}

fn status_of(f: &Function, m: Option<&FunctionMetrics>) -> FunctionStatus {
    let latest = |pick: fn(&FunctionMetrics) -> &crate::domain::Series| m.and_then(|m| pick(m).latest());
    FunctionStatus {
        address: clean(&format!("lambda:{}", f.name)),
        name: clean(&f.name),
        runtime: f.runtime.as_deref().map(clean),
        reserved_concurrency: f.reserved_concurrency,
        queues: f.queues().map(clean).collect(),
        invocations_per_min: latest(|m| &m.invocations),
        errors_per_min: latest(|m| &m.errors),
        throttles_per_min: latest(|m| &m.throttles),
        duration_p99_ms: latest(|m| &m.duration_p99_ms),
        concurrent: latest(|m| &m.concurrent),
        queue_depth: m.and_then(|m| m.queue_depth.values().filter_map(|s| s.latest()).reduce(|a, b| a + b)),
    }
}

/// The functions and their last minute; the metrics failing leaves the figures empty, not the
/// section.
pub async fn read(backend: &dyn Backend, filter: &FunctionFilter) -> Result<Vec<FunctionStatus>, String> {
    let functions = backend.functions(filter).await.map_err(|e| e.to_string())?;
    let metrics: BTreeMap<String, FunctionMetrics> = if functions.is_empty() {
        BTreeMap::new()
    } else {
        backend.function_metrics(&functions).await.unwrap_or_default()
    };
    let mut out: Vec<FunctionStatus> = functions.iter().map(|f| status_of(f, metrics.get(&f.name))).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// `FUNCTIONS (n)` and one aligned line per function.
pub fn text(out: &mut String, functions: &[FunctionStatus]) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "FUNCTIONS ({})", functions.len());
    let width = functions.iter().map(|f| f.address.chars().count()).max().unwrap_or(0).min(72);
    let n = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0}"));
    for f in functions {
        let reserved = f.reserved_concurrency.map_or("none set".into(), |r| r.to_string());
        let line = format!(
            "  {:<width$}   reserved {reserved}   {}/min, {} errors, {} throttles, p99 {} ms",
            f.address,
            n(f.invocations_per_min),
            n(f.errors_per_min),
            n(f.throttles_per_min),
            n(f.duration_p99_ms)
        );
        let _ = writeln!(out, "{}", line.trim_end());
        // On a line of its own, as an alarm's reason: the status fits 120 columns.
        if !f.queues.is_empty() {
            let _ = writeln!(out, "      queue {} ({} waiting)", f.queues.join(", "), n(f.queue_depth));
        }
    }
}
