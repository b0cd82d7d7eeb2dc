//! The headless CLI's verbs (`opsdeck scale ...`). Same grammar as the palette
//! (`ops::grammar`), same path (`ops::plan` -> `confirm` -> `execute` -> watch). Output is text
//! for people or `--output json` for scripts; exit codes: 0 done, 1 failed, 2 bad usage or
//! input, 3 refused (read-only, not confirmed, conflict).

mod act;
mod env;
mod incident;
mod metric;
mod query;
mod read;
mod runbook;
mod show;
mod tables;
mod targets;
mod team;

use crate::backend::{Backend, BackendLabel};
use crate::ops::grammar::{self, ActionConfig, Verb};
use crate::ops::{OpsContext, Watch, WatchState};
use std::io::Write;
use std::time::Duration;

pub use query::groups_of as query_groups;

/// What a verb needs besides its arguments.
pub struct Env<'a> {
    pub backend: &'a dyn Backend,
    pub ops: &'a OpsContext,
    pub config: &'a dyn CommandConfig,
    /// Whether stdin is a terminal to ask on.
    pub interactive: bool,
}

/// What the verbs take from the configuration: what actions take, and where runbooks are.
pub trait CommandConfig: ActionConfig + Sync {
    fn runbooks(&self) -> crate::runbook::Library;
}

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_REFUSED: u8 = 3;

/// Run one verb; returns the exit code. Errors writing to `out` are the only `Err`.
pub async fn run(
    verb: &Verb,
    env: &Env<'_>,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> std::io::Result<u8> {
    match verb {
        Verb::Wait(args) => read::wait(args, env, out, err).await,
        Verb::Revisions(args) => read::revisions(args, env, out, err).await,
        Verb::Logs(args) => read::logs(args, env, out, err).await,
        Verb::Alarms(args) => read::alarms(args, env, out, err).await,
        Verb::Audit(args) if args.team => team::audit(args, env, out, err).await,
        Verb::Audit(args) => read::audit(args, env, out, err),
        Verb::Lease(args) => team::lease(args, env, out, err).await,
        Verb::Team(args) => team::run(args, env, out, err).await,
        Verb::Undo(args) => act::undo(args, env, out, err).await,
        Verb::Env(args) => env::run(args, env, out, err).await,
        Verb::Runbook(args) => runbook::run(args, env, out, err).await,
        Verb::Incident(args) => incident::run(args, env, out, err).await,
        Verb::Targets(args) => targets::run(args, env, out, err).await,
        Verb::Query(args) => query::run(args, env, out, err).await,
        Verb::Metric(args) => metric::run(args, env, out, err).await,
        Verb::Show(args) => show::run(args, env, out, err).await,
        other => match grammar::intent_of(other, env.config) {
            Ok(Some(intent)) => {
                let run = other.run_args().cloned().unwrap_or_default();
                act::act(intent, &run, env, out, err).await
            }
            Ok(None) => Ok(0),
            Err(e) => {
                writeln!(err, "opsdeck: {e}")?;
                Ok(EXIT_USAGE)
            }
        },
    }
}

/// How often a watch reads its resource: every 2 s of the backend's time (the simulated fleet
/// may run faster), never more than 10 times a second.
fn poll_interval(backend: &dyn Backend) -> Duration {
    let speed = match backend.label() {
        BackendLabel::Demo { speed, .. } => speed.max(1),
        BackendLabel::Aws { .. } => 1,
    };
    Duration::from_millis((2000 / u64::from(speed)).max(100))
}

/// Follow a watch until it settles, fails or times out, printing each new line of progress.
pub(crate) async fn follow(
    backend: &dyn Backend,
    mut watch: Watch,
    timeout: Duration,
    text: bool,
    out: &mut (dyn Write + Send),
) -> std::io::Result<Watch> {
    let limit = chrono::Duration::from_std(timeout).unwrap_or(chrono::Duration::minutes(15));
    let pause = poll_interval(backend);
    let mut last_progress = String::new();
    let mut events_shown = 0;
    loop {
        let now = backend.clock().unwrap_or_else(chrono::Utc::now);
        // Every resource the watch still waits for, read side by side.
        let addresses = watch.pending_reads();
        let reads = crate::backend::read_each(backend, addresses.clone()).await;
        for (address, result) in addresses.iter().zip(reads) {
            match result {
                Ok(snapshot) => watch.observe_read(address, Some(&snapshot), now),
                Err(crate::backend::BackendError::NotFound(_)) => watch.observe_read(address, None, now),
                Err(e) => watch.read_failed(address, &e.to_string()),
            }
        }
        watch.check_timeout(now, limit);
        if text {
            for event in watch.events.iter().skip(events_shown) {
                writeln!(out, "  event  {event}")?;
            }
            events_shown = watch.events.len();
            if watch.progress != last_progress {
                writeln!(out, "  {}  {}", now.format("%H:%M:%S"), watch.progress)?;
                last_progress.clone_from(&watch.progress);
            }
        }
        if watch.is_done() {
            return Ok(watch);
        }
        tokio::time::sleep(pause).await;
    }
}

/// The text and exit code of a watch's end.
pub(crate) fn watch_end(watch: &Watch) -> (String, u8) {
    match &watch.state {
        WatchState::Settled => (format!("done: {}", watch.progress), 0),
        WatchState::Failed(why) => (format!("FAILED: {why}"), EXIT_FAILED),
        WatchState::TimedOut => (format!("timed out waiting ({}); it may still finish", watch.progress), EXIT_FAILED),
        WatchState::Running => ("still running".into(), EXIT_FAILED),
    }
}

/// Default time a `--wait` or `wait` follows a change.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15 * 60);
