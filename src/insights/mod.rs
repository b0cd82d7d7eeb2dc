//! A CloudWatch Logs Insights query engine for the simulated fleet (`--demo`), which answers
//! Logs Insights queries over the logs it generates. On AWS the real service answers; this
//! engine understands the subset in `docs/insights.md` and refuses the rest by name.
//!
//! ```text
//! pub fn parse(text: &str) -> Result<Query, QueryError>
//! impl Query {
//!     pub fn run<'a>(&self, events: impl IntoIterator<Item = Event<'a>>) -> Result<QueryOutput, QueryError>
//!     pub fn time_bin(&self) -> Option<chrono::Duration>
//!     pub fn columns(&self) -> Vec<String>
//! }
//! ```
//!
//! - [`parse`] checks the whole query up front: syntax (with the column), regexes, bin units,
//!   functions, and fields that no longer exist after a `stats`. [`QueryError`]'s `Display` is
//!   one line naming what is wrong, and an unsupported command or function by name.
//! - [`Query::run`] reads [`Event`]s in any order and returns a [`QueryOutput`] shaped like
//!   GetQueryResults: rows of (field, value) pairs in column order, absent fields left out,
//!   `@ptr` last on rows that stand for one event. Timestamps print as
//!   `2026-12-04 15:51:02.123` (UTC). Without `sort`, events come newest first and `stats` rows
//!   newest bin first, other groups in natural order. Without `limit`, at most
//!   [`DEFAULT_LIMIT`] (10,000) rows. `bytes_scanned` counts message bytes only.
//! - JSON messages are read only for the fields the query names (`level`, `a.b`, `tags.0`), only
//!   when a record first needs one, and never for plain-text lines.

mod ast;
mod bins;
mod error;
mod eval;
mod event;
mod expr_parse;
mod glob;
mod json;
mod lexer;
mod output;
mod parse;
mod record;
mod run;
mod scope;
mod stats;
mod steps;
mod table;
mod value;

pub use ast::Query;
pub use bins::parse_width as bin_width_ms;
pub use error::{Location, QueryError};
pub use event::Event;
pub use output::QueryOutput;
pub use parse::parse;
pub use run::DEFAULT_LIMIT;

#[cfg(test)]
mod tests;
