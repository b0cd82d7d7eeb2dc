//! The confirm dialog: the plan as read fresh (before -> after), what to know, the details, and
//! how to answer. Destructive plans ask for the resource's name; read-only sessions only show.

use super::widgets::{centered, truncate};
use crate::app::ConfirmDialog;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

pub fn render(dialog: &ConfirmDialog, read_only: bool, theme: &Theme, frame: &mut Frame, area: Rect) {
    let plan = &dialog.plan;
    let width = area.width.saturating_sub(4).min(110);
    let text_width = usize::from(width.saturating_sub(4));
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", plan.intent.verb()), theme.title_focused),
        Span::styled(truncate(&plan.intent.target().to_string(), text_width.saturating_sub(12)), theme.title),
    ])];
    // A fleet session: the account and region the change goes to, said before anything else.
    if let Some(place) = plan_place(plan) {
        lines.push(Line::from(vec![
            Span::styled("in account ", theme.muted),
            Span::styled(place.account().unwrap_or("").to_string(), theme.accent),
            Span::styled(", region ", theme.muted),
            Span::styled(place.region().unwrap_or("").to_string(), theme.accent),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(why) = &dialog.replanned {
        let said = format!("The plan changed since you confirmed it: {why}. Nothing was sent; confirm this plan.");
        for part in wrap_words(&said, text_width) {
            lines.push(Line::from(Span::styled(part, theme.health_warn)));
        }
        lines.push(Line::raw(""));
    }
    let field_width = plan.changes.iter().map(|c| c.field.chars().count()).max().unwrap_or(0);
    for c in &plan.changes {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<field_width$}  ", c.field), theme.header),
            Span::styled(c.before.clone(), theme.muted),
            Span::styled("  ->  ", theme.base),
            Span::styled(c.after.clone(), if plan.destructive { theme.danger } else { theme.accent }),
        ]));
    }
    lines.push(Line::raw(""));
    for note in &plan.notes {
        lines.push(Line::from(Span::styled(truncate(&format!("• {note}"), text_width), theme.info)));
    }
    if !plan.details.is_empty() {
        lines.push(Line::raw(""));
        for d in &plan.details {
            let style = match d.trim_start().chars().next() {
                Some('-') if d.starts_with("  -") => theme.health_bad,
                Some('+') if d.starts_with("  +") => theme.health_ok,
                Some('›') => theme.accent,
                _ => theme.base,
            };
            lines.push(Line::from(Span::styled(truncate(d, text_width), style)));
        }
    }
    if let Some(inverse) = &plan.inverse {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![Span::styled("undo: ", theme.muted), Span::styled(inverse.clone(), theme.base)]));
    }
    let answer = answer_lines(dialog, read_only, theme);
    let height = (lines.len() + answer.len() + 3).min(usize::from(area.height.saturating_sub(2))) as u16;
    let popup = centered(area, width, height.max(8));
    let body_rows = usize::from(popup.height.saturating_sub(2)).saturating_sub(answer.len() + 1);
    let scroll = dialog.scroll.min(lines.len().saturating_sub(body_rows));
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(body_rows).collect();
    while shown.len() < body_rows {
        shown.push(Line::raw(""));
    }
    shown.push(Line::raw(""));
    shown.extend(answer);
    let (title, border) = match (read_only, plan.destructive) {
        (true, _) => (" Plan (read-only: nothing will be sent) ", theme.health_warn),
        (false, true) => (" Confirm a DESTRUCTIVE change ", theme.danger),
        (false, false) if dialog.replanned.is_some() => (" Confirm the NEW plan ", theme.health_warn),
        (false, false) => (" Confirm ", theme.border_focused),
    };
    frame.render_widget(Clear, popup);
    let block = Block::bordered().border_style(border).title(Span::styled(title, border)).style(theme.base);
    frame.render_widget(Paragraph::new(shown).block(block), popup);
}

/// Where a fleet session's plan acts: the place of the resource it names (None: one account).
fn plan_place(plan: &crate::ops::Plan) -> Option<crate::domain::place::Placed<'_>> {
    plan.reads.iter().find_map(|r| r.address.placed())
}

/// Words to lines of at most `width` columns (a longer word is cut).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if !line.is_empty() && !fits {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|l| truncate(&l, width)).collect()
}

fn answer_lines<'a>(dialog: &'a ConfirmDialog, read_only: bool, theme: &Theme) -> Vec<Line<'a>> {
    let plan = &dialog.plan;
    if read_only {
        return vec![
            Line::from(Span::styled("read-only session: hand this command to someone who may act:", theme.health_warn)),
            Line::from(Span::styled(format!("  opsdeck {}", plan.intent.command_line()), theme.input)),
            Line::from(Span::styled("esc close", theme.key_hint)),
        ];
    }
    let mut lines = Vec::new();
    if let Some(error) = &dialog.error {
        lines.push(Line::from(Span::styled(error.clone(), theme.danger)));
    }
    if plan.destructive {
        lines.push(Line::from(vec![
            Span::styled("type ", theme.base),
            Span::styled(plan.confirm_name.clone(), theme.danger),
            Span::styled(" and enter to apply, esc to cancel: ", theme.base),
            Span::styled(dialog.typed.text.clone(), theme.input),
            Span::styled("▏", theme.accent),
        ]));
    } else {
        lines.push(Line::from(vec![
            Span::styled("y", theme.key_hint),
            Span::styled("/", theme.muted),
            Span::styled("enter", theme.key_hint),
            Span::styled(" apply   ", theme.base),
            Span::styled("esc", theme.key_hint),
            Span::styled("/", theme.muted),
            Span::styled("n", theme.key_hint),
            Span::styled(" cancel   ", theme.base),
            Span::styled("j/k", theme.key_hint),
            Span::styled(" scroll", theme.base),
        ]));
    }
    lines
}
