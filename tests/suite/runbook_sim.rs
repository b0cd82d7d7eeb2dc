//! Runbooks and the incident timeline, headless, on the simulated fleet: `runbook check` and
//! `show`, the shipped runbooks run end to end through the CLI's verbs, placeholders filled from
//! the alarm or refused when missing, read-only refusing a mutating step, and the timeline export.

use crate::demo;

use demo::{fleet, Demo};

#[tokio::test]
async fn the_bad_deploy_drill_runs_from_its_alarm_to_ok_and_the_timeline_says_so() {
    let demo = Demo::on(fleet("bad-deploy"), false);
    // The alarm fires about two simulated minutes in.
    let (code, out, err) = demo.run("wait --alarm CleanisticAI-HighErrorRate --state ALARM --timeout 10m").await;
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) =
        demo.run("runbook run high-error-rate-after-deploy --alarm CleanisticAI-HighErrorRate --yes").await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("$ opsdeck logs ecs:cleanistic-ai-cluster/cleanistic-ai-api --since 15m"), "{out}");
    assert!(out.contains("KeyError"), "step 1 shows why the revision fails: {out}");
    assert!(out.contains("$ opsdeck rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to previous"), "{out}");
    assert!(out.contains("task definition: cleanistic-ai-api:15 -> cleanistic-ai-api:14"), "{out}");
    assert!(out.contains("done: CleanisticAI-HighErrorRate is OK"), "{out}");
    let audit = demo.audit();
    let id = audit.lines().find(|l| l.contains("\"action\":\"rollback\"")).and_then(|l| {
        let v: serde_json::Value = serde_json::from_str(l).ok()?;
        v["id"].as_str().map(str::to_string)
    });
    let id = id.expect("the rollback is in the audit log");
    let settled = format!("\"id\":\"{id}\"");
    let settled = audit.lines().filter(|l| l.contains(&settled)).find(|l| l.contains("\"phase\":\"settled\""));
    assert!(settled.is_some_and(|l| l.contains("saw it done")), "step 2's wait line settles it:\n{audit}");

    let (code, doc, err) = demo.run("incident export").await;
    assert_eq!(code, 0, "{err}");
    let order = [
        "CleanisticAI-HighErrorRate is ALARM",
        "step \"1. Read what the newest tasks say\" (exit 0)",
        &format!("step \"2. Roll back to the last revision that completed\" (exit 0; audit {id})"),
        &format!("`rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to 14` (audit {id})"),
        "CleanisticAI-HighErrorRate ALARM -> OK",
    ];
    let at: Vec<usize> = order.iter().map(|s| doc.find(s).unwrap_or_else(|| panic!("{s} missing:\n{doc}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "out of order:\n{doc}");
    assert!(doc.contains("## Commands run and their results"), "{doc}");
    assert!(doc.contains("$ opsdeck wait --alarm CleanisticAI-HighErrorRate --state OK --timeout 15m"), "{doc}");
}

#[tokio::test]
async fn placeholders_must_be_filled_and_read_only_refuses_a_mutating_step() {
    let demo = Demo::new();
    let (code, _, err) = demo.run("runbook run high-error-rate-after-deploy --yes").await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no value for service (step 1)"), "{err}");
    assert!(err.contains("alarm (step 3)"), "{err}");
    assert_eq!(demo.audit(), "", "nothing ran");
    let (code, _, err) = demo.run("runbook run budget-overrun-idle-teardown --step 9").await;
    assert_eq!(code, 2);
    assert!(err.contains("steps 1 to 5"), "{err}");

    let ro = Demo::on(fleet("calm"), true);
    let line = "runbook run high-error-rate-after-deploy --set service=ecs:svg-ai-cluster/svg-ai-service --set alarm=x --step 2 --yes";
    let (code, out, err) = ro.run(line).await;
    assert_eq!(code, 3, "{out}\n{err}");
    assert!(err.contains("read-only"), "{err}");
    assert!(err.contains("the runbook stops here"), "{err}");
    let (_, doc, _) = ro.run("incident export").await;
    assert!(doc.contains("(exit 3)"), "the refused step is on the timeline: {doc}");
}

#[tokio::test]
async fn check_and_show_report_problems_with_file_line_and_column() {
    let demo = Demo::new();
    let (code, out, _) = demo
        .run("runbook check high-error-rate-after-deploy endpoint-latency-spike budget-overrun-idle-teardown")
        .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches(": ok (").count(), 3, "{out}");
    let bad = demo.dir.path().join("bad.md");
    std::fs::write(&bad, "# t\n## 1. x\n```opsdeck\nscale ecs:c/s five\nreboot everything\n```\n").unwrap();
    let path = bad.display().to_string();
    let (code, _, err) = demo.run(&format!("runbook check {path}")).await;
    assert_eq!(code, 2);
    assert!(err.contains(&format!("{path}:4:15: error: count 'five' is not a whole number")), "{err}");
    assert!(err.contains(&format!("{path}:5:1: error: unrecognized subcommand 'reboot'")), "{err}");
    let (code, out, _) = demo.run("runbook show endpoint-latency-spike").await;
    assert_eq!(code, 0);
    assert!(out.contains("## 3. Add capacity") && out.contains("$ scale {{endpoint}}/{{variant}} 4"), "{out}");
}

#[tokio::test]
async fn incidents_start_take_notes_end_and_export_to_a_file() {
    let demo = Demo::new();
    assert_eq!(demo.run("incident start db-latency").await.0, 0);
    assert_eq!(demo.run("incident start other").await.0, 2, "one at a time");
    assert_eq!(demo.run("incident note connection pool | exhausted").await.0, 0);
    assert_eq!(demo.run("incident end").await.0, 0);
    let file = demo.dir.path().join("pm.md");
    let (code, out, err) = demo.run(&format!("incident export db-latency --to {}", file.display())).await;
    assert_eq!(code, 0, "{out}{err}");
    let doc = std::fs::read_to_string(&file).unwrap();
    assert!(doc.starts_with("# Incident db-latency"), "{doc}");
    assert!(doc.contains("connection pool \\| exhausted"), "{doc}");
    assert!(doc.contains("- **Closed:**"), "{doc}");
    let (_, list, _) = demo.run("incident list").await;
    assert!(list.contains("db-latency") && list.contains("closed"), "{list}");
}
