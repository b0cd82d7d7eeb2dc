//! The help screen, generated from the keymap in effect (so a rebound key shows its new
//! binding) and from the palette's own grammar.

use super::widgets::centered;
use crate::app::palette;
use crate::keymap::Keymap;
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

pub fn render(scroll: usize, theme: &Theme, keymap: &Keymap, frame: &mut Frame, area: Rect) {
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
