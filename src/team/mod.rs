//! Team mode: the audit log, the incident timeline and leases shared through one DynamoDB table
//! (`[team] table = "..."`), so operators on different bastions see each other's actions and
//! notes and do not change the same resource at once.
//!
//! The local files stay the source of truth. Every audit record and timeline entry is appended
//! locally first; the `Mirror` hook then queues its table item on disk (`team-queue.jsonl`) and
//! a flusher sends the queue in order. A put is conditional on its key being new, so a record sent
//! twice (after a crash, or by two processes of one home) is in the table once.

pub mod items;
pub mod lease;
pub mod operator;
pub mod outbox;
pub mod policy;

use crate::jsonl::Mirror;
use crate::team_table::{TableError, TeamTable};
use chrono::{DateTime, Utc};
use items::{SharedEntry, SharedIncident, SharedRecord};
use lease::Leases;
use operator::Operator;
use outbox::{Outbox, Queued};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The settings team mode runs with (from `[team]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TeamSettings {
    pub table: String,
    /// The table's region (for its ARN in the printed policy).
    pub region: String,
    /// Delete audit records from the table after this many days (TTL); None keeps them.
    pub keep_audit_days: Option<u32>,
}

/// The queue's state, for `team check`, `info` and the status bar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueState {
    pub sent: usize,
    /// Why the last flush stopped, while it stays stopped.
    pub error: Option<String>,
}

#[derive(Debug)]
pub struct Team {
    table: Arc<dyn TeamTable>,
    pub operator: Operator,
    pub settings: TeamSettings,
    outbox: Outbox,
    pub leases: Arc<Leases>,
    notify: tokio::sync::Notify,
    flushing: tokio::sync::Mutex<()>,
    state: Mutex<QueueState>,
    /// Lease releases under way (a headless command waits for them before it exits).
    releases: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// The incident and time of this session's last presence write.
    presence: Mutex<Option<(String, DateTime<Utc>)>>,
}

impl Team {
    /// `queue` is the local queue's file (beside the audit log).
    pub fn new(table: Arc<dyn TeamTable>, operator: Operator, settings: TeamSettings, queue: PathBuf) -> Team {
        Team {
            leases: Arc::new(Leases::new(table.clone(), operator.clone())),
            table,
            operator,
            settings,
            outbox: Outbox::new(queue),
            notify: tokio::sync::Notify::new(),
            flushing: tokio::sync::Mutex::new(()),
            state: Mutex::new(QueueState::default()),
            releases: Mutex::new(Vec::new()),
            presence: Mutex::new(None),
        }
    }

    pub fn table(&self) -> &Arc<dyn TeamTable> {
        &self.table
    }

    pub fn queue_path(&self) -> &std::path::Path {
        self.outbox.path()
    }

    pub fn queue_state(&self) -> QueueState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Records waiting to be sent.
    pub fn pending(&self) -> usize {
        self.outbox.pending().map(|p| p.len()).unwrap_or(0)
    }

    /// Send what waits, oldest first, stopping at the first failure (nothing overtakes).
    /// Returns how many were sent.
    pub async fn flush(&self) -> Result<usize, TableError> {
        let _one_at_a_time = self.flushing.lock().await;
        let pending = self.outbox.pending().map_err(TableError::Other)?;
        let mut sent = HashSet::new();
        let mut result = Ok(());
        // Eight puts at a time (a busy incident queues hundreds); answers are taken in queue
        // order and the first failure stops the flush. A put after it that went through is
        // dropped from the queue too; one that did not is sent again later, once.
        'chunks: for chunk in pending.chunks(8) {
            let items: Vec<crate::team_table::TableItem> = chunk.iter().map(Queued::item).collect();
            let answers = futures::future::join_all(items.iter().map(|i| self.table.put_new(i))).await;
            for (item, put) in chunk.iter().zip(answers) {
                match put {
                    Ok(_) => {
                        sent.insert((item.pk.clone(), item.sk.clone()));
                    }
                    Err(e) => {
                        result = Err(e);
                        break 'chunks;
                    }
                }
            }
        }
        let count = sent.len();
        if let Err(e) = self.outbox.remove(&sent) {
            tracing::error!(%e, "team queue: could not drop sent records (they are resent, once)");
        }
        if let Ok(mut state) = self.state.lock() {
            state.sent += count;
            state.error = result.as_ref().err().map(ToString::to_string);
        }
        result.map(|()| count)
    }

    /// Start the flusher (it sends whatever an earlier run left queued, then each new record as
    /// it comes, retrying every 5 s to 60 s while the table is away) and the lease heartbeat.
    pub fn start(self: &Arc<Self>) {
        let team = self.clone();
        tokio::spawn(async move {
            let mut backoff = Duration::from_secs(5);
            loop {
                match team.flush().await {
                    Ok(_) => {
                        backoff = Duration::from_secs(5);
                        team.notify.notified().await;
                    }
                    Err(e) => {
                        tracing::warn!(%e, ?backoff, "team table: records stay queued");
                        tokio::select! {
                            () = tokio::time::sleep(backoff) => {}
                            () = team.notify.notified() => {}
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(60));
                    }
                }
            }
        });
        let team = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease::HEARTBEAT).await;
                team.leases.heartbeat(Utc::now()).await;
            }
        });
    }

    /// Release an action's leases without waiting (the end of a watch is a pure update).
    pub fn release_later(&self, owner: &str) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let leases = self.leases.clone();
        let owner = owner.to_string();
        let task = runtime.spawn(async move { leases.release(&owner).await });
        if let Ok(mut releases) = self.releases.lock() {
            releases.retain(|t| !t.is_finished());
            releases.push(task);
        }
    }

    /// Before a headless command exits: finish lease releases, and send what waits, for at most
    /// `timeout`. Returns what is left queued and why (the next opsdeck run sends it).
    pub async fn drain(&self, timeout: Duration) -> (usize, Option<String>) {
        let deadline = tokio::time::Instant::now() + timeout;
        // This process can no longer follow its actions: their leases go now, not at expiry.
        self.leases.release_actions().await;
        let releases = self.releases.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default();
        for task in releases {
            let _ = tokio::time::timeout_at(deadline, task).await;
        }
        loop {
            match tokio::time::timeout_at(deadline, self.flush()).await {
                Ok(Ok(_)) if self.pending() == 0 => return (0, None),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return (self.pending(), Some(e.to_string())),
                Err(_) => return (self.pending(), Some("timed out".into())),
            }
        }
    }

    /// Every audit record in the table, oldest first.
    pub async fn audit_records(&self) -> Result<Vec<SharedRecord>, TableError> {
        let items = self.table.query(items::AUDIT, None).await?;
        Ok(items.iter().filter_map(|i| serde_json::from_str(&i.body).ok()).collect())
    }

    /// Every operator's audit records, oldest first, as `audit --team` and the console's audit
    /// view show them: the table's, and this bastion's still waiting in the queue (a record sent
    /// but not yet dropped from the queue is shown once). Each record's `who.user` is its
    /// operator's `user@host`; `who.arn` stays the caller ARN the action ran with (the same
    /// identity the operator was named by), or is the operator's when the record has none.
    pub async fn audit_log(&self) -> Result<Vec<crate::audit::AuditRecord>, TableError> {
        let mut items = self.table.query(items::AUDIT, None).await?;
        let sent: HashSet<String> = items.iter().map(|i| i.sk.clone()).collect();
        let waiting = self.outbox.pending().unwrap_or_default();
        items.extend(waiting.iter().filter(|q| q.pk == items::AUDIT && !sent.contains(&q.sk)).map(Queued::item));
        // Keys begin with the record's time: sorted by key is oldest first.
        items.sort_by(|a, b| a.sk.cmp(&b.sk));
        Ok(items
            .iter()
            .filter_map(|i| serde_json::from_str::<SharedRecord>(&i.body).ok())
            .map(|s| {
                let mut record = s.record;
                record.who.user = s.operator.at();
                if record.who.arn.is_empty() || record.who.arn.starts_with("unknown") {
                    record.who.arn = s.operator.arn;
                }
                record
            })
            .collect())
    }

    /// The shared index of incidents, oldest first.
    pub async fn incidents(&self) -> Result<Vec<SharedIncident>, TableError> {
        Ok(items::incidents_from(&self.table.query(items::INCIDENTS, None).await?))
    }

    /// An incident's entries from every operator, after the sort key `after` (all when None),
    /// with each one's sort key (the cursor for the next read).
    pub async fn entries(&self, name: &str, after: Option<&str>) -> Result<Vec<(String, SharedEntry)>, TableError> {
        let items = self.table.query(&items::incident_pk(name), after).await?;
        Ok(items
            .into_iter()
            .filter_map(|i| serde_json::from_str::<SharedEntry>(&i.body).ok().map(|e| (i.sk, e)))
            .collect())
    }

    /// Say that this session has `name` open (a presence item that expires by itself after
    /// 3 minutes), written at most once a minute however often the timeline is read.
    pub async fn present(&self, name: &str, now: DateTime<Utc>) -> Result<(), TableError> {
        let fresh = |p: &Option<(String, DateTime<Utc>)>| {
            p.as_ref().is_some_and(|(n, at)| n == name && now - *at < chrono::Duration::seconds(60))
        };
        if self.presence.lock().is_ok_and(|p| fresh(&p)) {
            return Ok(());
        }
        let item = crate::team_table::TableItem {
            pk: items::presence_pk(name),
            sk: self.operator.session.clone(),
            body: serde_json::to_string(&self.operator).map_err(|e| TableError::Other(e.to_string()))?,
            expires_at: Some(now.timestamp() + 180),
            until: Some(now.timestamp() + 180),
            session: Some(self.operator.session.clone()),
            version: Some(now.timestamp()),
        };
        // An unconditional presence write: Version(own last) would refuse a second bastion's
        // clock; the item is only ever this session's.
        let condition = crate::team_table::LeaseCondition::FreeExpiredOrMine {
            now: now.timestamp(),
            session: self.operator.session.clone(),
        };
        self.table.put_lease(&item, &condition).await?;
        if let Ok(mut p) = self.presence.lock() {
            *p = Some((name.to_string(), now));
        }
        Ok(())
    }

    /// The operators with `name` open now (their presence not yet expired).
    pub async fn present_in(&self, name: &str, now: DateTime<Utc>) -> Result<Vec<Operator>, TableError> {
        let items = self.table.query(&items::presence_pk(name), None).await?;
        Ok(items
            .iter()
            .filter(|i| i.until.is_some_and(|u| u > now.timestamp()))
            .filter_map(|i| serde_json::from_str(&i.body).ok())
            .collect())
    }

    fn queue(&self, items: Vec<Queued>) {
        match self.outbox.push(&items) {
            Ok(()) => self.notify.notify_one(),
            // The record is in the local file; only its shared copy is missing. Said in the log.
            Err(e) => tracing::error!(%e, "team queue: a record could not be queued for the table"),
        }
    }
}

impl Mirror for Team {
    fn appended(&self, stream: &'static str, value: serde_json::Value) {
        let items = match stream {
            "audit" => serde_json::from_value(value)
                .map_err(|e| e.to_string())
                .and_then(|r| items::audit_item(&r, &self.operator, self.settings.keep_audit_days))
                .map(|q| vec![q]),
            "incident" => serde_json::from_value(value)
                .map_err(|e| e.to_string())
                .and_then(|e| items::entry_items(&e, &self.operator)),
            other => Err(format!("unknown stream {other}")),
        };
        match items {
            Ok(items) => self.queue(items),
            Err(e) => tracing::error!(%e, stream, "team: a record could not be shared"),
        }
    }
}

#[cfg(test)]
mod tests;
