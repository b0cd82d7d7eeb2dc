//! An endpoint's detail (`enter` on an endpoint): per variant the model it serves (container
//! image, model data, the registry package and whether a newer one is approved), and Model
//! Monitor's latest runs.

use super::widgets::{age, pane_block, status_line};
use crate::app::{Pane, State};
use crate::domain::{EndpointModels, ModelContainer};
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(open) = &state.dashboard.endpoint_detail else { return };
    let title =
        vec![Span::styled(format!("sm:{} ", open.endpoint), theme.accent), Span::styled("esc back ", theme.muted)];
    let block = pane_block(state, theme, Pane::Endpoints, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let read = &state.fleet.endpoint_models;
    let Some(models) = read.data.as_ref().and_then(|m| m.get(&open.endpoint)) else {
        let line = status_line(theme, false, read.error.as_deref(), true).unwrap_or_default();
        frame.render_widget(Paragraph::new(line), inner);
        return;
    };
    let mut lines = Vec::new();
    if let Some(e) = state.fleet.endpoints.data.iter().flatten().find(|e| e.name == open.endpoint) {
        let status_style = if e.status == "InService" { theme.health_ok } else { theme.health_warn };
        lines.push(Line::from(vec![
            Span::styled("status      ", theme.muted),
            Span::styled(e.status.as_str(), status_style),
        ]));
    }
    // The newest monitoring run first: a drift is the news, and the pane is short.
    lines.extend(latest_runs(state, theme, models));
    lines.extend(model_lines(state, theme, models));
    lines.extend(monitoring_lines(state, theme, models));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn run_style(theme: &Theme, status: &str) -> ratatui::style::Style {
    match status {
        "CompletedWithViolations" | "Failed" => theme.danger,
        "Completed" => theme.health_ok,
        _ => theme.info,
    }
}

fn latest_runs<'a>(state: &State, theme: &Theme, models: &'a EndpointModels) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for s in &models.monitoring {
        let Some(run) = s.latest() else { continue };
        let when = run.scheduled.map_or(String::new(), |t| format!(" {} ago", age(t, state.ctx.now)));
        let mut spans = vec![
            Span::styled("monitor     ", theme.muted),
            Span::raw(format!("{}: ", s.name)),
            Span::styled(run.status.as_str(), run_style(theme, &run.status)),
            Span::styled(when, theme.muted),
        ];
        if let Some(report) = run.report.as_deref().filter(|_| run.violations()) {
            spans.push(Span::raw(format!("  {report}")));
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn model_lines<'a>(state: &State, theme: &Theme, models: &'a EndpointModels) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for v in &models.variants {
        lines.push(Line::from(vec![
            Span::styled(format!("variant {}", v.variant), theme.header),
            Span::raw("  model "),
            Span::styled(v.model_name.as_str(), theme.accent),
        ]));
        for c in &v.containers {
            lines.extend(container_lines(state, theme, c));
        }
    }
    if models.variants.is_empty() {
        lines.push(Line::from(Span::styled("no variants read", theme.muted)));
    }
    lines
}

fn container_lines<'a>(state: &State, theme: &Theme, c: &'a ModelContainer) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::from(vec![Span::styled("  image     ", theme.muted), Span::raw(c.image.as_deref().unwrap_or("-"))]),
        Line::from(vec![
            Span::styled("  data      ", theme.muted),
            Span::raw(c.model_data_url.as_deref().unwrap_or("-")),
        ]),
    ];
    match &c.package {
        Some(p) => {
            let approval_style = if p.approval == "Approved" { theme.health_ok } else { theme.health_warn };
            let when =
                p.approved_at.or(p.created).map_or(String::new(), |t| format!("  {} ago", age(t, state.ctx.now)));
            lines.push(Line::from(vec![
                Span::styled("  package   ", theme.muted),
                Span::raw(format!(
                    "{} v{} ",
                    p.group.as_deref().unwrap_or("?"),
                    p.version.map_or("?".into(), |v| v.to_string())
                )),
                Span::styled(p.approval.as_str(), approval_style),
                Span::styled(when, theme.muted),
            ]));
        }
        None => lines.push(Line::from(Span::styled("  package   none (not from the Model Registry)", theme.muted))),
    }
    if let Some(newer) = &c.newer_approved {
        let when =
            newer.approved_at.or(newer.created).map_or(String::new(), |t| format!(", {} ago", age(t, state.ctx.now)));
        lines.push(Line::from(vec![
            Span::styled("  newer     ", theme.muted),
            Span::styled(format!("{} is approved{when}, not deployed", newer.describe()), theme.health_warn),
        ]));
    }
    lines
}

fn monitoring_lines<'a>(state: &State, theme: &Theme, models: &'a EndpointModels) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from(Span::styled("Model Monitor runs (z zooms)", theme.header))];
    if models.monitoring.is_empty() {
        lines.push(Line::from(Span::styled("  no monitoring schedule", theme.muted)));
    }
    for s in &models.monitoring {
        lines.push(Line::from(vec![
            Span::raw(format!("  {} ", s.name)),
            Span::styled(format!("{} {}", s.kind.as_deref().unwrap_or(""), s.status), theme.muted),
        ]));
        for run in s.executions.iter().take(5) {
            let style = run_style(theme, &run.status);
            let when = run.scheduled.map_or("-".into(), |t| format!("{} ago", age(t, state.ctx.now)));
            let mut spans =
                vec![Span::styled(format!("    {when:<10} "), theme.muted), Span::styled(run.status.as_str(), style)];
            if let Some(report) = run.report.as_deref().filter(|_| run.violations()) {
                spans.push(Span::raw(format!("  report {report}")));
            }
            if let Some(why) = &run.failure {
                spans.push(Span::styled(format!("  {why}"), theme.danger));
            }
            lines.push(Line::from(spans));
        }
    }
    lines
}
