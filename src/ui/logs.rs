//! The log tail: follow/pause, filter or highlight, wrap, timestamps, and visible counts of
//! what was dropped (never a silent drop).

use super::widgets::pane_block;
use crate::app::{Pane, State};
use crate::logs::{LogLine, LogView, TimestampMode};
use crate::theme::Theme;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let logs = &state.dashboard.logs;
    let view = &logs.view;
    let block = pane_block(state, theme, Pane::Logs, title(state, theme));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    if height == 0 {
        return;
    }
    let placeholder = match (&logs.error, &logs.source, view.visible_len()) {
        (Some(e), _, _) => Some(Span::styled(format!("⚠ {e}"), theme.danger)),
        (None, None, _) => Some(Span::styled("select a service or endpoint to tail its logs", theme.muted)),
        (None, Some(_), 0) if logs.cursor.is_none() => Some(Span::styled("loading…", theme.muted)),
        (None, Some(_), 0) => Some(Span::styled(
            if view.filter().is_some() { "no line matches the filter" } else { "no log events in this window yet" },
            theme.muted,
        )),
        _ => None,
    };
    if let Some(span) = placeholder {
        frame.render_widget(Paragraph::new(Line::from(span)), inner);
        if view.visible_len() == 0 {
            return;
        }
    }
    let cursor = if view.follow() { None } else { view.cursor() };
    let width = usize::from(inner.width);
    let mut rows: Vec<Line> = Vec::with_capacity(height);
    for line in view.window(height) {
        let styled = styled_line(view, theme, line, state.ctx.now, cursor == Some(line.seq));
        if view.wrap() {
            rows.extend(wrap(styled, width));
        } else {
            rows.push(styled);
        }
    }
    // Wrapped lines can overflow: keep the newest rows while following, the first ones otherwise.
    if rows.len() > height {
        if view.follow() {
            rows.drain(..rows.len() - height);
        } else {
            rows.truncate(height);
        }
    }
    frame.render_widget(Paragraph::new(rows), inner);
}

fn title<'a>(state: &'a State, theme: &Theme) -> Vec<Span<'a>> {
    let logs = &state.dashboard.logs;
    let view = &logs.view;
    let mut spans = Vec::new();
    if let Some(source) = &logs.source {
        spans.push(Span::styled(format!("{} ", source.group), theme.accent));
    }
    if view.follow() {
        spans.push(Span::styled("FOLLOW ", theme.health_ok));
    } else {
        spans.push(Span::styled("PAUSED ", theme.health_warn));
        let unseen = view.unseen();
        if unseen > 0 {
            spans.push(Span::styled(format!("+{unseen} new "), theme.health_warn));
        }
    }
    spans.push(Span::styled(format!("{} ", logs.window.label()), theme.muted));
    if let Some(text) = &logs.filter_text {
        let mode = if view.highlight_only() { "highlight" } else { "filter" };
        spans.push(Span::styled(format!("{mode} /{text}/ "), theme.accent));
        let count = match view.match_position() {
            Some((at, of)) => format!("{at}/{of} "),
            None => format!("{} matches ", view.match_count()),
        };
        spans.push(Span::styled(count, theme.muted));
    }
    let buffer = view.buffer();
    let lost = buffer.dropped() + buffer.skipped();
    if lost > 0 {
        spans.push(Span::styled(
            format!("dropped {} skipped {} ", buffer.dropped(), buffer.skipped()),
            theme.health_warn,
        ));
    }
    spans.push(Span::styled(format!("{} lines ", buffer.len()), theme.muted));
    if view.wrap() {
        spans.push(Span::styled("wrap ", theme.muted));
    }
    spans
}

fn is_error(message: &str) -> bool {
    message.contains("ERROR")
        || message.contains("Traceback")
        || message.contains("\"level\":\"error\"")
        || message.contains("Exception")
        || message.contains("Error:")
}

fn timestamp(mode: TimestampMode, ts: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    (mode != TimestampMode::Off).then(|| format!("{:>w$} ", mode.format(ts, now), w = mode.width()))
}

fn styled_line<'a>(view: &LogView, theme: &Theme, line: &'a LogLine, now: DateTime<Utc>, selected: bool) -> Line<'a> {
    let base = if is_error(&line.message) { theme.health_bad } else { theme.base };
    let mut spans = Vec::new();
    if let Some(ts) = timestamp(view.timestamps(), line.timestamp, now) {
        spans.push(Span::styled(ts, theme.muted));
    }
    let message: &str = &line.message;
    let mut at = 0;
    let current = view.current_match() == Some(line.seq);
    let hl = if current { theme.match_highlight.patch(theme.selection) } else { theme.match_highlight };
    for range in view.highlights(line) {
        if range.start < at
            || range.end > message.len()
            || !message.is_char_boundary(range.start)
            || !message.is_char_boundary(range.end)
        {
            continue;
        }
        if range.start > at {
            spans.push(Span::styled(&message[at..range.start], base));
        }
        spans.push(Span::styled(&message[range.clone()], hl));
        at = range.end;
    }
    if at < message.len() {
        spans.push(Span::styled(&message[at..], base));
    }
    let line = Line::from(spans);
    if selected {
        line.style(theme.selection)
    } else {
        line
    }
}

/// Split a styled line into rows of at most `width` cells, keeping each span's style.
fn wrap(line: Line<'_>, width: usize) -> Vec<Line<'_>> {
    if width == 0 {
        return vec![line];
    }
    let line_style: Style = line.style;
    let mut rows: Vec<Line> = Vec::new();
    let mut current: Vec<Span> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let style = span.style;
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width {
                if !piece.is_empty() {
                    current.push(Span::styled(std::mem::take(&mut piece), style));
                }
                rows.push(Line::from(std::mem::take(&mut current)).style(line_style));
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty() {
            current.push(Span::styled(piece, style));
        }
    }
    rows.push(Line::from(current).style(line_style));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_splits_by_cells_and_keeps_styles() {
        let style = Style::default().add_modifier(ratatui::style::Modifier::BOLD);
        let line = Line::from(vec![Span::raw("abcd"), Span::styled("efgh", style)]);
        let rows = wrap(line, 3);
        let text: Vec<String> = rows.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect();
        assert_eq!(text, ["abc", "def", "gh"]);
        assert_eq!(rows[1].spans[1].style, style);
    }

    #[test]
    fn error_lines_are_recognised() {
        assert!(is_error("Traceback (most recent call last):"));
        assert!(is_error(r#"{"level":"error","status":500}"#));
        assert!(!is_error(r#"{"level":"info","status":200}"#));
    }
}
