//! Kept rows and the commands that work on all of them: `sort`, `limit`'s selection, `dedup`.

use super::ast::{Builtin, FieldId, SortKey};
use super::record::Row;
use super::value::{natural_cmp, Value};
use std::cmp::Ordering;
use std::collections::HashSet;

/// Insights' order for events when the query gives none: newest first.
pub const NEWEST_FIRST: SortKey = SortKey { field: FieldId::Builtin(Builtin::Timestamp), descending: true };

type SortValues<'r> = Vec<Option<Value<'r>>>;

fn sort_values<'r>(row: &Row<'r>, keys: &[SortKey]) -> SortValues<'r> {
    keys.iter().map(|k| row.field(k.field)).collect()
}

/// Natural order per key (reversed for `desc`); a row without the value comes last either way.
fn compare(a: &SortValues<'_>, b: &SortValues<'_>, keys: &[SortKey]) -> Ordering {
    for ((x, y), key) in a.iter().zip(b).zip(keys) {
        let order = match (x, y) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) if key.descending => natural_cmp(y, x),
            (Some(x), Some(y)) => natural_cmp(x, y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// A stable sort: rows equal on every key keep their order.
pub fn sort_rows(rows: &mut Vec<Row<'_>>, keys: &[SortKey]) {
    let mut keyed: Vec<_> = rows.drain(..).map(|row| (sort_values(&row, keys), row)).collect();
    keyed.sort_by(|(a, _), (b, _)| compare(a, b, keys));
    rows.extend(keyed.into_iter().map(|(_, row)| row));
}

/// Keeps the first row of each combination of `fields`' values; rows missing any of them are all
/// kept (Insights does not count missing values as duplicates). True when rows were dropped.
pub fn dedup_rows(rows: &mut Vec<Row<'_>>, fields: &[FieldId]) -> bool {
    let before = rows.len();
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    rows.retain(|row| {
        let values: Option<Vec<String>> = fields.iter().map(|f| row.field(*f).map(|v| v.render())).collect();
        values.is_none_or(|values| seen.insert(values))
    });
    rows.len() != before
}

/// The first `limit` rows in `keys` order, chosen as rows arrive while holding at most twice
/// `limit`: a `sort ... | limit N` over a million events keeps thousands of rows, not a million.
pub struct TopRows<'r> {
    keys: Vec<SortKey>,
    limit: usize,
    rows: Vec<(SortValues<'r>, Row<'r>)>,
    dropped: bool,
}

impl<'r> TopRows<'r> {
    pub fn new(keys: Vec<SortKey>, limit: usize) -> TopRows<'r> {
        TopRows { keys, limit, rows: Vec::new(), dropped: false }
    }

    pub fn push(&mut self, row: Row<'r>) {
        self.rows.push((sort_values(&row, &self.keys), row));
        if self.rows.len() >= self.limit.saturating_mul(2).max(1024) {
            self.trim();
        }
    }

    fn trim(&mut self) {
        let keys = &self.keys;
        self.rows.sort_by(|(a, _), (b, _)| compare(a, b, keys));
        if self.rows.len() > self.limit {
            self.rows.truncate(self.limit);
            self.dropped = true;
        }
    }

    /// The rows in order, and whether any were left out.
    pub fn finish(mut self) -> (Vec<Row<'r>>, bool) {
        self.trim();
        (self.rows.into_iter().map(|(_, row)| row).collect(), self.dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn row(n: Option<f64>, s: &str) -> Row<'_> {
        Row { event: None, cells: vec![n.map(Value::Num), Some(Value::Str(Cow::Borrowed(s)))] }
    }

    fn texts(rows: &[Row<'_>]) -> Vec<String> {
        rows.iter().map(|r| r.field(FieldId::Slot(1)).map(|v| v.render()).unwrap_or_default()).collect()
    }

    #[test]
    fn sort_is_stable_and_missing_values_go_last_both_ways() {
        let key = |descending| SortKey { field: FieldId::Slot(0), descending };
        let mut rows = vec![row(Some(2.0), "a"), row(None, "b"), row(Some(10.0), "c"), row(Some(2.0), "d")];
        sort_rows(&mut rows, &[key(false)]);
        assert_eq!(texts(&rows), ["a", "d", "c", "b"]);
        sort_rows(&mut rows, &[key(true)]);
        assert_eq!(texts(&rows), ["c", "a", "d", "b"]);
    }

    #[test]
    fn top_rows_keeps_the_first_rows_in_order_with_bounded_memory() {
        let key = SortKey { field: FieldId::Slot(0), descending: true };
        let mut top = TopRows::new(vec![key], 3);
        let names: Vec<String> = (0..5000).map(|i| format!("r{i}")).collect();
        for (i, name) in names.iter().enumerate() {
            top.push(row(Some((i % 1000) as f64), name));
            assert!(top.rows.len() <= 1024);
        }
        let (rows, dropped) = top.finish();
        assert!(dropped);
        assert_eq!(texts(&rows), ["r999", "r1999", "r2999"]);
    }

    #[test]
    fn dedup_keeps_the_first_of_each_value_and_every_row_without_one() {
        let mut rows =
            vec![row(Some(1.0), "a"), row(Some(1.0), "b"), row(None, "c"), row(None, "d"), row(Some(2.0), "e")];
        assert!(dedup_rows(&mut rows, &[FieldId::Slot(0)]));
        assert_eq!(texts(&rows), ["a", "c", "d", "e"]);
    }
}
