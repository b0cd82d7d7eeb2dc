//! The simulated account as one state machine advanced in one-second steps. The state at second
//! T depends only on (seed, scenario, start, T): reads never draw randomness, and history before
//! the start is rolled from its own random stream.

use super::alarms::Alarms;
use super::billing::Meter;
use super::catalog::{
    load_balancer, target_group_arn, Source, ALARMS, CLEANISTIC_API, ENDPOINTS, FUNCTIONS, MODEL_V1,
    PREDICTION_ENDPOINT, SERVICES,
};
use super::cost;
use super::endpoints::EndpointState;
use super::history::{self, MetricHistory};
use super::insights::Queries;
use super::lambda::{Invocation, Lambda};
use super::lambda_logs;
use super::logs::LogStore;
use super::logtext;
use super::metrics::{load, Metrics, Second};
use super::params::Parameters;
use super::rng::{count_for_rate, gauss, hex, rng_for, Stream};
use super::scaling::Scaling;
use super::scenario::{Scenario, BAD_DEPLOY_AT, BAD_REVISION};
use super::serverless::Serverless;
use super::service::seeded;
use super::smlogs;
use super::tasks::{Fate, Note, Phase, ServiceState};
use crate::domain::{MetricId, TargetState};
use chrono::{DateTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// Metric history rolled before the start, in minutes.
const PRE_ROLL_MINUTES: i64 = 30;
/// Log history rolled before the start, in seconds.
const PRE_ROLL_LOG_SECS: i64 = 3600;
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) scenario: Scenario,
    /// Epoch second of the simulation start.
    base: i64,
    /// Last second simulated.
    pub(crate) t: i64,
    /// Mutations applied so far: each request gets its own id, even several in one second.
    pub(crate) requests: u64,
    pub(crate) rng_tasks: ChaCha8Rng,
    rng_logs: ChaCha8Rng,
    rng_metrics: ChaCha8Rng,
    pub services: Vec<ServiceState>,
    /// Log streams per endpoint, per variant, per instance.
    instances: Vec<Vec<Vec<Arc<str>>>>,
    pub metrics: Metrics,
    pub logs: LogStore,
    pub alarms: Alarms,
    /// Each minute's datapoint of every metric published, for charts and `opsdeck metric`.
    pub history: MetricHistory,
    /// Logs Insights queries started, running or done.
    pub queries: Queries,
    /// Endpoint capacity and their Creating, Updating and Deleting windows.
    pub endpoints: Vec<EndpointState>,
    /// Application Auto Scaling targets and policies.
    pub scaling: Scaling,
    /// GARMAX AI's Lambda functions and EventBridge rules.
    pub serverless: Serverless,
    /// The functions' invocations, throttles and queues.
    pub lambda: Lambda,
    /// SSM Parameter Store.
    pub params: Parameters,
    /// What ran when, for the bill.
    pub meter: Meter,
    notes: Vec<Note>,
    lines: Vec<String>,
}

impl World {
    pub(crate) fn new(seed: u64, scenario: Scenario, start: DateTime<Utc>) -> Self {
        let base = start.timestamp();
        let mut pre = rng_for(seed, Stream::PreRoll);
        let replaced = pre.random_range(0..SERVICES.len());
        let ago = pre.random_range(600..3000);
        let services = SERVICES
            .iter()
            .enumerate()
            .map(|(i, spec)| seeded(spec, base, (i == replaced).then_some(ago), &mut pre))
            .collect();
        let instances = ENDPOINTS
            .iter()
            .map(|e| {
                e.variants
                    .iter()
                    .map(|v| {
                        (0..v.instances).map(|_| Arc::from(format!("{}/i-0{}", v.name, hex(&mut pre, 16)))).collect()
                    })
                    .collect()
            })
            .collect();
        let mut logs = LogStore::default();
        for spec in &SERVICES {
            logs.add_group(spec.log_group);
        }
        for spec in &ENDPOINTS {
            logs.add_group(spec.log_group);
        }
        for spec in &FUNCTIONS {
            logs.add_group(spec.log_group);
        }
        let mut world = World {
            seed,
            scenario,
            base,
            t: base - 1,
            rng_tasks: rng_for(seed, Stream::Tasks),
            rng_logs: rng_for(seed, Stream::Logs),
            rng_metrics: rng_for(seed, Stream::Metrics),
            services,
            instances,
            metrics: Metrics::new(),
            logs,
            alarms: Alarms::new(),
            history: MetricHistory::default(),
            queries: Queries::default(),
            endpoints: EndpointState::seeded(),
            scaling: Scaling::seeded(),
            serverless: Serverless::seeded(),
            lambda: Lambda::new(seed),
            params: Parameters::seeded(),
            meter: Meter::default(),
            notes: Vec::new(),
            lines: Vec::new(),
            requests: 0,
        };
        world.pre_roll(&mut pre);
        world
    }

    fn pre_roll(&mut self, pre: &mut ChaCha8Rng) {
        let last = self.base - self.base.rem_euclid(60);
        // The functions first: the minutes below read their closed minutes for the alarms.
        for s in last - PRE_ROLL_LOG_SECS..self.base {
            self.lambda_second(s);
        }
        for k in (1..=PRE_ROLL_MINUTES).rev() {
            let minute = last - 60 * k;
            self.metrics.assume_calm_minute();
            self.metrics.finish_minute(minute, self.base, self.scenario, pre);
            self.record_history(minute);
            self.record_alarms(minute, pre);
        }
        // First evaluation on full windows; pretend each alarm has held its state for a while.
        self.alarms.evaluate(last, || last - pre.random_range(3 * 3600..5 * 86_400) / 60 * 60);
        for s in self.base - PRE_ROLL_LOG_SECS..self.base {
            for i in 0..self.services.len() {
                let mut serving = Vec::new();
                for k in &self.services[i].tasks {
                    let Some(started) = k.started_at else {
                        continue;
                    };
                    let stopped = k.stopped_at.unwrap_or(i64::MAX);
                    if started == s {
                        self.notes.push(Note::Started { stream: k.stream.clone(), fate: k.fate });
                    }
                    if stopped == s + 5 {
                        self.notes.push(Note::Stopping { stream: k.stream.clone(), fate: k.fate });
                    }
                    if started <= s && s < stopped {
                        serving.push((k.stream.clone(), k.fate));
                    }
                }
                self.lifecycle_logs(i, s);
                self.request_logs(i, s, &serving, pre);
            }
            for e in 0..ENDPOINTS.len() {
                self.endpoint_logs(e, s, pre);
            }
        }
    }

    /// Epoch second of the simulation start.
    pub(crate) fn base(&self) -> i64 {
        self.base
    }

    /// Simulates every second up to `now`.
    pub(crate) fn catch_up(&mut self, now: DateTime<Utc>) {
        let target = now.timestamp();
        while self.t < target {
            self.t += 1;
            self.step(self.t);
        }
    }

    fn step(&mut self, t: i64) {
        self.lambda_second(t);
        if self.scenario == Scenario::BadDeploy && t - self.base == BAD_DEPLOY_AT {
            self.services[CLEANISTIC_API].deploy(t, BAD_REVISION, true, &mut self.rng_tasks);
        }
        let mut rng = self.rng_logs.clone();
        for i in 0..self.services.len() {
            self.services[i].step(t, &mut self.rng_tasks, &mut self.notes);
            self.lifecycle_logs(i, t);
            let tasks = &self.services[i].tasks;
            let serving: Vec<(Arc<str>, Fate)> =
                tasks.iter().filter(|k| k.is_serving()).map(|k| (k.stream.clone(), k.fate)).collect();
            let second = Second {
                running: tasks.iter().filter(|k| k.phase == Phase::Running).count() as u32,
                serving: serving.len() as u32,
                failing: serving.iter().filter(|(_, f)| *f != Fate::Healthy).count() as u32,
            };
            self.metrics.second(i, second);
            self.request_logs(i, t, &serving, &mut rng);
        }
        for e in 0..ENDPOINTS.len() {
            if self.endpoints[e].step(t) {
                self.endpoint_changed(e);
            }
            self.endpoint_logs(e, t, &mut rng);
        }
        self.rng_logs = rng;
        if t.rem_euclid(60) == 0 {
            let minute = t - 60;
            let mut rng = self.rng_metrics.clone();
            self.metrics.finish_minute(minute, self.base, self.scenario, &mut rng);
            self.record_history(minute);
            self.record_alarms(minute, &mut rng);
            self.rng_metrics = rng;
            self.alarms.evaluate(t, || t);
        }
    }

    fn record_alarms(&mut self, minute: i64, rng: &mut ChaCha8Rng) {
        for (i, spec) in ALARMS.iter().enumerate() {
            let m = &self.metrics;
            let value = match spec.source {
                Source::EcsCpu(s) => m.services[s].metrics.cpu.latest(),
                Source::EcsMemory(s) => m.services[s].metrics.memory.latest(),
                Source::EcsRunning(s) => m.services[s].running.latest(),
                Source::ErrorRate(s) => m.services[s].error_rate.latest(),
                Source::Target5xx(s) => m.services[s].target_5xx.latest(),
                Source::VariantP99(e, v) => m.variants[e][v].metrics.latency_p99_us.latest(),
                Source::ResponseTimeMs(e) => m.response_ms[e].latest(),
                Source::SystemCharges(system) => {
                    let at = DateTime::<Utc>::from_timestamp(minute + 60, 0).unwrap_or_default();
                    Some(cost::system_month_to_date(self.seed, at, system, &self.meter))
                }
                Source::Synthetic { mean, sd } => Some((mean + sd * gauss(rng)).max(0.0).round()),
                Source::LambdaThrottles(f) => self.lambda.minute(f, minute).and_then(|m| m.throttles),
                Source::QueueVisible(f) => self.lambda.minute(f, minute).and_then(|m| m.queue),
                Source::LambdaDurationAll => {
                    // Drawn as when this alarm's datapoints were noise, so every other series
                    // keeps the story it had.
                    let _ = gauss(rng);
                    self.lambda.duration_all(minute)
                }
                Source::NoData => None,
            };
            self.alarms.record(i, minute, value);
            let metric = super::alarms::metric_of(spec);
            let stat = spec.metric.split_whitespace().nth(2).unwrap_or("");
            self.history.record(history::key(&metric, stat), minute, value);
        }
    }

    /// The minute's datapoints of the services, their target groups and the variants.
    fn record_history(&mut self, minute: i64) {
        let m = &self.metrics;
        let h = &mut self.history;
        let mut put = |namespace: &str, name: &str, dims: &[(&str, &str)], stat: &str, value: Option<f64>| {
            h.record(history::key(&MetricId::new(namespace, name, dims), stat), minute, value);
        };
        for (i, spec) in SERVICES.iter().enumerate() {
            let s = &m.services[i];
            let dims = [("ClusterName", spec.cluster), ("ServiceName", spec.name)];
            put("AWS/ECS", "CPUUtilization", &dims, "", s.metrics.cpu.latest());
            put("AWS/ECS", "MemoryUtilization", &dims, "", s.metrics.memory.latest());
            put("ECS/ContainerInsights", "RunningTaskCount", &dims, "", s.running.latest());
            let Some(tg) = spec.target_group else { continue };
            let (tg_dim, lb_dim) = (format!("targetgroup/{tg}"), load_balancer(spec.system));
            let dims = [("TargetGroup", tg_dim.as_str()), ("LoadBalancer", lb_dim.as_str())];
            put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", &dims, "", s.target_5xx.latest());
            let groups = super::targets::target_groups(&self.services, &[target_group_arn(tg)], minute + 60);
            let states = groups.iter().flat_map(|g| &g.targets).map(|t| &t.state);
            let (healthy, unhealthy) = states.fold((0.0, 0.0), |(ok, bad), s| match s {
                TargetState::Healthy => (ok + 1.0, bad),
                s if s.is_unhealthy() => (ok, bad + 1.0),
                _ => (ok, bad),
            });
            put("AWS/ApplicationELB", "HealthyHostCount", &dims, "", Some(healthy));
            put("AWS/ApplicationELB", "UnHealthyHostCount", &dims, "", Some(unhealthy));
        }
        for (f, spec) in FUNCTIONS.iter().enumerate() {
            let Some(m) = self.lambda.minute(f, minute) else { continue };
            let dims = [("FunctionName", spec.name)];
            put("AWS/Lambda", "Invocations", &dims, "", m.invocations);
            put("AWS/Lambda", "Errors", &dims, "", m.errors);
            put("AWS/Lambda", "Throttles", &dims, "", m.throttles);
            put("AWS/Lambda", "Duration", &dims, "Average", m.avg_ms);
            put("AWS/Lambda", "Duration", &dims, "p50", m.p50_ms);
            put("AWS/Lambda", "Duration", &dims, "p99", m.p99_ms);
            put("AWS/Lambda", "ConcurrentExecutions", &dims, "", m.concurrent);
            if let Some(queue) = spec.queue {
                put("AWS/SQS", "ApproximateNumberOfMessagesVisible", &[("QueueName", queue)], "", m.queue);
            }
        }
        put("AWS/Lambda", "Duration", &[], "Average", self.lambda.duration_all(minute));
        for (e, spec) in ENDPOINTS.iter().enumerate() {
            for (v, variant) in spec.variants.iter().enumerate() {
                let vm = &m.variants[e][v].metrics;
                let dims = [("EndpointName", spec.name), ("VariantName", variant.name)];
                put("AWS/SageMaker", "Invocations", &dims, "", vm.invocations.latest());
                put("AWS/SageMaker", "ModelLatency", &dims, "p50", vm.latency_p50_us.latest());
                put("AWS/SageMaker", "ModelLatency", &dims, "p99", vm.latency_p99_us.latest());
                put("AWS/SageMaker", "Invocation4XXErrors", &dims, "", vm.errors_4xx.latest());
                put("AWS/SageMaker", "Invocation5XXErrors", &dims, "", vm.errors_5xx.latest());
                put("/aws/sagemaker/Endpoints", "CPUUtilization", &dims, "", vm.cpu.latest());
                if let Some(gpu) = &vm.gpu {
                    put("/aws/sagemaker/Endpoints", "GPUUtilization", &dims, "", gpu.latest());
                }
            }
        }
    }

    /// Start-up and shutdown lines for the task changes noted this second.
    fn lifecycle_logs(&mut self, svc: usize, t: i64) {
        let spec = &SERVICES[svc];
        for note in std::mem::take(&mut self.notes) {
            self.lines.clear();
            let (stream, offset) = match note {
                Note::Started { stream, fate } => {
                    logtext::startup(spec.style, t * 1000, spec.port, fate, &mut self.lines);
                    (stream, 300)
                }
                Note::Stopping { stream, fate } => {
                    logtext::shutdown(spec.style, t * 1000, fate, &mut self.lines);
                    (stream, 600)
                }
            };
            self.flush(svc, t * 1000 + offset, &stream);
        }
    }

    fn request_logs(&mut self, svc: usize, t: i64, serving: &[(Arc<str>, Fate)], rng: &mut ChaCha8Rng) {
        let spec = &SERVICES[svc];
        let n = count_for_rate(rng, spec.log_per_sec * load(t));
        if serving.is_empty() {
            return;
        }
        for (stream, fate) in serving {
            if *fate == Fate::FailElb && rng.random_bool(0.2) {
                self.lines.clear();
                logtext::failed_health_check(spec.style, rng, &mut self.lines);
                self.flush(svc, t * 1000 + rng.random_range(0..1000), stream);
            }
        }
        for j in 0..n {
            let (stream, fate) = &serving[rng.random_range(0..serving.len())];
            let ts = t * 1000 + i64::from(j) * 1000 / i64::from(n) + rng.random_range(0..200);
            self.lines.clear();
            logtext::request(spec.style, ts, *fate, rng, &mut self.lines);
            self.flush(svc, ts, stream);
        }
    }

    fn endpoint_logs(&mut self, e: usize, t: i64, rng: &mut ChaCha8Rng) {
        let spec = &ENDPOINTS[e];
        let n = count_for_rate(rng, spec.log_per_sec * load(t));
        // No instances take traffic while an endpoint is created, deleted or gone: no invocation lines.
        if !self.endpoints[e].serving() {
            return;
        }
        for j in 0..n {
            let v = self.endpoints[e].pick_variant(rng.random());
            let variant = &spec.variants[v];
            let streams = &self.instances[e][v];
            let Some(stream) = streams.get(rng.random_range(0..streams.len().max(1))).cloned() else {
                continue;
            };
            let factor = if e == PREDICTION_ENDPOINT && v == MODEL_V1 {
                let raw = self.scenario.latency_factor((t - self.base) as f64);
                super::endpoints::relieved(raw, variant.instances, self.endpoints[e].variants[v].current)
            } else {
                1.0
            };
            let ts = t * 1000 + i64::from(j) * 1000 / i64::from(n) + rng.random_range(0..200);
            let model = format!("prediction-model-{}", variant.name.trim_start_matches("model-"));
            self.lines.clear();
            smlogs::invocation(spec.style, ts, &model, variant.p50_ms, factor, rng, &mut self.lines);
            self.flush(SERVICES.len() + e, ts, &stream);
        }
    }

    /// New instances came InService, old ones left, weights or the status changed: log streams
    /// and metrics follow.
    pub(crate) fn endpoint_changed(&mut self, e: usize) {
        let state = &self.endpoints[e];
        for (v, variant) in state.variants.iter().enumerate() {
            let name = ENDPOINTS[e].variants[v].name;
            let streams = &mut self.instances[e][v];
            while streams.len() < variant.current as usize {
                streams.push(Arc::from(format!("{name}/i-0{}", hex(&mut self.rng_tasks, 16))));
            }
            streams.truncate(variant.current as usize);
            self.metrics.instances[e][v] = variant.current;
        }
        self.metrics.shares[e] = state.traffic_shares();
        self.metrics.serving[e] = state.serving();
    }

    /// One second of the functions, their invocations written to their log groups.
    fn lambda_second(&mut self, t: i64) {
        let reserved: Vec<Option<u32>> = (0..FUNCTIONS.len()).map(|f| self.serverless.reserved(f)).collect();
        let mut started = Vec::new();
        self.lambda.second(t, &reserved, self.scenario, self.base, &mut started);
        for inv in &started {
            self.write_invocation(inv, &[]);
        }
    }

    /// An invocation's lines in its function's log group.
    pub(crate) fn write_invocation(&mut self, inv: &Invocation, handler_lines: &[String]) {
        self.lines.clear();
        lambda_logs::lines(inv, handler_lines, &mut self.lines);
        let stream: Arc<str> = Arc::from(lambda_logs::stream(inv.ts_ms, inv.version, &inv.sandbox));
        self.flush(SERVICES.len() + ENDPOINTS.len() + inv.function, inv.ts_ms, &stream);
    }

    /// Writes the pending lines to a group, one millisecond apart.
    fn flush(&mut self, group: usize, ts: i64, stream: &Arc<str>) {
        if let Some(g) = self.logs.group_mut(group) {
            for (k, line) in self.lines.iter().enumerate() {
                g.push(ts + k as i64, stream, line);
            }
        }
    }
}
