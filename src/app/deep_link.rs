//! Where the console opens: `--cluster`, `--service`, `--endpoint`, `--alarm`, `--function`
//! (e1s's answer to large fleets). The link waits until its list has been read, then focuses the
//! pane and selects the row (or, for a cluster, filters the services to it); a name that matches
//! nothing is said on the message line, and the console opens as usual.

use super::dashboard::Panes;
use super::list::RowFilter;
use super::pane::Pane;
use super::rows;
use super::settings::DeepLink;
use crate::domain::Address;

/// Apply the link if its list is in; true when it is done with (applied, or found missing).
pub fn apply(panes: &mut Panes<'_>, link: &DeepLink) -> bool {
    match link {
        DeepLink::Cluster(cluster) => cluster_link(panes, cluster),
        DeepLink::Service(service) => service_link(panes, service),
        DeepLink::Endpoint(name) => {
            if panes.fleet.endpoints.data.is_none() {
                return false;
            }
            panes.dashboard.endpoints_list.filter = None;
            match rows::endpoint_row_of(panes.fleet, &panes.dashboard.endpoints_list, name) {
                Some(row) => {
                    panes.dashboard.endpoints_list.selected = row;
                    panes.focus(Pane::Endpoints);
                    panes.dashboard.log_follows = Pane::Endpoints;
                    panes.follow_selection(Pane::Endpoints, true);
                }
                None => panes.ctx.flash_error(format!("--endpoint {name}: no such endpoint here")),
            }
            true
        }
        DeepLink::Alarm(name) => {
            let Some(alarms) = panes.fleet.alarms.data.as_ref() else { return false };
            panes.dashboard.alarms_list.filter = None;
            let row = rows::alarm_rows(panes.fleet, &panes.dashboard.alarms_list)
                .iter()
                .position(|&i| alarms[i].name == *name);
            match row {
                Some(row) => {
                    panes.dashboard.alarms_list.selected = row;
                    panes.focus(Pane::Alarms);
                }
                None => panes.ctx.flash_error(format!("--alarm {name}: no such alarm here")),
            }
            true
        }
        DeepLink::Function(name) => {
            if panes.fleet.functions.data.is_none() {
                return false;
            }
            panes.focus(Pane::Functions);
            if panes.dashboard.functions.select(panes.fleet, name) {
                panes.dashboard.log_follows = Pane::Functions;
                panes.follow_selection(Pane::Functions, true);
            } else {
                panes.ctx.flash_error(format!("--function {name}: no such function here (or [functions] hides it)"));
            }
            true
        }
    }
}

/// A first screen of a long service list is not the whole list: wait for all of it.
fn all_services<'a>(panes: &'a Panes<'_>) -> Option<&'a [crate::domain::Service]> {
    panes.fleet.services.fetched_at?;
    panes.fleet.services.data.as_deref()
}

fn cluster_link(panes: &mut Panes<'_>, cluster: &str) -> bool {
    let Some(services) = all_services(panes) else { return false };
    if !services.iter().any(|s| s.cluster == cluster) {
        panes.ctx.flash_error(format!("--cluster {cluster}: no service in a cluster of that name"));
        return true;
    }
    // The row key starts with the cluster name and a space (rows::service_rows).
    if let Ok(filter) = RowFilter::parse(&format!("^{} ", regex::escape(cluster))) {
        panes.focus(Pane::Services);
        panes.dashboard.services_list.set_filter(Some(filter));
        panes.clamp_all();
        panes.dashboard.log_follows = Pane::Services;
        panes.follow_selection(Pane::Services, true);
    }
    true
}

fn service_link(panes: &mut Panes<'_>, service: &str) -> bool {
    let Some(services) = all_services(panes) else { return false };
    let matching: Vec<Address> = match service.parse::<Address>() {
        Ok(address @ Address::EcsService { .. }) => {
            services.iter().map(|s| s.address()).filter(|a| *a == address).collect()
        }
        _ => services.iter().filter(|s| s.name == service).map(|s| s.address()).collect(),
    };
    panes.dashboard.services_list.filter = None;
    match matching.as_slice() {
        [] => panes.ctx.flash_error(format!("--service {service}: no such service here")),
        [address] => {
            if let Some(row) = rows::service_row_of(panes.fleet, &panes.dashboard.services_list, address) {
                panes.dashboard.services_list.selected = row;
            }
        }
        several => {
            // The same name in several clusters: show them all, the first selected.
            if let Ok(filter) = RowFilter::parse(&format!(" {} ", regex::escape(service))) {
                panes.dashboard.services_list.set_filter(Some(filter));
            }
            panes.ctx.flash_info(format!("--service {service}: in {} clusters", several.len()));
        }
    }
    panes.focus(Pane::Services);
    panes.clamp_all();
    panes.dashboard.log_follows = Pane::Services;
    panes.follow_selection(Pane::Services, true);
    true
}
