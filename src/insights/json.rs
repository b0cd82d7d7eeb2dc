//! Field discovery in JSON logs: the values of the keys a query names, read straight from the
//! message.
//!
//! Only the paths the query asks for are kept; everything else is skipped without building it,
//! and strings without escapes borrow from the message. Nested objects are reached as `a.b`,
//! array items as `a.0`. A value that is an object or an array is not a field (its leaves are);
//! `null` is no value.

use super::value::Value;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The JSON paths a query reads, each with the record slot it fills.
#[derive(Debug, Clone, Default)]
pub struct JsonFields {
    wanted: HashMap<String, usize>,
    /// Every proper prefix of a wanted path (`a` and `a.b` for `a.b.c`): objects worth entering.
    prefixes: HashSet<String>,
}

impl JsonFields {
    pub fn new(paths: impl IntoIterator<Item = (String, usize)>) -> JsonFields {
        let mut fields = JsonFields::default();
        for (path, slot) in paths {
            for (i, _) in path.match_indices('.') {
                fields.prefixes.insert(path[..i].to_string());
            }
            fields.wanted.insert(path, slot);
        }
        fields
    }

    pub fn is_empty(&self) -> bool {
        self.wanted.is_empty()
    }
}

/// Fills `out[slot]` for every wanted path `text` has. False (and `out` possibly half filled,
/// for the caller to clear) when `text` is not one valid JSON object. `path` is scratch space.
pub fn extract<'a>(text: &'a str, fields: &JsonFields, path: &mut String, out: &mut [Option<Value<'a>>]) -> bool {
    if fields.is_empty() || !text.trim_start().starts_with('{') {
        return false;
    }
    path.clear();
    let mut de = serde_json::Deserializer::from_str(text);
    let node = Node { fields, path, out };
    node.deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// One JSON value at `path`: stored when wanted, entered when it leads to a wanted path.
struct Node<'s, 'o, 'a> {
    fields: &'s JsonFields,
    path: &'s mut String,
    out: &'o mut [Option<Value<'a>>],
}

impl<'a> Node<'_, '_, 'a> {
    fn store(&mut self, value: Value<'a>) {
        if let Some(&slot) = self.fields.wanted.get(self.path.as_str()) {
            if let Some(cell) = self.out.get_mut(slot) {
                *cell = Some(value);
            }
        }
    }

    /// Reads the child at `path` + `.key`: entered if it matters, skipped otherwise.
    fn child<E, F>(&mut self, key: &str, read: F) -> Result<(), E>
    where
        F: FnOnce(Option<Node<'_, '_, 'a>>) -> Result<(), E>,
    {
        let len = self.path.len();
        if len > 0 {
            self.path.push('.');
        }
        self.path.push_str(key);
        let wanted =
            self.fields.wanted.contains_key(self.path.as_str()) || self.fields.prefixes.contains(self.path.as_str());
        let result = if wanted {
            read(Some(Node { fields: self.fields, path: &mut *self.path, out: &mut *self.out }))
        } else {
            read(None)
        };
        self.path.truncate(len);
        result
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E>(mut self, v: &'de str) -> Result<(), E> {
        self.store(Value::Str(Cow::Borrowed(v)));
        Ok(())
    }

    fn visit_str<E>(mut self, v: &str) -> Result<(), E> {
        self.store(Value::Str(Cow::Owned(v.to_string())));
        Ok(())
    }

    fn visit_string<E>(mut self, v: String) -> Result<(), E> {
        self.store(Value::Str(Cow::Owned(v)));
        Ok(())
    }

    fn visit_bool<E>(mut self, v: bool) -> Result<(), E> {
        self.store(Value::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(mut self, v: i64) -> Result<(), E> {
        self.store(Value::Num(v as f64));
        Ok(())
    }

    fn visit_u64<E>(mut self, v: u64) -> Result<(), E> {
        self.store(Value::Num(v as f64));
        Ok(())
    }

    fn visit_f64<E>(mut self, v: f64) -> Result<(), E> {
        self.store(Value::Num(v));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<M: MapAccess<'de>>(mut self, mut map: M) -> Result<(), M::Error> {
        while let Some(key) = map.next_key_seed(Key)? {
            self.child(&key, |node| match node {
                Some(node) => map.next_value_seed(node),
                None => map.next_value::<IgnoredAny>().map(|_| ()),
            })?;
        }
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(mut self, mut seq: S) -> Result<(), S::Error> {
        let mut index = 0usize;
        loop {
            let mut more = false;
            self.child(&index.to_string(), |node| {
                more = match node {
                    Some(node) => seq.next_element_seed(node)?.is_some(),
                    None => seq.next_element::<IgnoredAny>()?.is_some(),
                };
                Ok(())
            })?;
            if !more {
                return Ok(());
            }
            index += 1;
        }
    }
}

/// An object key, borrowed from the message when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<'a>(text: &'a str, paths: &[&str]) -> Option<Vec<Option<Value<'a>>>> {
        let fields = JsonFields::new(paths.iter().enumerate().map(|(i, p)| (p.to_string(), i)));
        let mut out = vec![None; paths.len()];
        extract(text, &fields, &mut String::new(), &mut out).then_some(out)
    }

    fn s(t: &str) -> Option<Value<'_>> {
        Some(Value::Str(Cow::Borrowed(t)))
    }

    #[test]
    fn top_level_keys_nested_objects_and_arrays() {
        let line = r#"{"level":"info","status":200,"latency_ms":191.5,"ok":true,"gone":null,
                       "model":{"name":"yolo","gpu":{"id":3}},"tags":["a","b"],"skip":{"x":[1,{"y":2}]}}"#;
        let got = read(
            line,
            &["level", "status", "latency_ms", "ok", "gone", "model.name", "model.gpu.id", "tags.1", "model", "nope"],
        );
        assert_eq!(
            got,
            Some(vec![
                s("info"),
                Some(Value::Num(200.0)),
                Some(Value::Num(191.5)),
                Some(Value::Bool(true)),
                None,
                s("yolo"),
                Some(Value::Num(3.0)),
                s("b"),
                None,
                None,
            ])
        );
    }

    #[test]
    fn escaped_strings_are_unescaped_and_keys_with_escapes_match() {
        let got = read(r#"{"msg":"line\nnext \"q\"","k\u0065y":"v"}"#, &["msg", "key"]);
        assert_eq!(got, Some(vec![Some(Value::Str(Cow::Owned("line\nnext \"q\"".into()))), s("v")]));
    }

    #[test]
    fn plain_text_and_broken_json_have_no_fields() {
        assert_eq!(read("[2026-12-04 15:51:02 +0000] [7] [ERROR] Worker timeout (pid:12)", &["level"]), None);
        assert_eq!(read(r#"{"level":"info""#, &["level"]), None);
        assert_eq!(read(r#"{"level":"info"} trailing"#, &["level"]), None);
        assert_eq!(read(r#"["level"]"#, &["level"]), None);
    }

    #[test]
    fn deep_nesting_is_no_crash() {
        // Skipped values are skipped without recursion; entered ones stop at serde_json's depth limit.
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(read(&deep, &["a", "a.0.0"]), Some(vec![None, None]));
        let wanted = format!("a{}", ".0".repeat(200));
        assert_eq!(read(&deep, &[wanted.as_str()]), None);
    }
}
