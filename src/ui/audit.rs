//! The audit view (`:audit`): actions newest first, the selected one's command, identity and undo.
//! In team mode, every operator's actions with an OPERATOR column (`user@host` and the caller
//! ARN's last part), or this bastion's, with why, while the team table cannot be read.

use super::widgets::{centered, truncate};
use crate::app::AuditView;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

pub fn render(view: &AuditView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let popup = centered(area, area.width.saturating_sub(4).min(140), area.height.saturating_sub(2));
    let width = usize::from(popup.width.saturating_sub(2));
    // Team mode: who acted is the operator (user@host and the ARN's last part), wider. Without
    // the table, a line says so (one row less for the entries).
    let team = view.table.is_some() && view.shared_error.is_none();
    let noted = usize::from(view.table.is_some() && view.shared_error.is_some());
    let rows = usize::from(popup.height.saturating_sub(4)).saturating_sub(noted).max(1);
    let (resource_w, who_w, who_head) = if team { (36, 34, "operator") } else { (44, 14, "who") };
    let mut lines = vec![Line::from(Span::styled(
        truncate(
            &format!("{:<21} {:<9} {:<resource_w$} {:<who_w$} outcome", "id", "action", "resource", who_head),
            width,
        ),
        theme.header,
    ))];
    if let (Some(table), Some(e)) = (&view.table, &view.shared_error) {
        let note = format!("⚠ team table {table} unreachable ({e}): this bastion's actions only");
        lines.push(Line::from(Span::styled(truncate(&note, width), theme.health_warn)));
    }
    if view.loading {
        lines.push(Line::from(Span::styled("reading the audit log…", theme.muted)));
    }
    if let Some(e) = &view.error {
        lines.push(Line::from(Span::styled(format!("⚠ {e}"), theme.danger)));
    }
    if !view.loading && view.entries.is_empty() && view.error.is_none() {
        lines.push(Line::from(Span::styled("no actions recorded yet", theme.muted)));
    }
    let offset = view.selected.saturating_sub(rows.saturating_sub(3));
    for (i, e) in view.entries.iter().enumerate().skip(offset).take(rows.saturating_sub(2)) {
        let who = if team {
            let tail = e.who.arn.rsplit(':').next().unwrap_or_default();
            format!("{} {tail}", e.who.user)
        } else {
            e.who.user.clone()
        };
        let text = format!(
            "{:<21} {:<9} {:<resource_w$} {:<who_w$} {}",
            e.id,
            e.action,
            truncate(&e.resource, resource_w),
            truncate(&who, who_w),
            e.outcome
        );
        let style = if i == view.selected {
            theme.selection
        } else if ["failed", "watch failed", "partial", "not sent"].iter().any(|p| e.outcome.starts_with(p)) {
            theme.danger
        } else if ["replanned", "nothing left", "refused"].iter().any(|p| e.outcome.starts_with(p)) {
            // Nothing was sent: the plan changed at execute (`replanned` audit records).
            theme.muted
        } else {
            theme.base
        };
        lines.push(Line::from(Span::styled(truncate(&text, width), style)));
    }
    if let Some(e) = view.entries.get(view.selected) {
        lines.push(Line::raw(""));
        let undo = e.inverse.clone().unwrap_or_else(|| "(no undo)".into());
        let detail = format!("{} · {} · {} · undo: {undo}", e.command, e.who.arn, e.request_ids.join(","));
        lines.push(Line::from(Span::styled(truncate(&detail, width), theme.muted)));
    }
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(title(view), theme.title_focused))
        .style(theme.base);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

fn title(view: &AuditView) -> String {
    match (&view.table, &view.shared_error) {
        (Some(table), None) => {
            format!(
                " Audit log: every operator's actions (team table {table}): j/k select, u undo, any other key closes "
            )
        }
        _ => " Audit log: j/k select, u undo, any other key closes ".to_string(),
    }
}
