//! The local queue of records on their way to the team table: JSON lines beside the audit log,
//! each fsynced before the local append returns. A record leaves the queue only after the table
//! has it (or had it: puts are conditional on a new key, so a resend after a crash is a no-op).
//! The queue is kept in order; a flush stops at the first failure, so nothing overtakes.

use crate::team_table::TableItem;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One queued item (a lease is never queued: it is taken now or not at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub pk: String,
    pub sk: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

impl Queued {
    pub fn item(&self) -> TableItem {
        TableItem {
            pk: self.pk.clone(),
            sk: self.sk.clone(),
            body: self.body.clone(),
            expires_at: self.expires_at,
            ..TableItem::default()
        }
    }
}

#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
}

impl Outbox {
    pub fn new(path: PathBuf) -> Outbox {
        Outbox { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hold the queue's lock file while `f` runs: two opsdeck processes of one home share the
    /// queue, and a flush rewriting it must not lose a line another is appending.
    fn locked<T>(&self, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
        let shown = self.path.display();
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let lock_path = self.path.with_extension("lock");
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let lock = options.open(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
        lock.lock().map_err(|e| format!("{shown}: lock: {e}"))?;
        let result = f();
        if let Err(e) = lock.unlock() {
            tracing::warn!(%e, "team queue: unlock");
        }
        result
    }

    /// Queue items, fsynced.
    pub fn push(&self, items: &[Queued]) -> Result<(), String> {
        self.locked(|| {
            let shown = self.path.display();
            let mut text = String::new();
            for item in items {
                text.push_str(&serde_json::to_string(item).map_err(|e| format!("{shown}: {e}"))?);
                text.push('\n');
            }
            let mut options = std::fs::OpenOptions::new();
            options.append(true).create(true);
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&self.path).map_err(|e| format!("{shown}: {e}"))?;
            // After a torn last line, start on a new one so the torn line does not swallow this.
            if ends_torn(&self.path) {
                text.insert(0, '\n');
            }
            file.write_all(text.as_bytes()).map_err(|e| format!("{shown}: {e}"))?;
            file.sync_all().map_err(|e| format!("{shown}: {e}"))
        })
    }

    /// What waits, oldest first. A torn last line (a crash mid-write) is skipped: its record is
    /// still in the local audit log or timeline.
    pub fn pending(&self) -> Result<Vec<Queued>, String> {
        self.locked(|| self.read_unlocked())
    }

    fn read_unlocked(&self) -> Result<Vec<Queued>, String> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(format!("{}: {e}", self.path.display())),
        }
    }

    /// Drop what the table now has (by key: another process may have queued more meanwhile),
    /// rewriting the queue through a temporary file and a rename.
    pub fn remove(&self, sent: &HashSet<(String, String)>) -> Result<(), String> {
        if sent.is_empty() {
            return Ok(());
        }
        self.locked(|| {
            let left: Vec<Queued> =
                self.read_unlocked()?.into_iter().filter(|q| !sent.contains(&(q.pk.clone(), q.sk.clone()))).collect();
            let shown = self.path.display();
            let mut text = String::new();
            for item in &left {
                text.push_str(&serde_json::to_string(item).map_err(|e| format!("{shown}: {e}"))?);
                text.push('\n');
            }
            let tmp = self.path.with_extension("tmp");
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
            file.write_all(text.as_bytes()).map_err(|e| format!("{}: {e}", tmp.display()))?;
            file.sync_all().map_err(|e| format!("{}: {e}", tmp.display()))?;
            std::fs::rename(&tmp, &self.path).map_err(|e| format!("{shown}: {e}"))
        })
    }
}

/// The file's last byte is not a newline (a crash cut the last line short).
fn ends_torn(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    if file.seek(SeekFrom::End(-1)).is_err() {
        return false;
    }
    let mut last = [0u8; 1];
    file.read_exact(&mut last).is_ok() && last[0] != b'\n'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(sk: &str) -> Queued {
        Queued { pk: "AUDIT".into(), sk: sk.into(), body: "{}".into(), expires_at: None }
    }

    #[test]
    fn the_queue_keeps_order_and_drops_only_what_was_sent() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::new(dir.path().join("team-queue.jsonl"));
        assert!(outbox.pending().unwrap().is_empty());
        outbox.push(&[q("1"), q("2")]).unwrap();
        outbox.push(&[q("3")]).unwrap();
        let sent: HashSet<_> = [("AUDIT".to_string(), "2".to_string())].into();
        outbox.remove(&sent).unwrap();
        let left: Vec<String> = outbox.pending().unwrap().into_iter().map(|q| q.sk).collect();
        assert_eq!(left, ["1", "3"]);
        // A torn line is skipped, the rest kept.
        std::fs::OpenOptions::new().append(true).open(outbox.path()).unwrap().write_all(b"{\"pk\":").unwrap();
        assert_eq!(outbox.pending().unwrap().len(), 2);
        outbox.push(&[q("4")]).unwrap();
        let left: Vec<String> = outbox.pending().unwrap().into_iter().map(|q| q.sk).collect();
        assert_eq!(left, ["1", "3", "4"]);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(outbox.path()).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
