//! A `stats ... by bin(...)` result as a chart: one line per aggregate (and per group of the
//! other `by` fields), a point per bin, a gap where a bin has no row.

use crate::chart::{Chart, ChartSeries};
use crate::domain::{row_value, QueryResults};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use std::collections::BTreeMap;

/// The most lines one chart draws; the rest are named in the note.
pub const MAX_SERIES: usize = 6;
/// The most bins filled in as gaps between two rows (a 1 s bin over a week would be 600k).
const MAX_BINS: i64 = 20_000;

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    ["%Y-%m-%d %H:%M:%S%.3f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.fZ"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc())
}

/// The chart of `results`, binned by `bin_field` every `bin` over `start..end`; `None` when the
/// result has no numeric column to draw.
pub fn bin_chart(
    results: &QueryResults,
    bin_field: &str,
    bin: Option<Duration>,
    title: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Option<Chart> {
    let fields = results.fields();
    let numeric = |f: &String| {
        results.rows.iter().any(|r| !row_value(r, f).is_empty())
            && results.rows.iter().all(|r| {
                let v = row_value(r, f);
                v.is_empty() || v.parse::<f64>().is_ok()
            })
    };
    let values: Vec<&String> = fields.iter().filter(|f| f.as_str() != bin_field && numeric(f)).collect();
    let groups: Vec<&String> = fields.iter().filter(|f| f.as_str() != bin_field && !values.contains(f)).collect();
    if values.is_empty() {
        return None;
    }
    let mut lines: BTreeMap<String, BTreeMap<DateTime<Utc>, f64>> = BTreeMap::new();
    for row in &results.rows {
        let Some(time) = parse_time(row_value(row, bin_field)) else { continue };
        let group: Vec<&str> = groups.iter().map(|g| row_value(row, g)).collect();
        for value in &values {
            let Ok(v) = row_value(row, value).parse::<f64>() else { continue };
            let label = if group.is_empty() { value.to_string() } else { format!("{value} {}", group.join(" ")) };
            lines.entry(label).or_default().insert(time, v);
        }
    }
    let total = lines.len();
    let series: Vec<ChartSeries> = lines
        .into_iter()
        .take(MAX_SERIES)
        .map(|(label, points)| ChartSeries { label, points: with_gaps(points, bin) })
        .collect();
    let note = (total > MAX_SERIES).then(|| format!("{} more series not drawn: narrow the query", total - MAX_SERIES));
    let (start, end) = window;
    Some(Chart {
        title: title.to_string(),
        unit: None,
        start,
        end,
        series,
        threshold: None,
        alarm_spans: Vec::new(),
        note,
    })
}

/// The points in time order, with `None` for each bin between two rows that has no row.
fn with_gaps(points: BTreeMap<DateTime<Utc>, f64>, bin: Option<Duration>) -> Vec<(DateTime<Utc>, Option<f64>)> {
    let mut out = Vec::with_capacity(points.len());
    let mut previous: Option<DateTime<Utc>> = None;
    for (time, value) in points {
        if let (Some(bin), Some(prev)) = (bin.filter(|b| *b > Duration::zero()), previous) {
            let missing = ((time - prev).num_milliseconds() / bin.num_milliseconds().max(1) - 1).clamp(0, MAX_BINS);
            for i in 1..=missing {
                out.push((prev + bin * i as i32, None));
            }
        }
        out.push((time, Some(value)));
        previous = Some(time);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{QueryStats, QueryStatus};
    use chrono::TimeZone;

    fn row(cells: &[(&str, &str)]) -> Vec<(String, String)> {
        cells.iter().map(|(f, v)| (f.to_string(), v.to_string())).collect()
    }

    fn results(rows: Vec<Vec<(String, String)>>) -> QueryResults {
        QueryResults { status: QueryStatus::Complete, rows, stats: QueryStats::default(), capped_at: None }
    }

    #[test]
    fn one_line_per_aggregate_and_group_with_gaps_for_missing_bins() {
        let r = results(vec![
            row(&[("bin(1m)", "2026-12-04 03:02:00.000"), ("level", "error"), ("count(*)", "4")]),
            row(&[("bin(1m)", "2026-12-04 03:00:00.000"), ("level", "error"), ("count(*)", "2")]),
            row(&[("bin(1m)", "2026-12-04 03:00:00.000"), ("level", "warn"), ("count(*)", "7")]),
        ]);
        let t = |m| Utc.with_ymd_and_hms(2026, 12, 4, 3, m, 0).unwrap();
        let chart = bin_chart(&r, "bin(1m)", Some(Duration::minutes(1)), "errors", (t(0), t(5))).unwrap();
        let labels: Vec<&str> = chart.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["count(*) error", "count(*) warn"]);
        assert_eq!(chart.series[0].points, vec![(t(0), Some(2.0)), (t(1), None), (t(2), Some(4.0))]);
        assert_eq!(chart.series[1].points, vec![(t(0), Some(7.0))]);
        assert_eq!(chart.note, None);
    }

    #[test]
    fn a_result_with_nothing_numeric_has_no_chart_and_many_groups_are_capped() {
        let r = results(vec![row(&[("bin(1m)", "2026-12-04 03:00:00.000"), ("path", "/a")])]);
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 3, 0, 0).unwrap();
        assert!(bin_chart(&r, "bin(1m)", None, "t", (now, now)).is_none());
        let rows = (0..9)
            .map(|i| row(&[("bin(1m)", "2026-12-04 03:00:00.000"), ("path", &format!("/p{i}")), ("n", "1")]))
            .collect();
        let chart = bin_chart(&results(rows), "bin(1m)", None, "t", (now, now)).unwrap();
        assert_eq!(chart.series.len(), MAX_SERIES);
        assert_eq!(chart.note.as_deref(), Some("3 more series not drawn: narrow the query"));
    }
}
