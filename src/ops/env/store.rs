//! Where saved state lives: SSM Parameter Store (the record every engineer and a cron job share)
//! and a local copy in opsdeck's data directory (for when SSM cannot be reached).
//!
//! SSM standard parameters hold 4,096 characters, so the saved state is cut into parts of at most
//! `PART_CHARS` under `/opsdeck/environments/ENV/saved/GENERATION/N`, and a small pointer
//! `/opsdeck/environments/ENV/state` names the generation and the status. The parts are written
//! before the pointer, so a save cut short leaves the previous pointer (and its parts) in force;
//! a new generation never overwrites an old one's parts.

use super::saved::{EnvStatus, Pointer, SavedState, FORMAT};
use crate::backend::{Backend, BackendError, BackendLabel};
use crate::domain::Mutation;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Below SSM's 4,096-character limit of a standard parameter, with room to spare.
pub const PART_CHARS: usize = 4000;
/// SSM DeleteParameters takes at most 10 names.
const DELETE_BATCH: usize = 10;

pub fn pointer_name(environment: &str) -> String {
    format!("/opsdeck/environments/{environment}/state")
}

pub fn part_name(environment: &str, generation: &str, index: u32) -> String {
    format!("/opsdeck/environments/{environment}/saved/{generation}/{index}")
}

fn part_names(pointer: &Pointer) -> Vec<String> {
    (0..pointer.parts).map(|i| part_name(&pointer.environment, &pointer.generation, i)).collect()
}

/// Cut text into pieces of at most `PART_CHARS` characters (never inside a character).
pub fn split(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(PART_CHARS).map(|c| c.iter().collect()).collect()
}

/// Why the saved state could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// SSM did not answer (network, access, throttling): try the local copy.
    Unreachable(BackendError),
    /// The parameters are there but do not make a saved state (edited by hand, a part missing).
    Corrupt(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Unreachable(e) => write!(f, "SSM could not be read: {e}"),
            ReadError::Corrupt(why) => write!(f, "the saved state in SSM is damaged: {why}"),
        }
    }
}

/// The pointers of several environments at once (GetParameters takes 10 names per call).
pub async fn read_pointers(
    backend: &dyn Backend,
    environments: &[String],
) -> Result<Vec<(String, Option<Pointer>)>, ReadError> {
    let names: Vec<String> = environments.iter().map(|e| pointer_name(e)).collect();
    let found = backend.parameters(&names).await.map_err(ReadError::Unreachable)?;
    environments
        .iter()
        .zip(&names)
        .map(|(env, name)| match found.get(name) {
            Some(text) => parse_pointer(env, text).map(|p| (env.clone(), Some(p))),
            None => Ok((env.clone(), None)),
        })
        .collect()
}

fn parse_pointer(environment: &str, text: &str) -> Result<Pointer, ReadError> {
    let pointer: Pointer = serde_json::from_str(text)
        .map_err(|e| ReadError::Corrupt(format!("{}: not a pointer: {e}", pointer_name(environment))))?;
    if pointer.format != FORMAT || pointer.environment != environment {
        return Err(ReadError::Corrupt(format!(
            "{}: format {} for environment {}, expected {FORMAT} for {environment}",
            pointer_name(environment),
            pointer.format,
            pointer.environment
        )));
    }
    Ok(pointer)
}

/// The saved state a pointer names, joined from its parts.
pub async fn read_saved(backend: &dyn Backend, pointer: &Pointer) -> Result<SavedState, ReadError> {
    let names = part_names(pointer);
    let found = backend.parameters(&names).await.map_err(ReadError::Unreachable)?;
    let mut text = String::new();
    for name in &names {
        let part = found.get(name).ok_or_else(|| ReadError::Corrupt(format!("{name} is missing")))?;
        text.push_str(part);
    }
    let saved: SavedState = serde_json::from_str(&text)
        .map_err(|e| ReadError::Corrupt(format!("generation {}: {e}", pointer.generation)))?;
    if saved.environment != pointer.environment {
        return Err(ReadError::Corrupt(format!(
            "generation {} holds environment {}",
            pointer.generation, saved.environment
        )));
    }
    Ok(saved)
}

/// The pointer and saved state of one environment in SSM; None when nothing was ever saved.
pub async fn read(backend: &dyn Backend, environment: &str) -> Result<Option<(Pointer, SavedState)>, ReadError> {
    let pointers = read_pointers(backend, &[environment.to_string()]).await?;
    match pointers.into_iter().next().and_then(|(_, p)| p) {
        Some(pointer) => Ok(Some((pointer.clone(), read_saved(backend, &pointer).await?))),
        None => Ok(None),
    }
}

/// The local copy: the pointer and the saved state in one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalCopy {
    pub pointer: Pointer,
    pub saved: SavedState,
}

/// `DIR/<profile>@<region>/ENV.json` (`DIR/demo/ENV.json` on the simulated fleet): one account's
/// environments never mix with another's.
pub fn local_path(dir: &Path, label: &BackendLabel, environment: &str) -> PathBuf {
    let account = match label {
        BackendLabel::Aws { profile, region } => format!("{profile}@{region}"),
        BackendLabel::Demo { .. } => "demo".to_string(),
    };
    dir.join(account).join(format!("{environment}.json"))
}

pub fn read_local(path: &Path) -> Result<Option<LocalCopy>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| format!("{}: not a saved state: {e}", path.display()))
}

/// Write the local copy whole or not at all: a temporary file, fsynced, renamed over the old one.
pub fn write_local(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    let shown = path.display();
    let dir = path.parent().ok_or_else(|| format!("{shown}: no directory"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let temp = path.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp).map_err(|e| format!("{}: {e}", temp.display()))?;
    file.write_all(contents.as_bytes()).map_err(|e| format!("{}: {e}", temp.display()))?;
    file.sync_all().map_err(|e| format!("{}: {e}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| format!("{shown}: {e}"))
}

/// The writes that save a new generation: every part, then the pointer.
pub fn save_mutations(pointer: &Pointer, saved: &SavedState) -> Result<Vec<Mutation>, String> {
    let text = serde_json::to_string(saved).map_err(|e| format!("saved state: {e}"))?;
    let parts = split(&text);
    if parts.len() != pointer.parts as usize {
        return Err(format!("saved state: {} parts, the pointer says {}", parts.len(), pointer.parts));
    }
    let mut out: Vec<Mutation> = parts
        .into_iter()
        .enumerate()
        .map(|(i, value)| Mutation::PutParameter {
            name: part_name(&pointer.environment, &pointer.generation, i as u32),
            value,
        })
        .collect();
    out.push(pointer_mutation(pointer)?);
    Ok(out)
}

/// The pointer write alone (a status change).
pub fn pointer_mutation(pointer: &Pointer) -> Result<Mutation, String> {
    let value = serde_json::to_string(pointer).map_err(|e| format!("pointer: {e}"))?;
    Ok(Mutation::PutParameter { name: pointer_name(&pointer.environment), value })
}

/// How many parts a saved state takes.
pub fn parts_of(saved: &SavedState) -> Result<u32, String> {
    let text = serde_json::to_string(saved).map_err(|e| format!("saved state: {e}"))?;
    Ok(split(&text).len().max(1) as u32)
}

/// Remove an old generation's parts once a new pointer no longer names them.
pub fn delete_generation(pointer: &Pointer) -> Vec<Mutation> {
    part_names(pointer).chunks(DELETE_BATCH).map(|c| Mutation::DeleteParameters { names: c.to_vec() }).collect()
}

/// A pointer with a new status, at `now`.
pub fn with_status(pointer: &Pointer, status: EnvStatus, now: chrono::DateTime<chrono::Utc>) -> Pointer {
    Pointer { status, status_at: now, ..pointer.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_character_boundaries_and_joins_back() {
        let text = "é".repeat(PART_CHARS) + "tail";
        let parts = split(&text);
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.chars().count() <= PART_CHARS));
        assert_eq!(parts.concat(), text);
        assert_eq!(split("").len(), 0);
    }

    #[test]
    fn the_local_copy_is_written_whole_with_0600() {
        let dir = tempfile::tempdir().unwrap();
        let label = BackendLabel::Aws { profile: "prod".into(), region: "eu-west-1".into() };
        let path = local_path(dir.path(), &label, "garmax-dev");
        assert!(path.ends_with("prod@eu-west-1/garmax-dev.json"));
        write_local(&path, "{\"a\":1}").unwrap();
        write_local(&path, "{\"a\":2}").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":2}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(read_local(&path).unwrap_err().contains("not a saved state"));
        assert_eq!(read_local(&dir.path().join("none.json")), Ok(None));
    }
}
