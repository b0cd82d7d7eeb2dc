//! The why verbs through the CLI's code on the simulated fleet: `opsdeck query` over the fleet's
//! logs (table, CSV, JSON; a refused query changes nothing), `opsdeck metric` with gaps for
//! minutes without data, and a runbook whose step is a query, recorded on the incident timeline.

use crate::demo;

use demo::{fleet, Demo};
use opsdeck::backend::Backend;
use opsdeck::domain::AlarmState;
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};
use std::sync::Arc;

#[tokio::test]
async fn query_answers_over_the_fleet_logs_in_each_output_format() {
    // Time moves only by hand, a minute at a time until the alarm fires, then stands still: on a
    // loaded machine a wall clock at 60x ran past the rollback and out of the 30-minute window.
    let clock = ManualClock::new();
    let start = chrono::Utc::now();
    let options = SimOptions { seed: 7, scenario: "bad-deploy".into(), start, clock: SimClock::Manual(clock.clone()) };
    let fleet: Arc<dyn Backend> = Arc::new(SimFleet::new(options).unwrap());
    let demo = Demo::on(fleet.clone(), false);
    for _ in 0..60 {
        let alarms = fleet.alarms().await.unwrap();
        if alarms.iter().any(|a| a.name == "CleanisticAI-HighErrorRate" && a.state == AlarmState::Alarm) {
            break;
        }
        clock.advance(60);
    }
    let (code, out, err) = demo.run("wait --alarm CleanisticAI-HighErrorRate --state ALARM --timeout 1m").await;
    assert_eq!(code, 0, "the alarm fired within an hour of the bad deploy: {out}\n{err}");
    let line = "query --group /ecs/cleanistic-ai --since 30m 'filter @message like /KeyError/ | stats count(*) as errors by bin(5m)'";
    let (code, out, err) = demo.run(line).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().next().is_some_and(|h| h.starts_with("bin(5m)") && h.contains("errors")), "{out}");
    assert!(out.lines().count() >= 2, "at least one bin: {out}");
    assert!(err.contains("records matched"), "the statistics go to stderr: {err}");

    let (code, csv, _) = demo.run(&format!("{line} --output csv")).await;
    assert_eq!(code, 0);
    assert_eq!(csv.lines().next(), Some("bin(5m),errors"), "{csv}");
    let (code, json, _) = demo.run(&format!("{line} --output json")).await;
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &rows.as_array().unwrap()[0];
    assert!(first["errors"].as_str().unwrap().parse::<u64>().unwrap() > 0, "{json}");

    // A query the language does not have: refused with where, nothing started.
    let (code, out, err) = demo.run("query --group /ecs/cleanistic-ai 'fields @message | sortt @timestamp'").await;
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("sortt"), "{err}");
    let (code, _, err) = demo.run("query --group /ecs/no-such-group 'fields @message'").await;
    assert_ne!(code, 0);
    assert!(err.contains("/ecs/no-such-group"), "{err}");
}

#[tokio::test]
async fn metric_prints_a_row_per_period_and_a_dash_where_there_is_no_datapoint() {
    let demo = Demo::on(fleet("calm"), false);
    let line = "metric AWS/ECS CPUUtilization --dim ClusterName=prediction-app-cluster --dim ServiceName=backend-service --since 30m";
    let (code, out, err) = demo.run(line).await;
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert!((30..=31).contains(&rows.len()), "a row per minute: {out}");
    let values: Vec<f64> = rows.iter().filter_map(|r| r.split_whitespace().last()?.parse().ok()).collect();
    assert!(values.len() >= 25 && values.iter().all(|v| (0.0..=100.0).contains(v)), "{out}");
    // A metric nobody publishes: every period is a gap, never a zero.
    let (code, out, _) =
        demo.run("metric AWS/ECS CPUUtilization --dim ClusterName=nope --dim ServiceName=nope --since 10m").await;
    assert_eq!(code, 0);
    assert!(out.lines().skip(1).all(|r| r.trim_end().ends_with('-')), "{out}");
    let refused = opsdeck::ops::grammar::parse_line("metric AWS/ECS CPUUtilization --period 61").unwrap_err();
    assert!(refused.contains("a multiple of 60 seconds"), "{refused}");
}

#[tokio::test]
async fn a_runbook_step_can_be_a_query_and_it_lands_on_the_incident_timeline() {
    let demo = Demo::on(fleet("bad-deploy"), false);
    let (code, _, err) = demo.run("incident start drill-why").await;
    assert_eq!(code, 0, "{err}");
    let path = demo.dir.path().join("why.md");
    std::fs::write(
        &path,
        "# Why\n\n## 1. Count the errors\n```opsdeck\nquery --group /ecs/cleanistic-ai --since 15m 'stats count(*) as lines by bin(1m)'\n```\n",
    )
    .unwrap();
    let (code, out, err) = demo.run(&format!("runbook check {}", path.display())).await;
    assert_eq!(code, 0, "a query is a step a runbook may have: {out}\n{err}");
    let (code, out, err) = demo.run(&format!("runbook run {} --yes", path.display())).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("bin(1m)"), "the step's rows: {out}");
    let (code, doc, err) = demo.run("incident export").await;
    assert_eq!(code, 0, "{err}");
    assert!(doc.contains("query over /ecs/cleanistic-ai"), "{doc}");
    assert!(doc.contains("stats count(*) as lines by bin(1m)"), "{doc}");
}
