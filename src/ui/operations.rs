//! The operations strip: every action applied this session, followed to its end, above the
//! status bar. Two lines each: where it is, and the newest thing ECS or SageMaker said.

use super::widgets::{age, truncate};
use crate::app::{shown_operations, State};
use crate::ops::WatchState;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width.saturating_sub(2));
    let mut lines = Vec::new();
    for op in shown_operations(&state.ops, state.ctx.now, state.ctx.speed()) {
        let plan = &op.executed.plan;
        let (mark, style, status) = match op.watch.as_ref().map(|w| &w.state) {
            _ if op.proceeding => ("⟳", theme.health_warn, "next stage".to_string()),
            None if op.finished_at.is_none() => ("⟳", theme.health_warn, "in progress".to_string()),
            None => ("✓", theme.health_ok, "done".to_string()),
            Some(WatchState::Running) => ("⟳", theme.health_warn, "in progress".to_string()),
            Some(WatchState::Settled) => ("✓", theme.health_ok, "done".to_string()),
            Some(WatchState::Failed(_)) => ("✗", theme.health_bad, "FAILED".to_string()),
            Some(WatchState::TimedOut) => ("?", theme.health_warn, "stopped watching".to_string()),
        };
        let started = op.watch.as_ref().map_or(state.ctx.now, |w| w.started_at);
        let progress = op.watch.as_ref().map(|w| w.progress.clone()).unwrap_or_default();
        let stage = op.executed.stage_label();
        let stage = if stage.is_empty() { String::new() } else { format!("stage {stage} · ") };
        let head = format!("{} · {stage}{status} · {} ago · ", plan.headline(), age(started, state.ctx.now));
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(truncate(&head, width.saturating_sub(2)), theme.base),
            Span::styled(truncate(&progress, width.saturating_sub(head.chars().count() + 2)), theme.muted),
        ]));
        let detail = match op.watch.as_ref().map(|w| (&w.state, w.events.last())) {
            Some((WatchState::Failed(why), _)) => Span::styled(truncate(&format!("  {why}"), width), theme.danger),
            Some((_, Some(event))) => Span::styled(truncate(&format!("  {event}"), width), theme.muted),
            _ => Span::styled(truncate(&format!("  audit {}", op.executed.id), width), theme.muted),
        };
        lines.push(Line::from(detail));
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(Span::styled(" Operations ", theme.title))
        .style(theme.base);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
