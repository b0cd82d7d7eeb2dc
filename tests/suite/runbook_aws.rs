//! The shipped runbooks run headless through the real binary against an emulated account (moto
//! behind tests/support/cw_bridge.py), their effects read back through the SDK: the AWS twin of
//! tests/suite/runbook_sim.rs. Also the alarms' `runbook_url` tags, read with ListTagsForResource.
//!
//! moto never evaluates an alarm: where a runbook waits for one (`wait --alarm NAME --state OK`),
//! the test starts the run, waits until its output shows the wait has read the alarm in ALARM,
//! and then changes the alarm with CloudWatch's SetAlarmState (boto3, as an evaluation would).
//! The binary polls the alarms every 10 s on AWS, so each such wait costs about that.
//!
//! Where else moto is not AWS, the test says so:
//! - moto keeps a deregistered target's scaling policies: the budget test deletes them as AWS
//!   would before comparing (`drop_orphaned_policies`);
//! - a count-only UpdateEndpointWeightsAndCapacities drops the variant's weight in moto, so the
//!   latency test checks instance counts, not weights;
//! - SageMaker never writes an endpoint's log group in moto: the fixtures create it;
//! - ListTagsForResource on an unknown ARN answers no tags (AWS: ResourceNotFoundException).
//!
//! Every test has its own emulator (they mutate or count calls). See tests/suite/env_aws.rs for what
//! moto does unlike AWS in the calls an environment's teardown and restore make.

use crate::account;
use crate::emulator;

use account::{drop_orphaned_policies, garmax_config, Account, Run, GARMAX};
use emulator::Emulator;
use opsdeck::audit::Phase;
use opsdeck::backend::Backend;
use opsdeck::domain::{Address, Snapshot};
use opsdeck::ops::env::EnvStatus;
use opsdeck::ops::AuditRecord;
use serde_json::json;
use std::io::Read;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const API: &str = "ecs:cleanistic-ai-cluster/cleanistic-ai-api";
const HIGH_ERRORS: &str = "CleanisticAI-HighErrorRate";
const LATENCY: &str = "prediction-endpoint-latency";
const ENV: &str = "garmax";
/// How long a run may take to reach a point it is waited at (a cold binary on a busy machine).
const REACH: Duration = Duration::from_secs(90);

/// The binary running in the background, its output collected as it comes.
struct Running {
    child: Child,
    out: Arc<Mutex<String>>,
    err: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

fn collect(mut from: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    })
}

impl Running {
    fn start(acct: &Account, args: &[&str]) -> Running {
        let mut child =
            acct.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn opsdeck");
        let out = Arc::new(Mutex::new(String::new()));
        let err = Arc::new(Mutex::new(String::new()));
        let readers = vec![
            collect(child.stdout.take().expect("stdout"), out.clone()),
            collect(child.stderr.take().expect("stderr"), err.clone()),
        ];
        Running { child, out, err, readers }
    }

    fn show(&self) -> String {
        format!("--- stdout ---\n{}\n--- stderr ---\n{}", self.out.lock().unwrap(), self.err.lock().unwrap())
    }

    /// Waits until the output, from `after` on, holds `needle`; panics if the run ends first.
    fn wait_for(&mut self, after: &str, needle: &str) {
        let began = Instant::now();
        loop {
            {
                let out = self.out.lock().unwrap();
                if out.find(after).is_some_and(|at| out[at..].contains(needle)) {
                    return;
                }
            }
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                std::thread::sleep(Duration::from_millis(100));
                panic!("opsdeck ended ({status}) before {needle:?} after {after:?}:\n{}", self.show());
            }
            assert!(began.elapsed() < REACH, "{needle:?} after {after:?} never came:\n{}", self.show());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the run to end (within `REACH`).
    fn finish(mut self) -> Run {
        let began = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if began.elapsed() > REACH {
                let _ = self.child.kill();
                panic!("opsdeck did not end:\n{}", self.show());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        for r in self.readers.drain(..) {
            r.join().expect("reader");
        }
        let out = self.out.lock().unwrap().clone();
        let err = self.err.lock().unwrap().clone();
        Run { code: status.code(), out, err }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn audit(acct: &Account) -> Vec<AuditRecord> {
    let text = std::fs::read_to_string(acct.dir.path().join("data/audit.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

/// The records of each action of `verb`, by audit id, in the order they started.
fn actions(records: &[AuditRecord], verb: &str) -> Vec<(String, Vec<AuditRecord>)> {
    let mut out: Vec<(String, Vec<AuditRecord>)> = Vec::new();
    for r in records.iter().filter(|r| r.action == verb) {
        match out.iter_mut().find(|(id, _)| *id == r.id) {
            Some((_, mine)) => mine.push(r.clone()),
            None => out.push((r.id.clone(), vec![r.clone()])),
        }
    }
    out
}

fn phases(records: &[AuditRecord]) -> Vec<Phase> {
    records.iter().map(|r| r.phase).collect()
}

/// Asserts each of `order` is in `doc`, one after the other.
fn assert_in_order(doc: &str, order: &[&str]) {
    let mut from = 0;
    for s in order {
        match doc[from..].find(s) {
            Some(at) => from += at + s.len(),
            None => panic!("{s:?} missing after byte {from} (or out of order):\n{doc}"),
        }
    }
}

async fn task_definition(acct: &Account) -> String {
    match acct.snapshot(API).await {
        Some(Snapshot::Service(s)) => s.service.task_definition.to_string(),
        other => panic!("{API}: {other:?}"),
    }
}

/// Each variant of prediction-endpoint: (name, desired instances).
async fn variants(acct: &Account) -> Vec<(String, u32)> {
    match acct.snapshot("sm:prediction-endpoint").await {
        Some(Snapshot::Endpoint(e)) => {
            e.endpoint.variants.iter().map(|v| (v.name.clone(), v.desired_instances)).collect()
        }
        other => panic!("sm:prediction-endpoint: {other:?}"),
    }
}

async fn alarm_state(acct: &Account, name: &str) -> String {
    let alarms = acct.aws.alarms().await.expect("alarms");
    alarms.iter().find(|a| a.name == name).map(|a| a.state.as_str().to_string()).expect("the alarm")
}

#[tokio::test]
async fn high_error_rate_after_deploy_rolls_back_waits_for_the_alarm_and_the_timeline_says_so() {
    let acct = Account::seeded("").await;
    assert_eq!(task_definition(&acct).await, "cleanistic-ai-api:3");
    assert_eq!(alarm_state(&acct, HIGH_ERRORS).await, "ALARM", "the fixture seeds it firing");

    let (service, alarm) = (format!("service={API}"), format!("alarm={HIGH_ERRORS}"));
    let mut run = Running::start(
        &acct,
        &["runbook", "run", "high-error-rate-after-deploy", "--set", &service, "--set", &alarm, "--yes"],
    );
    let wait = format!("$ opsdeck wait --alarm {HIGH_ERRORS} --state OK --timeout 15m");
    run.wait_for(&wait, &format!("{HIGH_ERRORS} is ALARM"));
    // Step 3 is waiting: the roll back is done and settled by now.
    assert_eq!(task_definition(&acct).await, "cleanistic-ai-api:2", "rolled back while the alarm is waited for");
    acct.emu.set_alarm_state(HIGH_ERRORS, "OK", "Threshold Crossed: 3 datapoints were not greater than 5.0.");
    let run = run.finish();
    assert_eq!(run.code, Some(0), "{}", run.show());

    for line in [
        format!("$ opsdeck logs {API} --since 15m --filter \"Traceback|KeyError|ERROR|exception\""),
        "ERROR Inference failed: CUDA out of memory".to_string(),
        format!("$ opsdeck rollback {API} --to previous"),
        "task definition: cleanistic-ai-api:3 -> cleanistic-ai-api:2".to_string(),
        format!("$ opsdeck wait {API} --timeout 10m"),
        wait.clone(),
        format!("{HIGH_ERRORS} is OK"),
        format!("done: {HIGH_ERRORS} is OK"),
    ] {
        assert!(run.out.contains(&line), "{line:?} missing:\n{}", run.show());
    }
    assert_eq!(task_definition(&acct).await, "cleanistic-ai-api:2");
    assert_eq!(alarm_state(&acct, HIGH_ERRORS).await, "OK");

    // The audit log has the roll back from its start to its end.
    let records = audit(&acct);
    let rollbacks = actions(&records, "rollback");
    assert_eq!(rollbacks.len(), 1, "{records:?}");
    let (id, rollback) = &rollbacks[0];
    assert_eq!(phases(rollback), [Phase::Started, Phase::Finished, Phase::Settled], "{rollback:?}");
    assert_eq!(rollback[0].command, format!("rollback {API} --to 2"), "resolved from `previous`");
    assert_eq!(rollback[1].outcome, "succeeded");
    assert_eq!(rollback[2].outcome, format!("settled: `wait {API}` saw it done"), "step 2's wait line saw it settle");
    assert_eq!(rollback[1].inverse.as_deref(), Some(format!("rollback {API} --to 3").as_str()));
    assert_eq!(records.len(), 3, "nothing else changed: {records:?}");

    let doc = acct.ok(&["incident", "export"]).out;
    let rb = "high-error-rate-after-deploy.md";
    assert_in_order(
        &doc,
        &[
            "# Incident ",
            "## Timeline (UTC)",
            &format!("{rb} step \"1. Read what the newest tasks say\" (exit 0)"),
            &format!("{rb} step \"2. Roll back to the last revision that completed\" (exit 0; audit {id})"),
            &format!("`rollback {API} --to 2` (audit {id}): settled"),
            &format!("{rb} step \"3. Wait for the alarm to clear\" (exit 0)"),
            &format!("{HIGH_ERRORS} ALARM -> OK: Threshold Crossed: 3 datapoints were not greater than 5.0."),
            "## Commands run and their results",
            &wait,
        ],
    );
    assert!(!doc.contains("step \"4."), "step 4 has no commands: nothing to record\n{doc}");
}

#[tokio::test]
async fn endpoint_latency_spike_from_its_alarm_scales_out_invokes_once_and_gives_the_capacity_back() {
    let config = r#"
[invoke."sm:prediction-endpoint"]
payload = '{"instances": [[34.2, 1, 0, 7.5, 112.0, 3]]}'
content_type = "application/json"
"#;
    let acct = Account::seeded(config).await;
    let canned = json!({"region": "us-east-1", "results": [{"Body": "{\"predictions\": [0.93]}",
        "ContentType": "application/json", "InvokedProductionVariant": "model-v1", "CustomAttributes": ""}]});
    acct.emu.post_json("/moto-api/static/sagemaker/endpoint-results", &canned.to_string());
    // The page: model latency over the threshold.
    acct.emu.set_alarm_state(LATENCY, "ALARM", "Threshold Crossed: 3 datapoints were greater than 500000.0.");
    assert_eq!(variants(&acct).await, [("model-v1".to_string(), 1), ("model-v2".to_string(), 1)]);
    acct.emu.clear_calls();

    // Opened from the alarm: its dimensions give the endpoint and the variant.
    let mut run = Running::start(&acct, &["runbook", "run", "endpoint-latency-spike", "--alarm", LATENCY, "--yes"]);
    let wait = format!("$ opsdeck wait --alarm {LATENCY} --state OK --timeout 15m");
    run.wait_for(&wait, &format!("{LATENCY} is ALARM"));
    assert_eq!(
        variants(&acct).await,
        [("model-v1".to_string(), 4), ("model-v2".to_string(), 1)],
        "step 3 doubled (and more) the variant the alarm watches, and only it"
    );
    acct.emu.set_alarm_state(LATENCY, "OK", "Threshold Crossed: 3 datapoints were not greater than 500000.0.");
    let run = run.finish();
    assert_eq!(run.code, Some(0), "{}", run.show());

    for line in [
        "$ opsdeck logs sm:prediction-endpoint --since 15m".to_string(),
        "$ opsdeck invoke sm:prediction-endpoint".to_string(),
        "HTTP 200".to_string(),
        "variant  model-v1".to_string(),
        "\"predictions\": [\n    0.93\n  ]".to_string(),
        "$ opsdeck scale sm:prediction-endpoint/model-v1 4".to_string(),
        "$ opsdeck wait sm:prediction-endpoint --timeout 15m".to_string(),
        wait.clone(),
        format!("done: {LATENCY} is OK"),
        "$ opsdeck scale sm:prediction-endpoint/model-v1 2".to_string(),
    ] {
        assert!(run.out.contains(&line), "{line:?} missing:\n{}", run.show());
    }
    assert_eq!(variants(&acct).await, [("model-v1".to_string(), 2), ("model-v2".to_string(), 1)], "step 5");
    assert_eq!(acct.calls("sagemaker:InvokeEndpoint"), 1, "one test inference: {:?}", acct.emu.calls());
    assert_eq!(acct.calls("sagemaker:UpdateEndpointWeightsAndCapacities"), 2, "{:?}", acct.emu.calls());

    let records = audit(&acct);
    let scales = actions(&records, "scale");
    let commands: Vec<&str> = scales.iter().map(|(_, r)| r[0].command.as_str()).collect();
    assert_eq!(commands, ["scale sm:prediction-endpoint/model-v1 4", "scale sm:prediction-endpoint/model-v1 2"]);
    assert_eq!(phases(&scales[0].1), [Phase::Started, Phase::Finished, Phase::Settled], "step 3 waits for it");
    assert_eq!(phases(&scales[1].1), [Phase::Started, Phase::Finished], "step 5 has no wait line");
    let invokes = actions(&records, "invoke");
    assert_eq!(invokes.len(), 1, "{records:?}");

    let doc = acct.ok(&["incident", "export"]).out;
    let rb = "endpoint-latency-spike.md";
    assert_in_order(
        &doc,
        &[
            "## Timeline (UTC)",
            &format!("{LATENCY} is ALARM: Threshold Crossed: 3 datapoints were greater than 500000.0."),
            &format!("{rb} step \"1. Read the endpoint's logs\" (exit 0)"),
            &format!("{rb} step \"2. Time one request yourself\" (exit 0; audit {})", invokes[0].0),
            &format!("{rb} step \"3. Add capacity\" (exit 0; audit {})", scales[0].0),
            &format!("{rb} step \"4. Wait for the alarm to clear\" (exit 0)"),
            &format!("{LATENCY} ALARM -> OK"),
            &format!("{rb} step \"5. Give the capacity back when it is over\" (exit 0; audit {})", scales[1].0),
        ],
    );
}

#[tokio::test]
async fn budget_overrun_tears_the_environment_down_and_brings_it_back_exactly() {
    let acct = Account::seeded(&garmax_config(ENV)).await;
    let before = acct.state(&GARMAX).await;
    acct.emu.clear_calls();
    let run = acct.opsdeck(&[
        "runbook",
        "run",
        "budget-overrun-idle-teardown",
        "--set",
        &format!("environment={ENV}"),
        "--yes",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.show());
    for line in [
        "$ opsdeck env list".to_string(),
        format!("$ opsdeck env show {ENV}"),
        format!("$ opsdeck teardown {ENV} --dry-run"),
        "dry run: nothing was changed".to_string(),
        format!("$ opsdeck teardown {ENV}"),
        format!("$ opsdeck restore {ENV}"),
    ] {
        assert!(run.out.contains(&line), "{line:?} missing:\n{}", run.show());
    }

    // Torn down for real (the endpoint deleted), then brought back (recreated): once each.
    let calls = acct.emu.calls();
    let count = |op: &str| calls.get(op).copied().unwrap_or(0);
    assert_eq!((count("sagemaker:DeleteEndpoint"), count("sagemaker:CreateEndpoint")), (1, 1), "{calls:?}");
    assert_eq!(count("events:DisableRule"), 2, "{calls:?}");

    let records = audit(&acct);
    let teardowns = actions(&records, "teardown");
    let restores = actions(&records, "restore");
    assert_eq!((teardowns.len(), restores.len()), (1, 1), "the dry run is not an action: {records:?}");

    // Step 5 has no --wait (a restore is for the morning): it goes as far as it can without
    // waiting, and says how to finish. All is back but model-v1's autoscaling, the second stage.
    assert_eq!(acct.pointer(ENV).await.expect("a pointer").status, EnvStatus::Restoring, "{}", run.show());
    let hint = format!("not finished: autoscaling waits for this stage to settle; run `opsdeck restore {ENV} --wait`");
    assert!(run.out.contains(&hint), "{}", run.show());
    // moto keeps a deregistered target's policies; AWS drops them with the target.
    assert_eq!(drop_orphaned_policies(&acct.emu), 1);
    let mut first_stage = before.clone();
    for r in &mut first_stage {
        if let Some(Snapshot::Endpoint(e)) = &mut r.snapshot {
            e.scaling.clear();
            r.policies.values_mut().for_each(Vec::clear);
        }
    }
    assert_eq!(acct.state(&GARMAX).await, first_stage, "{}", run.show());

    acct.emu.clear_calls();
    let finish = acct.ok(&["restore", ENV, "--yes", "--wait"]);
    assert_eq!(acct.state(&GARMAX).await, before, "exactly as before: {}", finish.show());
    assert_eq!(acct.calls("application-autoscaling:PutScalingPolicy"), 1, "{:?}", acct.emu.calls());
    assert_eq!(acct.calls("sagemaker:CreateEndpoint"), 0, "the runbook's restore recreated it");
    assert_eq!(acct.pointer(ENV).await.expect("a pointer").status, EnvStatus::Restored);

    let doc = acct.ok(&["incident", "export"]).out;
    let rb = "budget-overrun-idle-teardown.md";
    assert_in_order(
        &doc,
        &[
            "## Timeline (UTC)",
            &format!("{rb} step \"1. See where the money goes\" (exit 0)"),
            &format!("{rb} step \"2. Look at the environment\" (exit 0)"),
            &format!("{rb} step \"3. Read the plan without changing anything\" (exit 0)"),
            &format!("{rb} step \"4. Tear it down\" (exit 0; audit {})", teardowns[0].0),
            &format!("{rb} step \"5. Bring it back when it is needed\" (exit 0; audit {})", restores[0].0),
        ],
    );
}

#[tokio::test]
async fn refusals_send_nothing_that_changes_anything() {
    let acct = Account::seeded("").await;

    // A placeholder without a value: exit 2, before anything is sent or an incident is opened.
    acct.emu.clear_calls();
    let run = acct.opsdeck(&["runbook", "run", "high-error-rate-after-deploy", "--set", "alarm=x", "--yes"]);
    assert_eq!(run.code, Some(2), "{}", run.show());
    assert!(run.err.contains("no value for service (step 1)"), "{}", run.show());
    assert_eq!(acct.emu.calls(), Default::default(), "nothing was sent");
    assert!(!acct.dir.path().join("data/incidents.jsonl").exists(), "no incident was opened");

    // A broken runbook: compiler-style errors, FILE:LINE:COL.
    let bad = acct.dir.path().join("bad.md");
    std::fs::write(&bad, "# t\n## 1. x\n```opsdeck\nscale ecs:c/s five\n```\n").expect("write");
    let path = bad.display().to_string();
    let run = acct.opsdeck(&["runbook", "check", &path]);
    assert_eq!(run.code, Some(2), "{}", run.show());
    assert!(run.err.contains(&format!("{path}:4:15: error: count 'five' is not a whole number")), "{}", run.show());

    // Read-only: step 1 reads, step 2's roll back is refused (exit 3), and the runbook stops there.
    acct.emu.clear_calls();
    let (service, alarm) = (format!("service={API}"), format!("alarm={HIGH_ERRORS}"));
    let args =
        ["--read-only", "runbook", "run", "high-error-rate-after-deploy", "--set", &service, "--set", &alarm, "--yes"];
    let run = acct.opsdeck(&args);
    assert_eq!(run.code, Some(3), "{}", run.show());
    assert!(run.err.contains("read-only"), "{}", run.show());
    assert!(
        run.err.contains("step \"2. Roll back to the last revision that completed\" failed (exit 3)"),
        "{}",
        run.show()
    );
    assert!(run.err.contains("the runbook stops here"), "{}", run.show());
    assert!(run.out.contains("CUDA out of memory"), "step 1 ran: {}", run.show());
    assert!(run.out.contains("task definition: cleanistic-ai-api:3 -> cleanistic-ai-api:2"), "the plan is shown");
    assert!(!run.out.contains(&format!("$ opsdeck wait {API}")), "step 2 stopped at its first command");
    assert!(!run.out.contains("$ opsdeck wait --alarm"), "step 3 never ran: {}", run.show());
    assert_eq!(acct.mutating_calls(), vec![], "all calls: {:?}", acct.emu.calls());
    assert_eq!(acct.calls("monitoring:DescribeAlarms"), 0, "no alarm was waited for: {:?}", acct.emu.calls());
    assert!(acct.calls("logs:FilterLogEvents") + acct.calls("logs:GetLogEvents") > 0, "{:?}", acct.emu.calls());
    assert_eq!(task_definition(&acct).await, "cleanistic-ai-api:3");
    assert_eq!(audit(&acct), vec![], "nothing started");
    let doc = acct.ok(&["incident", "export"]).out;
    assert_in_order(
        &doc,
        &[
            "step \"1. Read what the newest tasks say\" (exit 0)",
            "step \"2. Roll back to the last revision that completed\" (exit 3)",
        ],
    );
}

/// The `runbook_url` tag of each alarm, read with ListTagsForResource once per alarm and kept:
/// a second refresh reads none; an account of many alarms is covered 20 new alarms a refresh.
#[tokio::test]
async fn alarms_carry_their_runbook_tag_read_once_per_alarm() {
    let emu = Emulator::start();
    emu.seed();
    let acct = Account::on(emu, "").await;
    acct.emu.clear_calls();
    let alarms = acct.aws.alarms().await.expect("alarms");
    assert_eq!(alarms.len(), 5);
    for a in &alarms {
        let wanted = (a.name == LATENCY).then(|| "endpoint-latency-spike".to_string());
        assert_eq!(a.runbook_tag, wanted, "{}", a.name);
    }
    assert_eq!(acct.calls("monitoring:ListTagsForResource"), 5, "one per alarm: {:?}", acct.emu.calls());
    acct.emu.clear_calls();
    let again = acct.aws.alarms().await.expect("alarms");
    assert_eq!(again, alarms, "the tags are kept");
    assert_eq!(acct.calls("monitoring:ListTagsForResource"), 0, "read once: {:?}", acct.emu.calls());
    assert_eq!(acct.calls("monitoring:DescribeAlarms"), 1);

    // 25 more alarms: 20 new ones read on the next refresh, the other 5 on the one after.
    acct.emu.alarms(25);
    acct.emu.clear_calls();
    let many = acct.aws.alarms().await.expect("alarms");
    assert_eq!(many.len(), 30);
    assert_eq!(acct.calls("monitoring:ListTagsForResource"), 20, "{:?}", acct.emu.calls());
    acct.emu.clear_calls();
    acct.aws.alarms().await.expect("alarms");
    assert_eq!(acct.calls("monitoring:ListTagsForResource"), 5, "{:?}", acct.emu.calls());
    acct.emu.clear_calls();
    let all = acct.aws.alarms().await.expect("alarms");
    assert_eq!(acct.calls("monitoring:ListTagsForResource"), 0, "{:?}", acct.emu.calls());
    let tagged: Vec<&str> = all.iter().filter(|a| a.runbook_tag.is_some()).map(|a| a.name.as_str()).collect();
    assert_eq!(tagged, [LATENCY]);
}

/// Without cloudwatch:ListTagsForResource the alarms are read just the same, without tags, and
/// the denied reads are not tried again on every refresh.
#[tokio::test]
async fn a_denied_tag_read_leaves_the_alarms_readable_and_is_not_retried() {
    let emu = Emulator::start();
    emu.seed();
    let acct = Account::on(emu, "").await;
    let denied = json!({"operation": "ListTagsForResource", "status": 400, "times": 1000, "body": {
        "__type": "AccessDenied",
        "message": "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: cloudwatch:ListTagsForResource"}});
    acct.emu.fault(&denied.to_string());
    acct.emu.clear_calls();
    let alarms = acct.aws.alarms().await.expect("the alarms are readable");
    assert_eq!(alarms.len(), 5);
    assert!(alarms.iter().all(|a| a.runbook_tag.is_none()), "{alarms:?}");
    let firing = alarms.iter().find(|a| a.name == HIGH_ERRORS).expect("seeded");
    assert_eq!(firing.state.as_str(), "ALARM");
    assert_eq!(
        firing.watches,
        Some(Address::Endpoint {
            endpoint: "cleanistic-property-detector-endpoint".into(),
            variant: Some("AllTraffic".into())
        })
    );
    assert_eq!(acct.calls("monitoring:ListTagsForResource"), 5, "tried once each: {:?}", acct.emu.calls());
    acct.emu.clear_calls();
    let again = acct.aws.alarms().await.expect("alarms");
    assert_eq!(again, alarms);
    assert_eq!(acct.calls("monitoring:ListTagsForResource"), 0, "not every refresh: {:?}", acct.emu.calls());
}
