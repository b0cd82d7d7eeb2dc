//! Faults, through the real binary (in tmux) or the real SDK, against the emulated account:
//! a throttling storm, the emulator dying and coming back mid-session, and credentials that
//! expire between an action's plan and its execution.
//!
//! Speed is not timed here (the project benchmarks it): the console logs its slowest frame at
//! exit and the storm test prints it. Keys must still answer within 2 s, which only a frozen or
//! hammered UI fails.

#[path = "support/emulator.rs"]
mod emulator;

use emulator::Emulator;
use std::path::PathBuf;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The real binary in a detached tmux session, 160x48, pointed at the emulator.
struct Console {
    socket: String,
    config: tempfile::TempDir,
}

impl Console {
    fn start(name: &str, emu: &Emulator, extra: &str) -> Console {
        let socket = format!("opsdeck-faults-{name}-{}", std::process::id());
        let config = tempfile::tempdir().unwrap();
        let cmd = format!(
            "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_CONFIG_FILE=/dev/null \
             AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true OPSDECK_CONFIG_DIR={} \
             {} --region us-east-1 --endpoint-url {} --no-cache {extra}",
            config.path().display(),
            env!("CARGO_BIN_EXE_opsdeck"),
            emu.endpoint
        );
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "160", "-y", "48", &cmd])
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux");
        assert!(status.success());
        // A crash leaves the pane (dead) instead of closing the session, so it can be told apart.
        let console = Console { socket, config };
        console.tmux(&["set-option", "-t", "t", "remain-on-exit", "on"]);
        console
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// The screen once `what` holds, or at the timeout; and how long that took.
    fn wait_for(&self, what: impl Fn(&str) -> bool, timeout: Duration) -> (String, Duration) {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if what(&screen) || started.elapsed() > timeout {
                return (screen, started.elapsed());
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// The process still runs (tmux keeps a dead pane: remain-on-exit).
    fn alive(&self) -> bool {
        self.tmux(&["list-panes", "-t", "t", "-F", "#{pane_dead}"]).trim() == "0"
    }

    /// `?` opens the help; how long it took (at most 5 s, then the screen is in the panic).
    fn help_round_trip(&self) -> Duration {
        self.keys(&["?"]);
        let (help, took) = self.wait_for(|s| s.contains("show this help"), Duration::from_secs(5));
        assert!(help.contains("show this help"), "help did not open:\n{help}");
        self.keys(&["Escape"]);
        let (_, _) = self.wait_for(|s| !s.contains("show this help"), Duration::from_secs(5));
        took
    }

    fn log_path(&self) -> PathBuf {
        self.config.path().join("state/opsdeck.log")
    }

    /// `:q`, then the log (written by a background thread: read once the process is gone).
    fn quit(&self) -> String {
        // Escape on its own: followed at once by ':' tmux would send alt-:.
        self.keys(&["Escape"]);
        sleep(Duration::from_millis(300));
        self.keys(&[":", "q", "Enter"]);
        let (_, _) = self.wait_for(|_| !self.alive(), Duration::from_secs(10));
        assert!(!self.alive(), "the console did not quit:\n{}", self.screen());
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
    }
}

/// The seed fleet as the dashboard shows it: an endpoint and a service.
fn fleet_shown(screen: &str) -> bool {
    screen.contains("prediction-endpoint") && screen.contains("cleanistic-ai-api")
}

/// A pane that says an API failed (every pane prefixes its error with ⚠).
fn error_shown(screen: &str) -> bool {
    screen.contains('⚠')
}

/// The frame figures the runtime logs at exit: (frames, slowest ms).
fn frame_stats(log: &str) -> (u64, f64) {
    let line =
        log.lines().rev().find(|l| l.contains("frames drawn")).unwrap_or_else(|| panic!("no frame stats:\n{log}"));
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {line}"))
            .to_string()
    };
    (field("frames").parse().unwrap(), field("slowest_ms").parse().unwrap())
}

const THROTTLE: &str = r#""status": 400, "body": {"__type": "ThrottlingException", "message": "Rate exceeded"}"#;

/// Half of all calls (every 2nd, whatever the API) answered ThrottlingException for a storm, with
/// the console open on the dashboard at a 2 s refresh. The issue asks for 5 minutes; the suite's
/// storm is 40 s (OPSDECK_STORM_SECS=300 runs the long one by hand: the bounds follow its length).
#[test]
fn a_throttling_storm_backs_off_keeps_answering_keys_and_recovers_by_itself() {
    let storm_secs: u64 = std::env::var("OPSDECK_STORM_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let emu = Emulator::start();
    emu.seed();
    let console = Console::start("storm", &emu, "--refresh 2");
    let (screen, _) = console.wait_for(fleet_shown, Duration::from_secs(20));
    assert!(fleet_shown(&screen), "the fleet never showed:\n{screen}");

    emu.clear_calls();
    emu.fault(&format!(
        r#"{{"operation": "*", "every": 2, "times": 100000000, "for_ms": {}, {THROTTLE}}}"#,
        storm_secs * 1000
    ));
    let storm = Instant::now();
    let mut backing_off = None;
    let mut slowest_key = Duration::ZERO;
    let mut keys = 0;
    while storm.elapsed() < Duration::from_secs(storm_secs) {
        // Keys answer at once whatever the APIs do.
        let took = console.help_round_trip();
        slowest_key = slowest_key.max(took);
        keys += 1;
        assert!(took < Duration::from_secs(2), "help took {took:?} {:?} into the storm", storm.elapsed());
        // Between keys, watch for a pane saying it backs off.
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until && storm.elapsed() < Duration::from_secs(storm_secs) {
            let screen = console.screen();
            if backing_off.is_none() && screen.contains("backing off") {
                backing_off = Some(screen.clone());
            }
            assert!(console.alive(), "the console died in the storm:\n{screen}");
            sleep(Duration::from_millis(100));
        }
    }
    let calls: u64 = emu.calls().values().sum();
    let faulted = emu.faulted();
    let throttled: u64 = faulted.values().sum();
    let backing_off = backing_off.unwrap_or_else(|| panic!("no pane said it backs off; faulted: {faulted:?}"));
    assert!(backing_off.contains("throttled by "), "{backing_off}");
    assert!(throttled * 3 >= calls, "the storm throttled {throttled} of {calls} calls");

    // The storm ends by itself (for_ms); clear it too, so the bound below starts now.
    emu.clear_faults();
    // Recovery bound: a pane backs off 2 s, doubling per throttled read in a row, so the longest
    // wait a storm of S seconds can leave is the largest 2^k with 2 + 4 + ... + 2^(k-1) < S (32 s for
    // 40 s, 256 s for 5 minutes; capped at 300 s). Add the SDK's own retries (3 attempts, backoff
    // under 1 s + 2 s) and one 2 s refresh: the panes must be clean by then, without a key.
    let mut longest = 2u64;
    while longest * 2 - 2 < storm_secs && longest < 256 {
        longest *= 2;
    }
    let bound = Duration::from_secs(longest + 3 + 2 + 3);
    let (screen, recovered) = console.wait_for(
        |s| fleet_shown(s) && !s.contains("throttled") && !s.contains("backing off") && !error_shown(s),
        bound,
    );
    assert!(
        fleet_shown(&screen) && !screen.contains("throttled") && !error_shown(&screen),
        "not recovered {bound:?} after the storm:\n{screen}"
    );
    assert!(console.alive());
    let log = console.quit();
    assert!(!log.to_lowercase().contains("panic"), "{log}");
    let (frames, slowest_ms) = frame_stats(&log);
    assert!(frames > 0, "{log}");
    eprintln!(
        "storm {storm_secs} s: {throttled} of {calls} calls throttled ({faulted:?}); {keys} help round trips, \
         slowest {slowest_key:?}; recovered {recovered:?} after the storm (bound {bound:?}); {frames} frames, \
         slowest {slowest_ms:.1} ms (debug build)"
    );
}

/// moto and the bridge killed while the console runs, then started again (empty, re-seeded) on the
/// same ports: the panes say the API is unreachable while it is down, and are clean again within
/// two refreshes of its return.
#[test]
fn the_emulator_restarting_mid_session_shows_errors_then_recovers_within_two_refreshes() {
    const REFRESH: u64 = 3;
    let mut emu = Emulator::start();
    emu.seed();
    let console = Console::start("restart", &emu, &format!("--refresh {REFRESH}"));
    let (screen, _) = console.wait_for(fleet_shown, Duration::from_secs(20));
    assert!(fleet_shown(&screen), "the fleet never showed:\n{screen}");
    assert!(!error_shown(&screen), "{screen}");

    emu.stop();
    let (down, _) = console.wait_for(error_shown, Duration::from_secs(30));
    assert!(error_shown(&down), "no pane said the API is gone:\n{down}");
    assert!(down.contains("network: "), "{down}");
    // The last good data stays on screen beside the error.
    assert!(fleet_shown(&down), "{down}");
    assert!(console.help_round_trip() < Duration::from_secs(2));

    emu.restart();
    emu.seed();
    let back = Instant::now();
    let bound = Duration::from_secs(2 * REFRESH);
    let (screen, recovered) = console.wait_for(|s| fleet_shown(s) && !error_shown(s), bound);
    assert!(
        fleet_shown(&screen) && !error_shown(&screen),
        "not recovered {:?} after the restart:\n{screen}",
        back.elapsed()
    );
    assert!(console.alive());
    let log = console.quit();
    assert!(!log.to_lowercase().contains("panic"), "{log}");
    eprintln!("recovered {recovered:?} after the emulator was back (bound {bound:?})");
}
