//! The last-known fleet of an account, kept on disk per profile and region so the console draws
//! something true-but-old at once (marked "as of 3h ago, refreshing") instead of an empty screen
//! while AWS answers. Only what the panes list: services, endpoints, alarms, cost; never log
//! lines, payloads or anything secret. The file is 0600 and written atomically (a temporary file
//! renamed over it), so a crash never leaves half a fleet. Actions never plan from it: a plan
//! always reads the resource fresh.

use crate::domain::{Alarm, CostReport, Endpoint, Service};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bumped when the shape changes: an older file is ignored, never misread.
pub const VERSION: u32 = 1;
/// A cache larger than this is not read (a fleet of 2,000 services is ~2 MB).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedFleet {
    pub version: u32,
    pub written_at: DateTime<Utc>,
    pub services: Option<Vec<Service>>,
    pub endpoints: Option<Vec<Endpoint>>,
    pub alarms: Option<Vec<Alarm>>,
    pub cost: Option<CostReport>,
}

/// `DIR/PROFILE@REGION.json`, the profile and region made safe as a file name.
pub fn path(dir: &Path, profile: &str, region: &str) -> PathBuf {
    let safe = |s: &str| -> String {
        s.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
    };
    dir.join(format!("{}@{}.json", safe(profile), safe(region)))
}

/// The cached fleet, if there is a usable one. A missing file is `Ok(None)`; an unreadable or
/// malformed one is an error to log (the console then starts empty, as without a cache); a file
/// of another version is `Ok(None)`.
pub fn load(path: &Path) -> Result<Option<CachedFleet>, String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if meta.len() > MAX_BYTES {
        return Err(format!("{}: {} bytes is too large for a fleet cache; ignored", path.display(), meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The file's contents as a fleet; `Ok(None)` for another version.
pub fn parse(bytes: &[u8]) -> Result<Option<CachedFleet>, String> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let versioned: Versioned = serde_json::from_slice(bytes).map_err(not_a_fleet_cache)?;
    if versioned.version != VERSION {
        return Ok(None);
    }
    serde_json::from_slice(bytes).map(Some).map_err(not_a_fleet_cache)
}

/// serde quotes the offending text: a file on disk is outside input, so the quote is made inert.
fn not_a_fleet_cache(e: serde_json::Error) -> String {
    format!("not a fleet cache: {}", crate::sanitize::inert(&e.to_string()))
}

/// Write the fleet atomically with mode 0600.
pub fn save(path: &Path, fleet: &CachedFleet) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_vec(fleet).map_err(std::io::Error::other)?;
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(&json)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet() -> CachedFleet {
        CachedFleet {
            version: VERSION,
            written_at: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 4, 3, 0, 0).unwrap(),
            services: Some(Vec::new()),
            endpoints: None,
            alarms: Some(Vec::new()),
            cost: None,
        }
    }

    #[test]
    fn a_saved_fleet_reads_back_private_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = path(dir.path(), "prod/admin", "eu-west-1");
        assert!(p.ends_with("prod_admin@eu-west-1.json"), "{p:?}");
        assert_eq!(load(&p).unwrap(), None, "no file yet");
        save(&p, &fleet()).unwrap();
        assert_eq!(load(&p).unwrap(), Some(fleet()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_bad_or_foreign_file_is_never_misread() {
        assert!(parse(b"{not json").unwrap_err().contains("not a fleet cache"));
        assert!(parse(b"{\"version\": 1, \"services\": 5}").is_err());
        assert_eq!(parse(b"{\"version\": 999, \"anything\": true}").unwrap(), None);
        assert!(parse(b"").is_err());
    }
}
