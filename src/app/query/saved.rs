//! The queries the query view offers by name: built in (for JSON logs and for plain-text logs),
//! then those of config.toml's `[queries.NAME]`.

use crate::app::settings::SavedQuery;

/// (name, description, query). The JSON ones read fields Logs Insights discovers in JSON lines
/// (`level`, `status`, `latency_ms`); the text ones parse what access and application logs print.
const BUILT_IN: [(&str, &str, &str); 8] = [
    (
        "errors-per-minute",
        "JSON logs: lines at level error, per minute",
        r#"filter level = "error" or level = "ERROR" | stats count(*) as errors by bin(1m)"#,
    ),
    (
        "errors-per-minute-text",
        "plain-text logs: lines that say error or exception (or answer 5xx), per minute",
        r#"filter @message like /(?i)(error|exception|traceback)|" 5\d\d / | stats count(*) as errors by bin(1m)"#,
    ),
    (
        "top-errors",
        "JSON logs: the requests that failed most, by path and status",
        r#"filter level = "error" or status >= 500 | stats count(*) as count by path, status | sort count desc | limit 20"#,
    ),
    (
        "top-errors-text",
        "plain-text logs: the most frequent error and exception messages",
        r#"filter @message like /(?i)(error|exception)/ | parse @message /(?<error>[A-Za-z.]*(Error|Exception)\b.{0,60})/ | filter error like /./ | stats count(*) as count by error | sort count desc | limit 20"#,
    ),
    (
        "slowest-requests",
        "JSON logs: the slowest requests",
        "filter latency_ms > 0 | fields @timestamp, method, path, status, latency_ms | sort latency_ms desc | limit 20",
    ),
    (
        "slowest-requests-text",
        "plain-text logs: lines that print a time in ms, slowest first",
        r#"parse @message /(?<ms>\d+(\.\d+)?) ?ms\b/ | filter ms > 0 | fields @timestamp, ms, @message | sort ms desc | limit 20"#,
    ),
    (
        "status-codes-per-minute",
        "JSON logs: requests per status code, per minute",
        "filter status > 0 | stats count(*) as requests by status, bin(1m)",
    ),
    (
        "status-codes-per-minute-text",
        "access logs: requests per status code, per minute",
        r#"parse @message /" (?<status>[1-5]\d\d) / | filter status > 0 | stats count(*) as requests by status, bin(1m)"#,
    ),
];

/// Every query offered: the built-in ones, then the configured ones (a configured query of a
/// built-in's name replaces it).
pub fn offered(configured: &[SavedQuery]) -> Vec<SavedQuery> {
    let mut all: Vec<SavedQuery> = BUILT_IN
        .iter()
        .filter(|(name, _, _)| !configured.iter().any(|c| c.name == *name))
        .map(|(name, description, query)| SavedQuery {
            name: name.to_string(),
            description: description.to_string(),
            query: query.to_string(),
        })
        .collect();
    all.extend(configured.iter().cloned());
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_queries_follow_the_built_in_ones_and_replace_a_namesake() {
        let mine =
            |name: &str| SavedQuery { name: name.into(), description: String::new(), query: "fields @message".into() };
        let all = offered(&[mine("mine"), mine("top-errors")]);
        assert_eq!(all.len(), BUILT_IN.len() + 1);
        assert_eq!(all.last().map(|q| q.name.as_str()), Some("top-errors"));
        assert_eq!(all.iter().filter(|q| q.name == "top-errors").count(), 1);
        assert_eq!(all[0].name, "errors-per-minute");
    }
}
