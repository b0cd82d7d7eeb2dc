//! The SageMaker endpoints pane: one row per production variant.

use super::places::{bare, place_cells, place_widths, with_place_columns};
use super::widgets::{pane_block, sparkline, status_line};
use crate::app::{rows, Pane, State};
use crate::domain::{Series, VariantMetrics};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let visible = rows::endpoint_rows(&state.fleet, &state.dashboard.endpoints_list);
    let mut extra = vec![];
    if let Some(f) = &state.dashboard.endpoints_list.filter {
        extra.push(Span::styled(format!("/{}/ ", f.text), theme.accent));
    }
    let block = pane_block(state, theme, Pane::Endpoints, extra);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let e = &state.fleet.endpoints;
    if let Some(line) = status_line(theme, e.data.is_some(), e.error.as_deref(), e.in_flight.is_some()) {
        frame.render_widget(Paragraph::new(line), inner);
        if e.data.is_none() || inner.height < 2 {
            return;
        }
    }
    let wide = inner.width >= 120;
    let height = usize::from(inner.height.saturating_sub(1));
    let metrics = state.fleet.endpoint_metrics.data.as_ref();
    let focused = state.dashboard.focus == Pane::Endpoints;
    let selected_endpoint = visible.get(state.dashboard.endpoints_list.selected).map(|r| r.endpoint);
    let places = place_widths(state.fleet.endpoints.data.iter().flatten().map(|e| e.name.as_str()));
    let mut previous: Option<usize> = None;
    let table_rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(state.dashboard.endpoints_list.offset)
        .take(height)
        .filter_map(|(_, row)| {
            let (endpoint, variant) = rows::endpoint_row_parts(&state.fleet, *row)?;
            let first = previous != Some(row.endpoint);
            previous = Some(row.endpoint);
            let status_style = match endpoint.status.as_str() {
                "InService" => theme.health_ok,
                "Failed" | "OutOfService" => theme.danger,
                _ => theme.info,
            };
            let vm = variant.and_then(|v| metrics?.get(&endpoint.name)?.get(&v.name));
            // The status shares the name's cell: names are long, and InService needs no words.
            // Model Monitor's newest run found violations: the model may no longer fit its data.
            let drift = state
                .fleet
                .endpoint_models
                .data
                .as_ref()
                .and_then(|m| m.get(&endpoint.name))
                .is_some_and(|m| m.drift());
            let name_cell = if !first {
                Cell::from("")
            } else {
                let mut spans = match endpoint.status.as_str() {
                    "InService" => vec![Span::styled(bare(&endpoint.name), status_style)],
                    other => vec![Span::raw(bare(&endpoint.name)), Span::styled(format!(" {other}"), status_style)],
                };
                if drift {
                    spans.push(Span::styled(" drift", theme.danger));
                }
                Cell::from(Line::from(spans))
            };
            let mut cells = vec![name_cell];
            if places.is_some() {
                let [account, region] = place_cells(state, theme, &endpoint.name);
                let blank = || Cell::from("");
                cells.splice(0..0, if first { [account, region] } else { [blank(), blank()] });
            }
            match variant {
                Some(v) => {
                    let inst_style =
                        if v.current_instances < v.desired_instances { theme.health_warn } else { theme.base };
                    cells.push(Cell::from(v.name.as_str()));
                    cells.push(Cell::from(Span::styled(
                        format!("{}/{}", v.current_instances, v.desired_instances),
                        inst_style,
                    )));
                    cells.push(Cell::from(format!("{:.1}", v.weight)));
                    cells.extend(metric_cells(theme, vm, wide));
                }
                None => cells.push(Cell::from(Span::styled("none", theme.muted))),
            }
            let mut r = Row::new(cells);
            if focused && selected_endpoint == Some(row.endpoint) {
                r = r.style(theme.selection);
            }
            Some(r)
        })
        .collect();
    let all = state.fleet.endpoints.data.as_deref().unwrap_or_default();
    let variant_w =
        all.iter().flat_map(|e| &e.variants).map(|v| v.name.chars().count()).max().unwrap_or(7).clamp(7, 24) as u16;
    let mut widths = vec![
        Constraint::Min(12),
        Constraint::Length(variant_w),
        Constraint::Length(5),
        Constraint::Length(4),
        Constraint::Length(if wide { 14 } else { 5 }),
        Constraint::Length(5),
        Constraint::Length(if wide { 14 } else { 6 }),
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Length(4),
        Constraint::Length(4),
    ];
    let mut titles = vec!["ENDPOINT", "VARIANT", "INST", "WT", "INV/m", "P50ms", "P99ms", "4XX", "5XX", "CPU", "GPU"];
    if let Some(places) = places {
        with_place_columns(&mut titles, &mut widths, places);
    }
    let header = Row::new(titles).style(theme.header);
    let area = if e.error.is_some() { Rect { y: inner.y + 1, height: inner.height - 1, ..inner } } else { inner };
    frame.render_widget(Table::new(table_rows, widths).header(header).column_spacing(1), area);
}

/// Counts and latencies are never negative; a noisy source must not print "-0".
fn latest(s: &Series) -> Option<f64> {
    s.latest().map(|v| v.max(0.0) + 0.0)
}

fn num(v: Option<f64>, style: Style, muted: Style, f: impl Fn(f64) -> String) -> Cell<'static> {
    match v {
        Some(v) => Cell::from(Span::styled(f(v), style)),
        None => Cell::from(Span::styled("-", muted)),
    }
}

fn metric_cells(theme: &Theme, m: Option<&VariantMetrics>, wide: bool) -> Vec<Cell<'static>> {
    let Some(m) = m else {
        return vec![Cell::from(Span::styled("…", theme.muted))];
    };
    let ms = |us: f64| format!("{:.0}", us / 1000.0);
    let p99 = latest(&m.latency_p99_us);
    let p99_style = match p99 {
        Some(us) if us >= 1_000_000.0 => theme.danger,
        Some(us) if us >= 500_000.0 => theme.health_warn,
        _ => theme.base,
    };
    let e5 = latest(&m.errors_5xx);
    let e5_style = if e5.unwrap_or(0.0) > 0.0 { theme.danger } else { theme.base };
    let invocations = if wide {
        let max = m.invocations.points.iter().flatten().copied().fold(0.0, f64::max);
        let spark = sparkline(&m.invocations, 8, max);
        Cell::from(Line::from(vec![
            Span::styled(spark, theme.chart),
            Span::raw(" "),
            Span::raw(latest(&m.invocations).map_or("-".into(), |v| format!("{v:.0}"))),
        ]))
    } else {
        num(latest(&m.invocations), theme.base, theme.muted, |v| format!("{v:.0}"))
    };
    let p99_cell = if wide {
        let max = m.latency_p99_us.points.iter().flatten().copied().fold(0.0, f64::max);
        Cell::from(Line::from(vec![
            Span::styled(sparkline(&m.latency_p99_us, 8, max), theme.chart_alt),
            Span::raw(" "),
            Span::styled(p99.map_or("-".into(), ms), p99_style),
        ]))
    } else {
        num(p99, p99_style, theme.muted, ms)
    };
    vec![
        invocations,
        num(latest(&m.latency_p50_us), theme.base, theme.muted, ms),
        p99_cell,
        num(latest(&m.errors_4xx), theme.base, theme.muted, |v| format!("{v:.0}")),
        num(e5, e5_style, theme.muted, |v| format!("{v:.0}")),
        num(latest(&m.cpu), theme.base, theme.muted, |v| format!("{v:.0}%")),
        num(m.gpu.as_ref().and_then(latest), theme.base, theme.muted, |v| format!("{v:.0}%")),
    ]
}
