//! Pure update: messages in, state and effects out. No terminal, no backend, no clock.

use crate::common;

use chrono::Duration;
use common::*;
use opsdeck::app::{update, Effect, Fetch, Mode, Msg, Pane, Reply};
use opsdeck::domain::LogBatch;
use opsdeck::keymap::Action;

/// The request id of the first fetch that `want` picks.
fn fetch_id(effects: &[Effect], want: impl Fn(&Fetch) -> bool) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Fetch { id, fetch } if want(fetch) => Some(*id),
        _ => None,
    })
}

fn fetches(effects: &[Effect]) -> Vec<&Fetch> {
    effects.iter().filter_map(|e| if let Effect::Fetch { fetch, .. } = e { Some(fetch) } else { None }).collect()
}

#[test]
fn the_first_tick_reads_every_pane_once() {
    let mut state = new_state((160, 48));
    let effects = update(&mut state, Msg::Tick(t0()));
    let kinds = fetches(&effects);
    for wanted in [Fetch::Services, Fetch::Endpoints, Fetch::Alarms, Fetch::Cost { fresh: false }] {
        assert!(kinds.contains(&&wanted), "missing {wanted:?} in {kinds:?}");
    }
    // While those are in flight, later ticks ask for nothing again.
    let again = update(&mut state, Msg::Tick(t0() + Duration::seconds(1)));
    assert!(fetches(&again).is_empty(), "{again:?}");
}

#[test]
fn cost_is_read_once_and_again_only_on_request() {
    let mut state = loaded_state((160, 48));
    for s in [10, 60, 600, 3600] {
        let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(s)));
        assert!(!fetches(&effects).contains(&&Fetch::Cost { fresh: false }), "cost polled at +{s}s");
        answer(&mut state, effects);
    }
    state.dashboard.focus = Pane::Cost;
    let effects = update(&mut state, Msg::Action(Action::Refresh));
    assert!(fetches(&effects).contains(&&Fetch::Cost { fresh: true }));
    // The old figures stay on screen while the new ones are read.
    assert!(state.fleet.cost.data.is_some());
}

#[test]
fn stale_and_unknown_replies_are_dropped() {
    let mut state = new_state((160, 48));
    let effects = update(&mut state, Msg::Tick(t0()));
    let id = fetch_id(&effects, |f| matches!(f, Fetch::Services)).unwrap();
    update(&mut state, Msg::Fetched(id + 1000, Reply::Services(Ok(services()))));
    assert!(state.fleet.services.data.is_none(), "a reply nobody asked for was kept");
    update(&mut state, Msg::Fetched(id, Reply::Services(Ok(services()))));
    assert_eq!(state.fleet.services.data.as_ref().map(Vec::len), Some(3));
    // The same reply twice is not accepted twice (nothing is in flight any more).
    state.fleet.services.data = None;
    update(&mut state, Msg::Fetched(id, Reply::Services(Ok(services()))));
    assert!(state.fleet.services.data.is_none());
}

#[test]
fn errors_keep_the_last_good_data() {
    let mut state = loaded_state((160, 48));
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(30)));
    let id = fetch_id(&effects, |f| matches!(f, Fetch::Alarms)).unwrap();
    let err = opsdeck::backend::BackendError::Throttled { api: "DescribeAlarms".into() };
    update(&mut state, Msg::Fetched(id, Reply::Alarms(Err(err))));
    assert_eq!(state.fleet.alarms.data.as_ref().map(Vec::len), Some(4));
    assert!(state.fleet.alarms.error.as_deref().unwrap().contains("throttled by DescribeAlarms"));
}

#[test]
fn enter_on_an_alarm_jumps_to_the_resource_it_watches() {
    let mut state = loaded_state((160, 48));
    state.dashboard.focus = Pane::Alarms;
    // ALARM sorts first; enter jumps to its service.
    assert_eq!(
        opsdeck::app::rows::selected_alarm(&state.fleet, &state.dashboard.alarms_list).unwrap().name,
        "CleanisticAI-HighErrorRate"
    );
    act(&mut state, Action::Select);
    assert_eq!(state.dashboard.focus, Pane::Services);
    assert_eq!(
        opsdeck::app::rows::selected_service(&state.fleet, &state.dashboard.services_list).unwrap().name,
        "cleanistic-ai-api"
    );
    // The endpoint alarm jumps to the endpoint pane, even through a filter that hid it.
    state.dashboard.focus = Pane::Endpoints;
    act(&mut state, Action::Filter);
    type_text(&mut state, "nomatch");
    press(&mut state, "enter");
    state.dashboard.focus = Pane::Alarms;
    act(&mut state, Action::Bottom);
    assert_eq!(
        opsdeck::app::rows::selected_alarm(&state.fleet, &state.dashboard.alarms_list).unwrap().name,
        "prediction-endpoint-ModelLatency-high"
    );
    act(&mut state, Action::Select);
    assert_eq!(state.dashboard.focus, Pane::Endpoints);
    assert!(state.dashboard.endpoints_list.filter.is_none());
}

#[test]
fn alarms_sort_by_what_needs_attention() {
    let state = loaded_state((160, 48));
    let alarms = state.fleet.alarms.data.as_ref().unwrap();
    let order: Vec<&str> = opsdeck::app::rows::alarm_rows(&state.fleet, &state.dashboard.alarms_list)
        .into_iter()
        .map(|i| alarms[i].name.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "CleanisticAI-HighErrorRate",
            "GarmaxAI-QueueDepth-PROD",
            "svg-ai-high-cpu",
            "prediction-endpoint-ModelLatency-high"
        ]
    );
}

#[test]
fn filters_narrow_rows_and_bad_regexes_change_nothing() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "/");
    assert!(matches!(state.mode, Mode::Filter(_)));
    type_text(&mut state, "svg");
    press(&mut state, "enter");
    assert_eq!(opsdeck::app::rows::service_rows(&state.fleet, &state.dashboard.services_list).len(), 1);
    // Inverse.
    press(&mut state, "/");
    press(&mut state, "ctrl-u");
    type_text(&mut state, "!svg");
    press(&mut state, "enter");
    assert_eq!(opsdeck::app::rows::service_rows(&state.fleet, &state.dashboard.services_list).len(), 2);
    // A bad regex: error shown, prompt kept, filter unchanged.
    press(&mut state, "/");
    press(&mut state, "ctrl-u");
    type_text(&mut state, "(unclosed");
    press(&mut state, "enter");
    assert!(matches!(&state.mode, Mode::Filter(input) if input.text == "(unclosed"));
    assert!(state.ctx.flash.as_ref().unwrap().text.contains("bad filter"));
    assert_eq!(state.dashboard.services_list.filter.as_ref().unwrap().text, "!svg");
    press(&mut state, "esc");
    // esc in normal mode clears the filter.
    press(&mut state, "esc");
    assert!(state.dashboard.services_list.filter.is_none());
    assert_eq!(opsdeck::app::rows::service_rows(&state.fleet, &state.dashboard.services_list).len(), 3);
}

#[test]
fn the_palette_switches_panes_filters_and_quits() {
    let mut state = loaded_state((160, 48));
    press(&mut state, ":");
    type_text(&mut state, "sm");
    press(&mut state, "enter");
    assert_eq!(state.dashboard.focus, Pane::Endpoints);
    press(&mut state, ":");
    type_text(&mut state, "svc svg");
    press(&mut state, "enter");
    assert_eq!(state.dashboard.focus, Pane::Services);
    assert_eq!(state.dashboard.services_list.filter.as_ref().unwrap().text, "svg");
    press(&mut state, ":");
    type_text(&mut state, "scael 3");
    press(&mut state, "enter");
    assert!(state.ctx.flash.as_ref().unwrap().text.contains("scael"), "{:?}", state.ctx.flash);
    assert_eq!(state.mode, Mode::Normal);
    // Tab completes a unique prefix.
    press(&mut state, ":");
    type_text(&mut state, "ala");
    press(&mut state, "tab");
    assert!(matches!(&state.mode, Mode::Palette(input) if input.text == "alarms "));
    press(&mut state, "esc");
    press(&mut state, ":");
    type_text(&mut state, "q");
    let effects = press(&mut state, "enter");
    assert!(effects.contains(&Effect::Quit));
}

#[test]
fn ctrl_c_asks_before_quitting() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "ctrl-c");
    assert_eq!(state.mode, Mode::ConfirmQuit);
    let effects = press(&mut state, "n");
    assert!(!effects.contains(&Effect::Quit));
    assert_eq!(state.mode, Mode::Normal);
    press(&mut state, "ctrl-c");
    let effects = press(&mut state, "ctrl-c");
    assert!(effects.contains(&Effect::Quit));
}

#[test]
fn the_log_tail_follows_the_selection_once_it_settles() {
    let mut state = loaded_state((160, 48));
    assert_eq!(state.dashboard.logs.source.as_ref().unwrap().group, "/ecs/cleanistic-ai-api");
    let old_generation = state.dashboard.logs.generation;
    press(&mut state, "j");
    // Not yet: the cursor has not rested.
    assert_eq!(state.dashboard.logs.source.as_ref().unwrap().group, "/ecs/cleanistic-ai-api");
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(2)));
    assert_eq!(state.dashboard.logs.source.as_ref().unwrap().group, "/ecs/backend-service");
    assert!(state.dashboard.logs.generation > old_generation);
    let log_fetch = effects.iter().find_map(|e| match e {
        Effect::Fetch { id, fetch: Fetch::Logs { generation, .. } } => Some((*id, *generation)),
        _ => None,
    });
    let (id, generation) = log_fetch.expect("a log read for the new source");
    // A late reply for the old source is dropped.
    update(
        &mut state,
        Msg::Fetched(
            id,
            Reply::Logs { generation: old_generation, result: Ok(LogBatch { events: log_events(3), skipped: 0 }) },
        ),
    );
    assert_eq!(state.dashboard.logs.view.buffer().len(), 0);
    update(
        &mut state,
        Msg::Fetched(id, Reply::Logs { generation, result: Ok(LogBatch { events: log_events(3), skipped: 2 }) }),
    );
    assert_eq!(state.dashboard.logs.view.buffer().len(), 3);
    // Older history a first tail read leaves behind is not a loss...
    assert_eq!(state.dashboard.logs.view.buffer().skipped(), 0);
    // ...but events a follow-up read could not return are, and they are counted.
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(4)));
    let (id, query) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Fetch { id, fetch: Fetch::Logs { query, .. } } => Some((*id, query.clone())),
            _ => None,
        })
        .expect("the tail polls again");
    assert_eq!(query, opsdeck::domain::LogQuery::After { id: 3 });
    let mut more = log_events(5);
    more.drain(..3);
    update(&mut state, Msg::Fetched(id, Reply::Logs { generation, result: Ok(LogBatch { events: more, skipped: 2 }) }));
    assert_eq!(state.dashboard.logs.view.buffer().len(), 5);
    assert_eq!(state.dashboard.logs.view.buffer().skipped(), 2);
}

#[test]
fn enter_shows_a_services_tasks_and_esc_goes_back() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "enter");
    let detail = state.dashboard.detail.as_ref().expect("detail view open");
    assert_eq!(detail.address.to_string(), "ecs:cleanistic-ai-cluster/cleanistic-ai-api");
    assert_eq!(
        detail.data.data.as_ref().unwrap().tasks[0].stopped_reason.as_deref(),
        Some("Task failed ELB health checks")
    );
    press(&mut state, "esc");
    assert!(state.dashboard.detail.is_none());
}

#[test]
fn text_from_the_cloud_is_made_inert() {
    let mut state = new_state((160, 48));
    let effects = update(&mut state, Msg::Tick(t0()));
    let id = fetch_id(&effects, |f| matches!(f, Fetch::Services)).unwrap();
    let mut evil = services();
    evil[0].name = "api\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J".into();
    update(&mut state, Msg::Fetched(id, Reply::Services(Ok(evil))));
    for s in state.fleet.services.data.as_ref().unwrap() {
        assert!(!s.name.chars().any(|c| c.is_control()), "control character kept in {:?}", s.name);
    }
}

#[test]
fn ctrl_s_saves_the_shown_lines() {
    let mut state = loaded_state((160, 48));
    state.dashboard.focus = Pane::Logs;
    press(&mut state, "/");
    type_text(&mut state, "error");
    press(&mut state, "enter");
    let effects = press(&mut state, "ctrl-s");
    let Some(Effect::SaveFile { path, contents }) = effects.first() else { panic!("no save: {effects:?}") };
    assert!(path.to_string_lossy().contains("opsdeck-ecs_cleanistic-ai-api-20261121T030400Z.log"), "{path:?}");
    assert_eq!(contents.lines().count(), 6, "only the 6 error lines of 30");
    assert!(contents.lines().all(|l| l.contains("\"level\":\"error\"")));
}

#[test]
fn log_keys_only_act_in_the_log_pane() {
    let mut state = loaded_state((160, 48));
    assert!(state.dashboard.logs.view.follow());
    press(&mut state, "f");
    assert!(state.dashboard.logs.view.follow(), "f outside the log pane must not pause the tail");
    state.dashboard.focus = Pane::Logs;
    press(&mut state, "f");
    assert!(!state.dashboard.logs.view.follow());
    press(&mut state, "G");
    assert!(state.dashboard.logs.view.follow());
    press(&mut state, "3");
    assert_eq!(state.dashboard.logs.window, opsdeck::app::LogWindow::Last(900));
}

#[test]
fn resizing_keeps_the_cursor_in_view() {
    let mut state = loaded_state((160, 48));
    press(&mut state, "G");
    update(&mut state, Msg::Resize(80, 6));
    let rows = state.areas().table_rows(Pane::Services);
    let list = &state.dashboard.services_list;
    assert!(list.selected >= list.offset && list.selected < list.offset + rows.max(1), "{list:?} rows {rows}");
}

fn alarms_fetch(effects: &[Effect]) -> Option<u64> {
    fetch_id(effects, |f| matches!(f, Fetch::Alarms))
}

#[test]
fn a_throttled_api_backs_off_and_ctrl_r_overrides_it() {
    let mut state = loaded_state((160, 48));
    let mut now = t0();
    // Four throttled answers in a row: the wait doubles each time (2, 4, 8, 16 s).
    for _ in 0..4 {
        now += Duration::seconds(60);
        let effects = update(&mut state, Msg::Tick(now));
        let id = alarms_fetch(&effects).expect("alarms due");
        let throttled = opsdeck::backend::BackendError::Throttled { api: "DescribeAlarms".into() };
        update(&mut state, Msg::Fetched(id, Reply::Alarms(Err(throttled))));
    }
    // The refresh interval (5 s) has passed, the backoff (16 s) has not.
    let effects = update(&mut state, Msg::Tick(now + Duration::seconds(10)));
    assert_eq!(alarms_fetch(&effects), None, "polled a throttled API during its backoff");
    assert_eq!(state.fleet.alarms.data.as_ref().map(Vec::len), Some(4), "last good data kept");
    // ctrl-r on the pane reads at once.
    state.dashboard.focus = Pane::Alarms;
    let effects = update(&mut state, Msg::Action(Action::Refresh));
    assert!(alarms_fetch(&effects).is_some(), "ctrl-r should override the backoff");
}

#[test]
fn expired_credentials_get_a_banner_and_ctrl_r_retries_every_pane() {
    let mut state = loaded_state((160, 48));
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(30)));
    let id = alarms_fetch(&effects).unwrap();
    let others: Vec<Effect> =
        effects.into_iter().filter(|e| !matches!(e, Effect::Fetch { fetch: Fetch::Alarms, .. })).collect();
    answer(&mut state, others);
    // As src/aws/errors.rs words an ExpiredTokenException: "credentials expired (...): run ...".
    let expired = opsdeck::backend::BackendError::Credentials(
        "expired (DescribeAlarms answered ExpiredTokenException): run `aws sso login --profile prod`".into(),
    );
    update(&mut state, Msg::Fetched(id, Reply::Alarms(Err(expired))));
    let problem = state.credentials_problem().unwrap();
    assert!(problem.starts_with("credentials expired (DescribeAlarms"), "{problem}");
    assert!(problem.contains("aws sso login --profile prod"), "{problem}");
    let theme = opsdeck::theme::Theme::builtin("dark").unwrap();
    let buffer = draw(&state, &theme, (160, 48));
    let top = text_of(&buffer).lines().next().unwrap().to_string();
    assert!(top.contains("aws sso login --profile prod") && top.contains("ctrl-r"), "{top}");
    // Screen state is kept: the services are still there.
    assert!(text_of(&buffer).contains("svg-ai-service"));
    state.dashboard.focus = Pane::Cost;
    let effects = update(&mut state, Msg::Action(Action::Refresh));
    let kinds = fetches(&effects);
    assert!(kinds.contains(&&Fetch::Services) && kinds.contains(&&Fetch::Endpoints), "{kinds:?}");
}

#[test]
fn api_usage_shows_in_the_status_bar() {
    let mut state = loaded_state((160, 48));
    update(&mut state, Msg::Usage(opsdeck::backend::ApiUsage { calls: 42, estimated_usd: 0.031 }));
    let theme = opsdeck::theme::Theme::builtin("dark").unwrap();
    let text = text_of(&draw(&state, &theme, (160, 48)));
    assert!(text.lines().last().unwrap().contains("api 42 calls ≈$0.03"), "{text}");
}

#[test]
fn profile_and_region_switch_inside_the_console() {
    use opsdeck::backend::BackendLabel;
    let mut state = loaded_state((160, 48));
    // The simulated fleet has no profiles.
    press(&mut state, ":");
    type_text(&mut state, "region eu-west-1");
    let effects = press(&mut state, "enter");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Reconnect { .. })));
    assert!(state.ctx.flash.as_ref().unwrap().text.contains("no profiles"));

    state.ctx.label = BackendLabel::Aws { profile: "prod".into(), region: "us-east-1".into() };
    press(&mut state, ":");
    type_text(&mut state, "region eu-west-1");
    let effects = update(&mut state, Msg::Text("enter".parse().unwrap()));
    assert!(
        effects.contains(&Effect::Reconnect { profile: Some("prod".into()), region: Some("eu-west-1".into()) }),
        "{effects:?}"
    );
    // A failed switch keeps everything.
    update(&mut state, Msg::Switched(Err("no such profile".into())));
    assert!(state.fleet.services.data.is_some());
    assert!(state.ctx.flash.as_ref().unwrap().text.contains("still on the previous account"));
    // A successful one forgets the old account and reads the new one.
    let label = BackendLabel::Aws { profile: "prod".into(), region: "eu-west-1".into() };
    let effects = update(&mut state, Msg::Switched(Ok(label.clone())));
    assert_eq!(state.ctx.label, label);
    assert!(
        state.fleet.services.data.is_none()
            && state.fleet.alarms.data.is_none()
            && state.dashboard.logs.source.is_none()
    );
    assert!(fetches(&effects).contains(&&Fetch::Services));
    // Bad names are refused before anything happens.
    press(&mut state, ":");
    type_text(&mut state, "profile bad;name");
    let effects = press(&mut state, "enter");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Reconnect { .. })));
}

#[test]
fn a_first_screen_of_services_shows_at_once_on_first_load_only() {
    let mut state = new_state((160, 48));
    let effects = update(&mut state, Msg::Tick(t0()));
    let id = fetch_id(&effects, |f| matches!(f, Fetch::Services)).unwrap();
    let mut first = services();
    first.truncate(2);
    update(&mut state, Msg::Fetched(id, Reply::ServicesFirstScreen(first)));
    assert_eq!(state.fleet.services.data.as_ref().map(Vec::len), Some(2), "first rows shown while the rest loads");
    assert_eq!(state.fleet.services.in_flight, Some(id), "still loading");
    update(&mut state, Msg::Fetched(id, Reply::Services(Ok(services()))));
    assert_eq!(state.fleet.services.data.as_ref().map(Vec::len), Some(3));
    // On a refresh the full list stays until the new full list arrives.
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(30)));
    let id = fetch_id(&effects, |f| matches!(f, Fetch::Services)).unwrap();
    update(&mut state, Msg::Fetched(id, Reply::ServicesFirstScreen(services()[..1].to_vec())));
    assert_eq!(state.fleet.services.data.as_ref().map(Vec::len), Some(3));
}

#[test]
fn configured_budgets_fill_in_where_the_account_has_none() {
    let mut state = new_state((160, 48));
    state.ctx.settings.monthly_budget = Some(500.0);
    state.ctx.settings.system_budgets.insert("svg-ai".into(), 99.0);
    let effects = update(&mut state, Msg::Tick(t0()));
    let id = fetch_id(&effects, |f| matches!(f, Fetch::Cost { .. })).unwrap();
    let mut report = cost();
    report.budget = None;
    report.by_system[1].budget = None;
    update(&mut state, Msg::Fetched(id, Reply::Cost(Ok(report))));
    let kept = state.fleet.cost.data.as_ref().unwrap();
    assert_eq!(kept.budget, Some(500.0));
    assert_eq!(kept.by_system[1].budget, Some(99.0), "svg-ai gets its configured budget");
    assert_eq!(kept.by_system[0].budget, Some(40.0), "a budget the account reports wins");
}

#[test]
fn large_accounts_refresh_services_less_often() {
    let mut state = new_state((160, 48));
    assert_eq!(opsdeck::app::schedule::services_interval(&state), Duration::seconds(5));
    let many: Vec<_> = (0..2000)
        .map(|i| common::service("big-cluster", &format!("svc-{i:04}"), 1, 1, opsdeck::domain::RolloutState::Completed))
        .collect();
    state.fleet.services.data = Some(many);
    assert_eq!(opsdeck::app::schedule::services_interval(&state), Duration::seconds(40));
}

#[test]
fn a_lost_lease_is_said_at_once_and_inert() {
    let mut state = loaded_state((160, 48));
    update(&mut state, Msg::LeaseLost("the lease on ecs:a/b was lost: now held by \u{1b}[31mbob@bastion".into()));
    let flash = state.ctx.flash.as_ref().expect("said");
    assert!(flash.text.contains("the lease on ecs:a/b was lost: now held by"), "{}", flash.text);
    assert!(!flash.text.contains('\u{1b}'), "no escape from the table reaches the terminal");
    assert!(state.dirty);
}

#[test]
fn a_fleet_accounts_failure_is_kept_inert() {
    let mut state = loaded_state((160, 48));
    update(&mut state, Msg::PlaceErrors(vec![("gone@us-east-1".into(), "services: \u{1b}]52;c;x\u{7}boom".into())]));
    assert_eq!(state.ctx.place_errors.len(), 1);
    assert!(!state.ctx.place_errors[0].1.contains('\u{1b}'), "{:?}", state.ctx.place_errors);
    update(&mut state, Msg::PlaceErrors(Vec::new()));
    assert!(state.ctx.place_errors.is_empty(), "a good read clears it");
}

#[test]
fn a_changing_label_waits_for_a_read_due_within_a_second_so_one_wake_serves_both() {
    use opsdeck::app::wake::next_wake;
    let mut state = loaded_state((160, 48));
    // Seen from a few seconds earlier, so every moment below is still ahead.
    state.ctx.now -= Duration::seconds(5);
    let now = state.ctx.now;
    state.ctx.redraw_at = None;
    let read = next_wake(&state);
    assert!(read > now + Duration::seconds(2), "{}", read - now);
    // A label changing 400 ms before the read is drawn with it: one wake, not two.
    state.ctx.redraw_at = Some(read - Duration::milliseconds(400));
    assert_eq!(next_wake(&state), read);
    // One changing more than a second before it is not held back.
    state.ctx.redraw_at = Some(read - Duration::milliseconds(1_500));
    assert_eq!(next_wake(&state), read - Duration::milliseconds(1_500));
    // A read due first is never delayed by a label.
    state.ctx.redraw_at = Some(read + Duration::milliseconds(300));
    assert_eq!(next_wake(&state), read);
}

#[test]
fn a_quiet_log_tail_is_read_less_often_and_a_new_line_brings_it_back_to_every_second() {
    let mut state = loaded_state((160, 48));
    let generation = state.dashboard.logs.generation;
    let log_read = |effects: &[Effect]| fetch_id(effects, |f| matches!(f, Fetch::Logs { .. }));
    let empty = || Ok(LogBatch { events: vec![], skipped: 0 });
    // Ticks a second apart; the seconds at which the tail was read while nothing new came.
    let mut read_at = Vec::new();
    for s in 1..=20 {
        let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(s)));
        if let Some(id) = log_read(&effects) {
            read_at.push(s);
            update(&mut state, Msg::Fetched(id, Reply::Logs { generation, result: empty() }));
        }
    }
    let gaps: Vec<i64> = read_at.windows(2).map(|w| w[1] - w[0]).collect();
    // Twice as long each time (1, 2, 4 s), then every 5 s: 5 reads in 20 s instead of 20.
    let slowing = gaps.windows(2).all(|w| w[0] < w[1] || w[1] == 5);
    assert!(slowing && gaps.contains(&4) && gaps.ends_with(&[5, 5]), "reads at {read_at:?}");
    // A read that brings lines: the next one is a second later again.
    let s = read_at.last().unwrap() + 5;
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(s)));
    let id = log_read(&effects).expect("due after 5 s");
    update(
        &mut state,
        Msg::Fetched(id, Reply::Logs { generation, result: Ok(LogBatch { events: log_events(2), skipped: 0 }) }),
    );
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(s + 1)));
    assert!(log_read(&effects).is_some(), "a tail with new lines is read every second");
}

#[test]
fn a_refresh_that_changes_nothing_draws_no_frame_and_one_that_does_draws_one() {
    let mut state = loaded_state((160, 48));
    state.dirty = false;
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(6)));
    let id = fetch_id(&effects, |f| matches!(f, Fetch::Services)).expect("the 5 s refresh");
    let same = state.fleet.services.data.clone().unwrap();
    update(&mut state, Msg::Fetched(id, Reply::Services(Ok(same.clone()))));
    assert!(!state.dirty, "the same rows again: nothing to draw");
    let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(12)));
    let id = fetch_id(&effects, |f| matches!(f, Fetch::Services)).expect("the next refresh");
    let mut changed = same;
    changed[0].running += 1;
    update(&mut state, Msg::Fetched(id, Reply::Services(Ok(changed))));
    assert!(state.dirty, "a task started: drawn");
}

#[test]
fn a_log_group_that_does_not_exist_is_not_asked_for_every_second_nor_redrawn_each_time() {
    let mut state = loaded_state((160, 48));
    let generation = state.dashboard.logs.generation;
    let missing = || {
        Err(opsdeck::backend::BackendError::NotFound("FilterLogEvents: The specified log group does not exist.".into()))
    };
    let (mut read_at, mut frames) = (Vec::new(), 0);
    for s in 1..=20 {
        let effects = update(&mut state, Msg::Tick(t0() + Duration::seconds(s)));
        state.dirty = false;
        if let Some(id) = fetch_id(&effects, |f| matches!(f, Fetch::Logs { .. })) {
            read_at.push(s);
            update(&mut state, Msg::Fetched(id, Reply::Logs { generation, result: missing() }));
            frames += u32::from(state.dirty);
        }
    }
    assert!(state.dashboard.logs.error.as_deref().is_some_and(|e| e.contains("does not exist")));
    assert!(read_at.len() <= 6, "asked {} times in 20 s: {read_at:?}", read_at.len());
    assert_eq!(frames, 1, "the error is drawn once, not again each time it repeats");
}
