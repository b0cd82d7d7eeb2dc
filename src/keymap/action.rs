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
    /// Unbinds a key inherited from the defaults.
    None,
}

impl Action {
    pub fn description(self) -> &'static str {
        match self {
            Action::Help => "show this help",
            Action::Palette => "open the command palette (:ecs, :sm, :logs, :alarms, :cost, :q)",
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
            Action::Select => "drill down: tasks and events, or jump to what an alarm watches",
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
            Action::None => "(unbound)",
        }
    }
}
