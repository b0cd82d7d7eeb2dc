//! The values a runbook's placeholders take when it is opened from an alarm or a resource: what
//! the alarm watches (a service and its cluster, an endpoint and its variant), its log group,
//! and where opsdeck is connected.

use crate::backend::BackendLabel;
use crate::domain::{Address, Alarm, Endpoint, Service};
use std::collections::BTreeMap;

/// Placeholder values for a resource (an alarm's, or the one selected).
pub fn values_for(
    alarm: Option<&Alarm>,
    target: Option<&Address>,
    services: &[Service],
    endpoints: &[Endpoint],
    label: &BackendLabel,
) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    match label {
        BackendLabel::Aws { profile, region } => {
            values.insert("profile".to_string(), profile.clone());
            values.insert("region".to_string(), region.clone());
        }
        BackendLabel::Demo { .. } => {
            values.insert("profile".to_string(), "demo".to_string());
            values.insert("region".to_string(), "us-east-1".to_string());
        }
    }
    if let Some(a) = alarm {
        values.insert("alarm".to_string(), a.name.clone());
    }
    match target.or(alarm.and_then(|a| a.watches.as_ref())) {
        Some(address @ Address::EcsService { cluster, .. }) => {
            values.insert("service".to_string(), address.to_string());
            values.insert("cluster".to_string(), cluster.clone());
            if let Some(group) = services.iter().find(|s| s.address() == *address).and_then(|s| s.log_group.clone()) {
                values.insert("log_group".to_string(), group);
            }
        }
        Some(Address::Endpoint { endpoint, variant }) => {
            values.insert("endpoint".to_string(), format!("sm:{endpoint}"));
            let known = endpoints.iter().find(|e| e.name == *endpoint);
            let only = known.and_then(|e| match e.variants.as_slice() {
                [one] => Some(one.name.clone()),
                _ => None,
            });
            if let Some(v) = variant.clone().or(only) {
                values.insert("variant".to_string(), v);
            }
            if let Some(group) = known.and_then(|e| e.log_group.clone()) {
                values.insert("log_group".to_string(), group);
            }
        }
        _ => {}
    }
    values
}
