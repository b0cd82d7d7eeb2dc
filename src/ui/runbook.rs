//! The runbook view: the runbook as a document, each step with its state, its prose rendered
//! plainly, its commands (placeholders filled where known) and its output kept inline; a step not
//! run here says who ran it on the open incident, from every operator's timeline.

use super::widgets::truncate;
use crate::app::{Prompt, RunbookSession, SharedStep, State, StepState};
use crate::keymap::{Action, Context, Keymap};
use crate::runbook::render::{self, Kind};
use crate::runbook::{placeholders, Block};
use crate::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block as Frame_, Clear, Paragraph};
use ratatui::Frame;

/// Output lines shown under a step that is not selected (the selected one shows more).
const OUTPUT_SHORT: usize = 6;
const OUTPUT_LONG: usize = 40;

fn style(theme: &Theme, kind: Kind) -> Style {
    match kind {
        Kind::Plain => theme.base,
        Kind::Emphasis => theme.base.add_modifier(Modifier::ITALIC),
        Kind::Strong => theme.base.add_modifier(Modifier::BOLD),
        Kind::Code => theme.accent,
        Kind::Link => theme.info,
        Kind::Heading => theme.header,
        Kind::Quote | Kind::Shown => theme.muted,
        Kind::Command => theme.input,
    }
}

fn state_style(theme: &Theme, s: &StepState) -> Style {
    match s {
        StepState::NotRun => theme.base,
        StepState::Running => theme.health_warn,
        StepState::Done => theme.health_ok,
        StepState::Failed(_) => theme.health_bad,
        StepState::Skipped => theme.muted,
    }
}

/// The step's blocks with placeholders filled where a value is known, so what is shown is what runs.
fn filled(session: &RunbookSession, blocks: &[Block]) -> Vec<Block> {
    blocks
        .iter()
        .map(|b| match b {
            Block::Commands(commands) => Block::Commands(
                commands
                    .iter()
                    .map(|c| {
                        let mut c = c.clone();
                        if let Ok(text) = placeholders::fill(&c.text, &session.values) {
                            c.text = text;
                        }
                        c
                    })
                    .collect(),
            ),
            other => other.clone(),
        })
        .collect()
}

/// Every line of the document, and the line each step starts at.
fn document<'a>(
    session: &'a RunbookSession,
    shared: &[Option<SharedStep>],
    theme: &Theme,
    width: usize,
) -> (Vec<Line<'a>>, Vec<usize>) {
    let mut lines: Vec<Line> = Vec::new();
    let prose = |lines: &mut Vec<Line>, blocks: &[Block], indent: usize| {
        for l in render::lines(blocks, width.saturating_sub(indent)) {
            let mut spans = vec![Span::raw(" ".repeat(indent))];
            spans.extend(l.into_iter().map(|(k, t)| Span::styled(t, style(theme, k))));
            lines.push(Line::from(spans));
        }
    };
    prose(&mut lines, &session.runbook.intro, 1);
    let mut starts = Vec::new();
    for (i, (step, run)) in session.runbook.steps.iter().zip(&session.steps).enumerate() {
        lines.push(Line::raw(""));
        starts.push(lines.len());
        let selected = i == session.selected;
        let head_style = if selected { theme.selection } else { state_style(theme, &run.state) };
        let head = format!("{} {}", run.state.mark(), step.title);
        lines.push(Line::from(Span::styled(truncate(&head, width), head_style.add_modifier(Modifier::BOLD))));
        if let Some(Some(other)) = shared.get(i) {
            let when = other.at.format("%H:%M UTC");
            let (text, s) = if other.exit == 0 {
                (format!("    ✓ done by {} at {when} (on the incident's timeline)", other.who), theme.health_ok)
            } else {
                let text = format!(
                    "    ✗ failed for {} at {when} (exit {}; on the incident's timeline)",
                    other.who, other.exit
                );
                (text, theme.health_bad)
            };
            lines.push(Line::from(Span::styled(truncate(&text, width), s)));
        }
        prose(&mut lines, &filled(session, &step.blocks), 4);
        let keep = if selected { OUTPUT_LONG } else { OUTPUT_SHORT };
        let skip = run.output.len().saturating_sub(keep);
        if skip > 0 {
            lines.push(Line::from(Span::styled(format!("    │ … {skip} earlier lines"), theme.muted)));
        }
        for out in run.output.iter().skip(skip) {
            let text = format!("    │ {out}");
            let s = if out.starts_with("FAILED") { theme.danger } else { theme.muted };
            lines.push(Line::from(Span::styled(truncate(&text, width), s)));
        }
        if let StepState::Failed(why) = &run.state {
            let text = format!("    ✗ {why}: the runbook stops here (enter runs it again, s skips it)");
            lines.push(Line::from(Span::styled(truncate(&text, width), theme.danger)));
        }
    }
    (lines, starts)
}

pub fn render(state: &State, theme: &Theme, keymap: &Keymap, frame: &mut Frame, area: Rect) {
    let Some(session) = state.runbook.as_ref() else { return };
    // Between the header and the operations strip (or the status bar): a step's change stays
    // visible in the strip while the runbook is read.
    let areas = crate::app::layout::compute(
        (area.width, area.height),
        state.dashboard.focus,
        state.dashboard.zoomed,
        state.strip_rows(),
        state.dashboard.swap(state.ctx.settings.functions_slot),
    );
    let bottom = areas.strip.map_or(areas.status.y, |s| s.y);
    let popup = Rect { x: area.x, y: area.y + 1, width: area.width, height: bottom.saturating_sub(area.y + 1) };
    let width = usize::from(popup.width.saturating_sub(2));
    let rows = usize::from(popup.height.saturating_sub(2));
    let mut header = vec![Span::styled(format!(" from {}", session.opened_from), theme.muted)];
    if let Some(incident) = &state.ctx.incident {
        header.push(Span::styled(format!(" · incident {incident}"), theme.info));
    }
    let values: Vec<String> = session
        .values
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "region" | "profile"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut lines = vec![
        Line::from(header),
        Line::from(Span::styled(truncate(&format!(" {}", values.join("  ")), width), theme.muted)),
    ];
    let shared = crate::app::shared_steps(session, &state.timeline, state.ctx.incident.as_deref());
    let (doc, starts) = document(session, &shared, theme, width);
    let prompt = session.prompt.as_ref().map(|p| match p {
        Prompt::Value { name, input } => (format!(" value for {{{{{name}}}}}: "), input.text.clone()),
        Prompt::Note(input) => (" note for the incident timeline: ".to_string(), input.text.clone()),
    });
    let body_rows = rows.saturating_sub(lines.len() + usize::from(prompt.is_some()));
    let anchor = starts.get(session.selected).copied().unwrap_or(0).saturating_sub(2) as isize;
    let most = doc.len().saturating_sub(body_rows) as isize;
    let offset = (anchor + session.scroll).clamp(0, most.max(0)) as usize;
    lines.extend(doc.into_iter().skip(offset).take(body_rows));
    if let Some((label, text)) = prompt {
        while lines.len() < rows.saturating_sub(1) {
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(vec![
            Span::styled(label, theme.header),
            Span::styled(text, theme.input),
            Span::styled("▏", theme.accent),
        ]));
    }
    let key = |a: Action| keymap.key_in(Context::Runbook, a).map_or("?".to_string(), |k| k.to_string());
    let title = format!(
        " Runbook: {} · {} run step, {} skip, {} note, {}/{} step, {} close ",
        session.runbook.title,
        key(Action::RunStep),
        key(Action::SkipStep),
        key(Action::Note),
        key(Action::Down),
        key(Action::Up),
        key(Action::Back)
    );
    frame.render_widget(Clear, popup);
    let block = Frame_::bordered()
        .border_style(theme.border_focused)
        .title(Span::styled(truncate(&title, width), theme.title_focused))
        .style(theme.base);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
