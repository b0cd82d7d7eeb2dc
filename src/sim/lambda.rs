//! GARMAX AI's Lambda functions in motion, one second at a time: demand (the day's traffic, or a
//! scenario's surge) asks for concurrent executions, reserved concurrency caps them, what is
//! above the cap is throttled, and a queue-fed function's messages wait in its SQS queue. Every
//! invocation is drawn here (outcome, duration, request id) so the log lines, the per-minute
//! metrics, the alarms and the charts all count the same invocations.

use super::catalog::{ACCOUNT_CONCURRENCY, FUNCTIONS, TRYON};
use super::function_config::{BATCH_SIZE, CONFIGS, TIMEOUT_SECS};
use super::metrics::{load, SERIES_CAP};
use super::rng::{gauss, hex, rng_for, uuid, Stream};
use super::scenario::Scenario;
use crate::domain::{FunctionMetrics, Series};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, VecDeque};

/// Concurrency an SQS event-source mapping adds at most to work off a backlog within a minute
/// (Lambda scales SQS pollers up step by step, not at once).
const SCALE_STEP: f64 = 60.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    /// The handler threw (an invalid image URL in the job).
    Error,
    /// Ran into the function's timeout.
    Timeout,
}

/// One invocation as it was drawn, for its log lines.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub function: usize,
    pub ts_ms: i64,
    pub request_id: String,
    pub version: &'static str,
    /// The execution environment's id (the log stream's suffix).
    pub sandbox: String,
    /// Messages in the batch (1 for a function no queue feeds).
    pub batch: u32,
    pub duration_ms: f64,
    pub outcome: Outcome,
}

/// One closed minute of one function: what CloudWatch publishes for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Minute {
    pub minute: i64,
    pub invocations: Option<f64>,
    pub errors: Option<f64>,
    pub throttles: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub avg_ms: Option<f64>,
    pub concurrent: Option<f64>,
    /// ApproximateNumberOfMessagesVisible of the feeding queue at the minute's end.
    pub queue: Option<f64>,
}

#[derive(Debug, Clone, Default)]
struct Accum {
    invocations: u32,
    errors: u32,
    throttles: f64,
    durations: Vec<f64>,
    max_concurrent: f64,
}

#[derive(Debug, Clone)]
struct FunctionState {
    /// Messages waiting in the feeding queue.
    queue: f64,
    /// Fractions of an invocation carried to the next second.
    carry: f64,
    /// The minute's demand relative to the daily curve (traffic is never quite smooth).
    wobble: f64,
    /// Demand was above the cap in the last second: a direct invoke now is throttled too.
    saturated: bool,
    acc: Accum,
    minutes: VecDeque<Minute>,
    sandboxes: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Lambda {
    functions: Vec<FunctionState>,
    /// The minute being accumulated.
    current: Option<i64>,
    rng: ChaCha8Rng,
}

/// `sorted` values' nearest-rank percentile.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    (n > 0).then(|| sorted[(((n as f64) * p).ceil() as usize).clamp(1, n) - 1])
}

/// The version an invocation through the function's first alias runs (its weights decide), or
/// `$LATEST` when it has no alias; `pick` is uniform in [0, 1).
pub(crate) fn routed_version(f: usize, pick: f64) -> &'static str {
    let Some((_, version, weights)) = CONFIGS[f].aliases.first() else { return "$LATEST" };
    let mut acc = 0.0;
    for (other, w) in weights.iter() {
        acc += w;
        if pick < acc {
            return other;
        }
    }
    version
}

impl Lambda {
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = rng_for(seed, Stream::Lambda);
        let functions = FUNCTIONS
            .iter()
            .map(|_| FunctionState {
                queue: 0.0,
                carry: 0.0,
                wobble: 1.0,
                saturated: false,
                acc: Accum::default(),
                minutes: VecDeque::new(),
                sandboxes: (0..3).map(|_| hex(&mut rng, 32)).collect(),
            })
            .collect();
        Lambda { functions, current: None, rng }
    }

    /// Simulates second `t` with the reserved concurrency in effect; the invocations it started
    /// are appended to `out`.
    pub(crate) fn second(
        &mut self,
        t: i64,
        reserved: &[Option<u32>],
        scenario: Scenario,
        base: i64,
        out: &mut Vec<Invocation>,
    ) {
        let minute = t - t.rem_euclid(60);
        match self.current {
            Some(m) if m != minute => {
                self.close(m);
                self.current = Some(minute);
            }
            None => self.current = Some(minute),
            _ => {}
        }
        let set_aside: u32 = reserved.iter().flatten().sum();
        let unreserved = f64::from(ACCOUNT_CONCURRENCY.saturating_sub(set_aside));
        for f in 0..self.functions.len() {
            let config = &CONFIGS[f];
            let surge = if f == TRYON { scenario.tryon_surge((t - base) as f64) } else { None };
            let state = &mut self.functions[f];
            let demand = surge.unwrap_or(config.demand * load(t) * state.wobble);
            let cap = reserved.get(f).copied().flatten().map_or(unreserved, f64::from);
            let (used, batch, rate) = if FUNCTIONS[f].queue.is_some() {
                let arrivals = demand / config.work_secs;
                state.queue += arrivals;
                // Pollers take what arrived and, with room under the cap, work the backlog off.
                let backlog = (state.queue - arrivals).max(0.0);
                let want = demand + (backlog * config.work_secs / 60.0).min(SCALE_STEP);
                let used = want.min(cap);
                // A deep queue fills every batch; a shallow one hands over what is there.
                let batch = (state.queue / used.max(1.0)).clamp(1.0, f64::from(BATCH_SIZE));
                let secs = config.overhead_secs + batch * config.work_secs;
                let processed = (used / secs * batch).min(state.queue);
                state.queue -= processed;
                (used, batch, processed / batch)
            } else {
                let used = demand.min(cap);
                (used, 1.0, used / (config.overhead_secs + config.work_secs))
            };
            let secs = config.overhead_secs + batch * config.work_secs;
            // Throttles are the demand above the cap: its invocations are refused as they come.
            state.acc.throttles += (demand - cap).max(0.0) / secs;
            state.saturated = demand > cap;
            state.acc.max_concurrent = state.acc.max_concurrent.max(used);
            state.carry += rate;
            let n = state.carry.floor();
            state.carry -= n;
            let n = n as u32;
            for j in 0..n {
                let pick: f64 = self.rng.random();
                let outcome = if pick < config.timeout_rate {
                    Outcome::Timeout
                } else if pick < config.timeout_rate + config.error_rate {
                    Outcome::Error
                } else {
                    Outcome::Ok
                };
                let spread = (0.2 * gauss(&mut self.rng)).exp();
                let duration_ms = match outcome {
                    Outcome::Timeout => f64::from(TIMEOUT_SECS) * 1000.0,
                    // A bad job fails on its first message.
                    Outcome::Error => (config.overhead_secs + config.work_secs * 0.3) * 1000.0 * spread,
                    Outcome::Ok => (secs * 1000.0 * spread).min(f64::from(TIMEOUT_SECS) * 1000.0),
                };
                let version = routed_version(f, self.rng.random());
                let sandbox = state.sandboxes[self.rng.random_range(0..state.sandboxes.len())].clone();
                let request_id = uuid(&mut self.rng);
                let ts_ms = t * 1000 + i64::from(j) * 1000 / i64::from(n) + self.rng.random_range(0..100);
                state.acc.invocations += 1;
                state.acc.errors += u32::from(outcome != Outcome::Ok);
                state.acc.durations.push(duration_ms);
                out.push(Invocation {
                    function: f,
                    ts_ms,
                    request_id,
                    version,
                    sandbox,
                    batch: batch.round() as u32,
                    duration_ms,
                    outcome,
                });
            }
        }
    }

    /// An invocation made from the console: counted with the rest of its minute.
    pub(crate) fn record(&mut self, f: usize, duration_ms: f64, failed: bool) {
        if let Some(state) = self.functions.get_mut(f) {
            state.acc.invocations += 1;
            state.acc.errors += u32::from(failed);
            state.acc.durations.push(duration_ms);
            state.acc.max_concurrent = state.acc.max_concurrent.max(1.0);
        }
    }

    /// Whether a direct invocation now would be throttled: demand is above the cap.
    pub(crate) fn saturated(&self, f: usize) -> bool {
        self.functions.get(f).is_some_and(|s| s.saturated)
    }

    /// A sandbox id for a direct invocation.
    pub(crate) fn sandbox(&self, f: usize) -> String {
        self.functions.get(f).and_then(|s| s.sandboxes.first().cloned()).unwrap_or_default()
    }

    fn close(&mut self, minute: i64) {
        for (f, state) in self.functions.iter_mut().enumerate() {
            let acc = std::mem::take(&mut state.acc);
            let mut sorted = acc.durations;
            sorted.sort_by(f64::total_cmp);
            let invoked = acc.invocations > 0;
            let active = invoked || acc.throttles >= 0.5;
            let avg = invoked.then(|| sorted.iter().sum::<f64>() / sorted.len() as f64);
            let closed = Minute {
                minute,
                invocations: active.then_some(f64::from(acc.invocations)),
                errors: active.then_some(f64::from(acc.errors)),
                throttles: active.then_some(acc.throttles.round()),
                p50_ms: percentile(&sorted, 0.5),
                p99_ms: percentile(&sorted, 0.99),
                avg_ms: avg,
                concurrent: invoked.then_some(acc.max_concurrent.ceil()),
                queue: FUNCTIONS[f].queue.map(|_| state.queue.round()),
            };
            state.minutes.push_back(closed);
            while state.minutes.len() > SERIES_CAP {
                state.minutes.pop_front();
            }
            state.wobble = (1.0 + 0.1 * gauss(&mut self.rng)).clamp(0.7, 1.3);
        }
    }

    /// Function `f`'s closed minute starting at `minute`, while it is kept.
    pub(crate) fn minute(&self, f: usize, minute: i64) -> Option<&Minute> {
        self.functions.get(f)?.minutes.iter().rev().find(|m| m.minute == minute)
    }

    /// AWS/Lambda Duration without dimensions: the Average over every invocation of the minute.
    pub(crate) fn duration_all(&self, minute: i64) -> Option<f64> {
        let (sum, n) =
            (0..self.functions.len()).filter_map(|f| self.minute(f, minute)).fold((0.0, 0.0), |(s, n), m| {
                let k = m.invocations.unwrap_or(0.0);
                (s + m.avg_ms.unwrap_or(0.0) * k, n + k)
            });
        (n > 0.0).then(|| sum / n)
    }

    /// The last hour of function `f`, a point per minute.
    pub(crate) fn metrics(&self, f: usize) -> FunctionMetrics {
        let Some(state) = self.functions.get(f) else { return FunctionMetrics::default() };
        let series = |pick: fn(&Minute) -> Option<f64>| Series { points: state.minutes.iter().map(pick).collect() };
        let mut queue_depth = BTreeMap::new();
        if let Some(queue) = FUNCTIONS[f].queue {
            queue_depth.insert(queue.to_string(), series(|m| m.queue));
        }
        FunctionMetrics {
            invocations: series(|m| m.invocations),
            errors: series(|m| m.errors),
            throttles: series(|m| m.throttles),
            duration_p50_ms: series(|m| m.p50_ms),
            duration_p99_ms: series(|m| m.p99_ms),
            concurrent: series(|m| m.concurrent),
            queue_depth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `secs` seconds from a minute boundary with `reserved`; the last closed minute of
    /// the try-on processor.
    fn run(lambda: &mut Lambda, from: i64, secs: i64, reserved: &[Option<u32>], scenario: Scenario) -> Minute {
        let mut out = Vec::new();
        for t in from..from + secs {
            lambda.second(t, reserved, scenario, 0, &mut out);
        }
        let last = (from + secs - 1).div_euclid(60) * 60 - 60;
        lambda.minute(TRYON, last).cloned().unwrap_or_default()
    }

    const NOON: i64 = 12 * 3600;

    #[test]
    fn calm_demand_runs_under_the_cap_with_an_empty_queue() {
        let mut l = Lambda::new(1);
        let m = run(&mut l, NOON, 600, &[Some(10), None, Some(2)], Scenario::Calm);
        assert_eq!(m.throttles, Some(0.0));
        assert!(m.invocations.is_some_and(|n| n > 5.0), "{m:?}");
        assert!(m.queue.is_some_and(|q| q < 5.0), "{m:?}");
        assert!(m.concurrent.is_some_and(|c| c <= 10.0));
        assert!(m.p50_ms.is_some_and(|p| (3000.0..6000.0).contains(&p)), "{m:?}");
        assert!(l.duration_all(NOON + 480).is_some_and(|d| d < 30_000.0));
    }

    #[test]
    fn at_reserved_zero_everything_throttles_and_the_queue_grows() {
        let mut l = Lambda::new(2);
        let m = run(&mut l, NOON, 600, &[Some(0), None, Some(2)], Scenario::Calm);
        assert_eq!(m.invocations, Some(0.0));
        assert!(m.throttles.is_some_and(|t| t > 0.0));
        assert_eq!((m.p50_ms, m.concurrent), (None, None), "nothing ran: no duration, not a zero one");
        assert!(m.queue.is_some_and(|q| q > 100.0), "{m:?}");
        assert!(l.saturated(TRYON));
    }

    #[test]
    fn a_surge_above_the_cap_throttles_fills_batches_and_more_concurrency_drains_it() {
        let mut l = Lambda::new(3);
        let m = run(&mut l, 0, 600, &[Some(10), None, Some(2)], Scenario::LambdaThrottle);
        assert!(m.throttles.is_some_and(|t| t > 10.0), "{m:?}");
        assert_eq!(m.concurrent, Some(10.0), "capped at reserved");
        assert!(m.queue.is_some_and(|q| q > 1000.0), "{m:?}");
        assert!(m.p50_ms.is_some_and(|p| p > 30_000.0), "full batches run long: {m:?}");
        let m = run(&mut l, 600, 1800, &[None, None, Some(2)], Scenario::LambdaThrottle);
        assert_eq!(m.throttles, Some(0.0));
        assert!(m.queue.is_some_and(|q| q < 20.0), "{m:?}");
        assert!(!l.saturated(TRYON));
    }

    #[test]
    fn the_live_alias_sends_a_tenth_to_the_canary() {
        assert_eq!(routed_version(TRYON, 0.05), "8");
        assert_eq!(routed_version(TRYON, 0.5), "7");
        assert_eq!(routed_version(2, 0.5), "$LATEST");
    }
}
