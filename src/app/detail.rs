//! A service's detail (`enter` on a service): its tasks, deployments, revisions and recent events,
//! read while the detail is open and shown in the services pane's place.

use super::context::Context;
use super::fleet::describe;
use super::inert;
use super::loadable::{Loadable, RequestId};
use super::msg::{Effect, Fetch};
use crate::backend::BackendError;
use crate::domain::{Address, ServiceDetail};

#[derive(Debug, Clone)]
pub struct DetailView {
    pub address: Address,
    pub data: Loadable<ServiceDetail>,
}

impl DetailView {
    pub fn new(address: Address) -> DetailView {
        DetailView { address, data: Loadable::default() }
    }

    pub fn accept(&mut self, id: RequestId, ctx: &Context, result: Result<ServiceDetail, BackendError>) -> bool {
        let result = result.map_err(describe).map(|mut d| {
            inert::detail(&mut d);
            d
        });
        self.data.accept(id, ctx.now, result)
    }

    /// Read again every refresh interval while it is on screen.
    pub fn due(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        if self.data.due(ctx.now, ctx.settings.refresh) {
            let id = ctx.request_id();
            self.data.in_flight = Some(id);
            effects.push(Effect::Fetch { id, fetch: Fetch::ServiceDetail(self.address.clone()) });
        }
    }
}
