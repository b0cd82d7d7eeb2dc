//! CloudWatch alarms: ALARM first, then INSUFFICIENT_DATA, then OK.

use super::places::{bare, place_cells, place_widths, with_place_columns};
use super::widgets::{age, pane_block, status_line};
use crate::app::{rows, Pane, State};
use crate::domain::{Alarm, AlarmState};
use crate::theme::Theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let visible = rows::alarm_rows(&state.fleet, &state.dashboard.alarms_list);
    let alarms = state.fleet.alarms.data.as_deref().unwrap_or_default();
    let firing = alarms.iter().filter(|a| a.state == AlarmState::Alarm).count();
    let mut extra = vec![];
    if firing > 0 {
        extra.push(Span::styled(format!(" {firing} ALARM "), theme.danger));
        extra.push(Span::raw(" "));
    }
    if let Some(f) = &state.dashboard.alarms_list.filter {
        extra.push(Span::styled(format!("/{}/ ", f.text), theme.accent));
    }
    let block = pane_block(state, theme, Pane::Alarms, extra);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let a = &state.fleet.alarms;
    if let Some(line) = status_line(theme, a.data.is_some(), a.error.as_deref(), a.in_flight.is_some()) {
        frame.render_widget(Paragraph::new(line), inner);
        if a.data.is_none() || inner.height < 2 {
            return;
        }
    }
    let height = usize::from(inner.height.saturating_sub(1));
    let focused = state.dashboard.focus == Pane::Alarms;
    let places = place_widths(visible.iter().map(|&i| alarms[i].name.as_str()));
    let table_rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(state.dashboard.alarms_list.offset)
        .take(height)
        .map(|(row, &i)| {
            let alarm = &alarms[i];
            let state_style = match alarm.state {
                AlarmState::Alarm => theme.danger,
                AlarmState::InsufficientData => theme.health_warn,
                AlarmState::Ok => theme.health_ok,
            };
            let label = match alarm.state {
                AlarmState::InsufficientData => "NO DATA",
                s => s.as_str(),
            };
            // ≡ marks an alarm with a runbook (o opens it).
            let name = match state.ctx.settings.runbooks.for_alarm(alarm) {
                Some(_) => format!("≡ {}", bare(&alarm.name)),
                None => bare(&alarm.name).to_string(),
            };
            let mut cells = vec![
                Cell::from(Span::styled(label, state_style)),
                Cell::from(name),
                Cell::from(Span::styled(age(alarm.state_since, state.ctx.now), theme.muted)),
                Cell::from(Span::styled(alarm.reason.as_str(), theme.muted)),
            ];
            if places.is_some() {
                cells.splice(1..1, place_cells(state, theme, &alarm.name));
            }
            let mut r = Row::new(cells);
            if alarm.state == AlarmState::Alarm {
                r = r.style(theme.danger);
            }
            if focused && row == state.dashboard.alarms_list.selected {
                r = r.style(theme.selection);
            }
            r
        })
        .collect();
    // Names are what people search for in a runbook: they get their full width before reasons do.
    let marks = visible.iter().any(|&i| state.ctx.settings.runbooks.for_alarm(&alarms[i]).is_some());
    let longest =
        visible.iter().map(|&i| bare(&alarms[i].name).chars().count() + if marks { 2 } else { 0 }).max().unwrap_or(5);
    let name_width = u16::try_from(longest).unwrap_or(u16::MAX).clamp(5, inner.width.saturating_sub(20).max(5));
    let mut widths =
        vec![Constraint::Length(7), Constraint::Length(name_width), Constraint::Length(6), Constraint::Fill(1)];
    let mut titles = vec!["STATE", "ALARM", "FOR", "REASON"];
    if let Some(places) = places {
        // After STATE: what fires comes first, then where.
        let (mut t, mut w) = (vec![], vec![]);
        with_place_columns(&mut t, &mut w, places);
        titles.splice(1..1, t);
        widths.splice(1..1, w);
    }
    let header = Row::new(titles).style(theme.header);
    let area = if a.error.is_some() { Rect { y: inner.y + 1, height: inner.height - 1, ..inner } } else { inner };
    // Reasons are long and the column is narrow: when every row fits with room to spare, the
    // selected alarm's full reason is spelled out below the table.
    let spare = usize::from(area.height).saturating_sub(visible.len() + 1);
    if spare >= 4 {
        let table_height = (visible.len() + 2) as u16;
        let table_area = Rect { height: table_height, ..area };
        let detail_area = Rect { y: area.y + table_height, height: area.height - table_height, ..area };
        frame.render_widget(Table::new(table_rows, widths).header(header).column_spacing(1), table_area);
        if let Some(alarm) = rows::selected_alarm(&state.fleet, &state.dashboard.alarms_list) {
            frame.render_widget(
                Paragraph::new(selected_detail(state, alarm, theme)).wrap(Wrap { trim: true }),
                detail_area,
            );
        }
        return;
    }
    frame.render_widget(Table::new(table_rows, widths).header(header).column_spacing(1), area);
}

fn selected_detail<'a>(state: &State, alarm: &'a Alarm, theme: &Theme) -> Vec<Line<'a>> {
    let mut head = vec![Span::styled(alarm.name.as_str(), theme.header), Span::styled(" · ", theme.muted)];
    head.push(Span::styled(alarm.condition.as_str(), theme.base));
    if let Some(target) = &alarm.watches {
        head.push(Span::styled(format!(" · enter: {target}"), theme.key_hint));
    }
    match state.ctx.settings.runbooks.for_alarm(alarm) {
        Some(crate::runbook::Link::Runbook { name, .. }) => {
            head.push(Span::styled(format!(" · o: runbook {name}"), theme.key_hint))
        }
        Some(crate::runbook::Link::Url { url, .. }) => {
            head.push(Span::styled(format!(" · runbook {url}"), theme.muted))
        }
        None => {}
    }
    vec![Line::from(head), Line::from(Span::styled(alarm.reason.as_str(), theme.muted))]
}
