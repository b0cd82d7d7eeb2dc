//! Key bindings per context, loaded from TOML (embedded defaults, then the user's file over them).

mod action;
mod chord;

pub use action::Action;
pub use chord::{ChordCode, ChordError, KeyChord};

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT_KEYMAP: &str = include_str!("default-keymap.toml");

/// Where a binding applies. A context's own bindings win over global ones while it is in use:
/// the log pane focused, the environments view or a runbook open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    Global,
    Logs,
    Environments,
    Runbook,
    Query,
    Chart,
    Timeline,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Logs,
        Context::Environments,
        Context::Runbook,
        Context::Query,
        Context::Chart,
        Context::Timeline,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Logs => "Log pane",
            Context::Environments => "Environments view (:env)",
            Context::Runbook => "Runbook view",
            Context::Query => "Logs Insights view (:query), once a query runs",
            Context::Chart => "Metric chart (m)",
            Context::Timeline => "Incident timeline (T)",
        }
    }

    /// The section of the keymap file.
    pub fn section(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Logs => "logs",
            Context::Environments => "environments",
            Context::Runbook => "runbook",
            Context::Query => "query",
            Context::Chart => "chart",
            Context::Timeline => "timeline",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    tables: BTreeMap<Context, BTreeMap<KeyChord, Action>>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("{origin}: not a valid keymap: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: [{context}] {source}")]
    Key { origin: String, context: &'static str, source: ChordError },
    #[error("{origin}: could not read: {source}")]
    Io { origin: String, source: std::io::Error },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    #[serde(default)]
    global: BTreeMap<String, Action>,
    #[serde(default)]
    logs: BTreeMap<String, Action>,
    #[serde(default)]
    environments: BTreeMap<String, Action>,
    #[serde(default)]
    runbook: BTreeMap<String, Action>,
    #[serde(default)]
    query: BTreeMap<String, Action>,
    #[serde(default)]
    chart: BTreeMap<String, Action>,
    #[serde(default)]
    timeline: BTreeMap<String, Action>,
}

/// One row of the help screen: the keys bound to an action in a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub context: Context,
    pub keys: Vec<KeyChord>,
    pub action: Action,
}

impl Keymap {
    pub fn defaults() -> Result<Keymap, KeymapError> {
        let empty = Keymap { tables: Context::ALL.iter().map(|c| (*c, BTreeMap::new())).collect() };
        empty.layered(DEFAULT_KEYMAP, "built-in keymap")
    }

    /// The defaults with the user's file (if it exists) layered over them.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let defaults = Keymap::defaults()?;
        let Some(path) = user_file.filter(|p| p.exists()) else {
            return Ok(defaults);
        };
        let origin = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| KeymapError::Io { origin: origin.clone(), source })?;
        defaults.layered(&text, &origin)
    }

    /// Parse `text` and apply its bindings over these; the original is untouched on error.
    pub fn layered(&self, text: &str, origin: &str) -> Result<Keymap, KeymapError> {
        let file: KeymapFile = toml::from_str(text).map_err(|e| KeymapError::Syntax {
            origin: origin.to_string(),
            // toml quotes the file's text (an unknown action, a key): inert, on one line.
            message: crate::sanitize::inert(e.message().trim()).into_owned(),
        })?;
        let mut out = self.clone();
        let sections = [
            (Context::Global, file.global),
            (Context::Logs, file.logs),
            (Context::Environments, file.environments),
            (Context::Runbook, file.runbook),
            (Context::Query, file.query),
            (Context::Chart, file.chart),
            (Context::Timeline, file.timeline),
        ];
        for (context, entries) in sections {
            let table = out.tables.entry(context).or_default();
            for (key, action) in entries {
                let chord: KeyChord = key.parse().map_err(|source| KeymapError::Key {
                    origin: origin.to_string(),
                    context: context.section(),
                    source,
                })?;
                table.insert(chord, action);
            }
        }
        Ok(out)
    }

    /// The action of a key in a context: the context's own binding, else the global one.
    pub fn action(&self, chord: &KeyChord, context: Context) -> Option<Action> {
        let own = self.tables.get(&context).and_then(|t| t.get(chord));
        let found = own.or_else(|| self.tables.get(&Context::Global).and_then(|t| t.get(chord)));
        found.copied().filter(|a| *a != Action::None)
    }

    /// Help rows grouped by context, in action order, each with every key bound to it.
    pub fn help(&self) -> Vec<HelpEntry> {
        let mut rows = Vec::new();
        for (context, table) in &self.tables {
            let context = *context;
            let mut by_action: BTreeMap<Action, Vec<KeyChord>> = BTreeMap::new();
            for (chord, action) in table {
                if *action != Action::None {
                    by_action.entry(*action).or_default().push(*chord);
                }
            }
            rows.extend(by_action.into_iter().map(|(action, keys)| HelpEntry { context, keys, action }));
        }
        rows
    }

    /// The first key bound to an action, for hints in the status bar.
    pub fn key_for(&self, action: Action) -> Option<KeyChord> {
        self.key_in(Context::Global, action)
    }

    /// The first key bound to an action in a context (its own bindings, else the global ones).
    pub fn key_in(&self, context: Context, action: Action) -> Option<KeyChord> {
        let find = |c: Context| self.tables.get(&c)?.iter().find(|(_, a)| **a == action).map(|(k, _)| *k);
        find(context).or_else(|| find(Context::Global))
    }

    /// The help table as Markdown (docs/keys.md embeds this; a test keeps them equal).
    pub fn help_markdown(&self) -> String {
        let mut out = String::new();
        let mut current = None;
        for row in self.help() {
            if current != Some(row.context) {
                current = Some(row.context);
                out.push_str(&format!("\n### {}\n\n| keys | action |\n| --- | --- |\n", row.context.title()));
            }
            let keys: Vec<String> = row.keys.iter().map(|k| format!("`{k}`")).collect();
            out.push_str(&format!("| {} | {} |\n", keys.join(" "), row.action.description()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bind_the_k9s_conventions() {
        let km = Keymap::defaults().unwrap();
        let k = |s: &str| s.parse::<KeyChord>().unwrap();
        assert_eq!(km.action(&k(":"), Context::Global), Some(Action::Palette));
        assert_eq!(km.action(&k("/"), Context::Global), Some(Action::Filter));
        assert_eq!(km.action(&k("j"), Context::Global), Some(Action::Down));
        assert_eq!(km.action(&k("G"), Context::Global), Some(Action::Bottom));
        assert_eq!(km.action(&k("ctrl-f"), Context::Global), Some(Action::PageDown));
        // Log bindings only apply in the log pane.
        assert_eq!(km.action(&k("f"), Context::Global), None);
        assert_eq!(km.action(&k("f"), Context::Logs), Some(Action::ToggleFollow));
        assert_eq!(km.action(&k("j"), Context::Logs), Some(Action::Down));
    }

    #[test]
    fn user_file_overrides_and_unbinds() {
        let km = Keymap::defaults().unwrap();
        let km = km.layered("[global]\n\"x\" = \"zoom\"\n\"z\" = \"none\"\n", "mine.toml").unwrap();
        let k = |s: &str| s.parse::<KeyChord>().unwrap();
        assert_eq!(km.action(&k("x"), Context::Global), Some(Action::Zoom));
        assert_eq!(km.action(&k("z"), Context::Global), None);
        assert!(km.help().iter().any(|r| r.action == Action::Zoom && r.keys == vec![k("x")]));
    }

    #[test]
    fn bad_files_are_clear_errors() {
        let km = Keymap::defaults().unwrap();
        let err = km.layered("[global]\n\"x\" = \"zoomm\"\n", "mine.toml").unwrap_err().to_string();
        assert!(err.starts_with("mine.toml: not a valid keymap"), "{err}");
        assert!(err.contains("zoomm"), "{err}");
        let err = km.layered("[global]\n\"ctrl-\" = \"zoom\"\n", "mine.toml").unwrap_err().to_string();
        assert!(err.contains("[global] 'ctrl-' is not a key"), "{err}");
        let err = km.layered("[globl]\n", "mine.toml").unwrap_err().to_string();
        assert!(err.contains("globl"), "{err}");
    }

    #[test]
    fn help_lists_every_bound_action_once_per_context() {
        let km = Keymap::defaults().unwrap();
        let help = km.help();
        let down = help.iter().find(|r| r.action == Action::Down).unwrap();
        assert_eq!(down.keys.len(), 2);
        assert!(help.iter().any(|r| r.context == Context::Logs && r.action == Action::SaveLogs));
        assert!(km.help_markdown().contains("| `ctrl-s` | save the shown lines to a file |"));
    }
}
