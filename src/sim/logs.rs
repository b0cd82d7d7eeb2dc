//! CloudWatch Logs for the simulated fleet: capped per-group event stores and the three query
//! shapes the console uses.

use crate::backend::BackendError;
use crate::domain::{LogBatch, LogEvent, LogQuery};
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::sync::Arc;

/// Oldest events are dropped beyond this, keeping the demo's memory small.
pub(crate) const GROUP_CAP: usize = 4000;

#[derive(Debug, Clone)]
struct StoredEvent {
    id: u64,
    ts_ms: i64,
    stream: Arc<str>,
    message: Box<str>,
}

#[derive(Debug, Clone)]
pub(crate) struct LogGroup {
    name: &'static str,
    events: VecDeque<StoredEvent>,
    next_id: u64,
}

impl LogGroup {
    fn new(name: &'static str) -> Self {
        LogGroup { name, events: VecDeque::new(), next_id: 1 }
    }

    /// Appends an event; ids are consecutive so a follower can tell how many it missed, and
    /// timestamps never go backwards so time queries can binary-search.
    pub(crate) fn push(&mut self, ts_ms: i64, stream: &Arc<str>, message: &str) {
        let ts_ms = self.events.back().map_or(ts_ms, |e| e.ts_ms.max(ts_ms));
        self.events.push_back(StoredEvent { id: self.next_id, ts_ms, stream: stream.clone(), message: message.into() });
        self.next_id += 1;
        if self.events.len() > GROUP_CAP {
            self.events.pop_front();
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    pub(crate) fn query(&self, query: &LogQuery) -> LogBatch {
        let n = self.events.len();
        let (from, to, skipped) = match *query {
            LogQuery::Tail { limit } => {
                let take = limit.min(n);
                (n - take, n, (n - take) as u64)
            }
            LogQuery::After { id } => {
                let from = self.events.partition_point(|e| e.id <= id);
                // Events after the cursor that were already evicted.
                let evicted = self.events.front().map_or(0, |e| e.id.saturating_sub(id + 1));
                (from, n, evicted)
            }
            LogQuery::Since { from, limit } => {
                let from_ms = from.timestamp_millis();
                let start = self.events.partition_point(|e| e.ts_ms < from_ms);
                let take = limit.min(n - start);
                (n - take, n, (n - start - take) as u64)
            }
        };
        let events = self.events.range(from..to).map(to_domain).collect();
        LogBatch { events, skipped }
    }
}

fn to_domain(e: &StoredEvent) -> LogEvent {
    LogEvent {
        id: e.id,
        timestamp: DateTime::<Utc>::from_timestamp_millis(e.ts_ms).unwrap_or_default(),
        stream: e.stream.to_string(),
        message: e.message.to_string(),
    }
}

/// All log groups of the account.
#[derive(Debug, Clone, Default)]
pub(crate) struct LogStore {
    groups: Vec<LogGroup>,
}

impl LogStore {
    pub(crate) fn add_group(&mut self, name: &'static str) -> usize {
        self.groups.push(LogGroup::new(name));
        self.groups.len() - 1
    }

    pub(crate) fn group_mut(&mut self, index: usize) -> Option<&mut LogGroup> {
        self.groups.get_mut(index)
    }

    pub(crate) fn query(&self, group: &str, query: &LogQuery) -> Result<LogBatch, BackendError> {
        self.groups
            .iter()
            .find(|g| g.name == group)
            .map(|g| g.query(query))
            .ok_or_else(|| BackendError::NotFound(format!("log group {group}")))
    }

    pub(crate) fn has_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g.name == group)
    }

    /// The events of `group` with timestamps in `[start_ms, end_ms)`: (id, ms, stream, message).
    pub(crate) fn between(&self, group: &str, start_ms: i64, end_ms: i64) -> Vec<(u64, i64, &str, &str)> {
        let Some(g) = self.groups.iter().find(|g| g.name == group) else { return Vec::new() };
        let from = g.events.partition_point(|e| e.ts_ms < start_ms);
        let to = g.events.partition_point(|e| e.ts_ms < end_ms);
        g.events.range(from..to).map(|e| (e.id, e.ts_ms, &*e.stream, &*e.message)).collect()
    }

    /// One event of `group` by id, while it is still kept.
    pub(crate) fn event(&self, group: &str, id: u64) -> Option<(i64, &str, &str)> {
        let g = self.groups.iter().find(|g| g.name == group)?;
        let i = g.events.partition_point(|e| e.id < id);
        g.events.get(i).filter(|e| e.id == id).map(|e| (e.ts_ms, &*e.stream, &*e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(n: i64) -> LogGroup {
        let mut g = LogGroup::new("/ecs/test");
        let stream: Arc<str> = Arc::from("ecs/app/abc");
        for i in 0..n {
            g.push(1_000_000 + i * 1000, &stream, &format!("line {i}"));
        }
        g
    }

    #[test]
    fn tail_returns_newest_and_counts_the_rest() {
        let b = group(10).query(&LogQuery::Tail { limit: 3 });
        let ids: Vec<u64> = b.events.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![8, 9, 10]);
        assert_eq!(b.skipped, 7);
    }

    #[test]
    fn after_and_since() {
        let g = group(10);
        let b = g.query(&LogQuery::After { id: 7 });
        assert_eq!(b.events.iter().map(|e| e.id).collect::<Vec<_>>(), vec![8, 9, 10]);
        assert_eq!(b.skipped, 0);
        let from = DateTime::<Utc>::from_timestamp_millis(1_000_000 + 5000).unwrap_or_default();
        let b = g.query(&LogQuery::Since { from, limit: 2 });
        assert_eq!(b.events.iter().map(|e| e.id).collect::<Vec<_>>(), vec![9, 10]);
        assert_eq!(b.skipped, 3);
    }

    #[test]
    fn cap_evicts_and_after_reports_the_gap() {
        let g = group(GROUP_CAP as i64 + 50);
        assert_eq!(g.len(), GROUP_CAP);
        let b = g.query(&LogQuery::After { id: 10 });
        assert_eq!(b.skipped, 40);
        assert_eq!(b.events.first().map(|e| e.id), Some(51));
    }

    #[test]
    fn unknown_group_is_not_found() {
        let store = LogStore::default();
        let r = store.query("/nope", &LogQuery::Tail { limit: 1 });
        assert!(matches!(r, Err(BackendError::NotFound(_))));
    }
}
