//! Reading a JSON object the strict way: each key is taken by name, JSON null counts as absent,
//! and a key nobody took is an error naming it, so a conversion cannot drop a field unnoticed.

use crate::backend::BackendError;
use serde_json::{Map, Value};

fn other(message: String) -> BackendError {
    BackendError::Other(message)
}

// Paths of nested objects and list items (`Root.Key[2].Inner`) make every error point at its field.

/// One JSON object being read: every key must be taken by name, or `finish` names the rest.
pub(super) struct Reader<'a> {
    /// Where this object sits, e.g. `StepScalingPolicyConfiguration.StepAdjustments[1]`.
    pub path: String,
    map: &'a Map<String, Value>,
    taken: Vec<&'static str>,
}

impl<'a> Reader<'a> {
    pub fn new(path: String, value: &'a Value) -> Result<Self, BackendError> {
        let map = value.as_object().ok_or_else(|| other(format!("{path} must be an object")))?;
        Ok(Reader { path, map, taken: Vec::new() })
    }

    fn error(&self, key: &str, problem: &str) -> BackendError {
        other(format!("{}.{key} {problem}", self.path))
    }

    /// A JSON null is the same as the key being absent.
    fn take(&mut self, key: &'static str) -> Option<&'a Value> {
        self.taken.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn string(&mut self, key: &'static str) -> Result<Option<String>, BackendError> {
        self.take(key)
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| self.error(key, "must be a string")))
            .transpose()
    }

    pub fn number(&mut self, key: &'static str) -> Result<Option<f64>, BackendError> {
        self.take(key).map(|v| v.as_f64().ok_or_else(|| self.error(key, "must be a number"))).transpose()
    }

    pub fn integer(&mut self, key: &'static str) -> Result<Option<i32>, BackendError> {
        self.take(key)
            .map(|v| {
                v.as_i64().and_then(|n| i32::try_from(n).ok()).ok_or_else(|| self.error(key, "must be an integer"))
            })
            .transpose()
    }

    pub fn boolean(&mut self, key: &'static str) -> Result<Option<bool>, BackendError> {
        self.take(key).map(|v| v.as_bool().ok_or_else(|| self.error(key, "must be true or false"))).transpose()
    }

    pub fn object(&mut self, key: &'static str) -> Result<Option<Reader<'a>>, BackendError> {
        let path = format!("{}.{key}", self.path);
        self.take(key).map(|v| Reader::new(path, v)).transpose()
    }

    pub fn list(&mut self, key: &'static str) -> Result<Option<Vec<Reader<'a>>>, BackendError> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        let items = value.as_array().ok_or_else(|| self.error(key, "must be a list"))?;
        let path = &self.path;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| Reader::new(format!("{path}.{key}[{i}]"), v))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    pub fn required<T>(&self, key: &str, value: Option<T>) -> Result<T, BackendError> {
        value.ok_or_else(|| self.error(key, "is missing"))
    }

    /// Every key must have been taken: an unknown one is a field the conversion would drop.
    pub fn finish(self) -> Result<(), BackendError> {
        match self.map.keys().find(|k| !self.taken.contains(&k.as_str())) {
            Some(unknown) => {
                Err(other(format!("{}.{unknown} is not supported by opsdeck (it would be lost)", self.path)))
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_is_absent_and_every_error_names_its_field() {
        let value = json!({"A": null, "B": [{"C": 1}, {"C": "x"}], "D": 2});
        let mut r = Reader::new("Root".into(), &value).expect("an object");
        assert_eq!(r.string("A"), Ok(None), "null reads as absent");
        let mut items = r.list("B").expect("a list").expect("present");
        assert_eq!(items[0].integer("C"), Ok(Some(1)));
        let err = items[1].integer("C").expect_err("a string");
        assert_eq!(err.to_string(), "Root.B[1].C must be an integer");
        assert_eq!(r.required("E", None::<i32>).expect_err("absent").to_string(), "Root.E is missing");
        let err = r.finish().expect_err("D was never taken");
        assert_eq!(err.to_string(), "Root.D is not supported by opsdeck (it would be lost)");
        assert!(Reader::new("Root".into(), &json!([1])).is_err(), "not an object");
    }
}
