//! The names a query uses, resolved to built-ins or slots while it is parsed.
//!
//! Before the first `stats`, any name may be a field of the logs (discovered in JSON), so every
//! name read there is a JSON path to look for. After a `stats`, only its output columns (and
//! what later commands define) exist, and naming anything else is an error, not an empty column.

use super::ast::{Builtin, FieldId};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Default)]
pub struct Scope {
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Slots read while records are still events: JSON paths to look for.
    from_events: Vec<bool>,
    /// After a `stats`: the slots that exist.
    after_stats: Option<HashSet<usize>>,
}

impl Scope {
    /// The field a name reads, or the sentence saying why it does not exist here.
    pub fn read(&mut self, name: &str) -> Result<FieldId, String> {
        match &self.after_stats {
            None => {
                if let Some(builtin) = Builtin::named(name) {
                    return Ok(FieldId::Builtin(builtin));
                }
                let slot = self.slot(name);
                self.from_events[slot] = true;
                Ok(FieldId::Slot(slot))
            }
            Some(available) => match self.index.get(name) {
                Some(slot) if available.contains(slot) => Ok(FieldId::Slot(*slot)),
                _ => {
                    let mut have: Vec<&str> = available.iter().map(|&s| self.names[s].as_str()).collect();
                    have.sort_unstable();
                    Err(format!("field '{name}' does not exist after stats (there are: {})", have.join(", ")))
                }
            },
        }
    }

    /// Whether a name is a built-in field here (built-ins can't be assigned while they exist).
    pub fn is_builtin(&self, name: &str) -> bool {
        self.after_stats.is_none() && Builtin::named(name).is_some()
    }

    /// The slot a command writes a name to; it exists from now on.
    pub fn write(&mut self, name: &str) -> usize {
        let slot = self.slot(name);
        if let Some(available) = &mut self.after_stats {
            available.insert(slot);
        }
        slot
    }

    /// A `stats` replaces the records with its rows: only `columns` exist afterwards.
    pub fn stats_outputs(&mut self, columns: &[&str]) -> Vec<usize> {
        let slots: Vec<usize> = columns.iter().map(|name| self.slot(name)).collect();
        self.after_stats = Some(slots.iter().copied().collect());
        slots
    }

    pub fn slot_count(&self) -> usize {
        self.names.len()
    }

    /// The JSON paths to look for in events, with their slots.
    pub fn json_paths(&self) -> Vec<(String, usize)> {
        self.names.iter().enumerate().filter(|(slot, _)| self.from_events[*slot]).map(|(s, n)| (n.clone(), s)).collect()
    }

    fn slot(&mut self, name: &str) -> usize {
        if let Some(&slot) = self.index.get(name) {
            return slot;
        }
        let slot = self.names.len();
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), slot);
        self.from_events.push(false);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_resolve_and_other_names_become_json_paths() {
        let mut scope = Scope::default();
        assert_eq!(scope.read("@message"), Ok(FieldId::Builtin(Builtin::Message)));
        assert_eq!(scope.read("level"), Ok(FieldId::Slot(0)));
        assert_eq!(scope.read("level"), Ok(FieldId::Slot(0)));
        scope.write("computed");
        assert_eq!(scope.json_paths(), vec![("level".to_string(), 0)]);
    }

    #[test]
    fn after_stats_only_its_columns_and_later_fields_exist() {
        let mut scope = Scope::default();
        scope.read("path").unwrap();
        let slots = scope.stats_outputs(&["path", "count(*)", "@logStream"]);
        assert_eq!(slots.len(), 3);
        assert_eq!(scope.read("count(*)"), Ok(FieldId::Slot(slots[1])));
        assert_eq!(scope.read("@logStream"), Ok(FieldId::Slot(slots[2])));
        let err = scope.read("latency_ms").unwrap_err();
        assert!(
            err.contains("'latency_ms' does not exist after stats (there are: @logStream, count(*), path)"),
            "{err}"
        );
        let doubled = scope.write("doubled");
        assert_eq!(scope.read("doubled"), Ok(FieldId::Slot(doubled)));
        assert!(!scope.is_builtin("@message"));
    }
}
