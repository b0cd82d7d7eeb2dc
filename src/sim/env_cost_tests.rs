//! The bill follows what runs: a teardown drops the cost per hour and stops today's cost growing
//! for what was torn down, a restore brings both back, and the world stays a function of (seed,
//! scenario, start, time) and the mutations applied at their seconds.

use super::endpoints::{CREATING_SECS, DELETING_SECS, UPDATING_SECS};
use super::env_tests::{apply, capacities, create, delete, must, DETECTOR, PREDICTION};
use super::tests::{fleet, fleet_at, snapshot, start, CLEANISTIC};
use super::*;
use crate::domain::Mutation;

async fn cost(f: &SimFleet) -> CostReport {
    match f.cost().await {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

fn hourly(r: &CostReport) -> f64 {
    r.hourly.unwrap_or(f64::NAN)
}

fn system(r: &CostReport, name: &str) -> f64 {
    r.by_system.iter().find(|s| s.system == name).map_or(f64::NAN, |s| s.month_to_date)
}

fn service(r: &CostReport, name: &str) -> f64 {
    r.by_service.iter().find(|(s, _)| s == name).map_or(f64::NAN, |(_, v)| *v)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * a.abs().max(1.0)
}

fn scale(count: u32) -> Mutation {
    Mutation::SetDesiredCount { address: Address::ecs(CLEANISTIC.0, CLEANISTIC.1), count }
}

/// Two fleets of the same seed, both advanced: one to act on, one left alone to compare with.
fn twins(seed: u64) -> ((SimFleet, ManualClock), (SimFleet, ManualClock)) {
    (fleet(seed, "calm"), fleet(seed, "calm"))
}

#[tokio::test]
async fn a_teardown_drops_the_cost_per_hour_and_a_restore_brings_it_back() {
    let ((f, clock), (calm, calm_clock)) = twins(31);
    let advance = |secs| {
        clock.advance(secs);
        calm_clock.advance(secs);
    };
    advance(60);
    let (before, untouched) = (cost(&f).await, cost(&calm).await);
    assert_eq!(before, untouched);
    assert!(hourly(&before) > 0.0);
    let day: f64 = before.daily.last().map_or(0.0, |d| d.by_service.iter().map(|(_, v)| v).sum());
    assert!(close(before.today, day));

    must(&f, scale(0));
    must(&f, delete(DETECTOR));
    let only_ecs = hourly(&untouched) - hourly(&cost(&f).await);
    assert!(only_ecs > 0.03 && only_ecs < 0.08, "cleanistic's ECS line is ~1.30/day: {only_ecs}");
    advance(DELETING_SECS);
    let (down, calm_now) = (cost(&f).await, cost(&calm).await);
    let drop = hourly(&calm_now) - hourly(&down);
    assert!(drop > 0.13 && drop < 0.20, "ECS ~1.30 + SageMaker ~2.60 a day: {drop}");

    let gap = |a: &CostReport, b: &CostReport| b.today - a.today;
    let g1 = gap(&down, &calm_now);
    advance(3600);
    let (down, calm_now) = (cost(&f).await, cost(&calm).await);
    assert!(close(gap(&down, &calm_now) - g1, drop), "today stops growing by exactly the rate torn down");
    assert!(close(hourly(&calm_now) - hourly(&down), drop));
    assert!(down.month_to_date < calm_now.month_to_date && down.forecast < calm_now.forecast);
    assert!(system(&down, "cleanistic-ai") < system(&calm_now, "cleanistic-ai"));
    for other in ["svg-ai", "garmax-ai", "children-drawing", "prediction-app"] {
        assert_eq!(system(&down, other), system(&calm_now, other), "{other}");
    }
    for line in ["Amazon SageMaker", "Amazon Elastic Container Service"] {
        assert!(service(&down, line) < service(&calm_now, line), "{line}");
    }
    assert_eq!(
        service(&down, "Amazon Relational Database Service"),
        service(&calm_now, "Amazon Relational Database Service")
    );
    let past = down.daily.len() - 1;
    assert_eq!(down.daily[..past], calm_now.daily[..past], "days before the simulation never change");

    must(&f, scale(2));
    must(&f, create(DETECTOR, "cleanistic-property-detector-endpoint-config"));
    advance(CREATING_SECS);
    let (up, calm_now) = (cost(&f).await, cost(&calm).await);
    assert_eq!(hourly(&up), hourly(&calm_now), "everything runs again");
    let g2 = gap(&up, &calm_now);
    advance(3600);
    let (up, calm_now) = (cost(&f).await, cost(&calm).await);
    assert!(close(gap(&up, &calm_now), g2), "the gap stops growing once restored");
    assert!(up.today > down.today);
}

#[tokio::test]
async fn a_lambda_without_concurrency_stops_its_share_and_a_removed_limit_restores_it() {
    let ((f, clock), (calm, calm_clock)) = twins(32);
    clock.advance(10);
    calm_clock.advance(10);
    let set = |reserved| Mutation::SetFunctionConcurrency { function: "GarmaxAi-TryonProcessor-PROD".into(), reserved };
    let rule = Mutation::SetRuleEnabled { bus: None, rule: "garmaxai-nightly-batch-PROD".into(), enabled: false };
    must(&f, rule);
    assert_eq!(hourly(&cost(&f).await), hourly(&cost(&calm).await), "a rule costs nothing here");
    must(&f, set(Some(0)));
    let drop = hourly(&cost(&calm).await) - hourly(&cost(&f).await);
    assert!(drop > 0.006 && drop < 0.013, "half of garmax's ~0.45/day Lambda line: {drop}");
    must(&f, set(Some(5)));
    assert_eq!(hourly(&cost(&f).await), hourly(&cost(&calm).await), "any limit above 0 runs");
    must(&f, set(Some(0)));
    must(&f, set(None));
    assert_eq!(hourly(&cost(&f).await), hourly(&cost(&calm).await));
}

#[tokio::test]
async fn more_instances_cost_more_once_they_are_in_service() {
    let ((f, clock), (calm, calm_clock)) = twins(33);
    must(&f, capacities(PREDICTION, &[("model-v2", 2, 0.1)]));
    assert_eq!(hourly(&cost(&f).await), hourly(&cost(&calm).await), "new instances bill once InService");
    clock.advance(UPDATING_SECS);
    calm_clock.advance(UPDATING_SECS);
    let rise = hourly(&cost(&f).await) - hourly(&cost(&calm).await);
    // One more xlarge on top of six units' worth: a third of prediction-app's ~3.20/day SageMaker line.
    assert!(rise > 0.035 && rise < 0.055, "{rise}");
}

#[tokio::test]
async fn down_time_across_midnight_is_charged_to_each_day() {
    let at = start(23, 50, 0);
    let (f, clock) = fleet_at(34, "calm", at);
    let (calm, calm_clock) = fleet_at(34, "calm", at);
    clock.advance(300);
    calm_clock.advance(300);
    must(&f, scale(0));
    // The drop in cost per hour is what the service's share of the line costs an hour that day.
    let per_hour_yesterday = hourly(&cost(&calm).await) - hourly(&cost(&f).await);
    clock.advance(900);
    calm_clock.advance(900);
    let (down, untouched) = (cost(&f).await, cost(&calm).await);
    let per_hour_today = hourly(&untouched) - hourly(&down);
    assert!(per_hour_yesterday > 0.0 && per_hour_today > 0.0 && per_hour_today != per_hour_yesterday);
    assert_eq!(down.daily.len(), 22);
    assert_eq!(down.daily[..20], untouched.daily[..20]);
    let total = |d: &crate::domain::DailyCost| -> f64 { d.by_service.iter().map(|(_, v)| v).sum() };
    // Five minutes down before midnight, ten after.
    let yesterday = total(&untouched.daily[20]) - total(&down.daily[20]);
    assert!(close(yesterday, per_hour_yesterday * 300.0 / 3600.0), "{yesterday}");
    let today = untouched.today - down.today;
    assert!(close(today, per_hour_today * 600.0 / 3600.0), "{today}");
}

#[tokio::test]
async fn same_mutations_at_the_same_seconds_give_the_same_world() {
    let script = [
        (20, scale(0)),
        (45, delete(PREDICTION)),
        (
            100,
            Mutation::SetFunctionConcurrency { function: "GarmaxAi-BillingProcessor-PROD".into(), reserved: Some(0) },
        ),
        (200, create(PREDICTION, "prediction-endpoint-config")),
        (260, scale(2)),
        (400, capacities(PREDICTION, &[("model-v1", 3, 1.0), ("model-v2", 1, 1.0)])),
        (420, delete(DETECTOR)),
    ];
    let (a, clock_a) = fleet(41, "latency-spike");
    let (b, clock_b) = fleet(41, "latency-spike");
    let mut at = 0;
    for (second, m) in &script {
        // `a` is read every few seconds on the way, `b` only jumps to each mutation.
        while at + 7 < *second {
            clock_a.advance(7);
            at += 7;
            let _ = snapshot(&a).await;
            let _ = a.cost().await;
        }
        clock_a.advance(second - at);
        clock_b.advance(second - clock_b.offset_secs());
        at = *second;
        assert_eq!(apply(&a, m.clone()), apply(&b, m.clone()), "{m:?}");
    }
    clock_a.advance(600);
    clock_b.advance(600);
    assert_eq!(snapshot(&a).await, snapshot(&b).await);
    assert_eq!(a.endpoints().await, b.endpoints().await);
    assert_eq!(cost(&a).await, cost(&b).await);
    let (c, _) = fleet(41, "latency-spike");
    assert_ne!(hourly(&cost(&a).await), hourly(&cost(&c).await), "what was applied shows");
}
