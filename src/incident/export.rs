//! One Markdown document for the postmortem: a summary, the timeline in the style of the SRE
//! postmortem template (UTC, who, what), and the commands run with their results.

use super::{Entry, Kind};
use crate::audit::AuditEntry;
use chrono::{DateTime, Utc};

pub struct ExportOptions {
    /// The incident to export (default: the open one, else the last one).
    pub name: Option<String>,
    /// Only what happened after this.
    pub since: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// One row of the timeline, from the incident log or the audit log.
struct Row {
    at: DateTime<Utc>,
    who: String,
    kind: &'static str,
    what: String,
}

fn cell(text: &str) -> String {
    crate::sanitize::inert(text).replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The document, or why there is none. `entries` is the whole incident log, `actions` the audit
/// log's actions (merged by id).
pub fn export(entries: &[Entry], actions: &[AuditEntry], options: &ExportOptions) -> Result<String, String> {
    let name = match &options.name {
        Some(n) => n.clone(),
        None => super::open_in(entries)
            .or_else(|| entries.iter().rev().find(|e| e.kind == Kind::Start).map(|e| e.incident.clone()))
            .ok_or_else(|| "no incident has been recorded yet".to_string())?,
    };
    let mine: Vec<&Entry> = entries.iter().filter(|e| e.incident == name).collect();
    // A bastion that joined another's incident may hold only its join (the table away).
    let start = mine
        .iter()
        .find(|e| e.kind == Kind::Start)
        .or_else(|| mine.iter().find(|e| e.kind == Kind::Join))
        .ok_or_else(|| format!("no incident named {name} (see `opsdeck incident list`)"))?;
    let end = mine.iter().rev().find(|e| e.kind == Kind::End).map(|e| e.at);
    // An open incident takes every action since it opened (a drill's simulated clock may run
    // ahead of the one exporting).
    let until = end.unwrap_or(DateTime::<Utc>::MAX_UTC);
    let from = options.since.map_or(start.at, |s| s.max(start.at));
    // An entry recorded for this incident belongs to it even when the thing happened just before
    // it was opened (the alarm that paged); --since still cuts by when things happened.
    let wanted = |e: &&&Entry| options.since.is_none_or(|s| e.at >= s);

    let mut rows: Vec<Row> = mine
        .iter()
        .filter(wanted)
        .map(|e| Row {
            at: e.at,
            who: e.who.clone(),
            kind: e.kind.as_str(),
            what: match (&e.kind, &e.step) {
                (Kind::Step, Some(step)) => {
                    let exit = e.exit.map_or("not finished".to_string(), |c| format!("exit {c}"));
                    let audit = if e.audit_ids.is_empty() {
                        String::new()
                    } else {
                        format!("; audit {}", e.audit_ids.join(", "))
                    };
                    format!("{} step \"{step}\" ({exit}{audit})", e.runbook.as_deref().unwrap_or("runbook"))
                }
                _ => e.what.clone(),
            },
        })
        .collect();
    for a in actions.iter().filter(|a| a.started >= from && a.started <= until) {
        rows.push(Row {
            at: a.started,
            who: if a.who.arn.is_empty() { a.who.user.clone() } else { format!("{} ({})", a.who.user, a.who.arn) },
            kind: "action",
            what: format!("`{}` (audit {}): {}", a.command, a.id, a.outcome),
        });
    }
    // Stable: at the same second, the incident log's order, then actions.
    rows.sort_by_key(|r| r.at);

    let mut doc = format!("# Incident {name}\n\n");
    doc.push_str(&format!(
        "- **Opened:** {} UTC by {} ({})\n",
        start.at.format("%Y-%m-%d %H:%M:%S"),
        cell(&start.who),
        cell(&start.what)
    ));
    match end {
        Some(end) => doc.push_str(&format!(
            "- **Closed:** {} UTC ({} minutes)\n",
            end.format("%Y-%m-%d %H:%M:%S"),
            (end - start.at).num_minutes()
        )),
        None => doc.push_str(&format!("- **Still open** at {} UTC\n", options.now.format("%Y-%m-%d %H:%M:%S"))),
    }
    let alarms: Vec<String> = {
        let mut names: Vec<String> = mine
            .iter()
            .filter(|e| e.kind == Kind::Alarm)
            .filter_map(|e| e.what.split_whitespace().next().map(str::to_string))
            .collect();
        names.dedup();
        names
    };
    if !alarms.is_empty() {
        doc.push_str(&format!("- **Alarms:** {}\n", alarms.iter().map(|a| cell(a)).collect::<Vec<_>>().join(", ")));
    }
    doc.push_str("\n## Timeline (UTC)\n\n| time | who | kind | what |\n| --- | --- | --- | --- |\n");
    for r in &rows {
        doc.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.at.format("%Y-%m-%d %H:%M:%S"),
            cell(&r.who),
            r.kind,
            cell(&r.what)
        ));
    }

    let steps: Vec<&&Entry> = mine.iter().filter(|e| e.kind == Kind::Step).filter(wanted).collect();
    if !steps.is_empty() {
        doc.push_str("\n## Commands run and their results\n");
        for e in steps {
            let exit = e.exit.map_or("not finished".to_string(), |c| format!("exit {c}"));
            doc.push_str(&format!(
                "\n### {} ({}, {} UTC, {exit})\n\n```\n",
                crate::sanitize::inert(e.step.as_deref().unwrap_or("step")),
                crate::sanitize::inert(e.runbook.as_deref().unwrap_or("runbook")),
                e.at.format("%H:%M:%S")
            ));
            for c in &e.commands {
                doc.push_str(&format!("$ opsdeck {}\n", crate::sanitize::inert(c)));
            }
            if let Some(output) = &e.output {
                // Line by line, so newlines stay newlines; a fence inside must not close this one.
                for line in output.lines() {
                    doc.push_str(&crate::sanitize::inert(line).replace("```", "ʼʼʼ"));
                    doc.push('\n');
                }
            }
            doc.push_str("```\n");
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Who;
    use chrono::Duration;

    #[test]
    fn the_timeline_merges_alarms_steps_notes_and_actions_in_order() {
        let t0 = Utc::now() - Duration::hours(1);
        let at = |m: i64| t0 + Duration::minutes(m);
        let mut step = Entry::new("inc", Kind::Step, "ran", at(3), "ana");
        step.runbook = Some("high-error-rate-after-deploy.md".into());
        step.step = Some("2. Roll back".into());
        step.commands = vec!["rollback ecs:c/s --to previous".into()];
        step.exit = Some(0);
        step.output = Some("applied (audit A1)\n``` sneaky".into());
        step.audit_ids = vec!["A1".into()];
        let entries = vec![
            Entry::new("inc", Kind::Start, "opened from alarm X", at(0), "ana"),
            Entry::new("inc", Kind::Alarm, "X OK -> ALARM: errors | 12%", at(-1).max(at(0)), "cloudwatch"),
            step,
            Entry::new("inc", Kind::Alarm, "X ALARM -> OK", at(9), "cloudwatch"),
            Entry::new("inc", Kind::Note, "MODEL_PATH lost in rev 15", at(10), "ana"),
        ];
        let action = AuditEntry {
            id: "A1".into(),
            started: at(4),
            who: Who { arn: "arn:aws:sts::1:assumed-role/OnCall/ana".into(), user: "ana".into(), ssh_client: None },
            profile: "p".into(),
            region: "r".into(),
            action: "rollback".into(),
            resource: "ecs:c/s".into(),
            command: "rollback ecs:c/s --to 14".into(),
            before: serde_json::json!({}),
            after: serde_json::json!({}),
            request_ids: vec![],
            outcome: "settled: done".into(),
            inverse: None,
            steps: vec![],
        };
        let doc = export(&entries, &[action], &ExportOptions { name: None, since: None, now: at(20) }).unwrap();
        let order = ["OK -> ALARM", "step \"2. Roll back\"", "(audit A1): settled", "ALARM -> OK", "MODEL_PATH"];
        let positions: Vec<usize> =
            order.iter().map(|s| doc.find(s).unwrap_or_else(|| panic!("{s}:\n{doc}"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{doc}");
        assert!(doc.contains("errors \\| 12%"), "pipes are escaped: {doc}");
        assert!(doc.contains("$ opsdeck rollback ecs:c/s --to previous"));
        assert!(!doc.contains("``` sneaky"), "a fence in the output cannot close the block");
        assert!(doc.contains("- **Still open**"));
        assert!(export(&entries, &[], &ExportOptions { name: Some("nope".into()), since: None, now: at(20) }).is_err());
    }
}
