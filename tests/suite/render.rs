//! Rendered buffers: snapshots of the text, plus explicit checks of the styles that carry
//! meaning (snapshots hold no colour).

use crate::common;

use common::*;
use opsdeck::app::{Msg, Pane};
use opsdeck::domain::RolloutState;
use opsdeck::keymap::Action;
use opsdeck::theme::Theme;
use ratatui::style::Modifier;

fn dark() -> Theme {
    Theme::builtin("dark").unwrap()
}

#[test]
fn dashboard_at_160x48() {
    let state = loaded_state((160, 48));
    let buffer = draw(&state, &dark(), (160, 48));
    let text = text_of(&buffer);
    for title in ["ECS services", "SageMaker endpoints", "Logs", "Alarms", "Cost", "DEMO"] {
        assert!(text.contains(title), "{title} missing:\n{text}");
    }
    insta::assert_snapshot!("dashboard_160x48", text);
}

#[test]
fn focused_pane_with_tabs_at_80x24() {
    let mut state = loaded_state((80, 24));
    let buffer = draw(&state, &dark(), (80, 24));
    insta::assert_snapshot!("services_80x24", text_of(&buffer));
    for (pane, command) in
        [(Pane::Alarms, "alarms"), (Pane::Endpoints, "sm"), (Pane::Cost, "cost"), (Pane::Logs, "logs")]
    {
        press(&mut state, ":");
        type_text(&mut state, command);
        press(&mut state, "enter");
        assert_eq!(state.dashboard.focus, pane);
        // A pane that just became visible reads what it lacks on the next tick.
        let effects = opsdeck::app::update(&mut state, Msg::Tick(t0() + chrono::Duration::seconds(1)));
        answer(&mut state, effects);
        let text = text_of(&draw(&state, &dark(), (80, 24)));
        insta::assert_snapshot!(format!("{pane:?}_80x24").to_lowercase(), text);
    }
}

#[test]
fn an_alarm_row_is_styled_as_danger() {
    let theme = dark();
    let state = loaded_state((160, 48));
    let buffer = draw(&state, &theme, (160, 48));
    let (x, y) = find(&buffer, "CleanisticAI-HighErrorRate").expect("alarm row on screen");
    assert_eq!(buffer[(x, y)].fg, theme.danger.fg.unwrap(), "ALARM row not danger-coloured");
    let (x, y) = find(&buffer, "svg-ai-high-cpu").expect("ok alarm row on screen");
    assert_ne!(buffer[(x, y)].fg, theme.danger.fg.unwrap(), "an OK alarm must not look like danger");
    let (x, y) = find(&buffer, "FAILED").expect("failed rollout shown");
    assert_eq!(buffer[(x, y)].fg, theme.danger.fg.unwrap());
}

#[test]
fn targets_failing_their_health_checks_are_marked_in_the_alarm_colour() {
    let theme = dark();
    let state = loaded_state((160, 48));
    let buffer = draw(&state, &theme, (160, 48));
    let (x, y) = find(&buffer, "1/2 ✗").expect("cleanistic's targets: one of two healthy, one failing");
    assert_eq!(buffer[(x, y)].fg, theme.danger.fg.unwrap(), "failing targets not danger-coloured");
    let (x, y) = find(&buffer, "2/2     COMPLETED").expect("svg-ai's targets: both healthy");
    assert_eq!(buffer[(x, y)].fg, theme.health_ok.fg.unwrap());
    // backend-service sits behind no load balancer: its TARGETS cell is blank.
    let text = text_of(&buffer);
    let row = text.lines().find(|l| l.contains("backend-service")).unwrap();
    assert!(row.contains("1/2             IN_PROGRESS"), "{row}");
}

/// Services of the same name in clusters whose names share a long start (`scale-cluster-00`, ...)
/// are told apart at 80 columns: the CLUSTER cells show what differs, not the same cut-off start.
#[test]
fn clusters_sharing_a_long_start_are_told_apart_in_a_narrow_pane() {
    let mut state = loaded_state((80, 24));
    state.fleet.services.data =
        Some((0..4).map(|n| service(&format!("scale-cluster-{n:02}"), "api", 1, 1, RolloutState::Completed)).collect());
    let text = text_of(&draw(&state, &dark(), (80, 24)));
    let rows: Vec<&str> = text.lines().filter(|l| l.contains(" api ")).collect();
    assert_eq!(rows.len(), 4, "{text}");
    for (n, row) in rows.iter().enumerate() {
        assert!(row.contains(&format!("…{n:02} ")), "cluster {n:02} not told apart in {row:?}:\n{text}");
    }
}

/// Where a CLUSTER column would cut the service names, a narrow pane keeps the names whole and
/// leaves the cluster to the detail, unless two clusters hold services of the same name.
#[test]
fn a_narrow_pane_keeps_unique_service_names_whole_instead_of_a_cluster_column() {
    let state = loaded_state((80, 24));
    let text = text_of(&draw(&state, &dark(), (80, 24)));
    let header = text.lines().find(|l| l.contains("SERVICE")).unwrap();
    assert!(!header.contains("CLUSTER"), "{header}");
    assert!(text.contains("cleanistic-ai-api "), "{text}");
    let wide = text_of(&draw(&state, &dark(), (160, 48)));
    assert!(wide.lines().any(|l| l.contains("CLUSTER") && l.contains("SERVICE")), "{wide}");
}

#[test]
fn missing_metrics_read_as_no_data_not_zero() {
    let mut state = loaded_state((160, 48));
    // Zoomed, the pane is wide enough for the cluster column and the sparklines both.
    state.dashboard.zoomed = true;
    let buffer = draw(&state, &dark(), (160, 48));
    let text = text_of(&buffer);
    let row = text.lines().find(|l| l.contains("cleanistic-ai-api") && l.contains("FAILED")).unwrap();
    assert!(row.contains("···"), "no-data dots expected in {row}");
    assert!(row.contains(" - "), "memory with no datapoints must read '-', not 0%: {row}");
    assert!(!row.contains(" 0%"), "{row}");
}

#[test]
fn monochrome_carries_meaning_without_colour() {
    let theme = Theme::builtin("monochrome").unwrap();
    let state = loaded_state((160, 48));
    let buffer = draw(&state, &theme, (160, 48));
    for cell in buffer.content() {
        assert!(matches!(cell.fg, ratatui::style::Color::Reset), "colour {:?} in monochrome", cell.fg);
    }
    let (x, y) = find(&buffer, "CleanisticAI-HighErrorRate").unwrap();
    assert!(buffer[(x, y)].modifier.intersects(Modifier::BOLD | Modifier::REVERSED), "ALARM row has no emphasis");
}

#[test]
fn selection_and_log_matches_are_highlighted() {
    let theme = dark();
    let mut state = loaded_state((160, 48));
    state.dashboard.focus = Pane::Logs;
    press(&mut state, "/");
    type_text(&mut state, "error");
    press(&mut state, "enter");
    press(&mut state, "H");
    let buffer = draw(&state, &theme, (160, 48));
    let (x, y) = find(&buffer, "error\",\"status\":500").expect("a matching line");
    assert_eq!(buffer[(x, y)].style().patch(theme.match_highlight), buffer[(x, y)].style(), "match not highlighted");
    assert!(text_of(&buffer).contains("highlight /error/"));
}

#[test]
fn every_size_renders_without_panicking() {
    let theme = dark();
    let state = loaded_state((160, 48));
    for (w, h) in [(1, 1), (2, 2), (10, 3), (19, 4), (20, 5), (40, 10), (80, 24), (119, 29), (120, 30), (250, 80)] {
        let mut state_at = loaded_state((w, h));
        state_at.dashboard.focus = state.dashboard.focus;
        let buffer = draw(&state_at, &theme, (w, h));
        assert_eq!(buffer.area.width, w);
    }
}

#[test]
fn every_builtin_theme_renders_every_pane_and_popup() {
    for name in opsdeck::theme::BUILTIN_THEMES {
        let theme = Theme::builtin(name).unwrap();
        let mut state = loaded_state((160, 48));
        draw(&state, &theme, (160, 48));
        act(&mut state, Action::Help);
        let text = text_of(&draw(&state, &theme, (160, 48)));
        assert!(text.contains("show this help"), "{name}: help missing");
        assert!(text.contains(":sm"), "{name}: palette commands missing from help");
    }
}

#[test]
fn the_palette_shows_suggestions() {
    let mut state = loaded_state((160, 48));
    press(&mut state, ":");
    type_text(&mut state, "a");
    let text = text_of(&draw(&state, &dark(), (160, 48)));
    assert!(text.contains("alarms (alarm)"), "{text}");
    assert!(text.lines().last().unwrap().starts_with(":a"));
}

#[test]
fn the_detail_view_lists_tasks_and_events() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "enter");
    let _ = opsdeck::app::update(&mut state, Msg::Tick(t0()));
    let text = text_of(&draw(&state, &dark(), (160, 48)));
    assert!(text.contains("Task failed ELB health checks"), "{text}");
    assert!(text.contains("deployment failed"), "{text}");
    insta::assert_snapshot!("detail_160x48", text);
}

#[test]
fn cost_shows_budget_and_bars() {
    let theme = dark();
    let state = loaded_state((160, 48));
    let buffer = draw(&state, &theme, (160, 48));
    let text = text_of(&buffer);
    assert!(text.contains("forecast $640.00"), "{text}");
    assert!(text.contains("budget $600.00 (107%)"), "{text}");
    let (x, y) = find(&buffer, "$640.00").unwrap();
    assert_eq!(buffer[(x, y)].fg, theme.over_budget.fg.unwrap(), "forecast over budget not flagged");
}
