//! Operator actions in the console: keys and palette lines to plans, the confirm dialog, the
//! one path to the backend, the watch strip and the audit view. Update is driven directly; the
//! action effects are carried out by the real `perform_op` against a recording fake backend.

use crate::common;

use common::fake::FakeBackend;
use common::*;
use opsdeck::app::{perform, perform_op, update, Effect, Mode, Msg, OpEffect, Pane, State};
use opsdeck::domain::Mutation;
use opsdeck::keymap::Action;
use opsdeck::ops::{AuditLog, OpsContext, WatchState};
use opsdeck::theme::Theme;

struct Console {
    state: State,
    fake: FakeBackend,
    ctx: OpsContext,
    _dir: tempfile::TempDir,
}

impl Console {
    fn new(read_only: bool) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let ctx =
            OpsContext::new(read_only, AuditLog::new(dir.path().join("audit.jsonl")), dir.path().join("environments"));
        let mut state = loaded_state((160, 48));
        state.ctx.settings.read_only = read_only;
        Console { state, fake: FakeBackend::new(), ctx, _dir: dir }
    }

    /// Carry out effects the way the runtime does: fixtures for list reads, the fake backend for
    /// actions and watch reads.
    async fn run(&mut self, effects: Vec<Effect>) {
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

    async fn typed(&mut self, text: &str) {
        let effects = type_text(&mut self.state, text);
        self.run(effects).await;
    }

    async fn palette(&mut self, line: &str) {
        self.key(":").await;
        self.typed(line).await;
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

    fn dialog_open(&self) -> bool {
        matches!(self.state.mode, Mode::Confirm(_))
    }
}

#[tokio::test]
async fn s_on_a_service_opens_the_palette_with_the_command_and_y_applies_it() {
    let mut c = Console::new(false);
    c.key("G").await; // svg-ai-service, the last row
    c.key("s").await;
    match &c.state.mode {
        Mode::Palette(input) => assert_eq!(input.text, "scale ecs:svg-ai-cluster/svg-ai-service "),
        other => panic!("expected the palette, got {other:?}"),
    }
    c.typed("3").await;
    c.key("enter").await;
    assert!(c.dialog_open(), "the plan opens a confirm dialog");
    let screen = c.screen();
    assert!(screen.contains("desired") && screen.contains("2  ->  3"), "{screen}");
    assert!(screen.contains("autoscaling: min 1 max 4 (suspended: scale-in)"), "{screen}");
    assert!(c.fake.applied().is_empty(), "nothing is sent before the answer");
    c.key("y").await;
    assert_eq!(
        c.fake.applied(),
        vec![Mutation::SetDesiredCount { address: "ecs:svg-ai-cluster/svg-ai-service".parse().unwrap(), count: 3 }]
    );
    // Audited: a started and a finished record, with the inverse.
    let (records, _) = c.ctx.audit.read().unwrap();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[1].outcome, "succeeded");
    assert_eq!(records[1].inverse.as_deref(), Some("scale ecs:svg-ai-cluster/svg-ai-service 2"));
    assert_eq!(records[1].request_ids, vec!["req-1".to_string()]);
    // Watched in the strip until it settles.
    assert_eq!(c.state.ops.operations.len(), 1);
    assert!(c.state.ops.operations[0].running());
    assert!(c.screen().contains("Operations"), "{}", c.screen());
    c.fake.settle("svg-ai-service");
    c.tick(3).await;
    let op = &c.state.ops.operations[0];
    assert_eq!(op.watch.as_ref().map(|w| w.state.clone()), Some(WatchState::Settled), "{op:?}");
    let (records, _) = c.ctx.audit.read().unwrap();
    assert!(records.last().unwrap().outcome.starts_with("settled"), "{records:?}");
}

#[tokio::test]
async fn above_the_autoscaling_max_the_palette_offers_the_flag() {
    let mut c = Console::new(false);
    c.palette("scale ecs:svg-ai-cluster/svg-ai-service 9").await;
    assert!(!c.dialog_open());
    match &c.state.mode {
        Mode::Palette(input) => {
            assert_eq!(input.text, "scale ecs:svg-ai-cluster/svg-ai-service 9 --adjust-autoscaling")
        }
        other => panic!("expected the palette with the flag offered, got {other:?}"),
    }
    c.key("enter").await;
    assert!(c.dialog_open());
    c.key("enter").await;
    let applied = c.fake.applied();
    assert_eq!(applied.len(), 2, "{applied:?}");
    match &applied[0] {
        Mutation::SetScalingBounds { min, max, suspended, .. } => {
            assert_eq!((*min, *max), (1, 9));
            assert!(suspended.dynamic_in, "suspended flags are sent back as read");
        }
        other => panic!("bounds first, got {other:?}"),
    }
}

#[tokio::test]
async fn scaling_to_zero_needs_the_name_typed_and_esc_cancels() {
    let mut c = Console::new(false);
    let line = "scale ecs:prediction-app-cluster/backend-service 0";
    c.palette(line).await;
    assert!(c.dialog_open(), "{:?}", c.state.ctx.flash);
    let screen = c.screen();
    assert!(screen.contains("Confirm a DESTRUCTIVE change"), "{screen}");
    c.key("y").await; // typed into the name field, not an answer
    c.key("enter").await;
    assert!(c.dialog_open(), "a wrong name keeps the dialog");
    assert!(c.screen().contains("type backend-service exactly"), "{}", c.screen());
    assert!(c.fake.applied().is_empty());
    c.typed("backend-servic").await; // a prefix is not the name
    c.key("enter").await;
    assert!(c.fake.applied().is_empty());
    c.key("esc").await;
    assert!(!c.dialog_open());
    assert!(c.fake.applied().is_empty(), "esc sends nothing");
    c.palette(line).await;
    c.typed("backend-service").await;
    c.key("enter").await;
    assert_eq!(c.fake.applied().len(), 1);
}

#[tokio::test]
async fn the_destructive_dialog_is_styled_as_danger() {
    let mut c = Console::new(false);
    c.palette("scale ecs:prediction-app-cluster/backend-service 0").await;
    let theme = Theme::builtin("dark").unwrap();
    let buffer = draw(&c.state, &theme, (160, 48));
    let (x, y) = find(&buffer, "Confirm a DESTRUCTIVE change").expect("title on screen");
    assert_eq!(Some(buffer[(x, y)].fg), theme.danger.fg);
    insta::assert_snapshot!("confirm_destructive_160x48", text_of(&buffer));
}

#[tokio::test]
async fn read_only_shows_the_plan_and_refuses_at_the_path() {
    let mut c = Console::new(true);
    c.state.dashboard.focus = Pane::Alarms;
    // The firing alarm sorts first and watches cleanistic-ai-api: R rolls what it watches back.
    c.key("R").await;
    assert!(c.dialog_open(), "{:?}", c.state.ctx.flash);
    let screen = c.screen();
    assert!(screen.contains("read-only: nothing will be sent"), "{screen}");
    assert!(screen.contains("opsdeck rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to 14"), "{screen}");
    c.key("y").await;
    assert!(c.fake.applied().is_empty(), "read-only sends nothing");
    let flash = c.state.ctx.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("read-only mode"), "{flash}");
    assert!(c.ctx.audit.read().unwrap().0.is_empty(), "a refused action is not executed, so not audited");
    assert!(c.screen().contains("READ-ONLY"));
}

#[tokio::test]
async fn rollback_from_the_alarm_plans_the_last_completed_revision_with_a_diff() {
    let mut c = Console::new(false);
    c.state.dashboard.focus = Pane::Alarms;
    c.key("R").await;
    let Mode::Confirm(dialog) = &c.state.mode else { panic!("no dialog: {:?}", c.state.ctx.flash) };
    assert_eq!(dialog.plan.changes[0].before, "cleanistic-ai-api:15");
    assert_eq!(dialog.plan.changes[0].after, "cleanistic-ai-api:14", "previous = last completed");
    let details = dialog.plan.details.join("\n");
    assert!(details.contains("+ api: env MODEL_PATH=/opt/ml/model"), "{details}");
    insta::assert_snapshot!("confirm_rollback_160x48", c.screen());
    c.key("enter").await;
    match c.fake.applied().as_slice() {
        [Mutation::SetTaskDefinition { task_def, .. }] => assert_eq!(task_def.revision, 14),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_change_between_plan_and_answer_is_refused_as_a_conflict() {
    let mut c = Console::new(false);
    c.palette("scale ecs:svg-ai-cluster/svg-ai-service 3").await;
    assert!(c.dialog_open());
    c.fake.set_desired_behind_our_back("svg-ai-service", 4);
    c.key("y").await;
    assert!(c.fake.applied().is_empty(), "a stale plan is not applied");
    let flash = c.state.ctx.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("changed since the plan") && flash.contains("desired count: 2 -> 4"), "{flash}");
}

#[tokio::test]
async fn the_audit_view_lists_actions_and_u_undoes_through_the_same_path() {
    let mut c = Console::new(false);
    c.palette("scale ecs:svg-ai-cluster/svg-ai-service 3").await;
    c.key("y").await;
    c.palette("audit").await;
    let Mode::Audit(view) = &c.state.mode else { panic!("no audit view") };
    assert_eq!(view.entries.len(), 1);
    let screen = c.screen();
    assert!(screen.contains("Audit log") && screen.contains("succeeded"), "{screen}");
    c.key("u").await;
    assert!(c.dialog_open(), "undo plans the inverse and asks");
    let Mode::Confirm(dialog) = &c.state.mode else { unreachable!() };
    assert_eq!(dialog.plan.intent.command_line(), "scale ecs:svg-ai-cluster/svg-ai-service 2");
    c.key("y").await;
    assert_eq!(c.fake.applied().len(), 2);
}

#[tokio::test]
async fn bad_palette_lines_change_nothing() {
    let mut c = Console::new(false);
    for line in [
        "scale ecs:svg-ai-cluster/svg-ai-service -2",
        "scale ecs:svg-ai-cluster/svg-ai-service many",
        "scale ecs:nope 2",
        "rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to 99",
        "redeploy sm:prediction-endpoint",
        "scale sm:prediction-endpoint 2",
    ] {
        c.palette(line).await;
        assert!(!c.dialog_open(), "{line} opened a dialog");
        let flash = c.state.ctx.flash.as_ref().map(|f| (f.text.clone(), f.level));
        assert!(matches!(flash, Some((_, opsdeck::app::FlashLevel::Error))), "{line}: {flash:?}");
    }
    assert!(c.fake.applied().is_empty());
    assert!(c.ctx.audit.read().unwrap().0.is_empty());
}

#[tokio::test]
async fn keys_name_their_targets_in_the_hints_and_help() {
    let c = Console::new(false);
    let screen = c.screen();
    assert!(screen.contains("s scale") && screen.contains("R roll back"), "{screen}");
    let mut c = c;
    let effects = update(&mut c.state, Msg::Action(Action::Help));
    assert!(effects.iter().all(|e| !matches!(e, Effect::Op(op) if matches!(**op, OpEffect::Execute(_)))));
    assert!(c.screen().contains("roll the selected service back"), "{}", c.screen());
}

#[tokio::test]
async fn undo_by_id_from_the_palette_plans_the_inverse() {
    let mut c = Console::new(false);
    c.palette("scale ecs:svg-ai-cluster/svg-ai-service 3").await;
    c.key("y").await;
    let id = c.state.ops.operations[0].executed.id.clone();
    c.palette(&format!("undo {id}")).await;
    let Mode::Confirm(dialog) = &c.state.mode else { panic!("no dialog: {:?}", c.state.ctx.flash) };
    assert_eq!(dialog.plan.intent.command_line(), "scale ecs:svg-ai-cluster/svg-ai-service 2");
    c.key("esc").await;
    c.palette("undo 20260101T000000Z-dead").await;
    assert!(!c.dialog_open());
    let flash = c.state.ctx.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.contains("no action 20260101T000000Z-dead"), "{flash}");
    assert_eq!(c.fake.applied().len(), 1, "only the first scale was sent");
}

#[tokio::test]
async fn read_only_refuses_every_mutating_verb_and_sends_nothing() {
    let mut c = Console::new(true);
    c.state.ctx.settings.invoke_payloads.insert("prediction-endpoint".into(), (r#"{"x":1}"#.into(), None));
    for line in [
        "scale ecs:svg-ai-cluster/svg-ai-service 3",
        "scale ecs:prediction-app-cluster/backend-service 0",
        "scale sm:prediction-endpoint/model-v1 3",
        "redeploy ecs:svg-ai-cluster/svg-ai-service",
        "rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api",
        "invoke sm:prediction-endpoint",
    ] {
        c.palette(line).await;
        assert!(c.dialog_open(), "{line}: the plan is still shown ({:?})", c.state.ctx.flash);
        assert!(c.screen().contains("read-only: nothing will be sent"), "{line}");
        c.key("y").await;
        c.key("enter").await;
        assert!(!c.dialog_open(), "{line}");
        let flash = c.state.ctx.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
        assert!(flash.contains("read-only mode"), "{line}: {flash}");
    }
    assert!(c.fake.applied().is_empty(), "{:?}", c.fake.applied());
    assert!(c.ctx.audit.read().unwrap().0.is_empty());
}

#[tokio::test]
async fn a_plan_that_changed_at_execute_comes_back_in_the_dialog_for_a_new_confirmation() {
    let mut c = Console::new(false);
    c.palette("scale ecs:svg-ai-cluster/svg-ai-service 6 --adjust-autoscaling").await;
    assert!(c.dialog_open());
    // Someone raises the autoscaling max past 6 while the dialog is open: the bounds step the plan
    // promised is no longer needed.
    let bounds = opsdeck::domain::ScalingTarget { min: 1, max: 8, suspended: opsdeck::domain::Suspended::default() };
    c.fake.scaling.lock().unwrap().insert("ecs:svg-ai-cluster/svg-ai-service".into(), bounds);
    c.key("y").await;
    assert!(c.fake.applied().is_empty(), "the plan as confirmed is not sent");
    let Mode::Confirm(dialog) = &c.state.mode else { panic!("the new plan is in the dialog: {:?}", c.state.mode) };
    assert!(dialog.replanned.as_deref().is_some_and(|w| w.contains("autoscaling min-max: 1-4 -> 1-8")), "{dialog:?}");
    let screen = c.screen();
    assert!(
        screen.contains("Confirm the NEW plan") && screen.contains("The plan changed since you confirmed it"),
        "{screen}"
    );
    let (records, _) = c.ctx.audit.read().unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(records[0].outcome.starts_with("replanned: "), "{}", records[0].outcome);
    c.key("y").await;
    assert_eq!(
        c.fake.applied(),
        vec![Mutation::SetDesiredCount { address: "ecs:svg-ai-cluster/svg-ai-service".parse().unwrap(), count: 6 }]
    );
}

#[tokio::test]
async fn a_goal_reached_before_execute_is_nothing_left_to_do() {
    let mut c = Console::new(false);
    c.palette("scale ecs:svg-ai-cluster/svg-ai-service 3").await;
    c.fake.set_desired_behind_our_back("svg-ai-service", 3);
    c.key("y").await;
    assert!(c.fake.applied().is_empty());
    assert!(!c.dialog_open());
    let flash = c.state.ctx.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(flash.starts_with("nothing left to do: ") && flash.contains("already wants 3"), "{flash}");
    assert!(c.state.ops.operations.is_empty(), "nothing to watch");
}
