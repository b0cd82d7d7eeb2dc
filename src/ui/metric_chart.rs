//! The metric chart view: a bordered popup with the page's chart, the alarm's rule in words
//! under it, and the range, page and keys in the border. The chart itself is `ui::chart`.

use super::chart;
use super::widgets::truncate;
use crate::app::{ChartSubject, ChartView};
use crate::chart::{Chart, ChartSeries, Comparison, Threshold};
use crate::domain::Comparison as AlarmComparison;
use crate::keymap::{Action, Context, Keymap};
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

pub fn render(view: &ChartView, theme: &Theme, keymap: &Keymap, frame: &mut Frame, area: Rect) {
    let popup = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
    frame.render_widget(Clear, popup);
    let subject = match &view.subject {
        ChartSubject::Alarm { name, .. } => format!("alarm {name}"),
        ChartSubject::Resource(address) => address.to_string(),
    };
    let pages = if view.pages.len() > 1 { format!("  {}/{}", view.page + 1, view.pages.len()) } else { String::new() };
    let title = format!(" Chart  {subject}  last {}{pages} ", view.range.label());
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(truncate(&title, usize::from(popup.width.saturating_sub(4))), theme.title_focused))
        .title_bottom(Span::styled(hints(view, keymap), theme.key_hint))
        .style(theme.base);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if inner.is_empty() {
        return;
    }
    if view.data.data.is_none() {
        let (text, style) = match &view.data.error {
            Some(e) => (format!("⚠ {e}"), theme.danger),
            None => ("reading the metric…".to_string(), theme.muted),
        };
        frame.render_widget(Paragraph::new(Span::styled(truncate(&text, usize::from(inner.width)), style)), inner);
        return;
    }
    let mut area = inner;
    if let Some(e) = &view.data.error {
        // Stale data stays on screen with why the refresh failed above it.
        let line = Rect { height: 1, ..inner };
        let text = format!("⚠ {e} (showing the last read)");
        frame.render_widget(
            Paragraph::new(Span::styled(truncate(&text, usize::from(line.width)), theme.health_warn)),
            line,
        );
        area = Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner };
    }
    chart::render(&to_chart(view), theme, frame, area);
}

/// The page on screen as the chart widget's model.
pub fn to_chart(view: &ChartView) -> Chart {
    let page = view.pages.get(view.page);
    let (start, end) = view.window;
    let series = view.page_series().into_iter().map(|(label, points)| ChartSeries { label, points }).collect();
    let (threshold, note) = match &view.subject {
        ChartSubject::Alarm { rule, .. } => {
            let comparison = match rule.comparison {
                AlarmComparison::Greater => Some(Comparison::Greater),
                AlarmComparison::GreaterOrEqual => Some(Comparison::GreaterOrEqual),
                AlarmComparison::Less => Some(Comparison::Less),
                AlarmComparison::LessOrEqual => Some(Comparison::LessOrEqual),
                // An anomaly band has no single line to draw; the rule in words still says it.
                AlarmComparison::Other(_) => None,
            };
            let threshold = rule.threshold.zip(comparison).map(|(value, comparison)| Threshold { value, comparison });
            (threshold, Some(rule.in_words()))
        }
        ChartSubject::Resource(_) => (None, None),
    };
    Chart {
        title: page.map(|p| p.title.clone()).unwrap_or_default(),
        unit: page.and_then(|p| p.unit.clone()),
        start,
        end,
        series,
        threshold,
        alarm_spans: view.alarm_spans(),
        note,
    }
}

fn hints(view: &ChartView, keymap: &Keymap) -> String {
    let key = |a: Action| keymap.key_in(Context::Chart, a).map(|k| k.to_string()).unwrap_or_default();
    let mut hints = format!(
        " {}/{}/{}/{} range ",
        key(Action::Range1h),
        key(Action::Range3h),
        key(Action::Range24h),
        key(Action::Range7d)
    );
    if view.pages.len() > 1 {
        hints.push_str(&format!(" {} next metric ", key(Action::NextMetric)));
    }
    hints.push_str(&format!(" {} refresh  {} close ", key(Action::Refresh), key(Action::Back)));
    hints
}
