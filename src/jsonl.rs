//! Append-only JSON lines: one value a line, each fsynced before the write returns, the file mode
//! 0600 and its directory created when missing. The audit log and the incident timeline are kept
//! this way, so a crash loses nothing already written and a torn last line hides nothing before it.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Something that hears of every value once it is safely in the file: team mode queues it for
/// the shared table. The local file stays the source of truth: a mirror cannot fail an append.
pub trait Mirror: Send + Sync + std::fmt::Debug {
    /// `stream` names the file's kind ("audit", "incident").
    fn appended(&self, stream: &'static str, value: serde_json::Value);
}

/// The file, and a lock so lines written by concurrent tasks never interleave.
#[derive(Debug)]
pub struct JsonLines {
    path: PathBuf,
    lock: Mutex<()>,
    mirror: Option<(&'static str, Arc<dyn Mirror>)>,
}

impl JsonLines {
    pub fn new(path: PathBuf) -> JsonLines {
        JsonLines { path, lock: Mutex::new(()), mirror: None }
    }

    /// Every value appended from now on is also handed to `mirror`, under `stream`.
    pub fn with_mirror(mut self, stream: &'static str, mirror: Arc<dyn Mirror>) -> JsonLines {
        self.mirror = Some((stream, mirror));
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one value and fsync it.
    pub fn append<T: Serialize>(&self, value: &T) -> Result<(), String> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let shown = self.path.display();
        let mut line = serde_json::to_string(value).map_err(|e| format!("{shown}: {e}"))?;
        line.push('\n');
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path).map_err(|e| format!("{shown}: {e}"))?;
        file.write_all(line.as_bytes()).map_err(|e| format!("{shown}: {e}"))?;
        file.sync_all().map_err(|e| format!("{shown}: {e}"))?;
        if let Some((stream, mirror)) = &self.mirror {
            match serde_json::to_value(value) {
                Ok(value) => mirror.appended(stream, value),
                Err(e) => tracing::warn!(%e, "a record could not be shared"),
            }
        }
        Ok(())
    }

    /// Every line that parses, oldest first, and how many did not (a torn last line after a
    /// crash is counted, not fatal). A missing file is empty.
    pub fn read<T: DeserializeOwned>(&self) -> Result<(Vec<T>, usize), String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        };
        let mut bad = 0;
        let values = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| match serde_json::from_str(l) {
                Ok(v) => Some(v),
                Err(_) => {
                    bad += 1;
                    None
                }
            })
            .collect();
        Ok((values, bad))
    }
}
