//! Rendered buffers of the environments view and the runbook view, on the simulated fleet with
//! a manual clock: snapshots of the text plus explicit checks of the styles that carry meaning.

use crate::common;
use crate::console;

use common::{draw, find, text_of};
use console::Headless;
use opsdeck::domain::AlarmState;
use opsdeck::theme::Theme;

fn dark() -> Theme {
    Theme::builtin("dark").unwrap()
}

#[tokio::test]
async fn the_environments_view_at_140x40() {
    let mut h = Headless::demo("calm", 5).await;
    h.state.ctx.size = (140, 40);
    h.key("E").await;
    h.key("j").await;
    h.key("enter").await;
    let theme = dark();
    let buffer = draw(&h.state, &theme, h.state.ctx.size);
    insta::assert_snapshot!("environments_view_140x40", text_of(&buffer));
    let (x, y) = find(&buffer, "garmax-prod").expect("listed");
    assert_eq!(buffer[(x, y)].style().fg, theme.health_ok.fg, "a running environment reads as healthy");
}

#[tokio::test]
async fn a_runbook_with_a_done_and_a_failed_step_at_140x40() {
    let mut h = Headless::with("bad-deploy", 7, |dir| {
        let mut s = console::demo_settings(dir);
        s.read_only = true;
        s
    })
    .await;
    h.state.ctx.size = (140, 40);
    h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    for key in ["backtab", "backtab", "o", "enter", "enter", "y"] {
        h.key(key).await;
    }
    let theme = dark();
    let buffer = draw(&h.state, &theme, h.state.ctx.size);
    insta::assert_snapshot!("runbook_view_140x40", text_of(&buffer));
    let (x, y) = find(&buffer, "[✓] 1. Read what").expect("step 1 done");
    assert_eq!(buffer[(x, y)].style().fg, theme.health_ok.fg);
    let (x, y) = find(&buffer, "[✗] 2. Roll back").expect("step 2 refused (read-only)");
    let selected = buffer[(x, y)].style();
    // The failed step is the one selected: its failure is spelled out under it, in danger.
    assert_eq!(selected.bg, theme.selection.bg, "{selected:?}");
    let (x, y) = find(&buffer, "✗ refused").expect("why it failed");
    assert_eq!(buffer[(x, y)].style().fg, theme.danger.fg);
}

#[tokio::test]
async fn the_chart_of_a_firing_alarm_at_80x24_in_colour_and_in_monochrome() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.state.ctx.size = (80, 24);
    h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    h.advance(60).await;
    h.state.dashboard.focus = opsdeck::app::Pane::Alarms;
    h.key("m").await;
    let theme = dark();
    let buffer = draw(&h.state, &theme, h.state.ctx.size);
    insta::assert_snapshot!("alarm_chart_80x24", text_of(&buffer));
    let (x, y) = find(&buffer, opsdeck::ui::chart::THRESHOLD).expect("the threshold line");
    assert_eq!(buffer[(x, y)].style().fg, theme.chart_threshold.fg);
    let (x, y) = find(&buffer, opsdeck::ui::chart::ALARM_MARK).expect("the ALARM period");
    assert_eq!(buffer[(x, y)].style().fg, theme.chart_alarm.fg);
    // Without colour the same marks carry the meaning: the text is the same, character for character.
    let mono = Theme::builtin("monochrome").unwrap();
    assert_eq!(text_of(&draw(&h.state, &mono, h.state.ctx.size)), text_of(&buffer));
}

#[tokio::test]
async fn the_query_view_with_its_rows_at_100x30() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.state.ctx.size = (100, 30);
    h.advance_until(600, |h| h.alarm_state("CleanisticAI-HighErrorRate") == AlarmState::Alarm).await;
    h.key(":").await;
    h.text("query --group /ecs/cleanistic-ai --since 15m 'filter @message like /KeyError/ | stats count(*) as errors by bin(1m)'")
        .await;
    h.key("enter").await;
    h.advance(5).await;
    let theme = dark();
    let buffer = draw(&h.state, &theme, h.state.ctx.size);
    insta::assert_snapshot!("query_view_100x30", text_of(&buffer));
    let (x, y) = find(&buffer, "bin(1m)                  errors").expect("the header");
    assert_eq!(buffer[(x, y)].style().fg, theme.header.fg, "{:?} at {x},{y}", buffer[(x, y)]);
    let (x, y) = find(&buffer, "> filter").expect("the query");
    assert_eq!(buffer[(x, y)].style().fg, theme.accent.fg);
}

#[tokio::test]
async fn the_incident_timeline_with_two_operators_at_120x30() {
    use opsdeck::app::{Mode, TimelineFeed, TimelineView};
    use opsdeck::incident::{Entry, Kind};
    let mut h = Headless::new("calm", 5).await;
    h.state.ctx.size = (120, 30);
    h.state.ctx.settings.team = true;
    h.state.ctx.incident = Some("db-outage".into());
    let at = |m: i64| console::start() + chrono::Duration::minutes(m);
    let entries = vec![
        Entry::new("db-outage", Kind::Start, "started by hand", at(0), "alice@b1"),
        Entry::new("db-outage", Kind::Alarm, "CleanisticAI-HighErrorRate OK -> ALARM: 5XX > 5", at(1), "cloudwatch"),
        Entry::new("db-outage", Kind::Join, "joined", at(2), "bob@b2"),
        Entry::new("db-outage", Kind::Note, "rolled back to :14", at(4), "bob@b2"),
    ];
    h.state.timeline = TimelineFeed {
        incident: Some("db-outage".into()),
        entries,
        present: vec!["bob@b2".into()],
        ..TimelineFeed::default()
    };
    h.state.mode = Mode::Timeline(TimelineView { selected: 3 });
    let theme = dark();
    let buffer = draw(&h.state, &theme, h.state.ctx.size);
    insta::assert_snapshot!("incident_timeline_120x30", text_of(&buffer));
    let (x, y) = find(&buffer, "also here: bob@b2").expect("who else is in it");
    assert_eq!(buffer[(x, y)].style().fg, theme.info.fg);
    let (x, y) = find(&buffer, "CleanisticAI-HighErrorRate OK -> ALARM").expect("the alarm");
    assert_eq!(buffer[(x, y)].style().fg, theme.health_warn.fg, "an alarm change reads as a warning");
    let (x, y) = find(&buffer, "rolled back to :14").expect("the note");
    assert_eq!(buffer[(x, y)].style().bg, theme.selection.bg, "the selected entry");
}

#[tokio::test]
async fn the_team_audit_view_with_two_operators_at_120x30_and_its_fallback() {
    use opsdeck::app::{AuditView, Mode};
    use opsdeck::audit::{AuditEntry, Who};
    let mut h = Headless::new("calm", 5).await;
    h.state.ctx.size = (120, 30);
    h.state.ctx.settings.team = true;
    let entry = |id: &str, user: &str, arn: &str, resource: &str, count: u32| AuditEntry {
        id: id.into(),
        started: console::start(),
        who: Who { arn: arn.into(), user: user.into(), ssh_client: None },
        profile: "prod".into(),
        region: "us-east-1".into(),
        action: "scale".into(),
        resource: resource.into(),
        command: format!("scale {resource} {count}"),
        before: serde_json::json!({}),
        after: serde_json::json!({}),
        request_ids: vec!["req-1".into()],
        outcome: "succeeded".into(),
        inverse: Some(format!("scale {resource} 2")),
        steps: Vec::new(),
    };
    let entries = vec![
        entry("20261206T041002Z-c5de", "bob@b2", "arn:aws:iam::123456789012:user/bob", "ecs:c/api", 4),
        entry(
            "20261206T040911Z-796d",
            "alice@b1",
            "arn:aws:sts::123456789012:assumed-role/oncall/alice",
            "ecs:c/svg",
            3,
        ),
    ];
    let view = AuditView {
        entries: entries.clone(),
        selected: 0,
        loading: false,
        error: None,
        undo_when_read: None,
        table: Some("opsdeck-team".into()),
        shared_error: None,
    };
    h.state.mode = Mode::Audit(view.clone());
    let theme = dark();
    let buffer = draw(&h.state, &theme, h.state.ctx.size);
    insta::assert_snapshot!("team_audit_view_120x30", text_of(&buffer));
    assert!(find(&buffer, "alice@b1 assumed-role/oncall/alice").is_some(), "the operator column");
    // The table unreachable: this bastion's actions, said in a warning's colour.
    h.state.mode = Mode::Audit(AuditView {
        entries: entries[..1].to_vec(),
        shared_error: Some("team table unreachable: dispatch failure".into()),
        ..view
    });
    let buffer = draw(&h.state, &theme, h.state.ctx.size);
    let (x, y) = find(&buffer, "⚠ team table opsdeck-team unreachable").expect("the note");
    assert_eq!(buffer[(x, y)].style().fg, theme.health_warn.fg);
    assert!(find(&buffer, "this bastion's actions only").is_some());
    assert!(find(&buffer, "operator").is_none(), "no operator column without the table");
}
