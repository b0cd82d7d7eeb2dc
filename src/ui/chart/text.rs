//! The words around a chart: the title, the unit and the legend above the plot, the note under
//! it, and the one-line summary drawn instead of a chart too small to read.

use super::geometry::{alarm_in_window, Geometry};
use super::plot::series_style;
use crate::chart::{stats, with_unit, Chart};
use crate::theme::Theme;
use crate::width::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The legend's sample of a line.
const SWATCH: &str = "━━ ";

pub fn title(chart: &Chart, theme: &Theme, g: &Geometry, buf: &mut Buffer) {
    let width = usize::from(g.area.width);
    buf.set_stringn(g.area.x, g.title_row, truncate(&chart.title, width), width, theme.title);
}

/// The unit over the y axis, then one entry per series when there is more than one.
pub fn header(chart: &Chart, theme: &Theme, g: &Geometry, buf: &mut Buffer) {
    let Some(row) = g.header_row else {
        return;
    };
    let mut x = g.area.x;
    if let Some(unit) = chart.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        let unit = truncate(unit, usize::from(g.area.width));
        let width = unit.chars().count() as u16;
        let start = if width <= g.gutter { g.area.x + g.gutter - width } else { g.area.x };
        x = buf.set_stringn(start, row, &unit, usize::from(g.area.width), theme.muted).0.saturating_add(2);
    }
    if chart.series.len() < 2 {
        return;
    }
    let mut spans = Vec::new();
    for (index, series) in chart.series.iter().enumerate() {
        let style = series_style(theme, index);
        spans.push(Span::styled(SWATCH, style));
        spans.push(Span::styled(series.label.as_str(), style));
        spans.push(Span::raw("  "));
    }
    let x = x.max(g.plot.x);
    let width = g.area.right().saturating_sub(x);
    buf.set_line(x, row, &Line::from(spans), width);
}

pub fn note(chart: &Chart, theme: &Theme, g: &Geometry, buf: &mut Buffer) {
    let (Some(row), Some(note)) = (g.note_row, &chart.note) else {
        return;
    };
    let width = usize::from(g.area.width);
    buf.set_stringn(g.area.x, row, truncate(note, width), width, theme.muted);
}

/// One line for an area too small for a chart: ALARM if the window had any, the first series'
/// last value, minimum and maximum, the threshold, then the title.
pub fn summary(chart: &Chart, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let unit = chart.unit.as_deref();
    let mut spans = Vec::new();
    if alarm_in_window(chart) {
        spans.push(Span::styled("ALARM", theme.chart_alarm));
        spans.push(Span::raw(" "));
    }
    let first = chart.series.first();
    if let Some(series) = first.filter(|_| chart.series.len() > 1) {
        spans.push(Span::styled(format!("{} ", series.label), series_style(theme, 0)));
    }
    match first.and_then(|s| stats(chart, s)) {
        Some(s) => {
            spans.push(Span::styled("last ", theme.muted));
            spans.push(Span::styled(with_unit(s.last, unit), theme.base));
            spans.push(Span::styled(" min ", theme.muted));
            spans.push(Span::styled(with_unit(s.min, unit), theme.base));
            spans.push(Span::styled(" max ", theme.muted));
            spans.push(Span::styled(with_unit(s.max, unit), theme.base));
        }
        None => spans.push(Span::styled("no data", theme.muted)),
    }
    if let Some(t) = chart.threshold.filter(|t| t.finite().is_some()) {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!("{} {}", t.comparison.symbol(), with_unit(t.value, unit)),
            theme.chart_threshold,
        ));
    }
    if !chart.title.is_empty() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(chart.title.as_str(), theme.muted));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}
