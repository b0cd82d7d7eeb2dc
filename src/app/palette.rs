//! The `:` palette: a line edited, completed with tab and submitted with enter. Lines are split
//! like a shell would and parsed by clap. The action verbs
//! (scale, redeploy, rollback, invoke, revisions, logs, alarms, audit, undo, wait) are the very
//! definitions the command line uses (`ops::grammar::Verb`), so a command means the same thing
//! in the palette, in a script and in a runbook.

use super::text_input::{Edit, TextInput};
use crate::keymap::KeyChord;
use crate::ops::grammar::Verb;
use clap::{CommandFactory, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(no_binary_name = true, disable_help_flag = true, disable_version_flag = true, disable_help_subcommand = true)]
struct PaletteLine {
    #[command(subcommand)]
    command: PaletteCommand,
}

#[derive(Debug, Subcommand)]
pub enum PaletteCommand {
    /// ECS services (optionally filtered by a regex)
    #[command(visible_aliases = ["services", "svc"])]
    Ecs { filter: Option<String> },
    /// SageMaker endpoints (optionally filtered)
    #[command(visible_aliases = ["endpoints", "ep"])]
    Sm { filter: Option<String> },
    /// Lambda functions (optionally filtered)
    #[command(visible_aliases = ["functions", "fn"])]
    Lambda { filter: Option<String> },
    /// Cost today, month to date and forecast
    Cost,
    /// The open incident's timeline: every operator's entries (team mode) and who else is in it
    Timeline,
    /// Refresh the focused pane now
    Refresh,
    /// Zoom the focused pane / back to the dashboard
    Zoom,
    /// Show the key bindings
    #[command(visible_alias = "h")]
    Help,
    /// Switch to another AWS profile (same region unless the profile sets one)
    Profile { name: String },
    /// Switch to another AWS region (same profile)
    Region { name: String },
    /// Quit opsdeck
    #[command(visible_aliases = ["q", "q!", "exit"])]
    Quit,
    #[command(flatten)]
    Verb(Verb),
}

/// Parse a palette line; the error is what the status bar says.
pub fn parse(line: &str) -> Result<Option<PaletteCommand>, String> {
    // The status bar shows the line and clap's words from it: inert, so what was typed (or
    // pasted) cannot reach the terminal as a control sequence.
    let shown = crate::sanitize::inert(line);
    let words = shell_words::split(line).map_err(|e| format!(":{shown}: {e}"))?;
    if words.is_empty() {
        return Ok(None);
    }
    match PaletteLine::try_parse_from(&words) {
        Ok(parsed) => Ok(Some(parsed.command)),
        Err(e) => {
            let error = e.to_string();
            let first = error.lines().next().unwrap_or("not a command").trim_start_matches("error: ");
            Err(format!(":{shown}: {} (:help lists commands)", crate::sanitize::inert(first)))
        }
    }
}

/// What a key in the palette did.
pub enum PaletteKey {
    Stay,
    Close,
    /// enter: the line typed.
    Submit(String),
}

/// A key typed into the palette: edits, tab completes a command's name, enter submits.
pub fn on_key(input: &mut TextInput, chord: KeyChord) -> PaletteKey {
    match input.edit(chord) {
        Edit::Edited => PaletteKey::Stay,
        Edit::Cancel => PaletteKey::Close,
        Edit::Submit => PaletteKey::Submit(input.text.clone()),
        Edit::Complete => {
            if let Some(done) = complete(&input.text) {
                *input = TextInput::with_text(&done);
            }
            PaletteKey::Stay
        }
    }
}

/// Every command with its aliases and one-line description, for suggestions and completion.
pub fn commands() -> Vec<(String, Vec<String>, String)> {
    PaletteLine::command()
        .get_subcommands()
        .map(|c| {
            let aliases = c.get_visible_aliases().map(str::to_string).collect();
            let about = c.get_about().map(|a| a.to_string()).unwrap_or_default();
            (c.get_name().to_string(), aliases, about)
        })
        .collect()
}

/// Commands whose name or alias starts with the first word typed.
pub fn suggestions(typed: &str) -> Vec<(String, Vec<String>, String)> {
    let word = typed.split_whitespace().next().unwrap_or("");
    if typed.contains(' ') {
        return Vec::new();
    }
    commands()
        .into_iter()
        .filter(|(name, aliases, _)| name.starts_with(word) || aliases.iter().any(|a| a.starts_with(word)))
        .collect()
}

/// Tab completion: the one command the prefix names, if it names exactly one.
pub fn complete(typed: &str) -> Option<String> {
    if typed.contains(' ') || typed.is_empty() {
        return None;
    }
    let matches = suggestions(typed);
    match matches.as_slice() {
        [(name, aliases, _)] => {
            let word = if name.starts_with(typed) {
                name.clone()
            } else {
                aliases.iter().find(|a| a.starts_with(typed))?.clone()
            };
            Some(format!("{word} "))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_palette_grammar_is_consistent() {
        PaletteLine::command().debug_assert();
        assert!(suggestions("q").iter().any(|(name, _, _)| name == "quit"));
        assert_eq!(complete("cos").as_deref(), Some("cost "));
        assert_eq!(complete("co"), None, "cost and concurrency");
        assert_eq!(complete("lam").as_deref(), Some("lambda "));
        assert_eq!(complete("e"), None, "ecs, ep, exit, endpoints are all candidates");
    }
}
