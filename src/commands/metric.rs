//! `opsdeck metric NAMESPACE METRIC [--dim N=V]... [--stat S] [--period 60] [--since 3h]`: any
//! CloudWatch metric over a window, one row per period, `-` where there was no datapoint (never
//! zero). One GetMetricData call (500 queries a call, paged by the backend).

use super::{tables, Env, EXIT_FAILED, EXIT_USAGE};
use crate::domain::{format_value, MetricId, MetricQuery};
use crate::ops::grammar::{MetricArgs, TableOutput};
use crate::sanitize::inert;
use serde_json::json;
use std::io::Write;

/// Datapoints GetMetricData returns per call; more than this in one series is refused.
const MAX_POINTS: i64 = 100_800;

pub async fn run(
    args: &MetricArgs,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    let now = env.backend.clock().unwrap_or_else(chrono::Utc::now);
    let (start, end) = match args.window.resolve(now, chrono::Duration::hours(3)) {
        Ok(w) => w,
        Err(e) => {
            writeln!(err, "opsdeck: {e}")?;
            return Ok(EXIT_USAGE);
        }
    };
    // Periods start on their boundaries, as CloudWatch's do: the first row is a whole period.
    let period = i64::from(args.period);
    let start = start - chrono::Duration::seconds(start.timestamp().rem_euclid(period));
    let points = (end - start).num_seconds() / period;
    if points > MAX_POINTS {
        writeln!(
            err,
            "opsdeck: {points} datapoints at {} s periods: at most {MAX_POINTS}; use a longer --period",
            args.period
        )?;
        return Ok(EXIT_USAGE);
    }
    let dims: Vec<(&str, &str)> = args.dimensions.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let query = MetricQuery {
        id: "m0".into(),
        metric: MetricId::new(&args.namespace, &args.metric, &dims),
        stat: args.stat.clone(),
        period_secs: args.period,
        label: None,
    };
    let series = match env.backend.metric_data(std::slice::from_ref(&query), start, end).await {
        Ok(mut s) if !s.is_empty() => s.remove(0),
        Ok(_) => {
            writeln!(err, "opsdeck: no series came back for {}", query.metric)?;
            return Ok(EXIT_FAILED);
        }
        Err(e) => {
            writeln!(err, "opsdeck: {}", inert(&e.to_string()))?;
            let code = if matches!(e, crate::backend::BackendError::Invalid(_)) { EXIT_USAGE } else { EXIT_FAILED };
            return Ok(code);
        }
    };
    let gapped = series.with_gaps(start, end);
    if args.output == TableOutput::Json {
        let points: Vec<_> = gapped.iter().map(|(t, v)| json!([t.to_rfc3339(), v])).collect();
        let doc = json!({
            "metric": query.metric,
            "stat": query.stat,
            "period": query.period_secs,
            "start": start.to_rfc3339(),
            "end": end.to_rfc3339(),
            "datapoints": series.points.len(),
            "points": points,
        });
        writeln!(out, "{doc}")?;
        return Ok(0);
    }
    let headers = vec!["time (UTC)".to_string(), format!("{} {}", args.metric, args.stat)];
    let rows: Vec<Vec<String>> = gapped
        .iter()
        .map(|(t, v)| vec![t.format("%Y-%m-%d %H:%M").to_string(), v.map_or("-".to_string(), format_value)])
        .collect();
    tables::print(&headers, &rows, args.output, out)?;
    if args.output == TableOutput::Table && series.points.is_empty() {
        writeln!(
            err,
            "opsdeck: no datapoints for {} in the window (a metric that does not exist reads the same)",
            query.metric
        )?;
    }
    Ok(0)
}
