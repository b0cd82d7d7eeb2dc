//! The ECS services pane: one row per service, or the tasks and events of one service.

use super::places::{bare, place_cells, place_errors_line, place_widths, with_place_columns};
use super::widgets::{age, pane_block, sparkline, status_line, truncate};
use crate::app::{rows, Pane, State};
use crate::domain::{summary, RolloutState, Service, ServiceMetrics};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

const SPARK: usize = 8;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let visible = rows::service_rows(&state.fleet, &state.dashboard.services_list);
    let total = state.fleet.services.data.as_ref().map_or(0, Vec::len);
    let mut extra = vec![Span::styled(format!("{}/{} ", visible.len(), total), theme.muted)];
    if let Some(f) = &state.dashboard.services_list.filter {
        extra.push(Span::styled(format!("/{}/ ", f.text), theme.accent));
    }
    let block = pane_block(state, theme, Pane::Services, extra);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let line = status_line(
        theme,
        state.fleet.services.data.is_some(),
        state.fleet.services.error.as_deref(),
        state.fleet.services.in_flight.is_some(),
    );
    // A fleet session: an account that could not be read is said above the rows (its own keep
    // their last values, marked ✗).
    if let Some(line) = line.or_else(|| state.fleet.services.data.as_ref().and(place_errors_line(state, theme))) {
        let [msg, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        frame.render_widget(Paragraph::new(line), msg);
        if state.fleet.services.data.is_none() {
            return;
        }
        return table(state, theme, frame, rest, &visible);
    }
    table(state, theme, frame, inner, &visible);
}

fn table(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, visible: &[usize]) {
    let Some(services) = state.fleet.services.data.as_ref() else { return };
    // Services of two clusters may share names: with more than one cluster the cluster column
    // is shown, and the sparklines give way for it until the pane is wide enough for both.
    let places = place_widths(services.iter().map(|s| s.cluster.as_str()));
    let multi_cluster = services.iter().any(|s| bare(&s.cluster) != bare(&services[0].cluster));
    let with_cluster = area.width >= 130 || (multi_cluster && area.width >= 60);
    let wide = area.width >= 88 && (!with_cluster || area.width >= 120);
    let height = usize::from(area.height.saturating_sub(1));
    let list = &state.dashboard.services_list;
    let metrics = state.fleet.service_metrics.data.as_ref();
    let focused = state.dashboard.focus == Pane::Services;
    let rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(list.offset)
        .take(height)
        .map(|(row, &i)| {
            let s = &services[i];
            let m = metrics.and_then(|m| m.get(&s.address()));
            let mut r = service_row(state, theme, s, m, wide, with_cluster, places.is_some());
            if focused && row == list.selected {
                r = r.style(theme.selection);
            }
            r
        })
        .collect();
    let mut header = vec!["SERVICE", "TASKS", "TARGETS", "ROLLOUT", "REV", "CPU", "MEM", "DEPLOYED"];
    let mut widths = vec![
        Constraint::Fill(2),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(11),
        Constraint::Length(5),
        Constraint::Length(if wide { SPARK as u16 + 5 } else { 4 }),
        Constraint::Length(if wide { SPARK as u16 + 5 } else { 4 }),
        Constraint::Length(8),
    ];
    if with_cluster {
        header.insert(0, "CLUSTER");
        widths.insert(0, Constraint::Fill(if area.width >= 130 { 2 } else { 1 }));
    }
    if let Some(places) = places {
        with_place_columns(&mut header, &mut widths, places);
    }
    let table = Table::new(rows, widths).header(Row::new(header).style(theme.header)).column_spacing(1);
    frame.render_widget(table, area);
}

fn rollout_style(theme: &Theme, s: &Service) -> ratatui::style::Style {
    match s.rollout {
        RolloutState::Failed => theme.danger,
        RolloutState::InProgress => theme.info,
        _ if s.running < s.desired => theme.health_warn,
        _ => theme.health_ok,
    }
}

fn metric_cell<'a>(theme: &Theme, series: Option<&crate::domain::Series>, wide: bool) -> Cell<'a> {
    let latest = series.and_then(|s| s.latest());
    let value = latest.map_or("  - ".to_string(), |v| format!("{v:>3.0}%"));
    let style = match latest {
        Some(v) if v >= 90.0 => theme.danger,
        Some(v) if v >= 75.0 => theme.health_warn,
        Some(_) => theme.base,
        None => theme.muted,
    };
    if !wide {
        return Cell::from(Span::styled(value, style));
    }
    let spark = series.map_or_else(|| " ".repeat(SPARK), |s| sparkline(s, SPARK, 100.0));
    Cell::from(Line::from(vec![Span::styled(spark, theme.chart), Span::raw(" "), Span::styled(value, style)]))
}

fn service_row<'a>(
    state: &State,
    theme: &Theme,
    s: &'a Service,
    m: Option<&ServiceMetrics>,
    wide: bool,
    with_cluster: bool,
    placed: bool,
) -> Row<'a> {
    let tasks_style = if s.running < s.desired { theme.health_warn } else { theme.base };
    let mut tasks = format!("{}/{}", s.running, s.desired);
    if s.pending > 0 {
        tasks.push_str(&format!(" +{}", s.pending));
    }
    let mut cells = vec![
        Cell::from(s.name.as_str()),
        Cell::from(Span::styled(tasks, tasks_style)),
        targets_cell(state, theme, s),
        Cell::from(Span::styled(s.rollout.as_str(), rollout_style(theme, s))),
        Cell::from(revision(s)),
        metric_cell(theme, m.map(|m| &m.cpu), wide),
        metric_cell(theme, m.map(|m| &m.memory), wide),
        Cell::from(Span::styled(
            s.last_deployment_at.map_or("-".to_string(), |at| age(at, state.ctx.now)),
            theme.muted,
        )),
    ];
    if with_cluster {
        cells.insert(0, Cell::from(Span::styled(truncate(bare(&s.cluster), 40), theme.muted)));
    }
    if placed {
        cells.splice(0..0, place_cells(state, theme, &s.cluster));
    }
    Row::new(cells)
}

/// Healthy targets out of those serving (`3/3`; `1/3 ✗` when a target fails its health checks),
/// blank for a service behind no load balancer, `·` until its target groups are read.
fn targets_cell<'a>(state: &State, theme: &Theme, s: &Service) -> Cell<'a> {
    if s.target_groups.is_empty() {
        return Cell::from("");
    }
    let groups: Vec<_> = state.fleet.target_groups_of(s).collect();
    if groups.is_empty() {
        return Cell::from(Span::styled("·", theme.muted));
    }
    let (healthy, total, failing) = summary(groups);
    let (text, style) = match (failing, healthy < total) {
        (true, _) => (format!("{healthy}/{total} ✗"), theme.danger),
        (false, true) => (format!("{healthy}/{total}"), theme.health_warn),
        (false, false) => (format!("{healthy}/{total}"), theme.health_ok),
    };
    Cell::from(Span::styled(text, style))
}

/// The revision, or "old→new" while a deployment replaces one revision with another.
fn revision(s: &Service) -> String {
    let primary = s.task_definition.revision;
    match s.deployments.iter().find(|d| d.status != "PRIMARY" && d.task_definition.revision != primary) {
        Some(old) => format!("{}→{}", old.task_definition.revision, primary),
        None => primary.to_string(),
    }
}
