//! The whole console, headless, over the simulated fleet: the real update and the real
//! `perform` (the same code the interactive runtime spawns), with a manual clock.

use crate::console;

use console::Headless;
use opsdeck::app::{rows, update, Mode, Msg, Pane};
use opsdeck::domain::{AlarmState, RolloutState};
use opsdeck::keymap::{Action, KeyChord};
use opsdeck::ops::WatchState;

#[tokio::test]
async fn bad_deploy_is_visible_everywhere_and_the_alarm_leads_to_it() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.advance(180).await;

    let alarm = rows::selected_alarm(&h.state.fleet, &h.state.dashboard.alarms_list).expect("alarms loaded");
    assert_eq!(alarm.name, "CleanisticAI-HighErrorRate", "the firing alarm sorts first");
    assert_eq!(alarm.state, AlarmState::Alarm);

    let services = h.state.fleet.services.data.as_ref().unwrap();
    let api = services.iter().find(|s| s.name == "cleanistic-ai-api").unwrap();
    assert_eq!(api.rollout, RolloutState::Failed, "{api:?}");
    assert_eq!(api.task_definition.revision, 15);

    // From the alarm, enter jumps to the service; the log tail follows it.
    h.key("tab").await;
    h.key("tab").await;
    h.key("tab").await;
    assert_eq!(h.state.dashboard.focus, Pane::Alarms);
    h.key("enter").await;
    assert_eq!(h.state.dashboard.focus, Pane::Services);
    assert_eq!(
        rows::selected_service(&h.state.fleet, &h.state.dashboard.services_list).unwrap().name,
        "cleanistic-ai-api"
    );
    h.advance(3).await;
    assert_eq!(h.state.dashboard.logs.source.as_ref().unwrap().group, "/ecs/cleanistic-ai");
    let lines: Vec<String> = h.state.dashboard.logs.view.buffer().iter().map(|l| l.message.to_string()).collect();
    assert!(lines.iter().any(|l| l.contains("Traceback")), "no traceback in {} lines", lines.len());

    // The screen says so too.
    let screen = h.screen();
    assert!(screen.contains("FAILED"), "{screen}");
    assert!(screen.contains("CleanisticAI-HighErrorRate"), "{screen}");
    assert!(screen.contains("1 ALARM") || screen.contains("ALARM"), "{screen}");

    // The tasks view shows why the new tasks stopped.
    h.key("enter").await;
    let detail = h.state.dashboard.detail.as_ref().unwrap().data.data.as_ref().expect("detail loaded");
    assert!(
        detail.tasks.iter().any(|t| t.task_definition.revision == 15 && t.stopped_reason.is_some()),
        "{:?}",
        detail.tasks
    );
    assert_eq!(detail.revisions.first().map(|r| r.revision), Some(15), "{:?}", detail.revisions);
    assert!(detail.revisions.iter().any(|r| r.revision == 14), "the revision to roll back to is listed");
    let screen = h.screen();
    assert!(screen.contains("STOPPED REASON"), "{screen}");
    assert!(screen.contains("REVISIONS  15 14 13"), "{screen}");
}

#[tokio::test]
async fn latency_spike_fires_the_endpoint_alarm() {
    let mut h = Headless::new("latency-spike", 3).await;
    h.advance(240).await;
    let alarms = h.state.fleet.alarms.data.as_ref().unwrap();
    let alarm = alarms.iter().find(|a| a.name == "prediction-endpoint-ModelLatency-high").unwrap();
    assert_eq!(alarm.state, AlarmState::Alarm, "{alarm:?}");
    h.state.dashboard.focus = Pane::Alarms;
    h.key("enter").await;
    assert_eq!(h.state.dashboard.focus, Pane::Endpoints);
    assert_eq!(
        rows::selected_endpoint(&h.state.fleet, &h.state.dashboard.endpoints_list).unwrap().name,
        "prediction-endpoint"
    );
    let metrics = h.state.fleet.endpoint_metrics.data.as_ref().unwrap();
    let p99 = metrics["prediction-endpoint"]["model-v1"].latency_p99_us.latest().unwrap();
    assert!(p99 > 1_000_000.0, "p99 {p99} µs");
}

#[tokio::test]
async fn calm_stays_calm_and_the_demo_is_deterministic() {
    let mut a = Headless::new("calm", 11).await;
    let mut b = Headless::new("calm", 11).await;
    a.advance(120).await;
    b.advance(120).await;
    assert!(a.state.fleet.alarms.data.as_ref().unwrap().iter().all(|x| x.state != AlarmState::Alarm));
    assert_eq!(a.screen(), b.screen(), "same seed, same time, different screens");
    // The panes are all filled from the simulated fleet.
    let screen = a.screen();
    for needle in
        ["svg-ai-service", "cleanistic-property-detector-endpoint", "GarmaxAI-QueueDepth-PROD", "by service", "/ecs/"]
    {
        assert!(screen.contains(needle), "{needle} missing:\n{screen}");
    }
    let mut c = Headless::new("calm", 12).await;
    c.advance(120).await;
    assert_ne!(a.screen(), c.screen(), "different seeds should differ");
}

#[tokio::test]
async fn log_windows_and_filters_work_on_the_simulated_stream() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.advance(90).await;
    h.key(":").await;
    for c in "ecs cleanistic".chars() {
        let effects = update(&mut h.state, Msg::Text(KeyChord::plain(c)));
        h.run(effects).await;
    }
    h.key("enter").await;
    h.advance(1).await;
    assert_eq!(h.state.dashboard.logs.source.as_ref().unwrap().group, "/ecs/cleanistic-ai");
    h.state.dashboard.focus = Pane::Logs;
    let tail_len = h.state.dashboard.logs.view.buffer().len();
    h.key("5").await; // last hour
    h.advance(1).await;
    assert!(h.state.dashboard.logs.view.buffer().len() > tail_len, "an hour of history should hold more than the tail");
    h.key("/").await;
    for c in "traceback".chars() {
        let effects = update(&mut h.state, Msg::Text(KeyChord::plain(c)));
        h.run(effects).await;
    }
    h.key("enter").await;
    assert!(h.state.dashboard.logs.view.match_count() > 0);
    h.key("n").await;
    assert!(h.state.dashboard.logs.view.current_match().is_some());
    assert!(!h.state.dashboard.logs.view.follow(), "jumping to a match pauses the tail");
    let _ = Action::Help;
}

#[tokio::test]
async fn bad_deploy_is_resolved_from_the_alarm_by_a_rollback() {
    let mut h = Headless::new("bad-deploy", 7).await;
    let fired = h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    assert!(fired.is_some(), "the alarm never fired");
    // From the alarm: shift-tab twice to the alarms pane, R, y.
    h.key("backtab").await;
    h.key("backtab").await;
    assert_eq!(h.state.dashboard.focus, Pane::Alarms);
    h.key("R").await;
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no confirm dialog: {:?}", h.state.ctx.flash) };
    assert_eq!(dialog.plan.changes[0].after, "cleanistic-ai-api:14", "{:?}", dialog.plan.changes);
    h.key("y").await;
    assert_eq!(h.state.ops.operations.len(), 1, "{:?}", h.state.ctx.flash);
    let settled = h
        .advance_until(600, |h| {
            h.state.ops.operations[0].watch.as_ref().is_some_and(|w| w.state == WatchState::Settled)
        })
        .await;
    assert!(settled.is_some(), "the rollback never settled: {:?}", h.state.ops.operations[0].watch);
    let ok = h.advance_until(900, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Ok).await;
    assert!(ok.is_some(), "the alarm did not return to OK");
    let api =
        h.state.fleet.services.data.as_ref().unwrap().iter().find(|s| s.name == "cleanistic-ai-api").unwrap().clone();
    assert_eq!(api.task_definition.revision, 14);
    assert_eq!(api.rollout, RolloutState::Completed);
    let (records, _) = h.ops.audit.read().unwrap();
    let phases: Vec<_> = records.iter().map(|r| r.outcome.split(':').next().unwrap_or("").to_string()).collect();
    assert_eq!(phases, ["started", "succeeded", "settled"], "{records:?}");
    println!("bad-deploy: rollback settled after {settled:?} s, alarm OK {ok:?} s later");
}

#[tokio::test]
async fn latency_spike_is_resolved_by_scaling_model_v1() {
    let mut h = Headless::new("latency-spike", 3).await;
    let name = "prediction-endpoint-ModelLatency-high";
    assert!(h.advance_until(600, |h| h.alarm_state(name) == AlarmState::Alarm).await.is_some());
    // From the alarm: enter jumps to the endpoint; the first variant row is model-v1.
    h.state.dashboard.focus = Pane::Alarms;
    h.key("enter").await;
    assert_eq!(h.state.dashboard.focus, Pane::Endpoints);
    h.key("s").await;
    let Mode::Palette(input) = &h.state.mode else { panic!("s should open the palette") };
    assert_eq!(input.text, "scale sm:prediction-endpoint/model-v1 ");
    h.text("4").await;
    h.key("enter").await;
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no confirm dialog: {:?}", h.state.ctx.flash) };
    assert_eq!((dialog.plan.changes[0].before.as_str(), dialog.plan.changes[0].after.as_str()), ("2", "4"));
    h.key("y").await;
    let settled = h
        .advance_until(900, |h| {
            h.state.ops.operations[0].watch.as_ref().is_some_and(|w| w.state == WatchState::Settled)
        })
        .await;
    assert!(settled.is_some(), "scaling never settled: {:?}", h.state.ops.operations[0].watch);
    let ok = h.advance_until(900, |h| h.alarm_state(name) == AlarmState::Ok).await;
    assert!(ok.is_some(), "the alarm did not return to OK");
    let endpoint =
        h.state.fleet.endpoints.data.as_ref().unwrap().iter().find(|e| e.name == "prediction-endpoint").unwrap();
    assert_eq!(endpoint.variants[0].current_instances, 4);
    println!("latency-spike: scale settled after {settled:?} s, alarm OK {ok:?} s later");
}

/// The user's report, in the console: `R` on the alarm while revision 15 is still rolling out
/// plans ECS's native roll back; the dialog stays open until the circuit breaker has stopped the
/// deployment; `y` then sends nothing and brings back the UpdateService plan, saying why; a
/// second `y` applies it and the roll back settles.
#[tokio::test]
async fn a_rollback_confirmed_after_the_circuit_breaker_tripped_comes_back_replanned() {
    let mut h = Headless::new("bad-deploy", 7).await;
    let fired = h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    assert!(fired.is_some(), "the alarm never fired");
    h.key("backtab").await;
    h.key("backtab").await;
    h.key("R").await;
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no confirm dialog: {:?}", h.state.ctx.flash) };
    assert!(dialog.plan.notes.iter().any(|n| n.contains("StopServiceDeployment")), "{:?}", dialog.plan.notes);
    assert!(dialog.replanned.is_none());
    let address: opsdeck::domain::Address = "ecs:cleanistic-ai-cluster/cleanistic-ai-api".parse().unwrap();
    // The engineer reads the plan; the circuit breaker stops the deployment meanwhile.
    for _ in 0..300 {
        let status = match h.backend().snapshot(&address).await.unwrap() {
            opsdeck::domain::Snapshot::Service(s) => s.deployment.map(|d| d.status),
            _ => None,
        };
        if status.as_deref() != Some("IN_PROGRESS") {
            break;
        }
        h.advance(1).await;
    }
    h.key("y").await;
    assert!(h.state.ops.operations.is_empty(), "nothing was sent: {:?}", h.state.ctx.flash);
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("the new plan is not shown: {:?}", h.state.ctx.flash) };
    assert!(dialog.replanned.as_deref().is_some_and(|w| w.contains("IN_PROGRESS -> STOPPED")), "{dialog:?}");
    assert!(dialog.plan.notes.iter().any(|n| n.contains("UpdateService sends only")), "{:?}", dialog.plan.notes);
    let screen = h.screen();
    assert!(screen.contains("Confirm the NEW plan"), "{screen}");
    assert!(!screen.contains("InvalidParameterException"), "{screen}");
    h.key("y").await;
    assert_eq!(h.state.ops.operations.len(), 1, "{:?}", h.state.ctx.flash);
    let settled = h
        .advance_until(600, |h| {
            h.state.ops.operations[0].watch.as_ref().is_some_and(|w| w.state == WatchState::Settled)
        })
        .await;
    assert!(settled.is_some(), "the roll back never settled: {:?}", h.state.ops.operations[0].watch);
    let (records, _) = h.ops.audit.read().unwrap();
    let phases: Vec<_> = records.iter().map(|r| r.outcome.split(':').next().unwrap_or("").to_string()).collect();
    assert_eq!(phases, ["replanned", "started", "succeeded", "settled"], "{records:?}");
}
