//! Team mode in the console: two consoles (two operators, two sessions) share one team table
//! (in memory here; tests/suite/team_aws.rs runs the same code on moto's DynamoDB). The real
//! update and `perform_op` run against a recording fake backend.

use crate::common;

use common::fake::FakeBackend;
use common::*;
use opsdeck::app::{perform, perform_op, update, Effect, Mode, Msg, State, TimelineRead};
use opsdeck::incident::Kind;
use opsdeck::ops::{AuditLog, OpsContext};
use opsdeck::team::operator::Operator;
use opsdeck::team::{Team, TeamSettings};
use opsdeck::team_table::{MemoryTable, TeamTable};
use opsdeck::theme::Theme;
use std::sync::Arc;

const SVG: &str = "ecs:svg-ai-cluster/svg-ai-service";

struct Console {
    state: State,
    fake: FakeBackend,
    ctx: OpsContext,
    team: Arc<Team>,
    _dir: tempfile::TempDir,
}

impl Console {
    fn new(table: &Arc<MemoryTable>, user: &str, host: &str) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let operator = Operator {
            arn: format!("arn:aws:iam::123456789012:user/{user}"),
            user: user.into(),
            host: host.into(),
            session: format!("{user}@{host}:pts/1"),
        };
        let settings = TeamSettings { table: "t".into(), region: "us-east-1".into(), keep_audit_days: None };
        let team = Arc::new(Team::new(table.clone(), operator, settings, dir.path().join("team-queue.jsonl")));
        let ctx = OpsContext::new(false, AuditLog::new(dir.path().join("audit.jsonl")), dir.path().join("env"))
            .with_team(team.clone());
        let mut state = loaded_state((160, 48));
        state.ctx.settings.team = true;
        Console { state, fake: FakeBackend::new(), ctx, team, _dir: dir }
    }

    async fn run(&mut self, effects: Vec<Effect>) {
        self.run_unflushed(effects).await;
        // What the flusher task would send in the background.
        self.team.flush().await.expect("flush");
    }

    /// `run` without the flush (the table is down).
    async fn run_unflushed(&mut self, effects: Vec<Effect>) {
        let mut queue = answer(&mut self.state, effects);
        while let Some(effect) = queue.pop() {
            let msg = match effect {
                Effect::Op(op) => perform_op(&self.fake, &self.ctx, *op).await,
                Effect::Fetch { id, fetch } => Some(Msg::Fetched(id, perform(&self.fake, fetch, &|_| {}).await)),
                _ => None,
            };
            if let Some(msg) = msg {
                let more = update(&mut self.state, msg);
                queue.extend(answer(&mut self.state, more));
            }
        }
    }

    async fn key(&mut self, key: &str) {
        let effects = press(&mut self.state, key);
        self.run(effects).await;
    }

    async fn palette(&mut self, line: &str) {
        self.key(":").await;
        let effects = type_text(&mut self.state, line);
        self.run(effects).await;
        self.key("enter").await;
    }

    async fn tick(&mut self, secs: i64) {
        let now = self.state.ctx.now + chrono::Duration::seconds(secs);
        let effects = update(&mut self.state, Msg::Tick(now));
        self.run(effects).await;
    }

    fn screen(&self) -> String {
        text_of(&draw(&self.state, &Theme::builtin("dark").unwrap(), self.state.ctx.size))
    }

    fn flash(&self) -> String {
        self.state.ctx.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
    }
}

#[tokio::test]
async fn a_held_service_needs_its_name_typed_to_take_it_over_and_the_lease_goes_at_the_end() {
    let table = Arc::new(MemoryTable::default());
    let mut alice = Console::new(&table, "alice", "b1");
    let mut bob = Console::new(&table, "bob", "b2");
    alice.key("G").await; // svg-ai-service
    alice.key("h").await;
    assert!(alice.flash().contains("holding ecs:svg-ai-cluster/svg-ai-service until"), "{}", alice.flash());
    bob.palette(&format!("scale {SVG} 3")).await;
    assert!(matches!(bob.state.mode, Mode::Confirm(_)), "{:?}", bob.state.ctx.flash);
    let screen = bob.screen();
    assert!(screen.contains("Confirm a DESTRUCTIVE change"), "{screen}");
    assert!(screen.contains("HELD by alice@b1: investigating since"), "{screen}");
    assert!(screen.contains("held from the console"), "the holder's note:\n{screen}");
    bob.key("y").await;
    bob.key("enter").await;
    assert!(bob.fake.applied().is_empty(), "y is not the typed name");
    let typed = type_text(&mut bob.state, "svg-ai-service");
    bob.run(typed).await;
    bob.key("enter").await;
    assert_eq!(bob.fake.applied().len(), 1, "{:?}", bob.state.ctx.flash);
    let (records, _) = bob.ctx.audit.read().unwrap();
    let started = records.iter().find(|r| r.phase == opsdeck::audit::Phase::Started).unwrap();
    assert_eq!(
        started.lease.as_deref(),
        Some("took over ecs:svg-ai-cluster/svg-ai-service from arn:aws:iam::123456789012:user/alice (alice@b1)")
    );
    // Bob's action holds it while it is watched; its end releases it.
    let now = chrono::Utc::now();
    assert_eq!(bob.team.leases.list(now).await.unwrap()[0].holder.user, "bob");
    bob.fake.settle("svg-ai-service");
    bob.tick(3).await;
    for _ in 0..50 {
        if bob.team.leases.list(now).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(bob.team.leases.list(now).await.unwrap().is_empty(), "released when the watch settled");
    // Alice's heartbeat would now say her lease was lost; her release finds it gone.
    assert!(table.query("LEASES", None).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_timeline_shows_every_operators_entries_and_who_else_is_in_it() {
    let table = Arc::new(MemoryTable::default());
    let mut alice = Console::new(&table, "alice", "b1");
    let mut bob = Console::new(&table, "bob", "b2");
    alice.key("T").await;
    assert!(alice.flash().contains("no incident is open"), "{}", alice.flash());
    alice.palette("incident start db-outage").await;
    assert_eq!(alice.state.ctx.incident.as_deref(), Some("db-outage"));
    bob.palette("incident join db-outage").await;
    assert_eq!(bob.state.ctx.incident.as_deref(), Some("db-outage"), "{}", bob.flash());
    bob.palette("incident note rolled back to :14").await;
    // Bob's console reads the shared timeline while the incident is open (and says it is there).
    bob.tick(5).await;
    assert!(
        bob.state.timeline.entries.iter().any(|e| e.who == "alice@b1" && e.kind == Kind::Start),
        "{:#?}",
        bob.state.timeline
    );
    alice.key("T").await;
    assert!(matches!(alice.state.mode, Mode::Timeline(_)));
    let screen = alice.screen();
    assert!(screen.contains("Incident db-outage"), "{screen}");
    assert!(screen.contains("also here: bob@b2"), "{screen}");
    assert!(screen.contains("bob@b2") && screen.contains("rolled back to :14"), "{screen}");
    let theme = Theme::builtin("dark").unwrap();
    let buffer = draw(&alice.state, &theme, alice.state.ctx.size);
    let (x, y) = find(&buffer, "rolled back to :14").expect("bob's note");
    assert_eq!(buffer[(x, y)].style().bg, theme.selection.bg, "the newest entry is selected");
    let (x, y) = find(&buffer, "joined").expect("bob's join");
    assert_eq!(buffer[(x, y)].style().fg, theme.muted.fg);
    // New entries arrive while it is open: the next read brings them, after the cursor only.
    bob.palette("incident note error rate back under 1%").await;
    alice.tick(5).await;
    assert!(alice.screen().contains("error rate back under 1%"), "{}", alice.screen());
    let notes = alice.state.timeline.entries.iter().filter(|e| e.kind == Kind::Note).count();
    assert_eq!(notes, 2, "each entry once");
    // n in the view writes a note through the palette.
    alice.key("n").await;
    match &alice.state.mode {
        Mode::Palette(input) => assert_eq!(input.text, "incident note "),
        other => panic!("expected the palette, got {other:?}"),
    }
}

#[tokio::test]
async fn without_team_mode_h_says_how_to_turn_it_on() {
    let table = Arc::new(MemoryTable::default());
    let mut alice = Console::new(&table, "alice", "b1");
    alice.state.ctx.settings.team = false;
    alice.key("G").await;
    alice.key("h").await;
    assert!(alice.flash().contains("set [team] table"), "{}", alice.flash());
    assert!(table.query("LEASES", None).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_audit_view_shows_every_operators_actions_or_says_the_table_is_away() {
    let table = Arc::new(MemoryTable::default());
    let mut alice = Console::new(&table, "alice", "b1");
    let mut bob = Console::new(&table, "bob", "b2");
    alice.palette(&format!("scale {SVG} 3")).await;
    alice.key("y").await;
    assert_eq!(alice.fake.applied().len(), 1, "{}", alice.flash());
    bob.palette("scale ecs:cleanistic-ai-cluster/cleanistic-ai-api 4").await;
    bob.key("y").await;
    assert_eq!(bob.fake.applied().len(), 1, "{}", bob.flash());
    bob.palette("audit").await;
    let Mode::Audit(view) = &bob.state.mode else { panic!("no audit view: {}", bob.flash()) };
    let who: Vec<&str> = view.entries.iter().map(|e| e.who.user.as_str()).collect();
    assert_eq!(who, ["bob@b2", "alice@b1"], "both operators' actions, newest first");
    let screen = bob.screen();
    assert!(screen.contains("every operator's actions (team table t)"), "{screen}");
    assert!(screen.contains("operator"), "{screen}");
    // user@host and the caller ARN's last part (the fake backend's identity here).
    assert!(screen.contains("alice@b1 user/oncall") && screen.contains("bob@b2 user/oncall"), "{screen}");
    assert!(screen.contains(&format!("scale     {SVG}")), "{screen}");
    // The table goes away: this bastion's actions, and the view says why.
    bob.key("esc").await;
    table.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let effects = press(&mut bob.state, ":");
    bob.run_unflushed(effects).await;
    let effects = type_text(&mut bob.state, "audit");
    bob.run_unflushed(effects).await;
    let effects = press(&mut bob.state, "enter");
    bob.run_unflushed(effects).await;
    let Mode::Audit(view) = &bob.state.mode else { panic!("no audit view") };
    assert_eq!(view.entries.len(), 1);
    assert_eq!(view.entries[0].resource, "ecs:cleanistic-ai-cluster/cleanistic-ai-api");
    let screen = bob.screen();
    assert!(
        screen.contains("team table t unreachable (") && screen.contains("this bastion's actions only"),
        "{screen}"
    );
    assert!(!screen.contains("alice@b1"), "{screen}");
}

#[tokio::test]
async fn the_runbook_view_shows_steps_other_operators_ran_on_the_incident() {
    let table = Arc::new(MemoryTable::default());
    let mut alice = Console::new(&table, "alice", "b1");
    let mut bob = Console::new(&table, "bob", "b2");
    alice.palette("incident start db-outage").await;
    bob.palette("incident join db-outage").await;
    // Bob's console records a step of the runbook as it ends (what `Runner::finish` writes).
    let origin = "builtin:high-error-rate-after-deploy.md";
    let mut step = opsdeck::incident::Entry::new("", Kind::Step, "step 2", bob.state.ctx.now, "bob");
    step.runbook = Some(origin.into());
    step.step = Some("2. Roll back to the last revision that completed".into());
    step.exit = Some(0);
    let effects = vec![Effect::Op(Box::new(opsdeck::app::OpEffect::IncidentRecord(Box::new(step))))];
    bob.run(effects).await;
    let mut failed = opsdeck::incident::Entry::new("", Kind::Step, "step 3", bob.state.ctx.now, "bob");
    failed.runbook = Some("/home/bob/.config/opsdeck/runbooks/high-error-rate-after-deploy.md".into());
    failed.step = Some("3. Wait for the alarm to clear".into());
    failed.exit = Some(1);
    bob.run(vec![Effect::Op(Box::new(opsdeck::app::OpEffect::IncidentRecord(Box::new(failed))))]).await;
    // Alice follows the same runbook: her reads of the timeline (every 5 s) bring Bob's steps.
    alice.palette("runbook show high-error-rate-after-deploy").await;
    assert_eq!(alice.state.mode, Mode::Runbook, "{}", alice.flash());
    alice.tick(5).await;
    let screen = alice.screen();
    assert!(screen.contains("[ ] 2. Roll back to the last revision that completed"), "{screen}");
    assert!(screen.contains("✓ done by bob@b2 at"), "{screen}");
    assert!(screen.contains("✗ failed for bob@b2 at") && screen.contains("(exit 1;"), "{screen}");
    assert_eq!(screen.matches("by bob@b2").count() + screen.matches("for bob@b2").count(), 2, "{screen}");
    let theme = Theme::builtin("dark").unwrap();
    let buffer = draw(&alice.state, &theme, alice.state.ctx.size);
    let (x, y) = find(&buffer, "✓ done by bob@b2").expect("the line");
    assert_eq!(buffer[(x, y)].style().fg, theme.health_ok.fg);
    let (x, y) = find(&buffer, "✗ failed for bob@b2").expect("the line");
    assert_eq!(buffer[(x, y)].style().fg, theme.health_bad.fg);
    // A read that brings nothing new draws no frame; one that brings a step does.
    let mut look = opsdeck::incident::Entry::new("db-outage", Kind::Step, "step 1", bob.state.ctx.now, "bob@b2");
    look.runbook = Some(origin.into());
    look.step = Some("1. Read what the newest tasks say".into());
    look.exit = Some(0);
    let known = alice.state.timeline.entries.clone();
    for (entries, drawn) in [(known.clone(), false), (vec![look], true)] {
        alice.state.dirty = false;
        alice.state.timeline.in_flight = Some(9_999);
        let read = TimelineRead { incident: "db-outage".into(), entries, ..TimelineRead::default() };
        update(&mut alice.state, Msg::Timeline(9_999, Ok(read)));
        assert_eq!(alice.state.dirty, drawn);
    }
    assert_eq!(alice.screen().matches("✓ done by bob@b2").count(), 2, "{}", alice.screen());
}
