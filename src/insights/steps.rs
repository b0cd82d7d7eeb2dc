//! The per-record commands, `fields`, `filter` and `parse`, applied to one record.

use super::ast::{Command, FieldId, ParseSpec};
use super::eval::{eval, truthy};
use super::record::Record;
use super::value::Value;
use regex::CaptureLocations;
use std::borrow::Cow;

/// Scratch space for `parse`, reused from record to record.
pub struct Steps {
    /// One per command (`None` for commands other than `parse`).
    captures: Vec<Option<CaptureLocations>>,
}

impl Steps {
    pub fn new(commands: &[Command]) -> Steps {
        let captures = commands
            .iter()
            .map(|c| match c {
                Command::Parse(spec) => Some(spec.regex.capture_locations()),
                _ => None,
            })
            .collect();
        Steps { captures }
    }

    /// Applies `commands[index]`; false when the record is filtered out. Commands that are not
    /// per-record leave it as it is.
    pub fn apply<'r, R: Record<'r>>(&mut self, commands: &'r [Command], index: usize, record: &mut R) -> bool {
        match commands.get(index) {
            Some(Command::Filter(expr)) => truthy(eval(expr, record).as_ref()),
            Some(Command::Fields(items)) => {
                for item in items {
                    if let (Some(expr), FieldId::Slot(slot)) = (&item.compute, item.target) {
                        let value = eval(expr, record);
                        record.set(slot, value);
                    }
                }
                true
            }
            Some(Command::Parse(spec)) => {
                if let Some(Some(locations)) = self.captures.get_mut(index) {
                    parse(spec, locations, record);
                }
                true
            }
            _ => true,
        }
    }
}

/// Sets each target of a `parse`, or clears them all when the pattern does not match.
fn parse<'r, R: Record<'r>>(spec: &'r ParseSpec, locations: &mut CaptureLocations, record: &mut R) {
    let source = eval(&spec.source, record);
    let matched = source.as_ref().and_then(|v| spec.regex.captures_read(locations, &v.as_text()).map(|_| ()));
    for &(group, slot) in &spec.targets {
        let value = match (&source, matched) {
            (Some(source), Some(())) => locations.get(group).map(|(start, end)| slice(source, start, end)),
            _ => None,
        };
        record.set(slot, value);
    }
}

/// Part of a value's text, borrowed from the event when the value is.
fn slice<'r>(source: &Value<'r>, start: usize, end: usize) -> Value<'r> {
    match source {
        Value::Str(Cow::Borrowed(text)) => Value::Str(Cow::Borrowed(text.get(start..end).unwrap_or(""))),
        other => Value::Str(Cow::Owned(other.as_text().get(start..end).unwrap_or("").to_string())),
    }
}
