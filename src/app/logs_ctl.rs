//! The log pane's source, windows and replies.

use super::msg::Effect;
use super::rows;
use super::state::{LogSource, LogWindow, Pane, State};
use crate::domain::LogBatch;
use chrono::Duration;

/// How long the cursor must rest on a row before the tail switches to it.
const SETTLE: i64 = 300;

/// The log source the given list's selection implies, if it has a log group.
fn source_for(state: &State, pane: Pane) -> Option<LogSource> {
    match pane {
        Pane::Services => {
            if let Some(detail) = &state.detail {
                let services = state.services.data.as_ref()?;
                let s = services.iter().find(|s| s.address() == detail.address)?;
                return Some(LogSource { group: s.log_group.clone()?, owner: s.address() });
            }
            let s = rows::selected_service(state)?;
            Some(LogSource { group: s.log_group.clone()?, owner: s.address() })
        }
        Pane::Endpoints => {
            let e = rows::selected_endpoint(state)?;
            Some(LogSource { group: e.log_group.clone()?, owner: e.address() })
        }
        _ => None,
    }
}

/// A source named in the palette: a log group, or the address of a service or endpoint.
pub fn source_named(state: &State, text: &str) -> Result<LogSource, String> {
    let services = state.services.data.iter().flatten().map(|s| (s.address(), s.log_group.clone()));
    let endpoints = state.endpoints.data.iter().flatten().map(|e| (e.address(), e.log_group.clone()));
    let mut known = services.chain(endpoints);
    if text.starts_with('/') {
        return known
            .find(|(_, g)| g.as_deref() == Some(text))
            .map(|(owner, _)| LogSource { group: text.to_string(), owner })
            .ok_or_else(|| format!("no service or endpoint here logs to {text}"));
    }
    let address: crate::domain::Address = text.parse().map_err(|e: crate::domain::AddressError| e.to_string())?;
    let wanted = match &address {
        crate::domain::Address::Endpoint { endpoint, .. } => crate::domain::Address::endpoint(endpoint),
        other => other.clone(),
    };
    match known.find(|(a, _)| *a == wanted) {
        Some((owner, Some(group))) => Ok(LogSource { group, owner }),
        Some(_) => Err(format!("{address} has no log group")),
        None => Err(format!("{address} is not in the lists")),
    }
}

/// Called when a list's cursor moved (or its data arrived). `immediate` skips the settle delay,
/// e.g. for the first source after start.
pub fn follow_selection(state: &mut State, pane: Pane, immediate: bool) {
    if pane != state.log_follows && state.logs.source.is_some() {
        return;
    }
    let Some(source) = source_for(state, pane) else {
        return;
    };
    if state.logs.source.as_ref() == Some(&source) {
        state.logs.pending = None;
        return;
    }
    if immediate && state.logs.source.is_none() {
        switch_to(state, source);
    } else {
        state.logs.pending = Some((source, state.now));
    }
}

pub fn apply_pending_source(state: &mut State) {
    let Some((_, since)) = &state.logs.pending else {
        return;
    };
    if state.now - *since < Duration::milliseconds(SETTLE) {
        return;
    }
    if let Some((source, _)) = state.logs.pending.take() {
        switch_to(state, source);
    }
}

pub fn switch_to(state: &mut State, source: LogSource) {
    state.logs.pending = None;
    state.logs.source = Some(source);
    restart(state);
    state.dirty = true;
}

/// Forget what was read and read again from the current window.
pub fn restart(state: &mut State) {
    state.logs.view.clear();
    state.logs.generation += 1;
    state.logs.cursor = None;
    state.logs.in_flight = None;
    state.logs.polled_at = None;
    state.logs.error = None;
}

pub fn set_window(state: &mut State, window: LogWindow) {
    state.logs.window = window;
    restart(state);
    state.flash_info(format!("logs: {}", window.label()));
}

pub fn accept(state: &mut State, id: u64, generation: u64, result: Result<LogBatch, String>) -> bool {
    if state.logs.in_flight != Some(id) || state.logs.generation != generation {
        return false;
    }
    state.logs.in_flight = None;
    match result {
        Ok(mut batch) => {
            // A first tail read leaves older history unread on purpose: that is not a loss.
            if state.logs.cursor.is_none() && state.logs.window == LogWindow::Tail {
                batch.skipped = 0;
            }
            state.logs.error = None;
            if let Some(max) = batch.events.iter().map(|e| e.id).max() {
                state.logs.cursor = Some(state.logs.cursor.map_or(max, |c| c.max(max)));
            } else if state.logs.cursor.is_none() {
                // An empty group: follow from the start, so the next poll asks for new events only.
                state.logs.cursor = Some(0);
            }
            state.logs.view.ingest_batch(batch);
        }
        Err(e) => state.logs.error = Some(e),
    }
    true
}

/// ctrl-s: the lines as shown (filter applied), with UTC timestamps, to a file named after the group.
pub fn save(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(source) = &state.logs.source else {
        state.flash_error("no log source to save");
        return;
    };
    let mut contents = String::new();
    let view = &state.logs.view;
    for line in view.window(view.visible_len()) {
        contents.push_str(&format!("{} {} {}\n", line.timestamp.to_rfc3339(), line.stream, line.message));
    }
    let name: String = source
        .group
        .trim_start_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect();
    let file = format!("opsdeck-{}-{}.log", name, state.now.format("%Y%m%dT%H%M%SZ"));
    effects.push(Effect::SaveFile { path: state.settings.save_dir.join(file), contents });
}
