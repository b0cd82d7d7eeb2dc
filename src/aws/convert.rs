//! Small conversions from SDK shapes to domain values.

use crate::domain::TaskDefRef;
use chrono::{DateTime, Utc};

pub fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

pub fn to_smithy(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(t.timestamp())
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
}
