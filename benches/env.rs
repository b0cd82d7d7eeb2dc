//! Environments, runbooks and the incident timeline: what their own code costs. The saved state
//! of a large environment cut into SSM parts and joined back; a teardown planned and carried out
//! on the simulated fleet (every step audited with an fsync); every environment's overview; the
//! shipped runbooks parsed and checked; a long timeline exported.

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use opsdeck::backend::Backend;
use opsdeck::config::{Config, Paths};
use opsdeck::domain::{Address, ScalingTarget, Suspended};
use opsdeck::incident::{export, Entry, ExportOptions, Kind};
use opsdeck::ops::env::{self, store, SavedResource, SavedState};
use opsdeck::ops::{confirm, execute, plan, Answer, AuditLog, Intent, OpsContext};
use opsdeck::runbook::Library;
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};
use std::hint::black_box;

fn large_state(n: usize) -> SavedState {
    let target = ScalingTarget { min: 1, max: 10, suspended: Suspended::default() };
    SavedState {
        format: env::saved::FORMAT.into(),
        environment: "big".into(),
        saved_at: Utc::now(),
        saved_by: "arn:aws:sts::123456789012:assumed-role/OnCall/ana".into(),
        resources: (0..n)
            .map(|i| SavedResource::EcsService {
                address: Address::ecs("scale-cluster-0", format!("scale-svc-{i:03}")),
                desired: 2,
                scaling: Some(target),
            })
            .collect(),
    }
}

fn fleet(now: chrono::DateTime<Utc>) -> SimFleet {
    let options =
        SimOptions { seed: 7, scenario: "calm".into(), start: now, clock: SimClock::Manual(ManualClock::new()) };
    SimFleet::new(options).expect("fleet")
}

fn bench_env(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = Paths::discover(Some(dir.path())).expect("paths");
    let config = Config::default().with_demo_defaults().expect("demo config");
    let specs = config.environment_specs().expect("specs");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");

    let state = large_state(200);
    c.bench_function("saved_state_200_services_split_and_joined", |b| {
        b.iter(|| {
            let text = serde_json::to_string(black_box(&state)).expect("json");
            let parts = store::split(&text);
            let joined: SavedState = serde_json::from_str(&parts.concat()).expect("parse");
            (parts.len(), joined.resources.len())
        })
    });

    c.bench_function("sim_teardown_garmax_plan_confirm_execute", |b| {
        b.iter_batched(
            || {
                let fleet = fleet(now);
                runtime.block_on(fleet.services()).expect("warm");
                fleet
            },
            |fleet| {
                let ctx = OpsContext::new(
                    false,
                    AuditLog::new(dir.path().join("audit.jsonl")),
                    paths.environments_dir.clone(),
                );
                let intent =
                    Intent::Teardown { env: specs["garmax-prod"].clone(), local_dir: paths.environments_dir.clone() };
                runtime.block_on(async {
                    let p = plan(&fleet, intent).await.expect("plan");
                    let c = confirm(p, &Answer::AssumeYes, false).expect("confirm");
                    execute(&fleet, &ctx, c).await.expect("execute")
                })
            },
            criterion::BatchSize::PerIteration,
        )
    });

    let warm = fleet(now);
    runtime.block_on(warm.services()).expect("warm");
    let all: Vec<_> = specs.values().cloned().collect();
    c.bench_function("sim_overview_of_five_environments", |b| {
        b.iter(|| runtime.block_on(env::overview(&warm, black_box(&all), &paths.environments_dir, None)))
    });

    let library = Library::new(dir.path().join("runbooks"), Vec::new());
    c.bench_function("runbooks_three_shipped_parsed_and_checked", |b| {
        b.iter(|| {
            ["high-error-rate-after-deploy", "endpoint-latency-spike", "budget-overrun-idle-teardown"]
                .iter()
                .map(|n| library.load(n).expect("checks").steps.len())
                .sum::<usize>()
        })
    });

    let entries: Vec<Entry> = std::iter::once(Entry::new("inc", Kind::Start, "opened", now, "ana"))
        .chain((0..1000).map(|i| {
            let mut e = Entry::new("inc", Kind::Step, "ran", now + Duration::seconds(i), "ana");
            e.step = Some(format!("{}. step", i % 5));
            e.commands = vec!["logs ecs:c/s --since 15m".into()];
            e.exit = Some(0);
            e.output = Some("line\n".repeat(12));
            e
        }))
        .collect();
    c.bench_function("incident_export_1000_steps", |b| {
        b.iter(|| {
            let options = ExportOptions { name: None, since: None, now: now + Duration::hours(1) };
            export(black_box(&entries), &[], &options).expect("export").len()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_env
}
criterion_main!(benches);
