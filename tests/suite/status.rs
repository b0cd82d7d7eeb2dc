//! `opsdeck status` over the simulated fleet: the JSON schema scripts rely on, the text format,
//! the cluster filter, a failing API, and inert output.

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use opsdeck::backend::{Backend, BackendError, BackendLabel, EndpointMetricsMap};
use opsdeck::domain::FunctionFilter;
use opsdeck::domain::{
    Address, Alarm, CostReport, Endpoint, LogBatch, LogQuery, Receipt, RevisionHistory, Service, ServiceDetail,
    ServiceMetrics, Snapshot, TaskDefRef, TaskDefSpec,
};
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};
use opsdeck::status::{run, snapshot, to_json, to_text, OutputFormat, StatusArgs};
use serde_json::Value;
use std::collections::BTreeMap;

/// bad-deploy, seed 7, three minutes in: the rollout has failed and the error-rate alarm fires.
fn fleet() -> SimFleet {
    let clock = ManualClock::new();
    let fleet = SimFleet::new(SimOptions {
        seed: 7,
        scenario: "bad-deploy".into(),
        start: Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap(),
        clock: SimClock::Manual(clock.clone()),
    })
    .unwrap();
    clock.advance(180);
    fleet
}

/// Delegates to the simulated fleet, but can fail `alarms()` and rename a service.
struct Faulty {
    inner: SimFleet,
    fail_alarms: bool,
    rename: Option<(String, String)>,
}

fn faulty(fail_alarms: bool, rename: Option<(&str, &str)>) -> Faulty {
    Faulty { inner: fleet(), fail_alarms, rename: rename.map(|(a, b)| (a.to_string(), b.to_string())) }
}

#[async_trait]
impl Backend for Faulty {
    fn label(&self) -> BackendLabel {
        self.inner.label()
    }
    async fn services(&self) -> Result<Vec<Service>, BackendError> {
        let mut services = self.inner.services().await?;
        if let Some((from, to)) = &self.rename {
            for s in services.iter_mut().filter(|s| &s.name == from) {
                s.name = to.clone();
            }
        }
        Ok(services)
    }
    async fn service_metrics(&self, services: &[Address]) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError> {
        self.inner.service_metrics(services).await
    }
    async fn service_detail(&self, service: &Address) -> Result<ServiceDetail, BackendError> {
        self.inner.service_detail(service).await
    }
    async fn endpoints(&self) -> Result<Vec<Endpoint>, BackendError> {
        self.inner.endpoints().await
    }
    async fn endpoint_metrics(&self, endpoints: &[String]) -> Result<EndpointMetricsMap, BackendError> {
        self.inner.endpoint_metrics(endpoints).await
    }
    async fn alarms(&self) -> Result<Vec<Alarm>, BackendError> {
        if self.fail_alarms {
            return Err(BackendError::AccessDenied {
                action: "cloudwatch:DescribeAlarms".into(),
                detail: "no identity-based policy allows the action".into(),
            });
        }
        self.inner.alarms().await
    }
    async fn cost(&self) -> Result<CostReport, BackendError> {
        self.inner.cost().await
    }
    async fn log_events(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError> {
        self.inner.log_events(group, query).await
    }
    async fn snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        self.inner.snapshot(address).await
    }
    async fn revision_history(&self, address: &Address) -> Result<RevisionHistory, BackendError> {
        self.inner.revision_history(address).await
    }
    async fn cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError> {
        self.inner.cluster_services(cluster).await
    }
    async fn scaling_policies(
        &self,
        resource: &opsdeck::domain::ScalableResource,
    ) -> Result<Vec<opsdeck::domain::ScalingPolicy>, BackendError> {
        self.inner.scaling_policies(resource).await
    }
    async fn parameters(&self, names: &[String]) -> Result<BTreeMap<String, String>, BackendError> {
        self.inner.parameters(names).await
    }
    async fn endpoint_config(&self, config: &str) -> Result<Vec<opsdeck::domain::VariantCapacity>, BackendError> {
        self.inner.endpoint_config(config).await
    }
    async fn task_definition(&self, td: &TaskDefRef) -> Result<TaskDefSpec, BackendError> {
        self.inner.task_definition(td).await
    }
    async fn caller_identity(&self) -> Result<String, BackendError> {
        self.inner.caller_identity().await
    }
    async fn apply(&self, permit: opsdeck::backend::Permit) -> Result<Receipt, BackendError> {
        self.inner.apply(permit).await
    }
}

async fn json_of(backend: &dyn Backend, clusters: &[&str]) -> Value {
    let clusters: Vec<String> = clusters.iter().map(|c| c.to_string()).collect();
    let report = snapshot(backend, &clusters, &FunctionFilter::default()).await;
    serde_json::from_str(&to_json(&report).unwrap()).unwrap()
}

fn array<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key].as_array().unwrap_or_else(|| panic!("{key} is not an array in {v}"))
}

fn assert_no_controls(text: &str) {
    for c in text.chars() {
        assert!(c == '\n' || !c.is_control(), "control character {c:?} in:\n{text}");
        assert!(!matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'), "bidi control in:\n{text}");
    }
}

#[tokio::test]
async fn json_has_the_documented_fields_and_types() {
    let v = json_of(&fleet(), &[]).await;
    assert_eq!(v["errors"], Value::Array(vec![]));
    assert!(v["source"].as_str().unwrap().contains("bad-deploy"));
    let services = array(&v, "services");
    assert_eq!(services.len(), 6);
    for s in services {
        for key in ["address", "cluster", "service", "rollout_state", "task_definition"] {
            assert!(s[key].is_string(), "{key} in {s}");
        }
        for key in ["desired", "running", "pending"] {
            assert!(s[key].is_u64(), "{key} in {s}");
        }
        let address = format!("ecs:{}/{}", s["cluster"].as_str().unwrap(), s["service"].as_str().unwrap());
        assert_eq!(s["address"], Value::String(address));
    }
    let endpoints = array(&v, "endpoints");
    assert_eq!(endpoints.len(), 2);
    for e in endpoints {
        for key in ["address", "name", "status"] {
            assert!(e[key].is_string(), "{key} in {e}");
        }
        for variant in array(e, "variants") {
            assert!(variant["name"].is_string(), "{variant}");
            assert!(variant["current_instances"].is_u64() && variant["desired_instances"].is_u64(), "{variant}");
            assert!(variant["weight"].is_f64(), "{variant}");
        }
    }
    let alarms = array(&v, "alarms");
    assert!(alarms.len() > 3);
    for a in alarms {
        assert!(a["name"].is_string() && a["reason"].is_string(), "{a}");
        let state = a["state"].as_str().unwrap();
        assert!(["ALARM", "INSUFFICIENT_DATA", "OK"].contains(&state), "{a}");
        let since = a["state_since"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(since).is_ok(), "{since}");
    }
}

#[tokio::test]
async fn json_shows_the_failed_rollout_endpoint_weights_and_firing_alarm() {
    let v = json_of(&fleet(), &[]).await;
    let services = array(&v, "services");
    let addresses: Vec<&str> = services.iter().map(|s| s["address"].as_str().unwrap()).collect();
    let mut sorted = addresses.clone();
    sorted.sort();
    assert_eq!(addresses, sorted, "services sorted by address");
    let api = services
        .iter()
        .find(|s| s["address"] == "ecs:cleanistic-ai-cluster/cleanistic-ai-api")
        .expect("cleanistic-ai-api is listed");
    assert_eq!(api["rollout_state"], "FAILED");
    assert_eq!(api["task_definition"], "cleanistic-ai-api:15");

    let endpoints = array(&v, "endpoints");
    let names: Vec<&str> = endpoints.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cleanistic-property-detector-endpoint", "prediction-endpoint"]);
    let prediction = &endpoints[1];
    assert_eq!(prediction["address"], "sm:prediction-endpoint");
    assert_eq!(prediction["status"], "InService");
    let weights: Vec<(&str, f64)> = array(prediction, "variants")
        .iter()
        .map(|v| (v["name"].as_str().unwrap(), v["weight"].as_f64().unwrap()))
        .collect();
    assert_eq!(weights, [("model-v1", 0.9), ("model-v2", 0.1)]);

    let alarms = array(&v, "alarms");
    assert_eq!(alarms[0]["name"], "CleanisticAI-HighErrorRate");
    assert_eq!(alarms[0]["state"], "ALARM");
    let rank = |s: &str| ["ALARM", "INSUFFICIENT_DATA", "OK"].iter().position(|x| *x == s).unwrap();
    let keys: Vec<(usize, &str)> =
        alarms.iter().map(|a| (rank(a["state"].as_str().unwrap()), a["name"].as_str().unwrap())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "alarms sorted by state, then name");
}

#[tokio::test]
async fn cluster_filter_keeps_only_that_clusters_services() {
    let v = json_of(&fleet(), &["svg-ai-cluster"]).await;
    let services = array(&v, "services");
    assert!(!services.is_empty());
    assert!(services.iter().all(|s| s["cluster"] == "svg-ai-cluster"), "{services:?}");
    assert_eq!(array(&v, "endpoints").len(), 2, "endpoints are not filtered");
    let alarms = array(&v, "alarms");
    assert!(alarms.iter().all(|a| {
        let w = a["watches"].as_str().unwrap_or("");
        !w.starts_with("ecs:") || w.starts_with("ecs:svg-ai-cluster/")
    }));
    assert!(alarms.iter().all(|a| a["name"] != "CleanisticAI-HighErrorRate"));
    assert_eq!(v["errors"], Value::Array(vec![]));
}

#[tokio::test]
async fn unknown_cluster_is_reported_and_fails_the_run() {
    let v = json_of(&fleet(), &["svg-ai-cluster", "no-such-cluster"]).await;
    assert!(array(&v, "services").iter().all(|s| s["cluster"] == "svg-ai-cluster"));
    let errors = array(&v, "errors");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].as_str().unwrap().contains("no-such-cluster"));

    let args = StatusArgs { clusters: vec!["no-such-cluster".into()], output: OutputFormat::Text };
    let mut out = Vec::new();
    assert!(!run(&fleet(), &args, &FunctionFilter::default(), &mut out).await.unwrap());
}

#[tokio::test]
async fn text_has_three_sections_and_no_control_characters() {
    let text = to_text(&snapshot(&fleet(), &[], &FunctionFilter::default()).await);
    assert_no_controls(&text);
    assert!(text.contains("\nSERVICES (6)\n"), "{text}");
    assert!(text.contains("\nENDPOINTS (2)\n"), "{text}");
    assert!(text.contains("\nALARMS ("), "{text}");
    assert!(!text.contains("ERRORS"), "{text}");
    let api = text.lines().find(|l| l.contains("ecs:cleanistic-ai-cluster/cleanistic-ai-api")).unwrap();
    assert!(api.contains("FAILED") && api.contains("cleanistic-ai-api:15"), "{api}");
    let endpoint = text.lines().find(|l| l.contains("sm:prediction-endpoint")).unwrap();
    assert!(endpoint.contains("model-v1 2/2 w0.90, model-v2 1/1 w0.10"), "{endpoint}");
    let first_alarm = text.lines().skip_while(|l| !l.starts_with("ALARMS")).nth(1).unwrap();
    assert!(first_alarm.trim_start().starts_with("ALARM "), "{first_alarm}");
    assert!(first_alarm.contains("CleanisticAI-HighErrorRate"), "{first_alarm}");
    let reason = text.lines().skip_while(|l| !l.starts_with("ALARMS")).nth(2).unwrap();
    assert!(reason.starts_with("      Threshold Crossed: "), "a firing alarm's reason follows in full: {reason}");
    for line in text.lines() {
        let width = unicode_width::UnicodeWidthStr::width(line);
        assert!(width <= 120, "{width} columns: {line}");
    }
}

#[tokio::test]
async fn failing_alarms_api_keeps_the_other_sections() {
    let backend = faulty(true, None);
    let report = snapshot(&backend, &[], &FunctionFilter::default()).await;
    assert_eq!(report.services.len(), 6);
    assert_eq!(report.endpoints.len(), 2);
    assert!(report.alarms.is_empty());
    assert_eq!(report.errors.len(), 1);
    assert!(report.errors[0].starts_with("alarms: access denied: cloudwatch:DescribeAlarms"), "{:?}", report.errors);

    let text = to_text(&report);
    assert!(text.contains("ALARMS (unavailable, see ERRORS)"), "{text}");
    assert!(text.contains("ERRORS (1)\n  alarms: access denied"), "{text}");

    for output in [OutputFormat::Json, OutputFormat::Text] {
        let args = StatusArgs { clusters: vec![], output };
        let mut out = Vec::new();
        let ok = run(&backend, &args, &FunctionFilter::default(), &mut out).await.unwrap();
        assert!(!ok, "run must report the failure ({output:?})");
        let written = String::from_utf8(out).unwrap();
        if output == OutputFormat::Json {
            let v: Value = serde_json::from_str(&written).unwrap();
            assert_eq!(array(&v, "services").len(), 6);
            assert!(array(&v, "errors")[0].as_str().unwrap().contains("cloudwatch:DescribeAlarms"));
        } else {
            assert!(written.contains("SERVICES (6)"), "{written}");
        }
    }
}

#[tokio::test]
async fn run_succeeds_when_everything_was_read() {
    let args = StatusArgs { clusters: vec![], output: OutputFormat::Json };
    let mut out = Vec::new();
    assert!(run(&fleet(), &args, &FunctionFilter::default(), &mut out).await.unwrap());
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(array(&v, "services").len(), 6);
}

#[tokio::test]
async fn escape_sequence_in_a_service_name_comes_out_inert() {
    let backend = faulty(false, Some(("svg-ai-service", "svg\u{1b}[2J\u{202E}evil")));
    let report = snapshot(&backend, &[], &FunctionFilter::default()).await;
    let text = to_text(&report);
    assert_no_controls(&text);
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("ecs:svg-ai-cluster/svg␛[2J\u{FFFD}evil"), "{text}");

    let json = to_json(&report).unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = array(&v, "services").iter().map(|s| s["service"].as_str().unwrap()).collect();
    assert!(names.contains(&"svg␛[2J\u{FFFD}evil"), "{names:?}");
    assert!(!json.contains("\\u001b"), "{json}");
}

#[test]
fn status_flags_parse_before_and_after_global_flags() {
    use clap::Parser;
    use opsdeck::cli::{Cli, Command};
    let argv = ["opsdeck", "status", "--cluster", "a", "--demo", "--cluster", "b", "--output", "json", "--seed", "7"];
    let cli = Cli::try_parse_from(argv).unwrap();
    assert!(cli.demo);
    assert_eq!(cli.seed, 7);
    match cli.command {
        Some(Command::Status(args)) => {
            assert_eq!(args.clusters, ["a", "b"]);
            assert_eq!(args.output, OutputFormat::Json);
        }
        other => panic!("expected status, got {other:?}"),
    }
    let cli = Cli::try_parse_from(["opsdeck", "--demo", "status"]).unwrap();
    match cli.command {
        Some(Command::Status(args)) => assert!(args.clusters.is_empty() && args.output == OutputFormat::Text),
        other => panic!("expected status, got {other:?}"),
    }
    let bad = Cli::try_parse_from(["opsdeck", "status", "--output", "yaml"]).unwrap_err();
    assert_eq!(bad.exit_code(), 2, "a bad --output is a usage error");
}
