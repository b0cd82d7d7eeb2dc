//! What the dashboard's panes read while they are on screen: the metrics of the rows shown, the
//! target health of the services shown, the functions pane's reads, the models of the endpoints
//! shown. Only what is visible is polled; rows scrolled into view unread are read at once.

use super::dashboard::Panes;
use super::endpoint_detail;
use super::layout::Areas;
use super::msg::{Effect, Fetch};
use super::pane::Pane;
use super::rows;
use crate::domain::Address;

impl Panes<'_> {
    /// The functions pane's reads while it is on screen.
    pub fn due_functions(&mut self, areas: &Areas, effects: &mut Vec<Effect>) {
        let shown = if areas.visible(Pane::Functions) { areas.table_rows(Pane::Functions).max(1) } else { 0 };
        self.dashboard.functions.due(self.fleet, self.ctx, shown, effects);
    }

    /// The models of the endpoints on screen (for the drift mark) and of the open detail.
    pub fn due_endpoint_models(&mut self, areas: &Areas, effects: &mut Vec<Effect>) {
        if !areas.visible(Pane::Endpoints) {
            return;
        }
        let list = &self.dashboard.endpoints_list;
        let shown: Vec<String> = match (&self.dashboard.endpoint_detail, self.fleet.endpoints.data.as_ref()) {
            (None, Some(endpoints)) => rows::endpoint_rows(self.fleet, list)
                .into_iter()
                .skip(list.offset)
                .take(areas.table_rows(Pane::Endpoints).max(1))
                .map(|r| endpoints[r.endpoint].name.clone())
                .collect(),
            _ => Vec::new(),
        };
        let detail = self.dashboard.endpoint_detail.as_mut();
        endpoint_detail::due_models(self.fleet, self.ctx, shown, detail, effects);
    }

    /// The metrics of the rows on screen: every interval, and at once for rows scrolled into
    /// view without them. Only what is visible is polled.
    /// `areas` is the layout of this frame (computed once per update by the caller).
    pub fn due_metrics(&mut self, areas: &Areas, effects: &mut Vec<Effect>) {
        if areas.visible(Pane::Services) && self.dashboard.detail.is_none() {
            self.service_metrics(areas.table_rows(Pane::Services), effects);
        }
        if areas.visible(Pane::Endpoints) {
            self.endpoint_metrics(areas.table_rows(Pane::Endpoints), effects);
        }
    }

    /// Target health of the services on screen (and of the detail's service): one read of their
    /// target groups every refresh interval, and at once for rows scrolled into view unread.
    pub fn due_target_health(&mut self, areas: &Areas, effects: &mut Vec<Effect>) {
        if !areas.visible(Pane::Services) || self.fleet.target_health.in_flight.is_some() {
            return;
        }
        let Some(services) = self.fleet.services.data.as_ref() else { return };
        let list = &self.dashboard.services_list;
        let rows = areas.table_rows(Pane::Services).max(1);
        let shown = rows::service_rows(self.fleet, list).into_iter().skip(list.offset).take(rows).map(|i| &services[i]);
        let detail = self.dashboard.detail.as_ref().and_then(|d| services.iter().find(|s| s.address() == d.address));
        let mut arns: Vec<String> = shown.chain(detail).flat_map(|s| s.target_groups.iter().cloned()).collect();
        arns.sort();
        arns.dedup();
        if arns.is_empty() {
            return;
        }
        let known = self.fleet.target_health.data.as_ref();
        let missing = arns.iter().any(|a| known.is_none_or(|k| !k.contains_key(a)));
        if !self.fleet.target_health.due_or_missing(self.ctx.now, self.ctx.settings.refresh, missing) {
            return;
        }
        let id = self.ctx.request_id();
        self.fleet.target_health.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::TargetHealth(arns) });
    }

    fn visible_services(&self, visible_rows: usize) -> Vec<Address> {
        let Some(services) = self.fleet.services.data.as_ref() else { return Vec::new() };
        let list = &self.dashboard.services_list;
        rows::service_rows(self.fleet, list)
            .into_iter()
            .skip(list.offset)
            .take(visible_rows)
            .map(|i| services[i].address())
            .collect()
    }

    /// Rows scrolled into view with no metrics yet are fetched at once, not at the next interval.
    fn metrics_missing(&self, visible_rows: usize) -> bool {
        let Some(services) = self.fleet.services.data.as_ref() else { return false };
        let have = self.fleet.service_metrics.data.as_ref();
        let list = &self.dashboard.services_list;
        rows::service_rows(self.fleet, list)
            .into_iter()
            .skip(list.offset)
            .take(visible_rows)
            .any(|i| have.is_none_or(|m| !m.contains_key(&services[i].address())))
    }

    fn service_metrics(&mut self, visible_rows: usize, effects: &mut Vec<Effect>) {
        let (now, every) = (self.ctx.now, self.ctx.settings.metrics_refresh);
        let missing = self.metrics_missing(visible_rows);
        if !self.fleet.service_metrics.due_or_missing(now, every, missing) {
            return;
        }
        if self.fleet.service_metrics.in_flight.is_some() {
            return;
        }
        let addresses = self.visible_services(visible_rows.max(1));
        if addresses.is_empty() {
            return;
        }
        let id = self.ctx.request_id();
        self.fleet.service_metrics.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::ServiceMetrics(addresses) });
    }

    fn endpoint_metrics(&mut self, visible_rows: usize, effects: &mut Vec<Effect>) {
        if self.fleet.endpoint_metrics.in_flight.is_some() {
            return;
        }
        let Some(endpoints) = self.fleet.endpoints.data.as_ref() else { return };
        let list = &self.dashboard.endpoints_list;
        let mut names: Vec<String> = rows::endpoint_rows(self.fleet, list)
            .into_iter()
            .skip(list.offset)
            .take(visible_rows.max(1))
            .map(|r| endpoints[r.endpoint].name.clone())
            .collect();
        names.dedup();
        if names.is_empty() {
            return;
        }
        let missing =
            self.fleet.endpoint_metrics.data.as_ref().is_none_or(|m| names.iter().any(|n| !m.contains_key(n)));
        if !self.fleet.endpoint_metrics.due_or_missing(self.ctx.now, self.ctx.settings.metrics_refresh, missing) {
            return;
        }
        let id = self.ctx.request_id();
        self.fleet.endpoint_metrics.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::EndpointMetrics(names) });
    }
}
