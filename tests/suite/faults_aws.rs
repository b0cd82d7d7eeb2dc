//! Faults, through the real binary (in tmux) or the real SDK, against the emulated account:
//! a throttling storm, the emulator dying and coming back mid-session, and credentials that
//! expire between an action's plan and its execution.
//!
//! Speed is not timed here (the project benchmarks it): the console logs its slowest frame at
//! exit and the storm test prints it. Keys must still answer within 2 s, which only a frozen or
//! hammered UI fails.

use crate::emulator;
// After the emulator: it uses `crate::emulator`.
use crate::account;

use account::{garmax_config, Account};
use emulator::{isolate_from_real_aws, Emulator};
use opsdeck::audit::Phase;
use opsdeck::aws::{AwsBackend, AwsOptions};
use opsdeck::backend::{Backend, BackendError};
use opsdeck::domain::Snapshot;
use opsdeck::ops::{self, Answer, AuditLog, Intent, OpError, OpsContext};
use std::path::PathBuf;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The binary under test: this build's, or the one `OPSDECK_TEST_BIN` names, so the storm's frame
/// figures can be read off a release build (the debug build draws several times slower).
fn binary() -> String {
    std::env::var("OPSDECK_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_opsdeck").to_string())
}

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
            binary(),
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

/// The frame figures the runtime logs at exit: (frames, slowest ms, slowest after the first, mean).
fn frame_stats(log: &str) -> (u64, f64, f64, f64) {
    let line =
        log.lines().rev().find(|l| l.contains("frames drawn")).unwrap_or_else(|| panic!("no frame stats:\n{log}"));
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {line}"))
            .to_string()
    };
    let ms = |name: &str| field(name).parse::<f64>().unwrap();
    (field("frames").parse().unwrap(), ms("slowest_ms"), ms("slowest_after_first_ms"), ms("mean_ms"))
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
            // Both halves of the message: a capture taken while a frame is being written can hold
            // the end of one line over the start of another.
            if backing_off.is_none() && screen.contains("throttled by ") && screen.contains("backing off") {
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
    let (frames, slowest_ms, after_first_ms, mean_ms) = frame_stats(&log);
    assert!(frames > 0, "{log}");
    eprintln!(
        "storm {storm_secs} s: {throttled} of {calls} calls throttled ({faulted:?}); {keys} help round trips, \
         slowest {slowest_key:?}; recovered {recovered:?} after the storm (bound {bound:?}); {frames} frames, \
         slowest {slowest_ms:.1} ms ({after_first_ms:.1} ms after the first), mean {mean_ms:.2} ms ({})",
        binary()
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

/// What STS answers for a session token past its expiry, as the bridge sends it on any API.
const EXPIRED: &str = r#""status": 400, "body": {"__type": "ExpiredTokenException", "message": "The security token included in the request is expired"}"#;
const API: &str = "ecs:cleanistic-ai-cluster/cleanistic-ai-api";

/// A seeded emulator, a backend on it (one attempt per call) and an audit log.
async fn ops_fixture() -> (Emulator, AwsBackend, OpsContext, tempfile::TempDir) {
    let emu = Emulator::start();
    emu.seed();
    isolate_from_real_aws();
    let dir = tempfile::tempdir().unwrap();
    let options = AwsOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(emu.endpoint.clone()),
        max_attempts: 1,
        operation_timeout: Duration::from_secs(15),
        ..AwsOptions::new(dir.path().join("cache"))
    };
    let aws = AwsBackend::connect(options).await.expect("connect");
    let ctx = OpsContext::new(false, AuditLog::new(dir.path().join("audit.jsonl")), dir.path().join("environments"));
    (emu, aws, ctx, dir)
}

async fn desired(aws: &AwsBackend) -> u32 {
    match aws.snapshot(&API.parse().unwrap()).await.expect("snapshot") {
        Snapshot::Service(s) => s.service.desired,
        other => panic!("not a service: {other:?}"),
    }
}

/// Credentials expire after the plan was read and confirmed: execute's fresh read is refused,
/// nothing is sent, the error says what to run, and the audit log says the action was not sent.
#[tokio::test]
async fn credentials_expiring_between_plan_and_execute_send_nothing_and_are_audited_as_not_sent() {
    let (emu, aws, ctx, _dir) = ops_fixture().await;
    let before = desired(&aws).await;
    let intent = Intent::Scale { address: API.parse().unwrap(), count: before + 1, adjust_autoscaling: true };
    let plan = ops::plan(&aws, intent).await.expect("plan");
    let confirmed = ops::confirm(plan, &Answer::AssumeYes, false).expect("confirm");
    emu.clear_calls();
    emu.fault(&format!(r#"{{"operation": "*", "times": 1000, {EXPIRED}}}"#));

    let err = ops::execute(&aws, &ctx, confirmed).await.expect_err("expired credentials");
    let text = err.to_string();
    assert!(matches!(err, OpError::Backend(BackendError::Credentials(_))), "{err:?}");
    assert!(text.starts_with("credentials expired (") && text.contains("aws sso login"), "{text}");
    let calls = emu.calls();
    assert!(calls.keys().all(|c| c.contains(":Describe") || c.contains(":List") || c.contains(":Get")), "{calls:?}");
    let (records, _) = ctx.audit.read().unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].phase, Phase::Finished);
    assert!(records[0].outcome.starts_with("not sent: credentials expired ("), "{}", records[0].outcome);
    assert!(records[0].outcome.contains("aws sso login"), "{}", records[0].outcome);
    eprintln!("audited: {}", records[0].outcome);
    emu.clear_faults();
    assert_eq!(desired(&aws).await, before, "nothing changed");
}

/// Credentials expire at the very request that changes something (the reads before it went
/// through): AWS refuses it before acting, and the audit log says nothing changed.
#[tokio::test]
async fn credentials_expiring_at_the_change_itself_are_audited_as_failed_with_nothing_changed() {
    let (emu, aws, ctx, _dir) = ops_fixture().await;
    let before = desired(&aws).await;
    let intent = Intent::Scale { address: API.parse().unwrap(), count: before + 1, adjust_autoscaling: false };
    let plan = ops::plan(&aws, intent).await.expect("plan");
    assert_eq!(plan.step_count(), 1, "{plan:?}");
    let confirmed = ops::confirm(plan, &Answer::AssumeYes, false).expect("confirm");
    emu.clear_calls();
    emu.fault(&format!(r#"{{"operation": "UpdateService", "times": 1000, {EXPIRED}}}"#));

    let err = ops::execute(&aws, &ctx, confirmed).await.expect_err("expired credentials");
    assert!(matches!(err, OpError::Backend(BackendError::Credentials(_))), "{err:?}");
    assert!(err.to_string().contains("UpdateService answered ExpiredTokenException"), "{err}");
    assert_eq!(emu.calls().get("ecs:UpdateService"), Some(&1));
    let (records, _) = ctx.audit.read().unwrap();
    assert_eq!(records.iter().map(|r| r.phase).collect::<Vec<_>>(), [Phase::Started, Phase::Finished]);
    assert!(records[1].outcome.starts_with("failed, nothing changed: credentials expired ("), "{}", records[1].outcome);
    emu.clear_faults();
    assert_eq!(desired(&aws).await, before, "nothing changed");
}

/// A teardown (several steps) whose credentials expire half way, through the binary with `--yes`:
/// exit 1, a message naming the fix and the command that finishes it, the audit log records the
/// action as partial with that command, and running it again (fresh credentials) finishes it.
#[tokio::test]
async fn credentials_expiring_half_way_through_a_teardown_leave_a_partial_action_with_its_resume_command() {
    const ENV: &str = "garmax";
    let acct = Account::seeded(&garmax_config(ENV)).await;
    acct.emu.fault(&format!(r#"{{"operation": "UpdateService", "times": 1000, {EXPIRED}}}"#));
    acct.emu.clear_calls();
    let run = acct.opsdeck(&["teardown", ENV, "--yes"]);
    assert_eq!(run.code, Some(1), "{}", run.show());
    eprintln!("teardown with credentials expiring half way:\n{}", run.err);
    assert!(run.err.contains("credentials expired (UpdateService answered ExpiredTokenException)"), "{}", run.show());
    assert!(run.err.contains("PARTIAL: "), "{}", run.show());
    assert!(run.err.contains(&format!("`opsdeck teardown {ENV}`")), "{}", run.show());
    assert_eq!(acct.calls("sagemaker:DeleteEndpoint"), 0, "nothing after the failed step");

    let audit = AuditLog::new(acct.dir.path().join("data/audit.jsonl"));
    let (records, _) = audit.read().unwrap();
    let last = records.last().expect("records");
    assert_eq!(last.phase, Phase::Finished, "{records:?}");
    assert!(last.outcome.starts_with("partial: credentials expired ("), "{}", last.outcome);
    assert!(last.outcome.contains(&format!("teardown {ENV}")), "{}", last.outcome);
    let done = records.iter().filter(|r| r.phase == Phase::Step && r.outcome == "done").count();
    assert!(done > 0 && last.outcome.contains(&format!("PARTIAL: {done} of ")), "{done} done: {}", last.outcome);

    acct.emu.clear_faults();
    let run = acct.ok(&["teardown", ENV, "--yes"]);
    assert!(run.out.contains("the state saved then is kept"), "{}", run.show());
}

/// The storm's fault, checked on its own: every 2nd call of any API is throttled, each protocol
/// gets the error in its own shape (awsJson for ECS, CBOR for CloudWatch, XML for STS's query
/// protocol) so the SDK reads it as throttling, and a fault with `for_ms` ends by itself.
#[tokio::test]
async fn the_bridge_throttles_every_nth_call_of_any_api_in_its_protocol_until_its_time_is_up() {
    let (emu, aws, _ctx, _dir) = ops_fixture().await;
    emu.fault(&format!(r#"{{"operation": "*", "every": 2, "times": 1000, {THROTTLE}}}"#));
    let statuses: Vec<u16> =
        (0..4).map(|_| emu.aws_json("ecs", "AmazonEC2ContainerServiceV20141113.ListClusters", "{}").0).collect();
    assert_eq!(statuses, [200, 400, 200, 400]);
    emu.clear_faults();

    let throttled = |e: BackendError| matches!(e, BackendError::Throttled { .. });
    emu.fault(&format!(r#"{{"operation": "*", "times": 1, {THROTTLE}}}"#));
    let err = aws.services().await.unwrap_err();
    assert!(throttled(err.clone()), "ECS (awsJson): {err:?}");
    emu.fault(&format!(r#"{{"operation": "*", "times": 1, {THROTTLE}}}"#));
    let err = aws.alarms().await.unwrap_err();
    assert!(throttled(err.clone()), "CloudWatch (rpc-v2-cbor): {err:?}");
    emu.fault(&format!(r#"{{"operation": "*", "times": 1, {THROTTLE}}}"#));
    let err = aws.caller_identity().await.unwrap_err();
    assert!(throttled(err.clone()), "STS (query): {err:?}");
    assert_eq!(emu.faulted().values().sum::<u64>(), 5, "{:?}", emu.faulted());

    emu.fault(&format!(r#"{{"operation": "*", "times": 1000, "for_ms": 300, {THROTTLE}}}"#));
    assert!(aws.alarms().await.is_err());
    sleep(Duration::from_millis(400));
    aws.alarms().await.expect("the fault ended after 300 ms");
}
