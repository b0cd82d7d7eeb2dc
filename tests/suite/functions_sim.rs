//! GARMAX AI's Lambda functions and the models behind the endpoints on the simulated fleet,
//! through the Backend trait and the action path, with a manual clock: the list and its filters,
//! the lambda-throttle story (throttles, a backed-up queue, alarms) and its fix, test invocations
//! (answered, failing, throttled), and the registry package and drift of prediction-endpoint.

use crate::demo;

use chrono::{DateTime, TimeZone, Utc};
use demo::Demo;
use opsdeck::backend::{Backend, BackendError};
use opsdeck::domain::{
    Address, AlarmState, FunctionFilter, FunctionMetrics, InvokeResponse, LogQuery, MetricId, MetricQuery,
    QueryRequest, QueryStatus,
};
use opsdeck::ops::grammar::{intent_of, parse_line};
use opsdeck::ops::{confirm, execute, plan, Answer, Executed, OpError};
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};
use std::sync::Arc;

const TRYON: &str = "GarmaxAi-TryonProcessor-PROD";
const QUEUE: &str = "garmax-tryon-queue";
const THROTTLES: &str = "GarmaxAI-TryonThrottles-PROD";
const BACKLOG: &str = "GarmaxAI-TryonQueueBacklog-PROD";
const DURATION: &str = "GarmaxAI-LambdaDuration-PROD";

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 13, 30, 0).single().unwrap()
}

fn fleet(scenario: &str) -> (Arc<SimFleet>, ManualClock, Demo) {
    let clock = ManualClock::new();
    let options =
        SimOptions { seed: 7, scenario: scenario.into(), start: start(), clock: SimClock::Manual(clock.clone()) };
    let f = Arc::new(SimFleet::new(options).unwrap());
    let demo = Demo::on(f.clone(), false);
    (f, clock, demo)
}

/// Plans, confirms (--yes) and executes one command line, as `opsdeck VERB ... --yes` does.
async fn act(f: &SimFleet, demo: &Demo, line: &str) -> Result<Executed, OpError> {
    let verb = parse_line(line).map_err(OpError::BadInput)?;
    let intent = intent_of(&verb, &demo.settings).map_err(OpError::BadInput)?.expect("a mutating verb");
    let planned = plan(f, intent).await?;
    execute(f, &demo.ops, confirm(planned, &Answer::AssumeYes, false)?).await
}

/// Invokes the try-on processor with `event`; its answer.
async fn invoke(f: &SimFleet, demo: &Demo, event: &str, extra: &str) -> Result<InvokeResponse, OpError> {
    let path = demo.dir.path().join("event.json");
    std::fs::write(&path, event).unwrap();
    let executed = act(f, demo, &format!("invoke lambda:{TRYON} --payload {} {extra}", path.display())).await?;
    Ok(executed.receipts.iter().find_map(|r| r.response.clone()).expect("an answer"))
}

async fn tryon_metrics(f: &SimFleet) -> FunctionMetrics {
    let functions = f.functions(&FunctionFilter::default()).await.unwrap();
    f.function_metrics(&functions).await.unwrap().remove(TRYON).expect("try-on metrics")
}

async fn state(f: &SimFleet, alarm: &str) -> AlarmState {
    f.alarms().await.unwrap().into_iter().find(|a| a.name == alarm).map(|a| a.state).expect(alarm)
}

/// Advances in 5-minute steps, as a console polling the fleet would.
async fn advance(f: &SimFleet, clock: &ManualClock, minutes: i64) {
    for _ in 0..minutes / 5 {
        clock.advance(300);
        f.alarms().await.unwrap();
    }
}

#[tokio::test]
async fn functions_are_listed_filtered_and_described_with_metrics_and_logs() {
    let (f, clock, _demo) = fleet("calm");
    let all = f.functions(&FunctionFilter::default()).await.unwrap();
    let names: Vec<&str> = all.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, [TRYON, "GarmaxAi-AiRenderProcessor-PROD", "GarmaxAi-BillingProcessor-PROD"]);
    let tryon = &all[0];
    assert_eq!((tryon.reserved_concurrency, tryon.runtime.as_deref()), (Some(10), Some("nodejs20.x")));
    assert_eq!((tryon.memory_mb, tryon.timeout_secs), (Some(2048), Some(300)));
    assert_eq!(tryon.queues().collect::<Vec<_>>(), [QUEUE]);
    assert_eq!(tryon.event_sources[0].source_arn, format!("arn:aws:sqs:us-east-1:491203587216:{QUEUE}"));
    assert_eq!(tryon.log_group, format!("/aws/lambda/{TRYON}"));
    assert_eq!(all[1].reserved_text(), "none set");

    let tagged = FunctionFilter { prefixes: vec![], tags: vec![("system".into(), "garmax-ai".into())] };
    assert_eq!(f.functions(&tagged).await.unwrap().len(), 3);
    let elsewhere = FunctionFilter { prefixes: vec![], tags: vec![("system".into(), "svg-ai".into())] };
    assert!(f.functions(&elsewhere).await.unwrap().is_empty());
    let prefixed = FunctionFilter { prefixes: vec!["GarmaxAi-Tryon".into()], tags: vec![] };
    assert_eq!(f.functions(&prefixed).await.unwrap().len(), 1);

    let detail = f.function_detail(TRYON).await.unwrap();
    assert_eq!(
        detail.arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:491203587216:function:GarmaxAi-TryonProcessor-PROD")
    );
    assert!(detail.environment.iter().any(|e| e == "SMPL_SERVICE_URL"));
    assert!(detail.environment.iter().all(|e| !e.contains('=')), "names only");
    assert_eq!(detail.aliases[0].describe(), "live -> 7 (90%), 8 (10%)");
    assert!(matches!(f.function_detail("nope").await, Err(BackendError::NotFound(_))));

    let m = tryon_metrics(&f).await;
    assert_eq!(m.invocations.points.len(), 60, "an hour, a point a minute");
    assert!(m.throttles.points.iter().flatten().all(|t| *t == 0.0));
    assert!(m.invocations.points.iter().flatten().sum::<f64>() > 100.0);
    assert!(m.concurrent.points.iter().flatten().all(|c| *c <= 10.0));
    assert!(m.queue_depth[QUEUE].points.iter().flatten().all(|q| *q < 20.0));

    let logs = f.log_events(&tryon.log_group, LogQuery::Tail { limit: 500 }).await.unwrap();
    for prefix in ["START RequestId: ", "END RequestId: ", "REPORT RequestId: "] {
        assert!(logs.events.iter().any(|e| e.message.starts_with(prefix)), "{prefix}");
    }
    // Logs Insights over the function's group, as the GARMAX guide queries it.
    let now = f.now();
    let request = QueryRequest {
        groups: vec![tryon.log_group.clone()],
        query: "filter @message like /REPORT/ | stats count(*) as runs".into(),
        start: now - chrono::Duration::minutes(30),
        end: now,
    };
    let id = f.start_query(&request).await.unwrap();
    clock.advance(10);
    let results = f.query_results(&id).await.unwrap();
    assert_eq!(results.status, QueryStatus::Complete);
    let runs: f64 = results.rows[0].iter().find(|(k, _)| k == "runs").unwrap().1.parse().unwrap();
    let counted: f64 = m.invocations.points.iter().rev().skip(1).take(29).flatten().sum();
    assert!(runs >= counted, "every counted invocation wrote its REPORT line: {runs} < {counted}");
}

#[tokio::test]
async fn lambda_throttle_throttles_backs_up_the_queue_and_fires_the_alarms() {
    let (f, clock, _demo) = fleet("lambda-throttle");
    let (calm, calm_clock, _d) = fleet("calm");
    assert_eq!(state(&f, THROTTLES).await, AlarmState::Ok);
    advance(&f, &clock, 10).await;
    advance(&calm, &calm_clock, 10).await;

    let m = tryon_metrics(&f).await;
    assert!(m.throttles.latest().unwrap() > 10.0, "{:?}", m.throttles);
    assert_eq!(m.concurrent.points.iter().flatten().fold(0.0, |a: f64, b| a.max(*b)), 10.0, "capped at reserved");
    let depth = &m.queue_depth[QUEUE].points;
    let (earlier, latest) = (depth[depth.len() - 5].unwrap(), depth[depth.len() - 1].unwrap());
    assert!(latest > 1000.0 && latest > earlier, "the queue backs up: {earlier} -> {latest}");
    assert!(m.duration_p50_ms.latest().unwrap() > 30_000.0, "full batches run long");

    let alarms = f.alarms().await.unwrap();
    for name in [THROTTLES, BACKLOG, DURATION] {
        let a = alarms.iter().find(|a| a.name == name).expect(name);
        assert_eq!(a.state, AlarmState::Alarm, "{name}: {}", a.reason);
    }
    let throttles = alarms.iter().find(|a| a.name == THROTTLES).unwrap();
    assert_eq!(throttles.watches, Some(Address::function(TRYON)));
    let rule = throttles.rule.clone().unwrap();
    assert_eq!(rule.metric, Some(MetricId::new("AWS/Lambda", "Throttles", &[("FunctionName", TRYON)])));
    let backlog = alarms.iter().find(|a| a.name == BACKLOG).unwrap().rule.clone().unwrap();
    let queue_metric = MetricId::new("AWS/SQS", "ApproximateNumberOfMessagesVisible", &[("QueueName", QUEUE)]);
    assert_eq!(backlog.metric, Some(queue_metric.clone()));
    let history = f.alarm_history(THROTTLES, start(), f.now()).await.unwrap();
    assert!(history.iter().any(|t| t.from == AlarmState::Ok && t.to == AlarmState::Alarm), "{history:?}");

    // The chart reads the very numbers function_metrics gives.
    let query = |id: &str, metric: MetricId, stat: &str| MetricQuery {
        id: id.into(),
        metric,
        stat: stat.into(),
        period_secs: 60,
        label: None,
    };
    let queries = [
        query("t", MetricId::new("AWS/Lambda", "Throttles", &[("FunctionName", TRYON)]), "Sum"),
        query("q", queue_metric, "Average"),
        query("d", MetricId::new("AWS/Lambda", "Duration", &[("FunctionName", TRYON)]), "p99"),
    ];
    let series = f.metric_data(&queries, f.now() - chrono::Duration::minutes(10), f.now()).await.unwrap();
    let last = |i: usize| series[i].points.last().map(|p| p.1);
    assert_eq!(last(0), m.throttles.latest());
    assert_eq!(last(1), m.queue_depth[QUEUE].latest());
    assert_eq!(last(2), m.duration_p99_ms.latest());

    // The calm fleet at the same moment: nothing of the kind.
    for name in [THROTTLES, BACKLOG, DURATION] {
        assert_eq!(state(&calm, name).await, AlarmState::Ok, "{name} in calm");
    }
}

#[tokio::test]
async fn raising_reserved_concurrency_drains_the_queue_and_the_alarms_return_to_ok() {
    let (f, clock, demo) = fleet("lambda-throttle");
    let (unfixed, unfixed_clock, _d) = fleet("lambda-throttle");
    advance(&f, &clock, 10).await;
    advance(&unfixed, &unfixed_clock, 10).await;
    assert_eq!(state(&f, THROTTLES).await, AlarmState::Alarm);
    act(&f, &demo, &format!("concurrency lambda:{TRYON} 30")).await.unwrap();
    let functions = f.functions(&FunctionFilter::default()).await.unwrap();
    assert_eq!(functions[0].reserved_concurrency, Some(30));

    advance(&f, &clock, 5).await;
    let m = tryon_metrics(&f).await;
    assert_eq!(m.throttles.latest(), Some(0.0), "throttles stop once demand fits");
    advance(&f, &clock, 25).await;
    advance(&unfixed, &unfixed_clock, 30).await;
    let m = tryon_metrics(&f).await;
    assert!(m.throttles.points.iter().rev().take(20).flatten().all(|t| *t == 0.0));
    assert!(m.queue_depth[QUEUE].latest().unwrap() < 100.0, "drained: {:?}", m.queue_depth[QUEUE].latest());
    assert!(m.concurrent.points.iter().flatten().any(|c| *c > 10.0), "ran above the old cap");
    for name in [THROTTLES, BACKLOG, DURATION] {
        assert_eq!(state(&f, name).await, AlarmState::Ok, "{name} after the fix");
        assert_eq!(state(&unfixed, name).await, AlarmState::Alarm, "{name} without the fix");
    }
}

#[tokio::test]
async fn a_test_invocation_answers_fails_on_a_bad_event_and_is_throttled_at_the_cap() {
    let (f, clock, demo) = fleet("calm");
    clock.advance(30);
    let ok =
        invoke(&f, &demo, r#"{"imageUrl":"https://cdn.example.com/shirt.png"}"#, "--qualifier live").await.unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(ok.function_error, None);
    assert!(matches!(ok.executed_version.as_deref(), Some("7" | "8")), "{:?}", ok.executed_version);
    let body: serde_json::Value = serde_json::from_slice(&ok.body).unwrap();
    assert_eq!(body["statusCode"], 200);
    let tail = ok.log_tail.clone().unwrap();
    assert!(tail.starts_with("START RequestId: ") && tail.contains("REPORT RequestId: "), "{tail}");
    let id = tail.split_whitespace().nth(2).unwrap().to_string();
    let logs = f.log_events(&format!("/aws/lambda/{TRYON}"), LogQuery::Tail { limit: 200 }).await.unwrap();
    assert!(logs.events.iter().any(|e| e.message == format!("END RequestId: {id}")), "the run is in the log group");

    let latest = invoke(&f, &demo, "{}", "").await.unwrap();
    assert_eq!(latest.executed_version.as_deref(), Some("$LATEST"));

    for bad in [r#"{"fail": true}"#, r#"{"imageUrl":"ftp://nowhere/shirt.png"}"#] {
        let failed = invoke(&f, &demo, bad, "").await.unwrap();
        assert_eq!((failed.status, failed.function_error.as_deref()), (200, Some("Unhandled")), "{bad}");
        let error: serde_json::Value = serde_json::from_slice(&failed.body).unwrap();
        assert!(error["errorMessage"].as_str().unwrap().starts_with("Invalid image URL"), "{error}");
        assert!(failed.log_tail.unwrap().contains("\tERROR\tInvoke Error"));
    }

    // Reserved 0: the plan refuses before anything is sent (the backend would only throttle).
    act(&f, &demo, &format!("concurrency lambda:{TRYON} 0")).await.unwrap();
    let refused = invoke(&f, &demo, "{}", "").await;
    assert!(matches!(refused, Err(OpError::Refused(_))), "{refused:?}");

    // At the cap in lambda-throttle: Lambda answers TooManyRequestsException.
    let (t, t_clock, t_demo) = fleet("lambda-throttle");
    t_clock.advance(300);
    let throttled = invoke(&t, &t_demo, "{}", "").await;
    match throttled {
        Err(OpError::Backend(BackendError::Throttled { api })) => assert!(api.contains("TooManyRequestsException")),
        other => panic!("expected a throttle, got {other:?}"),
    }
}

#[tokio::test]
async fn endpoint_models_report_the_package_a_newer_approval_and_drift_only_in_model_drift() {
    let (f, _clock, _demo) = fleet("calm");
    let models = f.endpoint_models("prediction-endpoint").await.unwrap();
    let v1 = models.variants.iter().find(|v| v.variant == "model-v1").unwrap();
    let c = &v1.containers[0];
    let package = c.package.clone().unwrap();
    assert_eq!((package.group.as_deref(), package.version), (Some("prediction-models"), Some(3)));
    assert_eq!(package.approval, "Approved");
    assert!(package.approved_at.is_some_and(|t| t < start() - chrono::Duration::days(30)));
    assert!(c.image.as_deref().is_some_and(|i| i.contains(".dkr.ecr.us-east-1.amazonaws.com/")));
    assert!(c.model_data_url.as_deref().is_some_and(|u| u.starts_with("s3://") && u.ends_with("model.tar.gz")));
    let newer = c.newer_approved.clone().unwrap();
    assert!(newer.version.is_some_and(|v| v > 3) && newer.approval == "Approved");
    let latest = models.monitoring[0].latest().unwrap();
    assert_eq!(latest.status, "Completed");
    assert!(latest.scheduled.is_some_and(|t| t < start()));
    assert!(!models.drift());

    let plain = f.endpoint_models("cleanistic-property-detector-endpoint").await.unwrap();
    assert!(plain.variants[0].containers[0].package.is_none() && plain.monitoring.is_empty());
    assert!(matches!(f.endpoint_models("nope").await, Err(BackendError::NotFound(_))));

    let (drifting, _c, _d) = fleet("model-drift");
    let models = drifting.endpoint_models("prediction-endpoint").await.unwrap();
    assert!(models.drift());
    let latest = models.monitoring[0].latest().unwrap();
    assert_eq!(latest.status, "CompletedWithViolations");
    assert!(latest
        .report
        .as_deref()
        .is_some_and(|r| r.starts_with("s3://") && r.ends_with("constraint_violations.json")));
}
