//! The real binary in a real terminal (tmux): the first frame shows every pane, keys work,
//! `:q` exits cleanly and leaves the terminal as it found it.

use crate::common;

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    /// A shell in a fresh tmux server of its own, so the terminal can be read after opsdeck exits.
    fn shell(size: (u16, u16)) -> Tmux {
        // Tests run in parallel: each tmux server gets a socket of its own.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("opsdeck-test-{}-{n}-{}x{}", std::process::id(), size.0, size.1);
        let tmux = Tmux { socket, session: "t".into() };
        let status = Command::new("tmux")
            .args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d", "-s", &tmux.session])
            .args(["-x", &size.0.to_string(), "-y", &size.1.to_string()])
            .arg("bash --norc --noprofile")
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux must be installed (the README's test command installs it)");
        assert!(status.success());
        tmux.keys(&["PS1='shell$ '", "Enter"]);
        tmux
    }

    /// Run opsdeck in the shell; `exit=N` is printed when it ends.
    fn opsdeck(&self, extra: &str) {
        self.keys(&[&format!("{}; echo exit=$?", command(extra)), "Enter"]);
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn pane(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "t", format]).trim().to_string()
    }

    fn wait_for(&self, what: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if what(&screen) || Instant::now() > deadline {
                return screen;
            }
            sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
    }
}

/// The shell printed `exit=N` (the command line itself shows `exit=$?`).
fn exited(screen: &str) -> bool {
    screen.match_indices("exit=").any(|(i, _)| screen[i + 5..].starts_with(|c: char| c.is_ascii_digit()))
}

/// The binary under test: this build's, or another build's named by `OPSDECK_TEST_BIN` (to run
/// these checks against the release profile: `OPSDECK_TEST_BIN=target/release/opsdeck`).
fn bin() -> String {
    std::env::var("OPSDECK_TEST_BIN").ok().filter(|b| !b.is_empty()).unwrap_or(env!("CARGO_BIN_EXE_opsdeck").into())
}

fn command(extra: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir").keep();
    format!("OPSDECK_CONFIG_DIR={} {} --demo --scenario bad-deploy --seed 7 {extra}", dir.display(), bin())
}

#[test]
fn first_frame_shows_every_pane_and_q_exits_cleanly() {
    // Inside a shell, so what the terminal looks like after opsdeck exits can be read.
    let tmux = Tmux::shell((160, 48));
    tmux.opsdeck("");
    let screen = tmux.wait_for(
        |s| s.contains("cleanistic-ai-api") && s.contains("prediction-endpoint") && s.contains("forecast"),
        Duration::from_secs(10),
    );
    for title in ["ECS services", "SageMaker endpoints", "Logs", "Alarms", "Cost", "DEMO"] {
        assert!(screen.contains(title), "{title} missing from the first screen:\n{screen}");
    }
    assert_eq!(tmux.pane("#{alternate_on}"), "1", "the console should run on the alternate screen");
    assert_eq!(tmux.pane("#{cursor_flag}"), "0", "the cursor should be hidden while the console runs");
    // Help opens and closes.
    tmux.keys(&["?"]);
    let help = tmux.wait_for(|s| s.contains("show this help"), Duration::from_secs(5));
    assert!(help.contains("show this help"), "{help}");
    tmux.keys(&["Escape"]);
    // Typed before the help has closed, `:` would arrive with the escape as one alt-: key.
    tmux.wait_for(|s| !s.contains("show this help"), Duration::from_secs(5));
    tmux.keys(&[":", "q", "Enter"]);
    let after = tmux.wait_for(exited, Duration::from_secs(5));
    assert!(after.contains("exit=0"), "opsdeck did not exit cleanly on :q:\n{after}");
    assert!(!after.contains("ECS services"), "the console's screen was left behind:\n{after}");
    assert_eq!(tmux.pane("#{alternate_on}"), "0", "the alternate screen was not left");
    assert_eq!(tmux.pane("#{cursor_flag}"), "1", "the cursor was left hidden");
    // Raw mode is off again: typed text echoes and a command runs.
    tmux.keys(&["echo cooked-mode", "Enter"]);
    let shell = tmux.wait_for(|s| s.matches("cooked-mode").count() >= 2, Duration::from_secs(5));
    assert!(shell.matches("cooked-mode").count() >= 2, "the terminal was left in raw mode:\n{shell}");
}

#[test]
fn small_terminal_and_resize_keep_working() {
    let tmux = Tmux::shell((80, 24));
    tmux.opsdeck("");
    let screen = tmux.wait_for(|s| s.contains("cleanistic-ai-api"), Duration::from_secs(10));
    assert!(screen.contains("ECS services"), "{screen}");
    tmux.run(&["resize-window", "-t", "t", "-x", "30", "-y", "6"]);
    sleep(Duration::from_millis(300));
    tmux.run(&["resize-window", "-t", "t", "-x", "1", "-y", "1"]);
    sleep(Duration::from_millis(300));
    tmux.run(&["resize-window", "-t", "t", "-x", "160", "-y", "48"]);
    let screen = tmux.wait_for(|s| s.contains("SageMaker endpoints") && s.contains("Alarms"), Duration::from_secs(5));
    assert!(screen.contains("Cost"), "dashboard not restored after resize:\n{screen}");
    assert!(!exited(&screen), "opsdeck died during resizes:\n{screen}");
    tmux.keys(&["C-c"]);
    tmux.wait_for(|s| s.contains("Quit opsdeck?"), Duration::from_secs(5));
    tmux.keys(&["y"]);
    let after = tmux.wait_for(exited, Duration::from_secs(5));
    assert!(after.contains("exit=0"), "{after}");
}

#[test]
fn bad_config_is_a_clear_error_before_the_terminal_is_touched() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("config.toml"), "refresh_seconds = 0\n").expect("write");
    let out = Command::new(bin()).args(["--demo", "--config-dir"]).arg(dir.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("config.toml: refresh_seconds = 0: must be between 1 and 3600"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\u{1b}["), "escape sequences written before the error");
}

#[test]
fn info_lists_every_path_and_flags_work_after_the_subcommand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(bin())
        .args(["info", "--theme", "light", "--config-dir"])
        .arg(dir.path())
        .env_remove("NO_COLOR")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for label in ["config file", "keymap file", "themes directory", "log file", "saved logs", "theme in effect   light"]
    {
        assert!(stdout.contains(label), "{label} missing:\n{stdout}");
    }
    assert!(stdout.contains(&dir.path().display().to_string()));
    // Each pane's refresh cadence, from the settings in effect (--refresh stretches them).
    assert!(stdout.contains("  alarms            every 5s, always"), "{stdout}");
    assert!(stdout.contains("  functions         every 1m while on screen"), "{stdout}");
    assert!(stdout.contains("  cost              once, then only on ctrl-r"), "{stdout}");
    let out =
        Command::new(bin()).args(["info", "--refresh", "20", "--config-dir"]).arg(dir.path()).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("  services          every 20s"));
    let out =
        Command::new(bin()).args(["info", "--config-dir"]).arg(dir.path()).env("NO_COLOR", "1").output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("theme in effect   monochrome"));
}

#[test]
fn scenarios_are_listed_and_unknown_ones_refused() {
    let out = Command::new(bin()).args(["--demo", "--list-scenarios"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in ["calm", "bad-deploy", "latency-spike"] {
        assert!(stdout.contains(name), "{stdout}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(bin())
        .args(["--demo", "--scenario", "nope", "--config-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_brings_the_console_back() {
    let tmux = Tmux::shell((120, 36));
    tmux.keys(&[&command(""), "Enter"]);
    let screen = tmux.wait_for(|s| s.contains("cleanistic-ai-api"), Duration::from_secs(10));
    assert!(screen.contains("ECS services"), "{screen}");
    tmux.keys(&["C-z"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tmux.pane("#{alternate_on}") != "0" && Instant::now() < deadline {
        sleep(Duration::from_millis(50));
    }
    let shell = tmux.wait_for(|s| s.contains("Stopped"), Duration::from_secs(5));
    assert_eq!(tmux.pane("#{alternate_on}"), "0", "suspended but still on the alternate screen");
    assert!(shell.contains("Stopped"), "the shell did not get the terminal back:\n{shell}");
    tmux.keys(&["fg", "Enter"]);
    let back = tmux.wait_for(|s| s.contains("ECS services") && s.contains("Alarms"), Duration::from_secs(5));
    assert!(back.contains("COMPLETED"), "the console was not redrawn after fg:\n{back}");
    assert_eq!(tmux.pane("#{alternate_on}"), "1");
    tmux.keys(&[":", "q", "Enter"]);
    let after = tmux.wait_for(|s| s.contains("shell$") && !s.contains("ECS services"), Duration::from_secs(5));
    assert!(after.contains("shell$"), "{after}");
    assert_eq!(tmux.pane("#{alternate_on}"), "0");
}

/// A panic in the console, on the event loop or in a spawned task (`OPSDECK_TEST_PANIC`), hands
/// the shell back as it was: main screen, cursor shown, cooked mode, the message readable, and the
/// process gone with Rust's panic status. The release profile aborts on panic; the hook runs first
/// either way (run with `OPSDECK_TEST_BIN` to check a release build).
fn panic_restores_the_terminal(kind: &str) {
    let tmux = Tmux::shell((120, 36));
    // Without a backtrace the message stays on the screen.
    tmux.keys(&[&format!("RUST_BACKTRACE=0 OPSDECK_TEST_PANIC={kind} {}; echo exit=$?", command("")), "Enter"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.pane("#{alternate_on}") != "1" && !exited(&tmux.screen()) && Instant::now() < deadline {
        sleep(Duration::from_millis(20));
    }
    assert_eq!(tmux.pane("#{alternate_on}"), "1", "the console never started:\n{}", tmux.screen());
    let after = tmux.wait_for(exited, Duration::from_secs(10));
    assert!(after.contains("exit=101"), "the panic did not end the process with status 101:\n{after}");
    assert!(after.contains(&format!("OPSDECK_TEST_PANIC={kind}")), "the panic message is not on the screen:\n{after}");
    assert!(!after.contains("ECS services"), "the console's screen was left behind:\n{after}");
    assert_eq!(tmux.pane("#{alternate_on}"), "0", "the alternate screen was not left");
    assert_eq!(tmux.pane("#{cursor_flag}"), "1", "the cursor was left hidden");
    tmux.keys(&["echo cooked-mode", "Enter"]);
    let shell = tmux.wait_for(|s| s.matches("cooked-mode").count() >= 2, Duration::from_secs(5));
    assert!(shell.matches("cooked-mode").count() >= 2, "the terminal was left in raw mode:\n{shell}");
}

#[test]
fn a_panic_in_the_event_loop_restores_the_terminal() {
    panic_restores_the_terminal("ui");
}

#[test]
fn a_panic_in_a_spawned_task_restores_the_terminal_and_ends_the_console() {
    panic_restores_the_terminal("task");
}

/// The bad-deploy scenario at 30 times the speed in a fresh config directory, once the alarm has
/// fired: the directory, the terminal and the screen then.
fn bad_deploy_fired() -> (tempfile::TempDir, Tmux, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::shell((160, 48));
    let line = format!(
        "OPSDECK_CONFIG_DIR={} {} --demo --scenario bad-deploy --seed 7 --speed 30; echo exit=$?",
        dir.path().display(),
        bin()
    );
    tmux.keys(&[&line, "Enter"]);
    let fired = tmux.wait_for(|s| s.contains("1 ALARM"), Duration::from_secs(40));
    assert!(fired.contains("1 ALARM"), "the alarm never fired:\n{fired}");
    (dir, tmux, fired)
}

/// The yardstick: from `CleanisticAI-HighErrorRate` firing to the roll back confirmed, counting
/// keystrokes, then watched until the alarm is back to OK, all inside opsdeck.
#[test]
fn bad_deploy_is_resolved_from_the_alarm_in_four_keys() {
    let (dir, tmux, fired) = bad_deploy_fired();
    assert!(fired.contains("time ×30"), "the status bar says the clock is fast:\n{fired}");
    let mut keystrokes = 0;
    let mut press = |key: &str| {
        keystrokes += 1;
        tmux.keys(&[key]);
    };
    press("BTab");
    press("BTab");
    press("R");
    // Wait for the whole dialog: a capture can land while a frame is still being written.
    let dialog = tmux.wait_for(
        |s| s.contains("Confirm") && s.contains("roll back to this") && s.contains("MODEL_PATH"),
        Duration::from_secs(5),
    );
    assert!(dialog.contains("cleanistic-ai-api:15  ->  cleanistic-ai-api:14"), "{dialog}");
    assert!(
        dialog.contains("+ cleanistic-ai-api: env MODEL_PATH") || dialog.contains("MODEL_PATH"),
        "the diff shows the cause:\n{dialog}"
    );
    press("y");
    assert_eq!(keystrokes, 4, "keystrokes from the alarm firing to the roll back confirmed");
    let watching = tmux.wait_for(|s| s.contains("Operations"), Duration::from_secs(5));
    assert!(watching.contains("rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api"), "{watching}");
    // The rollout completes (the strip says done), then the alarm returns to OK.
    let settled = tmux.wait_for(|s| s.contains("✓") && s.contains("· done ·"), Duration::from_secs(60));
    assert!(settled.contains("· done ·"), "the watch did not settle:\n{settled}");
    let resolved = tmux.wait_for(|s| !s.contains("1 ALARM"), Duration::from_secs(60));
    assert!(!resolved.contains("1 ALARM"), "the alarm did not return to OK:\n{resolved}");
    tmux.keys(&[":", "q", "Enter"]);
    let after = tmux.wait_for(exited, Duration::from_secs(5));
    assert!(after.contains("exit=0"), "{after}");
    // The demo audit log has the action, start to settled.
    let audit = std::fs::read_to_string(dir.path().join("data/audit-demo.jsonl")).expect("demo audit log");
    for phase in ["\"phase\":\"started\"", "\"phase\":\"finished\"", "\"phase\":\"settled\""] {
        assert!(audit.contains(phase), "{phase} missing:\n{audit}");
    }
}

/// The same drill through its runbook: from the alarm firing, `o` opens the alarm's runbook,
/// `enter` runs the diagnosis, `enter` plans the rollback, `y` confirms it; the runbook waits for
/// the rollout and the alarm; the incident timeline exported afterwards tells it in order.
#[test]
fn bad_deploy_is_resolved_through_its_runbook_and_the_timeline_tells_it() {
    let (dir, tmux, fired) = bad_deploy_fired();
    assert!(fired.contains("≡ CleanisticAI-HighErrorRate"), "the alarm shows its runbook:\n{fired}");
    let mut keystrokes = 0;
    let mut press = |key: &str| {
        keystrokes += 1;
        tmux.keys(&[key]);
    };
    press("BTab");
    press("BTab");
    press("o");
    let opened = tmux.wait_for(|s| s.contains("Runbook: High error rate after a deploy"), Duration::from_secs(5));
    assert!(opened.contains("$ logs ecs:cleanistic-ai-cluster/cleanistic-ai-api"), "{opened}");
    press("Enter");
    let read = tmux.wait_for(|s| s.contains("[✓] 1. Read what"), Duration::from_secs(10));
    assert!(read.contains("KeyError"), "step 1 shows the cause:\n{read}");
    press("Enter");
    let dialog = tmux.wait_for(|s| s.contains("Confirm") && s.contains("roll back to this"), Duration::from_secs(5));
    assert!(dialog.contains("cleanistic-ai-api:15  ->  cleanistic-ai-api:14"), "{dialog}");
    press("y");
    assert_eq!(keystrokes, 6, "keystrokes from the alarm firing to the roll back confirmed");
    let rolled = tmux.wait_for(|s| s.contains("[✓] 2. Roll back"), Duration::from_secs(60));
    assert!(rolled.contains("[✓] 2. Roll back"), "the roll back step did not finish:\n{rolled}");
    tmux.keys(&["Enter"]);
    let cleared = tmux.wait_for(|s| s.contains("[✓] 3. Wait for the alarm"), Duration::from_secs(90));
    assert!(cleared.contains("[✓] 3. Wait for the alarm"), "the alarm did not clear:\n{cleared}");
    tmux.keys(&["Escape"]);
    // Typed before the runbook has closed, `:` would arrive with the escape as one alt-: key.
    tmux.wait_for(|s| !s.contains("Runbook: High error rate"), Duration::from_secs(5));
    tmux.keys(&[":", "q", "Enter"]);
    let after = tmux.wait_for(exited, Duration::from_secs(5));
    assert!(after.contains("exit=0"), "{after}");

    let out = Command::new(bin())
        .args(["--demo", "--config-dir"])
        .arg(dir.path())
        .args(["incident", "export"])
        .output()
        .expect("run");
    let doc = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let order = [
        "CleanisticAI-HighErrorRate is ALARM",
        "step \"1. Read what the newest tasks say\" (exit 0)",
        "step \"2. Roll back to the last revision that completed\" (exit 0; audit ",
        "`rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to 14` (audit ",
        "CleanisticAI-HighErrorRate ALARM -> OK",
    ];
    let at: Vec<usize> = order.iter().map(|s| doc.find(s).unwrap_or_else(|| panic!("{s} missing:\n{doc}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "out of order:\n{doc}");
}

/// The why, one key from the alarm, in the real terminal: `m` on the firing alarm draws its
/// metric against the threshold; `Q` on the log pane runs a Logs Insights query and `c` charts it.
#[test]
fn the_firing_alarm_is_charted_and_its_logs_queried_in_the_terminal() {
    let (_dir, tmux, _) = bad_deploy_fired();
    tmux.keys(&["BTab", "BTab", "m"]);
    let chart = tmux.wait_for(
        |s| s.contains("alarm CleanisticAI-HighErrorRate") && s.contains("datapoints"),
        Duration::from_secs(5),
    );
    assert!(chart.contains("CleanisticAI/API ErrorRate"), "{chart}");
    assert!(chart.contains("> 5┤"), "the threshold labelled on the axis:\n{chart}");
    assert!(chart.contains("datapoints > 5"), "{chart}");
    tmux.keys(&["Escape"]);
    tmux.wait_for(|s| !s.contains("alarm CleanisticAI-HighErrorRate  last"), Duration::from_secs(5));
    tmux.keys(&[":"]);
    tmux.keys(&["-l", "query --group /ecs/cleanistic-ai 'stats count(*) as lines by bin(1m)'"]);
    tmux.keys(&["Enter"]);
    let done = tmux.wait_for(|s| s.contains("records matched") && s.contains("c chart"), Duration::from_secs(20));
    assert!(done.contains("Logs Insights  /ecs/cleanistic-ai"), "{done}");
    tmux.keys(&["c"]);
    let charted = tmux.wait_for(|s| s.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)), Duration::from_secs(5));
    assert!(charted.contains("lines"), "{charted}");
    // Escape alone (followed at once by `:` a terminal reads alt-:), then quit.
    tmux.keys(&["Escape"]);
    tmux.wait_for(|s| !s.contains("Logs Insights"), Duration::from_secs(5));
    tmux.keys(&[":q", "Enter"]);
    let after = tmux.wait_for(exited, Duration::from_secs(5));
    assert!(exited(&after), "{after}");
}

/// The Lambda drill in a real terminal: the throttles alarm fires, enter lands on the function,
/// s 30 enter y raises its concurrency, and the strip watches it apply.
#[test]
fn a_throttling_function_is_found_from_its_alarm_and_given_concurrency_in_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::shell((160, 48));
    let line = format!(
        "OPSDECK_CONFIG_DIR={} {} --demo --scenario lambda-throttle --seed 7 --speed 30; echo exit=$?",
        dir.path().display(),
        bin()
    );
    tmux.keys(&[&line, "Enter"]);
    let fired = tmux.wait_for(|s| s.contains("ALARM   GarmaxAI-TryonThrottles-PROD"), Duration::from_secs(60));
    assert!(fired.contains("ALARM   GarmaxAI-TryonThrottles-PROD"), "the throttles alarm never fired:\n{fired}");
    // The firing alarms sort first; the throttles alarm is one of them: filter to it, then enter.
    tmux.keys(&["BTab", "BTab", "/"]);
    tmux.keys(&["-l", "TryonThrottles"]);
    tmux.keys(&["Enter", "Enter"]);
    let functions = tmux
        .wait_for(|s| s.contains("CONC/RES") && s.contains("GarmaxAi-TryonProcessor-PROD"), Duration::from_secs(10));
    assert!(functions.contains("Lambda functions"), "{functions}");
    tmux.keys(&["s"]);
    tmux.keys(&["-l", "30"]);
    tmux.keys(&["Enter"]);
    let dialog = tmux.wait_for(|s| s.contains("reserved concurrency"), Duration::from_secs(10));
    assert!(dialog.contains("10") && dialog.contains("30"), "{dialog}");
    tmux.keys(&["y"]);
    let applied = tmux.wait_for(|s| s.contains("/30"), Duration::from_secs(20));
    assert!(applied.contains("/30"), "the table shows the new limit:\n{applied}");
    tmux.keys(&[":q", "Enter"]);
    let after = tmux.wait_for(exited, Duration::from_secs(5));
    assert!(exited(&after), "{after}");
}

/// `--service` opens the console on a service, and `c` puts its address on the clipboard through
/// OSC 52: tmux (with `set-clipboard on`) keeps what the terminal was sent in its paste buffer.
#[test]
fn a_deep_link_opens_on_the_service_and_c_copies_it_through_osc52() {
    let tmux = Tmux::shell((160, 48));
    tmux.run(&["set-option", "-s", "set-clipboard", "on"]);
    tmux.opsdeck("--service svg-ai-service");
    let opened = tmux.wait_for(|s| s.contains("svg-ai-service") && s.contains("refreshed"), Duration::from_secs(10));
    assert!(opened.contains("CLUSTER"), "services of several clusters show their cluster:\n{opened}");
    tmux.keys(&["c"]);
    let copied = tmux.wait_for(|s| s.contains("copied: ecs:svg-ai-cluster/svg-ai-service"), Duration::from_secs(5));
    assert!(copied.contains("copied: ecs:svg-ai-cluster/svg-ai-service"), "{copied}");
    let buffer = tmux.run(&["show-buffer"]);
    assert_eq!(buffer, "ecs:svg-ai-cluster/svg-ai-service", "the clipboard holds the address");
    tmux.keys(&[":q", "Enter"]);
    let after = tmux.wait_for(exited, Duration::from_secs(5));
    assert!(exited(&after), "{after}");
}

/// Against an account, the last-known fleet is on screen at once, marked, even while AWS does
/// not answer at all; `--no-cache` starts empty.
#[test]
fn the_last_known_fleet_is_drawn_marked_while_aws_does_not_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = opsdeck::fleet_cache::CachedFleet {
        version: opsdeck::fleet_cache::VERSION,
        written_at: chrono::Utc::now() - chrono::Duration::hours(3),
        services: Some(common::services()),
        endpoints: None,
        alarms: Some(common::alarms()),
        cost: None,
    };
    let path = opsdeck::fleet_cache::path(&dir.path().join("cache/fleet"), "default", "eu-west-1");
    opsdeck::fleet_cache::save(&path, &fleet).expect("cache written");
    // Nothing listens on port 9: every call fails to connect.
    let run = |extra: &str| {
        format!(
            "OPSDECK_CONFIG_DIR={} AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
             AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_PROFILE= {} --region eu-west-1 \
             --endpoint-url http://127.0.0.1:9 {extra}; echo exit=$?",
            dir.path().display(),
            env!("CARGO_BIN_EXE_opsdeck")
        )
    };
    let tmux = Tmux::shell((160, 48));
    tmux.keys(&[&run(""), "Enter"]);
    let screen =
        tmux.wait_for(|s| s.contains("refreshing") && s.contains("cleanistic-ai-api"), Duration::from_secs(10));
    assert!(screen.contains("as of 3h00m ago, refreshing"), "{screen}");
    assert!(screen.contains("ECS services cached 3h00m ago"), "{screen}");
    assert!(screen.contains("cleanistic-ai-api"), "{screen}");
    tmux.keys(&[":q", "Enter"]);
    assert!(tmux.wait_for(exited, Duration::from_secs(5)).contains("exit=0"));

    let tmux = Tmux::shell((160, 48));
    tmux.keys(&[&run("--no-cache"), "Enter"]);
    let screen = tmux.wait_for(|s| s.contains("ECS services"), Duration::from_secs(10));
    sleep(Duration::from_millis(500));
    let screen = format!("{screen}{}", tmux.screen());
    assert!(!screen.contains("cleanistic-ai-api") && !screen.contains("refreshing"), "{screen}");
    tmux.keys(&[":q", "Enter"]);
    assert!(tmux.wait_for(exited, Duration::from_secs(5)).contains("exit=0"));
}
