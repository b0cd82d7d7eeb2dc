//! Cost: today, month to date and forecast against the budget, then bars per AWS service and per
//! system. Bars read faster than columns of numbers at 3 a.m.

use super::widgets::{age, hbar, pane_block, sparkline, status_line, truncate, usd};
use crate::app::{Pane, State};
use crate::domain::CostReport;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let c = &state.fleet.cost;
    let extra = match (&c.data, c.fetched_at) {
        (Some(report), _) => {
            vec![Span::styled(format!("as of {} ago ", age(report.as_of, state.ctx.now)), theme.muted)]
        }
        _ => vec![],
    };
    let block = pane_block(state, theme, Pane::Cost, extra);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = Vec::new();
    if let Some(line) = status_line(theme, c.data.is_some(), c.error.as_deref(), c.in_flight.is_some()) {
        lines.push(line);
    }
    if let Some(report) = &c.data {
        lines.extend(report_lines(report, theme, usize::from(inner.width)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn report_lines<'a>(r: &'a CostReport, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let mut totals = vec![
        Span::styled("today ", theme.muted),
        Span::styled(usd(r.today), theme.base),
        Span::styled("  month ", theme.muted),
        Span::styled(usd(r.month_to_date), theme.base),
        Span::styled("  forecast ", theme.muted),
        Span::styled(usd(r.forecast), forecast_style(theme, r.forecast, r.budget)),
    ];
    // Where the backend knows the present rate (the simulated fleet), a teardown shows at once.
    if let Some(hourly) = r.hourly {
        totals.push(Span::styled("  now ", theme.muted));
        totals.push(Span::styled(format!("{}/h", usd(hourly)), theme.base));
    }
    let mut lines = vec![Line::from(totals)];
    if let Some(budget) = r.budget {
        lines.push(budget_gauge(theme, r.month_to_date, r.forecast, budget, width));
    }
    if !r.daily.is_empty() {
        // One bar per day this month: a jump in spend stands out before the totals do.
        let totals: Vec<Option<f64>> =
            r.daily.iter().map(|d| Some(d.by_service.iter().map(|(_, v)| v).sum())).collect();
        let max = totals.iter().flatten().copied().fold(0.0, f64::max);
        let series = crate::domain::Series { points: totals };
        let days = width.saturating_sub(12).min(series.points.len());
        lines.push(Line::from(vec![
            Span::styled("daily      ", theme.muted),
            Span::styled(sparkline(&series, days, max), theme.chart),
        ]));
    }
    let name_w = (width / 3).clamp(8, 28);
    let bar_w = width.saturating_sub(name_w + 10).max(1);
    let max = r.by_service.first().map_or(0.0, |(_, v)| *v);
    lines.push(Line::from(Span::styled("by service, month to date", theme.header)));
    for (name, value) in &r.by_service {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<name_w$} ", truncate(short_service(name), name_w)), theme.base),
            Span::styled(format!("{:<bar_w$}", hbar(*value, max, bar_w)), theme.chart),
            Span::styled(format!(" {:>8}", usd(*value)), theme.muted),
        ]));
    }
    lines.push(Line::from(Span::styled("by system: month to date, forecast, budget", theme.header)));
    for s in &r.by_system {
        let style = forecast_style(theme, s.forecast, s.budget);
        let scale = s.budget.unwrap_or(s.forecast).max(s.forecast).max(0.01);
        let mut spans = vec![
            Span::styled(format!("{:<name_w$} ", truncate(&s.system, name_w)), theme.base),
            Span::styled(format!("{:<bar_w$}", hbar(s.month_to_date, scale, bar_w)), theme.chart),
            Span::styled(format!(" {:>8}", usd(s.month_to_date)), theme.muted),
        ];
        let budget = s.budget.map_or(String::new(), |b| format!(" → {} / {}", usd(s.forecast), usd(b)));
        spans.push(Span::styled(budget, style));
        lines.push(Line::from(spans));
    }
    lines
}

fn forecast_style(theme: &Theme, forecast: f64, budget: Option<f64>) -> ratatui::style::Style {
    match budget {
        Some(b) if forecast > b => theme.over_budget,
        Some(b) if forecast > 0.8 * b => theme.health_warn,
        _ => theme.base,
    }
}

/// `[█████▒▒▒   |  ]`: spent so far, then forecast, with the budget as a marker.
fn budget_gauge<'a>(theme: &Theme, mtd: f64, forecast: f64, budget: f64, width: usize) -> Line<'a> {
    let label = format!(" budget {} ({:.0}%)", usd(budget), 100.0 * forecast / budget.max(0.01));
    let bar_w = width.saturating_sub(label.chars().count() + 2).max(4);
    let scale = budget.max(forecast).max(0.01);
    let cell = |v: f64| ((v / scale) * bar_w as f64).round() as usize;
    let (spent, projected, mark) =
        (cell(mtd).min(bar_w), cell(forecast).min(bar_w), cell(budget).min(bar_w.saturating_sub(1)));
    let mut spans = vec![Span::styled("[", theme.muted)];
    for i in 0..bar_w {
        let (ch, style) = if i == mark {
            ('|', theme.budget_line)
        } else if i < spent {
            ('█', theme.chart)
        } else if i < projected {
            ('▒', if forecast > budget { theme.over_budget } else { theme.chart_alt })
        } else {
            (' ', theme.muted)
        };
        spans.push(Span::styled(ch.to_string(), style));
    }
    spans.push(Span::styled("]", theme.muted));
    spans.push(Span::styled(label, if forecast > budget { theme.over_budget } else { theme.muted }));
    Line::from(spans)
}

/// Cost Explorer's names are long; the pane is not.
fn short_service(name: &str) -> &str {
    name.strip_prefix("Amazon ").or_else(|| name.strip_prefix("AWS ")).unwrap_or(name)
}
