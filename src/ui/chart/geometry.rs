//! Where each part of a chart goes in its area, and where a time or a value lands in the plot.
//! Columns and rows are rounded as ratatui's braille canvas rounds, so the threshold row, the
//! tick marks and the ALARM marks line up with the data line drawn over them.

use crate::chart::{human, nice_axis, tick_labels, value_bounds, Chart, Point, YAxis};
use ratatui::layout::Rect;

/// Below this a chart is not legible: the renderer draws a one-line summary instead.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// Fewer plot rows than this and the lines cannot be told apart.
const MIN_PLOT_ROWS: u16 = 3;
/// At most this many labelled values on the y axis.
const MAX_Y_TICKS: u16 = 8;
const ALARM_LABEL: &str = "ALARM";

/// The rows and columns of one chart, top to bottom: title, header (unit and legend), plot,
/// time axis, time labels, ALARM row, note.
#[derive(Debug, Clone)]
pub struct Geometry {
    pub area: Rect,
    pub title_row: u16,
    pub header_row: Option<u16>,
    /// The braille plot, right of the y axis.
    pub plot: Rect,
    /// Width of the y labels left of the axis line (the axis line is the next column).
    pub gutter: u16,
    pub x_axis_row: u16,
    pub x_labels_row: u16,
    pub alarm_row: Option<u16>,
    pub note_row: Option<u16>,
    pub y: YAxis,
    pub y_labels: Vec<String>,
    /// `> 80`: the threshold's comparison and value, for the y axis.
    pub threshold_label: Option<String>,
    /// Seconds from the chart's start to its end (0 for an empty window).
    pub span: f64,
}

impl Geometry {
    /// Whether `area` can hold a legible chart.
    pub fn fits(area: Rect) -> bool {
        area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
    }

    /// `None` when `area` is too small for a legible chart. `runs` are what will be drawn of
    /// each series: the value axis is fitted to them (thinning keeps every minimum and maximum).
    pub fn compute(chart: &Chart, area: Rect, runs: &[Vec<Vec<Point>>]) -> Option<Geometry> {
        if !Geometry::fits(area) {
            return None;
        }
        let has_header = chart.unit.as_deref().is_some_and(|u| !u.trim().is_empty()) || chart.series.len() > 1;
        let has_alarm = alarm_in_window(chart);
        let has_note = chart.note.as_deref().is_some_and(|n| !n.trim().is_empty());
        let fixed = 3 + u16::from(has_header) + u16::from(has_alarm) + u16::from(has_note);
        let plot_rows = area.height.checked_sub(fixed).filter(|rows| *rows >= MIN_PLOT_ROWS)?;

        let title_row = area.y;
        let header_row = has_header.then_some(area.y + 1);
        let plot_top = area.y + 1 + u16::from(has_header);
        let x_axis_row = plot_top + plot_rows;
        let x_labels_row = x_axis_row + 1;
        let alarm_row = has_alarm.then_some(x_labels_row + 1);
        let note_row = has_note.then_some(x_labels_row + 1 + u16::from(has_alarm));

        let values = runs.iter().flatten().flatten().map(|(_, v)| *v);
        let max_ticks = usize::from((plot_rows / 3 + 1).clamp(2, MAX_Y_TICKS));
        let y = nice_axis(value_bounds(values, chart.threshold_value()), max_ticks);
        let y_labels = tick_labels(&y.ticks, y.step);
        let threshold_label =
            chart.threshold.and_then(|t| t.finite().map(|v| format!("{} {}", t.comparison.symbol(), human(v))));
        let widest = y_labels
            .iter()
            .chain(&threshold_label)
            .map(|l| l.chars().count())
            .chain(has_alarm.then_some(ALARM_LABEL.len()))
            .max()
            .unwrap_or(1);
        let gutter = u16::try_from(widest).unwrap_or(u16::MAX).clamp(1, area.width / 4);
        let plot = Rect::new(area.x + gutter + 1, plot_top, area.width - gutter - 1, plot_rows);
        let span = chart.span_seconds();
        Some(Geometry {
            area,
            title_row,
            header_row,
            plot,
            gutter,
            x_axis_row,
            x_labels_row,
            alarm_row,
            note_row,
            y,
            y_labels,
            threshold_label,
            span,
        })
    }

    /// The column of the y axis line.
    pub fn axis_col(&self) -> u16 {
        self.plot.x - 1
    }

    /// The plot column `seconds` after the chart's start lands in (clamped to the plot).
    pub fn column_at(&self, seconds: f64) -> u16 {
        let dots = f64::from(self.plot.width) * 2.0 - 1.0;
        let dot = if self.span > 0.0 { (seconds.clamp(0.0, self.span) * dots / self.span).round() } else { 0.0 };
        self.plot.x + (dot as u16 / 2).min(self.plot.width - 1)
    }

    /// The plot row `value` lands in, if it is inside the value axis.
    pub fn row_of(&self, value: f64) -> Option<u16> {
        let (lo, hi) = (self.y.lo, self.y.hi);
        if !(lo..=hi).contains(&value) {
            return None;
        }
        let dots = f64::from(self.plot.height) * 4.0 - 1.0;
        let dot = ((hi - value) * dots / (hi - lo)).round();
        let dot = if dot.is_finite() { dot.clamp(0.0, dots) } else { 0.0 };
        Some(self.plot.y + (dot as u16 / 4).min(self.plot.height - 1))
    }

    /// The label for the ALARM row, cut to the gutter.
    pub fn alarm_label(&self) -> &'static str {
        let width = usize::from(self.gutter);
        ALARM_LABEL.get(..width.min(ALARM_LABEL.len())).unwrap_or("")
    }
}

/// Whether any ALARM period overlaps the chart's window.
pub fn alarm_in_window(chart: &Chart) -> bool {
    chart.alarm_spans.iter().any(|(from, to)| from <= to && *to >= chart.start && *from <= chart.end)
}
