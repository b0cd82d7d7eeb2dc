//! Many accounts in one view (`--fleet`) against two emulated accounts (two moto servers seeded
//! with the same names, as prod and staging usually are): the console merges their rows with
//! ACCOUNT and REGION columns, an action from a row lands in that row's account alone, a
//! read-only profile's account refuses at the action path, and an address without its place is
//! refused with nothing sent.

use crate::emulator::Emulator;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

const API: &str = "cleanistic-ai-cluster/cleanistic-ai-api";

struct Fleet {
    prod: Emulator,
    staging: Emulator,
    dir: tempfile::TempDir,
}

impl Fleet {
    /// Two accounts with the same services; prod reached through the `prod` profile, which
    /// config.toml makes read-only when `prod_read_only`.
    fn start(prod_read_only: bool) -> Fleet {
        let prod = Emulator::start_with_env(&[("MOTO_ECS_SERVICE_RUNNING", "2")]);
        prod.seed();
        let staging = Emulator::start_with_env(&[("MOTO_ECS_SERVICE_RUNNING", "2")]);
        staging.seed();
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "[fleet]\nregions = [\"us-east-1\"]\n\n\
             [[fleet.accounts]]\nalias = \"prod\"\nprofile = \"prod\"\nendpoint_url = \"{}\"\n\n\
             [[fleet.accounts]]\nalias = \"staging\"\nendpoint_url = \"{}\"\n\n\
             [profiles.prod]\nread_only = {prod_read_only}\n",
            prod.endpoint, staging.endpoint
        );
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        std::fs::write(
            dir.path().join("aws-config"),
            "[profile prod]\naws_access_key_id = testing\naws_secret_access_key = testing\nregion = us-east-1\n",
        )
        .unwrap();
        Fleet { prod, staging, dir }
    }

    fn env(&self) -> Vec<(String, String)> {
        let aws_config = self.dir.path().join("aws-config").display().to_string();
        [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_CONFIG_FILE", aws_config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_REGION", "us-east-1"),
            ("OPSDECK_CONFIG_DIR", &self.dir.path().display().to_string()),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn opsdeck(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .args(args)
            .envs(self.env())
            .env("HOME", self.dir.path())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn updates(&self) -> (Option<u64>, Option<u64>) {
        let get = |e: &Emulator| e.calls().get("ecs:UpdateService").copied();
        (get(&self.prod), get(&self.staging))
    }

    fn clear(&self) {
        self.prod.clear_calls();
        self.staging.clear_calls();
    }
}

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux").args(["-L", socket]).args(args).output().expect("tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(socket: &str, what: impl Fn(&str) -> bool, timeout: Duration) -> String {
    let started = Instant::now();
    loop {
        let screen = tmux(socket, &["capture-pane", "-p", "-t", "t"]);
        if what(&screen) || started.elapsed() > timeout {
            return screen;
        }
        sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_console_merges_two_accounts_and_a_scale_from_a_row_lands_in_that_account_alone() {
    let fleet = Fleet::start(false);
    let socket = format!("opsdeck-fleet-{}", std::process::id());
    let env: Vec<String> = fleet.env().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let cmd = format!(
        "env {} HOME={} {} --fleet --refresh 2",
        env.join(" "),
        fleet.dir.path().display(),
        env!("CARGO_BIN_EXE_opsdeck")
    );
    let status = Command::new("tmux")
        .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "200", "-y", "50", &cmd])
        .env("TERM", "xterm-256color")
        .status()
        .expect("tmux");
    assert!(status.success());
    let kill = || {
        let _ = Command::new("tmux").args(["-L", &socket, "kill-server"]).status();
    };

    // Both accounts' rows, side by side, with where each lives.
    // The services pane is the left one: its rows start the line.
    let rows = |s: &str, account: &str| {
        s.lines()
            .filter(|l| {
                l.starts_with(&format!("│{account} "))
                    && l.split('│').nth(1).is_some_and(|c| c.contains("cleanistic-ai-api"))
            })
            .count()
    };
    let screen = wait_for(&socket, |s| rows(s, "prod") >= 1 && rows(s, "staging") >= 1, Duration::from_secs(30));
    if !(screen.contains("ACCOUNT") && screen.contains("REGION")) {
        kill();
        panic!("no ACCOUNT and REGION columns:\n{screen}");
    }
    assert_eq!(rows(&screen, "prod"), 1, "{screen}");
    assert_eq!(rows(&screen, "staging"), 1, "{screen}");
    assert!(screen.contains("fleet @ prod@us-east-1, staging@us-east-1"), "the status bar names the fleet:\n{screen}");

    // Filter to staging's row and scale it from there.
    fleet.clear();
    tmux(&socket, &["send-keys", "-t", "t", "/"]);
    tmux(&socket, &["send-keys", "-t", "t", "-l", &format!("staging@us-east-1:{}", API.replace('/', " "))]);
    tmux(&socket, &["send-keys", "-t", "t", "Enter", "s"]);
    let prompt = wait_for(&socket, |s| s.contains(":scale ecs:staging@us-east-1:"), Duration::from_secs(5));
    assert!(prompt.contains(&format!(":scale ecs:staging@us-east-1:{API}")), "the row's address, placed:\n{prompt}");
    tmux(&socket, &["send-keys", "-t", "t", "3", "Enter"]);
    let confirm = wait_for(&socket, |s| s.contains("y/enter apply"), Duration::from_secs(15));
    assert!(confirm.contains("in account staging, region us-east-1"), "the plan names the account:\n{confirm}");
    tmux(&socket, &["send-keys", "-t", "t", "y"]);
    let started = Instant::now();
    while fleet.updates().1.is_none() && started.elapsed() < Duration::from_secs(15) {
        sleep(Duration::from_millis(100));
    }
    let updates = fleet.updates();
    // staging stops answering: its rows stay as last read, marked, and prod's read on.
    fleet.staging.fault(
        r#"{"operation": "ListClusters", "status": 400, "body": {"__type": "AccessDenied", "message": "not authorized"}, "times": 1000}"#,
    );
    tmux(&socket, &["send-keys", "-t", "t", "Escape", "Escape"]);
    let failing = wait_for(&socket, |s| s.contains("✗ staging@us-east-1: services:"), Duration::from_secs(20));
    let marked = failing.lines().filter(|l| l.starts_with("│staging ✗") && l.contains("COMPLETED")).count();
    let fine = failing.lines().filter(|l| l.starts_with("│prod ") && l.contains("COMPLETED")).count();
    tmux(&socket, &["send-keys", "-t", "t", "Escape", ":", "q", "Enter"]);
    sleep(Duration::from_millis(300));
    kill();
    assert_eq!(updates, (None, Some(1)), "UpdateService (prod, staging): only staging's");
    assert!(failing.contains("✗ staging@us-east-1: services: access denied"), "the failure is said:\n{failing}");
    assert_eq!((marked, fine), (6, 6), "staging's six rows kept and marked, prod's six as they are:\n{failing}");

    // What each account holds now, read headless (staging answering again).
    fleet.staging.clear_faults();
    let (_, out, err) = fleet.opsdeck(&["status", "--fleet", "--output", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"));
    let desired = |account: &str| {
        report["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["account"] == account && s["address"] == format!("ecs:{API}"))
            .map(|s| s["desired"].as_u64().unwrap())
    };
    assert_eq!(desired("staging"), Some(3), "{report:#}");
    assert_eq!(desired("prod"), Some(2), "{report:#}");
    // The audit record names the account through the address.
    let audit = std::fs::read_to_string(find_audit(fleet.dir.path())).unwrap_or_default();
    assert!(audit.contains(&format!("ecs:staging@us-east-1:{API}")), "{audit}");
}

/// The audit log under the test's HOME (the platform's data directory).
fn find_audit(home: &std::path::Path) -> std::path::PathBuf {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.file_name().is_some_and(|n| n == "audit.jsonl") {
                out.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(home, &mut found);
    found.into_iter().next().unwrap_or_default()
}

#[test]
fn headless_actions_need_the_place_and_a_read_only_profile_refuses_its_account_only() {
    let fleet = Fleet::start(true);
    fleet.clear();
    // No place: which account is meant cannot be guessed; nothing is sent.
    let (code, out, err) = fleet.opsdeck(&["--fleet", "scale", &format!("ecs:{API}"), "3", "--yes"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("ACCOUNT@REGION:NAME"), "{err}");
    // prod's profile is read-only: refused at the action path, exit 3, nothing sent.
    let (code, out, err) = fleet.opsdeck(&["--fleet", "scale", &format!("ecs:prod@us-east-1:{API}"), "3", "--yes"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(format!("{out}{err}").contains("prod@us-east-1 is a read_only profile's account"), "{out}{err}");
    // staging is not: it acts, and only there.
    let (code, out, err) = fleet.opsdeck(&["--fleet", "scale", &format!("ecs:staging@us-east-1:{API}"), "3", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(fleet.updates(), (None, Some(1)), "UpdateService (prod, staging)");
    // An account that is not in [fleet] is named as such.
    let (code, _, err) = fleet.opsdeck(&["--fleet", "scale", &format!("ecs:dev@us-east-1:{API}"), "3", "--yes"]);
    assert_ne!(code, 0);
    assert!(err.contains("dev@us-east-1: not an account and region of [fleet]"), "{err}");
}
