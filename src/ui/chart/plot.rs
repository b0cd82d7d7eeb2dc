//! The plot: the threshold as a dashed row of `╌`, then each series as braille lines, one
//! ratatui dataset per gap-free run so a line never bridges missing data.

use super::geometry::Geometry;
use crate::chart::{plot_points, Chart};
use crate::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Position;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::widgets::{Axis, Chart as LineChart, Dataset, GraphType, Widget};

/// The threshold's character: dashed, so it reads apart from the data line without colour.
pub const THRESHOLD: &str = "╌";

/// The slot of the `index`th series: the main one, then the second, then two more by meaning.
pub fn series_style(theme: &Theme, index: usize) -> Style {
    match index % 4 {
        0 => theme.chart,
        1 => theme.chart_alt,
        2 => theme.accent,
        _ => theme.info,
    }
}

pub fn draw(chart: &Chart, theme: &Theme, g: &Geometry, buf: &mut Buffer) {
    if let Some(row) = chart.threshold_value().and_then(|v| g.row_of(v)) {
        for x in g.plot.left()..g.plot.right() {
            if let Some(cell) = buf.cell_mut((x, row)) {
                cell.set_symbol(THRESHOLD).set_style(theme.chart_threshold);
            }
        }
    }
    let columns = usize::from(g.plot.width) * 2;
    // Each series is drawn alone and copied over with its own style: the canvas would give a
    // cell only a foreground colour, and a monochrome theme's series differ by modifiers.
    let mut scratch = Buffer::empty(g.plot);
    let mut drawn = false;
    for (index, series) in chart.series.iter().enumerate() {
        let mut runs = plot_points(chart, series, columns);
        // The axis holds every value but those clipped at ±LIMIT: keep those on its edge, so the
        // canvas never has to clip a line (its clipping overflows on such values).
        for point in runs.iter_mut().flatten() {
            point.1 = point.1.clamp(g.y.lo, g.y.hi);
        }
        if runs.iter().all(Vec::is_empty) {
            continue;
        }
        let datasets: Vec<Dataset> = runs
            .iter()
            .filter(|run| !run.is_empty())
            .map(|run| Dataset::default().data(run).marker(Marker::Braille).graph_type(GraphType::Line))
            .collect();
        let lines = LineChart::new(datasets)
            .x_axis(Axis::default().bounds([0.0, g.span]))
            .y_axis(Axis::default().bounds([g.y.lo, g.y.hi]))
            .legend_position(None);
        scratch.reset();
        lines.render(g.plot, &mut scratch);
        let style = theme.base.patch(series_style(theme, index));
        for y in g.plot.top()..g.plot.bottom() {
            for x in g.plot.left()..g.plot.right() {
                let pos = Position::new(x, y);
                let Some(symbol) = scratch.cell(pos).map(|c| c.symbol()).filter(|s| *s != " ") else {
                    continue;
                };
                if let Some(cell) = buf.cell_mut(pos) {
                    cell.reset();
                    cell.set_symbol(symbol).set_style(style);
                }
            }
        }
        drawn = true;
    }
    if !drawn {
        let text = "no data";
        let width = text.len() as u16;
        if g.plot.width >= width {
            let x = g.plot.x + (g.plot.width - width) / 2;
            let y = g.plot.y + g.plot.height / 2;
            buf.set_string(x, y, text, theme.muted);
        }
    }
}
