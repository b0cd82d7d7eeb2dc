//! What a query returns, shaped like GetQueryResults.

use super::ast::{Builtin, Column, FieldId};
use super::record::Row;

/// The result of [`Query::run`](super::Query::run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryOutput {
    /// The columns, in the order Insights shows them.
    pub fields: Vec<String>,
    /// Each row as (field, value) pairs in column order. Like GetQueryResults, a field the row
    /// has no value for is left out, and rows that stand for one event end with its `@ptr`.
    pub rows: Vec<Vec<(String, String)>>,
    /// Events that passed the query's filters (before `stats`, `dedup` and `limit`).
    pub records_matched: u64,
    /// Events read.
    pub records_scanned: u64,
    /// The bytes of the messages read.
    pub bytes_scanned: u64,
}

/// Result rows as GetQueryResults gives them: each column that has a value, then `@ptr` for a
/// row that stands for one event.
pub fn render(columns: &[Column], rows: &[Row<'_>]) -> Vec<Vec<(String, String)>> {
    let shows_ptr = columns.iter().any(|c| c.field == FieldId::Builtin(Builtin::Ptr));
    rows.iter()
        .map(|row| {
            let mut out: Vec<(String, String)> =
                columns.iter().filter_map(|c| row.field(c.field).map(|v| (c.name.clone(), v.render()))).collect();
            if let Some(event) = row.event.filter(|e| !shows_ptr && !e.ptr.is_empty()) {
                out.push(("@ptr".to_string(), event.ptr.to_string()));
            }
            out
        })
        .collect()
}
