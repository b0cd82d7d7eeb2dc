//! `c` copies what the selected row stands for, `b` its AWS console address (shown and copied):
//! both through OSC 52, which reaches the local clipboard over SSH and in tmux with
//! `set-clipboard on`. The text is the identifier an engineer pastes next: a service's address
//! (which every opsdeck verb takes), an endpoint's or alarm's name, a function's ARN once read,
//! the log line being looked at.

use super::dashboard::Panes;
use super::msg::Effect;
use super::pane::Pane;
use super::rows;
use crate::backend::BackendLabel;
use crate::domain::Address;

/// The selected row's identifier, or why there is none.
fn identifier(panes: &Panes<'_>) -> Result<String, String> {
    let (fleet, d) = (&*panes.fleet, &*panes.dashboard);
    match d.focus {
        Pane::Logs => {
            let view = &d.logs.view;
            let line = view.current_match().and_then(|seq| view.buffer().get(seq)).or_else(|| view.buffer().last());
            line.map(|l| l.message.to_string()).ok_or_else(|| "no log line to copy".into())
        }
        Pane::Alarms => rows::selected_alarm(fleet, &d.alarms_list)
            .map(|a| a.name.clone())
            .ok_or_else(|| "no alarm selected".into()),
        Pane::Functions => {
            let detail_arn = d.functions.detail.as_ref().and_then(|v| v.data.data.as_ref()?.arn.clone());
            let name = d.functions.current(fleet).map(|f| f.name.clone());
            detail_arn.or(name).ok_or_else(|| "no function selected".into())
        }
        Pane::Endpoints => panes
            .selected_target()
            .map(|a| match a {
                Address::Endpoint { endpoint, .. } => endpoint,
                other => other.to_string(),
            })
            .ok_or_else(|| "no endpoint selected".into()),
        Pane::Services => panes.selected_target().map(|a| a.to_string()).ok_or_else(|| "no service selected".into()),
        Pane::Cost => Err("the cost pane has no row to copy (b gives Cost Explorer's address)".into()),
    }
}

fn region(panes: &Panes<'_>) -> String {
    match &panes.ctx.label {
        BackendLabel::Aws { region, .. } => region.clone(),
        // The simulated fleet stands for an account in the seeds' region.
        BackendLabel::Demo { .. } => "us-east-1".into(),
    }
}

/// The AWS console address of the selection.
fn console_url(panes: &Panes<'_>) -> Result<String, String> {
    let region = region(panes);
    let (fleet, d) = (&*panes.fleet, &*panes.dashboard);
    match d.focus {
        Pane::Alarms => rows::selected_alarm(fleet, &d.alarms_list)
            .map(|a| crate::links::alarm(&a.name, &region))
            .ok_or_else(|| "no alarm selected".into()),
        Pane::Logs => d
            .logs
            .source
            .as_ref()
            .map(|s| crate::links::log_group(&s.group, &region))
            .ok_or_else(|| "the log pane follows no group yet".into()),
        Pane::Cost => Ok(crate::links::cost()),
        _ => {
            let address = panes.selected_target().ok_or("nothing selected")?;
            crate::links::resource(&address, &region).ok_or_else(|| format!("{address} has no console page here"))
        }
    }
}

/// `c`: copy the identifier.
pub fn copy(panes: &mut Panes<'_>, effects: &mut Vec<Effect>) {
    match identifier(panes) {
        Ok(text) => {
            let shown = crate::sanitize::inert(&text).into_owned();
            panes.ctx.flash_info(format!("copied: {}", crate::width::truncate(&shown, 100)));
            effects.push(Effect::Copy(text));
        }
        Err(why) => panes.ctx.flash_info(why),
    }
}

/// `b`: show the console address and copy it.
pub fn browse(panes: &mut Panes<'_>, effects: &mut Vec<Effect>) {
    match console_url(panes) {
        Ok(url) => {
            let note = if panes.ctx.is_demo() { " (the simulated fleet's would-be page)" } else { "" };
            panes.ctx.flash_info(format!("copied {url}{note}"));
            effects.push(Effect::Copy(url));
        }
        Err(why) => panes.ctx.flash_info(why),
    }
}
