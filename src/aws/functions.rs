//! Lambda functions: ListFunctions (50 a page; name prefixes matched here, ListTags only when the
//! filter names tags), each function's reserved concurrency (GetFunctionConcurrency) and
//! event-source mappings, and the detail behind `enter` (GetFunction, ListVersionsByFunction,
//! ListAliases). Environment variables are read by name only: their values never leave here.
//! Also the client, and the answer's conversion (log tail decoded), that actions.rs's test
//! invocation uses.

use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{
    EventSource, Function, FunctionAlias, FunctionDetail, FunctionFilter, FunctionVersion, InvokeResponse,
};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_lambda::operation::invoke::InvokeOutput;
use aws_sdk_lambda::types::{AliasConfiguration, EventSourceMappingConfiguration, FunctionConfiguration};
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

/// ListFunctions answers at most 50 a page.
const PAGE: i32 = 50;
/// Per-function reads in flight at once (Lambda's control plane allows ~15 requests a second).
const CONCURRENCY: usize = 4;

/// Lambda runs a synchronous invocation for up to 15 minutes; the client waits a little longer
/// so the function's own timeout is what the engineer sees.
const LAMBDA_INVOKE_TIMEOUT: Duration = Duration::from_secs(15 * 60 + 10);

/// The Lambda client for test invocations: one attempt, since a retry after a timeout or a 5xx
/// may run the function a second time, and the plan promised one invocation.
pub(super) fn lambda_invoke_client(
    config: &SdkConfig,
    connect_timeout: Duration,
    operation_timeout: Duration,
) -> aws_sdk_lambda::Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(connect_timeout)
        .operation_timeout(operation_timeout.max(LAMBDA_INVOKE_TIMEOUT))
        .build();
    let conf = aws_sdk_lambda::config::Builder::from(config)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build();
    aws_sdk_lambda::Client::from_conf(conf)
}

/// LogType=Tail answers the log's last 4 KB base64-encoded; undecodable text is kept as sent.
fn decode_log_tail(encoded: &str) -> String {
    match aws_smithy_types::base64::decode(encoded) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => encoded.to_string(),
    }
}

/// A test invocation's answer as the plan's report reads it: the status, the body, the function's
/// own error (`Unhandled`/`Handled`, still a 200), the decoded log tail and the version that ran.
pub(super) fn invoke_response(out: &InvokeOutput, latency_ms: f64) -> InvokeResponse {
    InvokeResponse {
        status: u16::try_from(out.status_code()).unwrap_or(200),
        content_type: None,
        invoked_variant: None,
        body: out.payload().map(|b| b.as_ref().to_vec()).unwrap_or_default(),
        latency_ms,
        function_error: out.function_error().map(str::to_string),
        log_tail: out.log_result().map(decode_log_tail),
        executed_version: out.executed_version().map(str::to_string),
    }
}

impl AwsBackend {
    pub(super) async fn lambda_functions(&self, filter: &FunctionFilter) -> Result<Vec<Function>, BackendError> {
        let candidates: Vec<FunctionConfiguration> = self
            .list_functions()
            .await?
            .into_iter()
            .filter(|f| filter.name_matches(f.function_name().unwrap_or_default()))
            .collect();
        let kept = if filter.tags.is_empty() {
            candidates
        } else {
            // Tags are only in ListTags (ListFunctions leaves them out): read them for the
            // functions the prefixes let through, nothing else.
            let arns: Vec<String> =
                candidates.iter().map(|f| f.function_arn().unwrap_or_default().to_string()).collect();
            let tags: Vec<BTreeMap<String, String>> =
                stream::iter(arns).map(|arn| self.function_tags(arn)).buffered(CONCURRENCY).try_collect().await?;
            candidates.into_iter().zip(tags).filter(|(_, t)| filter.tags_match(t)).map(|(f, _)| f).collect()
        };
        stream::iter(kept).map(|config| self.complete_function(config)).buffered(CONCURRENCY).try_collect().await
    }

    pub(super) async fn lambda_function_detail(&self, name: &str) -> Result<FunctionDetail, BackendError> {
        self.stats.count("lambda:GetFunction");
        let out = self
            .lambda
            .get_function()
            .function_name(name)
            .send()
            .await
            .map_err(|e| self.fail("lambda:GetFunction", &e))?;
        let config = out.configuration().ok_or_else(|| {
            BackendError::Other(format!("lambda:{name}: GetFunction answered without a configuration"))
        })?;
        let (function, versions, aliases) =
            futures::try_join!(self.complete_function(config.clone()), self.versions(name), self.aliases(name))?;
        Ok(FunctionDetail {
            function,
            arn: config.function_arn().map(str::to_string),
            handler: config.handler().map(str::to_string),
            description: config.description().filter(|d| !d.is_empty()).map(str::to_string),
            environment: environment_names(config),
            versions,
            aliases,
        })
    }

    /// Every page of ListFunctions. A function seen twice (a page boundary moving under a
    /// concurrent create) is kept once.
    async fn list_functions(&self) -> Result<Vec<FunctionConfiguration>, BackendError> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut marker = None;
        loop {
            self.stats.count("lambda:ListFunctions");
            let page = self
                .lambda
                .list_functions()
                .max_items(PAGE)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.fail("lambda:ListFunctions", &e))?;
            for f in page.functions() {
                if seen.insert(f.function_name().unwrap_or_default().to_string()) {
                    out.push(f.clone());
                }
            }
            marker = page.next_marker().filter(|m| !m.is_empty()).map(str::to_string);
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    async fn function_tags(&self, arn: String) -> Result<BTreeMap<String, String>, BackendError> {
        self.stats.count("lambda:ListTags");
        let out = self.lambda.list_tags().resource(arn).send().await.map_err(|e| self.fail("lambda:ListTags", &e))?;
        Ok(out.tags().map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default())
    }

    /// The listed configuration with its reserved concurrency and event sources.
    async fn complete_function(&self, config: FunctionConfiguration) -> Result<Function, BackendError> {
        let name = config.function_name().unwrap_or_default().to_string();
        let (snapshot, sources) = futures::try_join!(self.function_snapshot(&name), self.event_sources(&name))?;
        Ok(Function {
            reserved_concurrency: snapshot.reserved_concurrency,
            event_sources: sources,
            ..function_from(&config)
        })
    }

    async fn event_sources(&self, name: &str) -> Result<Vec<EventSource>, BackendError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            self.stats.count("lambda:ListEventSourceMappings");
            let page = self
                .lambda
                .list_event_source_mappings()
                .function_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.fail("lambda:ListEventSourceMappings", &e))?;
            out.extend(page.event_source_mappings().iter().map(event_source_from));
            marker = page.next_marker().filter(|m| !m.is_empty()).map(str::to_string);
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    /// Published versions, newest first; `$LATEST` is the function itself, not a version.
    async fn versions(&self, name: &str) -> Result<Vec<FunctionVersion>, BackendError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            self.stats.count("lambda:ListVersionsByFunction");
            let page = self
                .lambda
                .list_versions_by_function()
                .function_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.fail("lambda:ListVersionsByFunction", &e))?;
            out.extend(page.versions().iter().filter_map(version_from));
            marker = page.next_marker().filter(|m| !m.is_empty()).map(str::to_string);
            if marker.is_none() {
                out.sort_by_key(|v| std::cmp::Reverse(v.version.parse::<u64>().unwrap_or(0)));
                return Ok(out);
            }
        }
    }

    async fn aliases(&self, name: &str) -> Result<Vec<FunctionAlias>, BackendError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            self.stats.count("lambda:ListAliases");
            let page = self
                .lambda
                .list_aliases()
                .function_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.fail("lambda:ListAliases", &e))?;
            out.extend(page.aliases().iter().map(alias_from));
            marker = page.next_marker().filter(|m| !m.is_empty()).map(str::to_string);
            if marker.is_none() {
                return Ok(out);
            }
        }
    }
}

/// Lambda writes LastModified as `2024-05-01T12:00:00.000+0000` (no colon in the offset, which
/// RFC 3339 wants); emulators may write either form.
fn lambda_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn positive(n: Option<i32>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

/// The configuration alone: reserved concurrency and event sources are read separately.
fn function_from(c: &FunctionConfiguration) -> Function {
    let name = c.function_name().unwrap_or_default().to_string();
    let log_group = c
        .logging_config()
        .and_then(|l| l.log_group())
        .filter(|g| !g.is_empty())
        .map_or_else(|| format!("/aws/lambda/{name}"), str::to_string);
    Function {
        runtime: c.runtime().map(|r| r.as_str().to_string()),
        memory_mb: positive(c.memory_size()),
        timeout_secs: positive(c.timeout()),
        last_modified: c.last_modified().and_then(lambda_time),
        reserved_concurrency: None,
        event_sources: Vec::new(),
        log_group,
        name,
    }
}

/// The variables' names, sorted; the values are dropped here and never copied.
fn environment_names(c: &FunctionConfiguration) -> Vec<String> {
    let mut names: Vec<String> =
        c.environment().and_then(|e| e.variables()).map(|v| v.keys().cloned().collect()).unwrap_or_default();
    names.sort();
    names
}

fn event_source_from(m: &EventSourceMappingConfiguration) -> EventSource {
    EventSource {
        uuid: m.uuid().unwrap_or_default().to_string(),
        source_arn: m.event_source_arn().unwrap_or_default().to_string(),
        state: m.state().unwrap_or("-").to_string(),
        batch_size: positive(m.batch_size()),
    }
}

fn version_from(c: &FunctionConfiguration) -> Option<FunctionVersion> {
    let version = c.version().filter(|v| *v != "$LATEST")?;
    Some(FunctionVersion {
        version: version.to_string(),
        last_modified: c.last_modified().and_then(lambda_time),
        description: c.description().filter(|d| !d.is_empty()).map(str::to_string),
    })
}

/// The alias's version and the other versions its RoutingConfig sends a share to, by version.
fn alias_from(a: &AliasConfiguration) -> FunctionAlias {
    let mut weights: Vec<(String, f64)> = a
        .routing_config()
        .and_then(|r| r.additional_version_weights())
        .map(|w| w.iter().map(|(v, share)| (v.clone(), *share)).collect())
        .unwrap_or_default();
    weights.sort_by(|a, b| a.0.cmp(&b.0));
    FunctionAlias {
        name: a.name().unwrap_or_default().to_string(),
        version: a.function_version().unwrap_or_default().to_string(),
        weights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_lambda::types::{AliasRoutingConfiguration, EnvironmentResponse, LoggingConfig, Runtime};

    #[test]
    fn log_tails_are_decoded_and_undecodable_ones_kept_as_sent() {
        assert_eq!(decode_log_tail("U1RBUlQgUmVxdWVzdElkOiAx"), "START RequestId: 1");
        assert_eq!(decode_log_tail(""), "");
        assert_eq!(decode_log_tail("not base64!"), "not base64!");
    }

    #[test]
    fn an_invocation_answer_keeps_the_version_that_ran_its_function_error_and_decoded_tail() {
        let out = InvokeOutput::builder()
            .status_code(200)
            .function_error("Unhandled")
            .executed_version("12")
            .log_result("U1RBUlQgUmVxdWVzdElkOiAx")
            .payload(aws_smithy_types::Blob::new(br#"{"errorMessage":"boom"}"#.to_vec()))
            .build();
        let r = invoke_response(&out, 42.0);
        assert_eq!(r.executed_version.as_deref(), Some("12"));
        assert_eq!(r.function_error.as_deref(), Some("Unhandled"));
        assert_eq!(r.log_tail.as_deref(), Some("START RequestId: 1"));
        assert_eq!((r.status, r.latency_ms, r.body.as_slice()), (200, 42.0, br#"{"errorMessage":"boom"}"#.as_slice()));
        // An answer naming no version (moto's, without Docker) says nothing rather than a guess.
        let bare = invoke_response(&InvokeOutput::builder().status_code(200).build(), 1.0);
        assert_eq!((bare.executed_version, bare.function_error, bare.log_tail), (None, None, None));
        assert!(bare.body.is_empty());
    }

    #[test]
    fn lambda_times_parse_with_and_without_the_offset_colon() {
        let t = lambda_time("2024-05-01T12:00:00.000+0000").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-05-01T12:00:00+00:00");
        assert_eq!(lambda_time("2024-05-01T14:00:00.5+02:00").unwrap().timestamp(), t.timestamp());
        assert_eq!(lambda_time("yesterday"), None);
    }

    #[test]
    fn a_configuration_converts_with_names_but_never_values_of_its_environment() {
        let env = EnvironmentResponse::builder().variables("DB_PASSWORD", "hunter2").variables("API_URL", "x").build();
        let c = FunctionConfiguration::builder()
            .function_name("tryon")
            .runtime(Runtime::Python312)
            .memory_size(512)
            .timeout(30)
            .last_modified("2024-05-01T12:00:00.000+0000")
            .environment(env)
            .build();
        let f = function_from(&c);
        assert_eq!(f.log_group, "/aws/lambda/tryon");
        assert_eq!((f.runtime.as_deref(), f.memory_mb, f.timeout_secs), (Some("python3.12"), Some(512), Some(30)));
        assert_eq!(f.reserved_concurrency, None);
        let names = environment_names(&c);
        assert_eq!(names, vec!["API_URL".to_string(), "DB_PASSWORD".to_string()]);
        assert!(!format!("{names:?}{f:?}").contains("hunter2"));
        let custom = FunctionConfiguration::builder()
            .function_name("tryon")
            .logging_config(LoggingConfig::builder().log_group("/shared/lambda").build())
            .build();
        assert_eq!(function_from(&custom).log_group, "/shared/lambda");
        assert!(environment_names(&custom).is_empty());
    }

    #[test]
    fn versions_skip_latest_and_aliases_carry_their_weights() {
        let latest = FunctionConfiguration::builder().version("$LATEST").build();
        assert_eq!(version_from(&latest), None);
        let v2 = FunctionConfiguration::builder().version("2").description("").build();
        assert_eq!(version_from(&v2).map(|v| (v.version, v.description)), Some(("2".into(), None)));
        let routing = AliasRoutingConfiguration::builder().additional_version_weights("3", 0.1).build();
        let alias = AliasConfiguration::builder().name("live").function_version("2").routing_config(routing).build();
        let a = alias_from(&alias);
        assert_eq!(a.describe(), "live -> 2 (90%), 3 (10%)");
        let mapping = EventSourceMappingConfiguration::builder()
            .uuid("u-1")
            .event_source_arn("arn:aws:sqs:us-east-1:1:jobs")
            .state("Enabled")
            .batch_size(10)
            .build();
        let source = event_source_from(&mapping);
        assert_eq!((source.queue_name(), source.batch_size), (Some("jobs"), Some(10)));
    }
}
