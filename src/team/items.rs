//! What goes into the team table, and under which keys. One table:
//!
//! | pk | sk | what |
//! | --- | --- | --- |
//! | `AUDIT` | `TIME#ACTION-ID#PHASE#STEP#RANDOM` | one audit record, with its operator |
//! | `INCIDENT#NAME` | `RECORDED-AT#ENTRY-ID` | one timeline entry, with its operator |
//! | `INCIDENTS` | `NAME#start`, `NAME#end` | the index of incidents |
//! | `LEASES` | `ACCOUNT/REGION/ADDRESS` | the lease on one resource (conditional writes) |
//! | `PRESENCE#NAME` | `SESSION` | who has an incident open now (TTL) |
//!
//! Times in keys are RFC 3339 in UTC with microseconds, so keys sort by time.

use super::outbox::Queued;
use super::Operator;
use crate::audit::{AuditRecord, Phase};
use crate::incident::{Entry, Kind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const AUDIT: &str = "AUDIT";
pub const INCIDENTS: &str = "INCIDENTS";
pub const LEASES: &str = "LEASES";

pub fn incident_pk(name: &str) -> String {
    format!("INCIDENT#{name}")
}

pub fn presence_pk(name: &str) -> String {
    format!("PRESENCE#{name}")
}

pub fn key_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A sort key `TIME#...` moved back by `by` (just its time part), to read again a little before it.
pub fn rewound(key: &str, by: chrono::Duration) -> String {
    let time = key.split('#').next().unwrap_or_default();
    match DateTime::parse_from_rfc3339(time) {
        Ok(t) => key_time(t.with_timezone(&Utc) - by),
        Err(_) => key.to_string(),
    }
}

/// An audit record as shared: the record as the local log has it, and who wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedRecord {
    pub record: AuditRecord,
    pub operator: Operator,
}

/// A timeline entry as shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedEntry {
    pub entry: Entry,
    pub operator: Operator,
}

fn phase_word(phase: Phase) -> &'static str {
    match phase {
        Phase::Started => "started",
        Phase::Step => "step",
        Phase::Finished => "finished",
        Phase::Settled => "settled",
        Phase::Replanned => "replanned",
    }
}

/// The queued item of one audit record. Its key is made once, here, and kept in the queue, so a
/// resend has the same key (and the conditional put makes it a no-op).
pub fn audit_item(record: &AuditRecord, operator: &Operator, keep_days: Option<u32>) -> Result<Queued, String> {
    let step = record.step.as_ref().map_or(0, |s| s.n);
    let sk = format!(
        "{}#{}#{}#{step:04}#{:016x}",
        key_time(record.time),
        record.id,
        phase_word(record.phase),
        crate::audit::unique_bits()
    );
    let body = serde_json::to_string(&SharedRecord { record: record.clone(), operator: operator.clone() })
        .map_err(|e| e.to_string())?;
    let expires_at = keep_days.map(|d| record.time.timestamp() + i64::from(d) * 86_400);
    Ok(Queued { pk: AUDIT.into(), sk, body, expires_at })
}

/// The queued items of one timeline entry: the entry, and for a start or an end the index line.
pub fn entry_items(entry: &Entry, operator: &Operator) -> Result<Vec<Queued>, String> {
    let mut entry = entry.clone();
    if entry.id.is_empty() {
        entry.id = crate::incident::new_entry_id(entry.recorded_at);
    }
    // The shared copy names the person and the host; CloudWatch's entries stay CloudWatch's.
    if entry.kind != Kind::Alarm {
        entry.who = operator.at();
    }
    let body = serde_json::to_string(&SharedEntry { entry: entry.clone(), operator: operator.clone() })
        .map_err(|e| e.to_string())?;
    let mut items = vec![Queued {
        pk: incident_pk(&entry.incident),
        sk: format!("{}#{}", key_time(entry.recorded_at), entry.id),
        body: body.clone(),
        expires_at: None,
    }];
    let index = match entry.kind {
        Kind::Start => Some("start"),
        Kind::End => Some("end"),
        _ => None,
    };
    if let Some(word) = index {
        items.push(Queued { pk: INCIDENTS.into(), sk: format!("{}#{word}", entry.incident), body, expires_at: None });
    }
    Ok(items)
}

/// One incident in the shared index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedIncident {
    pub name: String,
    pub started: DateTime<Utc>,
    pub started_by: Operator,
    pub ended: Option<(DateTime<Utc>, Operator)>,
}

/// The shared index read back: each incident with its start and (if any) end.
pub fn incidents_from(items: &[crate::team_table::TableItem]) -> Vec<SharedIncident> {
    let mut out: Vec<SharedIncident> = Vec::new();
    for item in items {
        let Ok(shared) = serde_json::from_str::<SharedEntry>(&item.body) else { continue };
        let name = shared.entry.incident.clone();
        if item.sk.ends_with("#start") {
            out.push(SharedIncident { name, started: shared.entry.at, started_by: shared.operator, ended: None });
        } else if item.sk.ends_with("#end") {
            if let Some(i) = out.iter_mut().find(|i| i.name == name) {
                i.ended = Some((shared.entry.at, shared.operator));
            }
        }
    }
    out.sort_by_key(|i| i.started);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Operator {
        Operator {
            arn: "arn:aws:sts::1:assumed-role/r/alice".into(),
            user: "alice".into(),
            host: "b1".into(),
            session: "s1".into(),
        }
    }

    #[test]
    fn a_start_is_indexed_and_the_shared_copy_names_the_host() {
        let now = Utc::now();
        let entry = Entry::new("db-outage", Kind::Start, "by hand", now, "alice");
        let items = entry_items(&entry, &alice()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].pk, "INCIDENT#db-outage");
        assert!(items[0].sk.ends_with(&entry.id));
        assert_eq!(items[1].sk, "db-outage#start");
        let shared: SharedEntry = serde_json::from_str(&items[0].body).unwrap();
        assert_eq!(shared.entry.who, "alice@b1");
        let note = Entry::new("db-outage", Kind::Note, "x", now, "alice");
        assert_eq!(entry_items(&note, &alice()).unwrap().len(), 1);
        let table: Vec<_> = items
            .iter()
            .map(|q| crate::team_table::TableItem {
                pk: q.pk.clone(),
                sk: q.sk.clone(),
                body: q.body.clone(),
                ..Default::default()
            })
            .collect();
        let key = &items[0].sk;
        assert!(rewound(key, chrono::Duration::minutes(2)) < *key);
        assert_eq!(rewound("garbage", chrono::Duration::minutes(2)), "garbage");
        let index = incidents_from(&table[1..]);
        assert_eq!(index.len(), 1);
        assert_eq!(index[0].name, "db-outage");
        assert!(index[0].ended.is_none());
    }
}
