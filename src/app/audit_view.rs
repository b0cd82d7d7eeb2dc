//! The audit view (`:audit`, `u` to undo) and read-only reports (an invocation's answer, a
//! revision list or diff, a command's output).

use super::msg::{Effect, OpEffect};
use super::ops_state::{AuditView, Report};
use super::state::{Mode, State};
use crate::audit::AuditEntry;
use crate::keymap::Action;
use crate::ops::grammar;

pub fn open_audit(state: &mut State, effects: &mut Vec<Effect>) {
    state.mode =
        Mode::Audit(AuditView { entries: Vec::new(), selected: 0, loading: true, error: None, undo_when_read: None });
    effects.push(Effect::Op(Box::new(OpEffect::ReadAudit)));
}

pub fn audit_read(state: &mut State, result: Result<Vec<AuditEntry>, String>, effects: &mut Vec<Effect>) {
    let Mode::Audit(view) = &mut state.mode else { return };
    view.loading = false;
    match result {
        Ok(mut entries) => {
            for e in &mut entries {
                super::inert::audit_entry(e);
            }
            view.entries = entries;
        }
        Err(e) => view.error = Some(e),
    }
    view.selected = view.selected.min(view.entries.len().saturating_sub(1));
    if let Some(id) = view.undo_when_read.take() {
        let entry = view.entries.iter().find(|e| e.id == id).cloned();
        state.mode = Mode::Normal;
        match entry {
            Some(entry) => undo(state, &entry, effects),
            None => state.flash_error(format!("no action {id} in the audit log")),
        }
    }
}

/// Keys in the audit view: move, `u` undo the selected action, anything else closes.
pub fn audit_action(state: &mut State, action: Action, effects: &mut Vec<Effect>) {
    let Mode::Audit(view) = &mut state.mode else { return };
    if let Some(to) = super::keys::moved(view.selected, view.entries.len(), action) {
        view.selected = to;
        return;
    }
    match action {
        Action::Undo => {
            let entry = view.entries.get(view.selected).cloned();
            state.mode = Mode::Normal;
            match entry {
                Some(entry) => undo(state, &entry, effects),
                None => state.flash_info("nothing to undo"),
            }
        }
        Action::QuitRequest => super::keys::quit_request(state),
        _ => state.mode = Mode::Normal,
    }
}

/// Undo runs the audit's inverse command through the same plan/confirm path.
pub fn undo(state: &mut State, entry: &AuditEntry, effects: &mut Vec<Effect>) {
    let Some(inverse) = &entry.inverse else {
        return state.flash_info(format!(
            "{} {} has no undo (nothing it changed can be put back)",
            entry.action, entry.resource
        ));
    };
    match grammar::parse_line(inverse) {
        Ok(verb) => super::operations::run_verb(state, &verb, effects),
        Err(e) => state.flash_error(format!("the audit's inverse `{inverse}` does not parse: {e}")),
    }
}

/// Keys in a report: scroll, anything else closes.
pub fn report_action(state: &mut State, action: Action) {
    let Mode::Report(report) = &mut state.mode else { return };
    match action {
        Action::Down => report.scroll += 1,
        Action::Up => report.scroll = report.scroll.saturating_sub(1),
        Action::PageDown => report.scroll += 10,
        Action::PageUp => report.scroll = report.scroll.saturating_sub(10),
        Action::Top => report.scroll = 0,
        _ => state.mode = Mode::Normal,
    }
}

pub fn report(state: &mut State, title: String, result: Result<Vec<String>, String>) {
    match result {
        Ok(lines) => {
            let lines = lines.iter().map(|l| crate::sanitize::inert(l).into_owned()).collect();
            state.mode = Mode::Report(Report { title, lines, scroll: 0 });
        }
        Err(e) => state.flash_error(crate::sanitize::inert(&e).into_owned()),
    }
}
