//! The axes: value labels and the threshold's label left of the y axis, the time axis with its
//! tick marks and UTC labels, and the ALARM row with a `█` over every ALARM period.

use super::geometry::Geometry;
use crate::chart::{x_ticks, Chart};
use crate::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// The ALARM row's character: a full block, visible in any theme without colour.
pub const ALARM_MARK: &str = "█";

pub fn y_axis(chart: &Chart, theme: &Theme, g: &Geometry, buf: &mut Buffer) {
    let axis = g.axis_col();
    for y in g.plot.top()..g.plot.bottom() {
        put(buf, axis, y, "│", theme.muted);
    }
    let threshold_row = chart.threshold_value().and_then(|v| g.row_of(v));
    for (tick, label) in g.y.ticks.iter().zip(&g.y_labels) {
        let Some(row) = g.row_of(*tick).filter(|row| Some(*row) != threshold_row) else {
            continue;
        };
        put(buf, axis, row, "┤", theme.muted);
        gutter_label(buf, g, row, label, theme.muted);
    }
    if let (Some(row), Some(label)) = (threshold_row, &g.threshold_label) {
        put(buf, axis, row, "┤", theme.chart_threshold);
        gutter_label(buf, g, row, label, theme.chart_threshold);
    }
}

pub fn x_axis(chart: &Chart, theme: &Theme, g: &Geometry, buf: &mut Buffer) {
    let row = g.x_axis_row;
    put(buf, g.axis_col(), row, "└", theme.muted);
    for x in g.plot.left()..g.plot.right() {
        put(buf, x, row, "─", theme.muted);
    }
    if g.span <= 0.0 {
        return;
    }
    // Labels centred under their tick, two cells apart at least, never past the area's edges;
    // the last tick's label (the window's end, when it is round) wins over the one before it.
    let ticks = x_ticks(chart.start, chart.end, usize::from(g.plot.width));
    let mut placed: Vec<(u16, &str)> = Vec::with_capacity(ticks.len());
    for (i, tick) in ticks.iter().enumerate() {
        let col = g.column_at(chart.seconds_at(tick.at));
        put(buf, col, row, "┬", theme.muted);
        let width = tick.label.chars().count() as u16;
        if width > g.area.width {
            continue;
        }
        let x = col.saturating_sub(width / 2).clamp(g.area.x, g.area.right() - width);
        let clear = |placed: &Vec<(u16, &str)>| placed.last().is_none_or(|(px, pl)| px + pl.len() as u16 + 2 <= x);
        if !clear(&placed) && i + 1 == ticks.len() {
            placed.pop();
        }
        if clear(&placed) {
            placed.push((x, &tick.label));
        }
    }
    for (x, label) in placed {
        buf.set_string(x, g.x_labels_row, label, theme.muted);
    }
}

pub fn alarm_row(chart: &Chart, theme: &Theme, g: &Geometry, buf: &mut Buffer) {
    let Some(row) = g.alarm_row else {
        return;
    };
    gutter_label(buf, g, row, g.alarm_label(), theme.chart_alarm);
    for (from, to) in &chart.alarm_spans {
        let (from, to) = ((*from).max(chart.start), (*to).min(chart.end));
        if from > to {
            continue;
        }
        let (a, b) = (g.column_at(chart.seconds_at(from)), g.column_at(chart.seconds_at(to)));
        for x in a..=b {
            put(buf, x, row, ALARM_MARK, theme.chart_alarm);
        }
    }
}

/// `text` right-aligned against the y axis on `row`, cut to the gutter.
fn gutter_label(buf: &mut Buffer, g: &Geometry, row: u16, text: &str, style: Style) {
    let text = crate::width::truncate(text, usize::from(g.gutter));
    let width = (text.chars().count() as u16).min(g.gutter);
    let x = g.area.x + g.gutter - width;
    // Clear what a label drawn before may have left on this row.
    buf.set_string(g.area.x, row, " ".repeat(usize::from(g.gutter - width)), Style::default());
    buf.set_stringn(x, row, text, usize::from(width), style);
}

fn put(buf: &mut Buffer, x: u16, y: u16, symbol: &str, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_symbol(symbol).set_style(style);
    }
}
