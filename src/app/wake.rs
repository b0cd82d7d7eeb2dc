//! When the console must next wake while nothing is typed and nothing answers: the earliest of
//! the reads due on screen, a label that changes, a message that goes. The runtime sleeps until
//! then instead of ticking four times a second, so an idle console costs almost nothing.
//! While something moves on its own (an action being watched, a runbook step, a query, the log
//! pane about to switch) it ticks at `BUSY_MS`.

use super::endpoint_detail::MODELS_EVERY_SECS;
use super::functions::LIST_EVERY_SECS;
use super::loadable::Loadable;
use super::pane::Pane;
use super::schedule::services_interval;
use super::state::{Mode, State};
use chrono::{DateTime, Duration, Utc};

/// The tick while something moves on its own (engineer's milliseconds).
pub const BUSY_MS: i64 = 250;
/// Never sleep longer than this (engineer's seconds): a bound on anything not foreseen here.
pub const MAX_SLEEP_SECS: i64 = 30;
/// A deadline already past that the schedule did not act on (a pane hidden since) waits this
/// long rather than spinning (engineer's milliseconds).
const OVERDUE_MS: i64 = 1_000;
/// How late a label may change to share a wake with a read (engineer's milliseconds): labels in
/// seconds are already drawn up to a second behind.
const LABEL_GRAIN_MS: i64 = 1_000;

/// The moment (on the state's clock, which may run faster than the wall's) to wake at.
pub fn next_wake(state: &State) -> DateTime<Utc> {
    let (now, speed) = (state.ctx.now, state.ctx.speed());
    let engineer_ms = |ms: i64| Duration::milliseconds(ms * speed);
    if busy(state) {
        return now + engineer_ms(BUSY_MS);
    }
    // A label that reads differently may wait for a read due within its grain (a second): one
    // wake serves both (on the demo the seconds of the log ages and the log poll each woke the
    // console once a second, a wake apart).
    let mut labels = Wake { at: now + engineer_ms(MAX_SLEEP_SECS * 1_000) };
    labels.at(state.ctx.redraw_at);
    labels.at(state.ctx.flash_expires_at());
    let services_every = services_interval(state);
    // The status bar's "live" turns into "refreshed 12s ago" when two refreshes are missed.
    labels.at(state.fleet.services.fetched_at.map(|at| at + services_every * 2));
    let wake = reads_due(state);
    let at =
        if wake > labels.at && wake <= labels.at + engineer_ms(LABEL_GRAIN_MS) { wake } else { wake.min(labels.at) };
    if at <= now {
        return now + engineer_ms(OVERDUE_MS);
    }
    at
}

/// The earliest moment a read (or a watch's end) is due.
fn reads_due(state: &State) -> DateTime<Utc> {
    let (now, speed) = (state.ctx.now, state.ctx.speed());
    let mut wake = Wake { at: now + Duration::milliseconds(MAX_SLEEP_SECS * 1_000 * speed) };
    wake.at(state.timeline.next_read(&state.ctx));
    let keep = Duration::seconds(super::operations::SHOWN_AFTER_END_SECS * speed);
    for op in &state.ops.operations {
        wake.at(op.finished_at.map(|at| at + keep));
    }

    let (fleet, settings, areas) = (&state.fleet, &state.ctx.settings, state.areas());
    let (every, metrics) = (settings.refresh, settings.metrics_refresh);
    wake.read(&fleet.alarms, every);
    wake.read(&fleet.services, services_interval(state));
    if areas.visible(Pane::Endpoints) || fleet.endpoints.data.is_none() || fleet.endpoints.cached {
        wake.read(&fleet.endpoints, every);
    }
    if fleet.cost.data.is_none() && fleet.cost.error.is_none() {
        wake.read(&fleet.cost, every);
    }
    if areas.visible(Pane::Services) {
        wake.read(&fleet.target_health, every);
        match &state.dashboard.detail {
            Some(detail) => wake.read(&detail.data, every),
            None => wake.read(&fleet.service_metrics, metrics),
        }
    }
    if areas.visible(Pane::Endpoints) {
        wake.read(&fleet.endpoint_metrics, metrics);
        wake.read(&fleet.endpoint_models, Duration::seconds(MODELS_EVERY_SECS).max(every));
    }
    if areas.visible(Pane::Functions) {
        wake.read(&fleet.functions, every.max(Duration::seconds(LIST_EVERY_SECS)));
        wake.read(&fleet.function_metrics, metrics);
        if let Some(detail) = &state.dashboard.functions.detail {
            wake.read(&detail.data, every);
        }
    }
    let logs = &state.dashboard.logs;
    if areas.visible(Pane::Logs) && logs.source.is_some() && logs.in_flight.is_none() {
        wake.at(Some(logs.polled_at.map_or(now, |at| at + logs.poll_every(settings.log_poll))));
    }
    wake.at
}

/// Something on screen moves without a key or a timer of its own.
fn busy(state: &State) -> bool {
    let ops = &state.ops;
    ops.planning.is_some()
        || ops.executing
        || ops.operations.iter().any(|o| o.finished_at.is_none())
        || state.runbook.as_ref().is_some_and(|r| r.running().is_some())
        || matches!(state.mode, Mode::Query(_))
        || state.dashboard.logs.pending.is_some()
}

struct Wake {
    at: DateTime<Utc>,
}

impl Wake {
    fn at(&mut self, at: Option<DateTime<Utc>>) {
        if let Some(at) = at {
            self.at = self.at.min(at);
        }
    }

    /// When a list polled every `every` is next due; nothing while a read is in flight (its
    /// answer wakes the console).
    fn read<T>(&mut self, list: &Loadable<T>, every: Duration) {
        if list.in_flight.is_some() {
            return;
        }
        let due = list.fetched_at.map(|at| at + every);
        self.at(match (due, list.retry_at) {
            (Some(due), Some(retry)) => Some(due.max(retry)),
            (None, None) => Some(DateTime::<Utc>::MIN_UTC),
            (due, retry) => due.or(retry),
        });
    }
}
