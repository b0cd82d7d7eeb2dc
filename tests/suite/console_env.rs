//! Environments in the console, headless over the simulated fleet: the view (E), a teardown from
//! it (the name typed to confirm) draining visibly with the cost per hour falling, and a restore
//! bringing the endpoint back through Creating to InService.

use crate::console;

use console::Headless;
use opsdeck::app::Mode;
use opsdeck::ops::env::Shape;

fn env_view(h: &Headless) -> &opsdeck::app::EnvView {
    match &h.state.mode {
        Mode::Environments(v) => v,
        other => panic!("not the environments view: {other:?} ({:?})", h.state.ctx.flash),
    }
}

fn hourly(h: &Headless) -> f64 {
    h.state.fleet.cost.data.as_ref().and_then(|c| c.hourly).expect("the simulated fleet reports its hourly cost")
}

fn endpoint_listed(h: &Headless, name: &str) -> bool {
    h.state.fleet.endpoints.data.as_ref().is_some_and(|e| e.iter().any(|e| e.name == name))
}

#[tokio::test]
async fn teardown_and_restore_from_the_environments_view() {
    let mut h = Headless::demo("calm", 5).await;
    let before = hourly(&h);
    h.key("E").await;
    let names: Vec<String> = env_view(&h).views.iter().map(|v| v.name.clone()).collect();
    assert_eq!(names, ["children-drawing-prod", "cleanistic-ai", "garmax-prod", "prediction-app", "svg-ai"]);
    assert!(env_view(&h).views.iter().all(|v| v.shape == Shape::Running), "{:?}", env_view(&h).views);
    let screen = h.screen();
    assert!(screen.contains("TEARDOWN SAVES") && screen.contains("cleanistic-ai"), "{screen}");

    h.key("j").await;
    h.key("enter").await;
    assert!(h.screen().contains("sm:cleanistic-property-detector-endpoint"), "details: {}", h.screen());
    h.key("t").await;
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no dialog: {:?}", h.state.ctx.flash) };
    assert!(dialog.plan.destructive);
    assert_eq!(dialog.plan.confirm_name, "cleanistic-ai");
    // y is only a letter of the name here: it does not tear an environment down.
    h.key("y").await;
    h.key("enter").await;
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("the dialog closed on a wrong name") };
    assert!(dialog.error.as_deref().is_some_and(|e| e.contains("type cleanistic-ai exactly")), "{:?}", dialog.error);
    assert!(h.state.ops.operations.is_empty());
    h.text("cleanistic-ai").await;
    h.key("enter").await;
    assert_eq!(h.state.ops.operations.len(), 1, "{:?}", h.state.ctx.flash);
    assert!(h.screen().contains("teardown env:cleanistic-ai"), "the strip follows it: {}", h.screen());
    let drained = h.advance_until(300, |h| !endpoint_listed(h, "cleanistic-property-detector-endpoint")).await;
    assert!(drained.is_some(), "the endpoint never went away");
    let settled = h.advance_until(300, |h| h.state.ops.operations[0].finished_at.is_some()).await;
    assert!(settled.is_some(), "the teardown watch never ended");
    let api = h.state.fleet.services.data.as_ref().unwrap().iter().find(|s| s.name == "cleanistic-ai-api").unwrap();
    assert_eq!((api.desired, api.running), (0, 0));
    h.advance(2).await;
    let after = hourly(&h);
    assert!(after < before - 0.1, "cost per hour falls: {before:.3} -> {after:.3}");
    // Each resource's outcome is reported when it ends.
    let Mode::Report(report) = &h.state.mode else { panic!("no outcome report: {:?}", h.state.mode) };
    let text = report.lines.join("\n");
    assert!(
        text.contains("ecs:cleanistic-ai-cluster/cleanistic-ai-api") && text.contains("done: 0/0 running"),
        "{text}"
    );
    assert!(text.contains("sm:cleanistic-property-detector-endpoint") && text.contains("gone"), "{text}");
    h.key("esc").await;

    h.key("E").await;
    let view = env_view(&h).views.iter().find(|v| v.name == "cleanistic-ai").unwrap().clone();
    assert!(matches!(view.shape, Shape::TornDown { .. }), "{view:?}");
    h.key("r").await;
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no dialog: {:?}", h.state.ctx.flash) };
    assert!(!dialog.plan.destructive);
    h.key("y").await;
    let back = h.advance_until(600, |h| h.state.ops.operations.get(1).is_some_and(|o| o.finished_at.is_some())).await;
    assert!(back.is_some(), "the restore never finished: {:?}", h.state.ops.operations.get(1).map(|o| &o.watch));
    let Mode::Report(report) = &h.state.mode else { panic!("no outcome report: {:?}", h.state.mode) };
    let text = report.lines.join("\n");
    assert!(text.contains("HTTP 200"), "the test inference is in the outcome: {text}");
    h.key("esc").await;
    assert!(endpoint_listed(&h, "cleanistic-property-detector-endpoint"));
    let e = h
        .state
        .fleet
        .endpoints
        .data
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.name == "cleanistic-property-detector-endpoint");
    assert_eq!(e.unwrap().status, "InService");
    h.advance(2).await;
    assert!((hourly(&h) - before).abs() < 0.02, "cost per hour is back: {before:.3} -> {:.3}", hourly(&h));
}
