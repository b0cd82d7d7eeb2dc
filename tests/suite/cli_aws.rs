//! The real binary's verbs against the emulated account (moto through the real SDK): read-only
//! and bad input send no mutating request at all (counted at the bridge), and a confirmed action
//! sends exactly its one call and is audited.

use crate::emulator;

use emulator::Emulator;
use std::process::Output;

const MUTATING: [&str; 6] = [
    "ecs:UpdateService",
    "ecs:StopServiceDeployment",
    "sagemaker:UpdateEndpointWeightsAndCapacities",
    "application-autoscaling:RegisterScalableTarget",
    "runtime.sagemaker:InvokeEndpoint",
    "sagemaker:InvokeEndpoint",
];

fn opsdeck(emu: &Emulator, dir: &std::path::Path, args: &[&str]) -> Output {
    crate::account::command(&emu.endpoint, dir, args).output().expect("run opsdeck")
}

fn mutating_calls(emu: &Emulator) -> Vec<(String, u64)> {
    emu.calls()
        .into_iter()
        .filter(|(op, _)| MUTATING.iter().any(|m| op.ends_with(m.split(':').nth(1).unwrap_or(m))))
        .collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn read_only_and_bad_input_send_no_mutating_request() {
    let emu = Emulator::start();
    emu.seed();
    let dir = tempfile::tempdir().unwrap();
    let payload = dir.path().join("payload.json");
    std::fs::write(&payload, r#"{"instances":[[1,2,3]]}"#).unwrap();
    let payload = payload.display().to_string();
    emu.clear_calls();
    let refused: Vec<Vec<&str>> = vec![
        vec!["--read-only", "scale", "ecs:svg-ai-cluster/svg-ai-service", "3", "--yes"],
        vec!["--read-only", "scale", "sm:prediction-endpoint/model-v1", "2", "--yes"],
        vec!["--read-only", "redeploy", "ecs:svg-ai-cluster/svg-ai-service", "--yes"],
        vec!["--read-only", "rollback", "ecs:cleanistic-ai-cluster/cleanistic-ai-api", "--yes"],
        vec!["--read-only", "invoke", "sm:prediction-endpoint", "--payload", &payload, "--yes"],
    ];
    for args in &refused {
        let out = opsdeck(&emu, dir.path(), args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}\n{}", text(&out.stdout), text(&out.stderr));
        assert!(text(&out.stderr).contains("read-only mode"), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stdout).starts_with("plan: "), "the plan is still shown: {}", text(&out.stdout));
    }
    let bad: Vec<Vec<&str>> = vec![
        vec!["scale", "ecs:svg-ai-cluster/svg-ai-service", "-2", "--yes"],
        vec!["scale", "ecs:cleanistic-ai-cluster/cleanistic-ai-api", "50", "--yes"],
        vec!["rollback", "ecs:cleanistic-ai-cluster/cleanistic-ai-api", "--to", "99", "--yes"],
        vec!["scale", "ecs:no-such-cluster/nothing", "2", "--yes"],
        vec!["invoke", "sm:prediction-endpoint", "--payload", "/nonexistent.json", "--yes"],
    ];
    for args in &bad {
        let out = opsdeck(&emu, dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}\n{}", text(&out.stdout), text(&out.stderr));
    }
    assert_eq!(mutating_calls(&emu), vec![], "all calls: {:?}", emu.calls());
    assert!(!dir.path().join("data/audit.jsonl").exists(), "nothing refused is audited");
}

#[test]
fn a_confirmed_scale_sends_one_update_and_is_audited() {
    let emu = Emulator::start();
    emu.seed();
    let dir = tempfile::tempdir().unwrap();
    emu.clear_calls();
    let out =
        opsdeck(&emu, dir.path(), &["scale", "ecs:svg-ai-cluster/svg-ai-service", "3", "--yes", "--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["outcome"], "succeeded");
    assert_eq!(v["plan"]["changes"][0]["after"], "3");
    assert_eq!(emu.calls().get("ecs:UpdateService"), Some(&1), "{:?}", emu.calls());
    let audit = std::fs::read_to_string(dir.path().join("data/audit.jsonl")).expect("audit log");
    assert_eq!(audit.lines().count(), 2, "{audit}");
    assert!(audit.contains("arn:aws:sts::123456789012"), "the caller ARN from STS: {audit}");
    // With no terminal and no --yes, the same command is refused.
    let out = opsdeck(&emu, dir.path(), &["scale", "ecs:svg-ai-cluster/svg-ai-service", "4"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(emu.calls().get("ecs:UpdateService"), Some(&1));
}
