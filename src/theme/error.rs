//! Errors from reading theme files. Each message names the file, the key and the bad value.

use std::path::PathBuf;

use super::{SLOTS, STYLE_KEYS};

/// Why a theme could not be loaded. Loading never half-applies: on error nothing changes.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// No built-in theme and no user file of that name.
    #[error("unknown theme '{name}' (available: {})", .available.join(", "))]
    UnknownTheme { name: String, available: Vec<String> },
    /// A name that could not be a file name in the themes folder (`../x`, `a/b`, empty).
    #[error("invalid theme name '{name}': use letters, digits, '-' and '_'")]
    InvalidName { name: String },
    /// The user's theme file exists but could not be read.
    #[error("{}: cannot read theme file: {source}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    /// Not TOML, or a top-level key other than `name` and `styles`.
    #[error("{origin}: line {line}, column {column}: {message}")]
    Syntax { origin: String, line: usize, column: usize, message: String },
    /// A key in `[styles]` that is not a slot.
    #[error("{origin}: unknown style '{slot}' (known: {})", SLOTS.join(", "))]
    UnknownSlot { origin: String, slot: String },
    /// A key inside a style table that is not one of [`STYLE_KEYS`].
    #[error("{origin}: {field}: unknown key '{key}' (known: {})", STYLE_KEYS.join(", "))]
    UnknownKey { origin: String, field: String, key: String },
    /// `fg` / `bg` (or the string shorthand) that is not a colour.
    #[error("{origin}: {field}: '{value}' is not a colour (use a name like \"red\", #rrggbb, or 0-255)")]
    BadColour { origin: String, field: String, value: String },
    /// `bold`, `dim`, ... that is not `true` or `false`.
    #[error("{origin}: {field}: expected true or false, got {value}")]
    BadFlag { origin: String, field: String, value: String },
    /// A slot that is neither a colour string nor a table.
    #[error(
        "{origin}: {field}: expected a colour like \"red\" or a table like {{ fg = \"red\", bold = true }}, got {value}"
    )]
    BadStyle { origin: String, field: String, value: String },
    /// A built-in theme file that leaves slots out (a bug in opsdeck, caught by its tests).
    #[error("{origin}: missing styles: {} (a built-in theme must define every slot)", .slots.join(", "))]
    MissingSlots { origin: String, slots: Vec<String> },
}
