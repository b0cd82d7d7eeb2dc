//! Task-definition revisions: which one "previous" means, the list a roll back shows, and a
//! diff of two revisions (image, environment, secret names, cpu/memory, command, ports, health check).

use super::intent::RevisionChoice;
use super::OpError;
use crate::backend::Backend;
use crate::domain::{Address, RevisionHistory, Snapshot, TaskDefRef, TaskDefSpec};
use crate::sanitize::inert;
use similar::{ChangeTag, TextDiff};

/// "previous": the last revision that completed a deployment of this service (in a failed
/// deploy of 15 that is 14, whatever the numbering); with no deployment known, the newest ACTIVE
/// revision older than the current one.
pub fn previous(current: &TaskDefRef, history: &RevisionHistory) -> Option<TaskDefRef> {
    history.completed.iter().find(|r| *r != current).cloned().or_else(|| {
        history.revisions.iter().filter(|r| r.family == current.family && r.revision < current.revision).max().cloned()
    })
}

/// Newest first, marking the revision deployed now, the last one that completed, and the target.
pub fn listing(current: &TaskDefRef, target: &TaskDefRef, history: &RevisionHistory) -> Vec<String> {
    let last_completed = history.completed.iter().find(|r| *r != current);
    let mut revisions = history.revisions.clone();
    for r in [current, target] {
        if !revisions.contains(r) {
            revisions.push(r.clone());
        }
    }
    revisions.sort_by_key(|r| std::cmp::Reverse(r.revision));
    let mut lines = vec!["revisions (newest first):".to_string()];
    for r in revisions {
        let mut marks = Vec::new();
        if r == *current {
            marks.push("deployed now");
        }
        if Some(&r) == last_completed {
            marks.push("last completed");
        }
        if r == *target && r != *current {
            marks.push("<- roll back to this");
        }
        let arrow = if r == *target && r != *current { "›" } else { " " };
        lines.push(format!(" {arrow} {:<28} {}", inert(&r.to_string()), marks.join(", ")).trim_end().to_string());
    }
    lines
}

/// The lines a diff compares: one fact per line, so a changed fact is one -/+ pair.
fn facts(spec: &TaskDefSpec) -> Vec<String> {
    let mut lines = vec![
        format!("task cpu: {}", spec.cpu.as_deref().unwrap_or("-")),
        format!("task memory: {}", spec.memory.as_deref().unwrap_or("-")),
    ];
    for c in &spec.containers {
        let n = &c.name;
        lines.push(format!("{n}: image {}", c.image));
        if c.cpu.is_some() || c.memory.is_some() {
            let show = |v: Option<i32>| v.map_or("-".to_string(), |v| v.to_string());
            lines.push(format!("{n}: cpu {} memory {}", show(c.cpu), show(c.memory)));
        }
        if !c.command.is_empty() {
            lines.push(format!("{n}: command {}", shell_words::join(&c.command)));
        }
        for p in &c.ports {
            lines.push(format!("{n}: port {p}"));
        }
        if let Some(h) = &c.health_check {
            lines.push(format!("{n}: health check {h}"));
        }
        for (k, v) in &c.environment {
            lines.push(format!("{n}: env {k}={v}"));
        }
        for s in &c.secrets {
            lines.push(format!("{n}: secret {s}"));
        }
    }
    lines.iter().map(|l| inert(l).into_owned()).collect()
}

/// A unified-style diff of two revisions, one changed fact per line ("- " old, "+ " new),
/// with unchanged facts left out. Everything from AWS is made inert.
pub fn diff(from: &TaskDefSpec, to: &TaskDefSpec) -> Vec<String> {
    let (a, b) = (facts(from).join("\n") + "\n", facts(to).join("\n") + "\n");
    let mut lines = vec![format!("diff {} -> {}:", inert(&from.task_def.to_string()), inert(&to.task_def.to_string()))];
    let diff = TextDiff::from_lines(&a, &b);
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => "-",
            ChangeTag::Insert => "+",
            ChangeTag::Equal => continue,
        };
        lines.push(format!("  {sign} {}", change.value().trim_end()));
    }
    if lines.len() == 1 {
        lines
            .push("  (no differences in image, environment, secrets, cpu/memory, command, ports, health check)".into());
    }
    lines
}

/// `revisions ADDRESS [--diff A B]`: the list with its marks, or the diff of two revisions.
/// A and B are numbers, family:number, `previous` or `current`.
pub async fn report(
    backend: &dyn Backend,
    address: &Address,
    compare: Option<(String, String)>,
) -> Result<Vec<String>, OpError> {
    let Snapshot::Service(s) = backend.snapshot(address).await? else {
        return Err(OpError::BadInput(format!("revisions needs an ECS service (ecs:CLUSTER/SERVICE), not {address}")));
    };
    let current = s.service.task_definition.clone();
    let history = backend.revision_history(address).await?;
    let Some((a, b)) = compare else {
        return Ok(listing(&current, &current, &history));
    };
    let resolve = |text: &str| -> Result<TaskDefRef, OpError> {
        if text == "current" {
            return Ok(current.clone());
        }
        match text.parse::<RevisionChoice>().map_err(OpError::BadInput)? {
            RevisionChoice::Previous => previous(&current, &history)
                .ok_or_else(|| OpError::BadInput(format!("{address} has no earlier revision"))),
            RevisionChoice::Number { family, revision } => {
                Ok(TaskDefRef { family: family.unwrap_or_else(|| current.family.clone()), revision })
            }
        }
    };
    let (a, b) = (resolve(&a)?, resolve(&b)?);
    let fetch = |r: TaskDefRef| async move {
        backend.task_definition(&r).await.map_err(|e| match e {
            crate::backend::BackendError::NotFound(_) => OpError::BadInput(format!("unknown revision {r}")),
            other => OpError::Backend(other),
        })
    };
    let (from, to) = (fetch(a).await?, fetch(b).await?);
    Ok(diff(&from, &to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ContainerSpec;

    fn td(revision: u32) -> TaskDefRef {
        TaskDefRef { family: "api".into(), revision }
    }

    fn spec(revision: u32, env: &[(&str, &str)]) -> TaskDefSpec {
        TaskDefSpec {
            task_def: td(revision),
            cpu: Some("512".into()),
            memory: Some("1024".into()),
            containers: vec![ContainerSpec {
                name: "api".into(),
                image: format!("repo/api:v{revision}"),
                environment: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                secrets: vec!["DB_PASSWORD".into()],
                ports: vec!["3001/tcp".into()],
                ..ContainerSpec::default()
            }],
        }
    }

    #[test]
    fn previous_is_the_last_completed_not_current_minus_one() {
        let history = RevisionHistory { revisions: vec![td(15), td(14), td(13)], completed: vec![td(14), td(12)] };
        assert_eq!(previous(&td(15), &history), Some(td(14)));
        // When 14 was the failed one, previous from 14 skips to the last that completed before.
        let history = RevisionHistory { revisions: vec![td(15), td(14), td(13)], completed: vec![td(15), td(12)] };
        assert_eq!(previous(&td(14), &history), Some(td(15)));
        // Nothing ever completed: the newest ACTIVE older revision.
        let history = RevisionHistory { revisions: vec![td(15), td(13), td(9)], completed: vec![] };
        assert_eq!(previous(&td(15), &history), Some(td(13)));
        assert_eq!(previous(&td(9), &history), None);
    }

    #[test]
    fn the_diff_shows_what_changed_and_nothing_else() {
        let a = spec(15, &[("LOG_LEVEL", "info")]);
        let b = spec(14, &[("LOG_LEVEL", "info"), ("MODEL_PATH", "/opt/ml/model")]);
        let lines = diff(&a, &b);
        assert_eq!(lines[0], "diff api:15 -> api:14:");
        assert!(lines.contains(&"  - api: image repo/api:v15".to_string()), "{lines:?}");
        assert!(lines.contains(&"  + api: image repo/api:v14".to_string()), "{lines:?}");
        assert!(lines.contains(&"  + api: env MODEL_PATH=/opt/ml/model".to_string()), "{lines:?}");
        assert!(!lines.iter().any(|l| l.contains("LOG_LEVEL")), "unchanged facts are left out: {lines:?}");
        assert!(diff(&a, &a)[1].contains("no differences"));
    }

    #[test]
    fn the_listing_marks_current_completed_and_target() {
        let history = RevisionHistory { revisions: vec![td(15), td(14), td(13)], completed: vec![td(14)] };
        let lines = listing(&td(15), &td(14), &history);
        assert!(lines[1].contains("api:15") && lines[1].contains("deployed now"), "{lines:?}");
        assert!(lines[2].contains("last completed, <- roll back to this"), "{lines:?}");
    }
}
