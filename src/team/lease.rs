//! Leases: who is changing (or looking into) a resource right now. One item per resource in the
//! `LEASES` partition, written only under a condition (free, expired, or this session's own; or
//! exactly the version seen, for a take-over), extended by a heartbeat that checks its version, and
//! deleted at the end only at the version last written. A lease never blocks reading.

use super::items::LEASES;
use super::operator::Operator;
use crate::team_table::{LeaseCondition, TableError, TableItem, TeamTable};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long an action's lease lasts without a heartbeat: a crashed bastion frees it this soon.
pub const ACTION_LEASE: Duration = Duration::minutes(3);
/// Extended this often while its action is watched.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(45);
/// A lease item stays in the table this long after it ends (TTL): readers compare `until`
/// themselves, so an ended lease is free at once; the item only waits for DynamoDB to remove it.
const KEEP_AFTER: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The resource's address (`ecs:cluster/service`).
    pub resource: String,
    /// `ACCOUNT/REGION` the resource is in.
    pub scope: String,
    pub holder: Operator,
    /// The verb of the action (`rollback`), or `investigating`.
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Whose lease this one replaced, when it was taken over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_from: Option<Operator>,
    /// The item's version (not in the body: the table's attribute is the truth).
    #[serde(skip)]
    pub version: i64,
}

impl Lease {
    pub fn active(&self, now: DateTime<Utc>) -> bool {
        self.until > now
    }

    /// "held by ARN (user@host): rollback since 13:41, until 13:46 (note)".
    pub fn describe(&self) -> String {
        let note = self.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
        format!(
            "held by {}: {} since {}, until {} UTC{note}",
            self.holder.describe(),
            self.purpose,
            self.since.format("%H:%M"),
            self.until.format("%H:%M")
        )
    }

    /// "alice@b1: rollback since 13:41, until 13:46 UTC (note) [ARN]": the holder first, for a
    /// dialog whose lines are cut at its width.
    pub fn summary(&self) -> String {
        let note = self.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
        format!(
            "{}: {} since {}, until {} UTC{note} [{}]",
            self.holder.at(),
            self.purpose,
            self.since.format("%H:%M"),
            self.until.format("%H:%M"),
            self.holder.arn
        )
    }

    fn from_item(item: &TableItem) -> Option<Lease> {
        let mut lease: Lease = serde_json::from_str(&item.body).ok()?;
        lease.version = item.version.unwrap_or(0);
        // The attribute moves with each heartbeat; the body keeps the first `until`.
        if let Some(until) = item.until.and_then(|u| DateTime::from_timestamp(u, 0)) {
            lease.until = until;
        }
        Some(lease)
    }

    fn to_item(&self, session: &str) -> Result<TableItem, TableError> {
        Ok(TableItem {
            pk: LEASES.into(),
            sk: key(&self.scope, &self.resource),
            body: serde_json::to_string(self).map_err(|e| TableError::Other(e.to_string()))?,
            expires_at: Some(self.until.timestamp() + KEEP_AFTER),
            session: Some(session.to_string()),
            until: Some(self.until.timestamp()),
            version: Some(self.version),
        })
    }
}

pub fn key(scope: &str, resource: &str) -> String {
    format!("{scope}/{resource}")
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LeaseError {
    #[error("{} is {}; take it over with --take-over (audited)", .0.resource, .0.describe())]
    HeldBy(Box<Lease>),
    #[error("{} is {}: only its holder releases it (or `opsdeck lease {} --take-over`)", .0.resource, .0.describe(), .0.resource)]
    NotYours(Box<Lease>),
    #[error("the lease on {0} changed while it was being taken over; read it again")]
    Moved(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// What a take gave: the leases now held, and those that were taken over from someone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taken {
    pub leases: Vec<Lease>,
    pub taken_over: Vec<Lease>,
}

/// A lease held by this process, for an action (`owner`: its audit id) or by hand.
#[derive(Debug, Clone)]
struct Held {
    lease: Lease,
}

/// What to take: the scope, the resources, why, for how long.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub scope: &'a str,
    pub resources: &'a [String],
    pub purpose: &'a str,
    pub note: Option<&'a str>,
    pub duration: Duration,
    pub take_over: bool,
}

#[derive(Debug)]
pub struct Leases {
    table: Arc<dyn TeamTable>,
    operator: Operator,
    held: Mutex<HashMap<String, Vec<Held>>>,
    /// Leases this process held and lost (taken over, or expired and taken), said once each.
    lost: Mutex<Vec<String>>,
    /// The same, for the console to say at once (the audit record takes `lost` at the end).
    lost_notices: Mutex<Vec<String>>,
}

impl Leases {
    pub fn new(table: Arc<dyn TeamTable>, operator: Operator) -> Leases {
        Leases {
            table,
            operator,
            held: Mutex::new(HashMap::new()),
            lost: Mutex::new(Vec::new()),
            lost_notices: Mutex::new(Vec::new()),
        }
    }

    async fn read(&self, scope: &str, resource: &str) -> Result<Option<Lease>, TableError> {
        Ok(self.table.get(LEASES, &key(scope, resource)).await?.as_ref().and_then(Lease::from_item))
    }

    /// Another session's active lease on any of these resources (a plan says it; it never
    /// blocks reading).
    pub async fn held_by_other(
        &self,
        scope: &str,
        resources: &[String],
        now: DateTime<Utc>,
    ) -> Result<Option<Lease>, TableError> {
        for resource in resources {
            if let Some(lease) = self.read(scope, resource).await? {
                if lease.active(now) && lease.holder.session != self.operator.session {
                    return Ok(Some(lease));
                }
            }
        }
        Ok(None)
    }

    /// Take a lease on each resource for `owner`, or none: a resource held by another session is
    /// refused (naming the holder) unless `take_over`, and what was taken before it is released.
    pub async fn take(&self, owner: &str, request: &Request<'_>, now: DateTime<Utc>) -> Result<Taken, LeaseError> {
        let mut resources = request.resources.to_vec();
        resources.sort();
        resources.dedup();
        let mut taken = Taken::default();
        for resource in &resources {
            match self.take_one(owner, request, resource, now).await {
                Ok((lease, from)) => {
                    if let Some(from) = from {
                        taken.taken_over.push(from);
                    }
                    taken.leases.extend(lease);
                }
                Err(e) => {
                    self.release(owner).await;
                    return Err(e);
                }
            }
        }
        Ok(taken)
    }

    /// One resource: Ok(None) when this session already holds it (kept as it is, not released
    /// by this owner); the lease taken over, if any.
    async fn take_one(
        &self,
        owner: &str,
        request: &Request<'_>,
        resource: &str,
        now: DateTime<Utc>,
    ) -> Result<(Option<Lease>, Option<Lease>), LeaseError> {
        let there = self.read(request.scope, resource).await?;
        let mut lease = Lease {
            resource: resource.to_string(),
            scope: request.scope.to_string(),
            holder: self.operator.clone(),
            purpose: request.purpose.to_string(),
            note: request.note.map(str::to_string),
            since: now,
            until: now + request.duration,
            taken_from: None,
            version: there.as_ref().map_or(1, |l| l.version + 1),
        };
        let session = self.operator.session.clone();
        let (condition, from) = match there {
            Some(l) if l.active(now) && l.holder.session == session && request.purpose != "investigating" => {
                return Ok((None, None));
            }
            Some(l) if l.active(now) && l.holder.session != session => {
                if !request.take_over {
                    return Err(LeaseError::HeldBy(Box::new(l)));
                }
                lease.taken_from = Some(l.holder.clone());
                (LeaseCondition::Version(l.version), Some(l))
            }
            _ => (LeaseCondition::FreeExpiredOrMine { now: now.timestamp(), session: session.clone() }, None),
        };
        let item = lease.to_item(&session)?;
        if !self.table.put_lease(&item, &condition).await? {
            // Someone wrote it between our read and our write: name them.
            return match self.read(request.scope, resource).await? {
                Some(l) if l.active(now) && l.holder.session != session && !request.take_over => {
                    Err(LeaseError::HeldBy(Box::new(l)))
                }
                _ => Err(LeaseError::Moved(resource.to_string())),
            };
        }
        self.lock_held().entry(owner.to_string()).or_default().push(Held { lease: lease.clone() });
        Ok((Some(lease), from))
    }

    fn lock_held(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Held>>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Extend every lease this process holds for an action; a lease that moved on is lost and
    /// said (who has it now, when the table says).
    pub async fn heartbeat(&self, now: DateTime<Utc>) {
        let held: Vec<(String, Lease)> = self
            .lock_held()
            .iter()
            .filter(|(owner, _)| owner.as_str() != "manual")
            .flat_map(|(owner, leases)| leases.iter().map(move |h| (owner.clone(), h.lease.clone())))
            .collect();
        for (owner, lease) in held {
            let until = now + ACTION_LEASE;
            let sk = key(&lease.scope, &lease.resource);
            let extended = self
                .table
                .extend_lease(
                    LEASES,
                    &sk,
                    &self.operator.session,
                    lease.version,
                    until.timestamp(),
                    until.timestamp() + KEEP_AFTER,
                )
                .await;
            match extended {
                Ok(true) => {
                    if let Some(h) = self
                        .lock_held()
                        .get_mut(&owner)
                        .and_then(|v| v.iter_mut().find(|h| h.lease.resource == lease.resource))
                    {
                        h.lease.version += 1;
                        h.lease.until = until;
                    }
                }
                Ok(false) => self.lose(&owner, &lease, now).await,
                Err(e) => tracing::warn!(%e, resource = %lease.resource, "lease heartbeat"),
            }
        }
    }

    async fn lose(&self, owner: &str, lease: &Lease, now: DateTime<Utc>) {
        let who = match self.read(&lease.scope, &lease.resource).await {
            Ok(Some(l)) if l.active(now) => format!("now {}", l.describe()),
            _ => "it expired".to_string(),
        };
        let text = format!("the lease on {} was lost: {who}", lease.resource);
        tracing::warn!(%text);
        self.lost_notices.lock().unwrap_or_else(|p| p.into_inner()).push(text.clone());
        self.lost.lock().unwrap_or_else(|p| p.into_inner()).push(text);
        if let Some(v) = self.lock_held().get_mut(owner) {
            v.retain(|h| h.lease.resource != lease.resource);
        }
    }

    /// Leases lost since the console last asked: it says them the moment the heartbeat finds
    /// out, while the action is still being watched.
    pub fn take_lost_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.lost_notices.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Leases lost since the last call, each said once.
    pub fn take_lost(&self) -> Vec<String> {
        std::mem::take(&mut *self.lost.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Release what `owner` holds (at the version last written: a lease taken over meanwhile
    /// stays with its new holder, and is said as lost).
    pub async fn release(&self, owner: &str) {
        let held = self.lock_held().remove(owner).unwrap_or_default();
        for h in held {
            let sk = key(&h.lease.scope, &h.lease.resource);
            match self.table.delete_lease(LEASES, &sk, h.lease.version).await {
                Ok(true) => {}
                Ok(false) => self.lose(owner, &h.lease, Utc::now()).await,
                Err(e) => tracing::warn!(%e, resource = %h.lease.resource, "lease release (it expires by itself)"),
            }
        }
    }

    /// Release every action's leases (a lease taken by hand stays until it ends).
    pub async fn release_actions(&self) {
        let owners: Vec<String> = self.lock_held().keys().filter(|o| o.as_str() != "manual").cloned().collect();
        for owner in owners {
            self.release(&owner).await;
        }
    }

    /// `lease release ADDRESS`: only its holder (the same person, from any terminal) may.
    pub async fn release_resource(
        &self,
        scope: &str,
        resource: &str,
        now: DateTime<Utc>,
    ) -> Result<String, LeaseError> {
        match self.read(scope, resource).await? {
            Some(l) if l.active(now) && !l.holder.same_person(&self.operator) => Err(LeaseError::NotYours(Box::new(l))),
            Some(l) if l.active(now) => {
                if self.table.delete_lease(LEASES, &key(scope, resource), l.version).await? {
                    Ok(format!("released {resource}"))
                } else {
                    Err(LeaseError::Moved(resource.to_string()))
                }
            }
            _ => Ok(format!("{resource} is not held")),
        }
    }

    /// Every active lease, soonest to end first.
    pub async fn list(&self, now: DateTime<Utc>) -> Result<Vec<Lease>, TableError> {
        let mut leases: Vec<Lease> = self
            .table
            .query(LEASES, None)
            .await?
            .iter()
            .filter_map(Lease::from_item)
            .filter(|l| l.active(now))
            .collect();
        leases.sort_by_key(|l| l.until);
        Ok(leases)
    }
}
