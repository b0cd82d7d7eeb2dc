//! The whole console, headless, over the simulated fleet: the real update and the real
//! `perform` (the same code the interactive runtime spawns), with a manual clock.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{draw, text_of};
use opsdeck::app::{perform, rows, update, Effect, Msg, Pane, Settings, State};
use opsdeck::backend::Backend;
use opsdeck::domain::{AlarmState, RolloutState};
use opsdeck::keymap::{Action, KeyChord, Keymap};
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};
use opsdeck::theme::Theme;

struct Headless {
    state: State,
    fleet: SimFleet,
    clock: ManualClock,
    keymap: Keymap,
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap()
}

impl Headless {
    async fn new(scenario: &str, seed: u64) -> Headless {
        let clock = ManualClock::new();
        let fleet = SimFleet::new(SimOptions {
            seed,
            scenario: scenario.into(),
            start: start(),
            clock: SimClock::Manual(clock.clone()),
        })
        .unwrap();
        let state = State::new(fleet.label(), Settings::default(), fleet.now(), (160, 48));
        let mut h = Headless { state, fleet, clock, keymap: Keymap::defaults().unwrap() };
        h.tick().await;
        h
    }

    /// Carry out effects until none are left, as the runtime would.
    async fn run(&mut self, effects: Vec<Effect>) {
        let mut queue = effects;
        while let Some(effect) = queue.pop() {
            if let Effect::Fetch { id, fetch } = effect {
                let reply = perform(&self.fleet, fetch, &|_| {}).await;
                queue.extend(update(&mut self.state, Msg::Fetched(id, reply)));
            }
        }
    }

    async fn tick(&mut self) {
        let effects = update(&mut self.state, Msg::Tick(self.fleet.now()));
        self.run(effects).await;
    }

    /// Let `secs` seconds pass, ticking every second like the runtime does.
    async fn advance(&mut self, secs: i64) {
        for _ in 0..secs {
            self.clock.advance(1);
            self.tick().await;
        }
    }

    async fn key(&mut self, key: &str) {
        let chord: KeyChord = key.parse().unwrap();
        if let Some(msg) = opsdeck::app::key_to_msg(&self.state, &self.keymap, chord) {
            let effects = update(&mut self.state, msg);
            self.run(effects).await;
        }
    }

    fn screen(&self) -> String {
        text_of(&draw(&self.state, &Theme::builtin("dark").unwrap(), self.state.size))
    }
}

#[tokio::test]
async fn bad_deploy_is_visible_everywhere_and_the_alarm_leads_to_it() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.advance(180).await;

    let alarm = rows::selected_alarm(&h.state).expect("alarms loaded");
    assert_eq!(alarm.name, "CleanisticAI-HighErrorRate", "the firing alarm sorts first");
    assert_eq!(alarm.state, AlarmState::Alarm);

    let services = h.state.services.data.as_ref().unwrap();
    let api = services.iter().find(|s| s.name == "cleanistic-ai-api").unwrap();
    assert_eq!(api.rollout, RolloutState::Failed, "{api:?}");
    assert_eq!(api.task_definition.revision, 15);

    // From the alarm, enter jumps to the service; the log tail follows it.
    h.key("tab").await;
    h.key("tab").await;
    h.key("tab").await;
    assert_eq!(h.state.focus, Pane::Alarms);
    h.key("enter").await;
    assert_eq!(h.state.focus, Pane::Services);
    assert_eq!(rows::selected_service(&h.state).unwrap().name, "cleanistic-ai-api");
    h.advance(3).await;
    assert_eq!(h.state.logs.source.as_ref().unwrap().group, "/ecs/cleanistic-ai");
    let lines: Vec<String> = h.state.logs.view.buffer().iter().map(|l| l.message.to_string()).collect();
    assert!(lines.iter().any(|l| l.contains("Traceback")), "no traceback in {} lines", lines.len());

    // The screen says so too.
    let screen = h.screen();
    assert!(screen.contains("FAILED"), "{screen}");
    assert!(screen.contains("CleanisticAI-HighErrorRate"), "{screen}");
    assert!(screen.contains("1 ALARM") || screen.contains("ALARM"), "{screen}");

    // The tasks view shows why the new tasks stopped.
    h.key("enter").await;
    let detail = h.state.detail.as_ref().unwrap().data.data.as_ref().expect("detail loaded");
    assert!(
        detail.tasks.iter().any(|t| t.task_definition.revision == 15 && t.stopped_reason.is_some()),
        "{:?}",
        detail.tasks
    );
    assert_eq!(detail.revisions.first().map(|r| r.revision), Some(15), "{:?}", detail.revisions);
    assert!(detail.revisions.iter().any(|r| r.revision == 14), "the revision to roll back to is listed");
    let screen = h.screen();
    assert!(screen.contains("STOPPED REASON"), "{screen}");
    assert!(screen.contains("REVISIONS  15 14 13"), "{screen}");
}

#[tokio::test]
async fn latency_spike_fires_the_endpoint_alarm() {
    let mut h = Headless::new("latency-spike", 3).await;
    h.advance(240).await;
    let alarms = h.state.alarms.data.as_ref().unwrap();
    let alarm = alarms.iter().find(|a| a.name == "prediction-endpoint-ModelLatency-high").unwrap();
    assert_eq!(alarm.state, AlarmState::Alarm, "{alarm:?}");
    h.state.focus = Pane::Alarms;
    h.key("enter").await;
    assert_eq!(h.state.focus, Pane::Endpoints);
    assert_eq!(rows::selected_endpoint(&h.state).unwrap().name, "prediction-endpoint");
    let metrics = h.state.endpoint_metrics.data.as_ref().unwrap();
    let p99 = metrics["prediction-endpoint"]["model-v1"].latency_p99_us.latest().unwrap();
    assert!(p99 > 1_000_000.0, "p99 {p99} µs");
}

#[tokio::test]
async fn calm_stays_calm_and_the_demo_is_deterministic() {
    let mut a = Headless::new("calm", 11).await;
    let mut b = Headless::new("calm", 11).await;
    a.advance(120).await;
    b.advance(120).await;
    assert!(a.state.alarms.data.as_ref().unwrap().iter().all(|x| x.state != AlarmState::Alarm));
    assert_eq!(a.screen(), b.screen(), "same seed, same time, different screens");
    // The panes are all filled from the simulated fleet.
    let screen = a.screen();
    for needle in
        ["svg-ai-service", "cleanistic-property-detector-endpoint", "GarmaxAI-QueueDepth-PROD", "by service", "/ecs/"]
    {
        assert!(screen.contains(needle), "{needle} missing:\n{screen}");
    }
    let mut c = Headless::new("calm", 12).await;
    c.advance(120).await;
    assert_ne!(a.screen(), c.screen(), "different seeds should differ");
}

#[tokio::test]
async fn log_windows_and_filters_work_on_the_simulated_stream() {
    let mut h = Headless::new("bad-deploy", 7).await;
    h.advance(90).await;
    h.key(":").await;
    for c in "ecs cleanistic".chars() {
        let effects = update(&mut h.state, Msg::Text(KeyChord::plain(c)));
        h.run(effects).await;
    }
    h.key("enter").await;
    h.advance(1).await;
    assert_eq!(h.state.logs.source.as_ref().unwrap().group, "/ecs/cleanistic-ai");
    h.state.focus = Pane::Logs;
    let tail_len = h.state.logs.view.buffer().len();
    h.key("5").await; // last hour
    h.advance(1).await;
    assert!(h.state.logs.view.buffer().len() > tail_len, "an hour of history should hold more than the tail");
    h.key("/").await;
    for c in "traceback".chars() {
        let effects = update(&mut h.state, Msg::Text(KeyChord::plain(c)));
        h.run(effects).await;
    }
    h.key("enter").await;
    assert!(h.state.logs.view.match_count() > 0);
    h.key("n").await;
    assert!(h.state.logs.view.current_match().is_some());
    assert!(!h.state.logs.view.follow(), "jumping to a match pauses the tail");
    let _ = Action::Help;
}
