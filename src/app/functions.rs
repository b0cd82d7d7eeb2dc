//! The Lambda functions pane: its cursor and filter, a function's detail (`enter`: versions,
//! aliases, environment names, what feeds it), and what it reads: the function list every minute
//! while the pane is on screen, the metrics of the rows shown every metrics interval (one
//! GetMetricData), the detail while it is open.

use super::context::Context;
use super::fleet::{describe, Fleet};
use super::inert;
use super::list::ListState;
use super::loadable::{Loadable, RequestId};
use super::msg::{Effect, Fetch};
use crate::backend::BackendError;
use crate::domain::{Function, FunctionDetail};

/// The list costs a ListFunctions page per 50 functions plus two calls per function
/// (concurrency, event sources): once a minute is plenty for what changes there.
pub const LIST_EVERY_SECS: i64 = 60;

#[derive(Debug, Default)]
pub struct FunctionsPane {
    pub list: ListState,
    pub detail: Option<FunctionDetailView>,
    /// A function to select once the list is in (an alarm's jump before the first read).
    pub select_when_read: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FunctionDetailView {
    pub name: String,
    pub data: Loadable<FunctionDetail>,
}

impl FunctionDetailView {
    pub fn new(name: String) -> FunctionDetailView {
        FunctionDetailView { name, data: Loadable::default() }
    }

    pub fn accept(&mut self, id: RequestId, ctx: &Context, result: Result<FunctionDetail, BackendError>) -> bool {
        let result = result.map_err(describe).map(|mut d| {
            inert::function_detail(&mut d);
            d
        });
        self.data.accept(id, ctx.now, result)
    }
}

/// Indices into `fleet.functions.data` of the rows shown, in order (filtered by name, runtime
/// and the queues that feed them).
pub fn function_rows(fleet: &Fleet, list: &ListState) -> Vec<usize> {
    let Some(functions) = &fleet.functions.data else { return Vec::new() };
    (0..functions.len())
        .filter(|&i| {
            let f = &functions[i];
            list.filter.as_ref().is_none_or(|filter| {
                let queues: Vec<&str> = f.queues().collect();
                filter.keeps(&format!("{} {} {}", f.name, f.runtime.as_deref().unwrap_or(""), queues.join(" ")))
            })
        })
        .collect()
}

pub fn selected_function<'a>(fleet: &'a Fleet, list: &ListState) -> Option<&'a Function> {
    let rows = function_rows(fleet, list);
    fleet.functions.data.as_ref()?.get(*rows.get(list.selected)?)
}

impl FunctionsPane {
    /// The function `enter` opened, or the row selected.
    pub fn current<'a>(&self, fleet: &'a Fleet) -> Option<&'a Function> {
        match &self.detail {
            Some(d) => fleet.function(&d.name),
            None => selected_function(fleet, &self.list),
        }
    }

    /// Select a function by name, clearing a filter that hides it. False when it is not listed.
    pub fn select(&mut self, fleet: &Fleet, name: &str) -> bool {
        let row_of = |list: &ListState| {
            let functions = fleet.functions.data.as_ref()?;
            function_rows(fleet, list).iter().position(|&i| functions[i].name == name)
        };
        if row_of(&self.list).is_none() {
            self.list.filter = None;
        }
        match row_of(&self.list) {
            Some(row) => {
                self.list.selected = row;
                self.detail = None;
                true
            }
            None => false,
        }
    }

    /// After a list arrived: a jump waiting for it selects its function.
    pub fn list_read(&mut self, fleet: &Fleet) {
        if let Some(name) = self.select_when_read.take() {
            if !self.select(fleet, &name) {
                self.select_when_read = None;
            }
        }
    }

    /// What to read now. `shown` is how many rows the pane shows (0: the pane is off screen).
    pub fn due(&mut self, fleet: &mut Fleet, ctx: &mut Context, shown: usize, effects: &mut Vec<Effect>) {
        // Read once even off screen: an SQS alarm is placed on the function its queue feeds.
        let first = fleet.functions.fetched_at.is_none();
        let every = ctx.settings.refresh.max(chrono::Duration::seconds(LIST_EVERY_SECS));
        if (shown > 0 || first) && fleet.functions.due(ctx.now, every) {
            let id = ctx.request_id();
            fleet.functions.in_flight = Some(id);
            effects.push(Effect::Fetch { id, fetch: Fetch::Functions(ctx.settings.function_filter.clone()) });
        }
        if shown == 0 {
            return;
        }
        if let Some(detail) = self.detail.as_mut() {
            if detail.data.due(ctx.now, ctx.settings.refresh) {
                let id = ctx.request_id();
                detail.data.in_flight = Some(id);
                effects.push(Effect::Fetch { id, fetch: Fetch::FunctionDetail(detail.name.clone()) });
            }
            return;
        }
        self.due_metrics(fleet, ctx, shown, effects);
    }

    /// The metrics of the rows on screen: every metrics interval, and at once for rows scrolled
    /// into view without them.
    fn due_metrics(&self, fleet: &mut Fleet, ctx: &mut Context, shown: usize, effects: &mut Vec<Effect>) {
        if fleet.function_metrics.in_flight.is_some() {
            return;
        }
        let Some(functions) = fleet.functions.data.as_ref() else { return };
        let visible: Vec<Function> = function_rows(fleet, &self.list)
            .into_iter()
            .skip(self.list.offset)
            .take(shown)
            .map(|i| functions[i].clone())
            .collect();
        if visible.is_empty() {
            return;
        }
        let have = fleet.function_metrics.data.as_ref();
        let missing = visible.iter().any(|f| have.is_none_or(|m| !m.contains_key(&f.name)));
        if !fleet.function_metrics.due_or_missing(ctx.now, ctx.settings.metrics_refresh, missing) {
            return;
        }
        let id = ctx.request_id();
        fleet.function_metrics.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::FunctionMetrics(visible) });
    }

    /// ctrl-r on the pane.
    pub fn refresh(&mut self, fleet: &mut Fleet) {
        fleet.functions.expire();
        fleet.function_metrics.expire();
        if let Some(d) = self.detail.as_mut() {
            d.data.expire();
        }
    }
}
