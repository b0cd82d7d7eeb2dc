//! Overlays: the help screen (generated from the keymap) and palette suggestions.

use super::widgets::centered;
use crate::app::{palette, Mode, State};
use crate::keymap::Keymap;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

pub fn help(state: &State, theme: &Theme, keymap: &Keymap, frame: &mut Frame, area: Rect) {
    let Mode::Help { scroll } = state.mode else { return };
    let mut lines = Vec::new();
    let mut context = None;
    for row in keymap.help() {
        if context != Some(row.context) {
            if context.is_some() {
                lines.push(Line::raw(""));
            }
            context = Some(row.context);
            lines.push(Line::from(Span::styled(row.context.title(), theme.header)));
        }
        let keys: Vec<String> = row.keys.iter().map(ToString::to_string).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", keys.join(" ")), theme.key_hint),
            Span::styled(row.action.description(), theme.base),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("Palette commands", theme.header)));
    for (name, aliases, about) in palette::commands() {
        let names = std::iter::once(name).chain(aliases).map(|n| format!(":{n}")).collect::<Vec<_>>().join(" ");
        lines.push(Line::from(vec![
            Span::styled(format!("  {names:<24}"), theme.key_hint),
            Span::styled(about, theme.base),
        ]));
    }
    let popup = centered(area, 90, area.height.saturating_sub(2));
    let max_scroll = lines.len().saturating_sub(usize::from(popup.height.saturating_sub(2)));
    let scroll = u16::try_from(scroll.min(max_scroll)).unwrap_or(u16::MAX);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(" Help: j/k scroll, any other key closes ", theme.title_focused))
        .style(theme.base);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), popup);
}

pub fn palette_suggestions(state: &State, theme: &Theme, frame: &mut Frame, status: Rect) {
    let Mode::Palette(input) = &state.mode else { return };
    let suggestions = palette::suggestions(&input.text);
    if suggestions.is_empty() || status.y < 3 {
        return;
    }
    let height = (suggestions.len() as u16 + 2).min(status.y);
    let area = Rect { x: status.x, y: status.y - height, width: status.width.min(60), height };
    let lines: Vec<Line> = suggestions
        .into_iter()
        .map(|(name, aliases, about)| {
            let aliases = if aliases.is_empty() { String::new() } else { format!(" ({})", aliases.join(", ")) };
            Line::from(vec![
                Span::styled(format!("{name}{aliases}  "), theme.key_hint),
                Span::styled(about, theme.muted),
            ])
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().border_style(theme.border)).style(theme.base),
        area,
    );
}
