//! Races between plan and execute on the simulated fleet, one per verb: the plan is read, the
//! simulated time moves on (a deployment finishes, a colleague acts), and the confirmed plan is
//! executed. The fresh read at execute re-plans (a new plan to confirm), finds nothing left to do,
//! or refuses saying why; never a raw API error, and the audit log says which.

use crate::demo;
use crate::racing;

use chrono::{DateTime, TimeZone, Utc};
use demo::Demo;
use opsdeck::audit::{AuditRecord, Phase};
use opsdeck::backend::Backend;
use opsdeck::domain::{Address, Mutation, Snapshot, TaskDefRef};
use opsdeck::ops::grammar::{intent_of, parse_line};
use opsdeck::ops::{confirm, execute, plan, Answer, AuditLog, Executed, Intent, OpError, OpsContext, Plan};
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};
use racing::Racing;
use std::sync::Arc;

const API: &str = "ecs:cleanistic-ai-cluster/cleanistic-ai-api";
const SVG: &str = "ecs:svg-ai-cluster/svg-ai-service";
const VARIANT: &str = "sm:prediction-endpoint/model-v1";
const TRYON: &str = "lambda:GarmaxAi-TryonProcessor-PROD";

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 13, 30, 0).single().unwrap()
}

/// A fleet on a manual clock, the engineer (`demo.ops`: their audit log) and a colleague acting
/// on the same fleet with an audit log of their own.
struct Race {
    fleet: Arc<SimFleet>,
    clock: ManualClock,
    demo: Demo,
    colleague: OpsContext,
}

fn race(scenario: &str) -> Race {
    let clock = ManualClock::new();
    let options =
        SimOptions { seed: 7, scenario: scenario.into(), start: start(), clock: SimClock::Manual(clock.clone()) };
    let fleet = Arc::new(SimFleet::new(options).unwrap());
    let demo = Demo::on(fleet.clone(), false);
    let colleague = OpsContext::new(
        false,
        AuditLog::new(demo.dir.path().join("colleague-audit.jsonl")),
        demo.dir.path().join("colleague-environments"),
    );
    Race { fleet, clock, demo, colleague }
}

impl Race {
    fn intent(&self, line: &str) -> Intent {
        let verb = parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        intent_of(&verb, &self.demo.settings).unwrap().expect("a mutating verb")
    }

    async fn plan(&self, line: &str) -> Plan {
        plan(self.fleet.as_ref(), self.intent(line)).await.unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    async fn execute(&self, plan: Plan) -> Result<Executed, OpError> {
        let confirmed = confirm(plan, &Answer::AssumeYes, false).expect("confirmed");
        execute(self.fleet.as_ref(), &self.demo.ops, confirmed).await
    }

    /// The colleague plans and applies `line` at once.
    async fn colleague(&self, line: &str) {
        let planned = plan(self.fleet.as_ref(), self.intent(line)).await.unwrap();
        let confirmed = confirm(planned, &Answer::AssumeYes, false).unwrap();
        execute(self.fleet.as_ref(), &self.colleague, confirmed).await.unwrap_or_else(|e| panic!("{line}: {e}"));
    }

    /// Simulated time moves on, read by read as a console would.
    async fn advance(&self, seconds: i64) {
        for _ in 0..seconds / 5 {
            self.clock.advance(5);
            self.fleet.services().await.unwrap();
        }
    }

    async fn snapshot(&self, address: &str) -> Snapshot {
        self.fleet.snapshot(&address.parse::<Address>().unwrap()).await.unwrap()
    }

    async fn deployment_status(&self) -> String {
        match self.snapshot(API).await {
            Snapshot::Service(s) => s.deployment.map(|d| d.status).unwrap_or_default(),
            other => panic!("not a service: {other:?}"),
        }
    }

    async fn endpoint_status(&self) -> String {
        match self.snapshot(VARIANT).await {
            Snapshot::Endpoint(e) => e.endpoint.status,
            other => panic!("not an endpoint: {other:?}"),
        }
    }

    /// The engineer's audit log.
    fn audit(&self) -> Vec<AuditRecord> {
        self.demo.ops.audit.read().unwrap().0
    }

    /// The one `replanned` record, and that nothing was started.
    fn replanned_record(&self) -> AuditRecord {
        let records = self.audit();
        assert!(records.iter().all(|r| r.phase != Phase::Started), "nothing may start: {records:#?}");
        let replanned: Vec<&AuditRecord> = records.iter().filter(|r| r.phase == Phase::Replanned).collect();
        assert_eq!(replanned.len(), 1, "{records:#?}");
        let record = replanned[0].clone();
        assert_eq!(record.inverse, None, "nothing was sent, so there is nothing to undo");
        assert!(record.replan.is_some(), "{record:?}");
        record
    }
}

fn mutations(p: &Plan) -> Vec<Mutation> {
    p.mutations().cloned().collect()
}

fn addr(text: &str) -> Address {
    text.parse().unwrap()
}

/// The user's report: `R` while revision 15 was still rolling out planned ECS's native roll back;
/// by the time of `y` the circuit breaker had failed the deployment, and StopServiceDeployment
/// would answer InvalidParameterException. The fresh read re-plans to UpdateService.
#[tokio::test]
async fn rollback_planned_as_native_is_replanned_when_the_circuit_breaker_has_finished() {
    let r = race("bad-deploy");
    r.advance(40).await;
    assert_eq!(r.deployment_status().await, "IN_PROGRESS");
    let planned = r.plan(&format!("rollback {API}")).await;
    assert!(matches!(mutations(&planned)[..], [Mutation::RollbackDeployment { .. }]), "{planned:?}");

    // The engineer reads the plan; meanwhile the circuit breaker trips.
    for _ in 0..120 {
        if r.deployment_status().await != "IN_PROGRESS" {
            break;
        }
        r.advance(5).await;
    }
    // ECS reports a deployment the circuit breaker failed (without its own roll back) as STOPPED.
    assert_eq!(r.deployment_status().await, "STOPPED", "the circuit breaker tripped");

    let err = r.execute(planned).await.expect_err("the plan changed");
    let OpError::Replanned { plan: new, why } = &err else { panic!("not re-planned: {err:?}") };
    assert_eq!(err.exit_code(), 3);
    assert_eq!(
        mutations(new),
        [Mutation::SetTaskDefinition {
            address: addr(API),
            task_def: TaskDefRef { family: "cleanistic-ai-api".into(), revision: 14 }
        }]
    );
    assert!(
        why.iter().any(|c| c.field == "service deployment" && c.before == "IN_PROGRESS" && c.after == "STOPPED"),
        "{why:?}"
    );
    assert!(!err.to_string().contains("InvalidParameterException"), "{err}");

    let record = r.replanned_record();
    assert!(record.outcome.starts_with("replanned: "), "{}", record.outcome);
    let replan = record.replan.unwrap();
    assert_eq!(replan.was, [format!("{API}: native roll back (StopServiceDeployment)")]);
    assert_eq!(replan.now, [format!("{API}: task definition cleanistic-ai-api:14 (UpdateService)")]);
    assert!(replan.why.iter().any(|w| w == "service deployment: IN_PROGRESS -> STOPPED"), "{:?}", replan.why);

    // The new plan, confirmed afresh, goes out.
    let executed = r.execute(*new.clone()).await.expect("the new plan applies");
    assert_eq!(mutations(&executed.plan), mutations(new));
    match r.snapshot(API).await {
        Snapshot::Service(s) => assert_eq!(s.service.task_definition.revision, 14),
        other => panic!("{other:?}"),
    }
}

/// Two engineers on the same alarm: the colleague's roll back lands first.
#[tokio::test]
async fn rollback_finds_nothing_left_when_a_colleague_rolled_back_first() {
    let r = race("bad-deploy");
    r.advance(40).await;
    let planned = r.plan(&format!("rollback {API}")).await;
    r.colleague(&format!("rollback {API}")).await;
    r.advance(10).await;
    let err = r.execute(planned).await.expect_err("nothing left");
    let OpError::NothingLeft(why) = &err else { panic!("not nothing-left: {err:?}") };
    assert_eq!(err.exit_code(), 0);
    assert!(why.contains("already runs cleanistic-ai-api:14"), "{why}");
    let record = r.replanned_record();
    assert!(record.outcome.starts_with("nothing left to do: "), "{}", record.outcome);
    assert!(record.replan.unwrap().now.is_empty());
}

#[tokio::test]
async fn redeploy_is_replanned_when_the_service_moved_to_another_revision() {
    let r = race("bad-deploy");
    r.advance(40).await;
    let planned = r.plan(&format!("redeploy {API}")).await;
    assert!(planned.changes[0].after.contains("cleanistic-ai-api:15"), "{:?}", planned.changes);
    r.colleague(&format!("rollback {API}")).await;
    r.advance(10).await;
    let err = r.execute(planned).await.expect_err("the revision moved");
    let OpError::Replanned { plan: new, why } = &err else { panic!("not re-planned: {err:?}") };
    assert!(new.changes[0].after.contains("cleanistic-ai-api:14"), "{:?}", new.changes);
    assert!(why.iter().any(|c| c.field == "task definition"), "{why:?}");
    r.replanned_record();
}

#[tokio::test]
async fn redeploy_finds_nothing_left_when_a_new_deployment_of_the_same_revision_started() {
    let r = race("calm");
    r.advance(10).await;
    let planned = r.plan(&format!("redeploy {SVG}")).await;
    r.colleague(&format!("redeploy {SVG}")).await;
    r.advance(10).await;
    let err = r.execute(planned).await.expect_err("nothing left");
    let OpError::NothingLeft(why) = &err else { panic!("not nothing-left: {err:?}") };
    assert!(why.contains("a new deployment of svg-ai:9") && why.contains("since the plan was read"), "{why}");
    assert!(r.replanned_record().outcome.starts_with("nothing left to do"));
}

#[tokio::test]
async fn scale_service_finds_nothing_left_when_it_already_has_the_count() {
    let r = race("calm");
    let planned = r.plan(&format!("scale {SVG} 3")).await;
    r.colleague(&format!("scale {SVG} 3")).await;
    r.advance(30).await;
    let err = r.execute(planned).await.expect_err("nothing left");
    let OpError::NothingLeft(why) = &err else { panic!("not nothing-left: {err:?}") };
    assert!(why.contains("already wants 3"), "{why}");
    r.replanned_record();
}

/// Planned with the autoscaling max to move (1-4 -> 1-6); the colleague's change moved it past
/// that (1-8): the bounds step is no longer part of the plan.
#[tokio::test]
async fn scale_service_is_replanned_when_the_autoscaling_target_changed() {
    let r = race("calm");
    let planned = r.plan(&format!("scale {SVG} 6 --adjust-autoscaling")).await;
    assert!(matches!(mutations(&planned)[..], [Mutation::SetScalingBounds { max: 6, .. }, _]), "{planned:?}");
    r.colleague(&format!("scale {SVG} 8 --adjust-autoscaling")).await;
    r.advance(10).await;
    let err = r.execute(planned).await.expect_err("the bounds moved");
    let OpError::Replanned { plan: new, why } = &err else { panic!("not re-planned: {err:?}") };
    assert_eq!(mutations(new), [Mutation::SetDesiredCount { address: addr(SVG), count: 6 }]);
    assert!(why.iter().any(|c| c.field == "autoscaling min-max" && c.after == "1-8"), "{why:?}");
    let replan = r.replanned_record().replan.unwrap();
    assert_eq!(replan.was.len(), 2);
    assert_eq!(replan.now, [format!("{SVG}: desired count 6")]);
}

/// The count moved under the plan but the plan's promise (desired 4) still holds: a colleague
/// acted, so it is a conflict, as before; nothing is sent or recorded.
#[tokio::test]
async fn scale_service_whose_count_moved_is_still_a_conflict() {
    let r = race("calm");
    let planned = r.plan(&format!("scale {SVG} 4")).await;
    r.colleague(&format!("scale {SVG} 3")).await;
    r.advance(10).await;
    let err = r.execute(planned).await.expect_err("a colleague acted");
    let OpError::Conflict { changes, .. } = &err else { panic!("not a conflict: {err:?}") };
    assert!(changes.iter().any(|c| c.field == "desired count" && c.after == "3"), "{changes:?}");
    assert!(r.audit().is_empty(), "a conflict sends nothing and records nothing");
}

#[tokio::test]
async fn scale_variant_is_refused_not_sent_while_the_endpoint_is_updating() {
    let r = race("calm");
    let planned = r.plan(&format!("scale {VARIANT} 4")).await;
    r.colleague(&format!("scale {VARIANT} 3")).await;
    r.advance(5).await;
    assert_eq!(r.endpoint_status().await, "Updating");
    let err = r.execute(planned).await.expect_err("updating");
    let OpError::Refused(why) = &err else { panic!("not refused: {err:?}") };
    assert!(why.contains("endpoint status: InService -> Updating"), "{why}");
    assert!(why.contains("accepts capacity changes only InService"), "{why}");
    assert!(!why.contains("ValidationException"), "{why}");
    let record = r.replanned_record();
    assert!(record.outcome.starts_with("refused: "), "{}", record.outcome);
}

#[tokio::test]
async fn scale_variant_finds_nothing_left_once_a_colleague_got_there() {
    let r = race("calm");
    let planned = r.plan(&format!("scale {VARIANT} 4")).await;
    r.colleague(&format!("scale {VARIANT} 4")).await;
    for _ in 0..60 {
        if r.endpoint_status().await == "InService" {
            break;
        }
        r.advance(5).await;
    }
    assert_eq!(r.endpoint_status().await, "InService");
    let err = r.execute(planned).await.expect_err("nothing left");
    let OpError::NothingLeft(why) = &err else { panic!("not nothing-left: {err:?}") };
    assert!(why.contains("already has 4 instances"), "{why}");
    r.replanned_record();
}

#[tokio::test]
async fn concurrency_finds_nothing_left_when_a_colleague_set_it() {
    let r = race("lambda-throttle");
    let planned = r.plan(&format!("concurrency {TRYON} 30")).await;
    r.colleague(&format!("concurrency {TRYON} 30")).await;
    r.advance(30).await;
    let err = r.execute(planned).await.expect_err("nothing left");
    let OpError::NothingLeft(why) = &err else { panic!("not nothing-left: {err:?}") };
    assert!(why.contains("already has reserved concurrency 30"), "{why}");
    r.replanned_record();
}

#[tokio::test]
async fn concurrency_set_to_another_number_meanwhile_is_still_a_conflict() {
    let r = race("lambda-throttle");
    let planned = r.plan(&format!("concurrency {TRYON} 30")).await;
    r.colleague(&format!("concurrency {TRYON} 20")).await;
    r.advance(30).await;
    let err = r.execute(planned).await.expect_err("a colleague acted");
    let OpError::Conflict { changes, .. } = &err else { panic!("not a conflict: {err:?}") };
    assert!(changes.iter().any(|c| c.before == "10" && c.after == "20"), "{changes:?}");
    assert!(r.audit().is_empty());
}

/// A test inference does not depend on the instance count: an endpoint that went Updating still
/// answers, so the confirmed invocation goes out (before, this was a conflict).
#[tokio::test]
async fn invoke_endpoint_goes_out_while_the_endpoint_updates() {
    let r = race("calm");
    let planned = r.plan("invoke sm:prediction-endpoint").await;
    r.colleague(&format!("scale {VARIANT} 3")).await;
    r.advance(5).await;
    assert_eq!(r.endpoint_status().await, "Updating");
    let executed = r.execute(planned).await.expect("it still answers");
    assert!(executed.receipts.iter().any(|x| x.response.is_some()), "{executed:?}");
    assert!(r.audit().iter().all(|x| x.phase != Phase::Replanned));
}

#[tokio::test]
async fn invoke_lambda_is_refused_when_its_concurrency_went_to_zero() {
    let r = race("calm");
    let path = r.demo.dir.path().join("event.json");
    std::fs::write(&path, r#"{"jobId":"race"}"#).unwrap();
    let planned = r.plan(&format!("invoke {TRYON} --payload {}", path.display())).await;
    r.colleague(&format!("concurrency {TRYON} 0")).await;
    r.advance(5).await;
    let err = r.execute(planned).await.expect_err("throttled");
    let OpError::Refused(why) = &err else { panic!("not refused: {err:?}") };
    assert!(why.contains("reserved concurrency: 10 -> 0") && why.contains("every invocation is throttled"), "{why}");
    r.replanned_record();
}

#[tokio::test]
async fn teardown_finds_nothing_left_when_a_colleague_tore_it_down() {
    let r = race("calm");
    let planned = r.plan("teardown garmax-prod").await;
    r.colleague("teardown garmax-prod").await;
    r.advance(60).await;
    let err = r.execute(planned).await.expect_err("nothing left");
    let OpError::NothingLeft(why) = &err else { panic!("not nothing-left: {err:?}") };
    assert!(why.contains("garmax-prod is already torn down"), "{why}");
    r.replanned_record();
}

/// A function of the environment was stopped by hand (concurrency 0) after the plan: the
/// teardown no longer sends its PutFunctionConcurrency, and the state it saves says 0.
#[tokio::test]
async fn teardown_is_replanned_when_a_resource_moved() {
    let r = race("calm");
    let planned = r.plan("teardown garmax-prod").await;
    let stop = Mutation::SetFunctionConcurrency { function: "GarmaxAi-TryonProcessor-PROD".into(), reserved: Some(0) };
    assert!(mutations(&planned).contains(&stop));
    r.colleague(&format!("concurrency {TRYON} 0")).await;
    r.advance(10).await;
    let err = r.execute(planned).await.expect_err("re-planned");
    let OpError::Replanned { plan: new, why } = &err else { panic!("not re-planned: {err:?}") };
    assert!(!mutations(new).contains(&stop), "{new:?}");
    assert!(why.iter().any(|c| c.field == format!("{TRYON} reserved concurrency") && c.after == "0"), "{why:?}");
    let replan = r.replanned_record().replan.unwrap();
    assert!(replan.was.iter().any(|w| w.contains("GarmaxAi-TryonProcessor-PROD: reserved concurrency 0")));
    assert!(!replan.now.iter().any(|w| w.contains("GarmaxAi-TryonProcessor-PROD: reserved concurrency 0")));
    assert!(!replan.now.iter().any(|w| w.starts_with("ssm ")), "the saved state's writes are not the promise");
    // Confirmed afresh, the new plan tears the rest down.
    r.execute(*new.clone()).await.expect("the new plan applies");
}

#[tokio::test]
async fn restore_finds_nothing_left_when_a_colleague_restored_it() {
    let r = race("calm");
    r.colleague("teardown garmax-prod").await;
    r.advance(60).await;
    // The colleague's saved state is in SSM; the engineer reads it too.
    let planned = r.plan("restore garmax-prod").await;
    r.colleague("restore garmax-prod").await;
    r.advance(60).await;
    let err = r.execute(planned).await.expect_err("nothing left");
    let OpError::NothingLeft(why) = &err else { panic!("not nothing-left: {err:?}") };
    assert!(why.contains("was restored"), "{why}");
    r.replanned_record();
}

/// The headless CLI over a fleet whose clock jumps between the plan and the re-check at execute
/// (and, with `colleague`, someone else's change landing then). Also returns the demo (its audit).
async fn cli(
    scenario: &str,
    before: i64,
    jump: i64,
    colleague: Option<&str>,
    line: &str,
) -> (u8, String, String, Demo) {
    let r = race(scenario);
    r.advance(before).await;
    let mut racing = Racing::new(r.fleet.clone(), r.clock.clone(), 1, jump);
    if let Some(line) = colleague {
        let ctx = OpsContext::new(false, AuditLog::new(r.demo.dir.path().join("c.jsonl")), r.demo.dir.path().join("c"));
        racing.colleague = Some((r.intent(line), ctx));
    }
    let demo = Demo::on(Arc::new(racing), false);
    let (code, out, err) = demo.run(line).await;
    (code, out, err, demo)
}

#[tokio::test]
async fn cli_with_yes_exits_3_and_prints_the_new_plan_when_the_plan_changed() {
    let (code, out, err, demo) = cli("bad-deploy", 40, 600, None, &format!("rollback {API} --yes")).await;
    assert_eq!(code, 3, "{out}\n{err}");
    assert!(out.contains("ECS's native roll back (StopServiceDeployment)"), "the plan as read first: {out}");
    assert!(out.contains("the plan changed since it was confirmed:"), "{out}");
    assert!(out.contains("service deployment: IN_PROGRESS -> STOPPED"), "{out}");
    assert!(out.contains("UpdateService sends only the task definition"), "the new plan: {out}");
    assert!(out.contains("cleanistic-ai-api:15 is STOPPED: ECS's native roll back applies only while"), "{out}");
    assert!(err.contains("the plan changed; nothing was sent: run again"), "{err}");
    assert!(!out.contains("applied") && !err.contains("InvalidParameterException"), "{out}\n{err}");
    let (records, _) = demo.ops.audit.read().unwrap();
    assert_eq!(records.iter().map(|r| r.phase).collect::<Vec<_>>(), [Phase::Replanned], "{records:?}");
}

#[tokio::test]
async fn cli_json_says_replanned_with_both_plans() {
    let (code, out, _err, _demo) =
        cli("bad-deploy", 40, 600, None, &format!("rollback {API} --yes --output json")).await;
    assert_eq!(code, 3, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["outcome"], "replanned");
    assert_eq!(v["exit"], 3);
    assert!(v["plan"]["notes"].to_string().contains("StopServiceDeployment"), "{v}");
    assert!(v["new_plan"]["notes"].to_string().contains("UpdateService"), "{v}");
}

#[tokio::test]
async fn cli_exits_0_when_nothing_is_left_to_do() {
    let line = format!("concurrency {TRYON} 30");
    let (code, out, err, demo) = cli("calm", 0, 30, Some(&line), &format!("{line} --yes")).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("nothing left to do: lambda:GarmaxAi-TryonProcessor-PROD already has reserved concurrency 30"),
        "{out}"
    );
    let (records, _) = demo.ops.audit.read().unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(records[0].outcome.starts_with("nothing left to do"), "{records:?}");
}
