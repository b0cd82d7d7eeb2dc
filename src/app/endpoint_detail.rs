//! An endpoint's detail (`enter` on an endpoint): per variant the model, its container and model
//! data, the registry package it came from and the newest approved one, and Model Monitor's
//! latest runs. What it shows comes from `fleet.endpoint_models`, which also gives the endpoints
//! table its drift mark.

use super::context::Context;
use super::fleet::Fleet;
use super::msg::{Effect, Fetch};

/// Models change by deployment and monitoring runs hourly at most: every 5 minutes is enough for
/// the table's drift mark (each endpoint costs 3-6 SageMaker reads).
pub const MODELS_EVERY_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointDetail {
    pub endpoint: String,
    /// Set when the detail opened: its models are read at once, not at the next 5 minutes.
    pub fresh_read_wanted: bool,
}

impl EndpointDetail {
    pub fn new(endpoint: String) -> EndpointDetail {
        EndpointDetail { endpoint, fresh_read_wanted: true }
    }
}

/// Read the models of the endpoints on screen (and the detail's, at once when it opens).
pub fn due_models(
    fleet: &mut Fleet,
    ctx: &mut Context,
    shown: Vec<String>,
    detail: Option<&mut EndpointDetail>,
    effects: &mut Vec<Effect>,
) {
    let models = &fleet.endpoint_models;
    if models.in_flight.is_some() {
        return;
    }
    let every = chrono::Duration::seconds(MODELS_EVERY_SECS).max(ctx.settings.refresh);
    let known = models.data.as_ref();
    let opened = detail.as_ref().is_some_and(|d| d.fresh_read_wanted);
    let mut names = shown;
    if let Some(d) = detail.as_ref() {
        names.push(d.endpoint.clone());
    }
    names.sort();
    names.dedup();
    let missing = names.iter().any(|n| known.is_none_or(|k| !k.contains_key(n)));
    if names.is_empty() || (!opened && !models.due_or_missing(ctx.now, every, missing)) {
        return;
    }
    if let Some(d) = detail {
        d.fresh_read_wanted = false;
    }
    let id = ctx.request_id();
    fleet.endpoint_models.in_flight = Some(id);
    effects.push(Effect::Fetch { id, fetch: Fetch::EndpointModels(names) });
}
