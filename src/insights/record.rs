//! The records a query works on: events while they stream by, rows once they are kept.
//!
//! An [`EventRecord`] is reused for every event, so reading a field allocates nothing. Its JSON
//! fields are read only when the query first asks for one of them, and then all at once.

use super::ast::{Builtin, FieldId};
use super::event::Event;
use super::json::{self, JsonFields};
use super::value::Value;
use std::borrow::Cow;

/// What commands read and write, whatever the record is.
pub trait Record<'r> {
    fn get(&mut self, field: FieldId) -> Option<Value<'r>>;
    fn set(&mut self, slot: usize, value: Option<Value<'r>>);
}

/// A built-in field of an event.
pub fn builtin<'r>(event: &Event<'r>, field: Builtin) -> Value<'r> {
    match field {
        Builtin::Timestamp => Value::Time(event.timestamp.timestamp_millis()),
        Builtin::Message => Value::Str(Cow::Borrowed(event.message)),
        Builtin::LogStream => Value::Str(Cow::Borrowed(event.log_stream)),
        Builtin::Log => Value::Str(Cow::Borrowed(event.log_group)),
        Builtin::Ptr => Value::Str(Cow::Borrowed(event.ptr)),
    }
}

#[derive(Debug, Clone)]
enum Slot<'r> {
    /// Not written by a command: the JSON field of that name, if any.
    Unset,
    Set(Option<Value<'r>>),
}

/// The event being processed, with the fields commands have given it.
pub struct EventRecord<'q, 'r> {
    event: Option<Event<'r>>,
    slots: Vec<Slot<'r>>,
    json: &'q JsonFields,
    json_read: bool,
    staged: Vec<Option<Value<'r>>>,
    path: String,
}

impl<'q, 'r> EventRecord<'q, 'r> {
    pub fn new(slot_count: usize, json: &'q JsonFields) -> EventRecord<'q, 'r> {
        EventRecord {
            event: None,
            slots: vec![Slot::Unset; slot_count],
            json,
            json_read: false,
            staged: vec![None; slot_count],
            path: String::new(),
        }
    }

    /// Starts over with the next event.
    pub fn reset(&mut self, event: Event<'r>) {
        self.event = Some(event);
        self.slots.iter_mut().for_each(|s| *s = Slot::Unset);
        self.json_read = false;
    }

    /// The record as a row to keep, with every JSON field the query reads.
    pub fn keep(&mut self) -> Row<'r> {
        self.read_json();
        let cells = self
            .slots
            .iter()
            .map(|s| match s {
                Slot::Set(v) => v.clone(),
                Slot::Unset => None,
            })
            .collect();
        Row { event: self.event, cells }
    }

    fn read_json(&mut self) {
        if self.json_read {
            return;
        }
        self.json_read = true;
        let Some(event) = self.event else { return };
        if json::extract(event.message, self.json, &mut self.path, &mut self.staged) {
            for (slot, staged) in self.slots.iter_mut().zip(self.staged.iter_mut()) {
                if let Some(value) = staged.take() {
                    if matches!(slot, Slot::Unset) {
                        *slot = Slot::Set(Some(value));
                    }
                }
            }
        } else {
            self.staged.iter_mut().for_each(|s| *s = None);
        }
    }
}

impl<'r> Record<'r> for EventRecord<'_, 'r> {
    fn get(&mut self, field: FieldId) -> Option<Value<'r>> {
        match field {
            FieldId::Builtin(b) => self.event.as_ref().map(|e| builtin(e, b)),
            FieldId::Slot(i) => {
                if matches!(self.slots.get(i), Some(Slot::Unset)) {
                    self.read_json();
                }
                match self.slots.get(i) {
                    Some(Slot::Set(v)) => v.clone(),
                    _ => None,
                }
            }
        }
    }

    fn set(&mut self, slot: usize, value: Option<Value<'r>>) {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = Slot::Set(value);
        }
    }
}

/// A kept record: the event it stands for (none for a `stats` row) and its fields by slot.
#[derive(Debug, Clone)]
pub struct Row<'r> {
    pub event: Option<Event<'r>>,
    pub cells: Vec<Option<Value<'r>>>,
}

impl<'r> Row<'r> {
    pub fn field(&self, field: FieldId) -> Option<Value<'r>> {
        match field {
            FieldId::Builtin(b) => self.event.as_ref().map(|e| builtin(e, b)),
            FieldId::Slot(i) => self.cells.get(i).cloned().flatten(),
        }
    }
}

impl<'r> Record<'r> for Row<'r> {
    fn get(&mut self, field: FieldId) -> Option<Value<'r>> {
        self.field(field)
    }

    fn set(&mut self, slot: usize, value: Option<Value<'r>>) {
        if let Some(cell) = self.cells.get_mut(slot) {
            *cell = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn event(message: &str) -> Event<'_> {
        Event {
            timestamp: Utc.timestamp_millis_opt(1_000).unwrap(),
            message,
            log_stream: "s",
            log_group: "g",
            ptr: "p",
        }
    }

    #[test]
    fn json_fields_are_read_on_first_use_and_written_fields_win() {
        let json = JsonFields::new([("level".to_string(), 0), ("status".to_string(), 1)]);
        let mut record = EventRecord::new(2, &json);
        record.reset(event(r#"{"level":"error","status":503}"#));
        record.set(0, Some(Value::Str(Cow::Borrowed("parsed"))));
        assert_eq!(record.get(FieldId::Slot(1)), Some(Value::Num(503.0)));
        assert_eq!(record.get(FieldId::Slot(0)), Some(Value::Str(Cow::Borrowed("parsed"))));
        assert_eq!(record.get(FieldId::Builtin(Builtin::Timestamp)), Some(Value::Time(1_000)));

        record.reset(event("plain text"));
        assert_eq!(record.get(FieldId::Slot(1)), None);
        let row = record.keep();
        assert_eq!(row.cells, vec![None, None]);
        assert_eq!(row.field(FieldId::Builtin(Builtin::Log)), Some(Value::Str(Cow::Borrowed("g"))));
    }
}
