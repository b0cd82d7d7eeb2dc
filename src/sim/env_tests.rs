//! Environment teardown and restore on the simulated fleet, resource by resource: endpoints deleted
//! and created again, capacities and weights, scalable targets and policies, Lambda concurrency,
//! EventBridge rules, SSM parameters and ECS services scaled to 0 and back.

use super::endpoints::{CREATING_SECS, DELETING_SECS, UPDATING_SECS};
use super::tests::{alarm, fleet, CLEANISTIC};
use super::*;
use crate::domain::{
    AlarmState, EndpointSnapshot, Mutation, Receipt, ScalableResource, Snapshot, Suspended, TaskHealth, VariantCapacity,
};
use std::collections::BTreeSet;

pub(super) const PREDICTION: &str = "prediction-endpoint";
pub(super) const DETECTOR: &str = "cleanistic-property-detector-endpoint";

/// Applies a mutation at the fleet's current second, as `Backend::apply` does behind a permit.
pub(super) fn apply(f: &SimFleet, m: Mutation) -> Result<Receipt, BackendError> {
    let mut guard = f.world();
    match guard.as_mut() {
        Some(w) => w.apply(&m),
        None => Err(BackendError::Other("no world".into())),
    }
}

pub(super) fn must(f: &SimFleet, m: Mutation) {
    if let Err(e) = apply(f, m.clone()) {
        panic!("{m:?}: {e}");
    }
}

fn refused(f: &SimFleet, m: Mutation) -> BackendError {
    match apply(f, m.clone()) {
        Ok(_) => panic!("{m:?} was accepted"),
        Err(e) => e,
    }
}

fn other_containing(e: &BackendError, text: &str) -> bool {
    matches!(e, BackendError::Other(m) if m.contains(text))
}

async fn endpoint_snapshot(f: &SimFleet, name: &str) -> Result<EndpointSnapshot, BackendError> {
    match f.snapshot(&Address::endpoint(name)).await? {
        Snapshot::Endpoint(e) => Ok(e),
        other => panic!("not an endpoint: {other:?}"),
    }
}

async fn status(f: &SimFleet, name: &str) -> Option<String> {
    endpoint_snapshot(f, name).await.ok().map(|e| e.endpoint.status)
}

async fn listed(f: &SimFleet, name: &str) -> bool {
    f.endpoints().await.unwrap_or_default().iter().any(|e| e.name == name)
}

fn variant(endpoint: &str, variant: &str) -> ScalableResource {
    ScalableResource::Variant { endpoint: endpoint.to_string(), variant: variant.to_string() }
}

fn cleanistic_api() -> Address {
    Address::ecs(CLEANISTIC.0, CLEANISTIC.1)
}

pub(super) fn delete(endpoint: &str) -> Mutation {
    Mutation::DeleteEndpoint { endpoint: endpoint.to_string() }
}

pub(super) fn create(endpoint: &str, config: &str) -> Mutation {
    Mutation::CreateEndpoint { endpoint: endpoint.to_string(), config: config.to_string() }
}

fn invoke(endpoint: &str) -> Mutation {
    Mutation::Invoke {
        endpoint: endpoint.to_string(),
        variant: None,
        content_type: "application/json".to_string(),
        body: b"{}".to_vec(),
    }
}

pub(super) fn capacities(endpoint: &str, each: &[(&str, u32, f64)]) -> Mutation {
    let variants = each
        .iter()
        .map(|&(variant, instances, weight)| VariantCapacity { variant: variant.to_string(), instances, weight })
        .collect();
    Mutation::SetVariantCapacities { endpoint: endpoint.to_string(), variants }
}

fn bounds(resource: ScalableResource, min: u32, max: u32) -> Mutation {
    Mutation::SetScalingBounds { resource, min, max, suspended: Suspended::default() }
}

async fn log_streams_since(f: &SimFleet, group: &str, from: DateTime<Utc>) -> Vec<String> {
    let batch = f.log_events(group, LogQuery::Since { from, limit: 10_000 }).await;
    batch.map(|b| b.events.into_iter().map(|e| e.stream).collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_deleted_endpoint_is_deleting_for_a_while_then_gone_with_its_targets_logs_metrics_and_alarm_data() {
    let (f, clock) = fleet(21, "latency-spike");
    clock.advance(30);
    let before = endpoint_snapshot(&f, PREDICTION).await;
    let Ok(before) = before else { panic!("{before:?}") };
    assert_eq!(before.config_name.as_deref(), Some("prediction-endpoint-config"));
    assert!(before.scaling.contains_key("model-v1"));

    must(&f, delete(PREDICTION));
    let deleted_at = f.now();
    let during = endpoint_snapshot(&f, PREDICTION).await;
    let Ok(during) = during else { panic!("{during:?}") };
    assert_eq!(during.endpoint.status, "Deleting");
    assert!(during.scaling.is_empty(), "SageMaker deregisters the variants' targets with the endpoint");
    assert!(f.scaling_policies(&variant(PREDICTION, "model-v1")).await.is_ok_and(|p| p.is_empty()));
    assert!(listed(&f, PREDICTION).await);
    assert!(other_containing(&refused(&f, delete(PREDICTION)), "in-progress"));
    let update = capacities(PREDICTION, &[("model-v1", 3, 1.0)]);
    assert!(other_containing(&refused(&f, update), "Cannot update in-progress endpoint"));
    assert!(other_containing(&refused(&f, invoke(PREDICTION)), "Deleting"));

    clock.advance(DELETING_SECS - 1);
    assert_eq!(status(&f, PREDICTION).await.as_deref(), Some("Deleting"));
    clock.advance(1);
    assert!(matches!(endpoint_snapshot(&f, PREDICTION).await, Err(BackendError::NotFound(_))));
    assert!(!listed(&f, PREDICTION).await);
    assert!(listed(&f, DETECTOR).await);
    assert!(matches!(refused(&f, invoke(PREDICTION)), BackendError::NotFound(_)));
    assert!(matches!(refused(&f, delete(PREDICTION)), BackendError::NotFound(_)));
    let scale = Mutation::SetVariantInstances { endpoint: PREDICTION.into(), variant: "model-v1".into(), count: 3 };
    assert!(matches!(refused(&f, scale), BackendError::NotFound(_)));

    clock.advance(300);
    let group = "/aws/sagemaker/Endpoints/prediction-endpoint";
    let from = deleted_at + chrono::Duration::seconds(1);
    assert!(log_streams_since(&f, group, from).await.is_empty(), "no invocation lines once it stops serving");
    let names = [PREDICTION.to_string(), DETECTOR.to_string()];
    let m = f.endpoint_metrics(&names).await.unwrap_or_default();
    for v in ["model-v1", "model-v2"] {
        let series = &m[PREDICTION][v];
        assert_eq!(series.invocations.latest(), None, "{v}");
        assert_eq!(series.latency_p99_us.latest(), None, "{v}");
    }
    assert!(m[DETECTOR]["AllTraffic"].invocations.latest().is_some());
    let alarms = f.alarms().await.unwrap_or_default();
    let a = alarm(&alarms, "prediction-endpoint-ModelLatency-high");
    assert_eq!(a.state, AlarmState::InsufficientData, "{}", a.reason);
}

#[tokio::test]
async fn a_recreated_endpoint_is_creating_then_in_service_with_its_configs_counts_and_new_instances() {
    let (f, clock) = fleet(22, "calm");
    let config = "cleanistic-property-detector-endpoint-config";
    let expected = vec![VariantCapacity { variant: "AllTraffic".into(), instances: 2, weight: 1.0 }];
    assert_eq!(f.endpoint_config(config).await, Ok(expected));
    assert!(matches!(f.endpoint_config("nope-config").await, Err(BackendError::NotFound(_))));
    assert!(other_containing(&refused(&f, create(DETECTOR, config)), "Cannot create already existing endpoint"));
    let group = "/aws/sagemaker/Endpoints/cleanistic-property-detector-endpoint";
    let old: BTreeSet<String> =
        log_streams_since(&f, group, f.now() - chrono::Duration::minutes(10)).await.into_iter().collect();
    assert_eq!(old.len(), 2, "{old:?}");

    must(&f, delete(DETECTOR));
    clock.advance(DELETING_SECS + 180);
    let alarms = f.alarms().await.unwrap_or_default();
    let a = alarm(&alarms, "CleanisticAI-HighLatency");
    assert_eq!(a.state, AlarmState::InsufficientData, "{}", a.reason);
    assert!(other_containing(&refused(&f, create(DETECTOR, "prediction-endpoint-config")), "own config"));
    assert!(other_containing(&refused(&f, create(DETECTOR, "nope-config")), "Could not find endpoint configuration"));
    assert!(apply(&f, create("brand-new-endpoint", config)).is_err());

    must(&f, create(DETECTOR, config));
    let creating = endpoint_snapshot(&f, DETECTOR).await;
    let Ok(creating) = creating else { panic!("{creating:?}") };
    assert_eq!(creating.endpoint.status, "Creating");
    let v = &creating.endpoint.variants[0];
    assert_eq!((v.current_instances, v.desired_instances), (0, 2));
    assert!(listed(&f, DETECTOR).await);
    assert!(other_containing(&refused(&f, invoke(DETECTOR)), "Creating"));
    assert!(other_containing(&refused(&f, create(DETECTOR, config)), "already existing"));
    clock.advance(CREATING_SECS - 1);
    assert_eq!(status(&f, DETECTOR).await.as_deref(), Some("Creating"));
    clock.advance(1);
    let live = endpoint_snapshot(&f, DETECTOR).await;
    let Ok(live) = live else { panic!("{live:?}") };
    assert_eq!(live.endpoint.status, "InService");
    let v = &live.endpoint.variants[0];
    assert_eq!((v.current_instances, v.desired_instances, v.weight), (2, 2, 1.0));
    let answer = apply(&f, invoke(DETECTOR));
    assert!(answer.is_ok_and(|r| r.response.is_some_and(|r| r.status == 200)));

    let in_service = f.now();
    clock.advance(300);
    let new: BTreeSet<String> = log_streams_since(&f, group, in_service).await.into_iter().collect();
    assert_eq!(new.len(), 2, "lines come from the two new instances: {new:?}");
    assert!(new.is_disjoint(&old));
    let alarms = f.alarms().await.unwrap_or_default();
    assert_eq!(alarm(&alarms, "CleanisticAI-HighLatency").state, AlarmState::Ok);
}

#[tokio::test]
async fn capacities_set_counts_and_weights_after_an_update_and_weights_split_the_traffic() {
    let (f, clock) = fleet(23, "calm");
    must(&f, capacities(PREDICTION, &[("model-v1", 2, 1.0), ("model-v2", 2, 3.0)]));
    let updating = endpoint_snapshot(&f, PREDICTION).await;
    let Ok(updating) = updating else { panic!("{updating:?}") };
    assert_eq!(updating.endpoint.status, "Updating");
    let shown: Vec<(u32, u32, f64)> =
        updating.endpoint.variants.iter().map(|v| (v.current_instances, v.desired_instances, v.weight)).collect();
    assert_eq!(shown, vec![(2, 2, 0.9), (1, 2, 0.1)], "weights change when the update finishes");
    let again = capacities(PREDICTION, &[("model-v1", 1, 1.0)]);
    assert!(other_containing(&refused(&f, again), "Cannot update in-progress endpoint"));
    assert!(apply(&f, invoke(PREDICTION)).is_ok(), "an updating endpoint serves");

    clock.advance(UPDATING_SECS);
    let done = endpoint_snapshot(&f, PREDICTION).await;
    let Ok(done) = done else { panic!("{done:?}") };
    let shown: Vec<(u32, f64)> = done.endpoint.variants.iter().map(|v| (v.current_instances, v.weight)).collect();
    assert_eq!((done.endpoint.status.as_str(), shown), ("InService", vec![(2, 1.0), (2, 3.0)]));
    assert!(matches!(refused(&f, capacities(PREDICTION, &[("model-v9", 1, 1.0)])), BackendError::NotFound(_)));
    let zero = capacities(PREDICTION, &[("model-v1", 1, 0.0), ("model-v2", 1, 0.0)]);
    assert!(other_containing(&refused(&f, zero), "ValidationException"));
    assert!(other_containing(&refused(&f, capacities(PREDICTION, &[("model-v1", 1, -1.0)])), "ValidationException"));

    let from = f.now();
    clock.advance(900);
    let streams = log_streams_since(&f, "/aws/sagemaker/Endpoints/prediction-endpoint", from).await;
    let v1 = streams.iter().filter(|s| s.starts_with("model-v1/")).count();
    let v2 = streams.iter().filter(|s| s.starts_with("model-v2/")).count();
    assert!(v2 > 2 * v1 && v1 > 0, "model-v2 takes three quarters: v1 {v1}, v2 {v2}");
    let m = f.endpoint_metrics(&[PREDICTION.to_string()]).await.unwrap_or_default();
    let total = |v: &str| -> f64 { m[PREDICTION][v].invocations.points.iter().rev().take(10).flatten().sum() };
    assert!(total("model-v2") > 2.0 * total("model-v1"));
}

#[tokio::test]
async fn scalable_targets_go_with_the_endpoint_and_come_back_with_their_policies() {
    let (f, clock) = fleet(24, "calm");
    let v1 = variant(PREDICTION, "model-v1");
    let saved = f.scaling_policies(&v1).await.unwrap_or_default();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].name, "prediction-endpoint-model-v1-invocations");
    assert_eq!(saved[0].kind, "TargetTrackingScaling");
    assert_eq!(saved[0].config["TargetValue"], 70.0);
    assert_eq!(
        saved[0].config["PredefinedMetricSpecification"]["PredefinedMetricType"],
        "SageMakerVariantInvocationsPerInstance"
    );
    assert_eq!(
        (saved[0].config["ScaleInCooldown"].as_u64(), saved[0].config["ScaleOutCooldown"].as_u64()),
        (Some(300), Some(60))
    );
    assert_eq!(f.scaling_policies(&variant(DETECTOR, "AllTraffic")).await.map(|p| p.len()), Ok(1));
    let v2 = variant(PREDICTION, "model-v2");
    assert!(f.scaling_policies(&v2).await.is_ok_and(|p| p.is_empty()));
    let deregister = |resource| Mutation::DeregisterScalingTarget { resource };
    let put = |resource, policy| Mutation::PutScalingPolicy { resource, policy };
    assert!(
        matches!(refused(&f, deregister(v2.clone())), BackendError::NotFound(m) if m.contains("ObjectNotFoundException"))
    );
    assert!(matches!(refused(&f, put(v2.clone(), saved[0].clone())), BackendError::NotFound(_)));
    assert!(other_containing(&refused(&f, bounds(v1.clone(), 3, 2)), "ValidationException"));
    assert!(other_containing(&refused(&f, bounds(variant(PREDICTION, "model-v9"), 1, 2)), "ValidationException"));

    must(&f, delete(PREDICTION));
    assert!(f.scaling_policies(&v1).await.is_ok_and(|p| p.is_empty()));
    assert!(matches!(refused(&f, deregister(v1.clone())), BackendError::NotFound(_)));
    assert!(other_containing(&refused(&f, bounds(v1.clone(), 1, 6)), "ValidationException"));
    clock.advance(DELETING_SECS);
    assert!(other_containing(&refused(&f, bounds(v1.clone(), 1, 6)), "does not exist"));
    must(&f, create(PREDICTION, "prediction-endpoint-config"));
    assert!(other_containing(&refused(&f, bounds(v1.clone(), 1, 6)), "Creating"));
    clock.advance(CREATING_SECS);
    must(&f, bounds(v1.clone(), 1, 6));
    must(&f, put(v1.clone(), saved[0].clone()));
    assert_eq!(f.scaling_policies(&v1).await, Ok(saved));
    let back = endpoint_snapshot(&f, PREDICTION).await.map(|e| e.scaling.get("model-v1").map(|t| (t.min, t.max)));
    assert_eq!(back, Ok(Some((1, 6))));

    // An ECS service's target: deregistered with its policies, registered again from nothing.
    let api = ScalableResource::EcsService { cluster: CLEANISTIC.0.into(), service: CLEANISTIC.1.into() };
    assert!(f.scaling_policies(&api).await.is_ok_and(|p| p.len() == 1));
    must(&f, deregister(api.clone()));
    assert!(f.scaling_policies(&api).await.is_ok_and(|p| p.is_empty()));
    assert!(matches!(refused(&f, deregister(api.clone())), BackendError::NotFound(_)));
    let children = ScalableResource::EcsService {
        cluster: "children-drawing-prod-cluster".into(),
        service: "children-drawing-prod-service".into(),
    };
    must(&f, bounds(children, 1, 2));
    let snap = f.snapshot(&Address::ecs("children-drawing-prod-cluster", "children-drawing-prod-service")).await;
    assert!(matches!(snap, Ok(Snapshot::Service(s)) if s.scaling.is_some_and(|t| (t.min, t.max) == (1, 2))));
    let nowhere = ScalableResource::EcsService { cluster: "x".into(), service: "y".into() };
    assert!(other_containing(&refused(&f, bounds(nowhere, 1, 2)), "ECS service doesn't exist"));
}

#[tokio::test]
async fn functions_and_rules_round_trip() {
    let (f, _) = fleet(25, "calm");
    let function = |name: &str| {
        let address = Address::function(name);
        let f = &f;
        async move { f.snapshot(&address).await }
    };
    let reserved = |s: Result<Snapshot, BackendError>| match s {
        Ok(Snapshot::Function(f)) => f.reserved_concurrency,
        other => panic!("{other:?}"),
    };
    assert_eq!(reserved(function("GarmaxAi-TryonProcessor-PROD").await), Some(10));
    assert_eq!(reserved(function("GarmaxAi-AiRenderProcessor-PROD").await), None);
    assert_eq!(reserved(function("GarmaxAi-BillingProcessor-PROD").await), Some(2));
    assert!(matches!(function("GarmaxAi-Nope-PROD").await, Err(BackendError::NotFound(_))));
    let set = |name: &str, reserved| Mutation::SetFunctionConcurrency { function: name.to_string(), reserved };
    for name in ["GarmaxAi-TryonProcessor-PROD", "GarmaxAi-AiRenderProcessor-PROD"] {
        must(&f, set(name, Some(0)));
        assert_eq!(reserved(function(name).await), Some(0));
    }
    must(&f, set("GarmaxAi-TryonProcessor-PROD", Some(10)));
    must(&f, set("GarmaxAi-AiRenderProcessor-PROD", None));
    assert_eq!(reserved(function("GarmaxAi-TryonProcessor-PROD").await), Some(10));
    assert_eq!(reserved(function("GarmaxAi-AiRenderProcessor-PROD").await), None, "the limit is removed, not set");
    assert!(matches!(refused(&f, set("GarmaxAi-Nope-PROD", Some(0))), BackendError::NotFound(_)));

    let state = |s: Result<Snapshot, BackendError>| match s {
        Ok(Snapshot::Rule(r)) => r.state,
        other => panic!("{other:?}"),
    };
    let nightly = Address::rule(None, "garmaxai-nightly-batch-PROD");
    let warmup = Address::rule(None, "garmaxai-warmup-PROD");
    let completed = Address::rule(Some("garmaxai-events-PROD"), "tryon-completed-PROD");
    assert_eq!(state(f.snapshot(&nightly).await), "ENABLED");
    assert_eq!(state(f.snapshot(&warmup).await), "DISABLED");
    assert_eq!(state(f.snapshot(&completed).await), "ENABLED");
    let toggle = |bus: Option<&str>, rule: &str, enabled| Mutation::SetRuleEnabled {
        bus: bus.map(str::to_string),
        rule: rule.to_string(),
        enabled,
    };
    must(&f, toggle(None, "garmaxai-nightly-batch-PROD", false));
    must(&f, toggle(Some("garmaxai-events-PROD"), "tryon-completed-PROD", false));
    assert_eq!(state(f.snapshot(&nightly).await), "DISABLED");
    assert_eq!(state(f.snapshot(&completed).await), "DISABLED");
    must(&f, toggle(Some("default"), "garmaxai-nightly-batch-PROD", true));
    must(&f, toggle(Some("garmaxai-events-PROD"), "tryon-completed-PROD", true));
    assert_eq!(state(f.snapshot(&nightly).await), "ENABLED");
    assert_eq!(state(f.snapshot(&completed).await), "ENABLED");
    assert_eq!(state(f.snapshot(&warmup).await), "DISABLED");
    let wrong_bus = toggle(None, "tryon-completed-PROD", false);
    assert!(matches!(refused(&f, wrong_bus), BackendError::NotFound(_)));
    let snap = f.snapshot(&Address::rule(Some("other-bus"), "garmaxai-nightly-batch-PROD")).await;
    assert!(matches!(snap, Err(BackendError::NotFound(_))));
}

#[tokio::test]
async fn parameters_store_overwrite_and_delete_within_aws_limits() {
    let (f, _) = fleet(26, "calm");
    let names = |n: &[&str]| -> Vec<String> { n.iter().map(|s| s.to_string()).collect() };
    let read = f.parameters(&names(&["/garmaxai/PROD/frontend/url", "/nope"])).await.unwrap_or_default();
    assert_eq!(read.keys().collect::<Vec<_>>(), vec!["/garmaxai/PROD/frontend/url"]);
    let put = |name: &str, value: String| Mutation::PutParameter { name: name.to_string(), value };
    let saved = "/opsdeck/env/garmax-prod/state";
    must(&f, put(saved, "first".into()));
    must(&f, put(saved, "x".repeat(4096)));
    let read = f.parameters(&names(&[saved])).await.unwrap_or_default();
    assert_eq!(read.get(saved).map(String::len), Some(4096), "overwritten");
    let e = refused(&f, put(saved, "x".repeat(4097)));
    assert!(other_containing(
        &e,
        "ValidationException: Standard tier parameters support a maximum parameter value of 4096 characters."
    ));
    assert!(other_containing(&refused(&f, put(saved, String::new())), "ValidationException"));
    assert!(other_containing(&refused(&f, put("bad name!", "v".into())), "ValidationException"));
    assert_eq!(f.parameters(&names(&[saved])).await.map(|r| r[saved].len()), Ok(4096), "a refused put changes nothing");

    let many: Vec<String> = (0..11).map(|i| format!("/opsdeck/p{i}")).collect();
    for name in &many {
        must(&f, put(name, "v".into()));
    }
    let e = refused(&f, Mutation::DeleteParameters { names: many.clone() });
    assert!(other_containing(&e, "ValidationException") && other_containing(&e, "less than or equal to 10"));
    assert_eq!(f.parameters(&many).await.map(|r| r.len()), Ok(11));
    let mut ten = many[..9].to_vec();
    ten.push("/never-existed".to_string());
    must(&f, Mutation::DeleteParameters { names: ten });
    assert_eq!(
        f.parameters(&many).await.map(|r| r.into_keys().collect::<Vec<_>>()),
        Ok(vec![many[10].clone(), many[9].clone()])
    );
    assert!(other_containing(&refused(&f, Mutation::DeleteParameters { names: Vec::new() }), "ValidationException"));
}

#[tokio::test]
async fn cluster_services_list_a_clusters_services_sorted() {
    let (f, _) = fleet(27, "calm");
    let listed = f.cluster_services("prediction-app-cluster").await;
    let expected = vec![
        Address::ecs("prediction-app-cluster", "backend-service"),
        Address::ecs("prediction-app-cluster", "ml-model-service"),
    ];
    assert_eq!(listed, Ok(expected));
    assert_eq!(f.cluster_services(CLEANISTIC.0).await, Ok(vec![cleanistic_api()]));
    assert!(matches!(f.cluster_services("nope-cluster").await, Err(BackendError::NotFound(_))));
}

#[tokio::test]
async fn a_service_scaled_to_zero_stops_every_task_and_publishes_no_data_then_comes_back_healthy() {
    let (f, clock) = fleet(28, "calm");
    let api = cleanistic_api();
    let target = ScalableResource::EcsService { cluster: CLEANISTIC.0.into(), service: CLEANISTIC.1.into() };
    must(&f, bounds(target.clone(), 0, 0));
    must(&f, Mutation::SetDesiredCount { address: api.clone(), count: 0 });
    clock.advance(90);
    let svc = f.services().await.unwrap_or_default().into_iter().find(|s| s.address() == api);
    assert!(svc.is_some_and(|s| (s.desired, s.running, s.pending) == (0, 0, 0)));
    let detail = f.service_detail(&api).await;
    let Ok(detail) = detail else { panic!("{detail:?}") };
    assert!(detail.tasks.iter().all(|t| t.last_status == "STOPPED"), "{:?}", detail.tasks);
    clock.advance(240);
    let quiet = f.now() - chrono::Duration::seconds(120);
    assert!(log_streams_since(&f, "/ecs/cleanistic-ai", quiet).await.is_empty());
    let m = f.service_metrics(std::slice::from_ref(&api)).await.unwrap_or_default();
    assert_eq!((m[&api].cpu.latest(), m[&api].memory.latest()), (None, None), "no data, not 0");
    let alarms = f.alarms().await.unwrap_or_default();
    let a = alarm(&alarms, "CleanisticAI-HighErrorRate");
    assert_eq!(a.state, AlarmState::InsufficientData, "a stopped app publishes no error rate: {}", a.reason);

    let restored_at = f.now();
    must(&f, Mutation::SetDesiredCount { address: api.clone(), count: 2 });
    must(&f, bounds(target, 1, 4));
    clock.advance(150);
    let detail = f.service_detail(&api).await;
    let Ok(detail) = detail else { panic!("{detail:?}") };
    let healthy: Vec<_> =
        detail.tasks.iter().filter(|t| t.last_status == "RUNNING" && t.health == TaskHealth::Healthy).collect();
    assert_eq!(healthy.len(), 2, "{:?}", detail.tasks);
    assert!(healthy.iter().all(|t| t.started_at.is_some_and(|s| s > restored_at)));
    assert!(detail.events.iter().any(|e| e.at > restored_at && e.message.ends_with("has reached a steady state.")));
    let snap = f.snapshot(&api).await;
    assert!(matches!(snap, Ok(Snapshot::Service(s)) if s.scaling.is_some_and(|t| (t.min, t.max) == (1, 4))));
    clock.advance(120);
    let m = f.service_metrics(std::slice::from_ref(&api)).await.unwrap_or_default();
    assert!(m[&api].cpu.latest().is_some());
}
