//! Starting, draining and stopping Live Tail sessions; one at a time, for the group on screen.

use super::live_tail::{retryable, TailBuffer, TailState};
use super::logs::event_key;
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{LogBatch, LogEvent, LogQuery};
use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

/// A session the UI has not drained for this long is ended: the log pane is not showing it,
/// and Live Tail is billed per minute. The next poll of the group starts a new one.
const UNREAD_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

const UNREAD: &str = "nobody is reading it";

/// Sessions that end before going live this many times in a row leave the group on polling.
const MAX_FAILED_STARTS: u32 = 3;

pub struct TailSession {
    buffer: Arc<Mutex<TailBuffer>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TailSession {
    fn drop(&mut self) {
        // Sessions are billed per minute: one nobody reads must not keep running.
        self.task.abort();
    }
}

impl AwsBackend {
    pub(super) async fn log_events_live(&self, group: &str, query: LogQuery) -> Result<LogBatch, BackendError> {
        if let LogQuery::After { .. } = query {
            if let Some(batch) = self.take_live(group) {
                return Ok(batch);
            }
        } else if let Ok(mut tails) = self.tails.lock() {
            // A new source or window: only the group on screen is tailed.
            tails.retain(|g, _| g == group);
        }
        // Not live (yet, or any more): poll, which also reconciles what a session missed.
        let batch = self.poll_log_events(group, query).await?;
        self.ensure_session(group).await;
        Ok(batch)
    }

    fn take_live(&self, group: &str) -> Option<LogBatch> {
        let tails = self.tails.lock().ok()?;
        let mut buffer = tails.get(group)?.buffer.lock().ok()?;
        if buffer.state != TailState::Live {
            return None;
        }
        if let Ok(mut failures) = self.tail_failures.lock() {
            failures.remove(group);
        }
        let (events, skipped) = buffer.take();
        Some(LogBatch { events, skipped })
    }

    async fn ensure_session(&self, group: &str) {
        if !self.live_tail {
            return;
        }
        let ended = {
            let Ok(mut tails) = self.tails.lock() else { return };
            let state: Option<TailState> = tails.get(group).and_then(|s| s.buffer.lock().ok().map(|b| b.state.clone()));
            match state {
                Some(TailState::Starting | TailState::Live) => return,
                Some(TailState::Ended { reason, retry }) => {
                    tails.remove(group);
                    Some((reason, retry))
                }
                None => None,
            }
        };
        let Ok(mut failures) = self.tail_failures.lock().map(|f| f.clone()) else { return };
        if let Some((reason, retry)) = ended.filter(|(reason, _)| reason != UNREAD) {
            tracing::info!(group, reason, retry, "live tail ended; polling reconciles");
            let count = failures.entry(group.to_string()).or_default();
            *count += 1;
            if !retry {
                *count = MAX_FAILED_STARTS;
            }
            if let Ok(mut shared) = self.tail_failures.lock() {
                shared.insert(group.to_string(), *count);
            }
        }
        if failures.get(group).copied().unwrap_or(0) >= MAX_FAILED_STARTS {
            return;
        }
        let Some(arn) = self.log_group_arn(group).await else { return };
        self.stats.count("logs:StartLiveTail");
        let buffer = Arc::new(Mutex::new(TailBuffer::default()));
        let task = tokio::spawn(run_session(self.logs.clone(), arn, Arc::clone(&buffer)));
        if let Ok(mut tails) = self.tails.lock() {
            tails.insert(group.to_string(), TailSession { buffer, task });
        }
    }

    /// Live Tail wants ARNs; DescribeLogGroups has them (cached: they never change).
    async fn log_group_arn(&self, group: &str) -> Option<String> {
        if let Some(arn) = self.log_group_arns.lock().ok()?.get(group) {
            return Some(arn.clone());
        }
        self.stats.count("logs:DescribeLogGroups");
        let out = match self.logs.describe_log_groups().log_group_name_prefix(group).send().await {
            Ok(out) => out,
            Err(e) => {
                let _ = self.fail("logs:DescribeLogGroups", &e);
                return None;
            }
        };
        let found = out.log_groups().iter().find(|g| g.log_group_name() == Some(group))?;
        let arn = found
            .log_group_arn()
            .map(str::to_string)
            .or_else(|| found.arn().map(|a| a.trim_end_matches(":*").to_string()))?;
        self.log_group_arns.lock().ok()?.insert(group.to_string(), arn.clone());
        Some(arn)
    }
}

async fn run_session(logs: aws_sdk_cloudwatchlogs::Client, arn: String, buffer: Arc<Mutex<TailBuffer>>) {
    let end = |reason: String, retry: bool| {
        if let Ok(mut b) = buffer.lock() {
            b.on_end(reason, retry);
        }
    };
    let mut out = match logs.start_live_tail().log_group_identifiers(&arn).send().await {
        Ok(out) => out,
        Err(e) => {
            let code = e.code().unwrap_or_default().to_string();
            let retry = retryable(&code);
            return end(format!("refused: {}", if code.is_empty() { e.to_string() } else { code }), retry);
        }
    };
    let mut idle_check = tokio::time::interval(std::time::Duration::from_secs(10));
    loop {
        let received = tokio::select! {
            received = out.response_stream.recv() => received,
            _ = idle_check.tick() => {
                if buffer.lock().is_ok_and(|b| b.unread_for(UNREAD_LIMIT)) {
                    return end(UNREAD.into(), true);
                }
                continue;
            }
        };
        match received {
            Ok(Some(StartLiveTailResponseStream::SessionStart(_))) => {
                if let Ok(mut b) = buffer.lock() {
                    b.on_start();
                }
            }
            Ok(Some(StartLiveTailResponseStream::SessionUpdate(update))) => {
                let events: Vec<LogEvent> = update
                    .session_results()
                    .iter()
                    .filter_map(|e| {
                        let (ts, message) = (e.timestamp()?, e.message()?);
                        let stream = e.log_stream_name().unwrap_or_default();
                        Some(LogEvent {
                            id: event_key(ts, stream, message),
                            timestamp: DateTime::from_timestamp_millis(ts).unwrap_or_else(Utc::now),
                            stream: stream.to_string(),
                            message: message.to_string(),
                        })
                    })
                    .collect();
                let sampled = update.session_metadata().is_some_and(|m| m.sampled());
                if let Ok(mut b) = buffer.lock() {
                    b.on_update(events, sampled);
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => return end("stream closed".into(), true),
            Err(e) => {
                let code = e.code().unwrap_or("stream error").to_string();
                let retry = retryable(&code);
                return end(code, retry);
            }
        }
    }
}
