//! Runbook step states from every operator: a step this session has not run (not run, or
//! skipped) shows who ran it on the open incident and how it ended, from the incident's timeline
//! as the console already reads it (every operator's entries, every 5 s in team mode). A step is
//! the same step when its title is, in a runbook of the same file name (`runbooks/x.md` on
//! one bastion is `runbooks/x.md` on another, and the built-in `x.md` it stands in for).

use super::session::{RunbookSession, StepState};
use crate::app::timeline_feed::TimelineFeed;
use crate::incident::Kind;
use chrono::{DateTime, Utc};

/// Someone's record of a step, from the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedStep {
    /// `user@host` (or this bastion's user, for an entry of its own).
    pub who: String,
    pub at: DateTime<Utc>,
    pub exit: u8,
}

/// The runbook's file name (its origin without the folders, or a built-in one's name: a file of
/// that name in a bastion's runbook folder takes the built-in one's place there).
fn file_name(origin: &str) -> &str {
    let origin = origin.strip_prefix("builtin:").unwrap_or(origin);
    origin.rsplit(['/', '\\']).next().unwrap_or(origin)
}

/// For each step of the session, the newest record of it on the open incident's timeline, when
/// this session has not run it itself.
pub fn shared_steps(session: &RunbookSession, feed: &TimelineFeed, incident: Option<&str>) -> Vec<Option<SharedStep>> {
    let open = incident.is_some() && feed.incident.as_deref() == incident;
    let name = file_name(&session.runbook.origin);
    session
        .runbook
        .steps
        .iter()
        .zip(&session.steps)
        .map(|(step, run)| {
            if !open || !matches!(run.state, StepState::NotRun | StepState::Skipped) {
                return None;
            }
            feed.entries
                .iter()
                .filter(|e| e.kind == Kind::Step && e.step.as_deref() == Some(step.title.as_str()))
                .filter(|e| e.runbook.as_deref().is_some_and(|r| file_name(r) == name))
                .max_by_key(|e| e.recorded_at)
                .map(|e| SharedStep { who: e.who.clone(), at: e.recorded_at, exit: e.exit.unwrap_or(0) })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::Entry;

    #[test]
    fn the_same_file_name_and_title_match_across_bastions() {
        assert_eq!(file_name("/home/bob/.config/opsdeck/runbooks/db.md"), "db.md");
        assert_eq!(file_name("builtin:db.md"), "db.md");
        let runbook = crate::runbook::library::load_text(
            "/home/alice/runbooks/db.md",
            "# DB down\n\n## 1. Look\n\n```opsdeck\nalarms\n```\n\n## 2. Fail over\n\n```opsdeck\nalarms\n```\n",
        )
        .unwrap();
        let mut session = RunbookSession::new(runbook, Default::default(), "test".into());
        let at = |s: i64| DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap();
        let step = |title: &str, origin: &str, exit: u8, s: i64, who: &str| {
            let mut e = Entry::new("inc", Kind::Step, "step", at(s), who);
            e.recorded_at = at(s);
            e.runbook = Some(origin.into());
            e.step = Some(title.into());
            e.exit = Some(exit);
            e
        };
        let feed = TimelineFeed {
            incident: Some("inc".into()),
            entries: vec![
                step("2. Fail over", "/home/bob/.config/opsdeck/runbooks/db.md", 1, 10, "bob@b2"),
                step("2. Fail over", "/home/carol/runbooks/db.md", 0, 20, "carol@b3"),
                step("1. Look", "/home/bob/runbooks/other.md", 0, 30, "bob@b2"),
            ],
            ..TimelineFeed::default()
        };
        let shared = shared_steps(&session, &feed, Some("inc"));
        assert_eq!(shared[0], None, "another runbook's step of the same title");
        assert_eq!(shared[1], Some(SharedStep { who: "carol@b3".into(), at: at(20), exit: 0 }), "the newest");
        assert_eq!(shared_steps(&session, &feed, Some("other")), [None, None], "only the open incident's");
        session.steps[1].state = StepState::Done;
        assert_eq!(shared_steps(&session, &feed, Some("inc"))[1], None, "run here: this session's state");
    }
}
