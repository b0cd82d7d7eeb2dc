//! The environment teardown/restore mutations against an emulated account (moto behind
//! tests/support/cw_bridge.py), through the real SDK and real HTTP. They live in the library
//! because only it can make a `Permit` (`Permit::for_tests`, a `cfg(test)` item); the planner's
//! end-to-end tests go through `ops::execute`.
//!
//! Each test has its own seeded emulator recording every request moto receives. What was sent is
//! checked against that recording (the exact fields), and the effect is read back through the
//! backend's own reads.
//!
//! Where moto differs from AWS, the test says so: it keeps a deregistered target's scaling
//! policies (AWS deletes them with it), and it does not enforce SSM's 4096-character standard
//! tier (the bridge does).

#[path = "../../tests/support/emulator.rs"]
mod emulator;

use super::{AwsBackend, AwsOptions};
use crate::backend::Permit;
use crate::backend::{Backend, BackendError};
use crate::domain::{
    Address, EndpointSnapshot, Mutation, Receipt, ScalableResource, ScalingPolicy, Snapshot, VariantCapacity,
};
use emulator::{isolate_from_real_aws, Emulator};
use serde_json::{json, Value};
use std::time::Duration;

const PREDICTION: &str = "prediction-endpoint";
const STATE: &str = "/opsdeck/environments/garmaxai/state";

/// A private, seeded emulator that records every request moto receives, and a backend on it.
struct Fixture {
    emu: Emulator,
    aws: AwsBackend,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("moto-recording.jsonl");
    let emu = Emulator::start_with_env(&[("MOTO_RECORDER_FILEPATH", recording.to_str().unwrap())]);
    emu.seed();
    emu.post_json("/moto-api/recorder/start-recording", "");
    emu.clear_calls();
    isolate_from_real_aws();
    let options = AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        // Unimplemented calls answer 500, which the SDK would retry: fail fast in tests.
        max_attempts: 1,
        operation_timeout: Duration::from_secs(15),
        ..AwsOptions::new(dir.path().join("cache"))
    };
    let aws = AwsBackend::connect(options).await.expect("connect");
    Fixture { emu, aws, _dir: dir }
}

impl Fixture {
    async fn apply(&self, mutation: Mutation) -> Result<Receipt, BackendError> {
        self.aws.apply(Permit::for_tests(mutation)).await
    }

    async fn endpoint(&self, name: &str) -> Result<EndpointSnapshot, BackendError> {
        match self.aws.snapshot(&Address::endpoint(name)).await? {
            Snapshot::Endpoint(e) => Ok(e),
            other => panic!("not an endpoint: {other:?}"),
        }
    }

    async fn snapshot(&self, address: &str) -> Snapshot {
        self.aws.snapshot(&address.parse().expect("address")).await.expect(address)
    }

    fn calls(&self, action: &str) -> u64 {
        self.emu.calls().get(action).copied().unwrap_or(0)
    }

    /// The requests moto received that `matches` (method, URL, X-Amz-Target), oldest first, with
    /// their JSON bodies (`null` for an empty body).
    fn recorded(&self, matches: impl Fn(&str, &str, &str) -> bool) -> Vec<Value> {
        let (status, text) =
            emulator::http(&self.emu.moto_url, "GET", "/moto-api/recorder/download-recording", &[], "").unwrap();
        assert_eq!(status, 200, "{text}");
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| {
                let headers = e["headers"].as_object().cloned().unwrap_or_default();
                let target = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
                    .and_then(|(_, v)| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                matches(e["method"].as_str().unwrap_or_default(), e["url"].as_str().unwrap_or_default(), &target)
            })
            .map(|e| {
                let body = e["body"].as_str().unwrap_or_default();
                let raw = if e["body_encoded"] == Value::Bool(true) {
                    aws_smithy_types::base64::decode(body).expect("base64")
                } else {
                    body.as_bytes().to_vec()
                };
                if raw.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&raw).expect("a JSON request body")
                }
            })
            .collect()
    }

    /// The JSON bodies of one awsJson operation (by X-Amz-Target).
    fn sent(&self, operation: &str) -> Vec<Value> {
        let suffix = format!(".{operation}");
        self.recorded(|_, _, target| target.ends_with(&suffix))
    }

    /// Lambda's REST calls on a function's concurrency (`METHOD .../functions/NAME/concurrency`).
    fn sent_concurrency(&self, method: &str, function: &str) -> Vec<Value> {
        let path = format!("/functions/{function}/concurrency");
        self.recorded(|m, url, _| m == method && url.contains(&path))
    }

    async fn parameters(&self, names: &[&str]) -> std::collections::BTreeMap<String, String> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        self.aws.parameters(&names).await.expect("parameters")
    }
}

fn keys(body: &Value) -> Vec<String> {
    let mut k: Vec<String> = body.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

fn variant(endpoint: &str, variant: &str) -> ScalableResource {
    ScalableResource::Variant { endpoint: endpoint.into(), variant: variant.into() }
}

#[tokio::test]
async fn deleting_an_endpoint_keeps_its_config_and_creating_it_brings_it_back() {
    let f = fixture().await;
    let config = f.endpoint(PREDICTION).await.expect("endpoint").config_name.expect("a config name");
    let receipt = f.apply(Mutation::DeleteEndpoint { endpoint: PREDICTION.into() }).await.expect("delete");
    assert!(receipt.request_id.is_some_and(|id| !id.is_empty()));
    assert!(matches!(f.endpoint(PREDICTION).await, Err(BackendError::NotFound(_))), "a deleted endpoint is gone");
    let saved = f.aws.endpoint_config(&config).await.expect("the config stays");
    assert_eq!(saved.len(), 2);

    f.apply(Mutation::CreateEndpoint { endpoint: PREDICTION.into(), config: config.clone() }).await.expect("create");
    // moto has it InService at once; AWS takes minutes (Creating), which the planner watches.
    let e = f.endpoint(PREDICTION).await.expect("recreated");
    assert_eq!(e.endpoint.status, "InService");
    assert_eq!(e.config_name.as_deref(), Some(config.as_str()));
    let names: Vec<&str> = e.endpoint.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["model-v1", "model-v2"]);

    let deleted = f.sent("DeleteEndpoint");
    assert_eq!(deleted, [json!({"EndpointName": PREDICTION})], "the endpoint only");
    let created = f.sent("CreateEndpoint");
    assert_eq!(created, [json!({"EndpointName": PREDICTION, "EndpointConfigName": config})], "nothing else");
    assert_eq!(f.calls("sagemaker:DeleteEndpointConfig"), 0);
    assert_eq!(f.calls("sagemaker:DeleteModel"), 0);

    let err = f.apply(Mutation::DeleteEndpoint { endpoint: "no-such-endpoint".into() }).await.expect_err("missing");
    assert!(matches!(err, BackendError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn variant_capacities_send_count_and_weight_for_each_variant() {
    let f = fixture().await;
    let variants = vec![
        VariantCapacity { variant: "model-v1".into(), instances: 3, weight: 0.7 },
        VariantCapacity { variant: "model-v2".into(), instances: 2, weight: 0.3 },
    ];
    f.apply(Mutation::SetVariantCapacities { endpoint: PREDICTION.into(), variants }).await.expect("capacities");
    let e = f.endpoint(PREDICTION).await.expect("endpoint");
    let read: Vec<(&str, u32, f64)> =
        e.endpoint.variants.iter().map(|v| (v.name.as_str(), v.desired_instances, v.weight)).collect();
    // Exactly 0.7, not the f32's 0.699999988079071: the planner compares these with what it saved.
    assert_eq!(read, [("model-v1", 3, 0.7), ("model-v2", 2, 0.3)]);
    let sent = f.sent("UpdateEndpointWeightsAndCapacities");
    assert_eq!(sent.len(), 1);
    assert_eq!(keys(&sent[0]), ["DesiredWeightsAndCapacities", "EndpointName"]);
    let wanted = &sent[0]["DesiredWeightsAndCapacities"];
    for (i, (name, count, weight)) in [("model-v1", 3, 0.7), ("model-v2", 2, 0.3)].into_iter().enumerate() {
        assert_eq!(keys(&wanted[i]), ["DesiredInstanceCount", "DesiredWeight", "VariantName"], "both, always");
        assert_eq!(
            (wanted[i]["VariantName"].as_str(), wanted[i]["DesiredInstanceCount"].as_u64()),
            (Some(name), Some(count))
        );
        let sent_weight = wanted[i]["DesiredWeight"].as_f64().expect("a number");
        assert!((sent_weight - weight).abs() < 1e-6, "{sent_weight} for {weight}");
    }
}

/// What a teardown and a restore do to an autoscaled variant: save the target and its policies,
/// deregister, re-register with the saved bounds and flags, put the policies back.
#[tokio::test]
async fn scaling_policies_survive_a_deregister_and_put_back() {
    let f = fixture().await;
    let v1 = variant(PREDICTION, "model-v1");
    let saved_target = f.endpoint(PREDICTION).await.expect("endpoint").scaling["model-v1"];
    let saved = f.aws.scaling_policies(&v1).await.expect("policies");
    assert_eq!(saved.len(), 1, "the seeded policy: {saved:?}");

    f.apply(Mutation::DeregisterScalingTarget { resource: v1.clone() }).await.expect("deregister");
    assert!(!f.endpoint(PREDICTION).await.expect("endpoint").scaling.contains_key("model-v1"), "target gone");
    // moto keeps a deregistered target's policies; AWS deletes them with it. Do what AWS does.
    let delete = json!({"PolicyName": saved[0].name, "ServiceNamespace": "sagemaker",
                        "ResourceId": v1.resource_id(), "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"});
    let (status, text) =
        f.emu.aws_json("application-autoscaling", "AnyScaleFrontendService.DeleteScalingPolicy", &delete.to_string());
    assert_eq!(status, 200, "{text}");
    assert_eq!(f.aws.scaling_policies(&v1).await.expect("policies"), [], "gone, as on AWS");

    let bounds = Mutation::SetScalingBounds {
        resource: v1.clone(),
        min: saved_target.min,
        max: saved_target.max,
        suspended: saved_target.suspended,
    };
    f.apply(bounds).await.expect("re-register");
    for policy in &saved {
        f.apply(Mutation::PutScalingPolicy { resource: v1.clone(), policy: policy.clone() }).await.expect("put");
    }
    assert_eq!(f.aws.scaling_policies(&v1).await.expect("policies"), saved, "the same policies, whole");
    assert_eq!(f.endpoint(PREDICTION).await.expect("endpoint").scaling["model-v1"], saved_target);

    let deregistered = f.sent("DeregisterScalableTarget");
    assert_eq!(
        deregistered,
        [json!({"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/prediction-endpoint/variant/model-v1",
                "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"})]
    );
    let put = f.sent("PutScalingPolicy");
    assert_eq!(put.len(), 1);
    assert_eq!(
        put[0],
        json!({"PolicyName": "prediction-model-v1-invocations", "PolicyType": "TargetTrackingScaling",
               "ServiceNamespace": "sagemaker", "ResourceId": "endpoint/prediction-endpoint/variant/model-v1",
               "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
               "TargetTrackingScalingPolicyConfiguration": saved[0].config}),
        "the saved configuration, in the API's shape, and nothing else"
    );
}

/// Step scaling and a metric-math target tracking policy go over the wire and come back equal.
#[tokio::test]
async fn step_and_metric_math_policies_round_trip_through_aws() {
    let f = fixture().await;
    let v2 = variant(PREDICTION, "model-v2");
    let step = ScalingPolicy {
        name: "a-step".into(),
        kind: "StepScaling".into(),
        config: json!({"AdjustmentType": "ChangeInCapacity", "Cooldown": 120, "MetricAggregationType": "Average",
                       "MinAdjustmentMagnitude": 1, "StepAdjustments": [
                           {"MetricIntervalUpperBound": 0.0, "ScalingAdjustment": -1},
                           {"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 2}]}),
    };
    let math = ScalingPolicy {
        name: "b-backlog".into(),
        kind: "TargetTrackingScaling".into(),
        config: json!({"TargetValue": 5.0, "DisableScaleIn": true, "CustomizedMetricSpecification": {"Metrics": [
            {"Id": "backlog", "ReturnData": false, "MetricStat": {"Stat": "Average", "Metric": {
                "MetricName": "ApproximateBacklogSize", "Namespace": "AWS/SageMaker",
                "Dimensions": [{"Name": "EndpointName", "Value": PREDICTION}]}}},
            {"Id": "per_instance", "Expression": "backlog / 2", "Label": "backlog per instance", "ReturnData": true}]}}),
    };
    for policy in [&step, &math] {
        f.apply(Mutation::PutScalingPolicy { resource: v2.clone(), policy: policy.clone() }).await.expect("put");
    }
    assert_eq!(f.aws.scaling_policies(&v2).await.expect("policies"), [step, math]);
}

#[tokio::test]
async fn a_policy_opsdeck_cannot_carry_whole_is_refused_before_sending() {
    let f = fixture().await;
    let policy = ScalingPolicy {
        name: "with-an-unknown-field".into(),
        kind: "TargetTrackingScaling".into(),
        config: json!({"TargetValue": 70.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}, "ScaleInDelay": 30}),
    };
    let mutation = Mutation::PutScalingPolicy { resource: variant(PREDICTION, "model-v2"), policy };
    let err = f.apply(mutation).await.expect_err("refused");
    assert!(
        matches!(&err, BackendError::Other(m) if m.contains("TargetTrackingScalingPolicyConfiguration.ScaleInDelay")),
        "{err:?}"
    );
    assert_eq!(f.calls("application-autoscaling:PutScalingPolicy"), 0, "nothing sent: {:?}", f.emu.calls());
}

#[tokio::test]
async fn function_concurrency_is_set_to_zero_and_put_back_or_removed() {
    let f = fixture().await;
    let reserved = |s: Snapshot| match s {
        Snapshot::Function(function) => function.reserved_concurrency,
        other => panic!("not a function: {other:?}"),
    };
    for function in ["garmaxai-tryon-processor", "garmaxai-render-processor"] {
        f.apply(Mutation::SetFunctionConcurrency { function: function.into(), reserved: Some(0) }).await.expect("0");
        assert_eq!(reserved(f.snapshot(&format!("lambda:{function}")).await), Some(0), "{function} blocked");
    }
    let tryon = Mutation::SetFunctionConcurrency { function: "garmaxai-tryon-processor".into(), reserved: Some(5) };
    f.apply(tryon).await.expect("put back");
    let render = Mutation::SetFunctionConcurrency { function: "garmaxai-render-processor".into(), reserved: None };
    f.apply(render).await.expect("removed");
    assert_eq!(reserved(f.snapshot("lambda:garmaxai-tryon-processor").await), Some(5));
    assert_eq!(reserved(f.snapshot("lambda:garmaxai-render-processor").await), None, "no limit, not a number");

    let put = f.sent_concurrency("PUT", "garmaxai-tryon-processor");
    assert_eq!(put, [json!({"ReservedConcurrentExecutions": 0}), json!({"ReservedConcurrentExecutions": 5})]);
    assert_eq!(f.sent_concurrency("DELETE", "garmaxai-render-processor"), [Value::Null], "no body");
    assert_eq!(f.sent_concurrency("DELETE", "garmaxai-tryon-processor"), Vec::<Value>::new());

    let missing = Mutation::SetFunctionConcurrency { function: "no-such-function".into(), reserved: Some(0) };
    assert!(matches!(f.apply(missing).await, Err(BackendError::NotFound(_))));
}

#[tokio::test]
async fn rules_are_disabled_and_enabled_on_their_own_bus() {
    let f = fixture().await;
    let state = |s: Snapshot| match s {
        Snapshot::Rule(rule) => rule.state,
        other => panic!("not a rule: {other:?}"),
    };
    let set = |bus: Option<&str>, rule: &str, enabled: bool| Mutation::SetRuleEnabled {
        bus: bus.map(str::to_string),
        rule: rule.into(),
        enabled,
    };
    f.apply(set(None, "garmaxai-nightly-batch", false)).await.expect("disable");
    f.apply(set(Some("garmaxai-events"), "tryon-completed", false)).await.expect("disable on the custom bus");
    assert_eq!(state(f.snapshot("rule:garmaxai-nightly-batch").await), "DISABLED");
    assert_eq!(state(f.snapshot("rule:garmaxai-events/tryon-completed").await), "DISABLED");
    f.apply(set(None, "garmaxai-weekly-report", true)).await.expect("enable");
    f.apply(set(Some("garmaxai-events"), "tryon-completed", true)).await.expect("enable on the custom bus");
    assert_eq!(state(f.snapshot("rule:garmaxai-weekly-report").await), "ENABLED");
    assert_eq!(state(f.snapshot("rule:garmaxai-events/tryon-completed").await), "ENABLED");
    assert_eq!(state(f.snapshot("rule:garmaxai-nightly-batch").await), "DISABLED", "the others untouched");

    assert_eq!(
        f.sent("DisableRule"),
        [
            json!({"Name": "garmaxai-nightly-batch"}),
            json!({"Name": "tryon-completed", "EventBusName": "garmaxai-events"})
        ]
    );
    assert_eq!(
        f.sent("EnableRule"),
        [
            json!({"Name": "garmaxai-weekly-report"}),
            json!({"Name": "tryon-completed", "EventBusName": "garmaxai-events"})
        ]
    );
    let err = f.apply(set(None, "tryon-completed", false)).await.expect_err("not on the default bus");
    assert!(matches!(err, BackendError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn parameters_are_written_as_standard_strings_overwritten_and_deleted() {
    let f = fixture().await;
    let put = |value: &str| Mutation::PutParameter { name: STATE.into(), value: value.into() };
    f.apply(put(r#"{"version":1}"#)).await.expect("put");
    f.apply(put(r#"{"version":2}"#)).await.expect("overwrite");
    assert_eq!(f.parameters(&[STATE]).await.get(STATE).map(String::as_str), Some(r#"{"version":2}"#));
    let sent = f.sent("PutParameter");
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1],
        json!({"Name": STATE, "Value": r#"{"version":2}"#, "Type": "String", "Tier": "Standard", "Overwrite": true}),
        "a standard String, overwritten: nothing else"
    );

    let other = "/opsdeck/environments/garmaxai/other";
    f.apply(Mutation::PutParameter { name: other.into(), value: "x".into() }).await.expect("put");
    let names = vec![STATE.to_string(), other.to_string(), "/opsdeck/environments/never-written".to_string()];
    f.apply(Mutation::DeleteParameters { names: names.clone() }).await.expect("delete, a missing name included");
    assert!(f.parameters(&[STATE, other]).await.is_empty());
    assert_eq!(f.sent("DeleteParameters"), [json!({"Names": names})]);

    let eleven: Vec<String> = (0..11).map(|i| format!("/opsdeck/environments/p{i}")).collect();
    let err = f.apply(Mutation::DeleteParameters { names: eleven }).await.expect_err("over the API's limit");
    assert!(matches!(&err, BackendError::Other(m) if m.contains("1 to 10 names")), "{err:?}");
    assert_eq!(f.calls("ssm:DeleteParameters"), 1, "the refused one was not sent");
}

/// moto stores any length; the bridge refuses what AWS refuses (standard tier, over 4096
/// characters), so this proves opsdeck's writes fail loudly rather than being trimmed or tiered up.
#[tokio::test]
async fn a_parameter_value_over_the_standard_tier_limit_is_refused() {
    let f = fixture().await;
    let at_limit = "x".repeat(4096);
    f.apply(Mutation::PutParameter { name: STATE.into(), value: at_limit.clone() }).await.expect("4096 fit");
    let err =
        f.apply(Mutation::PutParameter { name: STATE.into(), value: "y".repeat(4097) }).await.expect_err("4097 do not");
    assert!(
        matches!(&err, BackendError::Other(m) if m.contains("ValidationException")
            && m.contains("Standard tier parameters support a maximum parameter value of 4096 characters")),
        "{err:?}"
    );
    assert_eq!(f.parameters(&[STATE]).await.get(STATE), Some(&at_limit), "the stored value is untouched");
    assert_eq!(f.calls("ssm:PutParameter"), 2);
}
