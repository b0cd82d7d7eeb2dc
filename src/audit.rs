//! The audit log: append-only JSON lines, mode 0600, every record fsynced before the call that
//! wrote it returns. An action writes a `started` record before anything is sent (if that write
//! fails, nothing is sent), a `finished` record with what AWS said, and a `settled` record when the
//! watch sees the change reach its end.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Who acted: the credentials' identity, the local account, and the SSH client it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Who {
    /// STS GetCallerIdentity's ARN, or why it could not be read.
    pub arn: String,
    pub user: String,
    /// The client address from SSH_CONNECTION, when opsdeck runs inside an SSH session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_client: Option<String>,
}

impl Who {
    /// The local half, from the environment; the ARN is filled in from the backend.
    pub fn local(arn: String) -> Who {
        let user = ["USER", "LOGNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "unknown".to_string());
        let ssh_client = std::env::var("SSH_CONNECTION")
            .ok()
            .and_then(|c| c.split_whitespace().next().map(str::to_string))
            .filter(|c| !c.is_empty());
        Who { arn, user, ssh_client }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Written before the first request is sent.
    Started,
    /// One step of an action with several (an environment's teardown): written as each is done.
    Step,
    /// Written when the backend answered (or failed).
    Finished,
    /// Written when the watch saw the change reach its end (or fail, or time out).
    Settled,
    /// Written at execute when the fresh read showed the confirmed plan no longer holds: a new
    /// plan to confirm, nothing left to do, or a plan that no longer applies. Nothing was sent.
    Replanned,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Shared by the records of one action; `opsdeck undo ID` names it.
    pub id: String,
    pub time: DateTime<Utc>,
    pub phase: Phase,
    pub who: Who,
    pub profile: String,
    pub region: String,
    /// The verb: scale, redeploy, rollback, invoke.
    pub action: String,
    pub resource: String,
    /// The command as typed in the one grammar.
    pub command: String,
    /// What the plan read (the fields it changes), and what they are to become.
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_ids: Vec<String>,
    /// started, succeeded, failed: REASON, settled, watch failed: REASON, timed out.
    pub outcome: String,
    /// The command that would undo this, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverse: Option<String>,
    /// For `step` records: which step and what it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepRecord>,
    /// For `replanned` records: what the confirmed plan would have sent, what a plan read now
    /// sends (empty: nothing left to do, or it no longer applies), and what moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replan: Option<ReplanRecord>,
    /// Team mode: the leases taken (or taken over from someone), or why none could be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<String>,
}

/// Why a confirmed plan was not carried out as confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplanRecord {
    /// The confirmed plan's calls ("ecs:c/s: native roll back (StopServiceDeployment)").
    pub was: Vec<String>,
    /// The calls a plan read now would make.
    pub now: Vec<String>,
    /// What moved between the plan's read and the one at execute ("service deployment: IN_PROGRESS -> STOPPED").
    pub why: Vec<String>,
}

/// One step of a multi-step action, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// 1-based, across the action's stages.
    pub n: usize,
    pub of: usize,
    /// The stage it belongs to ("save state", "tear down", ...).
    pub stage: String,
    pub what: String,
}

/// The audit log's file (append-only JSON lines, each fsynced).
#[derive(Debug)]
pub struct AuditLog {
    file: crate::jsonl::JsonLines,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> AuditLog {
        AuditLog { file: crate::jsonl::JsonLines::new(path) }
    }

    /// Every record appended from now on is also shared (team mode).
    pub fn with_mirror(self, mirror: std::sync::Arc<dyn crate::jsonl::Mirror>) -> AuditLog {
        AuditLog { file: self.file.with_mirror("audit", mirror) }
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Append one record and fsync it. Creates the file (0600) and its directory when missing.
    pub fn append(&self, record: &AuditRecord) -> Result<(), String> {
        self.file.append(record)
    }

    /// Every record in the file, oldest first, and how many lines did not parse.
    pub fn read(&self) -> Result<(Vec<AuditRecord>, usize), String> {
        self.file.read()
    }
}

/// One action as the audit view shows it: its records merged, newest state last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: String,
    pub started: DateTime<Utc>,
    pub who: Who,
    pub profile: String,
    pub region: String,
    pub action: String,
    pub resource: String,
    pub command: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub request_ids: Vec<String>,
    pub outcome: String,
    pub inverse: Option<String>,
    /// The steps of a multi-step action, in order: "3/9 tear down: ecs:c/s: desired count 0: done".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
}

/// Merge records by id, in order of first appearance.
pub fn entries(records: &[AuditRecord]) -> Vec<AuditEntry> {
    let mut out: Vec<AuditEntry> = Vec::new();
    for r in records {
        match out.iter_mut().find(|e| e.id == r.id) {
            Some(e) if r.phase == Phase::Step => {
                if let Some(step) = &r.step {
                    e.steps.push(format!("{}/{} {}: {}: {}", step.n, step.of, step.stage, step.what, r.outcome));
                }
                e.request_ids.extend(r.request_ids.iter().cloned());
            }
            Some(e) => {
                e.outcome.clone_from(&r.outcome);
                e.request_ids.extend(r.request_ids.iter().cloned());
                if r.inverse.is_some() {
                    e.inverse.clone_from(&r.inverse);
                }
            }
            None => out.push(AuditEntry {
                id: r.id.clone(),
                started: r.time,
                who: r.who.clone(),
                profile: r.profile.clone(),
                region: r.region.clone(),
                action: r.action.clone(),
                resource: r.resource.clone(),
                command: r.command.clone(),
                before: r.before.clone(),
                after: r.after.clone(),
                request_ids: r.request_ids.clone(),
                outcome: r.outcome.clone(),
                inverse: r.inverse.clone(),
                steps: Vec::new(),
            }),
        }
    }
    out
}

/// 64 bits that differ between calls and processes (ids and keys that must not collide when two
/// bastions write in the same microsecond).
pub fn unique_bits() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // RandomState's keys come from the OS once per process and move on with every call.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    hasher.write_i64(Utc::now().timestamp_nanos_opt().unwrap_or_default());
    hasher.finish()
}

/// A new action id: sortable by time, unique enough across engineers on one incident.
pub fn new_id(now: DateTime<Utc>) -> String {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded per process: good enough to tell two engineers' actions apart.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(now.timestamp_subsec_nanos());
    hasher.write_u32(std::process::id());
    format!("{}-{:04x}", now.format("%Y%m%dT%H%M%SZ"), hasher.finish() & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(id: &str, phase: Phase, outcome: &str) -> AuditRecord {
        AuditRecord {
            id: id.into(),
            time: Utc::now(),
            phase,
            who: Who { arn: "arn:aws:iam::1:user/a".into(), user: "a".into(), ssh_client: None },
            profile: "p".into(),
            region: "r".into(),
            action: "scale".into(),
            resource: "ecs:c/s".into(),
            command: "scale ecs:c/s 3".into(),
            before: serde_json::json!({"desired": 2}),
            after: serde_json::json!({"desired": 3}),
            request_ids: vec![],
            outcome: outcome.into(),
            inverse: Some("scale ecs:c/s 2".into()),
            step: None,
            replan: None,
            lease: None,
        }
    }

    #[test]
    fn records_append_with_0600_and_merge_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("sub/audit.jsonl"));
        log.append(&record("a", Phase::Started, "started")).unwrap();
        log.append(&record("a", Phase::Finished, "succeeded")).unwrap();
        log.append(&record("b", Phase::Started, "started")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(log.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A torn line (a crash mid-write) is counted and skipped.
        std::fs::OpenOptions::new().append(true).open(log.path()).unwrap().write_all(b"{\"id\":").unwrap();
        let (records, bad) = log.read().unwrap();
        assert_eq!((records.len(), bad), (3, 1));
        let merged = entries(&records);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].outcome, "succeeded");
        assert_eq!(merged[1].outcome, "started");
    }

    #[test]
    fn an_unwritable_log_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        // A directory where a file should be: the append must fail, not pretend.
        let log = AuditLog::new(file.join("audit.jsonl"));
        assert!(log.append(&record("a", Phase::Started, "started")).is_err());
    }
}
