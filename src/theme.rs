//! Colours named by meaning. Themes are TOML files in `themes/`, embedded in the binary; a user's
//! file of the same name in the config directory is layered over the embedded one.
//! (Loading is implemented below the struct.)

use ratatui::style::Style;

/// Every style the UI uses, by what it means. Renderers never name a colour directly.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// Default text on the default background.
    pub base: Style,
    /// Secondary text: hints, ages, units, "no data".
    pub muted: Style,
    pub title: Style,
    pub title_focused: Style,
    pub border: Style,
    pub border_focused: Style,
    /// Table header rows.
    pub header: Style,
    /// The selected row of the focused pane.
    pub selection: Style,
    pub health_ok: Style,
    pub health_warn: Style,
    pub health_bad: Style,
    /// Destructive or alarming: ALARM rows, failed rollouts, errors.
    pub danger: Style,
    pub info: Style,
    pub accent: Style,
    /// The DEMO badge in the status bar.
    pub badge_demo: Style,
    /// The profile/region badge for a live account.
    pub badge_live: Style,
    /// A regex match inside a log line.
    pub match_highlight: Style,
    pub chart: Style,
    pub chart_alt: Style,
    pub budget_line: Style,
    pub over_budget: Style,
    pub status_bar: Style,
    pub key_hint: Style,
    /// Text being typed in the palette or a filter prompt.
    pub input: Style,
}
