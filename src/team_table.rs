//! The team table's seam: the few DynamoDB operations team mode needs, as a trait, so the team
//! logic (`team/`) never sees SDK types. `aws::team_table` implements it on DynamoDB; `MemoryTable`
//! (here) implements it in memory for unit tests.
//!
//! One table, two string keys (`pk`, `sk`), a JSON `body`, and for leases three more attributes
//! (`session`, `until`, `version`). `expires_at` is the table's TTL attribute (epoch seconds).

use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// One item as the team logic sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableItem {
    pub pk: String,
    pub sk: String,
    /// The record, event or lease as JSON.
    pub body: String,
    /// DynamoDB's TTL attribute: the item may be deleted after this epoch second.
    pub expires_at: Option<i64>,
    /// Leases: the holding session, the epoch second the lease ends, and its version (a
    /// heartbeat or take-over moves it on, so a stale holder's write fails).
    pub session: Option<String>,
    pub until: Option<i64>,
    pub version: Option<i64>,
}

/// What a conditional lease write requires of the item there now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseCondition {
    /// No lease, an expired one (`until` before `now`), or this session's own.
    FreeExpiredOrMine { now: i64, session: String },
    /// Exactly the version read (a take-over of what was seen, not of a newer lease).
    Version(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The table cannot be reached or does not exist (now): records wait in the local queue.
    #[error("team table unreachable: {0}")]
    Unreachable(String),
    /// The credentials may not do this (the IAM policy `opsdeck team init` prints is missing).
    #[error("team table access denied: {0}")]
    Denied(String),
    #[error("team table: {0}")]
    Other(String),
}

/// The table's description, for `team check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    pub name: String,
    pub status: String,
    pub on_demand: bool,
    pub ttl_attribute: Option<String>,
    pub items: Option<i64>,
}

#[async_trait]
pub trait TeamTable: Send + Sync + std::fmt::Debug {
    /// Write an item only if its key is new: `Ok(false)` when it was already there (an append
    /// retried after a crash, which makes every append idempotent by key).
    async fn put_new(&self, item: &TableItem) -> Result<bool, TableError>;
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<TableItem>, TableError>;
    /// Items of one partition with a sort key after `after` (all when None), in key order,
    /// every page read.
    async fn query(&self, pk: &str, after: Option<&str>) -> Result<Vec<TableItem>, TableError>;
    /// A lease written only under `condition`: `Ok(false)` when the condition failed.
    async fn put_lease(&self, item: &TableItem, condition: &LeaseCondition) -> Result<bool, TableError>;
    /// Extend a lease this session holds at `version`: `until` and `expires_at` set, the version
    /// moved on by one. `Ok(false)`: it is not ours at that version any more (lost or taken).
    async fn extend_lease(
        &self,
        pk: &str,
        sk: &str,
        session: &str,
        version: i64,
        until: i64,
        expires_at: i64,
    ) -> Result<bool, TableError>;
    /// Delete a lease only if it is still at `version` (the caller checked it is theirs).
    /// `Ok(false)`: it moved on (taken over, or extended by its holder).
    async fn delete_lease(&self, pk: &str, sk: &str, version: i64) -> Result<bool, TableError>;
    /// Create the table (on-demand, TTL on `expires_at`); `Ok(false)` when it exists already.
    async fn create(&self) -> Result<bool, TableError>;
    async fn describe(&self) -> Result<TableInfo, TableError>;
}

/// The table in memory: the same conditions, for unit tests of the team logic.
#[derive(Debug, Default)]
pub struct MemoryTable {
    items: Mutex<BTreeMap<(String, String), TableItem>>,
    /// When set, every call fails as unreachable (the table "went away").
    pub down: std::sync::atomic::AtomicBool,
    /// Every successful write, in order (for tests that count writes).
    pub writes: std::sync::atomic::AtomicUsize,
}

impl MemoryTable {
    fn check_up(&self) -> Result<(), TableError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(TableError::Unreachable("the table is down".into()));
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), TableItem>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wrote(&self) {
        self.writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait]
impl TeamTable for MemoryTable {
    async fn put_new(&self, item: &TableItem) -> Result<bool, TableError> {
        self.check_up()?;
        let mut items = self.lock();
        let key = (item.pk.clone(), item.sk.clone());
        if items.contains_key(&key) {
            return Ok(false);
        }
        items.insert(key, item.clone());
        self.wrote();
        Ok(true)
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<TableItem>, TableError> {
        self.check_up()?;
        Ok(self.lock().get(&(pk.to_string(), sk.to_string())).cloned())
    }

    async fn query(&self, pk: &str, after: Option<&str>) -> Result<Vec<TableItem>, TableError> {
        self.check_up()?;
        Ok(self.lock().values().filter(|i| i.pk == pk && after.is_none_or(|a| i.sk.as_str() > a)).cloned().collect())
    }

    async fn put_lease(&self, item: &TableItem, condition: &LeaseCondition) -> Result<bool, TableError> {
        self.check_up()?;
        let mut items = self.lock();
        let key = (item.pk.clone(), item.sk.clone());
        let there = items.get(&key);
        let ok = match condition {
            LeaseCondition::FreeExpiredOrMine { now, session } => there
                .is_none_or(|t| t.until.is_some_and(|u| u < *now) || t.session.as_deref() == Some(session.as_str())),
            LeaseCondition::Version(v) => there.is_none_or(|t| t.version == Some(*v)),
        };
        if ok {
            items.insert(key, item.clone());
            self.wrote();
        }
        Ok(ok)
    }

    async fn extend_lease(
        &self,
        pk: &str,
        sk: &str,
        session: &str,
        version: i64,
        until: i64,
        expires_at: i64,
    ) -> Result<bool, TableError> {
        self.check_up()?;
        let mut items = self.lock();
        match items.get_mut(&(pk.to_string(), sk.to_string())) {
            Some(t) if t.session.as_deref() == Some(session) && t.version == Some(version) => {
                t.until = Some(until);
                t.expires_at = Some(expires_at);
                t.version = Some(version + 1);
                self.wrote();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete_lease(&self, pk: &str, sk: &str, version: i64) -> Result<bool, TableError> {
        self.check_up()?;
        let mut items = self.lock();
        let key = (pk.to_string(), sk.to_string());
        if items.get(&key).is_some_and(|t| t.version == Some(version)) {
            items.remove(&key);
            self.wrote();
            return Ok(true);
        }
        Ok(false)
    }

    async fn create(&self) -> Result<bool, TableError> {
        Ok(false)
    }

    async fn describe(&self) -> Result<TableInfo, TableError> {
        self.check_up()?;
        Ok(TableInfo {
            name: "memory".into(),
            status: "ACTIVE".into(),
            on_demand: true,
            ttl_attribute: Some("expires_at".into()),
            items: Some(self.lock().len() as i64),
        })
    }
}
