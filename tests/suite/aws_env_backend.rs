//! The AWS backend's reads for environment teardown and restore, through the real SDK and real
//! HTTP against an emulated account (moto behind tests/support/cw_bridge.py): Lambda reserved
//! concurrency, EventBridge rule states, endpoint configs, a cluster's services, scaling policies
//! and SSM parameters. The mutations are tested in src/aws/env_tests.rs (a `Permit` can only be
//! made inside the library).
//!
//! Read-only tests share one seeded emulator; a test that adds resources, counts calls or injects
//! faults has its own.

use crate::emulator;

use emulator::{isolate_from_real_aws, Emulator};
use opsdeck::aws::{AwsBackend, AwsOptions};
use opsdeck::backend::{Backend, BackendError};
use opsdeck::domain::{Address, FunctionSnapshot, RuleSnapshot, ScalableResource, Snapshot, VariantCapacity};
use serde_json::json;
use std::time::Duration;

async fn backend(emu: &Emulator, cache: &std::path::Path) -> AwsBackend {
    // Unimplemented calls answer 500, which the SDK would retry: fail fast in tests.
    backend_with(emu, cache, Duration::from_secs(15)).await
}

async fn backend_with(emu: &Emulator, cache: &std::path::Path, timeout: Duration) -> AwsBackend {
    isolate_from_real_aws();
    let options = AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        max_attempts: 1,
        operation_timeout: timeout,
        ..AwsOptions::new(cache.to_path_buf())
    };
    AwsBackend::connect(options).await.expect("connect")
}

fn addr(text: &str) -> Address {
    text.parse().expect("address")
}

fn calls(emu: &Emulator, action: &str) -> u64 {
    emu.calls().get(action).copied().unwrap_or(0)
}

fn not_found(result: Result<impl std::fmt::Debug, BackendError>, what: &str) {
    match result {
        Err(BackendError::NotFound(_)) => {}
        other => panic!("{what}: wanted NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn function_snapshots_read_reserved_concurrency_or_none() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(emu, dir.path()).await;
    for (name, reserved) in [("garmaxai-tryon-processor", Some(5)), ("garmaxai-render-processor", None)] {
        let snapshot = aws.snapshot(&Address::function(name)).await.expect(name);
        let wanted = FunctionSnapshot { name: name.into(), reserved_concurrency: reserved };
        assert_eq!(snapshot, Snapshot::Function(wanted), "{name}");
        assert_eq!(snapshot.address(), addr(&format!("lambda:{name}")));
    }
    not_found(aws.snapshot(&addr("lambda:no-such-function")).await, "a missing function");
}

#[tokio::test]
async fn rule_snapshots_on_the_default_and_a_custom_bus() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(emu, dir.path()).await;
    for (address, bus, name, state) in [
        ("rule:garmaxai-nightly-batch", None, "garmaxai-nightly-batch", "ENABLED"),
        ("rule:garmaxai-weekly-report", None, "garmaxai-weekly-report", "DISABLED"),
        ("rule:garmaxai-events/tryon-completed", Some("garmaxai-events"), "tryon-completed", "ENABLED"),
    ] {
        let snapshot = aws.snapshot(&addr(address)).await.expect(address);
        let wanted = RuleSnapshot { bus: bus.map(str::to_string), name: name.into(), state: state.into() };
        assert_eq!(snapshot, Snapshot::Rule(wanted), "{address}");
        assert_eq!(snapshot.address(), addr(address));
    }
    // The bus is sent: the custom bus's rule is not on the default bus, and the other way round.
    for missing in [
        "rule:tryon-completed",
        "rule:garmaxai-events/garmaxai-nightly-batch",
        "rule:no-such-rule",
        "rule:no-such-bus/tryon-completed",
    ] {
        not_found(aws.snapshot(&addr(missing)).await, missing);
    }
}

#[tokio::test]
async fn endpoints_name_their_config_and_configs_give_initial_capacities() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(emu, dir.path()).await;
    let Snapshot::Endpoint(e) = aws.snapshot(&addr("sm:prediction-endpoint")).await.expect("endpoint") else {
        panic!("not an endpoint")
    };
    assert_eq!(e.config_name.as_deref(), Some("prediction-endpoint-config"), "from DescribeEndpoint");

    let variants = aws.endpoint_config("prediction-endpoint-config").await.expect("config");
    let wanted = [
        VariantCapacity { variant: "model-v1".into(), instances: 1, weight: 0.9 },
        VariantCapacity { variant: "model-v2".into(), instances: 1, weight: 0.1 },
    ];
    assert_eq!(variants, wanted, "weights as written, not f32 noise");
    not_found(aws.endpoint_config("no-such-config").await, "a missing endpoint config");
}

#[tokio::test]
async fn endpoint_configs_default_the_weight_and_refuse_serverless_variants() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;
    let model = json!({"ModelName": "m", "ExecutionRoleArn": "arn:aws:iam::123456789012:role/r",
                       "PrimaryContainer": {"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/m:latest"}});
    let (status, text) = emu.aws_json("sagemaker", "SageMaker.CreateModel", &model.to_string());
    assert_eq!(status, 200, "{text}");
    let create = |name: &str, variant: serde_json::Value| {
        let body = json!({"EndpointConfigName": name, "ProductionVariants": [variant]}).to_string();
        let (status, text) = emu.aws_json("sagemaker", "SageMaker.CreateEndpointConfig", &body);
        assert_eq!(status, 200, "{text}");
    };
    create(
        "no-weight",
        json!({"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 2, "InstanceType": "ml.m5.large"}),
    );
    create(
        "serverless",
        json!({"VariantName": "AllTraffic", "ModelName": "m",
               "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}),
    );
    let variants = aws.endpoint_config("no-weight").await.expect("config");
    assert_eq!(variants, [VariantCapacity { variant: "AllTraffic".into(), instances: 2, weight: 1.0 }]);
    let err = aws.endpoint_config("serverless").await.expect_err("no instance count to restore");
    assert!(
        matches!(&err, BackendError::Other(m) if m.contains("variant AllTraffic has no InitialInstanceCount")),
        "{err}"
    );
}

/// moto answers ListServices whole; the bridge pages it as ECS does (see cw_bridge.py), so this
/// proves the backend follows nextToken.
#[tokio::test]
async fn cluster_services_pages_past_100_and_sorts_by_name() {
    let emu = Emulator::start();
    emu.scale(1, 105, 0);
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;
    emu.clear_calls();
    let services = aws.cluster_services("scale-cluster-0").await.expect("services");
    assert_eq!(calls(&emu, "ecs:ListServices"), 2, "pages of 100: {:?}", emu.calls());
    let wanted: Vec<Address> = (0..105).map(|i| Address::ecs("scale-cluster-0", format!("scale-svc-{i:03}"))).collect();
    assert_eq!(services, wanted);
    not_found(aws.cluster_services("no-such-cluster").await, "a missing cluster");

    // The bridge's paging is ECS's: 10 without maxResults, and 100 at most.
    let list = |body: &str| emu.aws_json("ecs", "AmazonEC2ContainerServiceV20141113.ListServices", body);
    let (status, text) = list(r#"{"cluster":"scale-cluster-0"}"#);
    let page: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!((status, page["serviceArns"].as_array().map(Vec::len)), (200, Some(10)), "{text}");
    assert!(page["nextToken"].is_string(), "{text}");
    let (status, text) = list(r#"{"cluster":"scale-cluster-0","maxResults":101}"#);
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("InvalidParameterException"), "{text}");
}

#[tokio::test]
async fn cluster_services_of_the_seeded_fleet() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(emu, dir.path()).await;
    let services = aws.cluster_services("prediction-app-cluster").await.expect("services");
    assert_eq!(
        services,
        [addr("ecs:prediction-app-cluster/backend-service"), addr("ecs:prediction-app-cluster/ml-model-service")]
    );
}

#[tokio::test]
async fn scaling_policies_come_in_the_apis_own_shape() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(emu, dir.path()).await;
    let v1 = ScalableResource::Variant { endpoint: "prediction-endpoint".into(), variant: "model-v1".into() };
    let policies = aws.scaling_policies(&v1).await.expect("policies");
    assert_eq!(policies.len(), 1, "{policies:?}");
    assert_eq!(policies[0].name, "prediction-model-v1-invocations");
    assert_eq!(policies[0].kind, "TargetTrackingScaling");
    assert_eq!(
        policies[0].config,
        json!({"TargetValue": 70.0, "ScaleInCooldown": 300, "ScaleOutCooldown": 60,
               "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}),
        "pasteable into put-scaling-policy --target-tracking-scaling-policy-configuration"
    );
    let v2 = ScalableResource::Variant { endpoint: "prediction-endpoint".into(), variant: "model-v2".into() };
    assert_eq!(aws.scaling_policies(&v2).await.expect("policies"), []);
    let service =
        ScalableResource::EcsService { cluster: "cleanistic-ai-cluster".into(), service: "cleanistic-ai-api".into() };
    assert_eq!(aws.scaling_policies(&service).await.expect("policies"), [], "a target without policies");
}

#[tokio::test]
async fn parameters_are_read_ten_names_per_call_and_missing_ones_are_absent() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend(&emu, dir.path()).await;
    let name = |i: usize| format!("/opsdeck/environments/test/p{i:02}");
    for i in 0..23 {
        let body = json!({"Name": name(i), "Value": format!("value {i}"), "Type": "String"}).to_string();
        let (status, text) = emu.aws_json("ssm", "AmazonSSM.PutParameter", &body);
        assert_eq!(status, 200, "{text}");
    }
    emu.clear_calls();
    // 23 that exist and 2 that do not: 25 names, 3 calls.
    let names: Vec<String> = (0..25).map(name).collect();
    let found = aws.parameters(&names).await.expect("parameters");
    assert_eq!(calls(&emu, "ssm:GetParameters"), 3, "ceil(25 / 10): {:?}", emu.calls());
    assert_eq!(found.len(), 23);
    for i in 0..23 {
        assert_eq!(found.get(&name(i)).map(String::as_str), Some(format!("value {i}").as_str()));
    }
    assert!(!found.contains_key(&name(23)) && !found.contains_key(&name(24)), "absent, not an error");

    // The bridge's 4096-character guard is the standard tier's: an advanced parameter may be longer.
    let advanced = json!({"Name": name(0), "Value": "z".repeat(5000), "Type": "String", "Tier": "Advanced",
                          "Overwrite": true});
    let (status, text) = emu.aws_json("ssm", "AmazonSSM.PutParameter", &advanced.to_string());
    assert_eq!(status, 200, "{text}");

    emu.clear_calls();
    assert!(aws.parameters(&[]).await.expect("nothing asked").is_empty());
    assert_eq!(calls(&emu, "ssm:GetParameters"), 0, "nothing asked, nothing sent");
}

/// Saved state that cannot be read must stop a restore, not look like "nothing was saved".
#[tokio::test]
async fn an_unreachable_parameter_store_is_an_error_not_an_absence() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let aws = backend_with(&emu, dir.path(), Duration::from_secs(1)).await;
    let names = vec!["/opsdeck/environments/test/state".to_string()];
    emu.fault(r#"{"operation":"GetParameters","status":500,"body":{"__type":"InternalServerError","message":"boom"}}"#);
    let err = aws.parameters(&names).await.expect_err("a 500");
    assert!(matches!(&err, BackendError::Other(m) if m.contains("InternalServerError")), "{err:?}");
    emu.fault(r#"{"operation":"GetParameters","delay_ms":2500}"#);
    let err = aws.parameters(&names).await.expect_err("past the timeout");
    assert!(matches!(&err, BackendError::Network(m) if m.contains("timed out")), "{err:?}");
}
