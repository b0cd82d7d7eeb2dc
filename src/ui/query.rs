//! The Logs Insights view: the query being written (with the saved queries under it), the
//! progress or outcome of the query, its rows as a table (or a chart of a `stats ... by bin()`),
//! and a row opened with its whole event.

use super::widgets::{centered, truncate};
use crate::app::{OpenRow, QueryRun, QueryView};
use crate::domain::row_value;
use crate::keymap::{Action, Context, Keymap};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

/// The widest a result column is drawn; the whole value is one `enter` away.
const MAX_COLUMN: usize = 60;

pub fn render(view: &QueryView, theme: &Theme, keymap: &Keymap, frame: &mut Frame, area: Rect) {
    let popup = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
    frame.render_widget(Clear, popup);
    let window = match view.window_secs {
        s if s % 86_400 == 0 => format!("last {}d", s / 86_400),
        s if s % 3600 == 0 => format!("last {}h", s / 3600),
        s => format!("last {}m", s / 60),
    };
    let groups = if view.groups.is_empty() { "no log group".to_string() } else { view.groups.join(", ") };
    let title = format!(" Logs Insights  {groups}  {window} ");
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(truncate(&title, usize::from(popup.width.saturating_sub(4))), theme.title_focused))
        .title_bottom(Span::styled(hints(view, keymap), theme.key_hint))
        .style(theme.base);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let saved_rows = if view.editing() { (view.saved.len() as u16 + 1).min(inner.height / 3) } else { 0 };
    let [editor, saved, status, results] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(saved_rows),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    editor_line(view, theme, frame, editor);
    if saved_rows > 0 {
        saved_list(view, theme, frame, saved);
    }
    let (text, style) = match &view.message {
        Some(Ok(m)) => (m.clone(), if view.running() { theme.info } else { theme.muted }),
        Some(Err(e)) => (format!("⚠ {e}"), theme.danger),
        None => ("enter runs the query; up/down picks a saved one".to_string(), theme.muted),
    };
    frame.render_widget(Paragraph::new(Span::styled(truncate(&text, usize::from(status.width)), style)), status);
    match view.chart() {
        Some(chart) => super::chart::render(&chart, theme, frame, results),
        None => table(view, theme, frame, results),
    }
    if let Some(open) = &view.open {
        open_row(view, open, theme, frame, area);
    }
}

fn hints(view: &QueryView, keymap: &Keymap) -> String {
    let key = |a: Action| keymap.key_in(Context::Query, a).map(|k| k.to_string()).unwrap_or_default();
    match &view.run {
        QueryRun::Editing => " enter run · up/down saved queries · esc close ".to_string(),
        run if view.running() || matches!(run, QueryRun::Stopping(_)) => " esc stop the query ".to_string(),
        _ => format!(
            " enter event · {} edit · {} chart · ctrl-r run again · esc close ",
            key(Action::EditQuery),
            key(Action::ToggleChart)
        ),
    }
}

fn editor_line(view: &QueryView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let style = if view.editing() { theme.input } else { theme.muted };
    let line = Line::from(vec![Span::styled("> ", theme.accent), Span::styled(view.input.text.clone(), style)]);
    frame.render_widget(Paragraph::new(line), area);
    if view.editing() {
        let typed = u16::try_from(view.input.text.chars().take(view.input.cursor).count()).unwrap_or(u16::MAX);
        let x = area.x.saturating_add(2).saturating_add(typed);
        if x < area.x + area.width {
            frame.set_cursor_position((x, area.y));
        }
    }
}

fn saved_list(view: &QueryView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let rows = usize::from(area.height.saturating_sub(1));
    let mut lines = vec![Line::from(Span::styled("SAVED QUERIES", theme.header))];
    let offset = view.picked.unwrap_or(0).saturating_sub(rows.saturating_sub(1));
    for (i, q) in view.saved.iter().enumerate().skip(offset).take(rows) {
        let style = if view.picked == Some(i) { theme.selection } else { theme.base };
        let text = format!("  {:<30} {}", q.name, q.description);
        lines.push(Line::from(Span::styled(truncate(&text, width), style)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn table(view: &QueryView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(results) = &view.results else { return };
    let fields = results.fields();
    if fields.is_empty() {
        let text = if view.running() { "no rows yet" } else { "no rows" };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.muted)), area);
        return;
    }
    let widths: Vec<usize> = fields
        .iter()
        .map(|f| {
            // Up to 100,000 rows: stop looking once the column is as wide as it may be.
            let longest = results
                .rows
                .iter()
                .map(|r| row_value(r, f).chars().count())
                .try_fold(f.chars().count(), |w, n| if w >= MAX_COLUMN { Err(w) } else { Ok(w.max(n)) })
                .unwrap_or_else(|w| w);
            longest.min(MAX_COLUMN)
        })
        .collect();
    let line_of = |cells: Vec<String>| {
        cells.iter().zip(&widths).map(|(c, w)| format!("{:<w$}", truncate(c, *w))).collect::<Vec<_>>().join("  ")
    };
    let width = usize::from(area.width);
    let rows = usize::from(area.height.saturating_sub(1));
    let offset = view.selected.saturating_sub(rows.saturating_sub(1));
    let mut lines = vec![Line::from(Span::styled(truncate(&line_of(fields.clone()), width), theme.header))];
    for (i, row) in results.rows.iter().enumerate().skip(offset).take(rows) {
        let cells = fields.iter().map(|f| row_value(row, f).to_string()).collect();
        let style = if i == view.selected && !view.editing() { theme.selection } else { theme.base };
        lines.push(Line::from(Span::styled(truncate(&line_of(cells), width), style)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn open_row(view: &QueryView, open: &OpenRow, theme: &Theme, frame: &mut Frame, area: Rect) {
    let popup = centered(area, area.width.saturating_sub(6).min(140), area.height.saturating_sub(4));
    let width = usize::from(popup.width.saturating_sub(2));
    let mut lines = Vec::new();
    let row = view.results.as_ref().and_then(|r| r.rows.get(open.row));
    for (field, value) in row.into_iter().flatten().filter(|(f, _)| f != "@ptr") {
        lines.push(Line::from(vec![
            Span::styled(format!("{field:<20} "), theme.header),
            Span::styled(value.clone(), theme.base),
        ]));
    }
    lines.push(Line::raw(""));
    match (&open.event.data, &open.event.error, open.event.in_flight) {
        (Some(event), _, _) => {
            lines.push(Line::from(Span::styled("THE WHOLE EVENT", theme.header)));
            for (field, value) in event {
                for (i, part) in value.lines().enumerate() {
                    let label = if i == 0 { format!("{field:<20} ") } else { " ".repeat(21) };
                    lines.push(Line::from(vec![
                        Span::styled(label, theme.muted),
                        Span::styled(part.to_string(), theme.base),
                    ]));
                }
            }
        }
        (None, Some(e), _) => lines.push(Line::from(Span::styled(format!("⚠ {e}"), theme.danger))),
        (None, None, Some(_)) => lines.push(Line::from(Span::styled("reading the event…", theme.muted))),
        _ => lines.push(Line::from(Span::styled("(a stats row: no single event behind it)", theme.muted))),
    }
    let rows = usize::from(popup.height.saturating_sub(2));
    let scroll = open.scroll.min(lines.len().saturating_sub(rows));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).collect();
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(truncate(" Row: j/k scroll, any other key closes ", width), theme.title_focused))
        .style(theme.base);
    frame.render_widget(Paragraph::new(shown).block(block), popup);
}
