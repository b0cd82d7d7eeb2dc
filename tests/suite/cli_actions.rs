//! The headless verbs of the real binary on the simulated fleet: exit codes, plans, refusals,
//! `--wait`, the audit log, undo, completions and the man page.

use std::process::{Command, Output};

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Run {
        Run { dir: tempfile::tempdir().expect("tempdir") }
    }

    fn opsdeck(&self, args: &[&str]) -> Output {
        self.opsdeck_stdin(args, None)
    }

    fn opsdeck_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .args(["--demo", "--seed", "7", "--config-dir"])
            .arg(self.dir.path())
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run opsdeck");
        if let Some(text) = stdin {
            child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write stdin");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("wait")
    }

    fn audit(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("data/audit-demo.jsonl")).unwrap_or_default()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn bad_input_is_exit_2_with_a_clear_message_and_nothing_recorded() {
    let run = Run::new();
    let payload_dir = tempfile::tempdir().expect("tempdir");
    let empty = payload_dir.path().join("empty.json");
    std::fs::write(&empty, "").expect("write");
    let big = payload_dir.path().join("big.bin");
    std::fs::write(&big, vec![b'x'; 6 * 1024 * 1024 + 1]).expect("write");
    let (empty, big) = (empty.display().to_string(), big.display().to_string());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["scale", "ecs:svg-ai-cluster/svg-ai-service", "-1"], "negative"),
        (vec!["scale", "ecs:svg-ai-cluster/svg-ai-service", "lots"], "not a whole number"),
        (vec!["scale", "ecs:svg-ai-cluster/svg-ai-service", "100000"], "ceiling"),
        (vec!["scale", "svg-ai-service", "3"], "not an address"),
        (vec!["scale", "ecs:svg-ai-cluster", "3"], "not an address"),
        (vec!["rollback", "ecs:cleanistic-ai-cluster/cleanistic-ai-api", "--to", "fourteen"], "not a revision"),
        (vec!["rollback", "sm:prediction-endpoint"], "needs an ECS service"),
        (vec!["invoke", "sm:prediction-endpoint", "--payload", "/nonexistent/x.json"], "No such file"),
        (vec!["invoke", "sm:prediction-endpoint", "--payload", &empty], "is empty"),
        (vec!["invoke", "sm:prediction-endpoint", "--payload", &big], "at most 6 MB"),
        (vec!["wait", "ecs:c/s", "--timeout", "soon"], "not a duration"),
    ];
    for (args, needle) in cases {
        let out = run.opsdeck(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(needle), "{args:?}: {}", text(&out.stderr));
    }
    assert_eq!(run.audit(), "", "bad input never reaches the audit log");
}

#[test]
fn read_only_prints_the_plan_and_refuses_with_exit_3() {
    let run = Run::new();
    let out = run.opsdeck(&["--read-only", "scale", "ecs:svg-ai-cluster/svg-ai-service", "3", "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("desired: 2 -> 3"), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("read-only mode"), "{}", text(&out.stderr));
    assert_eq!(run.audit(), "");
}

#[test]
fn with_no_terminal_and_no_yes_an_action_is_refused() {
    let run = Run::new();
    let out = run.opsdeck(&["redeploy", "ecs:svg-ai-cluster/svg-ai-service"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("pass --yes"), "{}", text(&out.stderr));
    assert_eq!(run.audit(), "");
}

#[test]
fn scale_with_wait_settles_is_audited_and_undo_puts_it_back() {
    let run = Run::new();
    let out = run.opsdeck(&[
        "--speed",
        "60",
        "scale",
        "ecs:svg-ai-cluster/svg-ai-service",
        "3",
        "--yes",
        "--wait",
        "--timeout",
        "10m",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("applied (audit "), "{stdout}");
    assert!(stdout.contains("done: 3/3 running"), "{stdout}");
    let audit = run.audit();
    for phase in ["started", "finished", "settled"] {
        assert!(audit.contains(&format!("\"phase\":\"{phase}\"")), "{phase}: {audit}");
    }
    // Every audit record is one JSON object.
    for line in audit.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(v["resource"], "ecs:svg-ai-cluster/svg-ai-service");
    }
    let out = run.opsdeck(&["audit", "--output", "json"]);
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).expect("audit json");
    assert_eq!(entries.as_array().map(Vec::len), Some(1));
    assert_eq!(entries[0]["inverse"], "scale ecs:svg-ai-cluster/svg-ai-service 2");
    // A fresh demo process starts from the seed fleet, so the inverse plans "2 -> 2": nothing to
    // change. What matters here is that undo found the inverse and ran it through the same path.
    let out = run.opsdeck(&["undo", "--yes"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("undo ") && stdout.contains("opsdeck scale ecs:svg-ai-cluster/svg-ai-service 2"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", text(&out.stderr));
}

#[test]
fn a_destructive_change_asks_for_the_name_on_a_terminal_prompt() {
    // stdin is a pipe here, so without --yes it refuses; with --yes a script may scale to 0.
    let run = Run::new();
    let out =
        run.opsdeck_stdin(&["scale", "ecs:prediction-app-cluster/ml-model-service", "0"], Some("ml-model-service\n"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let out = run.opsdeck(&["scale", "ecs:prediction-app-cluster/ml-model-service", "0", "--yes", "--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["plan"]["destructive"], true);
    assert_eq!(v["outcome"], "succeeded");
}

#[test]
fn completions_and_man_come_from_the_same_definitions() {
    let run = Run::new();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck")).args(["completions", "bash"]).output().expect("run");
    assert!(out.status.success());
    let script = text(&out.stdout);
    for verb in ["scale", "rollback", "invoke", "revisions", "undo"] {
        assert!(script.contains(verb), "{verb} missing from completions");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck")).arg("man").output().expect("run");
    assert!(text(&out.stdout).starts_with(".ie"), "roff expected");
    assert!(text(&out.stdout).contains("rollback"));
    let _ = run;
}

#[test]
fn an_unknown_profile_is_exit_2_before_anything_is_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("aws-config"), "[profile oncall]\nregion = us-east-1\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["--profile", "prdo", "--config-dir"])
        .arg(dir.path())
        .args(["scale", "ecs:svg-ai-cluster/svg-ai-service", "3", "--yes"])
        .env("AWS_CONFIG_FILE", dir.path().join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        // Nothing may be sent: an endpoint nobody listens on would hang or fail differently.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("unknown AWS profile 'prdo'") && text(&out.stderr).contains("oncall"),
        "{}",
        text(&out.stderr)
    );
}
