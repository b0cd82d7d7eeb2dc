//! The simulated fleet: the first read (which pre-rolls an hour of history) and catching up one
//! simulated hour. Both run inside backend calls, off the UI loop, but they bound how soon the
//! demo's first data is on screen.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use opsdeck::backend::Backend;
use opsdeck::sim::{ManualClock, SimClock, SimFleet, SimOptions};

fn fleet(scenario: &str) -> (SimFleet, ManualClock) {
    let clock = ManualClock::new();
    let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
    let options = SimOptions { seed: 7, scenario: scenario.into(), start, clock: SimClock::Manual(clock.clone()) };
    (SimFleet::new(options).expect("scenario"), clock)
}

fn bench_sim(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    c.bench_function("sim_first_read_with_pre_roll", |b| {
        b.iter(|| {
            let (f, _) = fleet("calm");
            runtime.block_on(f.services()).expect("services")
        })
    });
    c.bench_function("sim_catch_up_one_hour", |b| {
        b.iter_batched(
            || {
                let (f, clock) = fleet("bad-deploy");
                runtime.block_on(f.services()).expect("services");
                clock.advance(3600);
                f
            },
            |f| runtime.block_on(f.services()).expect("services"),
            criterion::BatchSize::PerIteration,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench_sim
}
criterion_main!(benches);
