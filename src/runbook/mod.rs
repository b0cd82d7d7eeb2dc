//! Runbooks: Markdown files whose `##` steps hold commands in the one grammar (```` ```opsdeck ````
//! fences), run step by step from the alarm that paged you, every action through the same
//! plan/confirm/audit path, and recorded on the incident timeline.

mod check;
pub mod context;
pub mod library;
mod model;
pub mod parse;
pub mod placeholders;
pub mod render;

pub use check::check;
pub use library::{load_text, AlarmLink, Library, Link};
pub use model::{Block, CommandLine, Inline, Param, Problem, Runbook, RunbookStep};
