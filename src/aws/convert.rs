//! Small conversions from SDK shapes to domain values.

use crate::domain::TaskDefRef;
use chrono::{DateTime, Utc};

pub fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

pub fn to_smithy(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(t.timestamp())
}

/// An f32 from the API as the f64 it was written as: 0.9 stays 0.9 (`f64::from` gives
/// 0.8999999761581421). Its shortest decimal form parses back to the same f32.
pub fn widen(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

/// The last path segment of an ARN (`arn:...:cluster/NAME` -> `NAME`), or the input itself.
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// `arn:...:task-definition/family:7` or a bare `family:7` (some emulators echo the input).
pub fn task_def_ref(arn_or_name: &str) -> TaskDefRef {
    let name = arn_name(arn_or_name);
    match name.rsplit_once(':') {
        Some((family, rev)) => match rev.parse() {
            Ok(revision) => TaskDefRef { family: family.to_string(), revision },
            Err(_) => TaskDefRef { family: name.to_string(), revision: 0 },
        },
        None => TaskDefRef { family: name.to_string(), revision: 0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_definitions_parse_from_arns_and_bare_names() {
        let r = task_def_ref("arn:aws:ecs:us-east-1:123456789012:task-definition/svg-ai:9");
        assert_eq!((r.family.as_str(), r.revision), ("svg-ai", 9));
        let r = task_def_ref("svg-ai:7");
        assert_eq!((r.family.as_str(), r.revision), ("svg-ai", 7));
        assert_eq!(arn_name("arn:aws:ecs:us-east-1:1:cluster/prod"), "prod");
    }

    #[test]
    fn api_floats_widen_to_the_decimal_they_were_written_as() {
        for (x, wanted) in [(0.9f32, 0.9f64), (0.1, 0.1), (1.0, 1.0), (0.333, 0.333)] {
            assert_eq!(widen(x), wanted);
            assert_eq!(widen(x) as f32, x, "and narrow back to the same f32");
        }
    }
}
