//! Environments: named groups of resources (ECS services, SageMaker endpoints, Lambda functions,
//! EventBridge rules) torn down together when idle and restored exactly as they were.
//!
//! - `crate::ops::environment` (beside this folder): what config.toml says an environment holds.
//! - `saved`: the state saved before a teardown, and the pointer saying where it stands.
//! - `store`: SSM parameters (cut to the 4 KB limit) and the local copy.
//! - `teardown`, `restore`: plans, which go through the one confirm-and-audit path like any action.
//! - `overview`: what `env list`/`env show` and the console's environments view say.

mod overview;
mod pricing;
mod restore;
pub mod saved;
pub mod store;
mod teardown;

pub use super::environment::{check_name, find, EnvironmentSpec, ResourcePattern};
pub use overview::{overview, EnvOverview, ResourceLine, Shape};
pub use pricing::hourly_cost;
pub use restore::plan_restore;
pub use saved::{EnvStatus, Pointer, SavedResource, SavedState};
pub use teardown::plan_teardown;

use super::plan::Read;
use super::OpError;
use crate::backend::{Backend, BackendError};
use crate::domain::Address;

/// Every resource read fresh, side by side; a resource that does not exist reads as None.
pub(crate) async fn read_all(backend: &dyn Backend, addresses: &[Address]) -> Result<Vec<Read>, OpError> {
    let reads = crate::backend::read_each(backend, addresses.to_vec()).await;
    addresses
        .iter()
        .zip(reads)
        .map(|(address, result)| match result {
            Ok(snapshot) => Ok(Read { address: address.clone(), snapshot: Some(snapshot) }),
            Err(BackendError::NotFound(_)) => Ok(Read { address: address.clone(), snapshot: None }),
            Err(e) => Err(OpError::Backend(e)),
        })
        .collect()
}

/// Teardown takes resources down in this order (what triggers work first, the slowest last);
/// restore brings them back in the reverse order.
pub(crate) fn teardown_rank(address: &Address) -> u8 {
    match address {
        Address::Rule { .. } => 0,
        Address::Function { .. } => 1,
        Address::EcsService { .. } => 2,
        Address::Endpoint { .. } => 3,
    }
}
