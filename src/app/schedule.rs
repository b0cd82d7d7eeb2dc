//! What to read now. Only what is on screen is polled; cost is read once and on request only,
//! because every Cost Explorer call is billed. Each room says what it needs; this puts them in
//! order.

use super::msg::{Effect, Fetch};
use super::operations;
use super::pane::Pane;
use super::state::{Mode, State};

pub fn due_fetches(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.ctx.now;
    let areas = state.areas();
    let every = state.ctx.settings.refresh;
    let interval = services_interval(state);
    let (fleet, ctx) = (&mut state.fleet, &mut state.ctx);

    // The alarm count in the status bar is always visible, so alarms are always polled.
    if fleet.alarms.due(now, every) {
        let id = ctx.request_id();
        fleet.alarms.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Alarms });
    }
    // Services feed the log source and alarm jumps even when their pane is hidden.
    if fleet.services.due(now, interval) {
        let id = ctx.request_id();
        fleet.services.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Services });
    }
    let endpoints_wanted = areas.visible(Pane::Endpoints) || fleet.endpoints.data.is_none() || fleet.endpoints.cached;
    if fleet.endpoints.due(now, every) && endpoints_wanted {
        let id = ctx.request_id();
        fleet.endpoints.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Endpoints });
    }
    // Read once; the simulated fleet's (free) cost also after an action changed what runs. A failed
    // read is not repeated (each is billed), except a throttled one, after its backoff.
    let wanted = fleet.cost.data.is_none() || fleet.cost.cached || (ctx.is_demo() && fleet.cost.fetched_at.is_none());
    let may_retry = fleet.cost.error.is_none() || fleet.cost.throttled > 0;
    if wanted && may_retry && fleet.cost.due(now, every) {
        let id = ctx.request_id();
        fleet.cost.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Cost { fresh: false } });
    }
    state.panes().due_metrics(&areas, effects);
    state.panes().due_target_health(&areas, effects);
    state.panes().due_functions(&areas, effects);
    state.panes().due_endpoint_models(&areas, effects);
    if areas.visible(Pane::Services) {
        if let Some(detail) = state.dashboard.detail.as_mut() {
            detail.due(&mut state.ctx, effects);
        }
    }
    if areas.visible(Pane::Logs) {
        state.dashboard.logs.due(&mut state.ctx, effects);
    }
    if let Mode::Query(view) = &mut state.mode {
        view.due(&mut state.ctx, effects);
    }
    // The open incident's timeline: shared ones are read while the incident is open.
    state.timeline.due(&mut state.ctx, effects);
    // Watched operations are read whatever is on screen: their end must be seen and audited.
    operations::due(&mut state.ops, &mut state.ctx, effects);
    let next = state.runner().due(effects);
    state.show(next);
}

/// The last-known fleet is written after live reads, at most once a minute: enough for the next
/// start to draw something recent, cheap enough to never matter (a 2,000-service fleet is ~2 MB).
pub fn due_cache_write(state: &mut State, effects: &mut Vec<Effect>) {
    let crate::backend::BackendLabel::Aws { profile, region } = &state.ctx.label else { return };
    let Some(dir) = state.ctx.settings.fleet_cache_dir.as_ref() else { return };
    let now = state.ctx.now;
    let fleet = &mut state.fleet;
    if fleet.cache_written_at.is_some_and(|at| now - at < chrono::Duration::seconds(60)) {
        return;
    }
    // The first write waits for the lists every start reads, so the next start has them all.
    let answered = [fleet.services.fetched_at, fleet.alarms.fetched_at, fleet.endpoints.fetched_at];
    if fleet.cache_written_at.is_none() && answered.iter().any(Option::is_none) {
        return;
    }
    let snapshot = fleet.to_cache(now);
    if snapshot.services.is_none() && snapshot.alarms.is_none() {
        return;
    }
    fleet.cache_written_at = Some(now);
    let path = crate::fleet_cache::path(dir, profile, region);
    effects.push(Effect::SaveFleetCache { path, fleet: Box::new(snapshot) });
}

/// A full services refresh costs one DescribeServices per 10 services; keep it near 5 calls a
/// second (ECS sustains ~20 reads/s per account, shared with everything else) by stretching the
/// interval for large accounts: 2,000 services refresh every 40 s, not every 5.
pub fn services_interval(state: &State) -> chrono::Duration {
    let count = state.fleet.services.data.as_ref().map_or(0, Vec::len) as i64;
    let seconds_of_calls = (count + 49) / 50;
    state.ctx.settings.refresh.max(chrono::Duration::seconds(seconds_of_calls))
}

/// How often each pane reads, in words, for `opsdeck info`: the same numbers the schedule above
/// and the rooms use.
pub fn cadences(settings: &super::settings::Settings) -> Vec<(&'static str, String)> {
    let secs = |d: chrono::Duration| {
        humantime::format_duration(std::time::Duration::from_secs(d.num_seconds().max(0) as u64)).to_string()
    };
    let every = secs(settings.refresh);
    let metrics = secs(settings.metrics_refresh);
    let functions = secs(settings.refresh.max(chrono::Duration::seconds(super::functions::LIST_EVERY_SECS)));
    let models = secs(chrono::Duration::seconds(super::endpoint_detail::MODELS_EVERY_SECS).max(settings.refresh));
    vec![
        ("alarms", format!("every {every}, always (the status bar counts them)")),
        ("services", format!("every {every}, stretched to 1 s per 50 services (2,000 services: every 40 s)")),
        ("service metrics", format!("every {metrics}, the rows on screen only")),
        ("target health", format!("every {every}, the services on screen only")),
        ("service detail", format!("every {every} while open")),
        ("endpoints", format!("every {every} while on screen")),
        ("endpoint metrics", format!("every {metrics}, the rows on screen only")),
        ("endpoint models", format!("every {models} for the rows on screen, at once on enter")),
        ("functions", format!("every {functions} while on screen (once at start)")),
        ("function metrics", format!("every {metrics}, the rows on screen only")),
        (
            "logs",
            format!(
                "every {}, slowing to every {} while the tail is quiet (Live Tail streams where it can)",
                secs(settings.log_poll),
                secs(settings.log_poll.max(chrono::Duration::seconds(super::logs::QUIET_POLL_MAX_SECS)))
            ),
        ),
        ("cost", "once, then only on ctrl-r (each Cost Explorer request is billed)".to_string()),
        ("a watched action", format!("every {} until it settles", secs(settings.watch_poll))),
    ]
}
