//! A series as the screen can show it: seconds from the chart's start, cut into runs at gaps (a
//! line is never drawn across missing data), each run thinned to the horizontal resolution with
//! the lowest and highest point of every column kept, so a one-minute spike survives a week.
//! [`plot_points`] does it all in one pass over the points, without copying them: a week of
//! one-minute data is drawn on every frame.

use std::ops::Range;

use super::model::{seconds_from, Chart, ChartSeries};

/// A jump in time over this many usual steps is a gap, even without a `None` in it.
const GAP_FACTOR: f64 = 1.5;
/// The usual step is the median of at most about this many steps, spread over the series.
const STEP_SAMPLE: usize = 256;

/// (seconds from the chart's start, value).
pub type Point = (f64, f64);

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
    let (start_ms, span) = (chart.start.timestamp_millis(), chart.span_seconds());
    let mut out: Vec<(f64, Option<f64>)> = series
        .points
        .iter()
        .map(|(t, v)| (seconds_from(start_ms, t), v.filter(|v| v.is_finite())))
        .filter(|(x, _)| (0.0..=span).contains(x))
        .collect();
    // GetMetricData answers newest first unless told otherwise.
    if !out.is_sorted_by(|a, b| a.0 <= b.0) {
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// Cuts time-ordered points into runs with no gap, as index ranges. A run ends at a missing or
/// non-finite value, and where the time to the next point is over 1.5 times the series' usual
/// step (the median step): CloudWatch leaves a period with no data out instead of sending it
/// empty. [`plot_points`] cuts by the same rule.
pub fn segments(points: &[(f64, Option<f64>)]) -> Vec<Range<usize>> {
    let limit = usual_step(sampled(points.windows(2)).map(|w| w[1].0 - w[0].0)).map(|step| step * GAP_FACTOR);
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    let mut prev_x = None;
    for (i, &(x, v)) in points.iter().enumerate() {
        let present = v.is_some_and(f64::is_finite);
        if let Some(start) = run.filter(|_| !present || is_jump(limit, prev_x, x)) {
            out.push(start..i);
            run = None;
        }
        if present && run.is_none() {
            run = Some(i);
        }
        prev_x = Some(x);
    }
    if let Some(start) = run {
        out.push(start..points.len());
    }
    out
}

/// Every n-th item, so that about [`STEP_SAMPLE`] are left.
fn sampled<I: ExactSizeIterator>(items: I) -> std::iter::StepBy<I> {
    let stride = (items.len() / STEP_SAMPLE).max(1);
    items.step_by(stride)
}

/// The median of the positive steps (either direction; repeats ignored), if there is one.
fn usual_step(steps: impl Iterator<Item = f64>) -> Option<f64> {
    let mut steps: Vec<f64> = steps.map(f64::abs).filter(|d| *d > 0.0).collect();
    if steps.is_empty() {
        return None;
    }
    let mid = steps.len() / 2;
    let (_, median, _) = steps.select_nth_unstable_by(mid, f64::total_cmp);
    Some(*median)
}

fn is_jump(limit: Option<f64>, prev_x: Option<f64>, x: f64) -> bool {
    matches!((limit, prev_x), (Some(limit), Some(prev)) if x - prev > limit)
}

/// Thins one run to at most two points per column, `columns` across `0..=span` seconds: the
/// lowest and the highest, in time order. Columns the run has no point in stay empty.
pub fn downsample(run: &[(f64, Option<f64>)], span: f64, columns: usize) -> Vec<Point> {
    let mut thinner = Thinner::new(span, columns, None);
    for &(x, v) in run.iter().filter(|(_, v)| v.is_some_and(f64::is_finite)) {
        thinner.push(x, v);
    }
    thinner.finish().into_iter().next().unwrap_or_default()
}

/// Cuts at gaps and thins, one point at a time.
struct Thinner {
    span: f64,
    columns: usize,
    /// A jump longer than this is a gap.
    limit: Option<f64>,
    prev_x: Option<f64>,
    /// The column being filled: its index, lowest point and highest point.
    column: Option<(usize, Point, Point)>,
    run: Vec<Point>,
    runs: Vec<Vec<Point>>,
}

impl Thinner {
    fn new(span: f64, columns: usize, limit: Option<f64>) -> Thinner {
        let columns = columns.max(1);
        Thinner { span, columns, limit, prev_x: None, column: None, run: Vec::new(), runs: Vec::new() }
    }

    fn push(&mut self, x: f64, v: Option<f64>) {
        let value = v.filter(|v| v.is_finite());
        if value.is_none() || is_jump(self.limit, self.prev_x, x) {
            self.end_run();
        }
        self.prev_x = Some(x);
        let Some(y) = value else {
            return;
        };
        let col = column(x, self.span, self.columns);
        match &mut self.column {
            Some((c, low, high)) if *c == col => {
                if y < low.1 {
                    *low = (x, y);
                }
                if y > high.1 {
                    *high = (x, y);
                }
            }
            _ => {
                self.end_column();
                self.column = Some((col, (x, y), (x, y)));
            }
        }
    }

    fn end_column(&mut self) {
        if let Some((_, low, high)) = self.column.take() {
            if low == high {
                self.run.push(low);
            } else if low.0 <= high.0 {
                self.run.extend([low, high]);
            } else {
                self.run.extend([high, low]);
            }
        }
    }

    fn end_run(&mut self) {
        self.end_column();
        if !self.run.is_empty() {
            self.runs.push(std::mem::take(&mut self.run));
        }
    }

    fn finish(mut self) -> Vec<Vec<Point>> {
        self.end_run();
        self.runs
    }
}

/// The column of `x` seconds among `columns` across `0..=span` (the last column holds `span`).
fn column(x: f64, span: f64, columns: usize) -> usize {
    if span > 0.0 {
        // `as` truncates (floor for x >= 0), saturates below zero, and is no libm call.
        ((x / span * columns as f64) as usize).min(columns - 1)
    } else {
        0
    }
}

/// What to draw for one series: its gap-free runs inside the window (cut as [`segments`] cuts),
/// each thinned to `columns` as [`downsample`] thins, as (seconds from start, value). One pass
/// over the points when they are in time order; out of order they are copied and sorted first.
pub fn plot_points(chart: &Chart, series: &ChartSeries, columns: usize) -> Vec<Vec<Point>> {
    let (start_ms, span) = (chart.start.timestamp_millis(), chart.span_seconds());
    let points = &series.points;
    let steps = sampled(points.windows(2)).map(|w| seconds_from(start_ms, &w[1].0) - seconds_from(start_ms, &w[0].0));
    let mut thinner = Thinner::new(span, columns, usual_step(steps).map(|step| step * GAP_FACTOR));
    if points.is_sorted_by_key(|(t, _)| *t) {
        for (t, v) in points {
            let x = seconds_from(start_ms, t);
            if (0.0..=span).contains(&x) {
                thinner.push(x, *v);
            }
        }
    } else {
        for (x, v) in to_seconds(chart, series) {
            thinner.push(x, v);
        }
    }
    thinner.finish()
}

/// The finite values of `series` inside the chart's window, as (seconds from start, value), in
/// the series' own order.
pub(super) fn window_values<'a>(chart: &'a Chart, series: &'a ChartSeries) -> impl Iterator<Item = (f64, f64)> + 'a {
    let (start_ms, span) = (chart.start.timestamp_millis(), chart.span_seconds());
    series.points.iter().filter_map(move |(t, v)| {
        let x = seconds_from(start_ms, t);
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
    fn plot_points_cut_at_time_jumps_and_read_newest_first_like_oldest_first() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        // One-minute data with minutes 30 to 49 left out (no None: CloudWatch just omits them).
        let points: Vec<_> =
            (0..90).filter(|m| !(30..50).contains(m)).map(|m| (start + Duration::minutes(m), Some(m as f64))).collect();
        let chart = Chart { start, end: start + Duration::minutes(89), ..Chart::default() };
        let oldest_first = ChartSeries { label: "x".into(), points: points.clone() };
        let runs = plot_points(&chart, &oldest_first, 1000);
        assert_eq!(runs.len(), 2, "cut where 20 minutes are missing");
        assert_eq!((runs[0].last(), runs[1].first()), (Some(&(29.0 * 60.0, 29.0)), Some(&(50.0 * 60.0, 50.0))));
        let newest_first = ChartSeries { label: "x".into(), points: points.into_iter().rev().collect() };
        assert_eq!(plot_points(&chart, &newest_first, 1000), runs);
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
