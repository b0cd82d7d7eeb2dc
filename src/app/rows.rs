//! The rows each table pane shows, after its filter and sort. Shared by update (cursor moves,
//! what to poll) and render, so both always agree on what row N is.

use super::fleet::Fleet;
use super::list::ListState;
use crate::domain::{Address, Alarm, Endpoint, Service, Variant};

/// Indices into `fleet.services.data` of the rows shown, in order.
pub fn service_rows(fleet: &Fleet, list: &ListState) -> Vec<usize> {
    let Some(services) = &fleet.services.data else { return Vec::new() };
    filtered(services, list, |s: &Service| format!("{} {} {}", s.cluster, s.name, s.task_definition))
}

/// One row per variant; the endpoint's name is repeated in the row key for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointRow {
    pub endpoint: usize,
    pub variant: Option<usize>,
}

pub fn endpoint_rows(fleet: &Fleet, list: &ListState) -> Vec<EndpointRow> {
    let Some(endpoints) = &fleet.endpoints.data else { return Vec::new() };
    let kept = filtered(endpoints, list, |e: &Endpoint| {
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

pub fn endpoint_row_parts(fleet: &Fleet, row: EndpointRow) -> Option<(&Endpoint, Option<&Variant>)> {
    let endpoint = fleet.endpoints.data.as_ref()?.get(row.endpoint)?;
    Some((endpoint, row.variant.and_then(|v| endpoint.variants.get(v))))
}

/// Alarms needing attention first: ALARM, then INSUFFICIENT_DATA, then OK; newest change first.
pub fn alarm_rows(fleet: &Fleet, list: &ListState) -> Vec<usize> {
    let Some(alarms) = &fleet.alarms.data else { return Vec::new() };
    let mut rows = filtered(alarms, list, |a: &Alarm| format!("{} {}", a.name, a.state.as_str()));
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

pub fn selected_service<'a>(fleet: &'a Fleet, list: &ListState) -> Option<&'a Service> {
    let rows = service_rows(fleet, list);
    let index = *rows.get(list.selected)?;
    fleet.services.data.as_ref()?.get(index)
}

/// The selected endpoint row: the endpoint and, for a row of one variant, the variant.
pub fn selected_endpoint_row<'a>(fleet: &'a Fleet, list: &ListState) -> Option<(&'a Endpoint, Option<&'a Variant>)> {
    let rows = endpoint_rows(fleet, list);
    let row = *rows.get(list.selected)?;
    endpoint_row_parts(fleet, row)
}

pub fn selected_endpoint<'a>(fleet: &'a Fleet, list: &ListState) -> Option<&'a Endpoint> {
    selected_endpoint_row(fleet, list).map(|(e, _)| e)
}

pub fn selected_alarm<'a>(fleet: &'a Fleet, list: &ListState) -> Option<&'a Alarm> {
    let rows = alarm_rows(fleet, list);
    let index = *rows.get(list.selected)?;
    fleet.alarms.data.as_ref()?.get(index)
}

/// Row index of the service with this address among the shown rows.
pub fn service_row_of(fleet: &Fleet, list: &ListState, address: &Address) -> Option<usize> {
    let services = fleet.services.data.as_ref()?;
    service_rows(fleet, list).iter().position(|&i| services[i].address() == *address)
}

pub fn endpoint_row_of(fleet: &Fleet, list: &ListState, name: &str) -> Option<usize> {
    let endpoints = fleet.endpoints.data.as_ref()?;
    endpoint_rows(fleet, list).iter().position(|r| endpoints[r.endpoint].name == name)
}
