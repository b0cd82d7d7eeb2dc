//! The open incident's timeline, as the console feeds it: alarm changes seen while an incident is
//! open are recorded on it (runbook steps and notes are recorded by the runbook).

use super::context::Context;
use super::fleet::Fleet;
use super::msg::{Effect, OpEffect};
use crate::domain::Alarm;

/// Alarm changes between `before` and the alarms just read go on the open incident's timeline.
pub fn record_alarm_changes(ctx: &Context, fleet: &Fleet, before: &[Alarm], effects: &mut Vec<Effect>) {
    if ctx.incident.is_none() {
        return;
    }
    let Some(now) = fleet.alarms.data.as_ref() else { return };
    for alarm in now {
        let previous = before.iter().find(|b| b.name == alarm.name);
        if let Some(previous) = previous.filter(|p| p.state != alarm.state) {
            let entry = crate::incident::alarm_entry("", alarm, Some(previous.state.as_str()));
            effects.push(Effect::Op(Box::new(OpEffect::IncidentRecord(Box::new(entry)))));
        }
    }
}
