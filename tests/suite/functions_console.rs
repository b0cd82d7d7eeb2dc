//! Lambda functions and the models behind endpoints in the console: pure update over fixtures
//! (keys, what is read, what is planned), rendered buffers (snapshots and styles), and the
//! headless console on the simulated fleet's `lambda-throttle` and `model-drift` drills.

use crate::common;
use crate::console;

use common::functions::{BILLING, QUEUE, TRYON};
use common::*;
use console::Headless;
use opsdeck::app::{rows, selected_function, Effect, Fetch, Mode, OpEffect, Pane};
use opsdeck::domain::{Address, AlarmState};
use opsdeck::keymap::Action;
use opsdeck::ops::{Intent, WatchState};
use opsdeck::theme::Theme;

fn dark() -> Theme {
    Theme::builtin("dark").unwrap()
}

#[test]
fn l_puts_the_functions_in_the_endpoints_place_and_tab_keeps_every_other_pane_where_it_was() {
    let mut state = loaded_state((160, 48));
    assert_eq!(state.dashboard.focus, Pane::Services);
    // The list was read once off screen (an SQS alarm is placed on the function its queue feeds).
    assert_eq!(state.fleet.functions.data.as_ref().map(Vec::len), Some(2));
    assert!(!state.areas().visible(Pane::Functions));
    // The four-key drill still reaches the alarms with two shift-tabs.
    press(&mut state, "backtab");
    press(&mut state, "backtab");
    assert_eq!(state.dashboard.focus, Pane::Alarms);

    let effects = press(&mut state, "L");
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(state.dashboard.focus, Pane::Functions);
    let areas = state.areas();
    assert!(areas.visible(Pane::Functions) && !areas.visible(Pane::Endpoints));
    assert_eq!(selected_function(&state.fleet, &state.dashboard.functions.list).unwrap().name, BILLING);
    assert!(state.fleet.function_metrics.data.as_ref().is_some_and(|m| m.contains_key(TRYON)), "metrics read");
    // tab goes through the place the functions took; L again brings the endpoints back.
    press(&mut state, "backtab");
    assert_eq!(state.dashboard.focus, Pane::Services);
    press(&mut state, "tab");
    assert_eq!(state.dashboard.focus, Pane::Functions);
    press(&mut state, "L");
    assert_eq!(state.dashboard.focus, Pane::Endpoints);
    assert!(state.areas().visible(Pane::Endpoints));
}

#[test]
fn enter_on_a_function_opens_its_detail_and_the_log_pane_on_its_errors() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "L");
    press(&mut state, "j");
    assert_eq!(selected_function(&state.fleet, &state.dashboard.functions.list).unwrap().name, TRYON);
    press(&mut state, "enter");
    let detail = state.dashboard.functions.detail.as_ref().expect("detail open");
    let data = detail.data.data.as_ref().expect("detail read");
    assert_eq!(data.aliases[0].describe(), "live -> 12 (90%), 11 (10%)");
    let source = state.dashboard.logs.source.as_ref().expect("logs follow the function");
    assert_eq!(source.group, format!("/aws/lambda/{TRYON}"));
    assert_eq!(source.owner, Address::Function { name: TRYON.into() });
    assert!(state.dashboard.logs.filter_text.as_deref().is_some_and(|f| f.contains("ERROR")));

    let buffer = draw(&state, &dark(), (160, 48));
    let screen = text_of(&buffer);
    assert!(screen.contains(&format!("lambda:{TRYON}")), "{screen}");
    assert!(screen.contains("MODEL_BUCKET  SMPL_ENDPOINT"), "environment names: {screen}");
    assert!(screen.contains(&format!("SQS {QUEUE}")), "{screen}");
    insta::assert_snapshot!("function_detail_160x48", screen);

    press(&mut state, "esc");
    assert!(state.dashboard.functions.detail.is_none());
}

#[test]
fn the_functions_table_marks_throttles_and_a_function_at_its_reserved_limit() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "L");
    let theme = dark();
    let buffer = draw(&state, &theme, (160, 48));
    let screen = text_of(&buffer);
    insta::assert_snapshot!("functions_pane_160x48", screen);
    // 10 running of 10 reserved: at the limit, in the alarm colour; none set is said so.
    let (x, y) = find(&buffer, "10/10").expect("concurrency against reserved");
    assert_eq!(buffer[(x, y)].style().fg, theme.danger.fg);
    assert!(find(&buffer, "1/none set").is_some(), "{screen}");
    // The pane in the endpoints' place (97 cells inside) draws the three sparklines, and whole names.
    assert_eq!(state.areas().of(Pane::Functions).map(|r| r.width), Some(99));
    assert!(screen.contains(&format!("{TRYON} ")) && screen.contains(&format!("{BILLING} ")), "{screen}");
    let (x, y) = find(&buffer, "▆▇█ 30").expect("invocations sparkline");
    assert_eq!(buffer[(x, y)].style().fg, theme.chart.fg);
    // Errors in the window: the sparkline and the count in the alarm colour; none: muted, plain.
    let (x, y) = find(&buffer, "▁▁█ 2").expect("errors sparkline");
    assert_eq!(buffer[(x, y)].style().fg, theme.danger.fg);
    assert_eq!(buffer[(x + 4, y)].style().fg, theme.danger.fg);
    let (x, y) = find(&buffer, "▁▁▁ 0").expect("a sparkline of no errors");
    assert_eq!(buffer[(x, y)].style().fg, theme.muted.fg);
    assert_eq!(buffer[(x + 4, y)].style().fg, theme.base.fg);
    assert_ne!(theme.muted.fg, theme.danger.fg);
    let (x, y) = find(&buffer, "▁▃█ 41").expect("throttles sparkline");
    assert_eq!(buffer[(x + 4, y)].style().fg, theme.danger.fg);
    let (x, y) = find(&buffer, "1350").expect("queue depth");
    assert_eq!(buffer[(x, y)].style().fg, theme.health_warn.fg);
    // Monochrome draws the same text.
    let mono = draw(&state, &Theme::builtin("monochrome").unwrap(), (160, 48));
    assert_eq!(text_of(&mono), screen);
}

#[test]
fn s_and_i_on_a_function_go_down_the_one_action_path() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "L");
    press(&mut state, "j");
    press(&mut state, "s");
    let Mode::Palette(input) = &state.mode else { panic!("no palette: {:?}", state.mode) };
    assert_eq!(input.text, format!("concurrency lambda:{TRYON} "));
    type_text(&mut state, "30");
    let effects = press(&mut state, "enter");
    let planned = effects.iter().any(|e| {
        matches!(e, Effect::Op(op) if matches!(&**op, OpEffect::Plan { intent: Intent::Concurrency { reserved: Some(30), .. }, .. }))
    });
    assert!(planned, "{effects:?}");

    // No test event configured: the palette asks for one, nothing is planned.
    state.mode = Mode::Normal;
    state.ops.planning = None;
    let effects = press(&mut state, "i");
    assert!(effects.iter().all(|e| !matches!(e, Effect::Op(_))), "{effects:?}");
    let Mode::Palette(input) = &state.mode else { panic!("no palette") };
    assert_eq!(input.text, format!("invoke lambda:{TRYON} --payload "));

    // With one configured, i plans the invocation.
    state.mode = Mode::Normal;
    state.ctx.settings.lambda_events.insert(TRYON.into(), r#"{"Records": []}"#.into());
    let effects = press(&mut state, "i");
    let planned = effects.iter().any(|e| {
        matches!(e, Effect::Op(op) if matches!(&**op, OpEffect::Plan { intent: Intent::InvokeFunction { .. }, .. }))
    });
    assert!(planned, "{effects:?}");
}

#[test]
fn enter_on_an_endpoint_shows_the_model_its_package_and_the_newer_approved_one() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "tab");
    assert_eq!(state.dashboard.focus, Pane::Endpoints);
    assert!(state.fleet.endpoint_models.data.as_ref().is_some_and(|m| m.contains_key("prediction-endpoint")));
    let effects = press(&mut state, "enter");
    assert!(effects.is_empty(), "answered by the fake: {effects:?}");
    assert_eq!(state.dashboard.endpoint_detail.as_ref().unwrap().endpoint, "prediction-endpoint");
    let theme = dark();
    let buffer = draw(&state, &theme, (160, 48));
    let screen = text_of(&buffer);
    assert!(screen.contains("package   prediction-models v3 Approved"), "{screen}");
    assert!(screen.contains("prediction-models v4 (Approved) is approved"), "{screen}");
    let (x, y) = find(&buffer, "prediction-models v4").unwrap();
    assert_eq!(buffer[(x, y)].style().fg, theme.health_warn.fg);
    insta::assert_snapshot!("endpoint_detail_160x48", screen);
    press(&mut state, "esc");
    assert!(state.dashboard.endpoint_detail.is_none());
}

#[test]
fn the_functions_pane_polls_only_while_it_is_on_screen() {
    let mut state = loaded_state((160, 48));
    // Off screen: after the first read, a minute later nothing about functions is read.
    let later = t0() + chrono::Duration::seconds(120);
    let effects = opsdeck::app::update(&mut state, opsdeck::app::Msg::Tick(later));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Fetch { fetch: Fetch::Functions(_) | Fetch::FunctionMetrics(_), .. })),
        "{effects:?}"
    );
    answer(&mut state, effects);
    press(&mut state, "L");
    let later = later + chrono::Duration::seconds(61);
    let effects = opsdeck::app::update(&mut state, opsdeck::app::Msg::Tick(later));
    assert!(effects.iter().any(|e| matches!(e, Effect::Fetch { fetch: Fetch::Functions(_), .. })), "{effects:?}");
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::Fetch { fetch: Fetch::FunctionMetrics(f), .. } if f.len() == 2)));
}

#[tokio::test]
async fn lambda_throttle_is_found_from_its_alarm_and_mitigated_by_raising_concurrency() {
    let mut h = Headless::demo("lambda-throttle", 7).await;
    let fired = h.advance_until(900, |h| h.alarm_state("GarmaxAI-TryonThrottles-PROD") == AlarmState::Alarm).await;
    assert!(fired.is_some(), "the throttles alarm never fired");
    h.advance(30).await;
    // From the alarm: enter lands on the function, in the functions pane.
    h.state.dashboard.focus = Pane::Alarms;
    let at = rows::alarm_rows(&h.state.fleet, &h.state.dashboard.alarms_list)
        .iter()
        .position(|&i| h.state.fleet.alarms.data.as_ref().unwrap()[i].name == "GarmaxAI-TryonThrottles-PROD")
        .unwrap();
    h.state.dashboard.alarms_list.selected = at;
    h.key("enter").await;
    assert_eq!(h.state.dashboard.focus, Pane::Functions, "{:?}", h.state.ctx.flash);
    let selected = selected_function(&h.state.fleet, &h.state.dashboard.functions.list).unwrap();
    assert_eq!(selected.name, "GarmaxAi-TryonProcessor-PROD");
    h.advance(2).await;
    let screen = h.screen();
    assert!(screen.contains("GarmaxAi-TryonProcessor-PROD") && screen.contains("/10"), "{screen}");
    let metrics = &h.state.fleet.function_metrics.data.as_ref().unwrap()["GarmaxAi-TryonProcessor-PROD"];
    assert!(metrics.throttles.latest().unwrap_or(0.0) > 0.0, "throttling now: {metrics:?}");

    // s, 30, enter, y: planned, confirmed, applied, watched.
    h.key("s").await;
    h.text("30").await;
    h.key("enter").await;
    let Mode::Confirm(dialog) = &h.state.mode else { panic!("no confirm: {:?}", h.state.ctx.flash) };
    assert_eq!((dialog.plan.changes[0].before.as_str(), dialog.plan.changes[0].after.as_str()), ("10", "30"));
    h.key("y").await;
    let settled = h
        .advance_until(120, |h| {
            h.state
                .ops
                .operations
                .first()
                .and_then(|o| o.watch.as_ref())
                .is_some_and(|w| w.state == WatchState::Settled)
        })
        .await;
    assert!(settled.is_some(), "the change was not seen: {:?}", h.state.ops.operations);
    let resolved = h.advance_until(1800, |h| h.alarm_state("GarmaxAI-TryonThrottles-PROD") == AlarmState::Ok).await;
    assert!(resolved.is_some(), "throttles kept alarming after concurrency was raised");
    let f = h.state.fleet.function("GarmaxAi-TryonProcessor-PROD").unwrap();
    assert_eq!(f.reserved_concurrency, Some(30));
}

#[tokio::test]
async fn model_drift_marks_the_endpoint_and_its_detail_names_the_report() {
    let mut h = Headless::demo("model-drift", 7).await;
    h.advance(5).await;
    let screen = h.screen();
    assert!(screen.contains("prediction-endpoint drift"), "{screen}");
    h.key("tab").await;
    assert_eq!(h.state.dashboard.focus, Pane::Endpoints);
    let at = rows::endpoint_rows(&h.state.fleet, &h.state.dashboard.endpoints_list)
        .iter()
        .position(|r| h.state.fleet.endpoints.data.as_ref().unwrap()[r.endpoint].name == "prediction-endpoint")
        .unwrap();
    h.state.dashboard.endpoints_list.selected = at;
    h.key("enter").await;
    h.advance(1).await;
    let screen = h.screen();
    assert!(screen.contains("CompletedWithViolations"), "{screen}");
    assert!(screen.contains("s3://monitoring-bucket/"), "the report's location: {screen}");
    let models = &h.state.fleet.endpoint_models.data.as_ref().unwrap()["prediction-endpoint"];
    let report = models.monitoring[0].latest().and_then(|r| r.report.clone()).unwrap();
    assert!(report.ends_with("constraint_violations.json"), "{report}");
    assert!(screen.contains("is approved") && screen.contains("not deployed"), "{screen}");
    let _ = Action::Select;
}

#[test]
fn the_functions_table_gives_its_sparklines_way_to_numbers_on_a_narrow_pane_and_grows_when_zoomed() {
    let spark = |line: &str| line.chars().any(|c| ('▁'..='█').contains(&c));
    let rows = |screen: &str, name: &str| -> Vec<String> {
        screen.lines().filter(|l| l.contains(name)).map(|l| l.split('│').nth(1).unwrap_or("").to_string()).collect()
    };
    // 120 columns: the pane is 72 cells inside; numbers only, names cut with `…`, none set whole.
    let mut state = loaded_state((120, 40));
    press(&mut state, "L");
    let screen = text_of(&draw(&state, &dark(), (120, 40)));
    let billing = rows(&screen, "GarmaxAi-BillingPro");
    assert_eq!(billing.len(), 1, "{screen}");
    assert!(!spark(&billing[0]) && billing[0].contains("1/none set") && billing[0].contains('…'), "{screen}");
    assert!(screen.contains("INV/m ERR/m THR/m"), "{screen}");
    // Zoomed (158 cells): longer sparklines, the runtime and the age of the last change too.
    let mut state = loaded_state((160, 48));
    press(&mut state, "L");
    press(&mut state, "z");
    let buffer = draw(&state, &dark(), (160, 48));
    let screen = text_of(&buffer);
    assert!(screen.contains("RUNTIME") && screen.contains("MOD"), "{screen}");
    let tryon = rows(&screen, TRYON);
    assert!(spark(&tryon[0]) && tryon[0].contains("python3.12") && tryon[0].contains("3d"), "{screen}");
}
