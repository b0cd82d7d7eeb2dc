//! A function's detail (`enter` on a function): configuration, what feeds it, its versions and
//! aliases with their weights, and the *names* of its environment variables (never the values:
//! they are often secrets, and a screen is easily shared).

use super::widgets::{age, pane_block, status_line};
use crate::app::{Pane, State};
use crate::domain::{FunctionDetail, FunctionMetrics};
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(detail) = &state.dashboard.functions.detail else { return };
    let title =
        vec![Span::styled(format!("lambda:{} ", detail.name), theme.accent), Span::styled("esc back ", theme.muted)];
    let block = pane_block(state, theme, Pane::Functions, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(data) = &detail.data.data else {
        let line = status_line(theme, false, detail.data.error.as_deref(), true).unwrap_or_default();
        frame.render_widget(Paragraph::new(line), inner);
        return;
    };
    let metrics = state.fleet.function_metrics.data.as_ref().and_then(|m| m.get(&detail.name));
    let lines = lines(state, theme, data, metrics);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn label<'a>(theme: &Theme, text: &'a str) -> Span<'a> {
    Span::styled(format!("{text:<12}"), theme.muted)
}

fn lines<'a>(state: &State, theme: &Theme, d: &'a FunctionDetail, metrics: Option<&FunctionMetrics>) -> Vec<Line<'a>> {
    let f = &d.function;
    let now = state.ctx.now;
    let mut config = vec![
        f.runtime.clone().unwrap_or_else(|| "container image".into()),
        f.memory_mb.map_or("memory ?".into(), |m| format!("{m} MB")),
        f.timeout_secs.map_or("timeout ?".into(), |t| format!("timeout {t} s")),
    ];
    config.extend(d.handler.as_ref().map(|h| format!("handler {h}")));
    config.extend(f.last_modified.map(|t| format!("modified {} ago", age(t, now))));
    let reserved_style = if f.reserved_concurrency == Some(0) { theme.danger } else { theme.base };
    let mut lines = vec![
        Line::from(vec![label(theme, "config"), Span::raw(config.join("  "))]),
        Line::from(vec![
            label(theme, "reserved"),
            Span::styled(f.reserved_text(), reserved_style),
            Span::styled("   s sets or removes it (0 stops every invocation)", theme.muted),
        ]),
    ];
    if f.event_sources.is_empty() {
        lines.push(Line::from(vec![label(theme, "fed by"), Span::styled("no event-source mapping", theme.muted)]));
    }
    for source in &f.event_sources {
        let what = source.queue_name().map_or(source.source_arn.clone(), |q| format!("SQS {q}"));
        let depth = source
            .queue_name()
            .and_then(|q| metrics?.queue_depth.get(q)?.latest())
            .map_or(String::new(), |d| format!("  {d:.0} waiting"));
        let state_style = if source.state == "Enabled" { theme.health_ok } else { theme.health_warn };
        lines.push(Line::from(vec![
            label(theme, "fed by"),
            Span::raw(format!("{what}  ")),
            Span::styled(source.state.as_str(), state_style),
            Span::raw(source.batch_size.map_or(String::new(), |b| format!("  batch {b}"))),
            Span::styled(depth, theme.health_warn),
        ]));
    }
    let aliases: Vec<String> = d.aliases.iter().map(|a| a.describe()).collect();
    let aliases = if aliases.is_empty() { "none".to_string() } else { aliases.join("   ") };
    lines.push(Line::from(vec![label(theme, "aliases"), Span::raw(aliases)]));
    let versions: Vec<String> = d
        .versions
        .iter()
        .rev()
        .take(4)
        .map(|v| {
            let mut about: Vec<String> = v.last_modified.map(|t| format!("{} ago", age(t, now))).into_iter().collect();
            about.extend(v.description.clone().filter(|t| !t.is_empty()));
            format!("{} ({})", v.version, about.join(", "))
        })
        .collect();
    lines.push(Line::from(vec![label(theme, "versions"), Span::raw(versions.join("  "))]));
    let names = if d.environment.is_empty() { "none".to_string() } else { d.environment.join("  ") };
    lines.push(Line::from(vec![
        label(theme, "environment"),
        Span::raw(names),
        Span::styled("  (names only)", theme.muted),
    ]));
    if let Some(text) = d.description.as_deref().filter(|t| !t.is_empty()) {
        lines.push(Line::from(vec![label(theme, "description"), Span::raw(text)]));
    }
    lines.push(Line::from(Span::styled(
        format!("errors of {} in the log pane below · i invoke with the test event · m chart", f.log_group),
        theme.muted,
    )));
    lines
}
