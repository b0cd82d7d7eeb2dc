//! The Logs Insights view (`:query`, `Q` in the log pane): a query editor with the saved queries,
//! the query running (records matched and scanned, bytes scanned and what that costs; `esc`
//! stops it), then its rows as a table (`enter` opens a row's whole event) and, for a
//! `stats ... by bin(...)`, a chart over time. Queued while the account is at its limit of
//! concurrent queries. Every text that comes back is made inert.

mod bin_chart;
mod saved;

pub use saved::offered;

use super::context::Context;
use super::list::moved;
use super::loadable::{Loadable, RequestId};
use super::msg::{Effect, Fetch, OpEffect};
use super::next::Next;
use super::settings::SavedQuery;
use super::text_input::{Edit, TextInput};
use crate::backend::BackendError;
use crate::domain::{QueryRequest, QueryResults, QueryRow, QueryStatus};
use crate::incident::{Entry, Kind};
use crate::keymap::{Action, ChordCode, KeyChord};
use crate::sanitize::inert;
use chrono::{DateTime, Duration, Utc};

/// How often a running query's progress is read.
const POLL_SECS: i64 = 1;
/// How long a queued query waits before it asks again.
const QUEUE_SECS: i64 = 5;

#[derive(Debug, Clone, PartialEq)]
pub enum QueryRun {
    /// The query is being written (keys go to the editor).
    Editing,
    Starting(RequestId),
    /// The account runs as many queries as it may: ask again at `retry_at`.
    Queued {
        retry_at: DateTime<Utc>,
    },
    Running {
        query_id: String,
        in_flight: Option<RequestId>,
        polled_at: Option<DateTime<Utc>>,
    },
    Stopping(RequestId),
    /// Complete, failed, cancelled, timed out or stopped: the rows are shown.
    Finished,
}

/// A result row opened with `enter`: its fields, and the whole event behind its `@ptr`.
#[derive(Debug, Clone)]
pub struct OpenRow {
    pub row: usize,
    pub event: Loadable<QueryRow>,
    pub scroll: usize,
}

#[derive(Debug, Clone)]
pub struct QueryView {
    pub groups: Vec<String>,
    /// The window, back from now, in seconds.
    pub window_secs: i64,
    pub input: TextInput,
    pub saved: Vec<SavedQuery>,
    /// The saved query the text came from, if it did.
    pub picked: Option<usize>,
    pub run: QueryRun,
    pub request: Option<QueryRequest>,
    pub results: Option<QueryResults>,
    pub selected: usize,
    pub open: Option<OpenRow>,
    /// Show a `stats ... by bin()` result as a chart instead of the table.
    pub chart: bool,
    /// What the status line says (an error is `Err`).
    pub message: Option<Result<String, String>>,
}

impl PartialEq for QueryView {
    fn eq(&self, other: &Self) -> bool {
        self.input == other.input && self.run == other.run && self.groups == other.groups
    }
}

/// Open the view on `groups` for the last `window_secs`, with `text` typed (and run at once
/// when `run` is set).
pub fn open(
    groups: Vec<String>,
    window_secs: i64,
    text: Option<&str>,
    run: bool,
    ctx: &mut Context,
    effects: &mut Vec<Effect>,
) -> QueryView {
    let saved = offered(&ctx.settings.queries);
    let picked = if text.is_none() { Some(0).filter(|_| !saved.is_empty()) } else { None };
    let first = text.map(str::to_string).or_else(|| picked.map(|i| saved[i].query.clone())).unwrap_or_default();
    let mut view = QueryView {
        groups,
        window_secs,
        input: TextInput::with_text(&first),
        saved,
        picked,
        run: QueryRun::Editing,
        request: None,
        results: None,
        selected: 0,
        open: None,
        chart: false,
        message: None,
    };
    if run {
        view.start(ctx, effects);
    }
    view
}

impl QueryView {
    pub fn editing(&self) -> bool {
        self.run == QueryRun::Editing
    }

    pub fn running(&self) -> bool {
        matches!(self.run, QueryRun::Starting(_) | QueryRun::Queued { .. } | QueryRun::Running { .. })
    }

    /// The bin column of a `stats ... by bin(...)` result, if this is one.
    pub fn bin_field(&self) -> Option<String> {
        self.results.as_ref()?.fields().into_iter().find(|f| f.starts_with("bin("))
    }

    /// The result as a chart when it is a `stats ... by bin(...)` and the chart is asked for.
    pub fn chart(&self) -> Option<crate::chart::Chart> {
        if !self.chart {
            return None;
        }
        let (results, request, bin_field) = (self.results.as_ref()?, self.request.as_ref()?, self.bin_field()?);
        // The width from the column's own name (`bin(5m)`), so a query only AWS understands works too.
        let width = bin_field.strip_prefix("bin(").and_then(|w| w.strip_suffix(')'));
        let bin = width.and_then(|w| crate::insights::bin_width_ms(w).ok()).map(Duration::milliseconds);
        bin_chart::bin_chart(results, &bin_field, bin, &request.query, (request.start, request.end))
    }

    fn start(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        let text = self.input.text.trim().to_string();
        if text.is_empty() {
            self.message = Some(Err("write a query first (up/down picks a saved one)".into()));
            return;
        }
        if self.groups.is_empty() {
            self.message = Some(Err("no log group: open the view from the log pane (Q), or :query --group G".into()));
            return;
        }
        let end = ctx.now;
        let request = QueryRequest {
            groups: self.groups.clone(),
            query: text,
            start: end - Duration::seconds(self.window_secs),
            end,
        };
        let id = ctx.request_id();
        effects.push(Effect::Fetch { id, fetch: Fetch::StartQuery(request.clone()) });
        self.request = Some(request);
        self.results = None;
        self.open = None;
        self.selected = 0;
        self.chart = false;
        self.run = QueryRun::Starting(id);
        self.message = Some(Ok("starting…".into()));
    }

    /// A key while the query is written: edit, up/down for the saved queries, enter runs.
    pub fn on_key(&mut self, chord: KeyChord, ctx: &mut Context, effects: &mut Vec<Effect>) -> Next {
        let pick = |view: &mut QueryView, step: isize| {
            if view.saved.is_empty() {
                return;
            }
            let n = view.saved.len() as isize;
            let i = view.picked.map_or(0, |p| (p as isize + step).rem_euclid(n)) as usize;
            view.picked = Some(i);
            view.input = TextInput::with_text(&view.saved[i].query);
        };
        match chord.code {
            ChordCode::Down => pick(self, 1),
            ChordCode::Up => pick(self, -1),
            _ => match self.input.edit(chord) {
                Edit::Submit => self.start(ctx, effects),
                Edit::Cancel => return Next::Dashboard,
                Edit::Edited | Edit::Complete => self.picked = None,
            },
        }
        Next::Stay
    }

    /// Keys while a query runs or its results are shown.
    pub fn on_action(&mut self, action: Action, ctx: &mut Context, effects: &mut Vec<Effect>) -> Next {
        if let Some(open) = self.open.as_mut() {
            match action {
                Action::Down => open.scroll += 1,
                Action::Up => open.scroll = open.scroll.saturating_sub(1),
                Action::QuitRequest => return Next::QuitRequest,
                _ => self.open = None,
            }
            return Next::Stay;
        }
        let rows = self.results.as_ref().map_or(0, |r| r.rows.len());
        if let Some(to) = moved(self.selected, rows, action) {
            self.selected = to;
            return Next::Stay;
        }
        match action {
            Action::Back if self.running() => self.stop(ctx, effects),
            Action::Back => return Next::Dashboard,
            Action::Select => self.open_row(ctx, effects),
            Action::EditQuery => {
                if self.running() {
                    self.stop(ctx, effects);
                }
                self.run = QueryRun::Editing;
            }
            Action::ToggleChart if self.bin_field().is_some() => self.chart = !self.chart,
            Action::ToggleChart => self.message = Some(Err("a chart needs a stats ... by bin(...) query".into())),
            Action::Refresh if !self.running() => self.start(ctx, effects),
            Action::Help => return Next::Help,
            Action::QuitRequest => return Next::QuitRequest,
            _ => {}
        }
        Next::Stay
    }

    /// esc while it runs: StopQuery (a query left running is billed for what it scans).
    fn stop(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        match &self.run {
            QueryRun::Running { query_id, .. } => {
                let id = ctx.request_id();
                effects.push(Effect::Fetch { id, fetch: Fetch::StopQuery(query_id.clone()) });
                self.run = QueryRun::Stopping(id);
                self.message = Some(Ok("stopping…".into()));
            }
            // Not started yet: nothing runs on AWS, so nothing to stop there.
            _ => {
                self.run = QueryRun::Finished;
                self.message = Some(Ok("stopped before it started".into()));
            }
        }
    }

    fn open_row(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        let Some(row) = self.results.as_ref().and_then(|r| r.rows.get(self.selected)) else { return };
        let mut event = Loadable::default();
        if let Some((_, ptr)) = row.iter().find(|(f, _)| f == "@ptr") {
            let id = ctx.request_id();
            event.in_flight = Some(id);
            effects.push(Effect::Fetch { id, fetch: Fetch::LogRecord(ptr.clone()) });
        }
        self.open = Some(OpenRow { row: self.selected, event, scroll: 0 });
    }

    /// Poll a running query every second; ask again for a queued one.
    pub fn due(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        match &mut self.run {
            QueryRun::Queued { retry_at } if ctx.now >= *retry_at => self.start(ctx, effects),
            QueryRun::Running { query_id, in_flight: in_flight @ None, polled_at } => {
                if polled_at.is_some_and(|at| ctx.now - at < Duration::seconds(POLL_SECS)) {
                    return;
                }
                let id = ctx.request_id();
                *in_flight = Some(id);
                *polled_at = Some(ctx.now);
                effects.push(Effect::Fetch { id, fetch: Fetch::QueryResults(query_id.clone()) });
            }
            _ => {}
        }
    }

    pub fn started(&mut self, id: RequestId, result: Result<String, BackendError>, ctx: &Context) {
        if self.run != QueryRun::Starting(id) {
            return;
        }
        match result {
            Ok(query_id) => {
                self.run = QueryRun::Running { query_id, in_flight: None, polled_at: None };
                self.message = Some(Ok("running…".into()));
            }
            Err(BackendError::Throttled { .. }) => {
                self.run = QueryRun::Queued { retry_at: ctx.now + Duration::seconds(QUEUE_SECS) };
                self.message = Some(Ok(format!(
                    "queued: the account runs as many Logs Insights queries as it may at once; asking again in {QUEUE_SECS} s"
                )));
            }
            Err(e) => {
                self.run = QueryRun::Editing;
                self.message = Some(Err(inert(&format!("refused: {e}")).into_owned()));
            }
        }
    }

    /// Progress or the end of a running query. With an incident open, a finished query and what
    /// it found go on the timeline.
    pub fn progressed(
        &mut self,
        id: RequestId,
        result: Result<QueryResults, BackendError>,
        ctx: &Context,
        effects: &mut Vec<Effect>,
    ) {
        let QueryRun::Running { in_flight, .. } = &mut self.run else { return };
        if *in_flight != Some(id) {
            return;
        }
        *in_flight = None;
        let mut results = match result {
            Ok(r) => r,
            // A throttled poll is tried again at the next second.
            Err(BackendError::Throttled { .. }) => return,
            Err(e) => {
                self.run = QueryRun::Finished;
                self.message = Some(Err(inert(&e.to_string()).into_owned()));
                return;
            }
        };
        for row in &mut results.rows {
            for (field, value) in row.iter_mut() {
                *field = inert(field).into_owned();
                *value = inert(value).into_owned();
            }
        }
        let done = results.status.is_done();
        self.message = Some(match &results.status {
            QueryStatus::Complete => Ok(results.summary()),
            QueryStatus::Timeout => {
                Err("timed out (Logs Insights stops a query after 60 minutes): narrow the window".into())
            }
            s if done => Err(format!("the query ended {}: {}", s.as_str(), results.stats.describe())),
            _ => Ok(format!("running: {}", results.stats.describe())),
        });
        self.selected = self.selected.min(results.rows.len().saturating_sub(1));
        if done {
            self.run = QueryRun::Finished;
            if results.status == QueryStatus::Complete && ctx.incident.is_some() {
                self.record_on_incident(&results, ctx, effects);
            }
        }
        self.results = Some(results);
    }

    fn record_on_incident(&self, results: &QueryResults, ctx: &Context, effects: &mut Vec<Effect>) {
        let Some(request) = &self.request else { return };
        let what = format!("query over {}: {}", request.groups.join(", "), results.summary());
        let mut entry = Entry::new("", Kind::Query, what, ctx.now, &crate::incident::local_user());
        entry.commands = vec![request.query.clone()];
        effects.push(Effect::Op(Box::new(OpEffect::IncidentRecord(Box::new(entry)))));
    }

    pub fn stopped(&mut self, id: RequestId, result: Result<(), BackendError>) {
        if self.run != QueryRun::Stopping(id) {
            return;
        }
        self.run = QueryRun::Finished;
        self.message = Some(match result {
            Ok(()) => Ok("stopped: the rows read so far are kept".into()),
            Err(e) => Err(inert(&format!("could not stop the query: {e}")).into_owned()),
        });
    }

    pub fn record_read(&mut self, id: RequestId, result: Result<QueryRow, BackendError>, now: DateTime<Utc>) {
        let Some(open) = self.open.as_mut() else { return };
        let result = result
            .map(|row| row.into_iter().map(|(f, v)| (inert(&f).into_owned(), inert(&v).into_owned())).collect())
            .map_err(|e| inert(&e.to_string()).into_owned());
        open.event.accept(id, now, result);
    }
}
