//! A fleet session's ACCOUNT and REGION columns: names carry their place
//! (`prod@us-east-1:app`, `domain/place.rs`); the tables show it in two columns and the name bare.

use crate::app::State;
use crate::theme::Theme;
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

/// A fleet session's names carry their place (`prod@us-east-1:app`): the tables show it as
/// ACCOUNT and REGION columns and the name bare.
pub fn bare(name: &str) -> &str {
    crate::domain::place::split(name).name
}

/// The ACCOUNT and REGION column widths when any of these names is placed (a fleet session).
pub fn place_widths<'a>(names: impl Iterator<Item = &'a str>) -> Option<(u16, u16)> {
    let mut widths: Option<(usize, usize)> = None;
    for name in names {
        let p = crate::domain::place::split(name);
        if let (Some(account), Some(region)) = (p.account(), p.region()) {
            let (a, r) = widths.get_or_insert((7, 6));
            *a = (*a).max(account.chars().count() + 2);
            *r = (*r).max(region.chars().count());
        }
    }
    widths.map(|(a, r)| (a.min(20) as u16, r.min(16) as u16))
}

/// A row's ACCOUNT and REGION cells; an account whose last read failed is marked `✗` in the
/// alarm colour (its rows are the last ones read).
pub fn place_cells(state: &State, theme: &Theme, name: &str) -> [Cell<'static>; 2] {
    let p = crate::domain::place::split(name);
    let failing = p.place.is_some_and(|place| state.ctx.place_errors.iter().any(|(q, _)| q == place));
    let account = p.account().unwrap_or("").to_string();
    let account = if failing {
        Cell::from(Span::styled(format!("{account} ✗"), theme.danger))
    } else {
        Cell::from(Span::styled(account, theme.muted))
    };
    [account, Cell::from(Span::styled(p.region().unwrap_or("").to_string(), theme.muted))]
}

/// Insert the ACCOUNT and REGION columns in front of a table's header and widths.
pub fn with_place_columns(header: &mut Vec<&'static str>, widths: &mut Vec<Constraint>, (account, region): (u16, u16)) {
    header.splice(0..0, ["ACCOUNT", "REGION"]);
    widths.splice(0..0, [Constraint::Length(account), Constraint::Length(region)]);
}

/// The fleet's failing accounts as one line: `✗ gone@us-east-1: services: network: ...`.
pub fn place_errors_line<'a>(state: &'a State, theme: &Theme) -> Option<Line<'a>> {
    let (first, rest) = state.ctx.place_errors.split_first()?;
    let mut text = format!("✗ {}: {}", first.0, first.1);
    if !rest.is_empty() {
        text.push_str(&format!(" (and {} more)", rest.len()));
    }
    Some(Line::from(Span::styled(text, theme.danger)))
}
