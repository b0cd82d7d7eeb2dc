//! The interactive loop. It never awaits the network: backend calls run as spawned tasks whose
//! replies come back as messages, and the screen is drawn only when the state says it changed.

pub mod terminal;

use crate::app::{self, Effect, Msg, State};
use crate::backend::Backend;
use crate::keymap::{KeyChord, Keymap};
use crate::theme::Theme;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::future::BoxFuture;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{self, UnboundedSender};

enum Input {
    Key(KeyChord),
    Paste(String),
    Resize(u16, u16),
}

/// Makes a backend for another profile/region (`:profile`, `:region`); None where there is
/// nothing to switch (the simulated fleet).
pub type Connector =
    Arc<dyn Fn(Option<String>, Option<String>) -> BoxFuture<'static, Result<Arc<dyn Backend>, String>> + Send + Sync>;

pub struct Session {
    pub backend: Arc<dyn Backend>,
    /// Read-only switch and audit log: every action goes through `ops` with these.
    pub ops: Arc<crate::ops::OpsContext>,
    pub connector: Option<Connector>,
    pub theme: Theme,
    pub keymap: Keymap,
    /// When the process started: the log records how long the first frame with data took.
    pub started: std::time::Instant,
}

/// How long drawing took this session: the slowest frame and how many were drawn, logged at exit
/// (the console must answer a key within a frame, also while APIs throttle or hang).
#[derive(Debug, Default)]
struct FrameStats {
    frames: u64,
    slowest: Duration,
    total: Duration,
    /// The first frame (a full paint of an empty terminal), apart: it says little about the rest.
    first: Option<Duration>,
    slowest_after_first: Duration,
}

impl FrameStats {
    fn record(&mut self, took: Duration) {
        self.frames += 1;
        self.total += took;
        self.slowest = self.slowest.max(took);
        if self.first.is_none() {
            self.first = Some(took);
        } else {
            self.slowest_after_first = self.slowest_after_first.max(took);
        }
    }

    fn log(&self) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mean_ms = if self.frames == 0 { 0.0 } else { ms(self.total) / self.frames as f64 };
        tracing::info!(
            frames = self.frames,
            slowest_ms = ms(self.slowest),
            mean_ms,
            first_ms = ms(self.first.unwrap_or_default()),
            slowest_after_first_ms = ms(self.slowest_after_first),
            "frames drawn"
        );
    }
}

pub async fn run(session: Session, mut state: State) -> anyhow::Result<()> {
    let mut terminal = terminal::enter()?;
    let size = terminal.size()?;
    state.ctx.size = (size.width, size.height);
    let mut frames = FrameStats::default();
    let result = event_loop(&mut terminal, session, &mut state, &mut frames).await;
    terminal::leave();
    frames.log();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    session: Session,
    state: &mut State,
    frames: &mut FrameStats,
) -> anyhow::Result<()> {
    let Session { mut backend, ops, connector, theme, keymap, started } = session;
    let mut first_data_frame = true;
    let (theme, keymap) = (&theme, &keymap);
    let (tx, mut replies) = mpsc::unbounded_channel::<Msg>();
    let (switch_tx, mut switches) = mpsc::unbounded_channel::<Result<Arc<dyn Backend>, String>>();
    let (input_tx, mut inputs) = mpsc::unbounded_channel::<Input>();
    tokio::spawn(read_input(input_tx));
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;

    // The simulated fleet keeps its own time (it may run faster than the wall clock).
    let now = |backend: &Arc<dyn Backend>| backend.clock().unwrap_or_else(chrono::Utc::now);
    let mut pending = vec![Msg::Tick(now(&backend))];
    let mut last_usage = None;
    let mut last_place_errors = Vec::new();
    let mut test_panic = TestPanic::from_env();
    loop {
        if let Some(usage) = backend.usage().filter(|u| Some(*u) != last_usage) {
            last_usage = Some(usage);
            pending.push(Msg::Usage(usage));
        }
        if let Some(team) = &ops.team {
            pending.extend(team.leases.take_lost_notices().into_iter().map(Msg::LeaseLost));
        }
        let place_errors = backend.place_errors();
        if place_errors != last_place_errors {
            last_place_errors.clone_from(&place_errors);
            pending.push(Msg::PlaceErrors(place_errors));
        }
        for msg in pending.drain(..) {
            for effect in app::update(state, msg) {
                match effect {
                    Effect::Quit => return Ok(()),
                    Effect::Suspend => {
                        terminal::suspend(terminal)?;
                        let _ = tx.send(Msg::Resumed);
                    }
                    Effect::Copy(text) => terminal::copy_to_clipboard(&text),
                    Effect::Reconnect { profile, region } => match &connector {
                        Some(connect) => {
                            let connecting = connect(profile, region);
                            let switch_tx = switch_tx.clone();
                            tokio::spawn(async move {
                                let _ = switch_tx.send(connecting.await);
                            });
                        }
                        None => {
                            let _ = tx.send(Msg::Switched(Err("this session cannot switch accounts".into())));
                        }
                    },
                    Effect::Op(op) => {
                        let (backend, ops, tx) = (Arc::clone(&backend), Arc::clone(&ops), tx.clone());
                        tokio::spawn(async move {
                            if let Some(msg) = app::perform_op(backend.as_ref(), &ops, *op).await {
                                let _ = tx.send(msg);
                            }
                        });
                    }
                    other => spawn_effect(other, &backend, &tx),
                }
            }
        }
        if state.dirty {
            let drawing = std::time::Instant::now();
            terminal.draw(|frame| crate::ui::render(state, theme, keymap, frame))?;
            frames.record(drawing.elapsed());
            state.dirty = false;
            let drawn = app::Msg::Drawn(crate::redraw::take());
            app::update(state, drawn);
            if first_data_frame && state.fleet.services.data.is_some() {
                first_data_frame = false;
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                tracing::info!(ms, cached = state.fleet.services.cached, "first frame with data");
            }
        }
        test_panic.check();
        // Sleep until something is due (a read, a label that changes), not on a fixed tick.
        let wait = wall_until(state, app::wake::next_wake(state));
        let sleep = tokio::time::sleep(test_panic.due_in().map_or(wait, |d| d.min(wait)));
        let msg = tokio::select! {
            Some(input) = inputs.recv() => match input {
                Input::Key(chord) => app::key_to_msg(state, keymap, chord),
                Input::Paste(text) => Some(Msg::Paste(text)),
                Input::Resize(w, h) => Some(Msg::Resize(w, h)),
            },
            Some(msg) = replies.recv() => Some(msg),
            Some(switched) = switches.recv() => Some(Msg::Switched(switched.map(|new| {
                // From here on every read goes to the new account; the state drops the old one's.
                backend = new;
                last_usage = None;
                backend.label()
            }))),
            _ = sleep => Some(Msg::Tick(now(&backend))),
            _ = terminate.recv() => return Ok(()),
            _ = hangup.recv() => return Ok(()),
        };
        if let Some(msg) = &msg {
            tracing::trace!(woke_by = %format!("{msg:?}").chars().take(50).collect::<String>(), "console woke");
        }
        pending.extend(msg);
        // Take everything already waiting before drawing again: one frame for a burst.
        while let Ok(msg) = replies.try_recv() {
            pending.push(msg);
        }
    }
}

/// The wall-clock wait until `wake` on the state's clock (the simulated fleet's runs `speed`
/// times faster), at least a millisecond.
fn wall_until(state: &State, wake: chrono::DateTime<chrono::Utc>) -> Duration {
    let ms = (wake - state.ctx.now).num_milliseconds() / state.ctx.speed().max(1);
    Duration::from_millis(ms.clamp(1, app::wake::MAX_SLEEP_SECS * 1_000) as u64)
}

/// `OPSDECK_TEST_PANIC=ui` or `=task`: panic a second after the console starts, in the event loop
/// or in a spawned task. A test hook for the panic path (tests/terminal.rs runs it against any
/// build, including the release profile's `panic = "abort"`); unset, it does nothing.
struct TestPanic(Option<(std::time::Instant, String)>);

impl TestPanic {
    fn from_env() -> Self {
        let kind = std::env::var("OPSDECK_TEST_PANIC").ok().filter(|k| !k.is_empty());
        TestPanic(kind.map(|k| (std::time::Instant::now() + Duration::from_secs(1), k)))
    }

    /// How long until the panic is due (the loop sleeps no longer than that).
    fn due_in(&self) -> Option<Duration> {
        self.0.as_ref().map(|(at, _)| at.saturating_duration_since(std::time::Instant::now()))
    }

    fn check(&mut self) {
        if self.0.as_ref().is_some_and(|(at, _)| std::time::Instant::now() >= *at) {
            if let Some((_, kind)) = self.0.take() {
                if kind == "task" {
                    tokio::spawn(async { panic!("OPSDECK_TEST_PANIC=task") });
                } else {
                    panic!("OPSDECK_TEST_PANIC={kind}");
                }
            }
        }
    }
}

fn spawn_effect(effect: Effect, backend: &Arc<dyn Backend>, tx: &UnboundedSender<Msg>) {
    let tx = tx.clone();
    match effect {
        Effect::Fetch { id, fetch } => {
            let backend = Arc::clone(backend);
            tokio::spawn(async move {
                let early_tx = tx.clone();
                let early = move |reply| {
                    let _ = early_tx.send(Msg::Fetched(id, reply));
                };
                let reply = app::perform(backend.as_ref(), fetch, &early).await;
                let _ = tx.send(Msg::Fetched(id, reply));
            });
        }
        Effect::SaveFleetCache { path, fleet } => {
            tokio::task::spawn_blocking(move || {
                // Losing the cache costs the next start its instant first frame, nothing more.
                if let Err(e) = crate::fleet_cache::save(&path, &fleet) {
                    tracing::warn!(path = %path.display(), error = %e, "could not keep the last-known fleet");
                }
            });
        }
        Effect::SaveFile { path, contents } => {
            tokio::task::spawn_blocking(move || {
                let _ = tx.send(app::save_file(path, &contents));
            });
        }
        Effect::Suspend | Effect::Quit | Effect::Reconnect { .. } | Effect::Op(_) | Effect::Copy(_) => {}
    }
}

async fn read_input(tx: UnboundedSender<Input>) {
    let mut events = EventStream::new();
    while let Some(event) = events.next().await {
        let input = match event {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => KeyChord::from_event(&key).map(Input::Key),
            Ok(Event::Paste(text)) => Some(Input::Paste(text)),
            Ok(Event::Resize(w, h)) => Some(Input::Resize(w, h)),
            Ok(_) => None,
            Err(e) => {
                tracing::error!("terminal input failed: {e}");
                return;
            }
        };
        if let Some(input) = input {
            if tx.send(input).is_err() {
                return;
            }
        }
    }
}
