//! The console's state machine: `State`, the messages that change it, and the effects it asks for.

mod audit_view;
mod environments;
mod inert;
mod input;
mod keys;
mod logs_ctl;
mod msg;
mod operations;
mod ops_state;
pub mod palette;
pub mod rows;
mod runbook_state;
mod runbook_steps;
mod runbooks;
pub mod schedule;
mod state;
mod text;
mod update;
mod watches;

pub use input::key_to_msg;
pub use msg::{perform, perform_op, save_file, Effect, Fetch, Msg, OpEffect, Reply};
pub use operations::{shown_operations, strip_rows};
pub use ops_state::*;
pub use runbook_state::*;
pub use state::*;
pub use update::update;
