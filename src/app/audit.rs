//! The audit view (`:audit`): actions from the audit log, newest first; `u` undoes the selected
//! one by running its inverse command through the same plan/confirm path (`:undo ID` does it
//! as soon as the log is read). In team mode it is every operator's actions from the team table
//! (read off the UI loop, as `audit --team` reads them), or this bastion's file, said so, while
//! the table cannot be read.

use super::action_path::{self, Planning};
use super::context::Context;
use super::inert;
use super::list::moved;
use super::msg::{AuditRead, Effect, OpEffect};
use super::next::Next;
use crate::audit::AuditEntry;
use crate::keymap::Action;
use crate::ops::grammar;

#[derive(Debug, Clone, PartialEq)]
pub struct AuditView {
    pub entries: Vec<AuditEntry>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
    /// `:undo ID`: undo this action as soon as the log is read.
    pub undo_when_read: Option<String>,
    /// Team mode: the table the entries are every operator's from.
    pub table: Option<String>,
    /// Team mode, the table unreachable: why (the entries are this bastion's).
    pub shared_error: Option<String>,
}

/// Open the view and read the log.
pub fn open(undo: Option<String>, effects: &mut Vec<Effect>) -> AuditView {
    effects.push(Effect::Op(Box::new(OpEffect::ReadAudit)));
    AuditView {
        entries: Vec::new(),
        selected: 0,
        loading: true,
        error: None,
        undo_when_read: undo,
        table: None,
        shared_error: None,
    }
}

impl AuditView {
    /// The log was read. With `:undo ID` waiting, the view closes and the action is undone.
    pub fn read(
        &mut self,
        ctx: &mut Context,
        planning: &mut Option<Planning>,
        result: Result<AuditRead, String>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        self.loading = false;
        match result {
            Ok(read) => {
                let mut entries: Vec<AuditEntry> = read.entries;
                entries.iter_mut().for_each(inert::audit_entry);
                self.entries = entries;
                self.table = read.table.map(|t| crate::sanitize::inert(&t).into_owned());
                self.shared_error = read.shared_error.map(|e| crate::sanitize::inert(&e).into_owned());
            }
            Err(e) => self.error = Some(e),
        }
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
        let Some(id) = self.undo_when_read.take() else { return Next::Stay };
        match self.entries.iter().find(|e| e.id == id) {
            Some(entry) => undo(ctx, planning, entry, effects),
            None => ctx.flash_error(format!("no action {id} in the audit log")),
        }
        Next::Dashboard
    }

    /// Keys in the view: move, `u` undo the selected action, anything else closes.
    pub fn on_action(
        &mut self,
        action: Action,
        ctx: &mut Context,
        planning: &mut Option<Planning>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        if let Some(to) = moved(self.selected, self.entries.len(), action) {
            self.selected = to;
            return Next::Stay;
        }
        match action {
            Action::Undo => {
                match self.entries.get(self.selected) {
                    Some(entry) => undo(ctx, planning, entry, effects),
                    None => ctx.flash_info("nothing to undo"),
                }
                Next::Dashboard
            }
            Action::QuitRequest => Next::QuitRequest,
            _ => Next::Dashboard,
        }
    }
}

/// Undo runs the audit's inverse command through the same plan/confirm path.
fn undo(ctx: &mut Context, planning: &mut Option<Planning>, entry: &AuditEntry, effects: &mut Vec<Effect>) {
    let Some(inverse) = &entry.inverse else {
        return ctx.flash_info(format!(
            "{} {} has no undo (nothing it changed can be put back)",
            entry.action, entry.resource
        ));
    };
    match grammar::parse_line(inverse) {
        Ok(verb) => {
            action_path::run(ctx, planning, &verb, effects);
        }
        Err(e) => ctx.flash_error(format!("the audit's inverse `{inverse}` does not parse: {e}")),
    }
}
