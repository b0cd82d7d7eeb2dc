//! Running a parsed query over events: the per-record commands as the events stream by, then
//! the commands that need every record (`stats`, `sort`, `dedup`, `limit`) on what is kept.

use super::ast::{Command, Query, SortKey};
use super::error::QueryError;
use super::event::Event;
use super::output::{render, QueryOutput};
use super::parse::MAX_LIMIT;
use super::record::EventRecord;
use super::stats::Grouper;
use super::steps::Steps;
use super::table::{dedup_rows, sort_rows, TopRows, NEWEST_FIRST};

/// The rows Insights returns when the query has no `limit`.
pub const DEFAULT_LIMIT: usize = MAX_LIMIT;

#[derive(Debug, Default)]
struct Counts {
    matched: u64,
    scanned: u64,
    bytes: u64,
}

impl Query {
    /// Runs the query over `events`, in any order: the engine orders rows as the query says, and
    /// newest first where it says nothing. Without a `limit`, at most [`DEFAULT_LIMIT`] rows
    /// come back, as from Insights. Every query that parsed runs: the `Result` leaves room for
    /// limits a caller may want enforced later.
    pub fn run<'a>(&self, events: impl IntoIterator<Item = Event<'a>>) -> Result<QueryOutput, QueryError> {
        Ok(self.execute(events.into_iter().map(shorten)))
    }

    /// For `stats ... by bin(...)`: the bin width, so a caller can draw the result over time.
    /// The last `stats` decides, as its rows are the result.
    pub fn time_bin(&self) -> Option<chrono::Duration> {
        self.commands.iter().rev().find_map(|c| match c {
            Command::Stats(spec) => Some(spec.by.iter().find_map(|g| g.bin_ms).map(chrono::Duration::milliseconds)),
            _ => None,
        })?
    }

    /// The result's column names.
    pub fn columns(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    fn execute<'r>(&'r self, events: impl Iterator<Item = Event<'r>>) -> QueryOutput {
        let commands = &self.commands;
        let streamed = commands.iter().take_while(|c| c.is_per_record()).count();
        let mut steps = Steps::new(commands);
        let mut record = EventRecord::new(self.slot_count, &self.json);
        let mut counts = Counts::default();
        let mut each_matching = |events: &mut dyn Iterator<Item = Event<'r>>,
                                 keep: &mut dyn FnMut(&mut EventRecord<'_, 'r>)| {
            for event in events {
                counts.scanned += 1;
                counts.bytes += event.message.len() as u64;
                record.reset(event);
                if (0..streamed).all(|i| steps.apply(commands, i, &mut record)) {
                    counts.matched += 1;
                    keep(&mut record);
                }
            }
        };
        let mut events = events;
        // Rows that still hold every matching event: a filter that drops some of them lowers the
        // matched count; once a limit or dedup has dropped rows, the count stays.
        let (mut rows, mut complete, next) = match commands.get(streamed) {
            Some(Command::Stats(spec)) => {
                let mut grouper = Grouper::new(spec, self.slot_count);
                each_matching(&mut events, &mut |record| grouper.add(record));
                (grouper.finish(), false, streamed + 1)
            }
            _ => {
                let (keys, limit) = first_selection(&commands[streamed..]);
                let mut top = TopRows::new(keys, limit);
                each_matching(&mut events, &mut |record| top.push(record.keep()));
                let (rows, dropped) = top.finish();
                (rows, !dropped, streamed)
            }
        };
        // Its own parse scratch: the streaming closure above still holds the first.
        let mut row_steps = Steps::new(commands);
        for (index, command) in commands.iter().enumerate().skip(next) {
            match command {
                Command::Stats(spec) => {
                    let mut grouper = Grouper::new(spec, self.slot_count);
                    rows.iter_mut().for_each(|row| grouper.add(row));
                    rows = grouper.finish();
                    complete = false;
                }
                Command::Sort(keys) => sort_rows(&mut rows, keys),
                Command::Limit(n) => {
                    complete &= rows.len() <= *n;
                    rows.truncate(*n);
                }
                Command::Dedup(fields) => complete &= !dedup_rows(&mut rows, fields),
                _ => {
                    let before = rows.len();
                    rows.retain_mut(|row| row_steps.apply(commands, index, row));
                    if complete {
                        counts.matched = counts.matched.saturating_sub((before - rows.len()) as u64);
                    }
                }
            }
        }
        rows.truncate(DEFAULT_LIMIT);
        QueryOutput {
            fields: self.columns(),
            rows: render(&self.columns, &rows),
            records_matched: counts.matched,
            records_scanned: counts.scanned,
            bytes_scanned: counts.bytes,
        }
    }
}

/// How many kept rows the first commands after the streamed ones can ever look at, and in what
/// order: `sort ... | limit N` and `limit N` look at N, a query ending there at DEFAULT_LIMIT.
/// Rows start newest first; an explicit sort orders them first, newest first among equals.
fn first_selection(rest: &[Command]) -> (Vec<SortKey>, usize) {
    let (mut keys, after_sort) = match rest.first() {
        Some(Command::Sort(keys)) => (keys.clone(), &rest[1..]),
        _ => (Vec::new(), rest),
    };
    keys.push(NEWEST_FIRST);
    let limit = match after_sort.first() {
        Some(Command::Limit(n)) => *n,
        None => DEFAULT_LIMIT,
        Some(_) => usize::MAX,
    };
    (keys, limit)
}

/// An event borrowed for as long as the query run needs it.
fn shorten<'s, 'a: 's>(event: Event<'a>) -> Event<'s> {
    event
}
