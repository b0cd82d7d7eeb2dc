//! Colours named by meaning. Themes are TOML files in `themes/`, embedded in the binary; a user's
//! file of the same name in the config directory is layered over the embedded one.
//!
//! File format (see `docs/themes.md` for users):
//!
//! ```toml
//! name = "dark"
//! [styles]
//! danger = { fg = "lightred", bold = true }   # fg, bg, bold, dim, italic, underline, reversed
//! muted = "darkgray"                          # shorthand for { fg = "darkgray" }
//! ```
//!
//! Renderers take every style from a [`Theme`] and never name a colour themselves.

mod error;
mod file;
#[cfg(test)]
mod tests;

use std::path::Path;

use ratatui::style::Style;

pub use error::ThemeError;

/// The themes embedded in the binary, in the order they are listed to users.
pub const BUILTIN_THEMES: &[&str] = &["dark", "light", "high-contrast", "monochrome"];
/// The theme used when nothing is chosen.
pub const DEFAULT_THEME: &str = "dark";
/// The theme forced by `NO_COLOR` (unless a theme is chosen explicitly).
pub const NO_COLOR_THEME: &str = "monochrome";
/// The keys a style table may have.
pub const STYLE_KEYS: &[&str] = &["fg", "bg", "bold", "dim", "italic", "underline", "reversed"];

/// The embedded theme files; `include_str!` paths are relative to this file.
const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    ("high-contrast", include_str!("../themes/high-contrast.toml")),
    ("monochrome", include_str!("../themes/monochrome.toml")),
];

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
    /// An alarm's threshold line in a metric chart (drawn as `╌`) and its label on the y axis.
    pub chart_threshold: Style,
    /// The periods an alarm was in ALARM, marked `█` under a metric chart's time axis.
    pub chart_alarm: Style,
    pub budget_line: Style,
    pub over_budget: Style,
    pub status_bar: Style,
    pub key_hint: Style,
    /// Text being typed in the palette or a filter prompt.
    pub input: Style,
}

/// Lists the slots once; generates [`SLOTS`], the unstyled constructor and slot lookup.
/// The destructuring in `styles()` has no `..`, so a field added to [`Theme`] but not listed
/// here fails to compile.
macro_rules! theme_slots {
    ($($slot:ident),+ $(,)?) => {
        /// Every style slot, in declaration order: the keys allowed in a file's `[styles]`.
        pub const SLOTS: &[&str] = &[$(stringify!($slot)),+];

        impl Theme {
            /// A theme named `name` with every slot `Style::default()`.
            fn unstyled(name: &str) -> Theme {
                Theme { name: name.to_owned(), $($slot: Style::default()),+ }
            }

            /// Every slot with its style, in the order of [`SLOTS`].
            pub fn styles(&self) -> Vec<(&'static str, Style)> {
                let Theme { name: _, $($slot),+ } = self;
                vec![$((stringify!($slot), *$slot)),+]
            }

            /// The style of the slot named `slot` (as in a theme file), if there is one.
            pub fn style(&self, slot: &str) -> Option<Style> {
                match slot {
                    $(stringify!($slot) => Some(self.$slot),)+
                    _ => None,
                }
            }

            fn style_mut(&mut self, slot: &str) -> Option<&mut Style> {
                match slot {
                    $(stringify!($slot) => Some(&mut self.$slot),)+
                    _ => None,
                }
            }
        }
    };
}

theme_slots!(
    base,
    muted,
    title,
    title_focused,
    border,
    border_focused,
    header,
    selection,
    health_ok,
    health_warn,
    health_bad,
    danger,
    info,
    accent,
    badge_demo,
    badge_live,
    match_highlight,
    chart,
    chart_alt,
    chart_threshold,
    chart_alarm,
    budget_line,
    over_budget,
    status_bar,
    key_hint,
    input,
);

impl Default for Theme {
    /// The built-in "dark" theme (unstyled if it could not be parsed, which its tests rule out).
    fn default() -> Self {
        Theme::builtin(DEFAULT_THEME).unwrap_or_else(|_| Theme::unstyled(DEFAULT_THEME))
    }
}

impl Theme {
    /// One of [`BUILTIN_THEMES`]. Built-in files must define every slot.
    pub fn builtin(name: &str) -> Result<Theme, ThemeError> {
        let Some((_, text)) = BUILTIN_SOURCES.iter().find(|(n, _)| *n == name) else {
            return Err(ThemeError::UnknownTheme {
                name: name.to_owned(),
                available: BUILTIN_THEMES.iter().map(|s| (*s).to_owned()).collect(),
            });
        };
        let origin = format!("themes/{name}.toml");
        let parsed = file::parse(text, &origin)?;
        let missing: Vec<String> = SLOTS
            .iter()
            .filter(|slot| !parsed.styles.iter().any(|(s, _)| s == *slot))
            .map(|slot| (*slot).to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(ThemeError::MissingSlots { origin, slots: missing });
        }
        Ok(Theme::unstyled(name).with(parsed.styles))
    }

    /// Resolve a theme by name: a user file `<user_dir>/<name>.toml` if present, layered over
    /// the builtin of the same name (or over "dark" when there is no builtin of that name);
    /// otherwise the builtin. A user file may give only some slots. The result is named `name`.
    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        if !is_valid_name(name) {
            // Quoted inert: the name comes from config.toml or --theme.
            return Err(ThemeError::InvalidName { name: crate::sanitize::inert(name).into_owned() });
        }
        if let Some(dir) = user_dir {
            let path = dir.join(format!("{name}.toml"));
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let base_name = if BUILTIN_THEMES.contains(&name) { name } else { DEFAULT_THEME };
                    let base = Theme::builtin(base_name)?;
                    let origin = path.display().to_string();
                    let mut theme = Theme::from_toml_over(&base, &text, &origin)?;
                    theme.name = name.to_owned();
                    return Ok(theme);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(ThemeError::Read { path, source }),
            }
        }
        if BUILTIN_THEMES.contains(&name) {
            return Theme::builtin(name);
        }
        Err(ThemeError::UnknownTheme { name: name.to_owned(), available: Theme::available(user_dir) })
    }

    /// Parse from TOML text over a base theme (for layering); `origin` is used in error
    /// messages. Slots the text gives replace the base's slot entirely; the rest are kept.
    /// The name is the file's `name`, else the base's.
    pub fn from_toml_over(base: &Theme, text: &str, origin: &str) -> Result<Theme, ThemeError> {
        let parsed = file::parse(text, origin)?;
        let mut theme = base.clone().with(parsed.styles);
        if let Some(name) = parsed.name {
            theme.name = name;
        }
        Ok(theme)
    }

    /// Built-in theme names, then the names of `*.toml` files in `user_dir` (sorted) that are
    /// not built-in names.
    pub fn available(user_dir: Option<&Path>) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN_THEMES.iter().map(|s| (*s).to_owned()).collect();
        let mut user: Vec<String> = user_dir
            .and_then(|dir| std::fs::read_dir(dir).ok())
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                if path.extension()? != "toml" || !path.is_file() {
                    return None;
                }
                let stem = path.file_stem()?.to_str()?.to_owned();
                (is_valid_name(&stem) && !BUILTIN_THEMES.contains(&stem.as_str())).then_some(stem)
            })
            .collect();
        user.sort();
        names.append(&mut user);
        names
    }

    fn with(mut self, styles: Vec<(&'static str, Style)>) -> Theme {
        for (slot, style) in styles {
            if let Some(target) = self.style_mut(slot) {
                *target = style;
            }
        }
        self
    }
}

/// A theme name is a file stem in the themes folder: letters, digits, `-` and `_`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Which theme to use: explicit choice wins; else NO_COLOR (set and non-empty, per
/// no-color.org) forces "monochrome"; else configured; else "dark". Empty or blank
/// `explicit`/`configured` count as not given.
pub fn choose_theme_name(explicit: Option<&str>, configured: Option<&str>, no_color: Option<&str>) -> String {
    if let Some(name) = given(explicit) {
        return name.to_owned();
    }
    if no_color.is_some_and(|v| !v.is_empty()) {
        return NO_COLOR_THEME.to_owned();
    }
    given(configured).unwrap_or(DEFAULT_THEME).to_owned()
}

/// A choice that is not blank, trimmed.
fn given(choice: Option<&str>) -> Option<&str> {
    choice.map(str::trim).filter(|s| !s.is_empty())
}

/// The `NO_COLOR` environment variable as [`choose_theme_name`] wants it (non-UTF-8 values
/// count as set).
pub fn no_color_env() -> Option<String> {
    std::env::var_os("NO_COLOR").map(|v| v.to_string_lossy().into_owned())
}
