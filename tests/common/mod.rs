//! Hand-made fleets for tests that must not depend on the simulator.
#![allow(dead_code)]

pub mod fake;
pub mod functions;

use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck::app::{update, Effect, Fetch, Msg, Reply, Settings, State};
use opsdeck::backend::BackendLabel;
use opsdeck::domain::*;
use opsdeck::keymap::{Action, KeyChord, Keymap};
use opsdeck::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::collections::BTreeMap;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 4, 0).unwrap()
}

pub fn service(cluster: &str, name: &str, desired: u32, running: u32, rollout: RolloutState) -> Service {
    Service {
        cluster: cluster.into(),
        name: name.into(),
        system: Some(cluster.trim_end_matches("-cluster").into()),
        desired,
        running,
        pending: 0,
        rollout,
        task_definition: TaskDefRef { family: name.into(), revision: 7 },
        deployments: vec![],
        last_deployment_at: Some(t0() - Duration::minutes(42)),
        log_group: Some(format!("/ecs/{name}")),
        target_groups: vec![],
    }
}

pub const CLEANISTIC_TG: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cleanistic-tg/6d0e";
pub const SVG_TG: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/svg-ai-tg/3f1c";

pub fn services() -> Vec<Service> {
    let mut cleanistic = service("cleanistic-ai-cluster", "cleanistic-ai-api", 2, 0, RolloutState::Failed);
    cleanistic.target_groups = vec![CLEANISTIC_TG.into()];
    let mut svg = service("svg-ai-cluster", "svg-ai-service", 2, 2, RolloutState::Completed);
    svg.target_groups = vec![SVG_TG.into()];
    vec![cleanistic, svg, service("prediction-app-cluster", "backend-service", 2, 1, RolloutState::InProgress)]
}

fn target(ip: &str, state: &str, reason: Option<&str>) -> TargetHealth {
    TargetHealth {
        id: ip.into(),
        port: Some(8000),
        state: TargetState::parse(state),
        reason: reason.map(str::to_string),
        description: reason.map(|_| "Health checks failed with these codes: [503]".to_string()),
    }
}

/// cleanistic: one healthy target and one failing its checks; svg: both healthy.
pub fn target_groups(arns: &[String]) -> Vec<TargetGroupHealth> {
    let group = |arn: &str, name: &str, targets| TargetGroupHealth {
        arn: arn.into(),
        name: name.into(),
        protocol: Some("HTTP".into()),
        port: Some(8000),
        target_type: Some("ip".into()),
        load_balancers: vec!["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1f2e".into()],
        health_check: HealthCheck {
            enabled: true,
            protocol: Some("HTTP".into()),
            path: Some("/health".into()),
            port: Some("traffic-port".into()),
            interval_secs: Some(10),
            timeout_secs: Some(5),
            healthy_threshold: Some(3),
            unhealthy_threshold: Some(2),
            matcher: Some("200".into()),
        },
        targets,
    };
    let all = [
        group(
            CLEANISTIC_TG,
            "cleanistic-tg",
            vec![
                target("10.0.1.7", "healthy", None),
                target("10.0.2.9", "unhealthy", Some("Target.ResponseCodeMismatch")),
            ],
        ),
        group(SVG_TG, "svg-ai-tg", vec![target("10.0.1.20", "healthy", None), target("10.0.3.4", "healthy", None)]),
    ];
    all.into_iter().filter(|g| arns.contains(&g.arn)).collect()
}

pub fn series(values: &[Option<f64>]) -> Series {
    Series { points: values.to_vec() }
}

pub fn endpoints() -> Vec<Endpoint> {
    vec![Endpoint {
        name: "prediction-endpoint".into(),
        status: "InService".into(),
        system: Some("prediction-app".into()),
        variants: vec![
            Variant {
                name: "model-v1".into(),
                instance_type: "ml.m5.xlarge".into(),
                current_instances: 2,
                desired_instances: 2,
                weight: 0.9,
            },
            Variant {
                name: "model-v2".into(),
                instance_type: "ml.m5.xlarge".into(),
                current_instances: 1,
                desired_instances: 1,
                weight: 0.1,
            },
        ],
        log_group: Some("/aws/sagemaker/Endpoints/prediction-endpoint".into()),
    }]
}

pub fn alarms() -> Vec<Alarm> {
    vec![
        Alarm {
            name: "svg-ai-high-cpu".into(),
            state: AlarmState::Ok,
            reason: "Threshold Crossed: no datapoints were greater than the threshold (80.0).".into(),
            state_since: t0() - Duration::hours(5),
            condition: "AWS/ECS CPUUtilization > 80".into(),
            watches: Some(Address::ecs("svg-ai-cluster", "svg-ai-service")),
            description: None,
            runbook_tag: None,
            rule: None,
        },
        Alarm {
            name: "CleanisticAI-HighErrorRate".into(),
            state: AlarmState::Alarm,
            reason: "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (5.0).".into(),
            state_since: t0() - Duration::minutes(3),
            condition: "5XX > 5".into(),
            watches: Some(Address::ecs("cleanistic-ai-cluster", "cleanistic-ai-api")),
            description: None,
            runbook_tag: None,
            rule: None,
        },
        Alarm {
            name: "GarmaxAI-QueueDepth-PROD".into(),
            state: AlarmState::InsufficientData,
            reason: "Insufficient Data: 1 datapoint was unknown.".into(),
            state_since: t0() - Duration::hours(2),
            condition: "SQS depth > 100".into(),
            watches: None,
            description: None,
            runbook_tag: None,
            rule: None,
        },
        Alarm {
            name: "prediction-endpoint-ModelLatency-high".into(),
            state: AlarmState::Ok,
            reason: "ok".into(),
            state_since: t0() - Duration::hours(9),
            condition: "ModelLatency p99 > 1s".into(),
            watches: Some(Address::endpoint("prediction-endpoint")),
            description: None,
            runbook_tag: None,
            rule: None,
        },
    ]
}

pub fn cost() -> CostReport {
    CostReport {
        as_of: t0(),
        currency: "USD".into(),
        today: 14.2,
        month_to_date: 301.5,
        forecast: 640.0,
        budget: Some(600.0),
        by_service: vec![
            ("Amazon SageMaker".into(), 180.0),
            ("Amazon Elastic Container Service".into(), 90.0),
            ("AWS Lambda".into(), 31.5),
        ],
        by_system: vec![
            SystemCost { system: "children-drawing".into(), month_to_date: 30.0, forecast: 44.0, budget: Some(40.0) },
            SystemCost { system: "svg-ai".into(), month_to_date: 80.0, forecast: 160.0, budget: Some(250.0) },
        ],
        daily: vec![],
        hourly: None,
    }
}

pub fn log_events(n: u64) -> Vec<LogEvent> {
    (1..=n)
        .map(|i| LogEvent {
            id: i,
            timestamp: t0() - Duration::seconds((n - i) as i64),
            stream: "ecs/api/abc123".into(),
            message: if i % 5 == 0 {
                format!(r#"{{"level":"error","status":500,"path":"/api/v1/detect","request_id":"r{i}"}}"#)
            } else {
                format!(r#"{{"level":"info","status":200,"path":"/api/v1/detect","request_id":"r{i}"}}"#)
            },
        })
        .collect()
}

pub fn new_state(size: (u16, u16)) -> State {
    State::new(BackendLabel::Demo { scenario: "calm".into(), seed: 42, speed: 1 }, Settings::default(), t0(), size)
}

/// Answer every fetch from the fixtures, feeding replies back through update.
pub fn answer(state: &mut State, effects: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    let mut queue = effects;
    while let Some(effect) = queue.pop() {
        match effect {
            // Watches read through the test's own backend, as do queries and charts.
            Effect::Fetch {
                fetch:
                    Fetch::Snapshots(_)
                    | Fetch::StartQuery(_)
                    | Fetch::QueryResults(_)
                    | Fetch::StopQuery(_)
                    | Fetch::LogRecord(_)
                    | Fetch::Chart { .. },
                ..
            } => rest.push(effect),
            Effect::Fetch { id, fetch } => {
                let reply = match fetch {
                    Fetch::Services => Reply::Services(Ok(services())),
                    Fetch::ServiceMetrics(addresses) => Reply::ServiceMetrics(Ok(addresses
                        .into_iter()
                        .map(|a| {
                            let m = ServiceMetrics {
                                cpu: series(&[Some(20.0), Some(40.0), Some(95.0)]),
                                memory: series(&[None, None, None]),
                            };
                            (a, m)
                        })
                        .collect())),
                    Fetch::ServiceDetail(address) => Reply::ServiceDetail(Ok(ServiceDetail {
                        address,
                        tasks: vec![Task {
                            id: "3f9a2c".into(),
                            task_definition: TaskDefRef { family: "cleanistic-ai-api".into(), revision: 15 },
                            last_status: "STOPPED".into(),
                            desired_status: "STOPPED".into(),
                            health: TaskHealth::Unhealthy,
                            started_at: Some(t0() - Duration::minutes(2)),
                            stopped_at: Some(t0() - Duration::minutes(1)),
                            stopped_reason: Some("Task failed ELB health checks".into()),
                            ip: Some("10.0.2.9".into()),
                        }],
                        revisions: vec![
                            TaskDefRef { family: "cleanistic-ai-api".into(), revision: 15 },
                            TaskDefRef { family: "cleanistic-ai-api".into(), revision: 14 },
                        ],
                        events: vec![ServiceEvent {
                            at: t0() - Duration::minutes(1),
                            message: "(service cleanistic-ai-api) deployment failed: tasks failed to start.".into(),
                        }],
                    })),
                    Fetch::Endpoints => Reply::Endpoints(Ok(endpoints())),
                    Fetch::EndpointMetrics(names) => {
                        let mut map = BTreeMap::new();
                        for name in names {
                            let mut variants = BTreeMap::new();
                            for v in ["model-v1", "model-v2"] {
                                variants.insert(
                                    v.to_string(),
                                    VariantMetrics {
                                        invocations: series(&[Some(120.0), Some(130.0)]),
                                        latency_p50_us: series(&[Some(80_000.0)]),
                                        latency_p99_us: series(&[Some(2_400_000.0)]),
                                        errors_4xx: series(&[Some(0.0)]),
                                        errors_5xx: series(&[Some(7.0)]),
                                        cpu: series(&[Some(35.0)]),
                                        gpu: None,
                                    },
                                );
                            }
                            map.insert(name, variants);
                        }
                        Reply::EndpointMetrics(Ok(map))
                    }
                    Fetch::Alarms => Reply::Alarms(Ok(alarms())),
                    Fetch::Cost { .. } => Reply::Cost(Ok(cost())),
                    Fetch::Logs { generation, .. } => {
                        Reply::Logs { generation, result: Ok(LogBatch { events: log_events(30), skipped: 0 }) }
                    }
                    Fetch::TargetHealth(arns) => Reply::TargetHealth(Ok(target_groups(&arns))),
                    Fetch::Functions(_) => Reply::Functions(Ok(functions::functions())),
                    Fetch::FunctionMetrics(fs) => Reply::FunctionMetrics(Ok(functions::function_metrics(&fs))),
                    Fetch::FunctionDetail(name) => {
                        Reply::FunctionDetail(Box::new(Ok(functions::function_detail(&name))))
                    }
                    Fetch::EndpointModels(names) => {
                        Reply::EndpointModels(Ok(names.iter().map(|n| functions::endpoint_models(n)).collect()))
                    }
                    Fetch::Snapshots(_)
                    | Fetch::StartQuery(_)
                    | Fetch::QueryResults(_)
                    | Fetch::StopQuery(_)
                    | Fetch::LogRecord(_)
                    | Fetch::Chart { .. } => unreachable!("passed through above"),
                };
                queue.extend(update(state, Msg::Fetched(id, reply)));
            }
            other => rest.push(other),
        }
    }
    rest
}

/// A state with every pane loaded from the fixtures, the log source settled.
pub fn loaded_state(size: (u16, u16)) -> State {
    let mut state = new_state(size);
    let effects = update(&mut state, Msg::Tick(t0()));
    answer(&mut state, effects);
    let effects = update(&mut state, Msg::Tick(t0() + Duration::milliseconds(250)));
    answer(&mut state, effects);
    state
}

pub fn act(state: &mut State, action: Action) -> Vec<Effect> {
    let effects = update(state, Msg::Action(action));
    answer(state, effects)
}

pub fn type_text(state: &mut State, text: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for c in text.chars() {
        let effects = update(state, Msg::Text(KeyChord::plain(c)));
        out.extend(answer(state, effects));
    }
    out
}

pub fn press(state: &mut State, key: &str) -> Vec<Effect> {
    let chord: KeyChord = key.parse().unwrap();
    let keymap = Keymap::defaults().unwrap();
    match opsdeck::app::key_to_msg(state, &keymap, chord) {
        Some(msg) => {
            let effects = update(state, msg);
            answer(state, effects)
        }
        None => vec![],
    }
}

pub fn draw(state: &State, theme: &Theme, size: (u16, u16)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    let keymap = Keymap::defaults().unwrap();
    terminal.draw(|f| opsdeck::ui::render(state, theme, &keymap, f)).unwrap();
    terminal.backend().buffer().clone()
}

pub fn text_of(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Position of the first cell where `needle` starts, searching row by row.
pub fn find(buffer: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buffer.area;
    for y in 0..area.height {
        let row: Vec<String> = (0..area.width).map(|x| buffer[(x, y)].symbol().to_string()).collect();
        let joined: String = row.concat();
        if let Some(byte) = joined.find(needle) {
            // Map the byte offset back to a column (cells may hold multi-byte symbols).
            let mut acc = 0;
            for (x, s) in row.iter().enumerate() {
                if acc == byte {
                    return Some((x as u16, y));
                }
                acc += s.len();
            }
        }
    }
    None
}
