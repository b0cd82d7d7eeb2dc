//! The last-known fleet: written after live reads (at most once a minute, AWS only), drawn at
//! the next start marked "as of ... ago, refreshing" and "cached" per pane, and replaced as live
//! answers arrive; never written back as if fresh, never used by the simulated fleet.

mod common;

use common::*;
use opsdeck::app::{update, Effect, Msg, Settings, State};
use opsdeck::backend::BackendLabel;
use opsdeck::fleet_cache::CachedFleet;
use opsdeck::theme::Theme;

fn aws() -> BackendLabel {
    BackendLabel::Aws { profile: "prod".into(), region: "eu-west-1".into() }
}

/// Tick and answer from the fixtures, keeping the effects the fixtures do not answer.
fn run(state: &mut State, at: chrono::DateTime<chrono::Utc>) -> Vec<Effect> {
    let effects = update(state, Msg::Tick(at));
    answer(state, effects)
}

fn saved(effects: &[Effect]) -> Option<(&std::path::Path, &CachedFleet)> {
    effects.iter().find_map(|e| match e {
        Effect::SaveFleetCache { path, fleet } => Some((path.as_path(), &**fleet)),
        _ => None,
    })
}

#[test]
fn live_reads_are_kept_and_the_next_start_draws_them_marked_until_live_ones_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { fleet_cache_dir: Some(dir.path().to_path_buf()), ..Settings::default() };
    let mut state = State::new(aws(), settings.clone(), t0(), (160, 48));
    let effects = run(&mut state, t0());
    let (path, fleet) = saved(&effects).expect("written after the first live reads");
    assert!(path.ends_with("prod@eu-west-1.json"), "{path:?}");
    assert_eq!(fleet.services.as_ref().map(Vec::len), Some(3));
    opsdeck::fleet_cache::save(path, fleet).unwrap();
    let effects = run(&mut state, t0() + chrono::Duration::seconds(30));
    assert!(saved(&effects).is_none(), "at most once a minute");

    // The next start: the fleet from disk at once, marked, before any answer.
    let cached = opsdeck::fleet_cache::load(path).unwrap().expect("read back");
    let later = t0() + chrono::Duration::hours(3);
    let mut next = State::new(aws(), settings, later, (160, 48));
    next.fleet.seed_from_cache(cached);
    let theme = Theme::builtin("dark").unwrap();
    let screen = text_of(&draw(&next, &theme, (160, 48)));
    assert!(screen.contains("as of 3h00m ago, refreshing"), "{screen}");
    assert!(screen.contains("ECS services cached 3h00m ago"), "{screen}");
    assert!(screen.contains("cleanistic-ai-api"), "the services are drawn: {screen}");
    // Every list is read live at once, and the marks go as the answers come.
    let effects = update(&mut next, Msg::Tick(later));
    assert!(effects.iter().any(|e| matches!(e, Effect::Fetch { fetch: opsdeck::app::Fetch::Services, .. })));
    let effects = answer(&mut next, effects);
    assert!(!next.fleet.showing_cached(), "live answers replaced the cache");
    let screen = text_of(&draw(&next, &theme, (160, 48)));
    assert!(!screen.contains("cached") && !screen.contains("refreshing"), "{screen}");
    let (_, fresh) = saved(&effects).expect("the live fleet is written again");
    assert_eq!(fresh.written_at, later);
}

#[test]
fn a_cached_list_is_never_written_back_as_fresh_and_the_demo_keeps_none() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { fleet_cache_dir: Some(dir.path().to_path_buf()), ..Settings::default() };
    let mut state = State::new(aws(), settings.clone(), t0(), (160, 48));
    let mut cached = state.fleet.to_cache(t0());
    cached.services = Some(services());
    state.fleet.seed_from_cache(cached);
    let snapshot = state.fleet.to_cache(t0());
    assert_eq!(snapshot.services, None, "still the cache's: not written back");

    let demo = BackendLabel::Demo { scenario: "calm".into(), seed: 1, speed: 1 };
    let mut state = State::new(demo, settings, t0(), (160, 48));
    let effects = run(&mut state, t0());
    assert!(saved(&effects).is_none(), "the simulated fleet is not cached");
}
