//! Lambda functions and the models behind an endpoint, through the real SDK against the emulated
//! account (tests/fixtures/functions.py seeds it): the functions list with its prefix and tag
//! filters, ListFunctions paging, reserved concurrency changed through the action path, a test
//! invocation (and a throttled one), a function's detail (versions, weighted alias, environment
//! variable names and never their values), metrics in one GetMetricData call, and an endpoint's
//! registry package with the newer approved version and Model Monitor's runs.
//!
//! moto gaps, and what stands in for them: ListFunctions ignores MaxItems and never pages (a
//! recorded first page with a NextMarker is injected); Invoke without Docker runs no code (it
//! answers 200 with FunctionError `Handled`, the body "error running docker: ..." and an empty
//! log tail, so the decoded tail and ExecutedVersion are covered by a unit test in
//! src/aws/functions.rs, `invoke_response` over an SDK-built InvokeOutput);
//! ListMonitoringSchedules and ListMonitoringExecutions are not implemented (HTTP 500), so they
//! and DescribeProcessingJob answer with recorded responses in AWS's documented shape.

use crate::emulator;

use emulator::{isolate_from_real_aws, Emulator};
use opsdeck::aws::{AwsBackend, AwsOptions};
use opsdeck::backend::{Backend, BackendError};
use opsdeck::domain::{Address, FunctionFilter};
use opsdeck::ops::{self, Answer, AuditLog, Intent, OpError, OpsContext};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/functions.py");

async fn backend(emu: &Emulator, cache: &Path) -> AwsBackend {
    isolate_from_real_aws();
    let options = AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        // Unimplemented calls answer 500, which the SDK would retry: one attempt, one fault.
        max_attempts: 1,
        operation_timeout: Duration::from_secs(10),
        ..AwsOptions::new(cache.to_path_buf())
    };
    AwsBackend::connect(options).await.expect("connect")
}

/// Runs tests/fixtures/functions.py SUBCOMMAND against the emulator; its JSON summary.
fn seed(emu: &Emulator, subcommand: &str) -> Value {
    let out = std::process::Command::new(emu.python())
        .args([FIXTURES, "--endpoint", &emu.moto_url, subcommand])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .expect("run the fixtures");
    assert!(out.status.success(), "functions.py {subcommand}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("a JSON summary")
}

fn calls(aws: &AwsBackend, action: &str) -> u64 {
    aws.stats.by_action().get(action).copied().unwrap_or(0)
}

fn names(functions: &[opsdeck::domain::Function]) -> Vec<&str> {
    functions.iter().map(|f| f.name.as_str()).collect()
}

#[tokio::test]
async fn functions_are_listed_with_concurrency_and_event_sources_and_filtered_by_prefix_and_tag() {
    let emu = Emulator::start();
    let summary = seed(&emu, "lambda");
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;

    let all = aws.functions(&FunctionFilter::default()).await.expect("functions");
    let mut listed = names(&all);
    listed.sort();
    assert_eq!(listed, ["garmax-render", "garmax-tryon", "other-thumbnailer"]);
    assert_eq!(calls(&aws, "lambda:ListTags"), 0, "no tags read without a tag filter");
    assert_eq!(calls(&aws, "lambda:GetFunctionConcurrency"), 3);
    assert_eq!(calls(&aws, "lambda:ListEventSourceMappings"), 3);
    let tryon = all.iter().find(|f| f.name == "garmax-tryon").unwrap();
    assert_eq!(tryon.reserved_concurrency, Some(7));
    assert_eq!(
        (tryon.runtime.as_deref(), tryon.memory_mb, tryon.timeout_secs),
        (Some("python3.12"), Some(1024), Some(60))
    );
    assert_eq!(tryon.log_group, "/aws/lambda/garmax-tryon");
    assert!(tryon.last_modified.is_some(), "LastModified parses: {tryon:?}");
    assert_eq!(tryon.event_sources.len(), 1);
    let source = &tryon.event_sources[0];
    assert_eq!(source.source_arn, summary["queue_arn"].as_str().unwrap());
    assert_eq!(source.uuid, summary["mapping"].as_str().unwrap());
    assert_eq!((source.queue_name(), source.batch_size), (Some("garmax-tryon-jobs"), Some(10)));
    let render = all.iter().find(|f| f.name == "garmax-render").unwrap();
    assert_eq!((render.reserved_concurrency, render.reserved_text().as_str()), (None, "none set"));
    assert!(render.event_sources.is_empty());

    let prefixed = FunctionFilter { prefixes: vec!["garmax-".into()], tags: vec![] };
    let mut got =
        names(&aws.functions(&prefixed).await.expect("by prefix")).into_iter().map(String::from).collect::<Vec<_>>();
    got.sort();
    assert_eq!(got, ["garmax-render", "garmax-tryon"]);
    assert_eq!(calls(&aws, "lambda:ListTags"), 0);

    let tagged = FunctionFilter { prefixes: vec![], tags: vec![("system".into(), "garmax".into())] };
    let mut got =
        names(&aws.functions(&tagged).await.expect("by tag")).into_iter().map(String::from).collect::<Vec<_>>();
    got.sort();
    assert_eq!(got, ["garmax-render", "garmax-tryon"]);
    assert_eq!(calls(&aws, "lambda:ListTags"), 3, "one ListTags per function the prefixes let through");

    let both = FunctionFilter { prefixes: vec!["garmax-".into()], tags: vec![("team".into(), "ml".into())] };
    assert_eq!(names(&aws.functions(&both).await.expect("both")), ["garmax-tryon"]);
    assert_eq!(calls(&aws, "lambda:ListTags"), 5, "only the two garmax- functions' tags were read");
}

/// moto answers every function in one page: a recorded first page with a NextMarker makes the
/// backend ask again, and the function on both pages is kept once.
#[tokio::test]
async fn list_functions_follows_next_marker() {
    let emu = Emulator::start();
    seed(&emu, "lambda");
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;
    let first_page = r#"{"operation":"GET /2015-03-31/functions","status":200,"times":1,"body":{
        "Functions":[{"FunctionName":"garmax-render","FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:garmax-render",
        "Runtime":"python3.12","MemorySize":1024,"Timeout":60,"LastModified":"2024-05-01T12:00:00.000+0000","Version":"$LATEST"}],
        "NextMarker":"page-2"}}"#;
    emu.fault(first_page);
    emu.clear_calls();
    let all = aws.functions(&FunctionFilter::default()).await.expect("functions");
    assert_eq!(calls(&aws, "lambda:ListFunctions"), 2, "{:?}", emu.calls());
    assert_eq!(emu.calls().get("lambda:GET /2015-03-31/functions"), Some(&2), "{:?}", emu.calls());
    let mut listed = names(&all);
    listed.sort();
    assert_eq!(listed, ["garmax-render", "garmax-tryon", "other-thumbnailer"], "the repeated function once");
}

#[tokio::test]
async fn function_detail_has_versions_a_weighted_alias_and_only_the_names_of_the_environment() {
    let emu = Emulator::start();
    let summary = seed(&emu, "lambda");
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;

    let detail = aws.function_detail("garmax-tryon").await.expect("detail");
    assert_eq!(detail.arn.as_deref(), Some("arn:aws:lambda:us-east-1:123456789012:function:garmax-tryon"));
    assert_eq!(detail.handler.as_deref(), Some("handler.handler"));
    assert_eq!(detail.description.as_deref(), Some("virtual try-on worker, faster"));
    assert_eq!(detail.environment, ["API_URL", "DB_PASSWORD"]);
    let versions: Vec<&str> = detail.versions.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(versions, ["2", "1"], "published versions newest first, $LATEST left out");
    assert_eq!(detail.versions[1].description.as_deref(), Some("first"));
    assert_eq!(detail.aliases.len(), 1);
    assert_eq!(detail.aliases[0].describe(), "live -> 1 (75%), 2 (25%)");
    assert_eq!(detail.function.reserved_concurrency, Some(7));
    assert_eq!(detail.function.queues().collect::<Vec<_>>(), ["garmax-tryon-jobs"]);
    let secret = summary["secret"].as_str().unwrap();
    let shown = format!("{detail:?}{}", serde_json::to_string(&detail).unwrap());
    assert!(!shown.contains(secret) && !shown.contains("internal.example"), "a value leaked: {shown}");
    for action in ["lambda:GetFunction", "lambda:ListVersionsByFunction", "lambda:ListAliases"] {
        assert_eq!(calls(&aws, action), 1, "{action}");
    }

    let missing = aws.function_detail("no-such-function").await.expect_err("missing");
    assert!(matches!(missing, BackendError::NotFound(_)), "{missing:?}");
}

#[tokio::test]
async fn function_metrics_come_in_one_call_and_missing_minutes_stay_missing() {
    let emu = Emulator::start();
    seed(&emu, "lambda");
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;
    let functions = aws.functions(&FunctionFilter::default()).await.expect("functions");
    emu.clear_calls();
    let metrics = aws.function_metrics(&functions).await.expect("metrics");
    assert_eq!(emu.calls().get("monitoring:GetMetricData"), Some(&1), "{:?}", emu.calls());
    assert_eq!(metrics.len(), 3);
    let tryon = &metrics["garmax-tryon"];
    assert_eq!(tryon.invocations.points.len(), 60);
    let seen: Vec<f64> = tryon.invocations.points.iter().flatten().copied().collect();
    assert_eq!(seen.len(), 3, "three minutes had datapoints: {:?}", tryon.invocations);
    assert!(seen.contains(&12.0) && seen.contains(&15.0), "{seen:?}");
    assert_eq!(tryon.errors.points.iter().flatten().count(), 0, "no data is None, not 0");
    assert_eq!(tryon.queue_depth["garmax-tryon-jobs"].points.iter().flatten().copied().collect::<Vec<_>>(), [42.0]);
    assert!(metrics["garmax-render"].queue_depth.is_empty());
    assert_eq!(metrics["garmax-render"].invocations.latest(), None);
}

struct Ops {
    aws: AwsBackend,
    ctx: OpsContext,
    _dir: tempfile::TempDir,
}

impl Ops {
    async fn new(emu: &Emulator) -> Ops {
        let dir = tempfile::tempdir().unwrap();
        let aws = backend(emu, &dir.path().join("cache")).await;
        let ctx =
            OpsContext::new(false, AuditLog::new(dir.path().join("audit.jsonl")), dir.path().join("environments"));
        Ops { aws, ctx, _dir: dir }
    }

    async fn run(&self, intent: Intent) -> Result<ops::Executed, OpError> {
        let plan = ops::plan(&self.aws, intent).await?;
        ops::execute(&self.aws, &self.ctx, ops::confirm(plan, &Answer::AssumeYes, false)?).await
    }

    async fn reserved(&self, name: &str) -> Option<u32> {
        let all = self.aws.functions(&FunctionFilter { prefixes: vec![name.into()], tags: vec![] }).await.unwrap();
        all.iter().find(|f| f.name == name).expect("listed").reserved_concurrency
    }
}

#[tokio::test]
async fn concurrency_is_put_and_deleted_through_the_action_path() {
    let emu = Emulator::start();
    seed(&emu, "lambda");
    let o = Ops::new(&emu).await;
    let address = Address::function("garmax-render");
    o.run(Intent::Concurrency { address: address.clone(), reserved: Some(3) }).await.expect("put");
    assert_eq!(o.reserved("garmax-render").await, Some(3));
    o.run(Intent::Concurrency { address, reserved: None }).await.expect("delete");
    assert_eq!(o.reserved("garmax-render").await, None, "no limit, not 0");
    assert_eq!(calls(&o.aws, "lambda:PutFunctionConcurrency"), 1);
    assert_eq!(calls(&o.aws, "lambda:DeleteFunctionConcurrency"), 1);
}

/// moto without Docker runs no function code: it answers 200 with FunctionError `Handled` and
/// its own error as the payload, and an empty log tail. What is checked here is the wire: one
/// request (no retry), the qualifier and payload accepted, the error header and body carried
/// back; a throttle is an error that says nothing ran.
#[tokio::test]
async fn a_test_invocation_carries_back_status_function_error_and_body_and_a_throttle_is_clear() {
    let emu = Emulator::start();
    seed(&emu, "lambda");
    let o = Ops::new(&emu).await;
    let payload = ops::invoke::from_config(r#"{"order":42}"#, None).expect("payload");
    let intent =
        Intent::InvokeFunction { address: Address::function("garmax-tryon"), payload, qualifier: Some("live".into()) };
    emu.clear_calls();
    let done = o.run(intent.clone()).await.expect("invoke");
    let invoke_key = "lambda:POST /2015-03-31/functions/garmax-tryon/invocations";
    assert_eq!(emu.calls().get(invoke_key), Some(&1), "{:?}", emu.calls());
    let r = done.receipts[0].response.as_ref().expect("a response");
    assert_eq!(r.status, 200);
    assert_eq!(r.function_error.as_deref(), Some("Handled"));
    assert!(String::from_utf8_lossy(&r.body).contains("error running docker"), "{r:?}");
    assert_eq!(r.log_tail.as_deref().unwrap_or_default(), "", "moto's tail is empty without Docker");
    assert!(done.receipts[0].request_id.is_some());

    let throttled = r#"{"operation":"POST /2015-03-31/functions/garmax-tryon/invocations","status":429,"times":1,
        "body":{"__type":"TooManyRequestsException","message":"Rate Exceeded.",
        "Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User"}}"#;
    emu.fault(throttled);
    emu.clear_calls();
    let err = o.run(intent).await.expect_err("throttled");
    assert!(matches!(&err, OpError::Backend(BackendError::Throttled { .. })), "{err:?}");
    assert!(err.to_string().contains("did not run"), "{err}");
    assert_eq!(emu.calls().get(invoke_key), Some(&1), "one request: a test invocation is never retried");
}

const SCHEDULES: &str = r#"{"operation":"ListMonitoringSchedules","status":200,"times":1,"body":{
  "MonitoringScheduleSummaries":[{"MonitoringScheduleName":"registry-endpoint-data-quality",
  "MonitoringScheduleArn":"arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/registry-endpoint-data-quality",
  "CreationTime":1714550400.0,"LastModifiedTime":1714550400.0,"MonitoringScheduleStatus":"Scheduled",
  "EndpointName":"registry-endpoint","MonitoringJobDefinitionName":"registry-endpoint-data-quality-job",
  "MonitoringType":"DataQuality"}]}}"#;

/// Three hourly runs, answered out of order (the backend sorts them again, newest first).
const EXECUTIONS: &str = r#"{"operation":"ListMonitoringExecutions","status":200,"times":1,"body":{
  "MonitoringExecutionSummaries":[
   {"MonitoringScheduleName":"registry-endpoint-data-quality","ScheduledTime":1714564800.0,"CreationTime":1714564810.0,
    "LastModifiedTime":1714565400.0,"MonitoringExecutionStatus":"Completed","EndpointName":"registry-endpoint",
    "ProcessingJobArn":"arn:aws:sagemaker:us-east-1:123456789012:processing-job/model-monitoring-202405011200-5e6f7a8b",
    "MonitoringType":"DataQuality"},
   {"MonitoringScheduleName":"registry-endpoint-data-quality","ScheduledTime":1714568400.0,"CreationTime":1714568410.0,
    "LastModifiedTime":1714569000.0,"MonitoringExecutionStatus":"CompletedWithViolations","EndpointName":"registry-endpoint",
    "ProcessingJobArn":"arn:aws:sagemaker:us-east-1:123456789012:processing-job/model-monitoring-202405011300-0a1b2c3d",
    "MonitoringType":"DataQuality"},
   {"MonitoringScheduleName":"registry-endpoint-data-quality","ScheduledTime":1714561200.0,"CreationTime":1714561210.0,
    "LastModifiedTime":1714561500.0,"MonitoringExecutionStatus":"Failed","EndpointName":"registry-endpoint",
    "FailureReason":"AlgorithmError: no captured data found for the hour","MonitoringType":"DataQuality"}]}}"#;

const PROCESSING_JOB: &str = r#"{"operation":"DescribeProcessingJob","status":200,"times":1,"body":{
  "ProcessingJobName":"model-monitoring-202405011300-0a1b2c3d",
  "ProcessingJobArn":"arn:aws:sagemaker:us-east-1:123456789012:processing-job/model-monitoring-202405011300-0a1b2c3d",
  "ProcessingJobStatus":"Completed","ExitMessage":"CompletedWithViolations: Job completed successfully with 3 violations.",
  "ProcessingOutputConfig":{"Outputs":[{"OutputName":"result","S3Output":{
    "S3Uri":"s3://opsdeck-monitoring/reports/registry-endpoint/registry-endpoint-data-quality/2024/05/01/13",
    "LocalPath":"/opt/ml/processing/output","S3UploadMode":"Continuous"}}]},
  "ProcessingResources":{"ClusterConfig":{"InstanceCount":1,"InstanceType":"ml.m5.xlarge","VolumeSizeInGB":20}},
  "AppSpecification":{"ImageUri":"156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"},
  "RoleArn":"arn:aws:iam::123456789012:role/opsdeck-test-sagemaker","CreationTime":1714568410.0,
  "MonitoringScheduleArn":"arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/registry-endpoint-data-quality"}}"#;

#[tokio::test]
async fn endpoint_models_name_the_registry_package_the_newer_approved_one_and_model_monitor_runs() {
    let emu = Emulator::start();
    let summary = seed(&emu, "model-registry");
    let packages: Vec<&str> = summary["packages"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;
    for fault in [SCHEDULES, EXECUTIONS, PROCESSING_JOB] {
        emu.fault(fault);
    }

    let models = aws.endpoint_models("registry-endpoint").await.expect("endpoint models");
    assert_eq!(models.endpoint, "registry-endpoint");
    assert_eq!(models.variants.len(), 1);
    let variant = &models.variants[0];
    assert_eq!((variant.variant.as_str(), variant.model_name.as_str()), ("AllTraffic", "registry-model"));
    let container = &variant.containers[0];
    let package = container.package.as_ref().expect("made from a package");
    assert_eq!(package.arn, packages[0]);
    assert_eq!(package.describe(), "prediction-models v1 (Approved)");
    assert!(package.approved_at.is_some() && package.created.is_some(), "{package:?}");
    let newer = container.newer_approved.as_ref().expect("v2 is approved and newer");
    assert_eq!((newer.arn.as_str(), newer.version), (packages[1], Some(2)), "v3 is pending, not approved");
    assert_eq!(newer.approval, "Approved");
    assert!(newer.approved_at >= package.approved_at, "{newer:?}");

    assert_eq!(models.monitoring.len(), 1);
    let schedule = &models.monitoring[0];
    assert_eq!((schedule.name.as_str(), schedule.status.as_str()), ("registry-endpoint-data-quality", "Scheduled"));
    assert_eq!(schedule.kind.as_deref(), Some("DataQuality"));
    let statuses: Vec<&str> = schedule.executions.iter().map(|e| e.status.as_str()).collect();
    assert_eq!(statuses, ["CompletedWithViolations", "Completed", "Failed"], "newest first");
    assert_eq!(
        schedule.executions[0].report.as_deref(),
        Some("s3://opsdeck-monitoring/reports/registry-endpoint/registry-endpoint-data-quality/2024/05/01/13/constraint_violations.json")
    );
    assert_eq!(schedule.executions[1].report, None, "no report is looked up for a clean run");
    assert_eq!(schedule.executions[2].failure.as_deref(), Some("AlgorithmError: no captured data found for the hour"));
    assert!(models.drift());
    assert_eq!(calls(&aws, "sagemaker:DescribeProcessingJob"), 1, "only for the run with violations");
    assert_eq!(calls(&aws, "sagemaker:DescribeModelPackage"), 2, "the deployed one and the newer approved one");
    assert_eq!(calls(&aws, "sagemaker:ListModelPackages"), 1);
}
