//! A full frame of a 500-service fleet at 200x50, and the pure update of a burst of key presses.

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use opsdeck::app::{update, Effect, Fetch, Msg, Reply, Settings, State};
use opsdeck::backend::BackendLabel;
use opsdeck::domain::*;
use opsdeck::keymap::{Action, Keymap};
use opsdeck::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::hint::black_box;

fn fleet_state(services: usize) -> State {
    let now = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
    let mut state = State::new(
        BackendLabel::Demo { scenario: "bench".into(), seed: 1, speed: 1 },
        Settings::default(),
        now,
        (200, 50),
    );
    let fleet: Vec<Service> = (0..services)
        .map(|i| Service {
            cluster: format!("cluster-{}", i % 20),
            name: format!("service-{i:04}"),
            system: None,
            desired: 3,
            running: if i % 17 == 0 { 1 } else { 3 },
            pending: 0,
            rollout: if i % 50 == 0 { RolloutState::Failed } else { RolloutState::Completed },
            task_definition: TaskDefRef { family: format!("service-{i:04}"), revision: 12 },
            deployments: vec![],
            last_deployment_at: Some(now - Duration::hours(3)),
            log_group: Some(format!("/ecs/service-{i:04}")),
            target_groups: vec![],
        })
        .collect();
    let mut queue = update(&mut state, Msg::Tick(now));
    while let Some(effect) = queue.pop() {
        let Effect::Fetch { id, fetch } = effect else {
            continue;
        };
        let series = |k: f64| Series { points: (0..30).map(|m| Some((m as f64 * k) % 100.0)).collect() };
        let reply = match fetch {
            Fetch::Services => Reply::Services(Ok(fleet.clone())),
            Fetch::ServiceMetrics(addresses) => Reply::ServiceMetrics(Ok(addresses
                .into_iter()
                .map(|a| (a, ServiceMetrics { cpu: series(7.0), memory: series(3.0) }))
                .collect())),
            Fetch::Alarms => Reply::Alarms(Ok((0..60)
                .map(|i| Alarm {
                    name: format!("alarm-{i}"),
                    state: if i % 7 == 0 { AlarmState::Alarm } else { AlarmState::Ok },
                    reason: "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold".into(),
                    state_since: now - Duration::minutes(i),
                    condition: "x > 1".into(),
                    watches: None,
                    description: None,
                    runbook_tag: None,
                    rule: None,
                })
                .collect())),
            Fetch::Endpoints => Reply::Endpoints(Ok(vec![])),
            Fetch::EndpointMetrics(_) => Reply::EndpointMetrics(Ok(BTreeMap::new())),
            Fetch::Cost { .. } => continue,
            Fetch::ServiceDetail(_) | Fetch::Snapshots(_) | Fetch::TargetHealth(_) => continue,
            Fetch::StartQuery(_) | Fetch::QueryResults(_) | Fetch::StopQuery(_) | Fetch::LogRecord(_) => continue,
            Fetch::Chart { .. } => continue,
            Fetch::Functions(_) => Reply::Functions(Ok(vec![])),
            Fetch::FunctionMetrics(_) | Fetch::FunctionDetail(_) | Fetch::EndpointModels(_) => continue,
            Fetch::Logs { generation, .. } => Reply::Logs {
                generation,
                result: Ok(LogBatch {
                    events: (0..2000)
                        .map(|i| LogEvent {
                            id: i,
                            timestamp: now,
                            stream: "ecs/x".into(),
                            message: format!(
                                r#"{{"level":"info","status":200,"path":"/api/v1/detect","latency_ms":{i}}}"#
                            ),
                        })
                        .collect(),
                    skipped: 0,
                }),
            },
        };
        queue.extend(update(&mut state, Msg::Fetched(id, reply)));
    }
    state
}

fn bench_render(c: &mut Criterion) {
    let state = fleet_state(500);
    let theme = Theme::builtin("dark").expect("theme");
    let keymap = Keymap::defaults().expect("keymap");
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    c.bench_function("frame_500_services_200x50", |b| {
        b.iter(|| {
            terminal.draw(|f| opsdeck::ui::render(black_box(&state), &theme, &keymap, f)).expect("draw");
        })
    });
    let mut state = fleet_state(500);
    c.bench_function("update_100_cursor_moves_500_services", |b| {
        b.iter(|| {
            for _ in 0..50 {
                black_box(update(&mut state, Msg::Action(Action::Down)));
            }
            for _ in 0..50 {
                black_box(update(&mut state, Msg::Action(Action::Up)));
            }
        })
    });
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
