//! The whole console, headless, over the simulated fleet: the real update and the real
//! `perform`/`perform_op` (the code the interactive runtime spawns), with a manual clock.
//! Include with `#[path = "support/console.rs"] mod console;` next to `mod common;`.
#![allow(dead_code)]

use super::common::{draw, text_of};
use chrono::{DateTime, TimeZone, Utc};
use opsdeck::app::{perform, perform_op, update, Effect, Msg, Settings, State};
use opsdeck::backend::Backend;
use opsdeck::keymap::{KeyChord, Keymap};
use opsdeck::ops::{AuditLog, OpsContext};
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};
use opsdeck::theme::Theme;

pub struct Headless {
    pub state: State,
    pub fleet: SimFleet,
    pub clock: ManualClock,
    pub keymap: Keymap,
    pub ops: OpsContext,
    pub dir: tempfile::TempDir,
}

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap()
}

/// The settings `opsdeck --demo` runs with: the demo's payloads, environments and runbook links.
pub fn demo_settings(dir: &std::path::Path) -> Settings {
    let paths = opsdeck::config::Paths::discover(Some(dir)).unwrap();
    let config = opsdeck::config::Config::default().with_demo_defaults().unwrap();
    let mut settings = config.settings(None, &paths);
    settings.invoke_payloads = config.invoke_payloads(&paths.config_dir).unwrap();
    settings.lambda_events = config.lambda_events(&paths.config_dir).unwrap();
    settings
}

impl Headless {
    /// Default settings, as most console tests want.
    pub async fn new(scenario: &str, seed: u64) -> Headless {
        Headless::with(scenario, seed, |_| Settings::default()).await
    }

    /// The demo's own settings (environments, runbooks, payloads).
    pub async fn demo(scenario: &str, seed: u64) -> Headless {
        Headless::with(scenario, seed, demo_settings).await
    }

    pub async fn with(scenario: &str, seed: u64, settings: impl FnOnce(&std::path::Path) -> Settings) -> Headless {
        let clock = ManualClock::new();
        let fleet = SimFleet::new(SimOptions {
            seed,
            scenario: scenario.into(),
            start: start(),
            clock: SimClock::Manual(clock.clone()),
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(dir.path());
        let state = State::new(fleet.label(), settings, fleet.now(), (160, 48));
        let ops = OpsContext::new(
            false,
            AuditLog::new(dir.path().join("data/audit-demo.jsonl")),
            dir.path().join("data/environments"),
        );
        let mut h = Headless { state, fleet, clock, keymap: Keymap::defaults().unwrap(), ops, dir };
        h.tick().await;
        h
    }

    /// Carry out effects until none are left, as the runtime would.
    pub async fn run(&mut self, effects: Vec<Effect>) {
        let mut queue = effects;
        while let Some(effect) = queue.pop() {
            match effect {
                Effect::Fetch { id, fetch } => {
                    let reply = perform(&self.fleet, fetch, &|_| {}).await;
                    queue.extend(update(&mut self.state, Msg::Fetched(id, reply)));
                }
                Effect::Op(op) => {
                    if let Some(msg) = perform_op(&self.fleet, &self.ops, *op).await {
                        queue.extend(update(&mut self.state, msg));
                    }
                }
                _ => {}
            }
        }
    }

    pub async fn tick(&mut self) {
        let effects = update(&mut self.state, Msg::Tick(self.fleet.now()));
        self.run(effects).await;
    }

    /// Let `secs` seconds pass, ticking every second like the runtime does.
    pub async fn advance(&mut self, secs: i64) {
        for _ in 0..secs {
            self.clock.advance(1);
            self.tick().await;
        }
    }

    /// Sit idle for `secs` seconds as the runtime does: draw when the state says so, then sleep
    /// until `next_wake` (the manual clock moves in whole seconds). Returns the wake-ups (timer
    /// wakes plus replies, each of which wakes the runtime) and the frames drawn.
    pub async fn idle(&mut self, secs: i64) -> (u32, u32) {
        let theme = Theme::builtin("dark").unwrap();
        let end = self.fleet.now() + chrono::Duration::seconds(secs);
        let (mut wakes, mut frames) = (0, 0);
        loop {
            if self.state.dirty {
                draw(&self.state, &theme, self.state.ctx.size);
                update(&mut self.state, Msg::Drawn(opsdeck::redraw::take()));
                self.state.dirty = false;
                frames += 1;
            }
            let wake = opsdeck::app::wake::next_wake(&self.state);
            if wake > end {
                return (wakes, frames);
            }
            let ms = (wake - self.fleet.now()).num_milliseconds();
            self.clock.advance(((ms + 999) / 1000).max(1));
            let effects = update(&mut self.state, Msg::Tick(self.fleet.now()));
            wakes += 1 + effects.iter().filter(|e| matches!(e, Effect::Fetch { .. })).count() as u32;
            self.run(effects).await;
        }
    }

    pub fn alarm_state(&self, name: &str) -> opsdeck::domain::AlarmState {
        self.state.fleet.alarms.data.as_ref().unwrap().iter().find(|a| a.name == name).unwrap().state
    }

    /// Advance a second at a time until `done` or `limit` seconds have passed; the seconds taken.
    pub async fn advance_until(&mut self, limit: i64, done: impl Fn(&Headless) -> bool) -> Option<i64> {
        for s in 1..=limit {
            self.advance(1).await;
            if done(self) {
                return Some(s);
            }
        }
        None
    }

    /// Typed into a text field (the palette, a prompt, the confirm dialog), character by character.
    pub async fn text(&mut self, text: &str) {
        for c in text.chars() {
            let effects = update(&mut self.state, Msg::Text(KeyChord::plain(c)));
            self.run(effects).await;
        }
    }

    pub async fn key(&mut self, key: &str) {
        let chord: KeyChord = key.parse().unwrap();
        if let Some(msg) = opsdeck::app::key_to_msg(&self.state, &self.keymap, chord) {
            let effects = update(&mut self.state, msg);
            self.run(effects).await;
        }
    }

    pub fn screen(&self) -> String {
        text_of(&draw(&self.state, &Theme::builtin("dark").unwrap(), self.state.ctx.size))
    }

    pub fn backend(&self) -> &dyn Backend {
        &self.fleet
    }
}
