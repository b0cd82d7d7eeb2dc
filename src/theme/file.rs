//! The theme file format: `name = "..."` plus a `[styles]` table of slot = style.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use toml::Value;

use super::{ThemeError, SLOTS};

/// The whole file. Unknown top-level keys are errors, so `[stlyes]` doesn't silently do nothing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    #[serde(default)]
    styles: toml::Table,
}

/// A parsed file: its optional `name` and the slots it gives, in file order.
#[derive(Debug)]
pub(super) struct Parsed {
    pub name: Option<String>,
    pub styles: Vec<(&'static str, Style)>,
}

/// Parse `text`; `origin` (a path or "themes/dark.toml") prefixes every error.
pub(super) fn parse(text: &str, origin: &str) -> Result<Parsed, ThemeError> {
    let file: ThemeFile = toml::from_str(text).map_err(|e| syntax_error(&e, text, origin))?;
    let name = file.name.filter(|n| !n.trim().is_empty());
    let mut styles = Vec::with_capacity(file.styles.len());
    for (key, value) in &file.styles {
        let Some(slot) = SLOTS.iter().copied().find(|s| *s == key) else {
            return Err(ThemeError::UnknownSlot { origin: origin.to_owned(), slot: shown(key) });
        };
        let field = format!("styles.{slot}");
        styles.push((slot, style_from_value(value, origin, &field)?));
    }
    Ok(Parsed { name, styles })
}

fn syntax_error(e: &toml::de::Error, text: &str, origin: &str) -> ThemeError {
    let (line, column) = match e.span() {
        Some(span) => line_column(text, span.start),
        None => (1, 1),
    };
    ThemeError::Syntax { origin: origin.to_owned(), line, column, message: shown(e.message().trim()) }
}

/// Text from the file as an error quotes it: inert, so printing the error is safe.
fn shown(text: &str) -> String {
    crate::sanitize::inert(text).into_owned()
}

/// 1-based line and column (in characters) of byte `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

fn style_from_value(value: &Value, origin: &str, field: &str) -> Result<Style, ThemeError> {
    match value {
        Value::String(_) | Value::Integer(_) => Ok(Style::default().fg(colour(value, origin, field)?)),
        Value::Table(table) => style_from_table(table, origin, field),
        other => Err(ThemeError::BadStyle {
            origin: origin.to_owned(),
            field: field.to_owned(),
            value: shown(&other.to_string()),
        }),
    }
}

fn style_from_table(table: &toml::Table, origin: &str, field: &str) -> Result<Style, ThemeError> {
    let mut style = Style::default();
    for (key, value) in table {
        let key_field = format!("{field}.{}", shown(key));
        match key.as_str() {
            "fg" => style = style.fg(colour(value, origin, &key_field)?),
            "bg" => style = style.bg(colour(value, origin, &key_field)?),
            _ => {
                let Some(modifier) = modifier(key) else {
                    return Err(ThemeError::UnknownKey {
                        origin: origin.to_owned(),
                        field: field.to_owned(),
                        key: shown(key),
                    });
                };
                let Value::Boolean(on) = value else {
                    return Err(ThemeError::BadFlag {
                        origin: origin.to_owned(),
                        field: key_field,
                        value: shown(&value.to_string()),
                    });
                };
                // `false` actively switches the modifier off when this style is patched over
                // another (e.g. a badge drawn on a reversed status bar), not just "unset".
                style = if *on { style.add_modifier(modifier) } else { style.remove_modifier(modifier) };
            }
        }
    }
    Ok(style)
}

/// The modifier for a style-table key; `None` for `fg`, `bg` and unknown keys.
fn modifier(key: &str) -> Option<Modifier> {
    Some(match key {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underline" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        _ => return None,
    })
}

/// A colour: a name, `#rrggbb` or an index "0".."255" (also accepted as a bare integer).
fn colour(value: &Value, origin: &str, field: &str) -> Result<Color, ThemeError> {
    let parsed = match value {
        Value::String(s) if !s.trim().is_empty() => s.trim().parse::<Color>().ok(),
        Value::Integer(i) => u8::try_from(*i).ok().map(Color::Indexed),
        _ => None,
    };
    parsed.ok_or_else(|| ThemeError::BadColour {
        origin: origin.to_owned(),
        field: field.to_owned(),
        value: match value {
            Value::String(s) => shown(s),
            other => shown(&other.to_string()),
        },
    })
}
