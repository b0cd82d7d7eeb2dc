//! Races between plan and execute against the emulated account (moto behind
//! tests/support/cw_bridge.py): the plan is read through the real SDK, the account changes behind
//! it (the bridge's canned service deployment moves on, another engineer's request lands), and the
//! confirmed plan's execute re-plans, finds nothing left to do, or refuses, sending nothing.
//!
//! moto 5.2.5 has no ECS service deployments (the bridge cans them, as in aws_actions.rs) and
//! keeps endpoints InService through UpdateEndpointWeightsAndCapacities, so the endpoint-updating
//! race (and the test inference racing it) is played on the simulated fleet only
//! (tests/suite/race_sim.rs); so are redeploy (moto never moves a deployment on) and restore.

use crate::emulator;

use emulator::{isolate_from_real_aws, Emulator};
use opsdeck::audit::{AuditRecord, Phase};
use opsdeck::aws::{AwsBackend, AwsOptions};
use opsdeck::backend::Backend;
use opsdeck::domain::{Address, Mutation, Snapshot, TaskDefRef};
use opsdeck::ops::{self, Answer, AuditLog, Executed, Intent, OpError, OpsContext, Plan, RevisionChoice};
use serde_json::json;
use std::time::Duration;

const API: &str = "ecs:cleanistic-ai-cluster/cleanistic-ai-api";
const MUTATING: [&str; 6] = [
    "ecs:UpdateService",
    "ecs:StopServiceDeployment",
    "application-autoscaling:RegisterScalableTarget",
    "sagemaker:UpdateEndpointWeightsAndCapacities",
    "lambda:PutFunctionConcurrency",
    "lambda:DeleteFunctionConcurrency",
];

struct Fixture {
    emu: Emulator,
    aws: AwsBackend,
    ctx: OpsContext,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start();
    emu.seed();
    emu.clear_calls();
    isolate_from_real_aws();
    let options = AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        // Unimplemented calls answer 500, which the SDK would retry: fail fast.
        max_attempts: 1,
        operation_timeout: Duration::from_secs(15),
        ..AwsOptions::new(dir.path().join("cache"))
    };
    let aws = AwsBackend::connect(options).await.expect("connect");
    let ctx = OpsContext::new(false, AuditLog::new(dir.path().join("audit.jsonl")), dir.path().join("environments"));
    Fixture { emu, aws, ctx, dir }
}

impl Fixture {
    async fn plan(&self, intent: Intent) -> Plan {
        ops::plan(&self.aws, intent).await.expect("plan")
    }

    async fn execute(&self, plan: Plan) -> Result<Executed, OpError> {
        ops::execute(&self.aws, &self.ctx, ops::confirm(plan, &Answer::AssumeYes, false).expect("confirm")).await
    }

    /// Another engineer's request, straight to the account.
    fn colleague(&self, service: &str, target: &str, body: serde_json::Value) {
        let (status, text) = self.emu.aws_json(service, target, &body.to_string());
        assert_eq!(status, 200, "{target}: {text}");
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

    /// The one audit record: `replanned`, with no undo.
    fn replanned_record(&self) -> AuditRecord {
        let (records, _) = self.ctx.audit.read().expect("audit");
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(records[0].phase, Phase::Replanned);
        assert_eq!(records[0].inverse, None);
        assert_eq!(records[0].who.arn, "arn:aws:sts::123456789012:user/moto");
        records[0].clone()
    }

    /// The bridge answers ECS's service-deployment reads: the deployment of :3 in `status`, the
    /// one of :2 SUCCESSFUL.
    fn deployments(&self, status: &str) {
        let arn = |kind: &str, id: &str| {
            format!("arn:aws:ecs:us-east-1:123456789012:{kind}/cleanistic-ai-cluster/cleanistic-ai-api/{id}")
        };
        let (newest, older) = (arn("service-deployment", "new"), arn("service-deployment", "old"));
        let brief = |d: &str, status: &str, at: u64, rev: &str| {
            json!({"serviceDeploymentArn": d, "status": status, "createdAt": at,
                   "targetServiceRevisionArn": arn("service-revision", rev)})
        };
        let full = |d: &str, status: &str, at: u64, rev: &str| {
            json!({"serviceDeploymentArn": d, "status": status, "createdAt": at,
                   "targetServiceRevision": {"arn": arn("service-revision", rev), "requestedTaskCount": 2}})
        };
        let revision = |rev: &str| {
            json!({"serviceRevisionArn": arn("service-revision", rev),
                   "taskDefinition": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/cleanistic-ai-api:{rev}")})
        };
        let replies = [
            (
                "ListServiceDeployments",
                json!({"serviceDeployments": [brief(&older, "SUCCESSFUL", 1_700_000_000, "2"),
                                              brief(&newest, status, 1_700_000_600, "3")]}),
            ),
            (
                "DescribeServiceDeployments",
                json!({"failures": [], "serviceDeployments": [full(&newest, status, 1_700_000_600, "3"),
                                                              full(&older, "SUCCESSFUL", 1_700_000_000, "2")]}),
            ),
            ("DescribeServiceRevisions", json!({"failures": [], "serviceRevisions": [revision("3"), revision("2")]})),
        ];
        self.emu.clear_faults();
        for (op, body) in replies {
            let fault = json!({"operation": op, "service": "ecs", "status": 200, "body": body, "times": 50});
            self.emu.fault(&fault.to_string());
        }
    }
}

fn addr(text: &str) -> Address {
    text.parse().expect("address")
}

/// The user's report, on the real SDK: planned as StopServiceDeployment while the deployment was
/// IN_PROGRESS; by execute ECS had stopped it. Nothing goes out until the new plan is confirmed,
/// and then it is UpdateService with the task definition.
#[tokio::test]
async fn native_roll_back_is_replanned_when_the_deployment_stopped_meanwhile() {
    let f = fixture().await;
    f.deployments("IN_PROGRESS");
    let planned = f.plan(Intent::Rollback { address: addr(API), to: RevisionChoice::Previous }).await;
    assert!(matches!(planned.mutations().collect::<Vec<_>>()[..], [Mutation::RollbackDeployment { .. }]));
    f.deployments("STOPPED");
    f.emu.clear_calls();
    let err = f.execute(planned).await.expect_err("the plan changed");
    let OpError::Replanned { plan: new, why } = &err else { panic!("not re-planned: {err:?}") };
    assert!(why.iter().any(|c| c.field == "service deployment" && c.after == "STOPPED"), "{why:?}");
    let to = TaskDefRef { family: "cleanistic-ai-api".into(), revision: 2 };
    assert_eq!(
        new.mutations().cloned().collect::<Vec<_>>(),
        [Mutation::SetTaskDefinition { address: addr(API), task_def: to.clone() }]
    );
    f.assert_nothing_mutated();
    let replan = f.replanned_record().replan.expect("replan");
    assert_eq!(replan.was, [format!("{API}: native roll back (StopServiceDeployment)")]);

    f.execute(*new.clone()).await.expect("the new plan, confirmed");
    assert_eq!(f.calls("ecs:StopServiceDeployment"), 0);
    assert_eq!(f.calls("ecs:UpdateService"), 1);
    match f.aws.snapshot(&addr(API)).await.expect("snapshot") {
        Snapshot::Service(s) => assert_eq!(s.service.task_definition, to),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn scale_finds_nothing_left_when_another_engineer_set_the_count() {
    let f = fixture().await;
    let planned = f.plan(Intent::Scale { address: addr(API), count: 3, adjust_autoscaling: false }).await;
    f.colleague(
        "ecs",
        "AmazonEC2ContainerServiceV20141113.UpdateService",
        json!({"cluster": "cleanistic-ai-cluster", "service": "cleanistic-ai-api", "desiredCount": 3}),
    );
    f.emu.clear_calls();
    let err = f.execute(planned).await.expect_err("nothing left");
    assert!(matches!(&err, OpError::NothingLeft(why) if why.contains("already wants 3")), "{err:?}");
    assert_eq!(err.exit_code(), 0);
    f.assert_nothing_mutated();
    assert!(f.replanned_record().outcome.starts_with("nothing left to do"));
}

/// Planned to raise the autoscaling max with the count; someone raised it further meanwhile:
/// the bounds step is dropped and the new plan (the count only) goes back for confirmation.
#[tokio::test]
async fn scale_is_replanned_when_the_autoscaling_target_changed() {
    let f = fixture().await;
    let planned = f.plan(Intent::Scale { address: addr(API), count: 6, adjust_autoscaling: true }).await;
    assert_eq!(planned.mutations().count(), 2, "bounds, then the count: {planned:?}");
    f.colleague(
        "application-autoscaling",
        "AnyScaleFrontendService.RegisterScalableTarget",
        json!({"ServiceNamespace": "ecs", "ResourceId": "service/cleanistic-ai-cluster/cleanistic-ai-api",
               "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 10}),
    );
    f.emu.clear_calls();
    let err = f.execute(planned).await.expect_err("re-planned");
    let OpError::Replanned { plan: new, why } = &err else { panic!("not re-planned: {err:?}") };
    assert!(why.iter().any(|c| c.field == "autoscaling min-max" && c.after == "1-10"), "{why:?}");
    assert_eq!(
        new.mutations().cloned().collect::<Vec<_>>(),
        [Mutation::SetDesiredCount { address: addr(API), count: 6 }]
    );
    f.assert_nothing_mutated();
    f.replanned_record();
}

#[tokio::test]
async fn scale_a_variant_finds_nothing_left_when_another_engineer_got_there() {
    let f = fixture().await;
    let variant = "sm:prediction-endpoint/model-v1";
    let planned = f.plan(Intent::Scale { address: addr(variant), count: 3, adjust_autoscaling: false }).await;
    f.colleague(
        "sagemaker",
        "SageMaker.UpdateEndpointWeightsAndCapacities",
        json!({"EndpointName": "prediction-endpoint",
               "DesiredWeightsAndCapacities": [{"VariantName": "model-v1", "DesiredInstanceCount": 3}]}),
    );
    f.emu.clear_calls();
    let err = f.execute(planned).await.expect_err("nothing left");
    assert!(matches!(&err, OpError::NothingLeft(why) if why.contains("already has 3 instances")), "{err:?}");
    f.assert_nothing_mutated();
    f.replanned_record();
}

#[tokio::test]
async fn concurrency_finds_nothing_left_when_another_engineer_set_it() {
    let f = fixture().await;
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/functions.py");
    let python = |args: &[&str]| {
        let out = std::process::Command::new(f.emu.python())
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .output()
            .expect("python");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    python(&[fixtures, "--endpoint", &f.emu.moto_url, "lambda"]);
    let address = Address::function("garmax-tryon");
    let planned = f.plan(Intent::Concurrency { address, reserved: Some(20) }).await;
    assert_eq!(planned.changes[0].before, "7");
    let put = format!(
        "import boto3; boto3.client('lambda', endpoint_url='{}').put_function_concurrency(\
         FunctionName='garmax-tryon', ReservedConcurrentExecutions=20)",
        f.emu.moto_url
    );
    python(&["-c", &put]);
    f.emu.clear_calls();
    let err = f.execute(planned).await.expect_err("nothing left");
    assert!(
        matches!(&err, OpError::NothingLeft(why) if why.contains("already has reserved concurrency 20")),
        "{err:?}"
    );
    f.assert_nothing_mutated();
    f.replanned_record();
}

/// Someone pinned the service's autoscaling to 0-0 after the teardown was planned: the new plan
/// no longer sends RegisterScalableTarget, and nothing (not even the saved state) was written.
#[tokio::test]
async fn teardown_is_replanned_when_a_resource_moved_and_writes_nothing_first() {
    let f = fixture().await;
    let env = opsdeck::ops::env::EnvironmentSpec {
        name: "race".into(),
        resources: vec![API.parse().expect("pattern")],
        system: None,
        description: None,
    };
    let intent = Intent::Teardown { env, local_dir: f.dir.path().join("environments") };
    let planned = f.plan(intent).await;
    assert!(planned.mutations().any(|m| matches!(m, Mutation::SetScalingBounds { min: 0, max: 0, .. })));
    f.colleague(
        "application-autoscaling",
        "AnyScaleFrontendService.RegisterScalableTarget",
        json!({"ServiceNamespace": "ecs", "ResourceId": "service/cleanistic-ai-cluster/cleanistic-ai-api",
               "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 0, "MaxCapacity": 0}),
    );
    f.emu.clear_calls();
    let err = f.execute(planned).await.expect_err("re-planned");
    let OpError::Replanned { plan: new, why } = &err else { panic!("not re-planned: {err:?}") };
    assert!(why.iter().any(|c| c.field.ends_with("autoscaling min-max") && c.after == "0-0"), "{why:?}");
    assert!(!new.mutations().any(|m| matches!(m, Mutation::SetScalingBounds { .. })), "{new:?}");
    assert!(new.mutations().any(|m| matches!(m, Mutation::SetDesiredCount { count: 0, .. })));
    f.assert_nothing_mutated();
    assert_eq!(f.calls("ssm:PutParameter"), 0, "the saved state is written only once a plan is confirmed");
    assert!(!f.dir.path().join("environments").exists(), "no local copy either");
    f.replanned_record();
}
