//! Target health through the real SDK against the emulated account: target groups described in
//! batches of 20 with their health checks and load balancers, one DescribeTargetHealth per group
//! (moto reports an IP target healthy and a stopped instance `unused`), the services' target
//! groups from DescribeServices, the console resolving an ELB alarm to its service (an ALB's
//! target group; an NLB named only by its load balancer), and `opsdeck targets` on the command
//! line.

use crate::aws_backend::backend;
use crate::emulator;

use emulator::Emulator;
use opsdeck::app::{perform, update, Effect, Msg, Settings, State};
use opsdeck::aws::AwsBackend;
use opsdeck::backend::Backend;
use opsdeck::domain::TargetState;
use serde_json::Value;

fn setup() -> (Emulator, Value) {
    let emu = Emulator::start();
    emu.seed();
    let summary: Value = serde_json::from_str(&emu.load_balancing()).expect("a JSON summary");
    (emu, summary)
}

#[tokio::test]
async fn target_groups_and_their_targets_health_through_the_real_sdk() {
    let (emu, summary) = setup();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let ip_group = summary["target_groups"]["web-api"].as_str().unwrap().to_string();
    let instance_group = summary["target_groups"]["web-worker"].as_str().unwrap().to_string();

    let services = aws.services().await.expect("services");
    let api = services.iter().find(|s| s.name == "web-api").expect("web-api");
    assert_eq!(api.target_groups, vec![ip_group.clone()], "the service's loadBalancers name its target group");
    assert!(services.iter().find(|s| s.name == "cleanistic-ai-api").unwrap().target_groups.is_empty());

    emu.clear_calls();
    let groups = aws.target_health(&[ip_group.clone(), instance_group.clone()]).await.expect("target health");
    let calls = emu.calls();
    assert_eq!(calls.get("elasticloadbalancing:DescribeTargetGroups"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("elasticloadbalancing:DescribeTargetHealth"), Some(&2), "one per group: {calls:?}");

    let ip = groups.iter().find(|g| g.arn == ip_group).expect("the ip group");
    assert_eq!(ip.name, "web-api-tg");
    assert_eq!(ip.target_type.as_deref(), Some("ip"));
    assert_eq!(ip.load_balancers, vec![summary["load_balancer"].as_str().unwrap().to_string()]);
    assert_eq!(ip.health_check.path.as_deref(), Some("/health"));
    assert_eq!(ip.health_check.interval_secs, Some(10));
    assert_eq!(ip.health_check.matcher.as_deref(), Some("200"));
    assert_eq!(ip.targets.len(), 1);
    assert_eq!((ip.targets[0].id.as_str(), ip.targets[0].port), ("10.0.1.23", Some(8080)));
    assert_eq!(ip.targets[0].state, TargetState::Healthy);
    assert_eq!(ip.targets[0].reason, None);

    let instance = groups.iter().find(|g| g.arn == instance_group).expect("the instance group");
    let stopped = &instance.targets[0];
    assert_eq!(stopped.id, summary["instance"].as_str().unwrap());
    assert_eq!(stopped.state, TargetState::Unused);
    assert_eq!(stopped.reason.as_deref(), Some("Target.InvalidState"));
    assert!(stopped.description.as_deref().unwrap_or_default().contains("stopped"), "{stopped:?}");
}

#[tokio::test]
async fn target_groups_are_described_twenty_at_a_time() {
    let (emu, summary) = setup();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let ip_group = summary["target_groups"]["web-api"].as_str().unwrap().to_string();
    // The same group named 21 times: two DescribeTargetGroups calls (20, then 1).
    let many = vec![ip_group; 21];
    emu.clear_calls();
    let groups = aws.target_health(&many).await.expect("target health");
    assert_eq!(groups.len(), 21);
    assert_eq!(emu.calls().get("elasticloadbalancing:DescribeTargetGroups"), Some(&2), "{:?}", emu.calls());
}

/// The console at 160x48 once it has carried out every read it asks for at start.
async fn console_after_reads(aws: &AwsBackend) -> State {
    let mut state = State::new(aws.label(), Settings::default(), chrono::Utc::now(), (160, 48));
    let mut queue = update(&mut state, Msg::Tick(chrono::Utc::now()));
    // Carry out reads until the console has nothing left to ask for.
    for _ in 0..6 {
        let mut next = Vec::new();
        while let Some(effect) = queue.pop() {
            if let Effect::Fetch { id, fetch } = effect {
                let reply = perform(aws, fetch, &|_| {}).await;
                next.extend(update(&mut state, Msg::Fetched(id, reply)));
            }
        }
        queue = next;
    }
    state
}

#[tokio::test]
async fn the_console_reads_target_health_for_the_services_on_screen_and_resolves_the_elb_alarm() {
    let (emu, _) = setup();
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let state = console_after_reads(&aws).await;
    let api = state.fleet.services.data.as_ref().unwrap().iter().find(|s| s.name == "web-api").unwrap().clone();
    let groups: Vec<_> = state.fleet.target_groups_of(&api).collect();
    assert_eq!(opsdeck::domain::summary(groups), (1, 1, false));
    let alarm = state.fleet.alarms.data.as_ref().unwrap().iter().find(|a| a.name == "web-api-unhealthy-hosts").unwrap();
    assert_eq!(
        alarm.watches.as_ref().map(ToString::to_string).as_deref(),
        Some("ecs:web-cluster/web-api"),
        "the alarm names a target group and a load balancer, not a service: {alarm:?}"
    );
    let calls = emu.calls();
    assert!(calls.get("elasticloadbalancing:DescribeTargetHealth").is_some_and(|n| *n >= 1), "{calls:?}");
}

#[tokio::test]
async fn an_nlb_alarm_naming_only_its_load_balancer_leads_to_the_one_service_behind_it() {
    let (emu, _) = setup();
    let nlb: Value = serde_json::from_str(&emu.run_python("why_fixtures.py", &["--endpoint", &emu.moto_url, "nlb"]))
        .expect("a JSON summary");
    let cache = tempfile::tempdir().unwrap();
    let aws = backend(&emu, cache.path()).await;
    let state = console_after_reads(&aws).await;
    let tcp = state.fleet.services.data.as_ref().unwrap().iter().find(|s| s.name == "web-tcp").expect("web-tcp");
    let groups: Vec<_> = state.fleet.target_groups_of(tcp).collect();
    assert_eq!(groups.len(), 1, "the service's TCP target group was read: {groups:?}");
    assert_eq!(groups[0].protocol.as_deref(), Some("TCP"));
    assert_eq!(groups[0].load_balancers, vec![nlb["load_balancer"].as_str().unwrap().to_string()]);

    let watches = |name: &str| {
        let alarms = state.fleet.alarms.data.as_ref().unwrap();
        let alarm = alarms.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no alarm {name}: {alarms:?}"));
        alarm.watches.as_ref().map(ToString::to_string)
    };
    let nlb_alarm = state.fleet.alarm("web-tcp-unhealthy-hosts").and_then(|a| a.rule.as_ref()?.metric.clone());
    assert_eq!(nlb_alarm.map(|m| m.namespace).as_deref(), Some("AWS/NetworkELB"));
    assert_eq!(watches("web-tcp-unhealthy-hosts").as_deref(), Some("ecs:web-cluster/web-tcp"));
    // The ALB fronts web-api and web-worker: an alarm naming only it leads to neither.
    assert_eq!(watches("web-alb-5xx"), None);
}

#[test]
fn opsdeck_targets_prints_each_target_with_its_state_and_reason() {
    let (emu, summary) = setup();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| crate::account::command(&emu.endpoint, dir.path(), args).output().expect("run opsdeck");
    let out = run(&["targets", "ecs:web-cluster/web-worker"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("TARGET GROUP web-worker-tg HTTP:80"), "{text}");
    let line = text.lines().find(|l| l.contains(summary["instance"].as_str().unwrap())).unwrap_or_default();
    assert!(line.contains("unused") && line.contains("Target.InvalidState"), "{text}");

    let out = run(&["targets", "ecs:web-cluster/web-api", "--output", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["healthy"], 1);
    assert_eq!(doc["target_groups"][0]["targets"][0]["state"], "healthy");

    let out = run(&["targets", "sm:prediction-endpoint"]);
    assert_eq!(out.status.code(), Some(2), "an endpoint has no targets to show");
    let out = run(&["targets", "ecs:cleanistic-ai-cluster/cleanistic-ai-api"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("behind no load balancer"));
}
