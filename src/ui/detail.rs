//! A service's tasks, deployments and recent events (`enter` on a service).

use super::widgets::{age, health_label, pane_block, status_line};
use crate::app::{Pane, State};
use crate::domain::{load_balancer_dimension, target_group_dimension, Address, ServiceDetail, TargetState, TaskHealth};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(detail) = &state.dashboard.detail else { return };
    let title =
        vec![Span::styled(format!("{} ", detail.address), theme.accent), Span::styled("esc back ", theme.muted)];
    let block = pane_block(state, theme, Pane::Services, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(data) = &detail.data.data else {
        let line = status_line(theme, false, detail.data.error.as_deref(), true).unwrap_or_default();
        frame.render_widget(Paragraph::new(line), inner);
        return;
    };
    let task_rows = (data.tasks.len() as u16 + 1).min(inner.height / 2).max(2);
    let targets = target_lines(state, theme, &detail.address, data);
    let target_rows = u16::try_from(targets.len()).unwrap_or(u16::MAX).min(inner.height.saturating_sub(task_rows) / 2);
    let [tasks_area, targets_area, events_area] =
        Layout::vertical([Constraint::Length(task_rows), Constraint::Length(target_rows), Constraint::Min(0)])
            .areas(inner);
    frame.render_widget(Paragraph::new(targets), targets_area);

    let rows: Vec<Row> = data
        .tasks
        .iter()
        .map(|t| {
            let status_style = match t.last_status.as_str() {
                "RUNNING" => theme.health_ok,
                "STOPPED" => theme.muted,
                _ => theme.info,
            };
            let health_style = match t.health {
                TaskHealth::Healthy => theme.health_ok,
                TaskHealth::Unhealthy => theme.danger,
                TaskHealth::Unknown => theme.muted,
            };
            let reason_style = if t.stopped_reason.is_some() { theme.danger } else { theme.muted };
            Row::new(vec![
                ratatui::widgets::Cell::from(t.id.as_str()),
                Span::styled(t.last_status.as_str(), status_style).into(),
                Span::styled(health_label(t.health), health_style).into(),
                ratatui::widgets::Cell::from(format!(":{}", t.task_definition.revision)),
                Span::styled(t.ip.clone().unwrap_or_default(), theme.muted).into(),
                Span::styled(t.started_at.map_or("-".into(), |s| age(s, state.ctx.now)), theme.muted).into(),
                Span::styled(t.stopped_reason.as_deref().unwrap_or(""), reason_style).into(),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(14),
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Length(5),
        Constraint::Length(15),
        Constraint::Length(7),
        Constraint::Fill(1),
    ];
    let header = Row::new(["TASK", "STATUS", "HEALTH", "REV", "IP", "STARTED", "STOPPED REASON"]).style(theme.header);
    frame.render_widget(Table::new(rows, widths).header(header), tasks_area);

    let mut lines = Vec::new();
    if !data.revisions.is_empty() {
        // Which revisions exist to roll back to, the one running marked.
        let running: Vec<u32> =
            data.tasks.iter().filter(|t| t.last_status == "RUNNING").map(|t| t.task_definition.revision).collect();
        let mut spans = vec![Span::styled("REVISIONS ", theme.header)];
        for r in &data.revisions {
            let style = if running.contains(&r.revision) { theme.health_ok } else { theme.muted };
            spans.push(Span::styled(format!(" {}", r.revision), style));
        }
        spans.push(Span::styled(format!("   ({})", data.revisions[0].family), theme.muted));
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(Span::styled("EVENTS", theme.header)));
    for event in data.events.iter().take(usize::from(events_area.height)) {
        let style = if event.message.contains("fail") || event.message.contains("unhealthy") {
            theme.danger
        } else {
            theme.base
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>6} ", age(event.at, state.ctx.now)), theme.muted),
            Span::styled(event.message.as_str(), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), events_area);
}

/// Each target group the service is registered with: its health check, then every target with
/// its state, reason and the task it is (an IP target is the task with that IP).
fn target_lines<'a>(state: &'a State, theme: &Theme, address: &Address, data: &'a ServiceDetail) -> Vec<Line<'a>> {
    let Some(service) = state.fleet.services.data.iter().flatten().find(|s| s.address() == *address) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for arn in &service.target_groups {
        let Some(group) = state.fleet.target_health.data.as_ref().and_then(|k| k.get(arn)) else {
            lines.push(Line::from(vec![
                Span::styled("TARGET GROUP ", theme.header),
                Span::styled(target_group_dimension(arn).to_string(), theme.base),
                Span::styled("  reading…", theme.muted),
            ]));
            continue;
        };
        let listener = match (&group.protocol, group.port) {
            (Some(p), Some(port)) => format!("{p}:{port}"),
            _ => String::new(),
        };
        let balancers: Vec<&str> = group.load_balancers.iter().map(|l| load_balancer_dimension(l)).collect();
        lines.push(Line::from(vec![
            Span::styled("TARGET GROUP ", theme.header),
            Span::styled(format!("{} {listener}", group.name), theme.base),
            Span::styled(format!("  behind {}", balancers.join(", ")), theme.muted),
        ]));
        lines.push(Line::from(Span::styled(format!("  check {}", group.health_check.describe()), theme.muted)));
        if group.targets.is_empty() {
            lines.push(Line::from(Span::styled("  no targets registered", theme.danger)));
        }
        for t in &group.targets {
            let style = match &t.state {
                TargetState::Healthy => theme.health_ok,
                s if s.is_unhealthy() => theme.danger,
                TargetState::Initial => theme.info,
                _ => theme.muted,
            };
            let id = match t.port {
                Some(port) => format!("{}:{port}", t.id),
                None => t.id.clone(),
            };
            let task = data.tasks.iter().find(|k| k.ip.as_deref() == Some(t.id.as_str()) || k.id == t.id);
            let task = task.map_or("-".to_string(), |k| {
                let short: String = k.id.chars().take(12).collect();
                format!("task {short} :{} {}", k.task_definition.revision, k.last_status)
            });
            let why = match (&t.reason, &t.description) {
                (Some(r), Some(d)) => format!("{r} ({d})  "),
                (Some(r), None) => format!("{r}  "),
                _ => String::new(),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {id:<21} "), theme.base),
                Span::styled(format!("{:<18} ", t.state.as_str()), style),
                Span::styled(why, style),
                Span::styled(task, theme.muted),
            ]));
        }
    }
    lines
}
