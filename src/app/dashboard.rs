//! The dashboard: which pane has focus, zoom, each table's cursor and filter, the service detail
//! and the log pane it arranges. Its keys move between panes and rows, open a row (`enter`), go
//! back (`esc`), zoom, and read again (`ctrl-r`); the log tail follows the selected row.

use super::context::Context;
use super::detail::DetailView;
use super::endpoint_detail::EndpointDetail;
use super::fleet::Fleet;
use super::functions::function_rows;
use super::functions::{FunctionDetailView, FunctionsPane};
use super::layout::{self, Areas};
use super::list::{ListState, Move, RowFilter};
use super::logs::{LogSource, LogsPane};
use super::msg::{Effect, Fetch};
use super::pane::Pane;
use super::rows;
use crate::backend::BackendLabel;
use crate::domain::Address;
use crate::keymap::Action;

/// What a Lambda function's log says when it failed: the runtime's ERROR lines, uncaught
/// exceptions and time-outs.
const LAMBDA_ERRORS: &str = "ERROR|Exception|Task timed out";

#[derive(Debug)]
pub struct Dashboard {
    pub focus: Pane,
    pub zoomed: bool,
    pub services_list: ListState,
    pub endpoints_list: ListState,
    pub alarms_list: ListState,
    /// A service's detail, shown in the services pane's place while open.
    pub detail: Option<DetailView>,
    /// An endpoint's detail (models, registry, monitoring), in the endpoints pane's place.
    pub endpoint_detail: Option<EndpointDetail>,
    pub functions: FunctionsPane,
    /// Whether the functions pane is the one shown in the place it shares (`[functions]`): the
    /// one of the two last focused.
    pub functions_shown: bool,
    /// Where the console was asked to open, until its list has been read.
    pub pending_link: Option<super::settings::DeepLink>,
    pub logs: LogsPane,
    /// Which list last chose the log source, so `tab` through other panes keeps it.
    pub log_follows: Pane,
}

impl Dashboard {
    pub fn new(log_capacity: usize) -> Dashboard {
        Dashboard {
            focus: Pane::Services,
            zoomed: false,
            services_list: ListState::default(),
            endpoints_list: ListState::default(),
            alarms_list: ListState::default(),
            detail: None,
            endpoint_detail: None,
            functions: FunctionsPane::default(),
            functions_shown: false,
            pending_link: None,
            logs: LogsPane::new(log_capacity),
            log_follows: Pane::Services,
        }
    }

    pub fn list(&self, pane: Pane) -> Option<&ListState> {
        match pane {
            Pane::Services => Some(&self.services_list),
            Pane::Endpoints => Some(&self.endpoints_list),
            Pane::Alarms => Some(&self.alarms_list),
            Pane::Functions => Some(&self.functions.list),
            Pane::Logs | Pane::Cost => None,
        }
    }

    fn list_mut(&mut self, pane: Pane) -> Option<&mut ListState> {
        match pane {
            Pane::Services => Some(&mut self.services_list),
            Pane::Endpoints => Some(&mut self.endpoints_list),
            Pane::Alarms => Some(&mut self.alarms_list),
            Pane::Functions => Some(&mut self.functions.list),
            Pane::Logs | Pane::Cost => None,
        }
    }

    /// The first credentials error any pane has: it gets a banner, since every pane will fail.
    pub fn credentials_problem<'a>(&'a self, fleet: &'a Fleet) -> Option<&'a str> {
        // BackendError::Credentials reads "credentials: ..." or "credentials expired (...): ...".
        let is_credentials = |e: &&str| e.starts_with("credentials:") || e.starts_with("credentials expired");
        fleet.errors().into_iter().chain([self.logs.error.as_deref()]).flatten().find(is_credentials)
    }

    /// Where the layout puts the functions pane: in the place of the pane it shares with, while
    /// it is the one of the two shown.
    pub fn swap(&self, shares_with: Pane) -> Option<(Pane, Pane)> {
        self.functions_shown.then_some((shares_with, Pane::Functions))
    }

    /// The focused pane's filter as typed, for the `/` prompt.
    pub fn current_filter_text(&self) -> Option<String> {
        match self.focus {
            Pane::Logs => self.logs.filter_text.clone(),
            pane => self.list(pane).and_then(|l| l.filter.as_ref().map(|f| f.text.clone())),
        }
    }
}

/// The dashboard with what it shows: the fleet as read, the shared context, and the rows the
/// operations strip takes from the layout.
pub struct Panes<'a> {
    pub dashboard: &'a mut Dashboard,
    pub fleet: &'a mut Fleet,
    pub ctx: &'a mut Context,
    pub strip_rows: u16,
}

impl Panes<'_> {
    /// Where everything goes on screen now: the same geometry render draws.
    pub fn areas(&self) -> Areas {
        let swap = self.dashboard.swap(self.ctx.settings.functions_slot);
        layout::compute(self.ctx.size, self.dashboard.focus, self.dashboard.zoomed, self.strip_rows, swap)
    }

    /// The dashboard's keys; false for any other action.
    pub fn on_action(&mut self, action: Action, effects: &mut Vec<Effect>) -> bool {
        if let Some(how) = Move::of(action) {
            self.move_cursor(how);
            return true;
        }
        match action {
            Action::Back => self.back(),
            Action::NextPane => self.cycle_focus(true),
            Action::PrevPane => self.cycle_focus(false),
            Action::Functions => self.toggle_functions(),
            Action::Select => self.select(),
            Action::Zoom => self.toggle_zoom(),
            Action::Refresh => self.refresh(effects),
            other => return self.dashboard.logs.on_action(other, self.ctx, effects),
        }
        true
    }

    pub fn toggle_zoom(&mut self) {
        self.dashboard.zoomed = !self.dashboard.zoomed;
        self.clamp_all();
    }

    pub fn focus(&mut self, pane: Pane) {
        self.dashboard.focus = pane;
        if pane == Pane::Functions {
            self.dashboard.functions_shown = true;
        } else if pane == self.ctx.settings.functions_slot {
            self.dashboard.functions_shown = false;
        }
        self.clamp_all();
    }

    /// tab and shift-tab go through the panes on offer: the functions pane stands in the place it
    /// shares while it is shown there, so the keys to every other pane stay the same.
    fn cycle_focus(&mut self, forward: bool) {
        let (slot, shown) = (self.ctx.settings.functions_slot, self.dashboard.functions_shown);
        let order: Vec<Pane> = Pane::ALL
            .into_iter()
            .filter(|p| *p != Pane::Functions)
            .map(|p| if shown && p == slot { Pane::Functions } else { p })
            .collect();
        let index = order.iter().position(|p| *p == self.dashboard.focus).unwrap_or(0);
        let step = if forward { 1 } else { order.len() - 1 };
        self.focus(order[(index + step) % order.len()]);
    }

    /// `L`: the functions pane in its place, or the pane it shares with back.
    pub fn toggle_functions(&mut self) {
        let next = if self.dashboard.functions_shown { self.ctx.settings.functions_slot } else { Pane::Functions };
        self.focus(next);
    }

    fn row_count(&self, pane: Pane) -> usize {
        let (fleet, d) = (&*self.fleet, &*self.dashboard);
        match pane {
            Pane::Services => rows::service_rows(fleet, &d.services_list).len(),
            Pane::Endpoints => rows::endpoint_rows(fleet, &d.endpoints_list).len(),
            Pane::Alarms => rows::alarm_rows(fleet, &d.alarms_list).len(),
            Pane::Functions => function_rows(fleet, &d.functions.list).len(),
            Pane::Logs | Pane::Cost => 0,
        }
    }

    fn move_cursor(&mut self, how: Move) {
        let pane = self.dashboard.focus;
        let page = self.areas().table_rows(pane).max(1);
        if pane == Pane::Logs {
            return self.dashboard.logs.scroll(how, page);
        }
        let len = self.row_count(pane);
        let Some(list) = self.dashboard.list_mut(pane) else { return };
        if !list.step(how, len, page) {
            return;
        }
        self.clamp_all();
        if matches!(pane, Pane::Services | Pane::Endpoints | Pane::Functions) {
            self.dashboard.log_follows = pane;
            self.follow_selection(pane, false);
        }
    }

    /// Keep every cursor on a row and inside its viewport after data, filters or sizes change.
    pub fn clamp_all(&mut self) {
        let areas = self.areas();
        if let Some(area) = areas.of(Pane::Logs) {
            self.dashboard.logs.view.set_viewport_height(usize::from(area.height.saturating_sub(2)).max(1));
        }
        for pane in [Pane::Services, Pane::Endpoints, Pane::Alarms, Pane::Functions] {
            let len = self.row_count(pane);
            let height = areas.table_rows(pane).max(1);
            if let Some(list) = self.dashboard.list_mut(pane) {
                list.clamp(len, height);
            }
        }
    }

    /// The log source the given list's selection implies, if it has a log group.
    fn source_for(&self, pane: Pane) -> Option<LogSource> {
        let (fleet, d) = (&*self.fleet, &*self.dashboard);
        match pane {
            Pane::Services => {
                if let Some(detail) = &d.detail {
                    let s = fleet.services.data.as_ref()?.iter().find(|s| s.address() == detail.address)?;
                    return Some(LogSource { group: s.log_group.clone()?, owner: s.address() });
                }
                let s = rows::selected_service(fleet, &d.services_list)?;
                Some(LogSource { group: s.log_group.clone()?, owner: s.address() })
            }
            Pane::Endpoints => {
                let e = match &d.endpoint_detail {
                    Some(open) => fleet.endpoints.data.as_ref()?.iter().find(|e| e.name == open.endpoint)?,
                    None => rows::selected_endpoint(fleet, &d.endpoints_list)?,
                };
                Some(LogSource { group: e.log_group.clone()?, owner: e.address() })
            }
            Pane::Functions => {
                let f = d.functions.current(fleet)?;
                Some(LogSource { group: f.log_group.clone(), owner: Address::Function { name: f.name.clone() } })
            }
            _ => None,
        }
    }

    /// Called when a list's cursor moved (or its data arrived). `immediate` skips the settle
    /// delay, e.g. for the first source after start.
    pub fn follow_selection(&mut self, pane: Pane, immediate: bool) {
        if pane != self.dashboard.log_follows && self.dashboard.logs.source.is_some() {
            return;
        }
        if let Some(source) = self.source_for(pane) {
            self.dashboard.logs.follow(source, immediate, self.ctx.now);
        }
    }

    fn select(&mut self) {
        match self.dashboard.focus {
            Pane::Services => {
                if self.dashboard.detail.is_some() {
                    return;
                }
                if let Some(service) = rows::selected_service(self.fleet, &self.dashboard.services_list) {
                    self.dashboard.detail = Some(DetailView::new(service.address()));
                }
            }
            Pane::Endpoints => {
                if self.dashboard.endpoint_detail.is_some() {
                    return;
                }
                let Some(endpoint) = rows::selected_endpoint(self.fleet, &self.dashboard.endpoints_list) else {
                    return;
                };
                self.dashboard.endpoint_detail = Some(EndpointDetail::new(endpoint.name.clone()));
                self.dashboard.log_follows = Pane::Endpoints;
                self.follow_selection(Pane::Endpoints, true);
            }
            Pane::Functions => self.open_function(),
            Pane::Alarms => self.jump_to_alarm_target(),
            Pane::Logs | Pane::Cost => {}
        }
    }

    /// `enter` on an alarm: the service or endpoint it watches, selected in its pane.
    fn jump_to_alarm_target(&mut self) {
        let Some(alarm) = rows::selected_alarm(self.fleet, &self.dashboard.alarms_list) else { return };
        let name = alarm.name.clone();
        match alarm.watches.clone() {
            Some(address @ Address::EcsService { .. }) => {
                if rows::service_row_of(self.fleet, &self.dashboard.services_list, &address).is_none() {
                    self.dashboard.services_list.filter = None;
                }
                match rows::service_row_of(self.fleet, &self.dashboard.services_list, &address) {
                    Some(row) => {
                        self.dashboard.services_list.selected = row;
                        self.dashboard.detail = None;
                        self.focus(Pane::Services);
                        self.dashboard.log_follows = Pane::Services;
                        self.follow_selection(Pane::Services, false);
                    }
                    None => self.ctx.flash_error(format!("{name} watches {address}, which is not in the service list")),
                }
            }
            Some(Address::Endpoint { endpoint, .. }) => {
                if rows::endpoint_row_of(self.fleet, &self.dashboard.endpoints_list, &endpoint).is_none() {
                    self.dashboard.endpoints_list.filter = None;
                }
                match rows::endpoint_row_of(self.fleet, &self.dashboard.endpoints_list, &endpoint) {
                    Some(row) => {
                        self.dashboard.endpoints_list.selected = row;
                        self.focus(Pane::Endpoints);
                        self.dashboard.log_follows = Pane::Endpoints;
                        self.follow_selection(Pane::Endpoints, false);
                    }
                    None => {
                        self.ctx.flash_error(format!("{name} watches sm:{endpoint}, which is not in the endpoint list"))
                    }
                }
            }
            Some(Address::Function { name: function }) => {
                self.focus(Pane::Functions);
                if self.dashboard.functions.select(self.fleet, &function) {
                    self.dashboard.log_follows = Pane::Functions;
                    self.follow_selection(Pane::Functions, false);
                } else if self.fleet.functions.data.is_none() {
                    self.dashboard.functions.select_when_read = Some(function);
                } else {
                    self.ctx.flash_error(format!("{name} watches lambda:{function}, which is not in the function list"))
                }
            }
            Some(other) => self.ctx.flash_info(format!("{name} watches {other}, which no pane shows")),
            None => self.ctx.flash_info(format!("{name} does not watch a service or endpoint shown here")),
        }
    }

    /// `enter` on a function: its detail, and the log pane on its errors (the log group's lines
    /// that say ERROR, an exception or a time-out; esc in the log pane shows every line again).
    fn open_function(&mut self) {
        if self.dashboard.functions.detail.is_some() {
            return;
        }
        let Some(f) = self.dashboard.functions.current(self.fleet) else { return };
        let name = f.name.clone();
        self.dashboard.functions.detail = Some(FunctionDetailView::new(name.clone()));
        self.dashboard.log_follows = Pane::Functions;
        if let Some(source) = self.source_for(Pane::Functions) {
            self.dashboard.logs.switch_to(source);
            self.dashboard.logs.apply_filter(LAMBDA_ERRORS, self.ctx);
            self.ctx.flash_info(format!("logs: the errors of {name} (esc in the log pane shows every line)"));
        }
    }

    fn back(&mut self) {
        let focus = self.dashboard.focus;
        if focus == Pane::Services && self.dashboard.detail.is_some() {
            self.dashboard.detail = None;
            self.follow_selection(Pane::Services, false);
        } else if focus == Pane::Endpoints && self.dashboard.endpoint_detail.is_some() {
            self.dashboard.endpoint_detail = None;
        } else if focus == Pane::Functions && self.dashboard.functions.detail.is_some() {
            self.dashboard.functions.detail = None;
        } else if self.dashboard.zoomed {
            self.dashboard.zoomed = false;
        } else if self.dashboard.current_filter_text().is_some() {
            self.apply_filter("");
        }
        self.clamp_all();
    }

    /// Set (or with empty text, clear) the focused pane's filter. A bad regex changes nothing.
    pub fn apply_filter(&mut self, text: &str) -> bool {
        let text = text.trim();
        let focus = self.dashboard.focus;
        if focus == Pane::Logs {
            return self.dashboard.logs.apply_filter(text, self.ctx);
        }
        let filter = if text.is_empty() {
            None
        } else {
            match RowFilter::parse(text) {
                Ok(f) => Some(f),
                Err(e) => {
                    self.ctx.flash_error(e);
                    return false;
                }
            }
        };
        match self.dashboard.list_mut(focus) {
            Some(list) => list.set_filter(filter),
            None => self.ctx.flash_info(format!("{} has no rows to filter", focus.title())),
        }
        self.clamp_all();
        if matches!(focus, Pane::Services | Pane::Endpoints) {
            self.dashboard.log_follows = focus;
            self.follow_selection(focus, false);
        }
        true
    }

    /// ctrl-r: read the focused pane again now (and every pane when the credentials failed).
    pub fn refresh(&mut self, effects: &mut Vec<Effect>) {
        if self.dashboard.credentials_problem(self.fleet).is_some() {
            // Fixed credentials fix every pane at once: read them all again.
            self.fleet.expire_all();
            self.dashboard.logs.polled_at = None;
            self.dashboard.logs.error = None;
        }
        match self.dashboard.focus {
            Pane::Services => {
                self.fleet.services.expire();
                self.fleet.service_metrics.expire();
                self.fleet.target_health.expire();
                if let Some(d) = self.dashboard.detail.as_mut() {
                    d.data.expire();
                }
            }
            Pane::Endpoints => {
                self.fleet.endpoints.expire();
                self.fleet.endpoint_metrics.expire();
                if let Some(d) = self.dashboard.endpoint_detail.as_mut() {
                    d.fresh_read_wanted = true;
                }
            }
            Pane::Functions => self.dashboard.functions.refresh(self.fleet),
            Pane::Alarms => self.fleet.alarms.expire(),
            Pane::Logs => self.dashboard.logs.polled_at = None,
            Pane::Cost => {
                // Cost is read once; a refresh is the only way to read it again. The old figures
                // stay on screen until the new ones arrive.
                if self.fleet.cost.in_flight.is_none() {
                    let id = self.ctx.request_id();
                    self.fleet.cost.in_flight = Some(id);
                    effects.push(Effect::Fetch { id, fetch: Fetch::Cost { fresh: true } });
                }
                self.ctx.flash_info(if self.ctx.is_demo() {
                    "cost: reading again"
                } else {
                    "cost: reading again (one Cost Explorer request)"
                });
            }
        }
    }

    /// The resource the selected row stands for: a service, an endpoint variant, or what an
    /// alarm watches.
    pub fn selected_target(&self) -> Option<Address> {
        let (fleet, d) = (&*self.fleet, &*self.dashboard);
        match d.focus {
            Pane::Services => match &d.detail {
                Some(detail) => Some(detail.address.clone()),
                None => rows::selected_service(fleet, &d.services_list).map(|s| s.address()),
            },
            Pane::Endpoints if d.endpoint_detail.is_some() => {
                let open = d.endpoint_detail.as_ref()?;
                Some(Address::Endpoint { endpoint: open.endpoint.clone(), variant: None })
            }
            Pane::Functions => d.functions.current(fleet).map(|f| Address::Function { name: f.name.clone() }),
            Pane::Endpoints => {
                let (endpoint, variant) = rows::selected_endpoint_row(fleet, &d.endpoints_list)?;
                Some(Address::Endpoint { endpoint: endpoint.name.clone(), variant: variant.map(|v| v.name.clone()) })
            }
            Pane::Alarms => rows::selected_alarm(fleet, &d.alarms_list)?.watches.clone(),
            Pane::Logs => d.logs.source.as_ref().map(|s| s.owner.clone()),
            Pane::Cost => None,
        }
    }

    /// Another account or region: nothing read from the old one may stay on screen, and replies
    /// still on their way from it are dropped (nothing is in flight any more, so no id matches).
    pub fn switch_backend(&mut self, label: BackendLabel) {
        self.ctx.label = label;
        *self.fleet = Fleet::default();
        self.ctx.usage = None;
        let d = &mut *self.dashboard;
        d.detail = None;
        d.endpoint_detail = None;
        d.functions = FunctionsPane::default();
        for list in [&mut d.services_list, &mut d.endpoints_list, &mut d.alarms_list] {
            list.selected = 0;
            list.offset = 0;
        }
        d.logs.forget_source();
        let label = match &self.ctx.label {
            BackendLabel::Aws { profile, region } => format!("{profile} @ {region}"),
            BackendLabel::Demo { scenario, .. } => format!("demo ({scenario})"),
        };
        self.ctx.flash_info(format!("now on {label}"));
    }
}
