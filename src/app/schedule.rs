//! What to read now. Only what is on screen is polled; cost is read once and on request only,
//! because every Cost Explorer call is billed.

use super::msg::{Effect, Fetch};
use super::rows;
use super::state::{Pane, State};
use crate::domain::LogQuery;

pub fn due_fetches(state: &mut State, effects: &mut Vec<Effect>) {
    let now = state.now;
    let areas = state.areas();
    let every = state.settings.refresh;

    // The alarm count in the status bar is always visible, so alarms are always polled.
    if state.alarms.due(now, every) {
        let id = state.request_id();
        state.alarms.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Alarms });
    }
    // Services feed the log source and alarm jumps even when their pane is hidden.
    if state.services.due(now, services_interval(state)) {
        let id = state.request_id();
        state.services.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Services });
    }
    if state.endpoints.due(now, every) && (areas.visible(Pane::Endpoints) || state.endpoints.data.is_none()) {
        let id = state.request_id();
        state.endpoints.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Endpoints });
    }
    // Read once; the simulated fleet's (free) cost also after an action changed what runs.
    let wanted = state.cost.data.is_none() || (state.is_demo() && state.cost.fetched_at.is_none());
    if wanted && state.cost.error.is_none() && state.cost.due(now, every) {
        let id = state.request_id();
        state.cost.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Cost { fresh: false } });
    }
    if areas.visible(Pane::Services) && state.detail.is_none() {
        service_metrics(state, areas.table_rows(Pane::Services), effects);
    }
    if areas.visible(Pane::Endpoints) {
        endpoint_metrics(state, areas.table_rows(Pane::Endpoints), effects);
    }
    if let Some(detail) = state.detail.as_ref() {
        if areas.visible(Pane::Services) && detail.data.due(now, every) {
            let address = detail.address.clone();
            let id = state.request_id();
            if let Some(detail) = state.detail.as_mut() {
                detail.data.in_flight = Some(id);
            }
            effects.push(Effect::Fetch { id, fetch: Fetch::ServiceDetail(address) });
        }
    }
    if areas.visible(Pane::Logs) {
        logs(state, effects);
    }
    // Watched operations are read whatever is on screen: their end must be seen and audited.
    super::operations::due(state, effects);
    super::runbooks::due(state, effects);
}

fn service_metrics(state: &mut State, visible_rows: usize, effects: &mut Vec<Effect>) {
    if !state.service_metrics.due(state.now, state.settings.metrics_refresh)
        && !metrics_missing_for_view(state, visible_rows)
    {
        return;
    }
    if state.service_metrics.in_flight.is_some() {
        return;
    }
    let Some(services) = state.services.data.as_ref() else { return };
    let addresses: Vec<_> = rows::service_rows(state)
        .into_iter()
        .skip(state.services_list.offset)
        .take(visible_rows.max(1))
        .map(|i| services[i].address())
        .collect();
    if addresses.is_empty() {
        return;
    }
    let id = state.request_id();
    state.service_metrics.in_flight = Some(id);
    effects.push(Effect::Fetch { id, fetch: Fetch::ServiceMetrics(addresses) });
}

/// Rows scrolled into view with no metrics yet are fetched at once, not at the next interval.
fn metrics_missing_for_view(state: &State, visible_rows: usize) -> bool {
    let Some(services) = state.services.data.as_ref() else { return false };
    let have = state.service_metrics.data.as_ref();
    rows::service_rows(state)
        .into_iter()
        .skip(state.services_list.offset)
        .take(visible_rows)
        .any(|i| have.is_none_or(|m| !m.contains_key(&services[i].address())))
}

fn endpoint_metrics(state: &mut State, visible_rows: usize, effects: &mut Vec<Effect>) {
    if state.endpoint_metrics.in_flight.is_some() {
        return;
    }
    let Some(endpoints) = state.endpoints.data.as_ref() else { return };
    let mut names: Vec<String> = rows::endpoint_rows(state)
        .into_iter()
        .skip(state.endpoints_list.offset)
        .take(visible_rows.max(1))
        .map(|r| endpoints[r.endpoint].name.clone())
        .collect();
    names.dedup();
    if names.is_empty() {
        return;
    }
    let missing = state.endpoint_metrics.data.as_ref().is_none_or(|m| names.iter().any(|n| !m.contains_key(n)));
    if !missing && !state.endpoint_metrics.due(state.now, state.settings.metrics_refresh) {
        return;
    }
    let id = state.request_id();
    state.endpoint_metrics.in_flight = Some(id);
    effects.push(Effect::Fetch { id, fetch: Fetch::EndpointMetrics(names) });
}

fn logs(state: &mut State, effects: &mut Vec<Effect>) {
    let logs = &state.logs;
    let Some(source) = logs.source.as_ref() else { return };
    if logs.in_flight.is_some() || logs.polled_at.is_some_and(|at| state.now - at < state.settings.log_poll) {
        return;
    }
    let query = match logs.cursor {
        Some(id) => LogQuery::After { id },
        None => match logs.window {
            super::state::LogWindow::Tail => LogQuery::Tail { limit: 200 },
            super::state::LogWindow::Last(secs) => LogQuery::Since {
                from: state.now - chrono::Duration::seconds(secs),
                limit: state.settings.log_capacity,
            },
        },
    };
    let fetch = Fetch::Logs { group: source.group.clone(), query, generation: logs.generation };
    let id = state.request_id();
    state.logs.in_flight = Some(id);
    state.logs.polled_at = Some(state.now);
    effects.push(Effect::Fetch { id, fetch });
}

/// A full services refresh costs one DescribeServices per 10 services; keep it near 5 calls a
/// second (ECS sustains ~20 reads/s per account, shared with everything else) by stretching the
/// interval for large accounts: 2,000 services refresh every 40 s, not every 5.
pub fn services_interval(state: &State) -> chrono::Duration {
    let count = state.services.data.as_ref().map_or(0, Vec::len) as i64;
    let seconds_of_calls = (count + 49) / 50;
    state.settings.refresh.max(chrono::Duration::seconds(seconds_of_calls))
}
