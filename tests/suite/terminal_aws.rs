//! The real binary against the emulated account in a real terminal: one slow API and one denied
//! API never freeze the screen or blank the other panes.

use crate::emulator;

use emulator::Emulator;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux").args(["-L", socket]).args(args).output().expect("tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(socket: &str, what: impl Fn(&str) -> bool, timeout: Duration) -> (String, Duration) {
    let started = Instant::now();
    loop {
        let screen = tmux(socket, &["capture-pane", "-p", "-t", "t"]);
        if what(&screen) || started.elapsed() > timeout {
            return (screen, started.elapsed());
        }
        sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_hanging_api_and_a_denied_one_leave_the_console_responsive() {
    let emu = Emulator::start();
    emu.seed();
    emu.fault(r#"{"operation": "ListClusters", "delay_ms": 20000, "times": 100}"#);
    emu.fault(r#"{"operation": "DescribeAlarms", "status": 400, "body": {"__type": "AccessDenied", "message": "not authorized"}, "times": 100}"#);
    let socket = format!("opsdeck-aws-{}", std::process::id());
    let config = tempfile::tempdir().unwrap();
    let cmd = format!(
        "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_CONFIG_FILE=/dev/null \
         AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true OPSDECK_CONFIG_DIR={} \
         {} --region us-east-1 --endpoint-url {}",
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

    // Endpoints arrive although services hang; the denied API is named in its own pane.
    let (screen, _) = wait_for(
        &socket,
        |s| s.contains("prediction-endpoint") && s.contains("cloudwatch:DescribeAlarms"),
        Duration::from_secs(15),
    );
    assert!(screen.contains("prediction-endpoint"), "endpoints blanked by a hanging API:\n{screen}");
    assert!(screen.contains("access denied: cloudwatch:DescribeAlarms"), "{screen}");
    assert!(screen.contains("default @ us-east-1"), "status bar should name profile and region:\n{screen}");
    // Keys answer at once while ListClusters is still hanging.
    tmux(&socket, &["send-keys", "-t", "t", "?"]);
    let (help, took) = wait_for(&socket, |s| s.contains("show this help"), Duration::from_secs(5));
    assert!(help.contains("show this help"), "help did not open:\n{help}");
    assert!(took < Duration::from_secs(2), "a key took {took:?} while an API hung");
    tmux(&socket, &["send-keys", "-t", "t", "Escape", ":", "q", "Enter"]);
    let (_, _) = wait_for(&socket, |s| !s.contains("SageMaker endpoints"), Duration::from_secs(5));
    let _ = Command::new("tmux").args(["-L", &socket, "kill-server"]).status();
}
