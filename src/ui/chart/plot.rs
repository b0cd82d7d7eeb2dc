//! The plot: the threshold as a dashed row of `╌`, then each series as braille lines on
//! ratatui's canvas, one line per gap-free run so a line never bridges missing data.

use super::geometry::Geometry;
use crate::chart::{Chart, Point};
use crate::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::widgets::canvas::{Canvas, Context, Line, Points};
use ratatui::widgets::Widget;

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

/// The threshold, then each series' runs (clamped into the value axis) over it.
pub fn draw(chart: &Chart, theme: &Theme, g: &Geometry, runs: &mut [Vec<Vec<Point>>], buf: &mut Buffer) {
    if let Some(row) = chart.threshold_value().and_then(|v| g.row_of(v)) {
        for x in g.plot.left()..g.plot.right() {
            if let Some(cell) = buf.cell_mut((x, row)) {
                cell.set_symbol(THRESHOLD).set_style(theme.chart_threshold);
            }
        }
    }
    // Each series is drawn alone and copied over with its own style: the canvas would give a
    // cell only a foreground colour, and a monochrome theme's series differ by modifiers.
    let mut scratch = Buffer::empty(g.plot);
    let mut drawn = false;
    for (index, series_runs) in runs.iter_mut().enumerate() {
        // The axis holds every value but those clipped at ±LIMIT: keep those on its edge, so
        // the canvas never has to clip a line (its clipping overflows on such values).
        for point in series_runs.iter_mut().flatten() {
            point.1 = point.1.clamp(g.y.lo, g.y.hi);
        }
        if series_runs.iter().all(Vec::is_empty) {
            continue;
        }
        // One canvas layer for all of a series' runs. ratatui's Chart would make a layer (a grid
        // the size of the plot, allocated, saved and drawn) per dataset, i.e. per run: ten gaps
        // cost more than the rest of the frame, and where two runs share a cell the later one
        // would wipe the other's dots. These are the same braille lines Chart draws.
        let lines = Canvas::default()
            .marker(Marker::Braille)
            .x_bounds([0.0, g.span])
            .y_bounds([g.y.lo, g.y.hi])
            .paint(|ctx| paint_runs(ctx, series_runs));
        if drawn {
            scratch.reset();
        }
        lines.render(g.plot, &mut scratch);
        let style = theme.base.patch(series_style(theme, index));
        let width = usize::from(g.plot.width).max(1);
        for (i, drawn_cell) in scratch.content.iter().enumerate() {
            if drawn_cell.symbol() == " " {
                continue;
            }
            let (dx, dy) = ((i % width) as u16, (i / width) as u16);
            if let Some(cell) = buf.cell_mut((g.plot.x + dx, g.plot.y + dy)) {
                cell.reset();
                cell.set_symbol(drawn_cell.symbol()).set_style(style);
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

/// Each run as a line through its points (a lone point as a dot), never from one run to the next.
fn paint_runs(ctx: &mut Context, runs: &[Vec<Point>]) {
    // Only the cells' characters are kept (the style comes from the theme), so the canvas'
    // colour is left at its default.
    let color = Color::default();
    for run in runs {
        if let [(x, y)] = run.as_slice() {
            ctx.draw(&Points::new(&[(*x, *y)], color));
        }
        for pair in run.windows(2) {
            if let [(x1, y1), (x2, y2)] = pair {
                ctx.draw(&Line::new(*x1, *y1, *x2, *y2, color));
            }
        }
    }
}
