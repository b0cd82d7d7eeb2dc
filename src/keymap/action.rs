//! The one vocabulary of intents. Keymap files name these in snake_case; the help screen is
//! generated from the bindings, so what `?` shows can never drift from what the keys do.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Help,
    Palette,
    Filter,
    Back,
    NextPane,
    PrevPane,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Select,
    Zoom,
    Refresh,
    QuitRequest,
    Suspend,
    ToggleFollow,
    ToggleWrap,
    CycleTimestamps,
    NextMatch,
    PrevMatch,
    ToggleHighlight,
    SaveLogs,
    WindowTail,
    Window1m,
    Window5m,
    Window15m,
    Window30m,
    Window1h,
    Window3h,
    Scale,
    Redeploy,
    Rollback,
    Invoke,
    Undo,
    Environments,
    Teardown,
    Restore,
    Runbook,
    RunStep,
    SkipStep,
    Note,
    /// The selected alarm's metric (or the service's or endpoint's metrics) as a chart.
    Chart,
    /// Logs Insights over the log pane's group and window.
    Query,
    /// The Lambda functions pane in the place it shares, or the other pane back.
    Functions,
    /// Copy the selection's identifier (OSC 52).
    Copy,
    /// The open incident's timeline: every operator's entries in team mode, and who has it open.
    Timeline,
    /// Team mode: hold the selected resource for 15 minutes (a lease), or give it back.
    Hold,
    /// Show and copy the selection's AWS console address.
    ConsoleUrl,
    EditQuery,
    ToggleChart,
    #[serde(rename = "range_1h")]
    Range1h,
    #[serde(rename = "range_3h")]
    Range3h,
    #[serde(rename = "range_24h")]
    Range24h,
    #[serde(rename = "range_7d")]
    Range7d,
    NextMetric,
    PrevMetric,
    /// Unbinds a key inherited from the defaults.
    None,
}

impl Action {
    pub fn description(self) -> &'static str {
        match self {
            Action::Help => "show this help",
            Action::Palette => "open the command palette (:ecs, :sm, :lambda, :logs, :alarms, :cost, :q)",
            Action::Filter => "filter the pane by regex (/!re inverts)",
            Action::Back => "close the popup, detail view or filter",
            Action::NextPane => "focus the next pane",
            Action::PrevPane => "focus the previous pane",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom (logs: follow again)",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Select => {
                "drill down: a service's tasks, an endpoint's models, a function's detail; an alarm: what it watches"
            }
            Action::Copy => "copy the selection: a service's address, a name, a function's ARN, the log line (OSC 52)",
            Action::ConsoleUrl => "show and copy the selection's AWS console address",
            Action::Timeline => {
                "the open incident's timeline, every operator's entries (team mode) and who else is in it"
            }
            Action::Hold => "team mode: hold the selected resource for 15 minutes (others' actions on it are refused)",
            Action::Functions => "Lambda functions in the place they share (again: the other pane back)",
            Action::Zoom => "zoom the focused pane / back to the dashboard",
            Action::Refresh => "refresh the focused pane now",
            Action::QuitRequest => "quit (asks first)",
            Action::Suspend => "suspend to the shell (fg to return)",
            Action::ToggleFollow => "follow / pause the tail",
            Action::ToggleWrap => "wrap long lines",
            Action::CycleTimestamps => "timestamps: relative, local, UTC, off",
            Action::NextMatch => "next match",
            Action::PrevMatch => "previous match",
            Action::ToggleHighlight => "filter mode: only matching lines / all lines with matches highlighted",
            Action::SaveLogs => "save the shown lines to a file",
            Action::WindowTail => "live tail from now",
            Action::Window1m => "last 1 minute",
            Action::Window5m => "last 5 minutes",
            Action::Window15m => "last 15 minutes",
            Action::Window30m => "last 30 minutes",
            Action::Window1h => "last hour",
            Action::Window3h => "last 3 hours",
            Action::Scale => {
                "scale the selected service or variant, or a function's concurrency (or what the alarm watches)"
            }
            Action::Redeploy => "force a new deployment of the selected service",
            Action::Rollback => "roll the selected service back to the last revision that completed",
            Action::Invoke => "send the configured test inference (endpoint) or test event (function)",
            Action::Undo => "in the audit view (:audit): undo the selected action",
            Action::Environments => "environments: what runs, what is torn down, what a teardown saves (:env)",
            Action::Teardown => "tear the selected environment down (its state is saved first)",
            Action::Restore => "restore the selected environment exactly as saved",
            Action::Runbook => {
                "open the selected alarm's runbook (an incident opens with it), or go back to the open runbook"
            }
            Action::RunStep => "run the selected step's commands (changes still ask first)",
            Action::SkipStep => "mark the selected step skipped",
            Action::Note => "add a note to the incident timeline",
            Action::Chart => {
                "chart the selected alarm's metric with its threshold, or the service's or endpoint's metrics"
            }
            Action::Query => "Logs Insights over this group and window (:query)",
            Action::EditQuery => "edit the query (enter runs it again)",
            Action::ToggleChart => "a stats ... by bin() result as a chart / as a table",
            Action::Range1h => "the last hour",
            Action::Range3h => "the last 3 hours",
            Action::Range24h => "the last 24 hours",
            Action::Range7d => "the last 7 days",
            Action::NextMetric => "the next metric",
            Action::PrevMetric => "the previous metric",
            Action::None => "(unbound)",
        }
    }
}
