//! Operator actions on the AWS backend through the real path (plan -> confirm -> execute), the
//! real SDK and real HTTP, against an emulated account (moto behind tests/support/cw_bridge.py,
//! which counts calls per operation and can answer an operation with a canned reply).
//!
//! Every test that changes something has its own emulator. What was sent is checked three ways:
//! the bridge's call counts, moto's request recording (the exact fields of each mutating
//! request), and a fresh `snapshot()` through the SDK afterwards.

use crate::emulator;

use emulator::{isolate_from_real_aws, Emulator};
use opsdeck::audit::Phase;
use opsdeck::aws::{AwsBackend, AwsOptions};
use opsdeck::backend::{Backend, BackendError};
use opsdeck::domain::{
    Address, EndpointSnapshot, Mutation, ScalingTarget, ServiceDeploymentInfo, ServiceSnapshot, Snapshot, Suspended,
    TaskDefRef,
};
use opsdeck::ops::{self, Answer, AuditLog, AuditRecord, Executed, Intent, OpError, OpsContext, RevisionChoice};
use serde_json::Value;
use std::time::Duration;

const API: &str = "ecs:cleanistic-ai-cluster/cleanistic-ai-api";
const MOTO_ARN: &str = "arn:aws:sts::123456789012:user/moto";
const MUTATING: [&str; 5] = [
    "ecs:UpdateService",
    "ecs:StopServiceDeployment",
    "application-autoscaling:RegisterScalableTarget",
    "sagemaker:UpdateEndpointWeightsAndCapacities",
    "sagemaker:InvokeEndpoint",
];

async fn backend(emu: &Emulator, cache: &std::path::Path) -> AwsBackend {
    // Unimplemented calls answer 500, which the SDK would retry: fail fast in tests.
    backend_with(emu, cache, 1, Duration::from_secs(15)).await
}

async fn backend_with(emu: &Emulator, cache: &std::path::Path, attempts: u32, timeout: Duration) -> AwsBackend {
    isolate_from_real_aws();
    let options = AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        max_attempts: attempts,
        operation_timeout: timeout,
        ..AwsOptions::new(cache.to_path_buf())
    };
    AwsBackend::connect(options).await.expect("connect")
}

/// A private, seeded emulator that records every request moto receives, a backend on it, and an
/// audit log in a temporary directory.
struct Fixture {
    emu: Emulator,
    aws: AwsBackend,
    ctx: OpsContext,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("moto-recording.jsonl");
    let emu = Emulator::start_with_env(&[("MOTO_RECORDER_FILEPATH", recording.to_str().unwrap())]);
    emu.seed();
    emu.post_json("/moto-api/recorder/start-recording", "");
    emu.clear_calls();
    let aws = backend(&emu, &dir.path().join("cache")).await;
    let ctx = OpsContext::new(false, AuditLog::new(dir.path().join("audit.jsonl")), dir.path().join("environments"));
    Fixture { emu, aws, ctx, dir }
}

impl Fixture {
    async fn plan(&self, intent: Intent) -> Result<ops::Plan, OpError> {
        ops::plan(&self.aws, intent).await
    }

    async fn run(&self, intent: Intent) -> Result<Executed, OpError> {
        let plan = self.plan(intent).await?;
        let confirmed = ops::confirm(plan, &Answer::AssumeYes, false)?;
        ops::execute(&self.aws, &self.ctx, confirmed).await
    }

    async fn service(&self, address: &str) -> ServiceSnapshot {
        match self.aws.snapshot(&addr(address)).await.expect("snapshot") {
            Snapshot::Service(s) => s,
            other => panic!("not a service: {other:?}"),
        }
    }

    async fn endpoint(&self, name: &str) -> EndpointSnapshot {
        match self.aws.snapshot(&Address::endpoint(name)).await.expect("snapshot") {
            Snapshot::Endpoint(e) => e,
            other => panic!("not an endpoint: {other:?}"),
        }
    }

    fn calls(&self, action: &str) -> u64 {
        self.emu.calls().get(action).copied().unwrap_or(0)
    }

    fn assert_nothing_mutated(&self) {
        let calls = self.emu.calls();
        for action in MUTATING {
            assert!(!calls.contains_key(action), "{action} was sent: {calls:?}");
        }
    }

    /// The JSON bodies moto received for `operation` (by X-Amz-Target), oldest first.
    fn sent(&self, operation: &str) -> Vec<Value> {
        let (status, text) =
            emulator::http(&self.emu.moto_url, "GET", "/moto-api/recorder/download-recording", &[], "").unwrap();
        assert_eq!(status, 200, "{text}");
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| {
                let headers = e["headers"].as_object().cloned().unwrap_or_default();
                headers.iter().any(|(k, v)| {
                    k.eq_ignore_ascii_case("x-amz-target")
                        && v.as_str().is_some_and(|t| t.ends_with(&format!(".{operation}")))
                })
            })
            .map(|e| {
                let body = e["body"].as_str().unwrap_or_default();
                let raw = if e["body_encoded"] == Value::Bool(true) { base64(body) } else { body.as_bytes().to_vec() };
                serde_json::from_slice(&raw).expect("a JSON request body")
            })
            .collect()
    }

    /// The started and finished records of one action (same id, in that order). An action of
    /// several requests also has a `step` record for each, between the two: see `steps`.
    fn audit(&self, id: &str) -> (AuditRecord, AuditRecord) {
        let (records, bad) = self.ctx.audit.read().expect("audit log");
        assert_eq!(bad, 0);
        let mine: Vec<AuditRecord> = records.into_iter().filter(|r| r.id == id && r.phase != Phase::Step).collect();
        assert_eq!(mine.len(), 2, "a started and a finished record: {mine:?}");
        assert_eq!((mine[0].phase, mine[1].phase), (Phase::Started, Phase::Finished));
        assert_eq!(mine[0].who.arn, MOTO_ARN, "who acted, from STS");
        assert!(mine[0].request_ids.is_empty(), "nothing was sent before the started record");
        (mine[0].clone(), mine[1].clone())
    }

    /// The `step` records of one action, in order.
    fn steps(&self, id: &str) -> Vec<AuditRecord> {
        let (records, _) = self.ctx.audit.read().expect("audit log");
        records.into_iter().filter(|r| r.id == id && r.phase == Phase::Step).collect()
    }
}

fn addr(text: &str) -> Address {
    text.parse().expect("address")
}

fn scale(address: &str, count: u32, adjust_autoscaling: bool) -> Intent {
    Intent::Scale { address: addr(address), count, adjust_autoscaling }
}

fn keys(body: &Value) -> Vec<String> {
    let mut k: Vec<String> = body.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn td(family: &str, revision: u32) -> TaskDefRef {
    TaskDefRef { family: family.into(), revision }
}

#[tokio::test]
async fn caller_identity_is_the_emulated_account_and_is_read_once() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;
    assert_eq!(aws.caller_identity().await.expect("identity"), MOTO_ARN);
    assert_eq!(aws.caller_identity().await.expect("identity"), MOTO_ARN);
    assert_eq!(emu.calls().get("sts:GetCallerIdentity"), Some(&1), "cached after the first answer");
}

#[tokio::test]
async fn fresh_reads_of_services_endpoints_and_task_definitions() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(emu, dir.path()).await;

    let Snapshot::Service(s) = aws.snapshot(&addr(API)).await.expect("service snapshot") else {
        panic!("not a service")
    };
    assert_eq!((s.service.name.as_str(), s.service.desired), ("cleanistic-ai-api", 2));
    assert_eq!(s.scaling, Some(ScalingTarget { min: 1, max: 4, suspended: Suspended::default() }));
    assert_eq!(s.deployment, None, "moto has no service-deployment records");
    let Snapshot::Service(svg) = aws.snapshot(&addr("ecs:svg-ai-cluster/svg-ai-service")).await.unwrap() else {
        panic!("not a service")
    };
    assert_eq!(svg.scaling, None, "no target registered");

    // The whole endpoint, even when the address names one variant.
    let Snapshot::Endpoint(e) = aws.snapshot(&addr("sm:prediction-endpoint/model-v2")).await.expect("endpoint") else {
        panic!("not an endpoint")
    };
    assert_eq!(e.endpoint.status, "InService");
    assert_eq!(e.endpoint.variants.len(), 2);
    assert_eq!(e.failure_reason, None);
    let suspended_in = Suspended { dynamic_in: true, ..Suspended::default() };
    assert_eq!(e.scaling.get("model-v1"), Some(&ScalingTarget { min: 1, max: 4, suspended: suspended_in }));
    assert!(!e.scaling.contains_key("model-v2"), "{:?}", e.scaling);

    for missing in ["ecs:cleanistic-ai-cluster/nope", "ecs:no-such-cluster/x", "sm:no-such-endpoint"] {
        let err = aws.snapshot(&addr(missing)).await.expect_err(missing);
        assert!(matches!(err, BackendError::NotFound(_)), "{missing}: {err:?}");
    }

    let spec = aws.task_definition(&td("cleanistic-ai-api", 2)).await.expect("task definition");
    assert_eq!(spec.task_def, td("cleanistic-ai-api", 2));
    let c = &spec.containers[0];
    assert_eq!(c.image, "123456789012.dkr.ecr.us-east-1.amazonaws.com/cleanistic-ai-api:v2");
    let env: Vec<&str> = c.environment.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(env, ["LOG_LEVEL", "MODEL_PATH", "REVISION"], "sorted by name");
    assert_eq!(c.secrets, ["DB_PASSWORD"]);
    assert!(!format!("{spec:?}").contains("parameter/cleanistic/db"), "a secret's valueFrom leaked: {spec:?}");
    assert_eq!(c.ports, ["8080/tcp"]);
    assert_eq!(c.health_check.as_deref(), Some("CMD-SHELL curl -f http://localhost:8080/health || exit 1"));
    assert_eq!((c.cpu, c.memory), (Some(256), Some(512)));
    let err = aws.task_definition(&td("cleanistic-ai-api", 99)).await.expect_err("no revision 99");
    assert!(matches!(err, BackendError::NotFound(_)), "{err:?}");

    let history = aws.revision_history(&addr(API)).await.expect("history");
    assert_eq!(history.revisions, [td("cleanistic-ai-api", 3), td("cleanistic-ai-api", 2), td("cleanistic-ai-api", 1)]);
    assert!(history.completed.is_empty(), "its only deployment is still IN_PROGRESS: {history:?}");
    // svg-ai-service's deployment completed (moto runs the one task it wants).
    let history = aws.revision_history(&addr("ecs:svg-ai-cluster/svg-ai-service")).await.expect("history");
    assert_eq!(history.completed, [td("svg-ai-service", 2)]);
}

#[tokio::test]
async fn scale_a_service_sends_the_desired_count_only_and_is_audited() {
    let f = fixture().await;
    let done = f.run(scale(API, 3, false)).await.expect("scale");
    assert_eq!(f.service(API).await.service.desired, 3, "read back through the SDK");
    assert_eq!(f.calls("ecs:UpdateService"), 1);
    assert_eq!(f.calls("application-autoscaling:RegisterScalableTarget"), 0, "within min/max: bounds untouched");
    let sent = f.sent("UpdateService");
    assert_eq!(sent.len(), 1);
    assert_eq!(keys(&sent[0]), ["cluster", "desiredCount", "service"], "nothing else (no task definition): {sent:?}");
    assert_eq!(sent[0]["desiredCount"], 3);

    let (started, finished) = f.audit(&done.id);
    assert_eq!(started.outcome, "started");
    assert_eq!(finished.outcome, "succeeded");
    assert_eq!(finished.request_ids.len(), 1);
    assert_eq!(Some(finished.request_ids[0].as_str()), done.receipts[0].request_id.as_deref());
    assert!(!finished.request_ids[0].is_empty());
    assert_eq!(finished.inverse.as_deref(), Some("scale ecs:cleanistic-ai-cluster/cleanistic-ai-api 2"));
    assert_eq!(started.before["desired"], "2");
    assert_eq!(started.after["desired"], "3");
}

#[tokio::test]
async fn scale_above_max_without_the_flag_is_refused_before_anything_is_sent() {
    let f = fixture().await;
    let err = f.plan(scale(API, 6, false)).await.expect_err("above max 4");
    assert!(matches!(&err, OpError::BadInput(m) if m.contains("above the autoscaling max 4")), "{err}");
    assert!(err.to_string().contains("--adjust-autoscaling"), "says how: {err}");
    f.assert_nothing_mutated();
    assert_eq!(f.service(API).await.service.desired, 2);
    assert!(f.ctx.audit.read().unwrap().0.is_empty(), "nothing planned was executed");
}

#[tokio::test]
async fn scale_a_service_above_max_with_adjust_raises_max_and_keeps_min_and_flags() {
    let f = fixture().await;
    let done = f.run(scale(API, 6, true)).await.expect("scale");
    assert!(
        matches!(done.plan.mutations().next(), Some(Mutation::SetScalingBounds { .. })),
        "bounds first: {:?}",
        done.plan
    );
    let s = f.service(API).await;
    assert_eq!(s.service.desired, 6);
    assert_eq!(s.scaling, Some(ScalingTarget { min: 1, max: 6, suspended: Suspended::default() }));
    let sent = f.sent("RegisterScalableTarget");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["ResourceId"], "service/cleanistic-ai-cluster/cleanistic-ai-api");
    assert_eq!(sent[0]["ScalableDimension"], "ecs:service:DesiredCount");
    assert_eq!((sent[0]["MinCapacity"].as_u64(), sent[0]["MaxCapacity"].as_u64()), (Some(1), Some(6)));
    assert!(sent[0].get("RoleARN").is_none(), "no role to pass: {sent:?}");
    let (_, finished) = f.audit(&done.id);
    assert_eq!(finished.request_ids.len(), 2, "one per request: {finished:?}");
    // Two requests: each is recorded as it is done, with its own request id.
    let steps = f.steps(&done.id);
    let each: Vec<(usize, usize, Vec<String>)> =
        steps.iter().filter_map(|r| r.step.as_ref().map(|s| (s.n, s.of, r.request_ids.clone()))).collect();
    assert_eq!(
        each,
        [(1, 2, vec![finished.request_ids[0].clone()]), (2, 2, vec![finished.request_ids[1].clone()])],
        "{steps:?}"
    );
}

#[tokio::test]
async fn scale_a_variant_sends_the_instance_count_only() {
    let f = fixture().await;
    let done = f.run(scale("sm:prediction-endpoint/model-v1", 3, false)).await.expect("scale variant");
    let e = f.endpoint("prediction-endpoint").await;
    let count = |name: &str| e.endpoint.variants.iter().find(|v| v.name == name).map(|v| v.desired_instances);
    assert_eq!((count("model-v1"), count("model-v2")), (Some(3), Some(1)));
    let sent = f.sent("UpdateEndpointWeightsAndCapacities");
    assert_eq!(sent.len(), 1);
    let wanted = &sent[0]["DesiredWeightsAndCapacities"];
    assert_eq!(wanted, &serde_json::json!([{"VariantName": "model-v1", "DesiredInstanceCount": 3}]), "no weight");
    assert_eq!(f.calls("application-autoscaling:RegisterScalableTarget"), 0);
    let (_, finished) = f.audit(&done.id);
    assert_eq!(finished.inverse.as_deref(), Some("scale sm:prediction-endpoint/model-v1 1"));
    assert_eq!(finished.request_ids.len(), 1);
}

#[tokio::test]
async fn scale_a_variant_above_max_keeps_the_suspension_someone_set() {
    let f = fixture().await;
    f.run(scale("sm:prediction-endpoint/model-v1", 5, true)).await.expect("scale variant");
    let e = f.endpoint("prediction-endpoint").await;
    let suspended = Suspended { dynamic_in: true, dynamic_out: false, scheduled: false };
    assert_eq!(e.scaling.get("model-v1"), Some(&ScalingTarget { min: 1, max: 5, suspended }));
    let v1 = e.endpoint.variants.iter().find(|v| v.name == "model-v1").unwrap();
    assert_eq!(v1.desired_instances, 5);
    let sent = f.sent("RegisterScalableTarget");
    assert_eq!(
        sent[0]["SuspendedState"],
        serde_json::json!({"DynamicScalingInSuspended": true, "DynamicScalingOutSuspended": false,
                           "ScheduledScalingSuspended": false}),
        "exactly the three flags as read"
    );
}

#[tokio::test]
async fn redeploy_forces_a_new_deployment_and_nothing_else() {
    let f = fixture().await;
    let done = f.run(Intent::Redeploy { address: addr(API) }).await.expect("redeploy");
    let sent = f.sent("UpdateService");
    assert_eq!(sent.len(), 1);
    assert_eq!(keys(&sent[0]), ["cluster", "forceNewDeployment", "service"], "{sent:?}");
    assert_eq!(sent[0]["forceNewDeployment"], true);
    let (_, finished) = f.audit(&done.id);
    assert_eq!(finished.outcome, "succeeded");
    assert_eq!(finished.inverse, None, "a redeploy has no undo");
    assert!(done.watch.is_some(), "the rollout is watched");
}

#[tokio::test]
async fn roll_back_to_previous_and_to_an_explicit_revision() {
    let f = fixture().await;
    let previous = Intent::Rollback { address: addr(API), to: RevisionChoice::Previous };
    let plan = f.plan(previous.clone()).await.expect("plan");
    // No deployment ever completed here, so "previous" is the newest ACTIVE older revision.
    assert_eq!(
        plan.mutations().cloned().collect::<Vec<_>>(),
        [Mutation::SetTaskDefinition { address: addr(API), task_def: td("cleanistic-ai-api", 2) }]
    );
    let diff = plan.details.join("\n");
    assert!(diff.contains("+ cleanistic-ai-api: env MODEL_PATH=/opt/ml/model"), "{diff}");
    assert!(diff.contains("- cleanistic-ai-api: env LOG_LEVEL=debug"), "{diff}");
    let done = f.run(previous).await.expect("roll back");
    assert_eq!(f.service(API).await.service.task_definition, td("cleanistic-ai-api", 2));
    let (_, finished) = f.audit(&done.id);
    assert_eq!(finished.inverse.as_deref(), Some("rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to 3"));
    assert_eq!(finished.command, "rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to 2", "resolved");

    let to_one = Intent::Rollback { address: addr(API), to: RevisionChoice::Number { family: None, revision: 1 } };
    f.run(to_one).await.expect("roll back to 1");
    assert_eq!(f.service(API).await.service.task_definition, td("cleanistic-ai-api", 1));
    let sent = f.sent("UpdateService");
    assert_eq!(sent.len(), 2);
    for (body, wanted) in sent.iter().zip(["cleanistic-ai-api:2", "cleanistic-ai-api:1"]) {
        assert_eq!(keys(body), ["cluster", "service", "taskDefinition"], "nothing needing iam:PassRole: {body}");
        assert_eq!(body["taskDefinition"], wanted);
    }
}

#[tokio::test]
async fn roll_back_to_an_unknown_revision_is_bad_input_and_sends_nothing() {
    let f = fixture().await;
    let intent = Intent::Rollback { address: addr(API), to: RevisionChoice::Number { family: None, revision: 99 } };
    let err = f.plan(intent).await.expect_err("no revision 99");
    assert!(matches!(&err, OpError::BadInput(m) if m.contains("unknown revision cleanistic-ai-api:99")), "{err}");
    assert!(f.calls("ecs:DescribeTaskDefinition") >= 1, "it was looked up, not assumed");
    f.assert_nothing_mutated();
    assert_eq!(f.service(API).await.service.task_definition, td("cleanistic-ai-api", 3));
}

/// moto 5.2.5 implements neither the service-deployment reads nor StopServiceDeployment: the
/// bridge answers the reads with canned ECS records (a deployment of :3 under way, one of :2 that
/// succeeded), so the plan takes ECS's native roll back; the stop request really goes out, moto
/// fails it, and the failure comes back as an error with the audit saying so.
#[tokio::test]
async fn native_roll_back_sends_stop_service_deployment_and_reports_its_failure() {
    let f = fixture().await;
    let arn = |kind: &str, id: &str| {
        format!("arn:aws:ecs:us-east-1:123456789012:{kind}/cleanistic-ai-cluster/cleanistic-ai-api/{id}")
    };
    let (running, succeeded) = (arn("service-deployment", "new"), arn("service-deployment", "old"));
    let brief = |d: &str, status: &str, at: u64, rev: &str| {
        serde_json::json!({"serviceDeploymentArn": d, "status": status, "createdAt": at,
                           "targetServiceRevisionArn": arn("service-revision", rev)})
    };
    let list = serde_json::json!({"serviceDeployments": [
        brief(&succeeded, "SUCCESSFUL", 1_700_000_000, "2"), brief(&running, "IN_PROGRESS", 1_700_000_600, "3")]});
    let full = |d: &str, status: &str, at: u64, rev: &str| {
        serde_json::json!({"serviceDeploymentArn": d, "status": status, "createdAt": at,
                           "statusReason": format!("{status} by the test"), "lifecycleStage": "SCALE_UP",
                           "targetServiceRevision": {"arn": arn("service-revision", rev), "requestedTaskCount": 2}})
    };
    let described = serde_json::json!({"failures": [], "serviceDeployments": [
        full(&running, "IN_PROGRESS", 1_700_000_600, "3"), full(&succeeded, "SUCCESSFUL", 1_700_000_000, "2")]});
    let revision = |rev: &str| {
        serde_json::json!({"serviceRevisionArn": arn("service-revision", rev),
            "taskDefinition": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/cleanistic-ai-api:{rev}")})
    };
    let revisions = serde_json::json!({"failures": [], "serviceRevisions": [revision("3"), revision("2")]});
    for (op, body) in [
        ("ListServiceDeployments", list),
        ("DescribeServiceDeployments", described),
        ("DescribeServiceRevisions", revisions),
    ] {
        f.emu.fault(
            &serde_json::json!({"operation": op, "service": "ecs", "status": 200, "body": body, "times": 20})
                .to_string(),
        );
    }

    let s = f.service(API).await;
    let expected = ServiceDeploymentInfo {
        arn: running.clone(),
        status: "IN_PROGRESS".into(),
        lifecycle_stage: Some("SCALE_UP".into()),
        target: Some(td("cleanistic-ai-api", 3)),
        status_reason: Some("IN_PROGRESS by the test".into()),
        created_at: chrono::DateTime::from_timestamp(1_700_000_600, 0),
    };
    assert_eq!(s.deployment, Some(expected), "the newest record, read through the SDK");
    let history = f.aws.revision_history(&addr(API)).await.expect("history");
    assert_eq!(history.completed, [td("cleanistic-ai-api", 2)]);

    let previous = Intent::Rollback { address: addr(API), to: RevisionChoice::Previous };
    let plan = f.plan(previous.clone()).await.expect("plan");
    assert_eq!(
        plan.mutations().cloned().collect::<Vec<_>>(),
        [Mutation::RollbackDeployment { address: addr(API), deployment_arn: running.clone() }]
    );
    f.emu.clear_calls();
    let err = f.run(previous).await.expect_err("moto does not implement StopServiceDeployment");
    eprintln!("StopServiceDeployment against moto: {err}");
    assert!(matches!(err, OpError::Backend(_)), "{err:?}");
    assert_eq!(f.calls("ecs:StopServiceDeployment"), 1, "the request went out once: {:?}", f.emu.calls());
    assert_eq!(f.calls("ecs:UpdateService"), 0);
    let (records, _) = f.ctx.audit.read().unwrap();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!((records[0].phase, records[1].phase), (Phase::Started, Phase::Finished));
    assert!(records[1].outcome.starts_with("failed: "), "{}", records[1].outcome);
}

#[tokio::test]
async fn a_denied_service_deployment_read_does_not_fail_the_snapshot() {
    let f = fixture().await;
    let denied = r#"{"operation":"ListServiceDeployments","service":"ecs","status":400,
        "body":{"__type":"AccessDeniedException","message":"not authorized to perform ecs:ListServiceDeployments"},"times":1}"#;
    f.emu.fault(denied);
    let s = f.service(API).await;
    assert_eq!(s.deployment, None);
    assert_eq!(s.scaling.map(|t| t.max), Some(4), "the rest of the read is whole");
    assert_eq!(f.calls("ecs:ListServiceDeployments"), 1);
    assert_eq!(f.calls("ecs:DescribeServiceDeployments"), 0, "nothing to describe");
}

#[tokio::test]
async fn invoke_returns_the_endpoints_answer() {
    let f = fixture().await;
    let canned = r#"{"region":"us-east-1","results":[{"Body":"{\"predictions\":[0.93]}",
        "ContentType":"application/json","InvokedProductionVariant":"model-v1","CustomAttributes":""}]}"#;
    f.emu.post_json("/moto-api/static/sagemaker/endpoint-results", canned);
    let payload = ops::invoke::from_config(r#"{"instances":[[1,2,3]]}"#, None).unwrap();
    let intent = Intent::Invoke { address: addr("sm:prediction-endpoint/model-v1"), payload };
    let done = f.run(intent.clone()).await.expect("invoke");
    let r = done.receipts[0].response.as_ref().expect("a response");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, br#"{"predictions":[0.93]}"#);
    assert_eq!(r.invoked_variant.as_deref(), Some("model-v1"));
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    assert!(r.latency_ms > 0.0 && r.latency_ms < 70_000.0, "{}", r.latency_ms);
    assert_eq!(f.calls("sagemaker:InvokeEndpoint"), 1);
    let (_, finished) = f.audit(&done.id);
    assert!(finished.request_ids[0].len() > 8, "{finished:?}");

    // The container answered 500: that is the answer to show, not a failed call.
    let model_error = r#"{"operation":"InvokeEndpoint","status":424,"times":1,"body":{"__type":"ModelError",
        "message":"Received server error (500) from primary","OriginalStatusCode":500,"OriginalMessage":"KeyError: 'MODEL_PATH'"}}"#;
    f.emu.fault(model_error);
    let done = f.run(intent).await.expect("a model error is an answer");
    let r = done.receipts[0].response.as_ref().expect("a response");
    assert_eq!((r.status, r.body.as_slice()), (500, b"KeyError: 'MODEL_PATH'".as_slice()));
    assert_eq!(done.receipts[0].request_id.as_deref(), Some("opsdeck-bridge-fault"));
}

/// The container has 60 s: the invoke client waits 70 s whatever the other calls' timeout, and
/// sends one request (no retry of real traffic) whatever the retry setting.
#[tokio::test]
async fn invoke_has_its_own_timeout_and_a_single_attempt() {
    let f = fixture().await;
    let aws = backend_with(&f.emu, &f.dir.path().join("cache2"), 3, Duration::from_secs(2)).await;
    let payload = ops::invoke::from_config("1,2,3", None).unwrap();
    let intent = Intent::Invoke { address: addr("sm:prediction-endpoint"), payload };
    let run = |intent: Intent| async {
        let plan = ops::plan(&aws, intent).await?;
        ops::execute(&aws, &f.ctx, ops::confirm(plan, &Answer::AssumeYes, false)?).await
    };

    f.emu.fault(r#"{"operation":"InvokeEndpoint","delay_ms":3500,"times":1}"#);
    let done = run(intent.clone()).await.expect("a slow model is waited for past the 2 s operation timeout");
    let r = done.receipts[0].response.as_ref().expect("a response");
    assert_eq!(r.status, 200);
    assert!(r.latency_ms >= 3500.0, "measured round trip: {}", r.latency_ms);

    f.emu.clear_calls();
    f.emu.fault(r#"{"operation":"InvokeEndpoint","status":503,"times":3,"body":{"__type":"ServiceUnavailable","message":"try again"}}"#);
    let err = run(intent).await.expect_err("no retry");
    assert!(matches!(err, OpError::Backend(_)), "{err:?}");
    assert_eq!(f.calls("sagemaker:InvokeEndpoint"), 1, "one request, although the backend allows 3 attempts");
}

#[tokio::test]
async fn read_only_refuses_at_confirm_and_sends_nothing() {
    let f = fixture().await;
    let plan = f.plan(scale(API, 3, false)).await.expect("plans are shown in read-only mode");
    let err = ops::confirm(plan, &Answer::AssumeYes, true).expect_err("read-only");
    assert!(matches!(&err, OpError::Refused(m) if m.contains("opsdeck scale")), "{err}");
    f.assert_nothing_mutated();
    assert_eq!(f.service(API).await.service.desired, 2);
}

#[tokio::test]
async fn a_change_behind_the_plans_back_is_a_conflict() {
    let f = fixture().await;
    let plan = f.plan(scale(API, 3, false)).await.expect("plan");
    let confirmed = ops::confirm(plan, &Answer::AssumeYes, false).expect("confirm");
    // Another engineer scales the service between the plan and the execute.
    let body = r#"{"cluster":"cleanistic-ai-cluster","service":"cleanistic-ai-api","desiredCount":4}"#;
    let (status, text) = f.emu.aws_json("ecs", "AmazonEC2ContainerServiceV20141113.UpdateService", body);
    assert_eq!(status, 200, "{text}");
    f.emu.clear_calls();
    let err = ops::execute(&f.aws, &f.ctx, confirmed).await.expect_err("stale plan");
    let OpError::Conflict { changes, .. } = &err else { panic!("not a conflict: {err:?}") };
    assert!(changes.iter().any(|c| c.field == "desired count" && c.before == "2" && c.after == "4"), "{changes:?}");
    f.assert_nothing_mutated();
    assert_eq!(f.service(API).await.service.desired, 4, "the other engineer's count stands");
    assert!(f.ctx.audit.read().unwrap().0.is_empty());
}

#[tokio::test]
async fn an_unwritable_audit_log_refuses_before_sending() {
    let f = fixture().await;
    let file = f.dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let ctx = OpsContext::new(false, AuditLog::new(file.join("audit.jsonl")), file.join("environments"));
    let plan = f.plan(scale(API, 3, false)).await.expect("plan");
    let confirmed = ops::confirm(plan, &Answer::AssumeYes, false).expect("confirm");
    let err = ops::execute(&f.aws, &ctx, confirmed).await.expect_err("no audit, no action");
    assert!(matches!(err, OpError::Audit(_)), "{err:?}");
    f.assert_nothing_mutated();
    assert_eq!(f.service(API).await.service.desired, 2);
}
