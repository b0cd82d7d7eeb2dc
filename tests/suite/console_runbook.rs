//! Runbooks in the console, headless over the simulated fleet: the bad-deploy drill followed from
//! the alarm through its shipped runbook to the alarm back at OK, the keys counted; a step asking
//! for a placeholder's value; read-only refusing a mutating step; the timeline afterwards.

use crate::console;

use console::Headless;
use opsdeck::app::{Mode, Pane, StepState};
use opsdeck::domain::AlarmState;
use opsdeck::incident::{export, ExportOptions};

fn step_state(h: &Headless, i: usize) -> StepState {
    h.state.runbook.as_ref().unwrap().steps[i].state.clone()
}

#[tokio::test]
async fn bad_deploy_is_resolved_through_its_runbook_in_six_keys() {
    let mut h = Headless::demo("bad-deploy", 7).await;
    let fired = h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    assert!(fired.is_some(), "the alarm never fired");
    assert!(h.screen().contains("≡ CleanisticAI-HighErrorRate"), "the alarm shows it has a runbook:\n{}", h.screen());
    let mut keys = 0;
    for key in ["backtab", "backtab", "o"] {
        h.key(key).await;
        keys += 1;
    }
    assert_eq!(h.state.mode, Mode::Runbook, "{:?}", h.state.ctx.flash);
    let session = h.state.runbook.as_ref().unwrap();
    assert_eq!(session.runbook.title, "High error rate after a deploy");
    assert_eq!(session.values["service"], "ecs:cleanistic-ai-cluster/cleanistic-ai-api");
    assert!(h.state.ctx.incident.as_deref().is_some_and(|i| i.starts_with("CleanisticAI-HighErrorRate-")));
    let screen = h.screen();
    assert!(screen.contains("$ logs ecs:cleanistic-ai-cluster/cleanistic-ai-api --since 15m"), "{screen}");

    // Step 1: read the logs.
    h.key("enter").await;
    keys += 1;
    assert_eq!(step_state(&h, 0), StepState::Done, "{:?}", h.state.runbook.as_ref().unwrap().steps[0].output);
    assert!(h.state.runbook.as_ref().unwrap().steps[0].output.iter().any(|l| l.contains("KeyError")));
    assert_eq!(h.state.runbook.as_ref().unwrap().selected, 1, "the next step is selected");
    // Leaving and coming back (o again on the alarm) resumes the runbook where it was.
    h.key("esc").await;
    h.key("o").await;
    assert_eq!(step_state(&h, 0), StepState::Done, "progress kept");
    assert_eq!(h.state.runbook.as_ref().unwrap().selected, 1);

    // Step 2: the rollback plan opens in the dialog; y applies it.
    h.key("enter").await;
    keys += 1;
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no dialog: {:?}", h.state.ctx.flash) };
    assert_eq!(dialog.plan.changes[0].after, "cleanistic-ai-api:14");
    h.key("y").await;
    keys += 1;
    assert_eq!(h.state.mode, Mode::Runbook, "back to the runbook");
    assert_eq!(keys, 6, "keys from the alarm firing to the rollback confirmed");
    assert_eq!(h.state.ops.operations.len(), 1);
    let done = h.advance_until(900, |h| step_state(h, 1) != StepState::Running).await;
    assert!(done.is_some(), "step 2 never ended");
    assert_eq!(step_state(&h, 1), StepState::Done, "{:?}", h.state.runbook.as_ref().unwrap().steps[1].output);

    // Step 3: wait for the alarm to clear.
    h.key("enter").await;
    let ok = h.advance_until(900, |h| step_state(h, 2) != StepState::Running).await;
    assert!(ok.is_some(), "step 3 never ended");
    assert_eq!(step_state(&h, 2), StepState::Done);
    assert_eq!(h.alarm_state("CleanisticAI-HighErrorRate"), AlarmState::Ok);
    h.key("esc").await;
    assert_eq!(h.state.mode, Mode::Normal);
    assert_eq!(h.state.dashboard.focus, Pane::Alarms);

    let entries = h.ops.incidents.read().unwrap();
    let actions = opsdeck::audit::entries(&h.ops.audit.read().unwrap().0);
    let id = actions.iter().find(|a| a.action == "rollback").map(|a| a.id.clone()).expect("audited");
    let doc = export(&entries, &actions, &ExportOptions { name: None, since: None, now: h.fleet.now() }).unwrap();
    let order = [
        "CleanisticAI-HighErrorRate is ALARM",
        "step \"1. Read what the newest tasks say\" (exit 0)",
        &format!("step \"2. Roll back to the last revision that completed\" (exit 0; audit {id})"),
        &format!("(audit {id})"),
        "CleanisticAI-HighErrorRate ALARM -> OK",
        "step \"3. Wait for the alarm to clear\" (exit 0)",
    ];
    let at: Vec<usize> = order.iter().map(|s| doc.find(s).unwrap_or_else(|| panic!("{s} missing:\n{doc}"))).collect();
    assert!(at[0] < at[1] && at[1] < at[2] && at[2] < at[3] && at[3] < at[4], "out of order:\n{doc}");
}

#[tokio::test]
async fn a_missing_value_is_asked_for_and_a_note_goes_on_the_timeline() {
    let mut h = Headless::demo("calm", 3).await;
    h.key(":").await;
    h.text("runbook show budget-overrun-idle-teardown").await;
    h.key("enter").await;
    assert_eq!(h.state.mode, Mode::Runbook, "{:?}", h.state.ctx.flash);
    h.key("j").await;
    h.key("enter").await; // step 2: env show {{environment}}
    let prompt = h.state.runbook.as_ref().unwrap().prompt.clone();
    assert!(
        matches!(prompt, Some(opsdeck::app::Prompt::Value { ref name, .. }) if name == "environment"),
        "{prompt:?}"
    );
    h.text("garmax-prod").await;
    h.key("enter").await;
    assert_eq!(step_state(&h, 1), StepState::Done);
    let output = h.state.runbook.as_ref().unwrap().steps[1].output.join("\n");
    assert!(output.contains("garmax-prod: running"), "{output}");
    h.key("n").await;
    h.text("garmax idle since Friday").await;
    h.key("enter").await;
    let entries = h.ops.incidents.read().unwrap();
    assert!(entries.iter().any(|e| e.what == "garmax idle since Friday"), "{entries:?}");
}

#[tokio::test]
async fn read_only_refuses_a_mutating_step_and_the_runbook_stops_there() {
    let mut h = Headless::with("bad-deploy", 7, |dir| {
        let mut s = console::demo_settings(dir);
        s.read_only = true;
        s
    })
    .await;
    h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    for key in ["backtab", "backtab", "o", "j", "enter"] {
        h.key(key).await;
    }
    let Mode::Confirm(_) = &h.state.mode else { panic!("the plan is still shown: {:?}", h.state.ctx.flash) };
    h.key("y").await;
    assert!(
        matches!(step_state(&h, 1), StepState::Failed(ref why) if why.contains("read-only")),
        "{:?}",
        step_state(&h, 1)
    );
    assert!(h.state.ops.operations.is_empty(), "nothing was applied");
    h.key("j").await;
    h.key("enter").await;
    assert_eq!(step_state(&h, 2), StepState::NotRun, "a failed step stops the runbook");
    assert!(h.state.ctx.flash.as_ref().unwrap().text.contains("step 2 failed"));
    assert!(h.screen().contains("[✗] 2. Roll back"), "{}", h.screen());
}

#[tokio::test]
async fn latency_spike_is_resolved_through_its_runbook() {
    let mut h = Headless::demo("latency-spike", 3).await;
    let alarm = "prediction-endpoint-ModelLatency-high";
    let fired = h.advance_until(900, |h| h.alarm_state(alarm) == AlarmState::Alarm).await;
    assert!(fired.is_some(), "the alarm never fired");
    h.key("backtab").await;
    h.key("backtab").await;
    // The firing alarm sorts first.
    h.key("o").await;
    let session = h.state.runbook.as_ref().expect("opened");
    assert_eq!(session.runbook.title, "SageMaker endpoint latency spike");
    assert_eq!(session.values["endpoint"], "sm:prediction-endpoint");
    assert_eq!(session.values["variant"], "model-v1");
    assert!(session.opened_from.contains("its description"), "{}", session.opened_from);
    h.key("enter").await; // logs
    assert_eq!(step_state(&h, 0), StepState::Done);
    h.key("enter").await; // a test inference: real traffic, so it asks
    assert!(matches!(h.state.mode, Mode::Confirm(_)), "{:?}", h.state.ctx.flash);
    h.key("y").await;
    assert_eq!(step_state(&h, 1), StepState::Done, "{:?}", h.state.runbook.as_ref().unwrap().steps[1].output);
    let answer = h.state.runbook.as_ref().unwrap().steps[1].output.join("\n");
    assert!(answer.contains("ms (measured here, round trip)"), "the answer is kept with the step: {answer}");
    h.key("enter").await; // scale model-v1 to 4
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no dialog: {:?}", h.state.ctx.flash) };
    assert_eq!((dialog.plan.changes[0].before.as_str(), dialog.plan.changes[0].after.as_str()), ("2", "4"));
    h.key("y").await;
    let scaled = h.advance_until(600, |h| step_state(h, 2) != StepState::Running).await;
    assert!(scaled.is_some());
    assert_eq!(step_state(&h, 2), StepState::Done, "{:?}", h.state.runbook.as_ref().unwrap().steps[2].output);
    h.key("enter").await; // wait for the alarm
    let ok = h.advance_until(900, |h| step_state(h, 3) != StepState::Running).await;
    assert!(ok.is_some());
    assert_eq!(step_state(&h, 3), StepState::Done);
    assert_eq!(h.alarm_state(alarm), AlarmState::Ok);
}

/// Step 2's roll back planned while revision 15 still rolls out, confirmed after the circuit
/// breaker stopped it: the step does not fail; it says the plan changed and waits on the new plan
/// in the dialog, whose `y` applies it.
#[tokio::test]
async fn a_step_whose_plan_changed_at_execute_waits_on_the_new_plan() {
    let mut h = Headless::demo("bad-deploy", 7).await;
    let fired = h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    assert!(fired.is_some(), "the alarm never fired");
    for key in ["backtab", "backtab", "o", "enter", "enter"] {
        h.key(key).await;
    }
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no dialog: {:?}", h.state.ctx.flash) };
    assert!(dialog.plan.notes.iter().any(|n| n.contains("StopServiceDeployment")), "{:?}", dialog.plan.notes);
    let address: opsdeck::domain::Address = "ecs:cleanistic-ai-cluster/cleanistic-ai-api".parse().unwrap();
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
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("the new plan is not shown: {:?}", h.state.ctx.flash) };
    assert!(dialog.replanned.is_some() && dialog.plan.notes.iter().any(|n| n.contains("UpdateService")));
    assert_eq!(step_state(&h, 1), StepState::Running, "the step waits on the new plan");
    let output = h.state.runbook.as_ref().unwrap().steps[1].output.join("\n");
    assert!(output.contains("the plan changed (service deployment: IN_PROGRESS -> STOPPED)"), "{output}");
    h.key("y").await;
    assert_eq!(h.state.mode, Mode::Runbook, "back to the runbook");
    assert_eq!(h.state.ops.operations.len(), 1);
    let done = h.advance_until(900, |h| step_state(h, 1) != StepState::Running).await;
    assert!(done.is_some(), "step 2 never ended");
    assert_eq!(step_state(&h, 1), StepState::Done, "{:?}", h.state.runbook.as_ref().unwrap().steps[1].output);
}
