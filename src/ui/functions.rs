//! The Lambda functions pane: one row per function (its detail in the same place while open).

use super::function_detail;
use super::places::{bare, place_cells, place_widths, with_place_columns};
use super::widgets::{age, pane_block, sparkline, status_line};
use crate::app::{function_rows, Pane, State};
use crate::domain::{Function, FunctionMetrics, Series};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    if state.dashboard.functions.detail.is_some() {
        return function_detail::render(state, theme, frame, area);
    }
    let list = &state.dashboard.functions.list;
    let mut extra = vec![];
    if let Some(f) = &list.filter {
        extra.push(Span::styled(format!("/{}/ ", f.text), theme.accent));
    }
    let filter = &state.ctx.settings.function_filter;
    if !filter.is_empty() {
        let mut kept: Vec<String> = filter.prefixes.iter().map(|p| format!("{p}*")).collect();
        kept.extend(filter.tags.iter().map(|(k, v)| format!("{k}={v}")));
        extra.push(Span::styled(format!("{} ", kept.join(" ")), theme.muted));
    }
    let block = pane_block(state, theme, Pane::Functions, extra);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let f = &state.fleet.functions;
    if let Some(line) = status_line(theme, f.data.is_some(), f.error.as_deref(), f.in_flight.is_some()) {
        frame.render_widget(Paragraph::new(line), inner);
        if f.data.is_none() || inner.height < 2 {
            return;
        }
    }
    let functions = f.data.as_deref().unwrap_or_default();
    if functions.is_empty() {
        let why = if filter.is_empty() { "no functions in this region" } else { "no function matches [functions]" };
        frame.render_widget(Paragraph::new(Span::styled(why, theme.muted)), inner);
        return;
    }
    // The name is what an engineer reads first: the runtime and the sparklines (invocations first,
    // then throttles) only where they fit beside a whole name.
    let wide = Wide { runtime: inner.width >= 110, invocations: inner.width >= 124, throttles: inner.width >= 138 };
    let height = usize::from(inner.height.saturating_sub(1));
    let metrics = state.fleet.function_metrics.data.as_ref();
    let focused = state.dashboard.focus == Pane::Functions;
    let places = place_widths(functions.iter().map(|f| f.name.as_str()));
    let table_rows: Vec<Row> = function_rows(&state.fleet, list)
        .into_iter()
        .enumerate()
        .skip(list.offset)
        .take(height)
        .map(|(row, i)| {
            let function = &functions[i];
            let m = metrics.and_then(|m| m.get(&function.name));
            let mut row_cells = cells(state, theme, function, m, wide);
            if places.is_some() {
                row_cells.splice(0..0, place_cells(state, theme, &function.name));
            }
            let mut r = Row::new(row_cells);
            if focused && row == list.selected {
                r = r.style(theme.selection);
            }
            r
        })
        .collect();
    // The name takes what the fixed columns leave.
    let mut widths = vec![Constraint::Min(16)];
    let mut titles = vec!["FUNCTION"];
    if wide.runtime {
        widths.push(Constraint::Length(10));
        titles.push("RUNTIME");
    }
    let spark = |on: bool| Constraint::Length(if on { 14 } else { 5 });
    widths.extend([
        Constraint::Length(5),
        Constraint::Length(8),
        spark(wide.invocations),
        Constraint::Length(4),
        spark(wide.throttles),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(4),
    ]);
    titles.extend(["MEM", "CONC/RES", "INV/m", "ERR", "THR/m", "P50ms", "P99ms", "QUEUE", "MOD"]);
    if let Some(places) = places {
        with_place_columns(&mut titles, &mut widths, places);
    }
    let header = Row::new(titles).style(theme.header);
    let area = if f.error.is_some() { Rect { y: inner.y + 1, height: inner.height - 1, ..inner } } else { inner };
    frame.render_widget(Table::new(table_rows, widths).header(header).column_spacing(1), area);
}

/// Counts and durations are never negative; a noisy source must not print "-0".
fn latest(s: &Series) -> Option<f64> {
    s.latest().map(|v| v.max(0.0) + 0.0)
}

fn num(v: Option<f64>, style: Style, muted: Style) -> Cell<'static> {
    match v {
        Some(v) => Cell::from(Span::styled(format!("{v:.0}"), style)),
        None => Cell::from(Span::styled("-", muted)),
    }
}

/// A sparkline of the last hour and the latest value, or just the value when narrow.
fn spark_cell(series: &Series, style: Style, value_style: Style, muted: Style, wide: bool) -> Cell<'static> {
    if !wide {
        return num(latest(series), value_style, muted);
    }
    let max = series.points.iter().flatten().copied().fold(0.0, f64::max);
    Cell::from(Line::from(vec![
        Span::styled(sparkline(series, 8, max), style),
        Span::raw(" "),
        Span::styled(latest(series).map_or("-".into(), |v| format!("{v:.0}")), value_style),
    ]))
}

/// Which optional columns fit.
#[derive(Debug, Clone, Copy)]
struct Wide {
    runtime: bool,
    invocations: bool,
    throttles: bool,
}

fn cells(state: &State, theme: &Theme, f: &Function, m: Option<&FunctionMetrics>, wide: Wide) -> Vec<Cell<'static>> {
    let stopped = f.reserved_concurrency == Some(0);
    let mut cells =
        vec![Cell::from(Span::styled(bare(&f.name).to_string(), if stopped { theme.danger } else { theme.base }))];
    if wide.runtime {
        cells.push(Cell::from(Span::styled(f.runtime.clone().unwrap_or_else(|| "image".into()), theme.muted)));
    }
    cells.push(Cell::from(f.memory_mb.map_or("-".into(), |mb| format!("{mb}"))));
    let concurrent = m.and_then(|m| latest(&m.concurrent));
    // At the reserved limit the function throttles: the number an engineer raises is the one to see.
    let at_limit = matches!((concurrent, f.reserved_concurrency), (Some(c), Some(r)) if c >= f64::from(r));
    let reserved = match f.reserved_concurrency {
        Some(n) => n.to_string(),
        None => "none".into(),
    };
    let conc_text = format!("{}/{reserved}", concurrent.map_or("-".into(), |c| format!("{c:.0}")));
    let conc_style = if stopped || at_limit { theme.danger } else { theme.base };
    cells.push(Cell::from(Span::styled(conc_text, conc_style)));
    let Some(m) = m else {
        cells.push(Cell::from(Span::styled("…", theme.muted)));
        return cells;
    };
    let errors = latest(&m.errors);
    let err_style = if errors.unwrap_or(0.0) > 0.0 { theme.danger } else { theme.base };
    let throttles = latest(&m.throttles);
    let thr_style = if throttles.unwrap_or(0.0) > 0.0 { theme.danger } else { theme.base };
    let p99 = latest(&m.duration_p99_ms);
    let near_timeout = match (p99, f.timeout_secs) {
        (Some(ms), Some(t)) => ms >= f64::from(t) * 800.0,
        _ => false,
    };
    let depth: Option<f64> = m.queue_depth.values().filter_map(latest).reduce(|a, b| a + b);
    let depth_style = if depth.unwrap_or(0.0) >= 100.0 { theme.health_warn } else { theme.base };
    cells.extend([
        spark_cell(&m.invocations, theme.chart, theme.base, theme.muted, wide.invocations),
        num(errors, err_style, theme.muted),
        spark_cell(&m.throttles, theme.chart_alt, thr_style, theme.muted, wide.throttles),
        num(latest(&m.duration_p50_ms), theme.base, theme.muted),
        num(p99, if near_timeout { theme.danger } else { theme.base }, theme.muted),
        match (f.queues().next(), depth) {
            (None, _) => Cell::from(Span::styled("", theme.muted)),
            (Some(_), d) => num(d, depth_style, theme.muted),
        },
        Cell::from(Span::styled(f.last_modified.map_or("-".into(), |t| age(t, state.ctx.now)), theme.muted)),
    ]);
    cells
}
