//! The header (pane tabs) and the status bar (where the data comes from, its age, alarms, hints).

use super::widgets::age;
use crate::app::{BadgeStyle, FlashLevel, Pane, State};
use crate::backend::BackendLabel;
use crate::domain::AlarmState;
use crate::keymap::{Action, Context as Keys, Keymap};
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn header(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    if let Some(problem) = state.credentials_problem() {
        // Every pane fails the same way: say it once, loudly, with the fix. Screen state is kept.
        let line = Line::from(vec![
            Span::styled(format!(" ⚠ {problem} "), theme.danger),
            Span::styled(" then ctrl-r to retry ", theme.status_bar),
        ]);
        frame.render_widget(Paragraph::new(line).style(theme.status_bar), area);
        return;
    }
    let mut spans = vec![Span::styled(" opsdeck ", theme.title_focused), Span::raw(" ")];
    if let Some(badge) = badge(state, theme) {
        spans.extend([badge, Span::raw(" ")]);
    }
    for pane in Pane::ALL {
        let style = if pane == state.dashboard.focus { theme.title_focused } else { theme.muted };
        spans.push(Span::styled(format!(" {} ", pane.title()), style));
    }
    if state.dashboard.zoomed {
        spans.push(Span::styled(" [zoom: z to return]", theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.status_bar), area);
}

/// The profile's badge (`[profiles.NAME] badge`), drawn as a block in the colour of its meaning,
/// so a production account is never mistaken for another at a glance.
fn badge<'a>(state: &State, theme: &Theme) -> Option<Span<'a>> {
    let BackendLabel::Aws { profile, .. } = &state.ctx.label else { return None };
    let badge = state.ctx.settings.profile_badges.get(profile)?;
    let meaning = match badge.style {
        BadgeStyle::Danger => theme.danger,
        BadgeStyle::Warn => theme.health_warn,
        BadgeStyle::Info => theme.info,
        BadgeStyle::Ok => theme.health_ok,
    };
    let style = meaning.add_modifier(Modifier::REVERSED | Modifier::BOLD);
    Some(Span::styled(format!(" {} ", crate::sanitize::inert(&badge.text)), style))
}

pub fn status_bar(state: &State, theme: &Theme, keymap: &Keymap, frame: &mut Frame, area: Rect) {
    let mut spans = match &state.ctx.label {
        BackendLabel::Demo { scenario, seed, speed } => {
            let mut spans = vec![
                Span::styled(" DEMO ", theme.badge_demo),
                Span::styled(format!(" {scenario} · seed {seed} "), theme.status_bar),
            ];
            if *speed > 1 {
                spans.push(Span::styled(format!(" time ×{speed} "), theme.health_warn));
            }
            spans
        }
        BackendLabel::Aws { profile, region } => {
            let mut spans = badge(state, theme).into_iter().collect::<Vec<_>>();
            spans.push(Span::styled(format!(" {profile} @ {region} "), theme.badge_live));
            spans
        }
    };
    if state.ctx.settings.read_only {
        spans.push(Span::styled(" READ-ONLY ", theme.health_warn));
    }
    match (state.fleet.showing_cached(), state.fleet.cached_at, state.fleet.services.fetched_at) {
        // The last-known fleet from disk: say how old, until live reads replace it.
        (true, Some(at), _) => {
            spans.push(Span::styled(format!(" as of {} ago, refreshing ", age(at, state.ctx.now)), theme.health_warn))
        }
        (_, _, Some(at)) => {
            spans.push(Span::styled(format!("refreshed {} ago ", age(at, state.ctx.now)), theme.status_bar))
        }
        _ => spans.push(Span::styled("connecting… ", theme.status_bar)),
    }
    if let Some(usage) = state.ctx.usage {
        spans.push(Span::styled(format!("api {} calls ≈${:.2} ", usage.calls, usage.estimated_usd), theme.status_bar));
    }
    let firing =
        state.fleet.alarms.data.as_ref().map_or(0, |a| a.iter().filter(|a| a.state == AlarmState::Alarm).count());
    if firing > 0 {
        spans.push(Span::styled(format!(" {firing} ALARM "), theme.danger));
        spans.push(Span::raw(" "));
    }
    match &state.ctx.flash {
        Some(flash) => {
            let style = if flash.level == FlashLevel::Error { theme.danger } else { theme.info };
            spans.push(Span::styled(format!(" {} ", flash.text), style));
        }
        None => spans.extend(hints(state, theme, keymap)),
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.status_bar), area);
}

/// Hints built from the live keymap, so a rebound key shows its new binding.
fn hints<'a>(state: &State, theme: &Theme, keymap: &Keymap) -> Vec<Span<'a>> {
    let mut pairs: Vec<(Action, &str)> =
        vec![(Action::Help, "help"), (Action::Palette, "cmd"), (Action::Filter, "filter"), (Action::NextPane, "pane")];
    match state.dashboard.focus {
        Pane::Services if state.dashboard.detail.is_some() => pairs.push((Action::Back, "back")),
        Pane::Services => pairs.extend([(Action::Select, "tasks"), (Action::Chart, "chart")]),
        Pane::Alarms => pairs.extend([(Action::Select, "jump"), (Action::Chart, "chart")]),
        Pane::Endpoints if state.dashboard.endpoint_detail.is_some() => pairs.push((Action::Back, "back")),
        Pane::Endpoints => pairs.extend([(Action::Select, "models"), (Action::Chart, "chart")]),
        Pane::Functions if state.dashboard.functions.detail.is_some() => pairs.push((Action::Back, "back")),
        Pane::Functions => pairs.extend([(Action::Select, "detail"), (Action::Chart, "chart")]),
        Pane::Logs => {}
        Pane::Cost => pairs.push((Action::Refresh, "re-read")),
    }
    pairs.push((Action::Zoom, "zoom"));
    let mut spans = Vec::new();
    for (action, label) in pairs {
        if let Some(key) = keymap.key_for(action) {
            spans.push(Span::styled(format!(" {key}"), theme.key_hint));
            spans.push(Span::styled(format!(" {label}"), theme.status_bar));
        }
    }
    if state.dashboard.focus == Pane::Logs {
        if let Some(key) = keymap.key_in(Keys::Logs, Action::Query) {
            spans.push(Span::styled(format!(" {key}"), theme.key_hint));
            spans.push(Span::styled(" query", theme.status_bar));
        }
        spans.push(Span::styled(" f w t n/N 0-6 ctrl-s", theme.key_hint));
    }
    let actions: &[(Action, &str)] = match state.dashboard.focus {
        Pane::Services => &[(Action::Scale, "scale"), (Action::Redeploy, "redeploy"), (Action::Rollback, "roll back")],
        Pane::Endpoints => &[(Action::Scale, "scale"), (Action::Invoke, "invoke")],
        Pane::Alarms => &[(Action::Scale, "scale"), (Action::Rollback, "roll back")],
        Pane::Functions => &[(Action::Scale, "concurrency"), (Action::Invoke, "invoke")],
        Pane::Logs | Pane::Cost => &[],
    };
    for (action, label) in actions {
        if let Some(key) = keymap.key_for(*action) {
            spans.push(Span::styled(format!(" {key}"), theme.key_hint));
            spans.push(Span::styled(format!(" {label}"), theme.status_bar));
        }
    }
    spans
}
