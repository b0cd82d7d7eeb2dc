//! The scenario stories, checked through the Backend trait with a manual clock.

use super::tests::{alarm, fleet, fleet_at, start, CLEANISTIC};
use super::*;
use crate::domain::{AlarmState, RolloutState};

async fn check_bad_deploy(start: DateTime<Utc>, seed: u64) {
    let (f, clock) = fleet_at(seed, "bad-deploy", start);
    clock.advance(180);
    let addr = Address::ecs(CLEANISTIC.0, CLEANISTIC.1);
    let services = f.services().await.unwrap_or_default();
    let api = services.iter().find(|s| s.address() == addr).cloned();
    let Some(api) = api else { panic!("no cleanistic-ai-api") };
    assert_eq!(api.rollout, RolloutState::Failed, "seed {seed}");
    assert_eq!(api.task_definition.revision, 15);
    assert_eq!(api.deployments.len(), 2);
    assert_eq!(api.deployments[0].status, "PRIMARY");
    assert!(api.deployments[0].failed >= 3);
    assert_eq!(api.deployments[1].status, "ACTIVE");
    // The old revision keeps serving (a background replacement may be under way).
    assert_eq!(api.deployments[1].desired, 2);
    assert!(api.deployments[1].running >= 1);
    let detail = f.service_detail(&addr).await;
    let Ok(detail) = detail else { panic!("detail") };
    let stopped: Vec<_> =
        detail.tasks.iter().filter(|t| t.task_definition.revision == 15 && t.stopped_reason.is_some()).collect();
    assert!(stopped.len() >= 3);
    assert!(detail.events.iter().any(|e| e.message.contains("deployment failed: tasks failed to start.")));
    let alarms = f.alarms().await.unwrap_or_default();
    let a = alarm(&alarms, "CleanisticAI-HighErrorRate");
    assert_eq!(a.state, AlarmState::Alarm, "seed {seed}: {}", a.reason);
    assert!(a.state_since > start && a.reason.starts_with("Threshold Crossed"));
    let logs = f.log_events("/ecs/cleanistic-ai", LogQuery::Since { from: start, limit: 5000 }).await;
    let Ok(logs) = logs else { panic!("logs") };
    assert!(logs.events.iter().any(|e| e.message.starts_with("Traceback")));
    assert!(logs.events.iter().any(|e| e.message == "KeyError: 'MODEL_PATH'"));
    assert!(logs.events.iter().any(|e| e.message.contains("\"status\":50")));
    // The rest of the fleet stays calm.
    assert_eq!(alarms.iter().filter(|a| a.state == AlarmState::Alarm).count(), 1);
}

#[tokio::test]
async fn bad_deploy_fails_rollout_and_fires_alarm() {
    check_bad_deploy(start(3, 4, 0), 42).await;
    // Worst case for minute alignment: the deploy lands just after a boundary.
    for seed in 1..6 {
        check_bad_deploy(start(3, 4, 41), seed).await;
    }
}

#[tokio::test]
async fn latency_spike_fires_model_latency_alarm() {
    for (seed, s) in [(42, start(3, 4, 0)), (5, start(3, 4, 31)), (6, start(3, 4, 59))] {
        let (f, clock) = fleet_at(seed, "latency-spike", s);
        clock.advance(180);
        let alarms = f.alarms().await.unwrap_or_default();
        let a = alarm(&alarms, "prediction-endpoint-ModelLatency-high");
        assert_eq!(a.state, AlarmState::Alarm, "{}", a.reason);
        assert_eq!(a.watches, Some("sm:prediction-endpoint/model-v1".parse().unwrap()));
        let m = f.endpoint_metrics(&["prediction-endpoint".to_string()]).await.unwrap_or_default();
        let v1 = m.get("prediction-endpoint").and_then(|v| v.get("model-v1"));
        let p99 = v1.and_then(|v| v.latency_p99_us.latest()).unwrap_or(0.0);
        assert!(p99 > 1_000_000.0, "p99 {p99}");
        let v2 = m.get("prediction-endpoint").and_then(|v| v.get("model-v2"));
        assert!(v2.and_then(|v| v.latency_p99_us.latest()).unwrap_or(f64::MAX) < 1_000_000.0);
        let logs = f.log_events("/aws/sagemaker/Endpoints/prediction-endpoint", LogQuery::Tail { limit: 2000 }).await;
        let Ok(logs) = logs else { panic!("logs") };
        assert!(logs.events.iter().any(|e| e.message.contains("WORKER TIMEOUT")));
    }
}

#[tokio::test]
async fn calm_fleet_never_alarms() {
    let (f, clock) = fleet(11, "calm");
    for _ in 0..12 {
        clock.advance(600);
        let alarms = f.alarms().await.unwrap_or_default();
        assert_eq!(alarms.len(), 17);
        for a in &alarms {
            let expected =
                if a.name == "GarmaxAI-QueueDepth-PROD" { AlarmState::InsufficientData } else { AlarmState::Ok };
            assert_eq!(a.state, expected, "{}: {}", a.name, a.reason);
        }
    }
    let services = f.services().await.unwrap_or_default();
    assert_eq!(services.len(), 6);
    assert!(services.iter().all(|s| s.rollout == RolloutState::Completed));
}
