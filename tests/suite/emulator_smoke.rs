//! The emulator harness itself, end to end, without opsdeck's AWS code: moto behind the CloudWatch bridge, the seed
//! fleet, fault injection, call counting, and the real aws-sdk-cloudwatch speaking rpc-v2-cbor through the bridge.

use crate::emulator;

use aws_sdk_cloudwatch::error::ProvideErrorMetadata;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat, StateValue};
use emulator::Emulator;
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ECS: &str = "AmazonEC2ContainerServiceV20141113";

async fn cloudwatch(emu: &Emulator) -> aws_sdk_cloudwatch::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&emu.endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_cloudwatch::config::Credentials::new("test", "test", None, None, "test"))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
        .load()
        .await;
    aws_sdk_cloudwatch::Client::new(&config)
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn cpu_query(id: &str, cluster: &str, service: &str) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace("AWS/ECS")
        .metric_name("CPUUtilization")
        .dimensions(Dimension::builder().name("ClusterName").value(cluster).build())
        .dimensions(Dimension::builder().name("ServiceName").value(service).build())
        .build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(MetricStat::builder().metric(metric).period(60).stat("Average").build())
        .build()
}

#[test]
fn ecs_calls_pass_through_the_bridge_and_are_counted() {
    let emu = Emulator::start();
    eprintln!("emulator started in {:?}", emu.startup);
    let t = Instant::now();
    let summary: Value = serde_json::from_str(&emu.seed()).unwrap();
    eprintln!("seeded in {:?}: {summary}", t.elapsed());
    assert_eq!(summary["clusters"], 5);
    emu.clear_calls();

    let (status, body) = emu.aws_json("ecs", &format!("{ECS}.ListClusters"), "{}");
    assert_eq!(status, 200, "{body}");
    let arns: Value = serde_json::from_str(&body).unwrap();
    let mut names: Vec<&str> = arns["clusterArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "children-drawing-prod-cluster",
            "cleanistic-ai-cluster",
            "garmaxai-cluster-prod",
            "prediction-app-cluster",
            "svg-ai-cluster"
        ]
    );

    let body = r#"{"cluster":"cleanistic-ai-cluster","services":["cleanistic-ai-api"]}"#;
    let (status, text) = emu.aws_json("ecs", &format!("{ECS}.DescribeServices"), body);
    assert_eq!(status, 200, "{text}");
    let services: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(services["services"][0]["desiredCount"], 2);
    assert_eq!(services["services"][0]["runningCount"], 1, "MOTO_ECS_SERVICE_RUNNING=1");

    let calls = emu.calls();
    assert_eq!(calls.get("ecs:ListClusters"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("ecs:DescribeServices"), Some(&1), "{calls:?}");
    assert_eq!(calls.len(), 2, "{calls:?}");
    emu.clear_calls();
    assert!(emu.calls().is_empty());

    // reset wipes moto, and the scale fleet is there afterwards.
    emu.reset();
    let summary: Value = serde_json::from_str(&emu.scale(3, 25, 3)).unwrap();
    assert_eq!(summary["services"], 25);
    let (_, text) = emu.aws_json("ecs", &format!("{ECS}.ListClusters"), "{}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["clusterArns"].as_array().unwrap().len(), 3);
}

#[test]
fn cbor_requests_are_translated_for_moto() {
    let emu = Emulator::shared();
    let out: Value = serde_json::from_str(&emu.run_python("check_bridge.py", &[&emu.endpoint, "describe-alarms"]))
        .unwrap_or_else(|e| panic!("{e}\n{}", emu.logs()));
    assert_eq!(out["status"], 200);
    assert_eq!(out["alarms"].as_object().unwrap().len(), 5, "{out}");
    assert_eq!(out["alarms"]["CleanisticAI-HighErrorRate"], "ALARM");
    assert_eq!(out["alarms"]["svg-ai-high-cpu"], "OK");
    assert!(out["reasons"]["CleanisticAI-HighErrorRate"].as_str().unwrap().contains("Threshold Crossed"));

    let args = [emu.endpoint.as_str(), "get-metric-data", "cleanistic-ai-cluster", "cleanistic-ai-api"];
    let out: Value = serde_json::from_str(&emu.run_python("check_bridge.py", &args)).unwrap();
    assert_eq!(out["points"], 30, "{out}");

    let out: Value =
        serde_json::from_str(&emu.run_python("check_bridge.py", &[&emu.endpoint, "set-alarm-state-missing"])).unwrap();
    assert_eq!(out["status"], 404, "{out}");
    assert!(out["type"].as_str().unwrap().ends_with("ResourceNotFound"), "{out}");
}

#[test]
fn faults_are_served_then_cleared_and_delays_forward() {
    let emu = Emulator::start();
    let describe = format!("{ECS}.DescribeServices");
    let body = r#"{"cluster":"nope","services":["x"]}"#;
    emu.fault(
        r#"{"operation":"DescribeServices","status":400,
            "body":{"__type":"ThrottlingException","message":"Rate exceeded"},"times":2}"#,
    );
    for _ in 0..2 {
        let (status, text) = emu.aws_json("ecs", &describe, body);
        assert_eq!(status, 400);
        assert!(text.contains("ThrottlingException") && text.contains("Rate exceeded"), "{text}");
    }
    // Used up: the third call reaches moto, which knows no such cluster.
    let (status, text) = emu.aws_json("ecs", &describe, body);
    assert!(!text.contains("ThrottlingException"), "{status} {text}");

    // A fault for another service does not match; clear_faults drops pending ones.
    emu.fault(r#"{"operation":"DescribeServices","service":"logs","status":500,"body":{},"times":1}"#);
    emu.fault(r#"{"operation":"ListClusters","status":503,"body":{"__type":"ServiceUnavailable"},"times":9}"#);
    let (status, _) = emu.aws_json("ecs", &describe, body);
    assert_ne!(status, 500);
    emu.clear_faults();
    let (status, text) = emu.aws_json("ecs", &format!("{ECS}.ListClusters"), "{}");
    assert_eq!(status, 200, "{text}");

    // delay_ms without a status: sleep, then forward.
    emu.fault(r#"{"operation":"ListClusters","delay_ms":400}"#);
    let t = Instant::now();
    let (status, _) = emu.aws_json("ecs", &format!("{ECS}.ListClusters"), "{}");
    assert_eq!(status, 200);
    assert!(t.elapsed() >= Duration::from_millis(400));

    let calls = emu.calls();
    assert_eq!(calls.get("ecs:DescribeServices"), Some(&4), "faulted calls count too: {calls:?}");
    assert_eq!(calls.get("ecs:ListClusters"), Some(&2), "{calls:?}");
}

#[tokio::test]
async fn the_rust_sdk_reads_alarms_and_metrics_through_the_bridge() {
    let emu = Emulator::shared();
    let cw = cloudwatch(emu).await;

    let out = cw.describe_alarms().max_records(100).send().await.unwrap_or_else(|e| panic!("{e:?}\n{}", emu.logs()));
    let alarms = out.metric_alarms();
    assert_eq!(alarms.len(), 5);
    let high = alarms.iter().find(|a| a.alarm_name() == Some("CleanisticAI-HighErrorRate")).unwrap();
    assert_eq!(high.state_value(), Some(&StateValue::Alarm));
    assert!(high.state_reason().unwrap().starts_with("Threshold Crossed"));
    assert_eq!(high.threshold(), Some(5.0));
    let updated = high.state_updated_timestamp().unwrap().secs();
    assert!((now_secs() - updated).abs() < 3600, "StateUpdatedTimestamp {updated}");
    let dims: Vec<_> = high.dimensions().iter().map(|d| d.name().unwrap()).collect();
    assert_eq!(dims, ["EndpointName", "VariantName"]);

    let ok = cw.describe_alarms().state_value(StateValue::Ok).send().await.unwrap();
    assert!(ok.metric_alarms().iter().all(|a| a.state_value() == Some(&StateValue::Ok)));
    assert_eq!(ok.metric_alarms().len(), 2);

    let now = now_secs();
    let out = cw
        .get_metric_data()
        .start_time(DateTime::from_secs(now - 3 * 3600))
        .end_time(DateTime::from_secs(now + 300))
        .metric_data_queries(cpu_query("api", "cleanistic-ai-cluster", "cleanistic-ai-api"))
        .metric_data_queries(cpu_query("svg", "svg-ai-cluster", "svg-ai-service"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n{}", emu.logs()));
    let results = out.metric_data_results();
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(r.values().len(), 30, "{r:?}");
        assert_eq!(r.timestamps().len(), 30);
        assert!(r.timestamps().iter().all(|t| (now - t.secs()).abs() < 3 * 3600));
    }
    let api = results.iter().find(|r| r.id() == Some("api")).unwrap();
    assert!(api.values().iter().all(|v| (42.0..=48.0).contains(v)), "{:?}", api.values());

    let err = cw.set_alarm_state().alarm_name("no-such").state_value(StateValue::Ok).state_reason("x").send().await;
    assert_eq!(err.unwrap_err().code(), Some("ResourceNotFound"));
}

#[tokio::test]
async fn the_rust_sdk_writes_metrics_and_sees_cbor_faults() {
    let emu = Emulator::start();
    let cw = cloudwatch(&emu).await;
    let now = now_secs() / 60 * 60;
    // 300 datums make a body over the SDK's 10 KiB request-compression threshold: the bridge must gunzip.
    let datums: Vec<MetricDatum> = (0..300)
        .map(|i| {
            MetricDatum::builder()
                .metric_name("CPUUtilization")
                .dimensions(Dimension::builder().name("ClusterName").value("c1").build())
                .dimensions(Dimension::builder().name("ServiceName").value("s1").build())
                .timestamp(DateTime::from_secs(now - 60 * (i % 60) - 60))
                .value(10.0)
                .build()
        })
        .collect();
    cw.put_metric_data()
        .namespace("AWS/ECS")
        .set_metric_data(Some(datums))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n{}", emu.logs()));
    let out = cw
        .get_metric_data()
        .start_time(DateTime::from_secs(now - 7200))
        .end_time(DateTime::from_secs(now + 60))
        .metric_data_queries(cpu_query("m", "c1", "s1"))
        .send()
        .await
        .unwrap();
    let values = out.metric_data_results()[0].values();
    assert_eq!(values.len(), 60, "{values:?}");
    assert!(values.iter().all(|v| *v == 10.0));

    emu.fault(
        r#"{"operation":"DescribeAlarms","status":400,"body":{"__type":"Throttling","message":"Rate exceeded"}}"#,
    );
    let err = cw.describe_alarms().send().await.unwrap_err();
    assert_eq!(err.code(), Some("Throttling"), "{err:?}");
    assert_eq!(err.message(), Some("Rate exceeded"));
    assert!(cw.describe_alarms().send().await.unwrap().metric_alarms().is_empty());

    let calls = emu.calls();
    assert_eq!(calls.get("monitoring:PutMetricData"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("monitoring:GetMetricData"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("monitoring:DescribeAlarms"), Some(&2), "{calls:?}");
}
