//! Environments teardown and restore against an emulated AWS account (moto behind
//! tests/support/cw_bridge.py), through the real binary: config.toml parsed, the real SDK, real
//! HTTP, a real process that can be killed. The AWS twin of tests/suite/env_sim.rs.
//!
//! Every test has its own emulator (they all mutate or count calls). What the binary did is read
//! back afterwards through `AwsBackend`'s own reads and compared whole: every field a teardown
//! touches or saves, before and after, for every resource.
//!
//! Where moto is not AWS, the test says so:
//! - moto never plays an ECS deployment forward: a service created with fewer running tasks than
//!   desired stays "IN_PROGRESS" for ever, so the emulator here reports 2 running per new service
//!   (`cleanistic-ai-api` wants 2) and `restore --wait`'s steady check can settle;
//! - DeregisterScalableTarget keeps the target's policies (AWS deletes them with it): the tests
//!   delete them as AWS would (`drop_orphaned_policies`), so a restore must really put them back;
//! - ListServiceDeployments is not implemented (500, which the binary's SDK retries with backoff):
//!   the bridge answers it with no records, as AWS does for a service without any;
//! - a count-only UpdateEndpointWeightsAndCapacities drops the variant's weight, so variants are
//!   moved with count and weight together;
//! - endpoints are InService the moment they are created.
//!
//! The binary makes 3 attempts per call (the SDK's standard retry): an injected error meant to
//! fail a step answers all 3.

use crate::account;
use crate::emulator;

use account::{addr, clear_faults, drop_orphaned_policies, garmax_config, wait_for_call, Account, Resource, GARMAX};
use emulator::Emulator;
use opsdeck::backend::Backend;
use opsdeck::domain::{ScalingTarget, Snapshot, VariantCapacity};
use opsdeck::ops::env::saved::SavedScaling;
use opsdeck::ops::env::{store, EnvStatus, SavedResource, SavedState};
use serde_json::json;
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

const ENV: &str = "garmax";
const BIG: &str = "big";
const BIG_SERVICES: u32 = 60;

impl Account {
    /// The seed fleet, with `ENV` over `GARMAX`.
    async fn new() -> Account {
        Account::seeded(&garmax_config(ENV)).await
    }
}

/// Moves the seed fleet away from its configs' defaults, so a restore that only recreated things
/// from their configs (or re-registered with default flags) would not pass: model-v1 at 3
/// instances with weight 0.7, model-v2 at 2 with 0.3, and a scheduled-scaling suspension on the
/// service's target (model-v1's target already has scale-in suspended).
fn unusual_but_valid(emu: &Emulator) {
    let weights = json!({"EndpointName": "prediction-endpoint", "DesiredWeightsAndCapacities": [
        {"VariantName": "model-v1", "DesiredWeight": 0.7, "DesiredInstanceCount": 3},
        {"VariantName": "model-v2", "DesiredWeight": 0.3, "DesiredInstanceCount": 2}]});
    let (status, text) =
        emu.aws_json("sagemaker", "SageMaker.UpdateEndpointWeightsAndCapacities", &weights.to_string());
    assert_eq!(status, 200, "{text}");
    let target = json!({"ServiceNamespace": "ecs", "ResourceId": "service/cleanistic-ai-cluster/cleanistic-ai-api",
        "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 4,
        "SuspendedState": {"ScheduledScalingSuspended": true}});
    let (status, text) =
        emu.aws_json("application-autoscaling", "AnyScaleFrontendService.RegisterScalableTarget", &target.to_string());
    assert_eq!(status, 200, "{text}");
}

/// What a teardown must have saved, worked out from the resources as read before it.
fn expected_saved(before: &[Resource]) -> Vec<SavedResource> {
    let mut out: Vec<SavedResource> = before
        .iter()
        .map(|r| {
            let address = addr(&r.address);
            match r.snapshot.as_ref().unwrap_or_else(|| panic!("{} exists before", r.address)) {
                Snapshot::Service(s) => {
                    SavedResource::EcsService { address, desired: s.service.desired, scaling: s.scaling }
                }
                Snapshot::Endpoint(e) => SavedResource::Endpoint {
                    address,
                    config: e.config_name.clone().expect("a config"),
                    variants: e
                        .endpoint
                        .variants
                        .iter()
                        .map(|v| VariantCapacity {
                            variant: v.name.clone(),
                            instances: v.desired_instances,
                            weight: v.weight,
                        })
                        .collect(),
                    scaling: e
                        .scaling
                        .iter()
                        .map(|(variant, target)| {
                            let id = format!("endpoint/{}/variant/{variant}", e.endpoint.name);
                            let policies = r.policies.get(&id).cloned().unwrap_or_default();
                            (variant.clone(), SavedScaling { target: *target, policies })
                        })
                        .collect(),
                },
                Snapshot::Function(f) => {
                    SavedResource::Function { address, reserved_concurrency: f.reserved_concurrency }
                }
                Snapshot::Rule(rule) => SavedResource::Rule { address, state: rule.state.clone() },
            }
        })
        .collect();
    out.sort_by_key(|r| r.address().to_string());
    out
}

fn sorted(saved: &SavedState) -> Vec<SavedResource> {
    let mut out = saved.resources.clone();
    out.sort_by_key(|r| r.address().to_string());
    out
}

/// The environment as a teardown must leave it: services at 0 with autoscaling 0-0 (suspended
/// flags kept), endpoints deleted with their configs, models and autoscaling targets gone but the
/// configs and models kept, functions at 0, every rule disabled.
async fn assert_torn_down(acct: &Account, before: &[Resource]) {
    let now = acct.state(&before.iter().map(|r| r.address.as_str()).collect::<Vec<_>>()).await;
    for (was, is) in before.iter().zip(&now) {
        let at = &was.address;
        match (was.snapshot.as_ref(), is.snapshot.as_ref()) {
            (Some(Snapshot::Service(a)), Some(Snapshot::Service(b))) => {
                assert_eq!(b.service.desired, 0, "{at}");
                let down = a.scaling.map(|t| ScalingTarget { min: 0, max: 0, suspended: t.suspended });
                assert_eq!(b.scaling, down, "{at}: autoscaling 0-0 with its suspended flags as they were");
            }
            (Some(Snapshot::Endpoint(e)), None) => {
                let config = e.config_name.clone().expect("a config");
                let kept = acct.aws.endpoint_config(&config).await.unwrap_or_else(|err| panic!("{config}: {err}"));
                assert_eq!(kept.len(), e.endpoint.variants.len(), "{config} is kept whole");
                let body = json!({"EndpointConfigName": config}).to_string();
                let (status, text) = acct.emu.aws_json("sagemaker", "SageMaker.DescribeEndpointConfig", &body);
                assert_eq!(status, 200, "{text}");
                let described: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                for variant in described["ProductionVariants"].as_array().expect("variants") {
                    let body = json!({"ModelName": variant["ModelName"]}).to_string();
                    let (status, text) = acct.emu.aws_json("sagemaker", "SageMaker.DescribeModel", &body);
                    assert_eq!(status, 200, "the model {} is kept: {text}", variant["ModelName"]);
                }
                for variant in e.scaling.keys() {
                    let id = format!("endpoint/{}/variant/{variant}", e.endpoint.name);
                    let body = json!({"ServiceNamespace": "sagemaker", "ResourceIds": [id]}).to_string();
                    let (status, text) = acct.emu.aws_json(
                        "application-autoscaling",
                        "AnyScaleFrontendService.DescribeScalableTargets",
                        &body,
                    );
                    assert_eq!(status, 200, "{text}");
                    assert!(text.contains(r#""ScalableTargets": []"#), "{id} is deregistered: {text}");
                }
            }
            (Some(Snapshot::Function(_)), Some(Snapshot::Function(f))) => {
                assert_eq!(f.reserved_concurrency, Some(0), "{at}")
            }
            (Some(Snapshot::Rule(_)), Some(Snapshot::Rule(r))) => assert_eq!(r.state, "DISABLED", "{at}"),
            (was, is) => panic!("{at}: was {was:?}, is {is:?}"),
        }
    }
}

#[tokio::test]
async fn teardown_then_restore_gives_back_exactly_the_prior_state() {
    let acct = Account::new().await;
    unusual_but_valid(&acct.emu);
    let before = acct.state(&GARMAX).await;

    let run = acct.ok(&["teardown", ENV, "--yes", "--wait"]);
    assert_torn_down(&acct, &before).await;
    let (pointer, saved) = acct.saved(ENV).await.expect("a saved state");
    assert_eq!(pointer.status, EnvStatus::TornDown, "{}", run.show());
    assert_eq!(sorted(&saved), expected_saved(&before), "every field saved as it was");
    let local = acct.local(ENV).expect("a local copy");
    assert_eq!((&local.pointer, &local.saved), (&pointer, &saved), "the local copy is SSM's");
    // The saved state goes first: the first step audited is its first part.
    let audit = std::fs::read_to_string(acct.dir.path().join("data/audit.jsonl")).expect("audit log");
    let first_step = audit.lines().find(|l| l.contains(r#""phase":"step""#)).expect("steps audited");
    assert!(
        first_step.contains(&format!("/opsdeck/environments/{ENV}/saved/{}/0", pointer.generation)),
        "{first_step}"
    );
    assert_eq!(drop_orphaned_policies(&acct.emu), 1, "model-v1's policy lost its target");

    acct.emu.clear_calls();
    let run = acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(acct.state(&GARMAX).await, before, "{}", run.show());
    assert_eq!(acct.calls("application-autoscaling:PutScalingPolicy"), 1, "{:?}", acct.emu.calls());
    assert_eq!(acct.calls("sagemaker:CreateEndpoint"), 1, "{:?}", acct.emu.calls());
    assert_eq!(acct.calls("events:EnableRule"), 2, "the rule saved DISABLED stays so: {:?}", acct.emu.calls());
    assert!(run.out.contains("stage 2/3 instance counts applied"), "{}", run.show());
    assert!(run.out.contains("stage 3/3 autoscaling applied"), "{}", run.show());
    let (pointer, _) = acct.saved(ENV).await.expect("a saved state");
    assert_eq!(pointer.status, EnvStatus::Restored);
    assert_eq!(acct.local(ENV).expect("a local copy").pointer, pointer);
}

#[tokio::test]
async fn a_second_teardown_changes_nothing_and_keeps_the_first_saved_state() {
    let acct = Account::new().await;
    let before = acct.state(&GARMAX).await;
    acct.ok(&["teardown", ENV, "--yes"]);
    let first = acct.saved(ENV).await.expect("a saved state");
    let local = std::fs::read_to_string(acct.local_copy(ENV)).expect("a local copy");

    acct.emu.clear_calls();
    let run = acct.ok(&["teardown", ENV, "--yes", "--wait"]);
    assert!(run.out.contains(&format!("{ENV} is already torn down: nothing to change")), "{}", run.show());
    assert_eq!(acct.mutating_calls(), vec![], "all calls: {:?}", acct.emu.calls());
    assert_eq!(acct.saved(ENV).await.expect("a saved state"), first, "pointer and generation untouched");
    assert_eq!(std::fs::read_to_string(acct.local_copy(ENV)).expect("a local copy"), local);

    acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(acct.state(&GARMAX).await, before);
}

/// A teardown killed (SIGKILL) while it waits for AWS: the state was saved before anything
/// changed, the pointer says "tearing down", and running it again finishes with that state.
#[tokio::test]
async fn a_teardown_killed_half_way_is_finished_by_running_it_again() {
    let acct = Account::new().await;
    unusual_but_valid(&acct.emu);
    let before = acct.state(&GARMAX).await;
    // Rules go first, then functions: the second function's call is held at the bridge.
    let held = "lambda:PUT /2017-10-31/functions/garmaxai-render-processor/concurrency";
    let delay_ms = 4000;
    acct.emu.fault(&json!({"operation": held.split_once(':').unwrap().1, "delay_ms": delay_ms}).to_string());
    acct.emu.clear_calls();
    let mut child = acct
        .command(&["teardown", ENV, "--yes"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn opsdeck");
    wait_for_call(&acct, held, Duration::from_secs(30));
    let held_since = Instant::now();
    child.kill().expect("SIGKILL");
    let killed = child.wait_with_output().expect("reap");
    assert_eq!(killed.status.code(), None, "killed by a signal, not exited");
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(killed.status.signal(), Some(9));
    }
    assert_eq!(acct.calls("events:DisableRule"), 2, "the rules went down first: {:?}", acct.emu.calls());
    assert_eq!(acct.calls("ecs:UpdateService"), 0, "the service was not reached");
    assert_eq!(acct.calls("sagemaker:DeleteEndpoint"), 0, "the endpoint was not reached");

    let (pointer, saved) = acct.saved(ENV).await.expect("saved before anything changed");
    assert_eq!(pointer.status, EnvStatus::TearingDown);
    assert_eq!(sorted(&saved), expected_saved(&before));
    assert_eq!(acct.local(ENV).expect("a local copy").pointer.status, EnvStatus::TearingDown);
    let run = acct.ok(&["env", "show", ENV]);
    assert!(run.out.contains("partly torn down"), "{}", run.show());

    // The held request was sent: AWS carries it out whether or not the sender lives on. Let it
    // land before planning again (a plan read while it is in flight would rightly see a conflict).
    let rest = Duration::from_millis(delay_ms + 500).saturating_sub(held_since.elapsed());
    std::thread::sleep(rest);

    let run = acct.ok(&["teardown", ENV, "--yes", "--wait"]);
    assert!(run.out.contains("the state saved then is kept"), "{}", run.show());
    assert_torn_down(&acct, &before).await;
    let (finished, kept) = acct.saved(ENV).await.expect("a saved state");
    assert_eq!(finished.generation, pointer.generation, "the same saved generation");
    assert_eq!(finished.status, EnvStatus::TornDown);
    assert_eq!(kept, saved, "the state saved before the kill, not the half-down one");
    assert_eq!(drop_orphaned_policies(&acct.emu), 1);

    let run = acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(acct.state(&GARMAX).await, before, "{}", run.show());
}

/// An API error half-way: exit 1, the pointer says "tearing down", a rerun finishes. The binary
/// makes 3 attempts per call (the SDK's standard retry): one 500 is absorbed by a retry, three
/// are an error.
#[tokio::test]
async fn a_teardown_failing_half_way_on_an_api_error_is_finished_by_running_it_again() {
    let acct = Account::new().await;
    let before = acct.state(&GARMAX).await;
    let error = json!({"__type": "InternalFailure", "message": "injected"});
    acct.emu.fault(&json!({"operation": "DisableRule", "status": 500, "body": error, "times": 1}).to_string());
    acct.emu.fault(&json!({"operation": "UpdateService", "status": 500, "body": error, "times": 3}).to_string());
    acct.emu.clear_calls();
    let run = acct.opsdeck(&["teardown", ENV, "--yes"]);
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.err.contains("InternalFailure"), "{}", run.show());
    assert_eq!(acct.calls("events:DisableRule"), 3, "two rules, one retried: {:?}", acct.emu.calls());
    assert_eq!(acct.calls("ecs:UpdateService"), 3, "three attempts: {:?}", acct.emu.calls());
    assert_eq!(acct.calls("sagemaker:DeleteEndpoint"), 0, "nothing after the failure");
    let (pointer, saved) = acct.saved(ENV).await.expect("a saved state");
    assert_eq!(pointer.status, EnvStatus::TearingDown);

    let run = acct.ok(&["teardown", ENV, "--yes", "--wait"]);
    assert!(run.out.contains("the state saved then is kept"), "{}", run.show());
    assert_torn_down(&acct, &before).await;
    let (finished, kept) = acct.saved(ENV).await.expect("a saved state");
    assert_eq!((finished.generation, finished.status), (pointer.generation, EnvStatus::TornDown));
    assert_eq!(kept, saved);
    assert_eq!(drop_orphaned_policies(&acct.emu), 1);

    acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(acct.state(&GARMAX).await, before);
}

#[tokio::test]
async fn restore_with_no_saved_state_refuses_and_sends_nothing() {
    let acct = Account::new().await;
    let before = acct.state(&GARMAX).await;
    acct.emu.clear_calls();
    let run = acct.opsdeck(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(run.code, Some(3), "{}", run.show());
    assert!(run.err.contains("has no saved state"), "{}", run.show());
    assert_eq!(acct.mutating_calls(), vec![], "all calls: {:?}", acct.emu.calls());
    assert_eq!(acct.state(&GARMAX).await, before);
    assert!(!acct.dir.path().join("data/audit.jsonl").exists(), "nothing was even started");
    assert!(acct.local(ENV).is_none());
}

/// "No reserved concurrency" is no limit at all: restore removes the limit the teardown set
/// (DeleteFunctionConcurrency), it does not put back 0 or any number.
#[tokio::test]
async fn a_function_without_reserved_concurrency_comes_back_without_any() {
    let acct = Account::new().await;
    let function = "garmaxai-render-processor";
    let concurrency = |acct: &Account| -> serde_json::Value {
        let auth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=0000";
        let path = format!("/2019-09-30/functions/{function}/concurrency");
        let (status, text) = emulator::http(&acct.emu.endpoint, "GET", &path, &[("Authorization", auth)], "")
            .expect("GetFunctionConcurrency");
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).expect("JSON")
    };
    let limit = |v: &serde_json::Value| v.get("ReservedConcurrentExecutions").cloned().unwrap_or_default();
    assert_eq!(limit(&concurrency(&acct)), serde_json::Value::Null, "the seed sets none");
    acct.ok(&["teardown", ENV, "--yes"]);
    assert_eq!(limit(&concurrency(&acct)), json!(0), "0 blocks every invocation");
    acct.emu.clear_calls();
    acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(limit(&concurrency(&acct)), serde_json::Value::Null, "no limit: not 0, not a number");
    let calls = acct.emu.calls();
    let put = format!("lambda:PUT /2017-10-31/functions/{function}/concurrency");
    let delete = format!("lambda:DELETE /2017-10-31/functions/{function}/concurrency");
    assert_eq!((calls.get(&put), calls.get(&delete)), (None, Some(&1)), "{calls:?}");
    for (a, reserved) in [("lambda:garmaxai-render-processor", None), ("lambda:garmaxai-tryon-processor", Some(5))] {
        match acct.snapshot(a).await {
            Some(Snapshot::Function(f)) => assert_eq!(f.reserved_concurrency, reserved, "{a}"),
            other => panic!("{a}: {other:?}"),
        }
    }
}

/// ~60 services save to more than SSM's 4096 characters: the state is cut into parts, each
/// under the limit (the bridge refuses a longer value as AWS does), and comes back whole.
#[tokio::test]
async fn a_large_environment_is_saved_in_parts_under_the_ssm_limit() {
    let emu = Emulator::start();
    emu.scale(1, BIG_SERVICES, 0);
    let acct = Account::on(emu, &format!("[environments.{BIG}]\nresources = [\"ecs:scale-cluster-0/*\"]\n")).await;
    let services: Vec<String> = (0..BIG_SERVICES).map(|i| format!("ecs:scale-cluster-0/scale-svc-{i:03}")).collect();
    let services: Vec<&str> = services.iter().map(String::as_str).collect();
    let before = acct.state(&services).await;

    let run = acct.ok(&["teardown", BIG, "--yes", "--wait"]);
    let (pointer, saved) = acct.saved(BIG).await.expect("a saved state");
    assert_eq!(pointer.status, EnvStatus::TornDown, "{}", run.show());
    let text = serde_json::to_string(&saved).expect("JSON");
    assert!(text.chars().count() > 4096, "over one parameter: {} characters", text.len());
    assert!(pointer.parts > 1, "{pointer:?}");
    let names: Vec<String> = (0..pointer.parts).map(|i| store::part_name(BIG, &pointer.generation, i)).collect();
    let parts = acct.aws.parameters(&names).await.expect("parts");
    assert_eq!(parts.len(), pointer.parts as usize, "every part is there");
    for (name, value) in &parts {
        assert!(value.chars().count() <= 4096, "{name}: {} characters", value.chars().count());
    }
    assert_eq!(sorted(&saved), expected_saved(&before));
    for s in acct.state(&services).await {
        match s.snapshot {
            Some(Snapshot::Service(s)) => assert_eq!(s.service.desired, 0, "{}", s.service.name),
            other => panic!("{other:?}"),
        }
    }

    acct.ok(&["restore", BIG, "--yes", "--wait"]);
    assert_eq!(acct.state(&services).await, before);
    assert_eq!(acct.pointer(BIG).await.expect("a pointer").status, EnvStatus::Restored);
}

#[tokio::test]
async fn read_only_and_dry_run_send_nothing() {
    let acct = Account::new().await;
    let before = acct.state(&GARMAX).await;
    acct.emu.clear_calls();
    let run = acct.ok(&["teardown", ENV, "--dry-run"]);
    assert!(run.out.contains("dry run: nothing was changed"), "{}", run.show());
    assert_eq!(acct.mutating_calls(), vec![], "a dry run sends nothing: {:?}", acct.emu.calls());
    let run = acct.opsdeck(&["--read-only", "teardown", ENV, "--yes", "--wait"]);
    assert_eq!(run.code, Some(3), "{}", run.show());
    assert!(run.err.contains("read-only"), "{}", run.show());
    assert!(run.out.starts_with(&format!("plan: teardown {ENV}")), "the plan is shown: {}", run.show());
    assert_eq!(acct.mutating_calls(), vec![], "all calls: {:?}", acct.emu.calls());
    assert_eq!(acct.pointer(ENV).await, None, "not even the state was saved");
    assert!(acct.local(ENV).is_none(), "nor the local copy");

    // Torn down for real, a read-only restore is refused just the same.
    acct.ok(&["teardown", ENV, "--yes"]);
    let torn = acct.saved(ENV).await;
    acct.emu.clear_calls();
    let run = acct.ok(&["restore", ENV, "--dry-run"]);
    assert!(run.out.contains("dry run: nothing was changed"), "{}", run.show());
    assert_eq!(acct.mutating_calls(), vec![], "a dry run sends nothing: {:?}", acct.emu.calls());
    let run = acct.opsdeck(&["--read-only", "restore", ENV, "--yes", "--wait"]);
    assert_eq!(run.code, Some(3), "{}", run.show());
    assert!(run.err.contains("read-only"), "{}", run.show());
    assert_eq!(acct.mutating_calls(), vec![], "all calls: {:?}", acct.emu.calls());
    assert_eq!(acct.saved(ENV).await, torn);
    assert_torn_down(&acct, &before).await;
}

/// SSM cannot be read: teardown refuses (it could not tell whether a state is saved already);
/// restore and `env show` work from the local copy, saying so, and leave SSM alone; once SSM
/// answers, a second restore marks it restored there too.
#[tokio::test]
async fn ssm_unreachable_restore_uses_the_local_copy_and_teardown_refuses() {
    let acct = Account::new().await;
    unusual_but_valid(&acct.emu);
    let before = acct.state(&GARMAX).await;
    let unreachable = json!({"operation": "GetParameters", "status": 500,
        "body": {"__type": "InternalServerError", "message": "injected"}, "times": 1000});

    acct.emu.fault(&unreachable.to_string());
    acct.emu.clear_calls();
    let run = acct.opsdeck(&["teardown", ENV, "--yes"]);
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.err.contains("could not be read from SSM"), "{}", run.show());
    assert!(run.err.contains("nothing was changed"), "{}", run.show());
    assert_eq!(acct.mutating_calls(), vec![], "all calls: {:?}", acct.emu.calls());
    assert!(acct.local(ENV).is_none());
    // Nothing saved anywhere that can be read: whether a teardown saved a state is unknown.
    let run = acct.opsdeck(&["env", "show", ENV]);
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.out.starts_with(&format!("{ENV}: unknown")), "{}", run.show());
    assert!(run.out.contains("and there is no local copy"), "{}", run.show());
    clear_faults(&acct.emu);
    assert_eq!(acct.state(&GARMAX).await, before);

    acct.ok(&["teardown", ENV, "--yes"]);
    let torn = acct.saved(ENV).await.expect("a saved state");
    assert_eq!(drop_orphaned_policies(&acct.emu), 1);
    acct.emu.fault(&unreachable.to_string());
    let run = acct.ok(&["env", "show", ENV]);
    let since = format!("torn down since {}", torn.0.status_at.format("%Y-%m-%d %H:%M UTC"));
    assert!(run.out.starts_with(&format!("{ENV}: {since}")), "{}", run.show());
    assert!(run.out.contains(&format!("(local copy {}", acct.local_copy(ENV).display())), "{}", run.show());
    let tryon = run.out.lines().find(|l| l.contains("lambda:garmaxai-tryon-processor")).unwrap_or_default();
    assert!(tryon.ends_with("reserved concurrency 5"), "the saved value, from the local copy: {}", run.show());

    acct.emu.clear_calls();
    let run = acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert!(run.out.contains("SSM could not be read"), "{}", run.show());
    assert!(run.out.contains(&format!("using the local copy {}", acct.local_copy(ENV).display())), "{}", run.show());
    assert_eq!(acct.calls("ssm:PutParameter"), 0, "SSM is not written: {:?}", acct.emu.calls());
    clear_faults(&acct.emu);
    assert_eq!(acct.state(&GARMAX).await, before, "{}", run.show());
    assert_eq!(acct.saved(ENV).await.expect("a saved state"), torn, "SSM still says what it said");
    assert_eq!(acct.local(ENV).expect("a local copy").pointer.status, EnvStatus::Restored);

    // SSM answers again: the next restore changes no resource and marks SSM restored.
    acct.emu.clear_calls();
    let run = acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(acct.mutating_calls(), vec![("ssm:PutParameter".to_string(), 1)], "{}", run.show());
    assert_eq!(acct.pointer(ENV).await.expect("a pointer").status, EnvStatus::Restored);
    assert_eq!(acct.state(&GARMAX).await, before);
}

/// A restore that fails half-way (the instance counts refused) leaves the pointer "restoring";
/// running it again finishes from where the environment is.
#[tokio::test]
async fn a_restore_failing_half_way_is_finished_by_running_it_again() {
    let acct = Account::new().await;
    unusual_but_valid(&acct.emu);
    let before = acct.state(&GARMAX).await;
    acct.ok(&["teardown", ENV, "--yes", "--wait"]);
    assert_eq!(drop_orphaned_policies(&acct.emu), 1);
    let error = json!({"__type": "InternalFailure", "message": "injected"});
    let fault = json!({"operation": "UpdateEndpointWeightsAndCapacities", "status": 500, "body": error, "times": 3});
    acct.emu.fault(&fault.to_string());
    let run = acct.opsdeck(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(run.code, Some(1), "{}", run.show());
    assert!(run.err.contains("InternalFailure"), "{}", run.show());
    assert_eq!(acct.pointer(ENV).await.expect("a pointer").status, EnvStatus::Restoring);
    let run = acct.ok(&["env", "show", ENV]);
    assert!(run.out.contains("restoring since"), "{}", run.show());
    match acct.snapshot("sm:prediction-endpoint").await {
        Some(Snapshot::Endpoint(e)) => {
            let counts: Vec<u32> = e.endpoint.variants.iter().map(|v| v.desired_instances).collect();
            assert_eq!(counts, [1, 1], "recreated from its config, the saved counts not yet set");
            assert!(e.scaling.is_empty(), "no autoscaling yet");
        }
        other => panic!("recreated: {other:?}"),
    }

    acct.emu.clear_calls();
    let run = acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(acct.calls("sagemaker:CreateEndpoint"), 0, "it exists: {}", run.show());
    assert_eq!(acct.state(&GARMAX).await, before, "{}", run.show());
    assert_eq!(acct.pointer(ENV).await.expect("a pointer").status, EnvStatus::Restored);
}

/// After a restore, the next teardown saves the environment as it is then (a new generation),
/// not the state of the first, and deletes the old generation's parameters.
#[tokio::test]
async fn a_second_cycle_saves_a_new_generation_and_deletes_the_old_one() {
    let acct = Account::new().await;
    acct.ok(&["teardown", ENV, "--yes"]);
    acct.ok(&["restore", ENV, "--yes", "--wait"]);
    let first = acct.pointer(ENV).await.expect("a pointer");
    assert_eq!(first.status, EnvStatus::Restored);
    acct.ok(&["scale", "ecs:cleanistic-ai-cluster/cleanistic-ai-api", "3", "--yes"]);
    // (Not `opsdeck scale` for the variant: moto drops the weight of a count-only update.)
    let weights = json!({"EndpointName": "prediction-endpoint", "DesiredWeightsAndCapacities": [
        {"VariantName": "model-v1", "DesiredWeight": 0.6, "DesiredInstanceCount": 2},
        {"VariantName": "model-v2", "DesiredWeight": 0.4, "DesiredInstanceCount": 2}]});
    let (status, text) =
        acct.emu.aws_json("sagemaker", "SageMaker.UpdateEndpointWeightsAndCapacities", &weights.to_string());
    assert_eq!(status, 200, "{text}");
    let before = acct.state(&GARMAX).await;

    acct.ok(&["teardown", ENV, "--yes"]);
    let (second, saved) = acct.saved(ENV).await.expect("a saved state");
    assert_ne!(second.generation, first.generation);
    assert_eq!(sorted(&saved), expected_saved(&before), "saved as it is now");
    let old: Vec<String> = (0..first.parts).map(|i| store::part_name(ENV, &first.generation, i)).collect();
    assert_eq!(acct.aws.parameters(&old).await.expect("SSM"), BTreeMap::new(), "the old generation is deleted");

    assert_eq!(drop_orphaned_policies(&acct.emu), 1);
    acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(acct.state(&GARMAX).await, before);
}

#[tokio::test]
async fn env_list_and_show_after_a_teardown() {
    let acct = Account::new().await;
    let run = acct.ok(&["env", "list"]);
    let line = run.out.lines().find(|l| l.starts_with(ENV)).expect("a line for the environment");
    assert!(line.contains("running"), "{}", run.show());

    acct.ok(&["teardown", ENV, "--yes"]);
    let pointer = acct.pointer(ENV).await.expect("a pointer");
    let since = format!("torn down since {}", pointer.status_at.format("%Y-%m-%d %H:%M UTC"));
    let run = acct.ok(&["env", "list"]);
    let line = run.out.lines().find(|l| l.starts_with(ENV)).expect("a line for the environment");
    assert!(line.contains(&since), "{}", run.show());

    let run = acct.ok(&["env", "show", ENV]);
    assert!(run.out.starts_with(&format!("{ENV}: {since}")), "{}", run.show());
    assert!(run.out.contains(&format!("saved state: /opsdeck/environments/{ENV}/state (SSM)")), "{}", run.show());
    for a in GARMAX {
        let line = run.out.lines().find(|l| l.contains(a)).unwrap_or_else(|| panic!("{a}: {}", run.show()));
        assert!(line.starts_with('↓'), "{a} is down: {line}");
    }
    let line = |a: &str| run.out.lines().find(|l| l.contains(a)).map(str::to_string).unwrap_or_default();
    assert!(line("sm:prediction-endpoint").contains("absent"), "{}", run.show());
    assert!(line("lambda:garmaxai-render-processor").contains("no reserved concurrency"), "{}", run.show());
    assert!(line("lambda:garmaxai-tryon-processor").contains("reserved concurrency 5"), "{}", run.show());

    let run = acct.ok(&["env", "show", ENV, "--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.out).expect("JSON");
    assert_eq!(v["name"], ENV);
    assert_eq!(v["shape"]["state"], "torn_down", "{v}");
    assert_eq!(v["shape"]["since"], json!(pointer.status_at), "{v}");
    assert_eq!(v["saved_in"], "SSM");
    assert_eq!(v["resources"].as_array().map(Vec::len), Some(GARMAX.len()), "{v}");
    assert!(v["resources"].as_array().into_iter().flatten().all(|r| r["down"] == true), "{v}");
    let run = acct.ok(&["env", "list", "--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.out).expect("JSON");
    let mine = v.as_array().into_iter().flatten().find(|e| e["name"] == ENV).expect("listed");
    assert_eq!(mine["shape"]["state"], "torn_down", "{v}");
}
