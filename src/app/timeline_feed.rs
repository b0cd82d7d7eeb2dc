//! The open incident's timeline as the console keeps it: this bastion's entries and, in team
//! mode, every operator's, read from the team table every few seconds while an incident is open
//! (and only then: the query asks for items after the last one seen), with who else has it open.
//! Without team mode it is read only while the timeline view is open.

use super::context::Context;
use super::loadable::RequestId;
use super::msg::{Effect, OpEffect, TimelineRead};
use crate::incident::Entry;
use chrono::{DateTime, Duration, Utc};

/// Seconds between reads of the shared timeline while an incident is open.
pub const READ_EVERY_SECS: i64 = 5;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimelineFeed {
    pub incident: Option<String>,
    /// Oldest first, each once (by id).
    pub entries: Vec<Entry>,
    pub cursor: Option<String>,
    pub present: Vec<String>,
    pub in_flight: Option<RequestId>,
    pub read_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// The timeline view is open (without team mode, the only reason to read).
    pub wanted: bool,
}

impl TimelineFeed {
    /// When the next read is due (None: nothing to read: no incident open, or nobody looking).
    pub fn next_read(&self, ctx: &Context) -> Option<DateTime<Utc>> {
        ctx.incident.as_ref()?;
        if !(ctx.settings.team || self.wanted) || self.in_flight.is_some() {
            return None;
        }
        let every = Duration::seconds(READ_EVERY_SECS * ctx.speed());
        Some(match (self.read_at, &self.incident) {
            (Some(at), Some(name)) if ctx.incident.as_ref() == Some(name) => at + every,
            _ => ctx.now,
        })
    }

    /// Ask for a read if one is due.
    pub fn due(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        if self.next_read(ctx).is_some_and(|at| at <= ctx.now) {
            self.read_now(ctx, effects);
        }
    }

    /// Read now (the view just opened, a note was added).
    pub fn read_now(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        let Some(incident) = ctx.incident.clone() else { return };
        if self.incident.as_ref() != Some(&incident) {
            *self = TimelineFeed { incident: Some(incident.clone()), wanted: self.wanted, ..TimelineFeed::default() };
        }
        let id = ctx.request_id();
        self.in_flight = Some(id);
        effects.push(Effect::Op(Box::new(OpEffect::ReadTimeline { id, incident, after: self.cursor.clone() })));
    }

    /// A read came back: new entries merged in (text from other operators made inert), each once.
    pub fn accept(&mut self, id: RequestId, result: Result<TimelineRead, String>, now: DateTime<Utc>) {
        if self.in_flight != Some(id) {
            return;
        }
        self.in_flight = None;
        self.read_at = Some(now);
        let read = match result {
            Ok(read) if self.incident.as_ref() == Some(&read.incident) => read,
            Ok(_) => return,
            Err(e) => {
                self.error = Some(crate::sanitize::inert(&e).into_owned());
                return;
            }
        };
        self.error = read.shared_error.map(|e| crate::sanitize::inert(&e).into_owned());
        for mut entry in read.entries {
            entry.who = crate::sanitize::inert(&entry.who).into_owned();
            entry.what = crate::sanitize::inert(&entry.what).into_owned();
            match self.entries.iter_mut().find(|e| !e.id.is_empty() && e.id == entry.id) {
                // The shared copy names the host: it wins over this bastion's own.
                Some(kept) if entry.who.contains('@') => *kept = entry,
                Some(_) => {}
                None => self.entries.push(entry),
            }
        }
        self.entries.sort_by_key(|e| e.recorded_at);
        if read.cursor.is_some() {
            self.cursor = read.cursor;
        }
        self.present = read.present.iter().map(|p| crate::sanitize::inert(p).into_owned()).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::msg::TimelineRead;
    use crate::incident::Kind;

    fn ctx(team: bool) -> Context {
        let settings = crate::app::settings::Settings { team, ..Default::default() };
        let label = crate::backend::BackendLabel::Aws { profile: "p".into(), region: "r".into() };
        Context::new(label, settings, Utc::now(), (80, 24))
    }

    #[test]
    fn the_shared_timeline_is_read_only_while_an_incident_is_open() {
        let mut ctx = ctx(true);
        let mut feed = TimelineFeed::default();
        let mut effects = Vec::new();
        feed.due(&mut ctx, &mut effects);
        assert!(effects.is_empty(), "no incident open: nothing read");
        ctx.incident = Some("db".into());
        feed.due(&mut ctx, &mut effects);
        assert_eq!(effects.len(), 1);
        let id = feed.in_flight.unwrap();
        feed.due(&mut ctx, &mut effects);
        assert_eq!(effects.len(), 1, "one read at a time");
        let now = ctx.now;
        let mut theirs = Entry::new("db", Kind::Note, "rolled back \u{1b}[31m", now, "bob@b2");
        theirs.id = "x".into();
        let read = TimelineRead {
            incident: "db".into(),
            entries: vec![theirs.clone()],
            cursor: Some("k1".into()),
            present: vec!["bob@b2".into()],
            shared_error: None,
        };
        feed.accept(id, Ok(read.clone()), now);
        assert_eq!(feed.entries.len(), 1);
        assert!(!feed.entries[0].what.contains('\u{1b}'), "inert");
        assert_eq!(feed.next_read(&ctx), Some(now + Duration::seconds(READ_EVERY_SECS)));
        // The next read asks after the cursor, and an entry seen again is kept once.
        ctx.now = now + Duration::seconds(READ_EVERY_SECS);
        feed.due(&mut ctx, &mut effects);
        let last = effects.iter().rev().find_map(|e| match e {
            Effect::Op(op) => Some(op.as_ref()),
            _ => None,
        });
        assert!(matches!(last, Some(OpEffect::ReadTimeline { after: Some(k), .. }) if k == "k1"));
        feed.accept(feed.in_flight.unwrap(), Ok(read), ctx.now);
        assert_eq!(feed.entries.len(), 1);
        // Without team mode, only an open view reads.
        let mut local = TimelineFeed::default();
        let mut ctx = super::tests::ctx(false);
        ctx.incident = Some("db".into());
        assert_eq!(local.next_read(&ctx), None);
        local.wanted = true;
        assert_eq!(local.next_read(&ctx), Some(ctx.now));
    }
}
