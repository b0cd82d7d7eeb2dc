//! The environments view (`:env`, `E`): every configured environment, where it stands, what it
//! costs and what a teardown saves; `t` tears the selected one down, `r` restores it, both
//! through the palette's grammar and the one plan/confirm path.

use super::action_path::{self, Planning};
use super::context::Context;
use super::inert;
use super::list::moved;
use super::loadable::RequestId;
use super::msg::{Effect, OpEffect};
use super::next::Next;
use crate::domain::CostReport;
use crate::keymap::Action;
use crate::ops::env::EnvOverview;
use crate::ops::grammar::{self, EnvArgs, EnvCommand};

/// Every environment, where it stands and what a teardown saves; `t`/`r` act on the selected one.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvView {
    pub views: Vec<EnvOverview>,
    pub selected: usize,
    /// The reading in flight, if any (the view keeps what it had meanwhile).
    pub in_flight: Option<RequestId>,
    /// Show the selected environment's resources, now and as saved.
    pub detail: bool,
    /// Select this environment once the first reading arrives (`:env show NAME`).
    pub select_when_read: Option<String>,
}

/// What `:env` asks for: the list, or one environment's resources.
pub struct EnvRequest {
    pub select: Option<String>,
    pub detail: bool,
}

/// `:env`, `:env list`, `:env show NAME`; None (and why) for a name that is not configured.
pub fn request_from_palette(ctx: &mut Context, args: &EnvArgs) -> Option<EnvRequest> {
    match &args.command {
        Some(EnvCommand::Show { environment, .. }) => match grammar::environment(&ctx.settings, environment) {
            Ok(_) => Some(EnvRequest { select: Some(environment.clone()), detail: true }),
            Err(e) => {
                ctx.flash_error(e);
                None
            }
        },
        _ => Some(EnvRequest { select: None, detail: false }),
    }
}

/// Open the view (or keep the one open) and read every environment. `last` is the environment
/// acted on last, selected again; `cost` is the report on hand (never read for this: Cost
/// Explorer is billed). None when no environment is configured.
pub fn open(
    current: Option<EnvView>,
    request: EnvRequest,
    last: Option<String>,
    cost: Option<&CostReport>,
    ctx: &mut Context,
    effects: &mut Vec<Effect>,
) -> Option<EnvView> {
    if ctx.settings.environments.is_empty() {
        ctx.flash_info("no environment is configured: add [environments.NAME] resources = [...] to config.toml");
        return None;
    }
    let mut view = current.unwrap_or(EnvView {
        views: Vec::new(),
        selected: 0,
        in_flight: None,
        detail: request.detail,
        select_when_read: None,
    });
    view.detail |= request.detail;
    view.select_when_read = request.select.or(last);
    view.read(ctx, cost, effects);
    Some(view)
}

impl EnvView {
    /// Read every environment again (what runs, what is saved).
    fn read(&mut self, ctx: &mut Context, cost: Option<&CostReport>, effects: &mut Vec<Effect>) {
        let id = ctx.request_id();
        self.in_flight = Some(id);
        let specs = ctx.settings.environments.values().cloned().collect();
        let local_dir = ctx.settings.env_dir.clone();
        effects.push(Effect::Op(Box::new(OpEffect::Environments { id, specs, local_dir, cost: cost.cloned() })));
    }

    /// A reading arrived; older ones are dropped.
    pub fn read_done(&mut self, id: u64, mut views: Vec<EnvOverview>) {
        if self.in_flight != Some(id) {
            return;
        }
        self.in_flight = None;
        views.iter_mut().for_each(inert::env_overview);
        if let Some(name) = self.select_when_read.take() {
            self.selected = views.iter().position(|v| v.name == name).unwrap_or(0);
        }
        self.selected = self.selected.min(views.len().saturating_sub(1));
        self.views = views;
    }

    fn selected_name(&self) -> Option<String> {
        self.views.get(self.selected).map(|v| v.name.clone())
    }

    /// Keys in the view. `last` remembers the environment acted on.
    pub fn on_action(
        &mut self,
        action: Action,
        ctx: &mut Context,
        planning: &mut Option<Planning>,
        last: &mut Option<String>,
        cost: Option<&CostReport>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        if let Some(to) = moved(self.selected, self.views.len(), action) {
            self.selected = to;
            return Next::Stay;
        }
        match action {
            Action::Select => self.detail = !self.detail,
            Action::Refresh => self.read(ctx, cost, effects),
            Action::Teardown | Action::Restore => {
                let Some(name) = self.selected_name() else { return Next::Stay };
                *last = Some(name.clone());
                let verb = if action == Action::Teardown { "teardown" } else { "restore" };
                // The palette's grammar: the same line a script or a runbook would run.
                return match grammar::parse_line(&format!("{verb} {name}")) {
                    Ok(verb) => {
                        action_path::run(ctx, planning, &verb, effects);
                        Next::Dashboard
                    }
                    Err(e) => {
                        ctx.flash_error(e);
                        Next::Stay
                    }
                };
            }
            Action::Help => return Next::Help,
            Action::QuitRequest => return Next::QuitRequest,
            Action::Back | Action::Environments => return Next::Dashboard,
            _ => {}
        }
        Next::Stay
    }
}
