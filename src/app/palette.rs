//! The `:` palette. Lines are split like a shell would and parsed by clap. The action verbs
//! (scale, redeploy, rollback, invoke, revisions, logs, alarms, audit, undo, wait) are the very
//! definitions the command line uses (`ops::grammar::Verb`), so a command means the same thing
//! in the palette, in a script and in a runbook.

use super::msg::Effect;
use super::state::{Mode, Pane, State};
use super::{keys, text};
use crate::backend::BackendLabel;
use crate::ops::grammar::Verb;
use clap::{CommandFactory, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(no_binary_name = true, disable_help_flag = true, disable_version_flag = true, disable_help_subcommand = true)]
struct PaletteLine {
    #[command(subcommand)]
    command: PaletteCommand,
}

#[derive(Debug, Subcommand)]
enum PaletteCommand {
    /// ECS services (optionally filtered by a regex)
    #[command(visible_aliases = ["services", "svc"])]
    Ecs { filter: Option<String> },
    /// SageMaker endpoints (optionally filtered)
    #[command(visible_aliases = ["endpoints", "ep"])]
    Sm { filter: Option<String> },
    /// Cost today, month to date and forecast
    Cost,
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

pub fn run(state: &mut State, line: &str, effects: &mut Vec<Effect>) {
    let words = match shell_words::split(line) {
        Ok(words) => words,
        Err(e) => return state.flash_error(format!(":{line}: {e}")),
    };
    if words.is_empty() {
        return;
    }
    let parsed = match PaletteLine::try_parse_from(&words) {
        Ok(parsed) => parsed,
        Err(e) => {
            let first =
                e.to_string().lines().next().unwrap_or("not a command").trim_start_matches("error: ").to_string();
            return state.flash_error(format!(":{line}: {first} (:help lists commands)"));
        }
    };
    let pane_with_filter = |state: &mut State, pane: Pane, filter: Option<String>| {
        keys::focus(state, pane);
        if let Some(filter) = filter {
            text::apply_filter(state, &filter);
        }
    };
    match parsed.command {
        PaletteCommand::Ecs { filter } => pane_with_filter(state, Pane::Services, filter),
        PaletteCommand::Sm { filter } => pane_with_filter(state, Pane::Endpoints, filter),
        PaletteCommand::Cost => keys::focus(state, Pane::Cost),
        PaletteCommand::Refresh => keys::refresh(state, effects),
        PaletteCommand::Zoom => {
            state.zoomed = !state.zoomed;
            keys::clamp_all(state);
        }
        PaletteCommand::Help => state.mode = Mode::Help { scroll: 0 },
        PaletteCommand::Quit => state.quit = true,
        PaletteCommand::Profile { name } => reconnect(state, Some(name), None, effects),
        PaletteCommand::Region { name } => reconnect(state, None, Some(name), effects),
        PaletteCommand::Verb(Verb::Logs(args)) => logs(state, args),
        PaletteCommand::Verb(Verb::Alarms(args)) => {
            let filter = args.state.map(|s| format!("^{} ", regex::escape(s.state().as_str())));
            pane_with_filter(state, Pane::Alarms, filter)
        }
        PaletteCommand::Verb(Verb::Wait(args)) => state.flash_info(format!(
            "the console watches every action it applies (the strip above the status bar); `opsdeck wait {}` is for scripts and runbooks",
            args.address.as_deref().or(args.alarm.as_deref()).unwrap_or_default()
        )),
        PaletteCommand::Verb(verb) => super::operations::run_verb(state, &verb, effects),
    }
}

/// `:logs [SOURCE] [--since D] [--filter RE]`: the log pane on that source, window and filter.
fn logs(state: &mut State, args: crate::ops::grammar::LogsArgs) {
    keys::focus(state, Pane::Logs);
    if let Some(source) = &args.source {
        match super::logs_ctl::source_named(state, source) {
            Ok(source) => super::logs_ctl::switch_to(state, source),
            Err(e) => return state.flash_error(e),
        }
    }
    if let Some(since) = args.since {
        let secs = i64::try_from(since.as_secs()).unwrap_or(i64::MAX).max(60);
        super::logs_ctl::set_window(state, super::state::LogWindow::Last(secs));
    }
    if let Some(filter) = &args.filter {
        text::apply_filter(state, filter);
    }
}

fn reconnect(state: &mut State, profile: Option<String>, region: Option<String>, effects: &mut Vec<Effect>) {
    let BackendLabel::Aws { profile: current_profile, region: current_region } = &state.label else {
        return state.flash_error("the simulated fleet has no profiles or regions (run without --demo)");
    };
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@+=,".contains(c));
    if let Some(bad) = profile.iter().chain(region.iter()).find(|s| !valid(s)) {
        return state.flash_error(format!("'{bad}' is not a profile or region name"));
    }
    // A new profile may carry its own region: only keep the current region when switching region.
    let (profile, region) = match (profile, region) {
        (Some(p), None) => (Some(p), None),
        (None, Some(r)) => (Some(current_profile.clone()), Some(r)),
        (p, r) => (p.or(Some(current_profile.clone())), r.or(Some(current_region.clone()))),
    };
    state.flash_info(format!(
        "connecting to {} @ {}…",
        profile.as_deref().unwrap_or("default"),
        region.as_deref().unwrap_or("(the profile's region)")
    ));
    effects.push(Effect::Reconnect { profile, region });
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
        assert_eq!(complete("co").as_deref(), Some("cost "));
        assert_eq!(complete("e"), None, "ecs, ep, exit, endpoints are all candidates");
    }
}
