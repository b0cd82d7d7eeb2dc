//! Small drawing helpers shared by the panes.

use crate::app::{Pane, State, TextInput};
use crate::domain::{Series, TaskHealth};
use crate::theme::Theme;
pub use crate::width::truncate;
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` points as block characters scaled to `max`; `·` marks "no data", which is
/// never drawn as a zero bar.
pub fn sparkline(series: &Series, width: usize, max: f64) -> String {
    let start = series.points.len().saturating_sub(width);
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(series.points.len() - start)).collect();
    for point in &series.points[start..] {
        out.push(match point {
            None => '·',
            Some(v) => {
                let ratio = if max > 0.0 { (v / max).clamp(0.0, 1.0) } else { 0.0 };
                BARS[((ratio * 7.0).round() as usize).min(7)]
            }
        });
    }
    out
}

/// A horizontal bar `width` cells long for `value` out of `max`, in eighths of a cell.
pub fn hbar(value: f64, max: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if max <= 0.0 || width == 0 {
        return String::new();
    }
    let eighths = ((value / max).clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut out: String = std::iter::repeat_n('█', eighths / 8).collect();
    if !eighths.is_multiple_of(8) {
        out.push(PARTS[eighths % 8]);
    }
    out
}

/// "10s", "4m", "3h", "2d": how long ago, compact for tables. Under a minute in tens of
/// seconds, as the log pane's ages: a label counting every second redraws the whole screen every
/// second.
pub fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    const SECONDS_STEP: i64 = 10;
    let secs = (now - since).num_seconds().max(0);
    let step = if secs < 60 { SECONDS_STEP } else { crate::redraw::step_of(secs) };
    crate::redraw::note_age(since, now, step);
    match secs {
        0..=59 => format!("{}s", secs - secs % SECONDS_STEP),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
        _ => format!("{}d", secs / 86_400),
    }
}

pub fn usd(v: f64) -> String {
    if v >= 1000.0 {
        format!("${:.0}", v)
    } else {
        format!("${v:.2}")
    }
}

/// The bordered frame of a pane; its title says what it is and, when focused, stands out.
pub fn pane_block<'a>(state: &State, theme: &Theme, pane: Pane, extra: Vec<Span<'a>>) -> Block<'a> {
    let focused = state.dashboard.focus == pane;
    let (border, title) =
        if focused { (theme.border_focused, theme.title_focused) } else { (theme.border, theme.title) };
    let mut spans = vec![Span::styled(format!(" {} ", pane.title()), title)];
    let fleet = &state.fleet;
    let cached = match pane {
        Pane::Services => fleet.services.cached,
        Pane::Endpoints => fleet.endpoints.cached,
        Pane::Alarms => fleet.alarms.cached,
        Pane::Cost => fleet.cost.cached,
        Pane::Logs | Pane::Functions => false,
    };
    if let (true, Some(at)) = (cached, fleet.cached_at) {
        spans.push(Span::styled(format!("cached {} ago ", age(at, state.ctx.now)), theme.health_warn));
    }
    spans.extend(extra);
    Block::bordered().border_style(border).title(Line::from(spans)).style(theme.base)
}

/// A centred rectangle of at most `w` x `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Placeholder text for a pane without data yet, or with an error.
pub fn status_line<'a>(theme: &Theme, data_present: bool, error: Option<&'a str>, loading: bool) -> Option<Line<'a>> {
    match (error, data_present, loading) {
        (Some(e), _, _) => Some(Line::from(Span::styled(format!("⚠ {e}"), theme.danger))),
        (None, false, true) => Some(Line::from(Span::styled("loading…", theme.muted))),
        (None, false, false) => Some(Line::from(Span::styled("no data", theme.muted))),
        _ => None,
    }
}

pub fn styled_if(cond: bool, yes: Style, no: Style) -> Style {
    if cond {
        yes
    } else {
        no
    }
}

/// A task's health as the tables show it.
pub fn health_label(h: TaskHealth) -> &'static str {
    match h {
        TaskHealth::Healthy => "HEALTHY",
        TaskHealth::Unhealthy => "UNHEALTHY",
        TaskHealth::Unknown => "UNKNOWN",
    }
}

/// A line being typed after `lead` (`:` or `/`), with the terminal's cursor where the field's is.
pub fn input_line(lead: &str, input: &TextInput, theme: &Theme, frame: &mut Frame, area: Rect) {
    let line =
        Line::from(vec![Span::styled(lead.to_string(), theme.accent), Span::styled(input.text.clone(), theme.input)]);
    frame.render_widget(Paragraph::new(line).style(theme.input), area);
    let typed = u16::try_from(input.text.chars().take(input.cursor).count()).unwrap_or(u16::MAX);
    let x = area.x.saturating_add(1).saturating_add(typed);
    if x < area.x + area.width {
        frame.set_cursor_position((x, area.y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_marks_missing_data_and_scales() {
        let s = Series { points: vec![Some(0.0), None, Some(50.0), Some(100.0)] };
        assert_eq!(sparkline(&s, 4, 100.0), "▁·▅█");
        assert_eq!(sparkline(&s, 6, 100.0), "  ▁·▅█");
        assert_eq!(sparkline(&s, 2, 100.0), "▅█");
    }

    #[test]
    fn bars_and_ages() {
        assert_eq!(hbar(50.0, 100.0, 4), "██");
        assert_eq!(hbar(0.0, 100.0, 4), "");
        assert_eq!(hbar(1.0, 0.0, 4), "");
        let now = Utc::now();
        assert_eq!(age(now - chrono::Duration::seconds(75), now), "1m");
        assert_eq!(age(now - chrono::Duration::seconds(3700), now), "1h01m");
        assert_eq!(age(now - chrono::Duration::seconds(7), now), "0s");
        assert_eq!(age(now - chrono::Duration::seconds(48), now), "40s");
        // The label asks for a frame when its tens change, not every second.
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 6, 3, 0, 0).single().unwrap_or_default();
        let since = now - chrono::Duration::seconds(48);
        crate::redraw::start();
        age(since, now);
        assert_eq!(crate::redraw::take(), Some(since + chrono::Duration::seconds(50)));
    }
}
