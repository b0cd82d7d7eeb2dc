//! Fleet-level tests through the Backend trait: determinism, history, queries, cost.

use super::*;

use chrono::TimeZone;

pub(super) fn start(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, h, m, s).single().unwrap_or_default()
}

pub(super) fn fleet_at(seed: u64, scenario: &str, start: DateTime<Utc>) -> (SimFleet, ManualClock) {
    let clock = ManualClock::new();
    let options = SimOptions { seed, scenario: scenario.to_string(), start, clock: SimClock::Manual(clock.clone()) };
    match SimFleet::new(options) {
        Ok(f) => (f, clock),
        Err(e) => panic!("{e}"),
    }
}

pub(super) fn fleet(seed: u64, scenario: &str) -> (SimFleet, ManualClock) {
    fleet_at(seed, scenario, start(3, 4, 0))
}

pub(super) const CLEANISTIC: (&str, &str) = ("cleanistic-ai-cluster", "cleanistic-ai-api");

pub(super) fn alarm(alarms: &[Alarm], name: &str) -> Alarm {
    match alarms.iter().find(|a| a.name == name) {
        Some(a) => a.clone(),
        None => panic!("no alarm {name}"),
    }
}

/// Everything a reader can see, as one comparable string.
pub(super) async fn snapshot(f: &SimFleet) -> String {
    let mut out = String::new();
    let services = f.services().await.unwrap_or_default();
    for s in &services {
        out += &format!("{s:?}\n");
        out += &format!("{:?}\n", f.service_detail(&s.address()).await);
        out +=
            &format!("{:?}\n", f.log_events(s.log_group.as_deref().unwrap_or(""), LogQuery::Tail { limit: 300 }).await);
    }
    let addrs: Vec<Address> = services.iter().map(Service::address).collect();
    out += &format!("{:?}\n", f.service_metrics(&addrs).await);
    let names: Vec<String> = ENDPOINTS.iter().map(|e| e.name.to_string()).collect();
    out += &format!("{:?}\n", f.endpoint_metrics(&names).await);
    out += &format!("{:?}\n", f.alarms().await);
    for e in &ENDPOINTS {
        out += &format!("{:?}\n", f.log_events(e.log_group, LogQuery::Tail { limit: 300 }).await);
    }
    out
}

#[tokio::test]
async fn same_seed_same_world_regardless_of_read_pattern() {
    let (a, clock_a) = fleet(7, "bad-deploy");
    let (b, clock_b) = fleet(7, "bad-deploy");
    // `a` is read often on the way, `b` only at the end: reads must not change the story.
    for _ in 0..10 {
        clock_a.advance(17);
        let _ = snapshot(&a).await;
    }
    clock_a.advance(130);
    clock_b.advance(300);
    assert_eq!(a.now(), b.now());
    assert_eq!(snapshot(&a).await, snapshot(&b).await);
}

#[tokio::test]
async fn different_seeds_differ() {
    let (a, _) = fleet(1, "calm");
    let (b, _) = fleet(2, "calm");
    assert_ne!(snapshot(&a).await, snapshot(&b).await);
    let names_a: Vec<String> = a.services().await.unwrap_or_default().into_iter().map(|s| s.name).collect();
    let names_b: Vec<String> = b.services().await.unwrap_or_default().into_iter().map(|s| s.name).collect();
    assert_eq!(names_a, names_b);
}

#[tokio::test]
async fn history_is_pre_rolled_and_metrics_answer_only_what_was_asked() {
    let (f, _) = fleet(3, "calm");
    let addr = Address::ecs("svg-ai-cluster", "svg-ai-service");
    let m = f.service_metrics(std::slice::from_ref(&addr)).await.unwrap_or_default();
    assert_eq!(m.len(), 1);
    let cpu = &m[&addr].cpu;
    assert!(cpu.points.len() >= 30);
    assert!(cpu.points.iter().all(|p| p.is_some_and(|v| v > 0.0 && v < 80.0)));
    let e = f.endpoint_metrics(&["cleanistic-property-detector-endpoint".to_string()]).await.unwrap_or_default();
    assert_eq!(e.len(), 1);
    let v = &e["cleanistic-property-detector-endpoint"]["AllTraffic"];
    assert!(v.gpu.is_none());
    assert!(v.cpu.points.iter().flatten().all(|c| (0.0..=200.0).contains(c)));
    let logs = f.log_events("/ecs/backend-service", LogQuery::Tail { limit: 10_000 }).await;
    let Ok(logs) = logs else { panic!("logs") };
    let first = logs.events.first().map(|e| e.timestamp).unwrap_or_default();
    assert!(f.now() - first > chrono::Duration::minutes(50));
    assert!(logs.events.iter().all(|e| e.stream.starts_with("ecs/backend-container/")));
}

#[tokio::test]
async fn log_queries_through_the_backend() {
    let (f, clock) = fleet(9, "calm");
    let group = "/ecs/cleanistic-ai";
    let tail = f.log_events(group, LogQuery::Tail { limit: 10 }).await;
    let Ok(tail) = tail else { panic!("tail") };
    assert_eq!(tail.events.len(), 10);
    assert!(tail.skipped > 0);
    assert!(tail.events.windows(2).all(|w| w[0].id < w[1].id && w[0].timestamp <= w[1].timestamp));
    let last = tail.events.last().map(|e| e.id).unwrap_or(0);
    clock.advance(60);
    let after = f.log_events(group, LogQuery::After { id: last }).await;
    let Ok(after) = after else { panic!("after") };
    assert!(!after.events.is_empty());
    assert!(after.events.iter().all(|e| e.id > last));
    assert_eq!(after.events.first().map(|e| e.id), Some(last + 1));
    let from = f.now() - chrono::Duration::seconds(30);
    let since = f.log_events(group, LogQuery::Since { from, limit: 3 }).await;
    let Ok(since) = since else { panic!("since") };
    assert!(since.events.len() <= 3 && since.events.iter().all(|e| e.timestamp >= from));
    let all = f.log_events(group, LogQuery::Since { from, limit: 10_000 }).await;
    let n = all.map(|b| b.events.len()).unwrap_or(0) as u64;
    assert_eq!(since.skipped, n - since.events.len() as u64);
    let missing = f.log_events("/ecs/nope", LogQuery::Tail { limit: 1 }).await;
    assert!(matches!(missing, Err(BackendError::NotFound(_))));
}

#[tokio::test]
async fn unknown_service_is_not_found_and_label_names_the_scenario() {
    let (f, _) = fleet(5, "latency-spike");
    let r = f.service_detail(&Address::ecs("x", "y")).await;
    assert!(matches!(r, Err(BackendError::NotFound(_))));
    assert_eq!(f.label(), BackendLabel::Demo { scenario: "latency-spike".to_string(), seed: 5, speed: 1 });
}

#[test]
fn unknown_scenario_is_an_error() {
    let options = SimOptions {
        seed: 1,
        scenario: "chaos".to_string(),
        start: start(0, 0, 0),
        clock: SimClock::Wall { speed: 1 },
    };
    match SimFleet::new(options) {
        Err(SimError::UnknownScenario { name, known }) => {
            assert_eq!(name, "chaos");
            assert_eq!(known, "calm, bad-deploy, latency-spike, lambda-throttle, model-drift");
        }
        Ok(_) => panic!("accepted an unknown scenario"),
    }
    assert_eq!(scenarios().len(), 5);
}

#[tokio::test]
async fn cost_accrues_with_sim_time() {
    let (f, clock) = fleet(4, "calm");
    let a = f.cost().await.unwrap_or_else(|e| panic!("{e}"));
    clock.advance(6 * 3600);
    let b = f.cost().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(b.today > a.today && b.month_to_date > a.month_to_date);
    assert_eq!(a.daily[..20], b.daily[..20]);
    assert!(b.forecast >= b.month_to_date);
    let budget = |r: &CostReport, s: &str| r.by_system.iter().find(|c| c.system == s).and_then(|c| c.budget);
    assert_eq!(budget(&b, "children-drawing"), Some(40.0));
    assert_eq!(budget(&b, "cleanistic-ai"), None);
    assert_eq!(b.budget, Some(600.0));
}

#[test]
fn construction_is_cheap() {
    let t = Instant::now();
    let options =
        SimOptions { seed: 1, scenario: "calm".to_string(), start: start(0, 0, 0), clock: SimClock::Wall { speed: 1 } };
    assert!(SimFleet::new(options).is_ok());
    assert!(t.elapsed() < std::time::Duration::from_millis(1));
}
