//! The log pane: where it reads from (the selected service's or endpoint's group, once the cursor
//! rests), its time window, its keys (follow, wrap, timestamps, matches, save), its filter, and
//! its replies, which a generation number keeps from mixing sources.

use super::context::Context;
use super::fleet::Fleet;
use super::list::Move;
use super::loadable::RequestId;
use super::msg::{Effect, Fetch};
use crate::domain::{Address, AddressError, LogBatch, LogQuery};
use crate::keymap::Action;
use crate::logs::{LogFilter, LogView};
use chrono::{DateTime, Duration, Utc};

/// How long the cursor must rest on a row before the tail switches to it.
const SETTLE: i64 = 300;

/// Where the log pane reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    pub group: String,
    pub owner: Address,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogWindow {
    Tail,
    Last(i64),
}

impl LogWindow {
    pub fn label(self) -> String {
        match self {
            LogWindow::Tail => "tail".to_string(),
            LogWindow::Last(s) if s >= 3600 => format!("last {}h", s / 3600),
            LogWindow::Last(s) => format!("last {}m", s / 60),
        }
    }
}

/// The longest a quiet log tail waits between reads (seconds).
pub const QUIET_POLL_MAX_SECS: i64 = 5;

#[derive(Debug)]
pub struct LogsPane {
    pub source: Option<LogSource>,
    /// A source chosen by moving the cursor; applied once the cursor rests, so scrolling through
    /// a list does not open a tail per row.
    pub pending: Option<(LogSource, DateTime<Utc>)>,
    pub view: LogView,
    pub window: LogWindow,
    /// Bumped whenever the source or window changes; replies of older generations are dropped.
    pub generation: u64,
    pub cursor: Option<u64>,
    pub in_flight: Option<RequestId>,
    pub polled_at: Option<DateTime<Utc>>,
    /// Reads in a row that brought nothing new: a quiet tail is read less often (see `poll_every`).
    pub quiet_polls: u32,
    pub error: Option<String>,
    /// The filter text as typed, for the prompt and title.
    pub filter_text: Option<String>,
}

/// The log filter as the log view wants it, built from what was typed.
pub fn parse_log_filter(text: &str) -> Result<LogFilter, String> {
    LogFilter::parse(text).map_err(|e| e.to_string())
}

impl LogsPane {
    pub fn new(capacity: usize) -> LogsPane {
        LogsPane {
            source: None,
            pending: None,
            view: LogView::new(capacity),
            window: LogWindow::Tail,
            generation: 0,
            cursor: None,
            in_flight: None,
            polled_at: None,
            quiet_polls: 0,
            error: None,
            filter_text: None,
        }
    }

    /// The selection moved to a row logging to `source`. `immediate` skips the settle delay,
    /// e.g. for the first source after start.
    pub fn follow(&mut self, source: LogSource, immediate: bool, now: DateTime<Utc>) {
        if self.source.as_ref() == Some(&source) {
            self.pending = None;
            return;
        }
        if immediate && self.source.is_none() {
            self.switch_to(source);
        } else {
            self.pending = Some((source, now));
        }
    }

    /// The pending source, once the cursor has rested on it. True when the source changed.
    pub fn apply_pending(&mut self, now: DateTime<Utc>) -> bool {
        let Some((_, since)) = &self.pending else { return false };
        if now - *since < Duration::milliseconds(SETTLE) {
            return false;
        }
        match self.pending.take() {
            Some((source, _)) => {
                self.switch_to(source);
                true
            }
            None => false,
        }
    }

    pub fn switch_to(&mut self, source: LogSource) {
        self.pending = None;
        self.source = Some(source);
        self.restart();
    }

    /// Forget what was read and read again from the current window.
    pub fn restart(&mut self) {
        self.view.clear();
        self.generation += 1;
        self.cursor = None;
        self.in_flight = None;
        self.polled_at = None;
        self.quiet_polls = 0;
        self.error = None;
    }

    /// How long after the last read the next is due: `base` while lines arrive, then twice,
    /// four times... as long, up to `QUIET_POLL_MAX_SECS`, for a tail with nothing new (or failing) (on AWS each
    /// read is a FilterLogEvents call; most log groups are quiet most seconds). The first new
    /// line brings it back to `base`.
    pub fn poll_every(&self, base: Duration) -> Duration {
        let slowed = base * 2_i32.pow(self.quiet_polls.min(4));
        slowed.min(base.max(Duration::seconds(QUIET_POLL_MAX_SECS)))
    }

    /// Another account: no source, nothing read.
    pub fn forget_source(&mut self) {
        self.source = None;
        self.pending = None;
        self.restart();
    }

    pub fn set_window(&mut self, window: LogWindow, ctx: &mut Context) {
        self.window = window;
        self.restart();
        ctx.flash_info(format!("logs: {}", window.label()));
    }

    pub fn accept(&mut self, id: u64, generation: u64, result: Result<LogBatch, String>) -> bool {
        if self.in_flight != Some(id) || self.generation != generation {
            return false;
        }
        self.in_flight = None;
        match result {
            Ok(mut batch) => {
                // A first tail read leaves older history unread on purpose: that is not a loss.
                if self.cursor.is_none() && self.window == LogWindow::Tail {
                    batch.skipped = 0;
                }
                self.error = None;
                self.quiet_polls = if batch.events.is_empty() { self.quiet_polls.saturating_add(1) } else { 0 };
                if let Some(max) = batch.events.iter().map(|e| e.id).max() {
                    self.cursor = Some(self.cursor.map_or(max, |c| c.max(max)));
                } else if self.cursor.is_none() {
                    // An empty group: follow from the start, so the next poll asks for new events only.
                    self.cursor = Some(0);
                }
                self.view.ingest_batch(batch);
            }
            Err(e) => {
                // A group that is missing or denied is read as seldom as a quiet one: it was
                // asked for every second, and each failure logged, for as long as it was shown.
                self.quiet_polls = self.quiet_polls.saturating_add(1);
                self.error = Some(e);
            }
        }
        true
    }

    /// j/k, page, top, bottom scroll the lines; a page is `page` lines.
    pub fn scroll(&mut self, how: Move, page: usize) {
        let view = &mut self.view;
        match how {
            Move::By(n) if n < 0 => view.scroll_up(1),
            Move::By(_) => view.scroll_down(1),
            Move::Page(n) if n < 0 => view.scroll_up(page),
            Move::Page(_) => view.scroll_down(page),
            Move::Top => view.top(),
            Move::Bottom => view.bottom(),
        }
    }

    /// The log pane's own keys; false for any other action.
    pub fn on_action(&mut self, action: Action, ctx: &mut Context, effects: &mut Vec<Effect>) -> bool {
        match action {
            Action::ToggleFollow => self.view.toggle_follow(),
            Action::ToggleWrap => self.view.toggle_wrap(),
            Action::CycleTimestamps => self.view.cycle_timestamps(),
            Action::NextMatch | Action::PrevMatch => {
                let found = if action == Action::NextMatch { self.view.next_match() } else { self.view.prev_match() };
                if !found {
                    ctx.flash_info(if self.filter_text.is_some() { "no matches" } else { "no filter: press / first" });
                }
            }
            Action::ToggleHighlight => {
                self.view.toggle_highlight_only();
                let mode =
                    if self.view.highlight_only() { "all lines, matches highlighted" } else { "matching lines only" };
                ctx.flash_info(format!("logs: {mode}"));
            }
            Action::SaveLogs => self.save(ctx, effects),
            Action::WindowTail => self.set_window(LogWindow::Tail, ctx),
            Action::Window1m => self.set_window(LogWindow::Last(60), ctx),
            Action::Window5m => self.set_window(LogWindow::Last(300), ctx),
            Action::Window15m => self.set_window(LogWindow::Last(900), ctx),
            Action::Window30m => self.set_window(LogWindow::Last(1800), ctx),
            Action::Window1h => self.set_window(LogWindow::Last(3600), ctx),
            Action::Window3h => self.set_window(LogWindow::Last(3 * 3600), ctx),
            _ => return false,
        }
        true
    }

    /// Set (or with empty text, clear) the filter. A bad regex changes nothing.
    pub fn apply_filter(&mut self, text: &str, ctx: &mut Context) -> bool {
        if text.is_empty() {
            self.view.set_filter(None);
            self.filter_text = None;
            return true;
        }
        match parse_log_filter(text) {
            Ok(filter) => {
                self.view.set_filter(Some(filter));
                self.filter_text = Some(text.to_string());
                true
            }
            Err(e) => {
                ctx.flash_error(e);
                false
            }
        }
    }

    /// Read new lines when the poll interval has passed and nothing is in flight.
    pub fn due(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        let Some(source) = self.source.as_ref() else { return };
        let every = self.poll_every(ctx.settings.log_poll);
        if self.in_flight.is_some() || self.polled_at.is_some_and(|at| ctx.now - at < every) {
            return;
        }
        let query = match self.cursor {
            Some(id) => LogQuery::After { id },
            None => match self.window {
                LogWindow::Tail => LogQuery::Tail { limit: 200 },
                LogWindow::Last(secs) => {
                    LogQuery::Since { from: ctx.now - Duration::seconds(secs), limit: ctx.settings.log_capacity }
                }
            },
        };
        let fetch = Fetch::Logs { group: source.group.clone(), query, generation: self.generation };
        let id = ctx.request_id();
        self.in_flight = Some(id);
        self.polled_at = Some(ctx.now);
        effects.push(Effect::Fetch { id, fetch });
    }

    /// ctrl-s: the lines as shown (filter applied), with UTC timestamps, to a file named after the group.
    pub fn save(&self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        let Some(source) = &self.source else {
            ctx.flash_error("no log source to save");
            return;
        };
        let mut contents = String::new();
        let view = &self.view;
        for line in view.window(view.visible_len()) {
            contents.push_str(&format!("{} {} {}\n", line.timestamp.to_rfc3339(), line.stream, line.message));
        }
        let name: String = source
            .group
            .trim_start_matches('/')
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        let file = format!("opsdeck-{}-{}.log", name, ctx.now.format("%Y%m%dT%H%M%SZ"));
        effects.push(Effect::SaveFile { path: ctx.settings.save_dir.join(file), contents });
    }
}

/// A source named in the palette: a log group, or the address of a service or endpoint.
pub fn source_named(fleet: &Fleet, text: &str) -> Result<LogSource, String> {
    let services = fleet.services.data.iter().flatten().map(|s| (s.address(), s.log_group.clone()));
    let endpoints = fleet.endpoints.data.iter().flatten().map(|e| (e.address(), e.log_group.clone()));
    let mut known = services.chain(endpoints);
    if text.starts_with('/') {
        return known
            .find(|(_, g)| g.as_deref() == Some(text))
            .map(|(owner, _)| LogSource { group: text.to_string(), owner })
            .ok_or_else(|| format!("no service or endpoint here logs to {text}"));
    }
    let address: Address = text.parse().map_err(|e: AddressError| e.to_string())?;
    let wanted = match &address {
        Address::Endpoint { endpoint, .. } => Address::endpoint(endpoint),
        other => other.clone(),
    };
    match known.find(|(a, _)| *a == wanted) {
        Some((owner, Some(group))) => Ok(LogSource { group, owner }),
        Some(_) => Err(format!("{address} has no log group")),
        None => Err(format!("{address} is not in the lists")),
    }
}
