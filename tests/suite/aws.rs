//! The AWS backend through the real SDK, real HTTP and real serialization, against an emulated
//! account (moto in server mode behind tests/support/cw_bridge.py, which also injects faults and
//! counts calls).

use crate::aws_backend::backend;
use crate::emulator;

use emulator::{isolate_from_real_aws, Emulator};
use opsdeck::aws::{AwsBackend, AwsOptions};
use opsdeck::backend::{Backend, BackendError};
use opsdeck::domain::{Address, AlarmState, LogQuery};
use std::time::{Duration, Instant};

#[tokio::test]
async fn reads_the_seeded_fleet_through_the_real_sdk() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;

    let services = aws.services().await.expect("services");
    let names: Vec<String> = services.iter().map(|s| s.address().to_string()).collect();
    for wanted in ["ecs:cleanistic-ai-cluster/cleanistic-ai-api", "ecs:svg-ai-cluster/svg-ai-service"] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} not in {names:?}");
    }
    let api = services.iter().find(|s| s.name == "cleanistic-ai-api").unwrap();
    assert_eq!(api.task_definition.family, "cleanistic-ai-api");
    assert!(api.task_definition.revision >= 1);
    assert_eq!(api.log_group.as_deref(), Some("/ecs/cleanistic-ai-api"), "log group from the task definition");

    let endpoints = aws.endpoints().await.expect("endpoints");
    let prediction = endpoints.iter().find(|e| e.name == "prediction-endpoint").expect("prediction-endpoint");
    let weights: Vec<(String, f64)> = prediction.variants.iter().map(|v| (v.name.clone(), v.weight)).collect();
    assert!(weights.iter().any(|(n, w)| n == "model-v1" && (*w - 0.9).abs() < 1e-6), "{weights:?}");

    let alarms = aws.alarms().await.expect("alarms");
    let firing = alarms.iter().find(|a| a.name == "CleanisticAI-HighErrorRate").expect("seeded alarm");
    assert_eq!(firing.state, AlarmState::Alarm);
    assert!(!firing.reason.is_empty());
    assert!(firing.watches.is_some(), "the alarm's dimensions name what it watches: {firing:?}");

    let metrics = aws.service_metrics(&[api.address()]).await.expect("metrics");
    let m = &metrics[&api.address()];
    assert_eq!(m.cpu.points.len(), 30);
    assert!(m.cpu.points.iter().any(Option::is_some), "seeded CPU datapoints missing: {m:?}");

    let batch = aws.log_events("/ecs/cleanistic-ai-api", LogQuery::Tail { limit: 100 }).await.expect("logs");
    assert!(!batch.events.is_empty());
    let newest = batch.events.iter().map(|e| e.id).max().unwrap();
    let again = aws.log_events("/ecs/cleanistic-ai-api", LogQuery::After { id: newest }).await.expect("follow");
    assert!(again.events.iter().all(|e| e.id != newest), "the cursor's own event came back");

    let detail = aws.service_detail(&api.address()).await.expect("detail");
    assert_eq!(detail.address, api.address());
    let revisions: Vec<u32> = detail.revisions.iter().map(|r| r.revision).collect();
    assert!(revisions.len() >= 2 && revisions.windows(2).all(|w| w[0] > w[1]), "newest first: {revisions:?}");
    assert!(detail.revisions.iter().all(|r| r.family == "cleanistic-ai-api"), "{:?}", detail.revisions);

    // What `:region eu-west-1` connects to: the same account elsewhere, where nothing is seeded.
    isolate_from_real_aws();
    let options = AwsOptions {
        region: Some("eu-west-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        max_attempts: 1,
        ..AwsOptions::new(cache.path().to_path_buf())
    };
    let elsewhere = AwsBackend::connect(options).await.expect("connect eu-west-1");
    assert_eq!(
        elsewhere.label(),
        opsdeck::backend::BackendLabel::Aws { profile: "default".into(), region: "eu-west-1".into() }
    );
    assert!(elsewhere.services().await.expect("services").is_empty());
}

#[tokio::test]
async fn text_from_the_account_reaches_the_screen_inert() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let batch = aws.log_events("/ecs/cleanistic-ai-api", LogQuery::Tail { limit: 1000 }).await.expect("logs");
    assert!(batch.events.iter().any(|e| e.message.contains('\u{1b}')), "fixture's escape sequence not in the log");
    let mut view = opsdeck::logs::LogView::new(1000);
    view.ingest(batch.events);
    assert!(view.buffer().iter().all(|l| !l.message.chars().any(|c| c.is_control())));
}

#[tokio::test]
async fn one_refresh_of_25_services_and_3_endpoints_is_the_api_floor() {
    let emu = Emulator::start();
    emu.scale(3, 25, 3);
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    // The first refresh also learns task definitions and endpoint configs (immutable, cached).
    let services = aws.services().await.expect("services");
    assert_eq!(services.len(), 25);
    aws.endpoints().await.expect("endpoints");
    emu.clear_calls();

    let services = aws.services().await.expect("services");
    let endpoints = aws.endpoints().await.expect("endpoints");
    let addresses: Vec<Address> = services.iter().map(|s| s.address()).collect();
    aws.service_metrics(&addresses).await.expect("service metrics");
    let names: Vec<String> = endpoints.iter().map(|e| e.name.clone()).collect();
    aws.endpoint_metrics(&names).await.expect("endpoint metrics");
    aws.alarms().await.expect("alarms");

    let calls = emu.calls();
    let count = |op: &str| calls.get(op).copied().unwrap_or(0);
    // 25 services over 3 clusters: at most 10 per DescribeServices, so 3 calls.
    assert_eq!(count("ecs:ListClusters"), 1, "{calls:?}");
    assert_eq!(count("ecs:ListServices"), 3, "{calls:?}");
    assert_eq!(count("ecs:DescribeServices"), 3, "{calls:?}");
    assert_eq!(count("ecs:DescribeTaskDefinition"), 0, "task definitions are cached: {calls:?}");
    assert_eq!(count("sagemaker:ListEndpoints"), 1, "{calls:?}");
    assert_eq!(count("sagemaker:DescribeEndpoint"), 3, "{calls:?}");
    assert_eq!(count("sagemaker:DescribeEndpointConfig"), 0, "endpoint configs are cached: {calls:?}");
    // 50 ECS metrics and 3 endpoints' variant metrics: two calls, one per view, far under 500 queries.
    assert_eq!(count("monitoring:GetMetricData"), 2, "{calls:?}");
    assert_eq!(count("monitoring:DescribeAlarms"), 1, "{calls:?}");
    let total: u64 = calls.values().sum();
    assert_eq!(total, 14, "{calls:?}");
    // The backend's own count agrees with what the emulator saw.
    let (ours, _) = aws.stats.snapshot();
    assert!(ours >= total, "stats {ours} < seen {total}");
}

#[tokio::test]
async fn throttling_access_denied_expired_credentials_and_timeouts_are_named() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;

    emu.fault(r#"{"operation": "DescribeServices", "status": 400, "body": {"__type": "ThrottlingException", "message": "Rate exceeded"}, "times": 5}"#);
    let err = aws.services().await.unwrap_err();
    assert_eq!(err, BackendError::Throttled { api: "DescribeServices".into() });
    emu.clear_faults();

    emu.fault(r#"{"operation": "DescribeAlarms", "status": 400, "body": {"__type": "AccessDenied", "message": "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: cloudwatch:DescribeAlarms"}, "times": 5}"#);
    match aws.alarms().await.unwrap_err() {
        BackendError::AccessDenied { action, .. } => assert_eq!(action, "cloudwatch:DescribeAlarms"),
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    // One failing API never blanks the others.
    assert!(!aws.services().await.expect("services still work").is_empty());
    emu.clear_faults();

    emu.fault(r#"{"operation": "ListEndpoints", "status": 400, "body": {"__type": "ExpiredTokenException", "message": "The security token included in the request is expired"}, "times": 5}"#);
    let err = aws.endpoints().await.unwrap_err();
    assert!(matches!(&err, BackendError::Credentials(m) if m.contains("aws sso login")), "{err:?}");
    emu.clear_faults();

    emu.fault(r#"{"operation": "ListClusters", "delay_ms": 8000, "times": 5}"#);
    let started = Instant::now();
    let err = aws.services().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(7), "timeout took {:?}", started.elapsed());
    assert!(matches!(&err, BackendError::Network(m) if m.contains("timed out")), "{err:?}");
    emu.clear_faults();
}

#[tokio::test]
async fn cost_is_read_once_and_served_from_the_disk_cache() {
    let emu = Emulator::start();
    let today = chrono::Utc::now().date_naive();
    let start = today.format("%Y-%m-%d").to_string();
    let end = (today + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let canned = format!(
        r#"{{"results":[{{"ResultsByTime":[{{"TimePeriod":{{"Start":"{start}","End":"{end}"}},"Total":{{}},"Groups":[
            {{"Keys":["Amazon SageMaker"],"Metrics":{{"UnblendedCost":{{"Amount":"12.5","Unit":"USD"}}}}}},
            {{"Keys":["AWS Lambda"],"Metrics":{{"UnblendedCost":{{"Amount":"0.75","Unit":"USD"}}}}}}],"Estimated":true}}],
            "GroupDefinitions":[{{"Type":"DIMENSION","Key":"SERVICE"}}],"DimensionValueAttributes":[]}}]}}"#
    );
    emu.post_json("/moto-api/static/ce/cost-and-usage-results", &canned);
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let report = aws.cost().await.expect("cost");
    assert_eq!(report.by_service[0].0, "Amazon SageMaker");
    assert!((report.month_to_date - 13.25).abs() < 1e-9, "{report:?}");
    assert!((report.today - 13.25).abs() < 1e-9);
    assert!(report.forecast >= report.month_to_date);
    emu.clear_calls();
    // A second backend (a new session) reads the cache, not Cost Explorer.
    let again = backend(&emu, cache.path()).await.cost().await.expect("cached cost");
    assert_eq!(again.month_to_date, report.month_to_date);
    assert_eq!(emu.calls().get("ce:GetCostAndUsage").copied().unwrap_or(0), 0, "{:?}", emu.calls());
    // ctrl-r in the cost pane asks Cost Explorer again, past the cache.
    aws.cost_fresh().await.expect("fresh cost");
    assert_eq!(emu.calls().get("ce:GetCostAndUsage").copied().unwrap_or(0), 1, "{:?}", emu.calls());
}

#[test]
fn status_runs_headless_against_the_account() {
    let emu = Emulator::start();
    emu.seed();
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["status", "--output", "json", "--region", "us-east-1", "--endpoint-url", &emu.endpoint, "--config-dir"])
        .arg(dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run opsdeck status");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let services = json["services"].as_array().expect("services");
    assert!(services.iter().any(|s| s["address"] == "ecs:svg-ai-cluster/svg-ai-service"), "{stdout}");
    assert!(json["alarms"].as_array().unwrap().iter().any(|a| a["state"] == "ALARM"));
}

#[tokio::test]
async fn aws_ca_bundle_is_loaded_or_refused_clearly() {
    isolate_from_real_aws();
    let cache = tempfile::tempdir().unwrap();
    let with_bundle = |path: &str| AwsOptions {
        region: Some("us-east-1".into()),
        ca_bundle: Some(path.into()),
        ..AwsOptions::new(cache.path().to_path_buf())
    };
    let err = AwsBackend::connect(with_bundle("/nonexistent/ca.pem")).await.err().expect("missing file refused");
    assert!(err.to_string().contains("AWS_CA_BUNDLE /nonexistent/ca.pem"), "{err}");
    let not_pem = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let err = AwsBackend::connect(with_bundle(not_pem)).await.err().expect("non-PEM refused");
    assert!(err.to_string().contains("no PEM certificate"), "{err}");
    let pem = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/test-ca.pem");
    assert!(AwsBackend::connect(with_bundle(pem)).await.is_ok(), "a real CA certificate should load");
}

#[tokio::test]
async fn a_large_account_hands_over_the_first_screen_before_the_rest() {
    let emu = Emulator::start();
    emu.scale(2, 70, 1);
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let first = std::sync::Mutex::new(Vec::new());
    let all = aws.services_progressive(&|rows| first.lock().unwrap().push(rows)).await.expect("services");
    let first = first.into_inner().unwrap();
    assert_eq!(first.len(), 1, "one early hand-over");
    // 35 services per cluster: batches of 10, 10, 10, 5, then 10 of the next cluster.
    assert_eq!(first[0].len(), 45, "the first screenful: 5 DescribeServices calls");
    assert_eq!(all.len(), 70);
    // The early rows are the ones the pane shows first: the start of the sorted list.
    let key = |s: &opsdeck::domain::Service| (s.cluster.clone(), s.name.clone());
    let mut sorted: Vec<_> = all.iter().map(key).collect();
    sorted.sort();
    let early: Vec<_> = first[0].iter().map(key).collect();
    assert_eq!(early, sorted[..45].to_vec());
}

#[tokio::test]
async fn the_log_tail_follows_new_events_and_falls_back_to_polling_when_live_tail_fails() {
    let emu = Emulator::start();
    emu.seed();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let group = "/ecs/svg-ai-service";
    let first = aws.log_events(group, LogQuery::Tail { limit: 200 }).await.expect("tail");
    let mut cursor = first.events.iter().map(|e| e.id).max().unwrap_or(0);

    let (status, body) = emu.aws_json(
        "logs",
        "Logs_20140328.CreateLogStream",
        &format!(r#"{{"logGroupName":"{group}","logStreamName":"followed"}}"#),
    );
    assert_eq!(status, 200, "{body}");
    let now = chrono::Utc::now().timestamp_millis();
    let put = format!(
        r#"{{"logGroupName":"{group}","logStreamName":"followed","logEvents":[{{"timestamp":{now},"message":"after the tail started"}}]}}"#
    );
    let (status, body) = emu.aws_json("logs", "Logs_20140328.PutLogEvents", &put);
    assert_eq!(status, 200, "{body}");

    // The emulator cannot host Live Tail (its streaming endpoint is a separate host), so the
    // session fails to start and polling carries the tail; the new event must arrive either way.
    let mut seen = false;
    for _ in 0..10 {
        let batch = aws.log_events(group, LogQuery::After { id: cursor }).await.expect("follow");
        seen |= batch.events.iter().any(|e| e.message == "after the tail started");
        cursor = batch.events.iter().map(|e| e.id).max().unwrap_or(cursor).max(cursor);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(seen, "the new event never arrived");
    let starts = aws.stats.by_action().get("logs:StartLiveTail").copied().unwrap_or(0);
    assert!(starts >= 1, "Live Tail was never tried");
    assert!(starts <= 3, "a failing Live Tail must not be retried forever: {starts} starts");
}

#[tokio::test]
async fn cost_per_system_comes_from_the_configured_tag() {
    let emu = Emulator::start();
    let today = chrono::Utc::now().date_naive();
    let start = today.format("%Y-%m-%d").to_string();
    let end = (today + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let by_service = format!(
        r#"{{"ResultsByTime":[{{"TimePeriod":{{"Start":"{start}","End":"{end}"}},"Total":{{}},"Groups":[
            {{"Keys":["Amazon SageMaker"],"Metrics":{{"UnblendedCost":{{"Amount":"10","Unit":"USD"}}}}}}],"Estimated":true}}],
            "GroupDefinitions":[],"DimensionValueAttributes":[]}}"#
    );
    let by_tag = format!(
        r#"{{"ResultsByTime":[{{"TimePeriod":{{"Start":"{start}","End":"{end}"}},"Total":{{}},"Groups":[
            {{"Keys":["system$svg-ai"],"Metrics":{{"UnblendedCost":{{"Amount":"7","Unit":"USD"}}}}}},
            {{"Keys":["system$"],"Metrics":{{"UnblendedCost":{{"Amount":"3","Unit":"USD"}}}}}}],"Estimated":true}}],
            "GroupDefinitions":[],"DimensionValueAttributes":[]}}"#
    );
    emu.post_json("/moto-api/static/ce/cost-and-usage-results", &format!(r#"{{"results":[{by_service},{by_tag}]}}"#));
    isolate_from_real_aws();
    let cache = tempfile::tempdir().unwrap();
    let options = AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        max_attempts: 1,
        cost_tag: Some("system".into()),
        ..AwsOptions::new(cache.path().to_path_buf())
    };
    let report = AwsBackend::connect(options).await.expect("connect").cost().await.expect("cost");
    let systems: Vec<(String, f64)> = report.by_system.iter().map(|s| (s.system.clone(), s.month_to_date)).collect();
    assert_eq!(systems, vec![("svg-ai".to_string(), 7.0), ("(no system tag)".to_string(), 3.0)]);
    assert!(report.by_system.iter().all(|s| s.forecast >= s.month_to_date));
}
