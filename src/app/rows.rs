//! The rows each table pane shows, after its filter and sort. Shared by update (cursor moves,
//! what to poll) and render, so both always agree on what row N is.

use super::state::{ListState, State};
use crate::domain::{Address, Alarm, Endpoint, Service, Variant};

/// Indices into `state.services.data` of the rows shown, in order.
pub fn service_rows(state: &State) -> Vec<usize> {
    let Some(services) = &state.services.data else { return Vec::new() };
    filtered(services, &state.services_list, |s: &Service| format!("{} {} {}", s.cluster, s.name, s.task_definition))
}

/// One row per variant; the endpoint's name is repeated in the row key for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointRow {
    pub endpoint: usize,
    pub variant: Option<usize>,
}

pub fn endpoint_rows(state: &State) -> Vec<EndpointRow> {
    let Some(endpoints) = &state.endpoints.data else { return Vec::new() };
    let kept = filtered(endpoints, &state.endpoints_list, |e: &Endpoint| {
        let variants: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
        format!("{} {} {}", e.name, e.status, variants.join(" "))
    });
    let mut rows = Vec::new();
    for i in kept {
        if endpoints[i].variants.is_empty() {
            rows.push(EndpointRow { endpoint: i, variant: None });
        }
        rows.extend((0..endpoints[i].variants.len()).map(|v| EndpointRow { endpoint: i, variant: Some(v) }));
    }
    rows
}

pub fn endpoint_row_parts(state: &State, row: EndpointRow) -> Option<(&Endpoint, Option<&Variant>)> {
    let endpoint = state.endpoints.data.as_ref()?.get(row.endpoint)?;
    Some((endpoint, row.variant.and_then(|v| endpoint.variants.get(v))))
}

/// Alarms needing attention first: ALARM, then INSUFFICIENT_DATA, then OK; newest change first.
pub fn alarm_rows(state: &State) -> Vec<usize> {
    let Some(alarms) = &state.alarms.data else { return Vec::new() };
    let mut rows = filtered(alarms, &state.alarms_list, |a: &Alarm| format!("{} {}", a.name, a.state.as_str()));
    rows.sort_by(|&a, &b| {
        let (a, b) = (&alarms[a], &alarms[b]);
        a.state.cmp(&b.state).then(b.state_since.cmp(&a.state_since)).then(a.name.cmp(&b.name))
    });
    rows
}

fn filtered<T>(items: &[T], list: &ListState, key: impl Fn(&T) -> String) -> Vec<usize> {
    match &list.filter {
        None => (0..items.len()).collect(),
        Some(filter) => (0..items.len()).filter(|&i| filter.keeps(&key(&items[i]))).collect(),
    }
}

pub fn selected_service(state: &State) -> Option<&Service> {
    let rows = service_rows(state);
    let index = *rows.get(state.services_list.selected)?;
    state.services.data.as_ref()?.get(index)
}

pub fn selected_endpoint(state: &State) -> Option<&Endpoint> {
    let rows = endpoint_rows(state);
    let row = *rows.get(state.endpoints_list.selected)?;
    endpoint_row_parts(state, row).map(|(e, _)| e)
}

pub fn selected_alarm(state: &State) -> Option<&Alarm> {
    let rows = alarm_rows(state);
    let index = *rows.get(state.alarms_list.selected)?;
    state.alarms.data.as_ref()?.get(index)
}

/// Row index of the service with this address among the shown rows.
pub fn service_row_of(state: &State, address: &Address) -> Option<usize> {
    let services = state.services.data.as_ref()?;
    service_rows(state).iter().position(|&i| services[i].address() == *address)
}

pub fn endpoint_row_of(state: &State, name: &str) -> Option<usize> {
    let endpoints = state.endpoints.data.as_ref()?;
    endpoint_rows(state).iter().position(|r| endpoints[r.endpoint].name == name)
}
