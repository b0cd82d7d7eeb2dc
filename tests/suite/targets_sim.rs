//! Load-balancer target health on the simulated fleet, through the whole console (the real update
//! and perform loop, a manual clock): the bad-deploy story as the ALB tells it, the services
//! table's TARGETS column, the detail's target groups, and the alarm on an ELB metric that jumps
//! to the service behind its target group. Then, pure, on a fleet as read: every kind of ELB
//! alarm (a target group, only a load balancer, an NLB's) to its service, or to none.

use crate::common;
use crate::console;

use common::{CLEANISTIC_TG, SVG_TG};
use console::Headless;
use opsdeck::app::{rows, Fleet, Mode, Pane};
use opsdeck::domain::{
    Address, Alarm, AlarmRule, AlarmState, Comparison, HealthCheck, MetricId, RolloutState, TargetGroupHealth,
    TargetState,
};
use std::collections::{BTreeMap, BTreeSet};

const API: &str = "ecs:cleanistic-ai-cluster/cleanistic-ai-api";

async fn cleanistic_targets(h: &Headless) -> TargetGroupHealth {
    let services = h.backend().services().await.unwrap();
    let api = services.iter().find(|s| s.address().to_string() == API).unwrap();
    assert_eq!(api.target_groups.len(), 1, "cleanistic-ai-api sits behind one target group");
    h.backend().target_health(&api.target_groups).await.unwrap().remove(0)
}

/// Target IP -> revision of the task with that IP.
async fn revisions(h: &Headless) -> BTreeMap<String, u32> {
    let address: Address = API.parse().unwrap();
    let detail = h.backend().service_detail(&address).await.unwrap();
    detail.tasks.iter().filter_map(|t| Some((t.ip.clone()?, t.task_definition.revision))).collect()
}

#[tokio::test]
async fn bad_deploy_targets_register_fail_their_checks_with_503_drain_and_settle_after_a_rollback() {
    let mut h = Headless::new("bad-deploy", 7).await;
    // (state, reason) seen for the new revision's targets, and every state of the old ones.
    let mut new_states: Vec<(String, Option<String>)> = Vec::new();
    let mut old_states: BTreeSet<String> = BTreeSet::new();
    let mut saw_failing_in_table = false;
    for _ in 0..240 {
        h.advance(1).await;
        let group = cleanistic_targets(&h).await;
        let revs = revisions(&h).await;
        for t in &group.targets {
            match revs.get(&t.id) {
                Some(15) => {
                    let seen = (t.state.as_str().to_string(), t.reason.clone());
                    if new_states.last() != Some(&seen) {
                        new_states.push(seen);
                    }
                }
                Some(_) => {
                    old_states.insert(t.state.as_str().to_string());
                }
                None => {}
            }
            if t.state == TargetState::Unhealthy {
                assert_eq!(t.reason.as_deref(), Some("Target.ResponseCodeMismatch"));
                assert_eq!(t.description.as_deref(), Some("Health checks failed with these codes: [503]"));
            }
        }
        saw_failing_in_table |= h.screen().lines().any(|l| l.contains("cleanistic-ai-api") && l.contains('✗'));
    }
    let states: Vec<&str> = new_states.iter().map(|(s, _)| s.as_str()).collect();
    let first = |s: &str| states.iter().position(|x| *x == s);
    let (initial, unhealthy, draining) = (first("initial"), first("unhealthy"), first("unhealthy.draining"));
    assert!(initial.is_some() && unhealthy.is_some() && draining.is_some(), "{new_states:?}");
    assert!(initial < unhealthy && unhealthy < draining, "registered, failed, drained in that order: {new_states:?}");
    assert!(new_states.iter().any(|(_, r)| r.as_deref() == Some("Elb.InitialHealthChecking")), "{new_states:?}");
    assert!(!states.contains(&"healthy"), "revision 15 never passes its checks: {new_states:?}");
    assert!(old_states.contains("healthy"), "{old_states:?}");
    assert!(
        old_states.iter().all(|s| s == "healthy" || s == "draining"),
        "the old revision stays healthy: {old_states:?}"
    );
    assert!(saw_failing_in_table, "the services table marks the failing targets with ✗");

    // Roll back from the palette, confirm, and let it settle: every target healthy again.
    h.key(":").await;
    h.text(&format!("rollback {API}")).await;
    h.key("enter").await;
    assert!(matches!(h.state.mode, Mode::Confirm(_)), "{:?}", h.state.ctx.flash);
    h.key("y").await;
    let settled = h
        .advance_until(300, |h| {
            let services = h.state.fleet.services.data.as_ref();
            let api = services.and_then(|s| s.iter().find(|s| s.address().to_string() == API));
            let groups: Vec<_> = api.map(|a| h.state.fleet.target_groups_of(a).collect()).unwrap_or_default();
            let (healthy, total, failing) = opsdeck::domain::summary(groups);
            total >= 2 && healthy == total && !failing && api.is_some_and(|a| a.task_definition.revision == 14)
        })
        .await;
    assert!(settled.is_some(), "the targets settle after the roll back:\n{}", h.screen());
    let group = cleanistic_targets(&h).await;
    let revs = revisions(&h).await;
    assert!(group.targets.iter().filter(|t| !t.state.is_leaving()).all(|t| revs.get(&t.id) != Some(&15)));
}

#[tokio::test]
async fn the_detail_shows_each_target_with_its_task_and_the_health_check() {
    let mut h = Headless::new("calm", 3).await;
    h.advance(5).await;
    let row = rows::service_row_of(&h.state.fleet, &h.state.dashboard.services_list, &API.parse().unwrap()).unwrap();
    h.state.dashboard.services_list.selected = row;
    h.key("enter").await;
    h.advance(2).await;
    let screen = h.screen();
    assert!(screen.contains("TARGET GROUP cleanistic-ai-tg HTTP:3001"), "{screen}");
    assert!(screen.contains("check HTTP /health on traffic-port every 10 s"), "{screen}");
    let revs = revisions(&h).await;
    let (ip, _) = revs.iter().next().expect("a task with an IP");
    let line = screen.lines().find(|l| l.contains(&format!("{ip}:3001"))).unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("healthy") && line.contains("task "), "{line}");
}

#[tokio::test]
async fn an_alarm_on_an_elb_metric_jumps_to_the_service_behind_its_target_group() {
    let mut h = Headless::new("calm", 3).await;
    h.advance(5).await;
    let alarm = h.state.fleet.alarms.data.as_ref().unwrap().iter().find(|a| a.name == "svg-ai-5xx-errors").unwrap();
    let rule = alarm.rule.as_ref().unwrap();
    let metric = rule.metric.as_ref().unwrap();
    assert_eq!(metric.namespace, "AWS/ApplicationELB");
    assert!(metric.dimension("TargetGroup").unwrap().starts_with("targetgroup/svg-ai-tg/"));
    assert!(metric.dimension("LoadBalancer").unwrap().starts_with("app/svg-ai-alb/"));
    assert_eq!(alarm.watches.as_ref().map(ToString::to_string).as_deref(), Some("ecs:svg-ai-cluster/svg-ai-service"));

    h.state.dashboard.focus = Pane::Alarms;
    let row = rows::alarm_rows(&h.state.fleet, &h.state.dashboard.alarms_list)
        .iter()
        .position(|&i| h.state.fleet.alarms.data.as_ref().unwrap()[i].name == "svg-ai-5xx-errors")
        .unwrap();
    h.state.dashboard.alarms_list.selected = row;
    h.key("enter").await;
    assert_eq!(h.state.dashboard.focus, Pane::Services);
    let selected = rows::selected_service(&h.state.fleet, &h.state.dashboard.services_list).unwrap();
    assert_eq!(selected.name, "svg-ai-service");
}

const ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:";
/// The ALB both common target groups (cleanistic-ai-api's, svg-ai-service's) are attached to.
const SHARED_ALB: &str = "app/web/1f2e";

fn group(name: &str, id: &str, protocol: &str, balancer: &str) -> TargetGroupHealth {
    TargetGroupHealth {
        arn: format!("{ARN}targetgroup/{name}/{id}"),
        name: name.into(),
        protocol: Some(protocol.into()),
        port: Some(443),
        target_type: Some("ip".into()),
        load_balancers: vec![format!("{ARN}loadbalancer/{balancer}")],
        health_check: HealthCheck::default(),
        targets: vec![],
    }
}

fn elb_alarm(name: &str, namespace: &str, dims: &[(&str, &str)]) -> Alarm {
    Alarm {
        name: name.into(),
        state: AlarmState::Alarm,
        reason: "Threshold Crossed".into(),
        state_since: common::t0(),
        condition: format!("{namespace} UnHealthyHostCount > 0"),
        watches: None,
        description: None,
        runbook_tag: None,
        rule: Some(AlarmRule {
            metric: Some(MetricId::new(namespace, "UnHealthyHostCount", dims)),
            stat: Some("Maximum".into()),
            period_secs: Some(60),
            math: vec![],
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            threshold: Some(0.0),
            comparison: Comparison::Greater,
            treat_missing: None,
        }),
    }
}

/// What `enter` on each alarm leads to, once the fleet has read the services, their target groups
/// and the alarms: cleanistic-ai-api and svg-ai-service behind one ALB, backend-service alone
/// behind another, edge-tcp alone behind an NLB.
fn resolved(alarms: Vec<Alarm>) -> BTreeMap<String, Option<String>> {
    let backend_tg = group("backend-tg", "9a9a", "HTTP", "app/backend-alb/77b1");
    let edge_tg = group("edge-tcp-tg", "5c5c", "TCP", "net/edge-nlb/0e0e");
    let mut services = common::services();
    services.iter_mut().find(|s| s.name == "backend-service").unwrap().target_groups = vec![backend_tg.arn.clone()];
    let mut edge = common::service("edge-cluster", "edge-tcp", 2, 2, RolloutState::Completed);
    edge.target_groups = vec![edge_tg.arn.clone()];
    services.push(edge);
    let mut groups = common::target_groups(&[CLEANISTIC_TG.into(), SVG_TG.into()]);
    assert!(groups.iter().all(|g| g.load_balancers[0].ends_with(SHARED_ALB)), "{groups:?}");
    groups.extend([backend_tg, edge_tg]);

    let mut fleet = Fleet::default();
    fleet.services.data = Some(services);
    fleet.target_health.data = Some(groups.into_iter().map(|g| (g.arn.clone(), g)).collect());
    fleet.alarms.data = Some(alarms);
    fleet.resolve_alarm_targets();
    let alarms = fleet.alarms.data.unwrap_or_default();
    alarms.into_iter().map(|a| (a.name, a.watches.map(|w| w.to_string()))).collect()
}

#[test]
fn each_kind_of_elb_alarm_leads_to_the_one_service_behind_what_it_names() {
    let alb = "AWS/ApplicationELB";
    let nlb = "AWS/NetworkELB";
    let found = resolved(vec![
        elb_alarm(
            "alb-target-group",
            alb,
            &[("TargetGroup", "targetgroup/svg-ai-tg/3f1c"), ("LoadBalancer", SHARED_ALB)],
        ),
        elb_alarm("alb-balancer-only", alb, &[("LoadBalancer", "app/backend-alb/77b1")]),
        elb_alarm("nlb-target-group", nlb, &[("TargetGroup", "targetgroup/edge-tcp-tg/5c5c")]),
        elb_alarm("nlb-balancer-only", nlb, &[("LoadBalancer", "net/edge-nlb/0e0e")]),
        elb_alarm("alb-shared-balancer", alb, &[("LoadBalancer", SHARED_ALB)]),
        elb_alarm("alb-unknown-balancer", alb, &[("LoadBalancer", "app/elsewhere/1234")]),
        elb_alarm("nlb-of-another-id", nlb, &[("LoadBalancer", "net/edge-nlb/ffff")]),
    ]);
    let expected: BTreeMap<String, Option<String>> = [
        ("alb-target-group", Some("ecs:svg-ai-cluster/svg-ai-service")),
        ("alb-balancer-only", Some("ecs:prediction-app-cluster/backend-service")),
        ("nlb-target-group", Some("ecs:edge-cluster/edge-tcp")),
        ("nlb-balancer-only", Some("ecs:edge-cluster/edge-tcp")),
        // In front of two services, a load balancer names neither: no jump rather than a wrong one.
        ("alb-shared-balancer", None),
        ("alb-unknown-balancer", None),
        ("nlb-of-another-id", None),
    ]
    .into_iter()
    .map(|(a, s)| (a.to_string(), s.map(str::to_string)))
    .collect();
    assert_eq!(found, expected);
}
