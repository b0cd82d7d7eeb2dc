//! What a palette line does: each command of the palette's grammar (its own words, and every verb
//! of the CLI) handed to the room it is for; verbs that act go down the action path.

use super::action_path;
use super::audit;
use super::environments::{self, EnvRequest};
use super::logs::{source_named, LogWindow};
use super::metric_chart::{self, ChartSubject};
use super::msg::{Effect, OpEffect};
use super::palette::{self, PaletteCommand};
use super::pane::Pane;
use super::report::Report;
use super::rows;
use super::state::{Mode, State};
use crate::backend::BackendLabel;
use crate::domain::Address;
use crate::ops::grammar::{self, LogsArgs, QueryArgs, RunbookCommand, Verb};

/// Run a line typed after `:`.
pub fn run(state: &mut State, line: &str, effects: &mut Vec<Effect>) {
    let command = match palette::parse(line) {
        Ok(Some(command)) => command,
        Ok(None) => return,
        Err(e) => return state.ctx.flash_error(e),
    };
    match command {
        PaletteCommand::Ecs { filter } => pane_with_filter(state, Pane::Services, filter),
        PaletteCommand::Sm { filter } => pane_with_filter(state, Pane::Endpoints, filter),
        PaletteCommand::Lambda { filter } => pane_with_filter(state, Pane::Functions, filter),
        PaletteCommand::Cost => state.panes().focus(Pane::Cost),
        PaletteCommand::Timeline => open_timeline(state, effects),
        PaletteCommand::Refresh => state.panes().refresh(effects),
        PaletteCommand::Zoom => state.panes().toggle_zoom(),
        PaletteCommand::Help => state.mode = Mode::Help { scroll: 0 },
        PaletteCommand::Quit => state.quit = true,
        PaletteCommand::Profile { name } => reconnect(state, Some(name), None, effects),
        PaletteCommand::Region { name } => reconnect(state, None, Some(name), effects),
        PaletteCommand::Verb(Verb::Logs(args)) => logs(state, args),
        PaletteCommand::Verb(Verb::Alarms(args)) => {
            let filter = args.state.map(|s| format!("^{} ", regex::escape(s.state().as_str())));
            pane_with_filter(state, Pane::Alarms, filter)
        }
        PaletteCommand::Verb(Verb::Wait(args)) => state.ctx.flash_info(format!(
            "the console watches every action it applies (the strip above the status bar); `opsdeck wait {}` is for scripts and runbooks",
            args.address.as_deref().or(args.alarm.as_deref()).unwrap_or_default()
        )),
        PaletteCommand::Verb(verb) => run_verb(state, &verb, effects),
    }
}

fn pane_with_filter(state: &mut State, pane: Pane, filter: Option<String>) {
    let mut panes = state.panes();
    panes.focus(pane);
    if let Some(filter) = filter {
        panes.apply_filter(&filter);
    }
}

/// A verb of the grammar in the console: the view it opens, or its plan through the action path.
fn run_verb(state: &mut State, verb: &Verb, effects: &mut Vec<Effect>) {
    match verb {
        Verb::Audit(_) => state.mode = Mode::Audit(audit::open(None, effects)),
        // Without an id, the audit view opens to choose from; with one, it is undone once read.
        Verb::Undo(args) => state.mode = Mode::Audit(audit::open(args.id.clone(), effects)),
        Verb::Env(args) => {
            if let Some(request) = environments::request_from_palette(&mut state.ctx, args) {
                open_environments(state, request, effects);
            }
        }
        Verb::Runbook(args) => match &args.command {
            Some(RunbookCommand::Show { file }) => {
                let target = state.panes().selected_target();
                let next = state.runner().show(file, target.as_ref());
                state.show(next);
            }
            Some(RunbookCommand::Run { file, set, alarm, step, .. }) => {
                let target = state.panes().selected_target();
                let next = state.runner().run(file, alarm.as_deref(), set, *step, target.as_ref());
                state.show(next);
            }
            _ => run_command(state, Verb::Runbook(args.clone()), effects),
        },
        // Reads through the CLI's own code; their output opens as a report.
        Verb::Incident(_) | Verb::Targets(_) | Verb::Metric(_) | Verb::Show(_) | Verb::Lease(_) | Verb::Team(_) => {
            run_command(state, verb.clone(), effects)
        }
        Verb::Query(args) => open_query(state, Some(args), effects),
        Verb::Revisions(args) => match grammar::parse_address(&args.address) {
            Ok(address) => {
                let diff = args.diff.as_ref().and_then(|d| Some((d.first()?.clone(), d.get(1)?.clone())));
                effects.push(Effect::Op(Box::new(OpEffect::Revisions { address, diff })));
            }
            Err(e) => state.ctx.flash_error(e),
        },
        other => {
            action_path::run(&mut state.ctx, &mut state.ops.planning, other, effects);
        }
    }
}

/// The Logs Insights view: from the palette (`:query [QUERY] [--group G]... [--service A]...
/// [--since D]`, run at once when a query is given) or from the log pane (`Q`, on its group and
/// window). Services and endpoints are read as their log groups, as the log pane finds them.
pub fn open_query(state: &mut State, args: Option<&QueryArgs>, effects: &mut Vec<Effect>) {
    let logs = &state.dashboard.logs;
    let mut groups: Vec<String> = args.map(|a| a.groups.clone()).unwrap_or_default();
    for text in args.map(|a| a.services.as_slice()).unwrap_or_default() {
        match source_named(&state.fleet, text) {
            Ok(source) => groups.push(source.group),
            Err(e) => return state.ctx.flash_error(e),
        }
    }
    if groups.is_empty() {
        groups.extend(logs.source.as_ref().map(|s| s.group.clone()));
    }
    groups.dedup();
    let window = args.map(|a| &a.window);
    if window.is_some_and(|w| w.start.is_some()) {
        return state.ctx.flash_error(
            "the console's query view looks back from now: give --since (--start/--end are for opsdeck query)",
        );
    }
    let window_secs = match (window.and_then(|w| w.since), logs.window) {
        (Some(since), _) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX).max(60),
        (None, LogWindow::Last(secs)) if args.is_none() => secs,
        _ => 3600,
    };
    let text = args.and_then(|a| a.query.as_deref());
    let view = super::query::open(groups, window_secs, text, text.is_some(), &mut state.ctx, effects);
    state.mode = Mode::Query(Box::new(view));
}

/// `T` / `:timeline`: the open incident's timeline.
pub fn open_timeline(state: &mut State, effects: &mut Vec<Effect>) {
    if let Some(view) = super::timeline_view::open(&mut state.ctx, &mut state.timeline, effects) {
        state.mode = Mode::Timeline(view);
    }
}

/// `h`: hold the selected resource for 15 minutes, through the `lease` verb (team mode).
pub fn hold(state: &mut State, effects: &mut Vec<Effect>) {
    if !state.ctx.settings.team {
        return state.ctx.flash_info("h holds a resource in team mode: set [team] table in config.toml (docs/team.md)");
    }
    let Some(target) = state.panes().selected_target() else {
        return state.ctx.flash_info("select a service, endpoint or function to hold");
    };
    match grammar::parse_line(&format!("lease {target} --for 15m --note 'held from the console'")) {
        Ok(verb) => run_command(state, verb, effects),
        Err(e) => state.ctx.flash_error(e),
    }
}

/// `m`: the chart of what the selected row stands for: an alarm's metric with its threshold, a
/// service's or an endpoint variant's metrics.
pub fn open_chart(state: &mut State, effects: &mut Vec<Effect>) {
    let (fleet, d) = (&state.fleet, &state.dashboard);
    let opened = match d.focus {
        Pane::Alarms => match rows::selected_alarm(fleet, &d.alarms_list) {
            Some(alarm) => metric_chart::for_alarm(alarm),
            None => Err("select an alarm first".into()),
        },
        Pane::Services => {
            let service = match &d.detail {
                Some(detail) => fleet.services.data.iter().flatten().find(|s| s.address() == detail.address),
                None => rows::selected_service(fleet, &d.services_list),
            };
            match service {
                Some(s) => {
                    let groups: Vec<_> = fleet.target_groups_of(s).collect();
                    Ok((ChartSubject::Resource(s.address()), metric_chart::for_service(s, &groups)))
                }
                None => Err("select a service first".into()),
            }
        }
        Pane::Endpoints => match rows::selected_endpoint_row(fleet, &d.endpoints_list) {
            Some((endpoint, Some(variant))) => {
                let address =
                    Address::Endpoint { endpoint: endpoint.name.clone(), variant: Some(variant.name.clone()) };
                Ok((ChartSubject::Resource(address), metric_chart::for_variant(endpoint, &variant.name)))
            }
            Some((endpoint, None)) => Err(format!("sm:{} has no variant to chart", endpoint.name)),
            None => Err("select an endpoint variant first".into()),
        },
        Pane::Functions => match d.functions.current(fleet) {
            Some(f) => {
                let address = Address::Function { name: f.name.clone() };
                Ok((ChartSubject::Resource(address), metric_chart::for_function(f)))
            }
            None => Err("select a function first".into()),
        },
        Pane::Logs | Pane::Cost => Err("m charts an alarm's metric, a service's or an endpoint's: select one".into()),
    };
    match opened {
        Ok((subject, pages)) => {
            let view = metric_chart::open(subject, pages, &mut state.ctx, effects);
            state.mode = Mode::Chart(Box::new(view));
        }
        Err(why) => state.ctx.flash_info(why),
    }
}

/// The environments view (`E`, `:env`): opened, or kept open and read again.
pub fn open_environments(state: &mut State, request: EnvRequest, effects: &mut Vec<Effect>) {
    let current = match &state.mode {
        Mode::Environments(view) => Some(view.clone()),
        _ => None,
    };
    let last = state.env_last.clone();
    let cost = state.fleet.cost.data.as_ref();
    if let Some(view) = environments::open(current, request, last, cost, &mut state.ctx, effects) {
        state.mode = Mode::Environments(view);
    }
}

/// Run a verb through the CLI's code (`:incident ...`, `:runbook list`): its output comes back
/// as `Msg::CommandOutput` and opens as a report.
fn run_command(state: &mut State, verb: Verb, effects: &mut Vec<Effect>) {
    let id = state.ctx.request_id();
    state.palette_command = Some(id);
    let config = Box::new(state.ctx.settings.clone());
    effects.push(Effect::Op(Box::new(OpEffect::RunCommand { id, verb, config })));
}

/// A palette command's output: one line in the status bar, more as a report.
pub fn output(state: &mut State, code: u8, output: &str) {
    state.palette_command = None;
    let lines: Vec<String> = output.lines().map(str::to_string).collect();
    if lines.len() <= 1 {
        let text = crate::sanitize::inert(lines.first().map_or("done", String::as_str)).into_owned();
        if code == 0 {
            state.ctx.flash_info(text)
        } else {
            state.ctx.flash_error(text)
        }
    } else {
        state.mode = Mode::Report(Report::of_outside_text("opsdeck", &lines));
    }
}

/// `:logs [SOURCE] [--since D] [--filter RE]`: the log pane on that source, window and filter.
fn logs(state: &mut State, args: LogsArgs) {
    let mut panes = state.panes();
    panes.focus(Pane::Logs);
    if let Some(source) = &args.source {
        match source_named(panes.fleet, source) {
            Ok(source) => panes.dashboard.logs.switch_to(source),
            Err(e) => return panes.ctx.flash_error(e),
        }
    }
    if let Some(since) = args.since {
        let secs = i64::try_from(since.as_secs()).unwrap_or(i64::MAX).max(60);
        panes.dashboard.logs.set_window(LogWindow::Last(secs), panes.ctx);
    }
    if let Some(filter) = &args.filter {
        panes.apply_filter(filter);
    }
}

fn reconnect(state: &mut State, profile: Option<String>, region: Option<String>, effects: &mut Vec<Effect>) {
    let BackendLabel::Aws { profile: current_profile, region: current_region } = &state.ctx.label else {
        return state.ctx.flash_error("the simulated fleet has no profiles or regions (run without --demo)");
    };
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@+=,".contains(c));
    if let Some(bad) = profile.iter().chain(region.iter()).find(|s| !valid(s)) {
        return state.ctx.flash_error(format!("'{bad}' is not a profile or region name"));
    }
    // A new profile may carry its own region: only keep the current region when switching region.
    let (profile, region) = match (profile, region) {
        (Some(p), None) => (Some(p), None),
        (None, Some(r)) => (Some(current_profile.clone()), Some(r)),
        (p, r) => (p.or(Some(current_profile.clone())), r.or(Some(current_region.clone()))),
    };
    state.ctx.flash_info(format!(
        "connecting to {} @ {}…",
        profile.as_deref().unwrap_or("default"),
        region.as_deref().unwrap_or("(the profile's region)")
    ));
    effects.push(Effect::Reconnect { profile, region });
}
