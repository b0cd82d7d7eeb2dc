//! Lambda Invoke (RequestResponse, LogType=Tail) on the simulated functions. The outcome is
//! decided by the event and the state now, never by chance, so a drill plays the same each time:
//!
//! - reserved concurrency 0, or demand above the cap (lambda-throttle before the fix): refused
//!   with TooManyRequestsException, nothing runs;
//! - an event with `"fail": true`, or an `imageUrl` that is not `https://...`: the handler throws
//!   "Invalid image URL", the call still answers 200 with `FunctionError: Unhandled`;
//! - anything else: 200 with the handler's JSON answer.
//!
//! Each run writes its START/END/REPORT lines to the function's log group and counts in its
//! metrics; the log tail returned is those lines.

use super::catalog::{ACCOUNT_ID, REGION};
use super::function_config::CONFIGS;
use super::lambda::{routed_version, Invocation, Outcome};
use super::lambda_logs;
use super::rng::{rng_keyed, uuid};
use super::serverless::function_index;
use super::world::World;
use crate::backend::BackendError;
use crate::domain::InvokeResponse;
use rand::Rng;

/// Why the event makes the handler fail, if it does.
fn failure(event: &serde_json::Value) -> Option<String> {
    if event.get("fail").and_then(serde_json::Value::as_bool) == Some(true) {
        return Some("Invalid image URL: the test event asked to fail".to_string());
    }
    let url = event.get("imageUrl")?.as_str().unwrap_or_default();
    (!url.starts_with("https://")).then(|| format!("Invalid image URL: {url}"))
}

impl World {
    /// Invokes `function` (`qualifier`: `$LATEST` when None, a version, or an alias); the answer
    /// and the invocation's request id.
    pub(crate) fn invoke_function(
        &mut self,
        function: &str,
        qualifier: Option<&str>,
        body: &[u8],
    ) -> Result<(InvokeResponse, String), BackendError> {
        let snapshot = self.serverless.function(function)?;
        let f = function_index(function).ok_or_else(|| BackendError::NotFound(format!("lambda:{function}")))?;
        let config = &CONFIGS[f];
        let mut rng =
            rng_keyed(self.seed ^ 0x1a_3bda, (self.t as u64).wrapping_mul(1_000_003).wrapping_add(self.requests));
        let version = match qualifier {
            None | Some("$LATEST") => "$LATEST",
            Some(q) => match config.aliases.iter().find(|(alias, _, _)| *alias == q) {
                Some(_) => routed_version(f, rng.random()),
                None => config.versions.iter().map(|(v, _, _)| *v).find(|v| *v == q).ok_or_else(|| {
                    BackendError::NotFound(format!(
                        "ResourceNotFoundException: Function not found: arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function}:{q}"
                    ))
                })?,
            },
        };
        if snapshot.reserved_concurrency == Some(0) || self.lambda.saturated(f) {
            return Err(BackendError::Throttled {
                api: "Invoke (TooManyRequestsException: Rate Exceeded, ReservedFunctionConcurrentInvocationLimitExceeded)"
                    .to_string(),
            });
        }
        let text = if body.is_empty() { "{}" } else { std::str::from_utf8(body).unwrap_or("") };
        let event: serde_json::Value = serde_json::from_str(text).map_err(|_| {
            BackendError::Invalid("InvalidRequestContentException: Could not parse request body into json".to_string())
        })?;
        let failed = failure(&event);
        let spread = 0.8 + 0.4 * rng.random::<f64>();
        let duration_ms = match failed {
            Some(_) => (config.overhead_secs + 0.3 * config.work_secs) * 1000.0 * spread,
            None => (config.overhead_secs + config.work_secs) * 1000.0 * spread,
        };
        let request_id = uuid(&mut rng);
        let inv = Invocation {
            function: f,
            ts_ms: self.t * 1000 + rng.random_range(0..1000),
            request_id: request_id.clone(),
            version,
            sandbox: self.lambda.sandbox(f),
            batch: 1,
            duration_ms,
            outcome: if failed.is_some() { Outcome::Error } else { Outcome::Ok },
        };
        let handler = vec![format!("test event received ({} bytes)", body.len())];
        let mut tail = Vec::new();
        lambda_logs::lines(&inv, &handler, &mut tail);
        self.write_invocation(&inv, &handler);
        self.lambda.record(f, duration_ms, failed.is_some());
        let answer = match &failed {
            Some(message) => serde_json::json!({
                "errorType": "Error",
                "errorMessage": message,
                "trace": [format!("Error: {message}"), "    at fetchImage (/var/task/index.js:42:11)"],
            }),
            None => serde_json::json!({
                "statusCode": 200,
                "body": { "status": "completed", "requestId": request_id },
            }),
        };
        let mut log_tail = tail.join("\n");
        // LogType=Tail returns the last 4 KB.
        while log_tail.len() > 4096 {
            log_tail.remove(0);
        }
        Ok((
            InvokeResponse {
                status: 200,
                content_type: Some("application/json".to_string()),
                invoked_variant: None,
                body: answer.to_string().into_bytes(),
                latency_ms: duration_ms + 18.0,
                function_error: failed.map(|_| "Unhandled".to_string()),
                log_tail: Some(log_tail),
                executed_version: Some(version.to_string()),
            },
            request_id,
        ))
    }
}
