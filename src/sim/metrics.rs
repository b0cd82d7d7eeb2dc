//! Per-minute CloudWatch datapoints. Seconds feed small accumulators; each minute boundary turns
//! them into one datapoint per metric, with autocorrelated noise so graphs wander like real ones.

use super::catalog::{has_gpu, ENDPOINTS, MODEL_V1, PREDICTION_ENDPOINT, SERVICES};
use super::rng::gauss;
use super::scenario::Scenario;
use crate::domain::{Series, ServiceMetrics, VariantMetrics};
use rand_chacha::ChaCha8Rng;

/// Minutes of history kept per series.
pub(crate) const SERIES_CAP: usize = 60;

/// Traffic over the day: busiest mid-afternoon UTC, quiet at night.
pub(crate) fn load(ts: i64) -> f64 {
    let hour = ts.rem_euclid(86_400) as f64 / 3600.0;
    0.65 + 0.35 * (std::f64::consts::TAU * (hour - 9.0) / 24.0).sin()
}

/// What one service did during the current minute.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Second {
    pub running: u32,
    pub serving: u32,
    /// Serving tasks of a broken revision: their share of traffic fails.
    pub failing: u32,
}

#[derive(Debug, Clone, Default)]
struct Accum {
    seconds: u32,
    running_secs: u32,
    min_running: Option<u32>,
    requests: f64,
    errors: f64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceSeries {
    pub metrics: ServiceMetrics,
    pub running: Series,
    pub error_rate: Series,
    pub target_5xx: Series,
    cpu_ar: f64,
    mem_ar: f64,
    acc: Accum,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct VariantSeries {
    pub metrics: VariantMetrics,
    ar: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Metrics {
    pub services: Vec<ServiceSeries>,
    pub variants: Vec<Vec<VariantSeries>>,
    /// Per endpoint: the calling API's response time in ms (CleanisticAI/API ResponseTime).
    pub response_ms: Vec<Series>,
    /// Instances serving each variant now: capacity relieves a load-driven slowdown.
    pub instances: Vec<Vec<u32>>,
    /// Each variant's part of its endpoint's traffic (its weight over the endpoint's total).
    pub shares: Vec<Vec<f64>>,
    /// Per endpoint: whether it takes traffic. One that does not publishes nothing.
    pub serving: Vec<bool>,
}

fn push(series: &mut Series, v: Option<f64>) {
    series.push_capped(v, SERIES_CAP);
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let variants = ENDPOINTS
            .iter()
            .map(|e| {
                e.variants
                    .iter()
                    .map(|v| VariantSeries {
                        metrics: VariantMetrics {
                            gpu: has_gpu(v.instance_type).then(Series::default),
                            ..VariantMetrics::default()
                        },
                        ar: 0.0,
                    })
                    .collect()
            })
            .collect();
        Metrics {
            services: vec![ServiceSeries::default(); SERVICES.len()],
            variants,
            response_ms: vec![Series::default(); ENDPOINTS.len()],
            instances: ENDPOINTS.iter().map(|e| e.variants.iter().map(|v| v.instances).collect()).collect(),
            shares: ENDPOINTS.iter().map(|e| e.variants.iter().map(|v| v.weight).collect()).collect(),
            serving: vec![true; ENDPOINTS.len()],
        }
    }

    pub(crate) fn second(&mut self, svc: usize, s: Second) {
        let Some(series) = self.services.get_mut(svc) else {
            return;
        };
        let acc = &mut series.acc;
        acc.seconds += 1;
        acc.running_secs += u32::from(s.running > 0);
        acc.min_running = Some(acc.min_running.map_or(s.running, |m| m.min(s.running)));
        // Scaled by the diurnal load when the minute closes.
        let req = SERVICES[svc].req_per_min / 60.0;
        acc.requests += req;
        if s.serving > 0 {
            acc.errors += req * f64::from(s.failing) / f64::from(s.serving);
        } else {
            acc.errors += req;
        }
    }

    /// Pretends the whole minute ran with every desired task healthy (history before start).
    pub(crate) fn assume_calm_minute(&mut self) {
        for (i, spec) in SERVICES.iter().enumerate() {
            for _ in 0..60 {
                let s = Second { running: spec.desired, serving: spec.desired, failing: 0 };
                self.second(i, s);
            }
        }
    }

    /// Closes the minute starting at `minute` (epoch seconds); `base` is the simulation's start.
    pub(crate) fn finish_minute(&mut self, minute: i64, base: i64, scenario: Scenario, rng: &mut ChaCha8Rng) {
        let l = load(minute);
        for (i, s) in self.services.iter_mut().enumerate() {
            finish_service(s, i, l, rng);
        }
        for (e, spec) in ENDPOINTS.iter().enumerate() {
            for (v, vs) in spec.variants.iter().enumerate() {
                let spike = e == PREDICTION_ENDPOINT && v == MODEL_V1;
                let current = self.instances[e][v];
                let factors: Vec<f64> = (0..6)
                    .map(|k| {
                        let elapsed = (minute + 5 + 10 * k - base) as f64;
                        if spike {
                            super::endpoints::relieved(scenario.latency_factor(elapsed), vs.instances, current)
                        } else {
                            1.0
                        }
                    })
                    .collect();
                let series = &mut self.variants[e][v];
                let share = self.serving[e].then_some(self.shares[e][v]);
                finish_variant(series, share.map(|s| spec.inv_per_min * s), vs, &factors, l, rng);
            }
            let p50 = self.variants[e].first().and_then(|v| v.metrics.latency_p50_us.latest());
            let ms = p50.map(|us| us / 1000.0 + 35.0 + 4.0 * gauss(rng).abs());
            push(&mut self.response_ms[e], ms);
        }
    }
}

fn finish_service(s: &mut ServiceSeries, i: usize, l: f64, rng: &mut ChaCha8Rng) {
    let spec = &SERVICES[i];
    let acc = std::mem::take(&mut s.acc);
    s.cpu_ar = 0.85 * s.cpu_ar + 0.5 * gauss(rng);
    s.mem_ar = 0.95 * s.mem_ar + 0.3 * gauss(rng);
    let noise = gauss(rng);
    let (cpu, mem) = if acc.running_secs == 0 {
        (None, None)
    } else {
        let cpu = spec.cpu_base * (0.7 + 0.5 * l) + 2.5 * s.cpu_ar + 1.2 * noise;
        let mem = spec.mem_base + 2.0 * s.mem_ar + 0.4 * noise;
        (Some(cpu.clamp(0.3, 100.0)), Some(mem.clamp(1.0, 100.0)))
    };
    push(&mut s.metrics.cpu, cpu);
    push(&mut s.metrics.memory, mem);
    push(&mut s.running, acc.min_running.map(f64::from));
    let requests = acc.requests * l;
    let errors = acc.errors * l;
    // With no task running all minute (a service scaled to 0) the app publishes no error rate and
    // no target answers: missing data, not 100 % errors.
    let ran = acc.running_secs > 0;
    let rate = (ran && requests > 0.0).then(|| (100.0 * errors / requests + 0.3 + 0.15 * gauss(rng)).clamp(0.0, 100.0));
    push(&mut s.error_rate, rate);
    let fivexx = (requests * 0.002 + errors + 0.5 * gauss(rng)).round().max(0.0);
    push(&mut s.target_5xx, ran.then_some(fivexx));
}

/// Closes one variant's minute; `inv_per_min` is the variant's part of its endpoint's traffic,
/// None when the endpoint does not serve (every datapoint missing, noise still drawn so the other
/// series keep their story).
fn finish_variant(
    s: &mut VariantSeries,
    inv_per_min: Option<f64>,
    spec: &super::catalog::VariantSpec,
    factors: &[f64],
    l: f64,
    rng: &mut ChaCha8Rng,
) {
    let mean_f = factors.iter().sum::<f64>() / factors.len().max(1) as f64;
    let max_f = factors.iter().copied().fold(1.0, f64::max);
    s.ar = 0.8 * s.ar + 0.4 * gauss(rng);
    let m = &mut s.metrics;
    let serving = inv_per_min.is_some();
    let inv = (inv_per_min.unwrap_or(0.0) * l * (1.0 + 0.08 * gauss(rng))).round().max(0.0);
    let p50 = spec.p50_ms * 1000.0 * mean_f * (1.0 + 0.05 * s.ar).max(0.5);
    let p99 = spec.p99_ms * 1000.0 * (0.7 * max_f + 0.3 * mean_f) * (1.0 + 0.08 * s.ar).max(0.5);
    let degraded = ((mean_f - 1.0) / 40.0).clamp(0.0, 1.0);
    let e5 = (inv * (0.001 + 0.25 * degraded) + 0.3 * gauss(rng)).round().max(0.0);
    let e4 = (inv * 0.004 + 0.6 * gauss(rng).abs()).round();
    let util = (0.12 + 0.18 * l + 0.6 * degraded).min(0.97);
    let cpu = (spec.vcpus * 100.0 * util + 2.0 * gauss(rng)).clamp(0.5, spec.vcpus * 100.0);
    let gpu = m.gpu.is_some().then(|| (util * 100.0 + 3.0 * gauss(rng)).clamp(0.0, 100.0));
    let seen = |v: f64| serving.then_some(v);
    push(&mut m.invocations, seen(inv));
    push(&mut m.latency_p50_us, seen(p50));
    push(&mut m.latency_p99_us, seen(p99));
    push(&mut m.errors_4xx, seen(e4));
    push(&mut m.errors_5xx, seen(e5));
    push(&mut m.cpu, seen(cpu));
    if let (Some(series), Some(gpu)) = (m.gpu.as_mut(), gpu) {
        push(series, seen(gpu));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{rng_for, Stream};

    #[test]
    fn no_running_task_means_no_datapoint() {
        let mut m = Metrics::new();
        let mut rng = rng_for(1, Stream::Metrics);
        for i in 0..SERVICES.len() {
            for _ in 0..60 {
                m.second(i, Second::default());
            }
        }
        m.finish_minute(0, 0, Scenario::Calm, &mut rng);
        let s = &m.services[0];
        assert_eq!(s.metrics.cpu.points, vec![None]);
        assert_eq!(s.metrics.memory.points, vec![None]);
        assert_eq!(s.running.latest(), Some(0.0));
        assert_eq!((s.error_rate.latest(), s.target_5xx.latest()), (None, None));
    }

    #[test]
    fn cpu_instance_has_no_gpu_and_cpu_sums_cores() {
        let mut m = Metrics::new();
        let mut rng = rng_for(1, Stream::Metrics);
        for k in 0..30 {
            m.assume_calm_minute();
            m.finish_minute(k * 60, 0, Scenario::Calm, &mut rng);
        }
        let v = &m.variants[0][0].metrics;
        assert!(v.gpu.is_none());
        assert!(v.cpu.points.iter().flatten().all(|c| (0.0..=200.0).contains(c)));
        assert_eq!(v.cpu.points.len(), 30);
    }
}
