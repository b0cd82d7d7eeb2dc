//! A service's tasks, deployments and recent events (`enter` on a service).

use super::widgets::{age, health_label, pane_block, status_line};
use crate::app::{Pane, State};
use crate::domain::TaskHealth;
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
    let [tasks_area, events_area] = Layout::vertical([Constraint::Length(task_rows), Constraint::Min(0)]).areas(inner);

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
        Constraint::Length(7),
        Constraint::Fill(1),
    ];
    let header = Row::new(["TASK", "STATUS", "HEALTH", "REV", "STARTED", "STOPPED REASON"]).style(theme.header);
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
