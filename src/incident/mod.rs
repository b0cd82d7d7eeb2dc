//! The incident timeline: alarm state changes seen, runbook steps run, notes, and (from the audit
//! log) every action, in one place for the postmortem. Kept as JSON lines next to the audit log,
//! each entry fsynced as it is written, so a crash loses nothing already recorded.

mod export;

pub use export::{export, ExportOptions};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The incident was opened (by hand, or by opening a runbook from an alarm).
    Start,
    End,
    /// An alarm changed state while the incident was open.
    Alarm,
    /// A runbook step ran: its commands, exit status and an excerpt of what they printed.
    Step,
    /// Something an engineer typed.
    Note,
    /// A Logs Insights query run, with a line on what it found.
    Query,
    /// Another operator's incident made the open one here (team mode).
    Join,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Start => "incident",
            Kind::End => "incident",
            Kind::Alarm => "alarm",
            Kind::Step => "step",
            Kind::Note => "note",
            Kind::Query => "query",
            Kind::Join => "join",
        }
    }
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique per entry: a shared timeline holds each entry once however often it is sent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub incident: String,
    /// When it happened (an alarm's change, a step's start), in UTC.
    pub at: DateTime<Utc>,
    /// When opsdeck wrote it down.
    pub recorded_at: DateTime<Utc>,
    /// Who: the local user (an alarm's changes are CloudWatch's).
    pub who: String,
    pub kind: Kind,
    pub what: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The commands a step ran, as run (placeholders filled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<u8>,
    /// The last lines the step printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_ids: Vec<String>,
}

impl Entry {
    pub fn new(incident: &str, kind: Kind, what: impl Into<String>, at: DateTime<Utc>, who: &str) -> Entry {
        Entry {
            id: new_entry_id(at),
            incident: incident.to_string(),
            at,
            recorded_at: at,
            who: who.to_string(),
            kind,
            what: what.into(),
            runbook: None,
            step: None,
            commands: Vec::new(),
            exit: None,
            output: None,
            audit_ids: Vec::new(),
        }
    }
}

/// A new entry's id: its time and 64 random bits (two bastions write the same second).
pub fn new_entry_id(at: DateTime<Utc>) -> String {
    format!("{}-{:016x}", at.format("%Y%m%dT%H%M%S%.6fZ"), crate::audit::unique_bits())
}

/// Lines of output an entry keeps (the start and the end of it).
pub const EXCERPT_LINES: usize = 12;

/// The first and last lines of a step's output, with what was left out counted.
pub fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= EXCERPT_LINES {
        return lines.join("\n");
    }
    let (head, tail) = (4, EXCERPT_LINES - 4);
    let mut out: Vec<String> = lines[..head].iter().map(|s| s.to_string()).collect();
    out.push(format!("… {} lines left out …", lines.len() - head - tail));
    out.extend(lines[lines.len() - tail..].iter().map(|s| s.to_string()));
    out.join("\n")
}

/// The timeline beside an audit log: `incidents.jsonl` beside `audit.jsonl`, `incidents-demo.jsonl`
/// beside `audit-demo.jsonl`.
pub fn path_beside(audit: &Path) -> PathBuf {
    let name = audit.file_name().map(|n| n.to_string_lossy().replace("audit", "incidents"));
    audit.with_file_name(name.unwrap_or_else(|| "incidents.jsonl".into()))
}

/// The local user, as the audit log names them.
pub fn local_user() -> String {
    crate::audit::Who::local(String::new()).user
}

/// The timeline file (append-only JSON lines, each fsynced).
#[derive(Debug)]
pub struct IncidentLog {
    file: crate::jsonl::JsonLines,
}

impl IncidentLog {
    pub fn new(path: PathBuf) -> IncidentLog {
        IncidentLog { file: crate::jsonl::JsonLines::new(path) }
    }

    /// Every entry appended from now on is also shared (team mode).
    pub fn with_mirror(self, mirror: std::sync::Arc<dyn crate::jsonl::Mirror>) -> IncidentLog {
        IncidentLog { file: self.file.with_mirror("incident", mirror) }
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Append one entry and fsync it (0600, directory created when missing).
    pub fn append(&self, entry: &Entry) -> Result<(), String> {
        self.file.append(entry)
    }

    /// Every entry, oldest first; a torn last line (a crash mid-write) is skipped.
    pub fn read(&self) -> Result<Vec<Entry>, String> {
        self.file.read().map(|(entries, _)| entries)
    }

    /// The incident open now: the last one started and not ended.
    pub fn open(&self) -> Result<Option<String>, String> {
        Ok(open_in(&self.read()?))
    }

    /// Open an incident; refused while another is open.
    pub fn start(&self, name: &str, why: &str, now: DateTime<Utc>) -> Result<(), String> {
        check_name(name)?;
        if let Some(open) = self.open()? {
            return Err(if open == name {
                format!("incident {name} is already open")
            } else {
                format!("incident {open} is open: end it first (`opsdeck incident end`)")
            });
        }
        self.append(&Entry::new(name, Kind::Start, why, now, &local_user()))
    }

    /// The open incident, or a new one named `name` opened for `why`.
    pub fn open_or_start(&self, name: &str, why: &str, now: DateTime<Utc>) -> Result<(String, bool), String> {
        match self.open()? {
            Some(open) => Ok((open, false)),
            None => {
                self.start(name, why, now)?;
                Ok((name.to_string(), true))
            }
        }
    }

    /// Make another operator's incident the open one here (team mode).
    pub fn join(&self, name: &str, now: DateTime<Utc>) -> Result<(), String> {
        check_name(name)?;
        match self.open()? {
            Some(open) if open == name => Err(format!("incident {name} is already open here")),
            Some(open) => Err(format!("incident {open} is open here: end it first (`opsdeck incident end`)")),
            None => self.append(&Entry::new(name, Kind::Join, "joined", now, &local_user())),
        }
    }

    pub fn end(&self, now: DateTime<Utc>) -> Result<String, String> {
        let open = self.open()?.ok_or_else(|| "no incident is open".to_string())?;
        self.append(&Entry::new(&open, Kind::End, "ended", now, &local_user()))?;
        Ok(open)
    }

    /// A note on the open incident.
    pub fn note(&self, text: &str, now: DateTime<Utc>) -> Result<String, String> {
        let open =
            self.open()?.ok_or_else(|| "no incident is open: start one with `incident start NAME`".to_string())?;
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty note".into());
        }
        self.append(&Entry::new(&open, Kind::Note, text, now, &local_user()))?;
        Ok(open)
    }
}

/// An alarm entry: "NAME OK -> ALARM: reason" at the time the alarm changed.
pub fn alarm_entry(incident: &str, alarm: &crate::domain::Alarm, from: Option<&str>) -> Entry {
    let what = match from {
        Some(from) => format!("{} {from} -> {}: {}", alarm.name, alarm.state.as_str(), alarm.reason),
        None => format!("{} is {}: {}", alarm.name, alarm.state.as_str(), alarm.reason),
    };
    let mut entry = Entry::new(incident, Kind::Alarm, what, alarm.state_since, "cloudwatch");
    // Every console with the incident open sees the same change: one id for it, so a shared
    // timeline keeps it once (its key is the change's time and this id).
    let name: String = alarm.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    entry.id = format!("alarm-{}-{name}-{}", alarm.state_since.format("%Y%m%dT%H%M%S%.6fZ"), alarm.state.as_str());
    entry
}

/// The last incident started and not ended in these entries.
pub fn open_in(entries: &[Entry]) -> Option<String> {
    let mut open: Option<String> = None;
    for e in entries {
        match e.kind {
            Kind::Start | Kind::Join => open = Some(e.incident.clone()),
            Kind::End if open.as_deref() == Some(e.incident.as_str()) => open = None,
            _ => {}
        }
    }
    open
}

/// Incident names go into file names and headings: letters, digits, `-`, `_`, `.`.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!("incident name '{name}': use letters, digits, '-', '_' or '.'"))
    }
}

/// A name for an incident opened from an alarm or a runbook: `NAME-YYYYMMDD-HHMM`.
pub fn name_for(what: &str, now: DateTime<Utc>) -> String {
    let base: String =
        what.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') { c } else { '-' }).collect();
    let base = base.trim_matches('-').chars().take(60).collect::<String>();
    format!("{}-{}", if base.is_empty() { "incident" } else { &base }, now.format("%Y%m%d-%H%M"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn incidents_open_take_notes_and_end() {
        let dir = tempfile::tempdir().unwrap();
        let log = IncidentLog::new(dir.path().join("incidents.jsonl"));
        let now = Utc::now();
        assert_eq!(log.open().unwrap(), None);
        assert!(log.note("x", now).unwrap_err().contains("no incident is open"));
        log.start("db-outage", "by hand", now).unwrap();
        assert!(log.start("other", "", now).unwrap_err().contains("db-outage is open"));
        assert_eq!(log.open_or_start("x", "", now).unwrap(), ("db-outage".to_string(), false));
        assert_eq!(log.note("rolled back", now).unwrap(), "db-outage");
        assert_eq!(log.end(now).unwrap(), "db-outage");
        assert_eq!(log.open().unwrap(), None);
        assert!(log.start("bad name", "", now).is_err());
        // A torn last line is skipped, the rest kept.
        std::fs::OpenOptions::new().append(true).open(log.path()).unwrap().write_all(b"{\"incident\":").unwrap();
        assert_eq!(log.read().unwrap().len(), 3);
        assert!(name_for("CleanisticAI-HighErrorRate", now).starts_with("CleanisticAI-HighErrorRate-"));
        assert!(name_for("a b/c", now).starts_with("a-b-c-"));
    }

    #[test]
    fn long_output_keeps_its_start_and_end() {
        let text: String = (1..=40).map(|i| format!("line {i}\n")).collect();
        let e = excerpt(&text);
        assert!(e.starts_with("line 1\n"));
        assert!(e.contains("… 28 lines left out …"));
        assert!(e.ends_with("line 40"));
        assert_eq!(excerpt("a\nb"), "a\nb");
    }
}
