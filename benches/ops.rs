//! The action path's own costs: an audit record appended and fsynced (it is on the path of every
//! action, before the call), a roll back diff of two large task definitions, a watch taking a
//! fresh read with a full event list, and a whole action (plan, confirm, execute, watch read) on
//! the simulated fleet.

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use opsdeck::audit::{AuditRecord, Phase, Who};
use opsdeck::backend::Backend;
use opsdeck::domain::*;
use opsdeck::ops::watch::Expect;
use opsdeck::ops::{confirm, execute, plan, revisions, Answer, AuditLog, Intent, OpsContext, Watch};
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};
use std::hint::black_box;

fn spec(revision: u32, env: usize) -> TaskDefSpec {
    TaskDefSpec {
        task_def: TaskDefRef { family: "api".into(), revision },
        cpu: Some("1024".into()),
        memory: Some("2048".into()),
        containers: (0..4)
            .map(|c| ContainerSpec {
                name: format!("container-{c}"),
                image: format!("123.dkr.ecr.us-east-1.amazonaws.com/api:{revision}"),
                environment: (0..env)
                    .map(|i| (format!("VAR_{i:03}"), format!("value-{}", i + revision as usize % 7)))
                    .collect(),
                secrets: (0..10).map(|i| format!("SECRET_{i}")).collect(),
                command: vec!["gunicorn".into(), "app:app".into()],
                ports: vec!["8080/tcp".into()],
                health_check: Some("CMD-SHELL curl -f localhost:8080/health".into()),
                cpu: Some(256),
                memory: Some(512),
            })
            .collect(),
    }
}

fn snapshot(now: chrono::DateTime<Utc>) -> Snapshot {
    let td = TaskDefRef { family: "api".into(), revision: 14 };
    let service = Service {
        cluster: "c".into(),
        name: "api".into(),
        system: None,
        desired: 4,
        running: 3,
        pending: 1,
        rollout: RolloutState::InProgress,
        task_definition: td.clone(),
        deployments: vec![Deployment {
            id: "ecs-svc/2".into(),
            status: "PRIMARY".into(),
            task_definition: td,
            desired: 4,
            running: 3,
            pending: 1,
            failed: 0,
            rollout: RolloutState::InProgress,
            created_at: now,
        }],
        last_deployment_at: Some(now),
        log_group: None,
        target_groups: vec![],
    };
    let events = (0..100)
        .map(|i| ServiceEvent {
            at: now - Duration::seconds(i),
            message: format!("(service api) has started 1 tasks: (task {i:032x})."),
        })
        .collect();
    Snapshot::Service(ServiceSnapshot { service, events, scaling: None, deployment: None })
}

fn bench_ops(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = AuditLog::new(dir.path().join("audit.jsonl"));
    let record = AuditRecord {
        id: "20261122T031412Z-8c1f".into(),
        time: Utc::now(),
        phase: Phase::Finished,
        who: Who {
            arn: "arn:aws:sts::123456789012:assumed-role/OnCall/ana".into(),
            user: "ana".into(),
            ssh_client: None,
        },
        profile: "prod".into(),
        region: "us-east-1".into(),
        action: "rollback".into(),
        resource: "ecs:cleanistic-ai-cluster/cleanistic-ai-api".into(),
        command: "rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to 14".into(),
        before: serde_json::json!({"task definition": "cleanistic-ai-api:15"}),
        after: serde_json::json!({"task definition": "cleanistic-ai-api:14"}),
        request_ids: vec!["4b7e0c8e-2f49-4b9c-9d55-0f3c0b8d7a11".into()],
        outcome: "succeeded".into(),
        inverse: Some("rollback ecs:cleanistic-ai-cluster/cleanistic-ai-api --to 15".into()),
        step: None,
        replan: None,
        lease: None,
    };
    c.bench_function("audit_append_fsync", |b| b.iter(|| log.append(black_box(&record)).expect("append")));

    let (a, b2) = (spec(15, 60), spec(14, 60));
    c.bench_function("revisions_diff_4x60_env", |b| b.iter(|| revisions::diff(black_box(&a), black_box(&b2))));

    let now = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
    let snap = snapshot(now);
    c.bench_function("watch_observe_100_events", |b| {
        b.iter(|| {
            let expect = Expect::Rollout {
                previous_primary: Some("ecs-svc/1".into()),
                task_def: TaskDefRef { family: "api".into(), revision: 14 },
            };
            let mut w = Watch::new(
                "id".into(),
                Address::ecs("c", "api"),
                "rollback".into(),
                expect,
                now - Duration::minutes(5),
            );
            w.observe(black_box(&snap), now);
            w
        })
    });

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    c.bench_function("sim_scale_plan_confirm_execute", |b| {
        b.iter_batched(
            || {
                let clock = ManualClock::new();
                let options =
                    SimOptions { seed: 7, scenario: "calm".into(), start: now, clock: SimClock::Manual(clock) };
                let fleet = SimFleet::new(options).expect("fleet");
                runtime.block_on(fleet.services()).expect("warm");
                fleet
            },
            |fleet| {
                let ctx = OpsContext::new(
                    false,
                    AuditLog::new(dir.path().join("sim-audit.jsonl")),
                    dir.path().join("environments"),
                );
                let intent = Intent::Scale {
                    address: Address::ecs("svg-ai-cluster", "svg-ai-service"),
                    count: 3,
                    adjust_autoscaling: false,
                };
                runtime.block_on(async {
                    let p = plan(&fleet, intent).await.expect("plan");
                    let c = confirm(p, &Answer::AssumeYes, false).expect("confirm");
                    execute(&fleet, &ctx, c).await.expect("execute")
                })
            },
            criterion::BatchSize::PerIteration,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_ops
}
criterion_main!(benches);
