//! The Lambda and model verbs of the real binary on the simulated fleet: `show` for a function,
//! an endpoint and a service (text and JSON), `concurrency` (plan, confirm, audit, undo, the
//! refusal at read-only), `invoke lambda:` with the demo's test event and a bad one, and
//! `status --output json` with its functions.

use std::process::{Command, Output};

const TRYON: &str = "lambda:GarmaxAi-TryonProcessor-PROD";

fn opsdeck(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["--demo", "--seed", "7", "--config-dir"])
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run opsdeck")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn show_prints_a_function_an_endpoint_with_its_model_and_a_service() {
    let dir = tempfile::tempdir().unwrap();
    let out = opsdeck(dir.path(), &["show", TRYON]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("reserved    10"), "{stdout}");
    assert!(stdout.contains("fed by      garmax-tryon-queue"), "{stdout}");
    assert!(stdout.contains("(names only)"), "{stdout}");

    let out = opsdeck(dir.path(), &["show", TRYON, "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["function"]["function"]["reserved_concurrency"], 10);
    assert!(doc["metrics"]["invocations_per_min"].is_number(), "{doc}");

    let out = opsdeck(dir.path(), &["--scenario", "model-drift", "show", "sm:prediction-endpoint", "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["drift"], true, "{doc}");
    let container = &doc["models"]["variants"][0]["containers"][0];
    assert_eq!(container["package"]["group"], "prediction-models");
    assert_eq!(container["package"]["version"], 3);
    assert!(container["newer_approved"]["version"].as_u64().unwrap() > 3, "{container}");
    let out = opsdeck(dir.path(), &["show", "sm:prediction-endpoint"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("package   prediction-models v3 (Approved)"), "{stdout}");
    assert!(stdout.contains("is approved and not deployed"), "{stdout}");
    assert!(!stdout.contains("DRIFT"), "no drift outside model-drift: {stdout}");

    let out = opsdeck(dir.path(), &["show", "ecs:svg-ai-cluster/svg-ai-service"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("tasks       running"), "{}", text(&out.stdout));

    for (args, code, says) in [
        (vec!["show", "lambda:NoSuchFunction"], 2, "not found"),
        (vec!["show", "rule:garmaxai-warmup-PROD"], 2, "not rule:"),
        (vec!["show", "nonsense"], 2, "address"),
    ] {
        let out = opsdeck(dir.path(), &args);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(says) || stderr.contains("not "), "{args:?}: {stderr}");
    }
}

#[test]
fn concurrency_is_planned_confirmed_audited_undone_and_refused_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = opsdeck(dir.path(), &["--read-only", "concurrency", TRYON, "0", "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let plan = text(&out.stdout);
    assert!(plan.contains("reserved concurrency") && plan.contains("10") && plan.contains("0"), "{plan}");

    // Without --yes and with no terminal to ask on, nothing happens.
    let out = opsdeck(dir.path(), &["concurrency", TRYON, "30"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));

    let out = opsdeck(dir.path(), &["concurrency", TRYON, "30", "--yes", "--wait"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("done"), "{stdout}");
    let audit = std::fs::read_to_string(dir.path().join("data/audit-demo.jsonl")).unwrap();
    assert!(audit.contains("concurrency lambda:GarmaxAi-TryonProcessor-PROD 30"), "{audit}");
    assert!(audit.contains("concurrency lambda:GarmaxAi-TryonProcessor-PROD 10"), "the undo is recorded: {audit}");

    for (args, says) in [
        (vec!["concurrency", TRYON, "-1", "--yes"], "negative"),
        (vec!["concurrency", TRYON, "lots", "--yes"], "none"),
        (vec!["concurrency", "ecs:svg-ai-cluster/svg-ai-service", "3", "--yes"], "lambda:"),
    ] {
        let out = opsdeck(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stdout));
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
    }
}

#[test]
fn invoke_sends_the_configured_test_event_and_reports_a_function_error_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let out = opsdeck(dir.path(), &["invoke", TRYON, "--yes"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("HTTP 200"), "{stdout}");
    assert!(stdout.contains("version"), "the executed version is said: {stdout}");

    let events = tempfile::tempdir().unwrap();
    let failing = events.path().join("fail.json");
    std::fs::write(&failing, r#"{"fail": true}"#).unwrap();
    let out = opsdeck(dir.path(), &["invoke", TRYON, "--payload", failing.to_str().unwrap(), "--yes"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("FUNCTION ERROR"), "{stdout}{}", text(&out.stderr));

    let not_json = events.path().join("bad.json");
    std::fs::write(&not_json, "not json").unwrap();
    let out = opsdeck(dir.path(), &["invoke", TRYON, "--payload", not_json.to_str().unwrap(), "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not JSON"), "{}", text(&out.stderr));

    // A bad [lambda.NAME] in config.toml stops opsdeck before anything runs.
    std::fs::write(dir.path().join("config.toml"), "[lambda.\"bad name\"]\nevent = '{}'\n").unwrap();
    let out = opsdeck(dir.path(), &["invoke", TRYON, "--yes"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("[lambda.bad name]"), "{}", text(&out.stderr));
}

#[test]
fn status_json_lists_the_functions_and_the_filter_keeps_only_matching_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = opsdeck(dir.path(), &["--scenario", "lambda-throttle", "status", "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let functions = doc["functions"].as_array().expect("functions");
    assert_eq!(functions.len(), 3, "{doc}");
    let tryon = functions.iter().find(|f| f["address"] == TRYON).unwrap();
    assert_eq!(tryon["reserved_concurrency"], 10);
    assert_eq!(tryon["queues"][0], "garmax-tryon-queue");

    std::fs::write(dir.path().join("config.toml"), "[functions]\nprefixes = [\"GarmaxAi-Tryon\"]\n").unwrap();
    let out = opsdeck(dir.path(), &["status", "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["functions"].as_array().map(Vec::len), Some(1), "{doc}");
    std::fs::write(dir.path().join("config.toml"), "[functions]\nprefixes = [\"\"]\n").unwrap();
    let out = opsdeck(dir.path(), &["status"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("empty prefix"), "{}", text(&out.stderr));
}
