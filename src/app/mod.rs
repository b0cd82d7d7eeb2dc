//! The console's state machine: `State`, the messages that change it, and the effects it asks for.

mod actions;
mod inert;
mod input;
mod logs_ctl;
mod msg;
pub mod palette;
pub mod rows;
pub mod schedule;
mod state;
mod text;
mod update;

pub use input::key_to_msg;
pub use msg::{perform, save_file, Effect, Fetch, Msg, Reply};
pub use state::*;
pub use update::update;
