//! Load-balancer target health on the simulated fleet, through the whole console (the real update
//! and perform loop, a manual clock): the bad-deploy story as the ALB tells it, the services
//! table's TARGETS column, the detail's target groups, and the alarm on an ELB metric that jumps
//! to the service behind its target group.

use crate::console;

use console::Headless;
use opsdeck::app::{rows, Mode, Pane};
use opsdeck::domain::{Address, TargetGroupHealth, TargetState};
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
