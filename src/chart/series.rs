//! A series as the screen can show it: seconds from the chart's start, cut into runs at gaps (a
//! line is never drawn across missing data), each run thinned to the horizontal resolution with
//! the lowest and highest point of every column kept, so a one-minute spike survives a week.

use std::ops::Range;

use super::model::{Chart, ChartSeries};

/// A jump in time over this many usual steps is a gap, even without a `None` in it.
const GAP_FACTOR: f64 = 1.5;

/// The last, lowest and highest value of a series inside the chart's window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub last: f64,
    pub min: f64,
    pub max: f64,
}

/// The points of `series` inside the chart's window as (seconds from `start`, value), in time
/// order; non-finite values (NaN, ±inf) become `None`.
pub fn to_seconds(chart: &Chart, series: &ChartSeries) -> Vec<(f64, Option<f64>)> {
    let span = chart.span_seconds();
    let mut out: Vec<(f64, Option<f64>)> = series
        .points
        .iter()
        .filter_map(|(t, v)| {
            let x = (*t - chart.start).num_milliseconds() as f64 / 1000.0;
            (0.0..=span).contains(&x).then(|| (x, v.filter(|v| v.is_finite())))
        })
        .collect();
    // GetMetricData answers newest first unless told otherwise.
    if !out.is_sorted_by(|a, b| a.0 <= b.0) {
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// Cuts time-ordered points into runs with no gap, as index ranges. A run ends at a missing or
/// non-finite value, and where the time to the next point is over 1.5 times the series' usual
/// step: CloudWatch leaves a period with no data out instead of sending it empty.
pub fn segments(points: &[(f64, Option<f64>)]) -> Vec<Range<usize>> {
    let limit = usual_step(points).map(|step| step * GAP_FACTOR);
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    let mut prev_x = f64::NEG_INFINITY;
    for (i, &(x, v)) in points.iter().enumerate() {
        let present = v.is_some_and(f64::is_finite);
        if let Some(start) = run {
            let jump = limit.is_some_and(|limit| x - prev_x > limit);
            if !present || jump {
                out.push(start..i);
                run = None;
            }
        }
        if present && run.is_none() {
            run = Some(i);
        }
        prev_x = x;
    }
    if let Some(start) = run {
        out.push(start..points.len());
    }
    out
}

/// The median time between consecutive points (ignoring repeats), if there are two points.
fn usual_step(points: &[(f64, Option<f64>)]) -> Option<f64> {
    let mut steps: Vec<f64> = points.windows(2).map(|w| w[1].0 - w[0].0).filter(|d| *d > 0.0).collect();
    if steps.is_empty() {
        return None;
    }
    let mid = steps.len() / 2;
    let (_, median, _) = steps.select_nth_unstable_by(mid, f64::total_cmp);
    Some(*median)
}

/// Thins one run to at most two points per column, `columns` across `0..=span` seconds: the
/// lowest and the highest, in time order. Columns the run has no point in stay empty.
pub fn downsample(run: &[(f64, Option<f64>)], span: f64, columns: usize) -> Vec<(f64, f64)> {
    let columns = columns.max(1);
    let mut out = Vec::with_capacity(run.len().min(columns * 2));
    // The column being filled: its index, lowest point and highest point.
    let mut current: Option<(usize, Point, Point)> = None;
    for &(x, v) in run {
        let Some(y) = v.filter(|y| y.is_finite()) else {
            continue;
        };
        let col = column(x, span, columns);
        match &mut current {
            Some((c, low, high)) if *c == col => {
                if y < low.1 {
                    *low = (x, y);
                }
                if y > high.1 {
                    *high = (x, y);
                }
            }
            _ => {
                if let Some((_, low, high)) = current.take() {
                    push_extremes(&mut out, low, high);
                }
                current = Some((col, (x, y), (x, y)));
            }
        }
    }
    if let Some((_, low, high)) = current {
        push_extremes(&mut out, low, high);
    }
    out
}

/// (seconds from start, value).
type Point = (f64, f64);

fn push_extremes(out: &mut Vec<Point>, low: Point, high: Point) {
    if low == high {
        out.push(low);
    } else if low.0 <= high.0 {
        out.extend([low, high]);
    } else {
        out.extend([high, low]);
    }
}

/// The column of `x` seconds among `columns` across `0..=span` (the last column holds `span`).
fn column(x: f64, span: f64, columns: usize) -> usize {
    if span > 0.0 {
        ((x / span * columns as f64).floor().max(0.0) as usize).min(columns - 1)
    } else {
        0
    }
}

/// What to draw for one series: its gap-free runs inside the window, each thinned to `columns`
/// (two per terminal cell with braille), as (seconds from start, value).
pub fn plot_points(chart: &Chart, series: &ChartSeries, columns: usize) -> Vec<Vec<(f64, f64)>> {
    let points = to_seconds(chart, series);
    let span = chart.span_seconds();
    segments(&points).into_iter().filter_map(|run| points.get(run)).map(|run| downsample(run, span, columns)).collect()
}

/// The finite values of `series` inside the chart's window, as (seconds from start, value), in
/// the series' own order.
pub(super) fn window_values<'a>(chart: &'a Chart, series: &'a ChartSeries) -> impl Iterator<Item = (f64, f64)> + 'a {
    let span = chart.span_seconds();
    series.points.iter().filter_map(move |(t, v)| {
        let x = (*t - chart.start).num_milliseconds() as f64 / 1000.0;
        v.filter(|v| v.is_finite() && (0.0..=span).contains(&x)).map(|v| (x, v))
    })
}

/// Last, lowest and highest value inside the window; `None` when the series has no datapoint there.
pub fn stats(chart: &Chart, series: &ChartSeries) -> Option<Stats> {
    let mut out: Option<(f64, Stats)> = None;
    for (x, v) in window_values(chart, series) {
        out = Some(match out {
            None => (x, Stats { last: v, min: v, max: v }),
            Some((at, s)) => {
                let (at, last) = if x >= at { (x, v) } else { (at, s.last) };
                (at, Stats { last, min: s.min.min(v), max: s.max.max(v) })
            }
        });
    }
    out.map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    fn pts(values: &[Option<f64>]) -> Vec<(f64, Option<f64>)> {
        values.iter().enumerate().map(|(i, v)| (i as f64 * 60.0, *v)).collect()
    }

    #[test]
    fn segments_split_at_none_nan_and_time_jumps() {
        let p = pts(&[Some(1.0), Some(2.0), None, Some(3.0), Some(f64::NAN), Some(4.0), Some(5.0)]);
        assert_eq!(segments(&p), vec![0..2, 3..4, 5..7]);
        // No None, but ten minutes missing in one-minute data: still a gap.
        let mut p = pts(&[Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
        p[2].0 += 600.0;
        p[3].0 += 600.0;
        assert_eq!(segments(&p), vec![0..2, 2..4]);
        assert!(segments(&pts(&[None, None])).is_empty());
        assert!(segments(&[]).is_empty());
        assert_eq!(segments(&pts(&[Some(7.0)])), vec![0..1]);
    }

    #[test]
    fn downsampling_keeps_each_columns_min_and_max_in_time_order() {
        // 100 points over 0..=99 s into 10 columns: a spike and a dip inside column 4.
        let mut p: Vec<(f64, Option<f64>)> = (0..100).map(|i| (i as f64, Some(10.0))).collect();
        p[42].1 = Some(500.0);
        p[47].1 = Some(-3.0);
        let out = downsample(&p, 99.0, 10);
        assert!(out.len() <= 20, "{}", out.len());
        assert!(out.contains(&(42.0, 500.0)), "the spike survives");
        assert!(out.contains(&(47.0, -3.0)), "the dip survives");
        let spike = out.iter().position(|p| *p == (42.0, 500.0));
        let dip = out.iter().position(|p| *p == (47.0, -3.0));
        assert!(spike < dip, "in time order");
        assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));
        // A flat column collapses to one point.
        assert_eq!(downsample(&p[..5], 99.0, 10), vec![(0.0, 10.0)]);
        assert!(downsample(&[], 99.0, 10).is_empty());
        assert_eq!(downsample(&p[..2], 0.0, 0), vec![(0.0, 10.0)]);
    }

    #[test]
    fn plot_points_keep_gaps_as_empty_columns() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        let points = (0..600)
            .map(|m| {
                let v = if (200..300).contains(&m) { None } else { Some(m as f64) };
                (start + Duration::minutes(m), v)
            })
            .collect();
        let series = ChartSeries { label: "x".into(), points };
        let chart = Chart { start, end: start + Duration::minutes(599), ..Chart::default() };
        let runs = plot_points(&chart, &series, 60);
        assert_eq!(runs.len(), 2, "one run each side of the gap");
        let gap = 200.0 * 60.0..300.0 * 60.0;
        assert!(runs.iter().flatten().all(|(x, _)| !gap.contains(x)), "nothing drawn inside the gap");
        assert!(runs.iter().flatten().count() <= 120);
        assert_eq!(runs[0].first(), Some(&(0.0, 0.0)));
        assert_eq!(runs[1].last(), Some(&(599.0 * 60.0, 599.0)));
    }

    #[test]
    fn points_outside_the_window_are_dropped_and_newest_first_is_sorted() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        let at = |m| start + Duration::minutes(m);
        let series = ChartSeries {
            label: "x".into(),
            points: vec![(at(11), Some(9.0)), (at(2), Some(f64::INFINITY)), (at(1), Some(1.0)), (at(-1), Some(7.0))],
        };
        let chart = Chart { start, end: at(10), ..Chart::default() };
        assert_eq!(to_seconds(&chart, &series), vec![(60.0, Some(1.0)), (120.0, None)]);
        assert_eq!(stats(&chart, &series), Some(Stats { last: 1.0, min: 1.0, max: 1.0 }));
    }

    #[test]
    fn stats_take_the_latest_value_as_last_and_skip_missing_data() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        let at = |m| start + Duration::minutes(m);
        let series = ChartSeries {
            label: "x".into(),
            points: vec![(at(3), Some(4.0)), (at(1), Some(-2.0)), (at(2), Some(8.0)), (at(4), None)],
        };
        let chart = Chart { start, end: at(10), ..Chart::default() };
        assert_eq!(stats(&chart, &series), Some(Stats { last: 4.0, min: -2.0, max: 8.0 }));
        let empty = ChartSeries { label: "x".into(), points: vec![(at(1), None)] };
        assert_eq!(stats(&chart, &empty), None);
    }
}
