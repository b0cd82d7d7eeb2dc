//! The scripted incidents layered over the calm fleet, and their timelines.

/// One selectable scenario, for `--demo <name>` help and the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScenarioInfo {
    pub name: &'static str,
    pub description: &'static str,
}

/// A `--demo` option the simulated fleet cannot play.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("unknown scenario '{name}' (known: {known})")]
    UnknownScenario { name: String, known: String },
}

static SCENARIOS: [ScenarioInfo; 5] = [
    ScenarioInfo { name: "calm", description: "Healthy fleet: noise, the odd task replacement, no alarms firing" },
    ScenarioInfo {
        name: "bad-deploy",
        description: "cleanistic-ai-api revision 15 crashes on startup (KeyError: 'MODEL_PATH'); \
                      the rollout fails and CleanisticAI-HighErrorRate fires",
    },
    ScenarioInfo {
        name: "latency-spike",
        description: "prediction-endpoint model-v1 latency climbs to seconds with worker \
                      timeouts; prediction-endpoint-ModelLatency-high fires",
    },
    ScenarioInfo {
        name: "lambda-throttle",
        description: "a try-on campaign drives GarmaxAi-TryonProcessor-PROD to ~3x its reserved concurrency \
                      of 10: throttles, garmax-tryon-queue backs up, GarmaxAI-TryonThrottles-PROD fires",
    },
    ScenarioInfo {
        name: "model-drift",
        description: "prediction-endpoint's Model Monitor run finds data-quality violations: \
                      the endpoint's model shows drift",
    },
];

/// Every scenario `SimFleet::new` accepts.
pub fn scenarios() -> &'static [ScenarioInfo] {
    &SCENARIOS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scenario {
    Calm,
    BadDeploy,
    LatencySpike,
    LambdaThrottle,
    ModelDrift,
}

/// Seconds after start at which the bad revision is deployed.
pub(crate) const BAD_DEPLOY_AT: i64 = 20;
/// Revision the bad-deploy scenario ships.
pub(crate) const BAD_REVISION: u32 = 15;
/// Seconds after start at which model-v1 begins to slow down.
pub(crate) const SPIKE_AT: f64 = 30.0;
/// Seconds the latency takes to reach its plateau.
const SPIKE_RAMP: f64 = 60.0;
/// Plateau multiplier over normal latency (80 ms p50 -> ~3.3 s).
const SPIKE_PEAK: f64 = 40.0;

/// Seconds after start at which the try-on campaign begins (lambda-throttle).
pub(crate) const SURGE_AT: f64 = 60.0;
/// Seconds the campaign takes to reach its peak, how long the peak holds, and how long it takes to
/// ease to the level it keeps.
const SURGE_RAMP: f64 = 120.0;
const SURGE_HOLD: f64 = 360.0;
const SURGE_EASE: f64 = 240.0;
/// Concurrent executions the try-on processor is asked for at the peak (3x its reserved 10) and
/// after it (still above 10: without more concurrency the throttling never ends).
const SURGE_PEAK: f64 = 30.0;
const SURGE_AFTER: f64 = 15.0;

impl Scenario {
    pub(crate) fn parse(name: &str) -> Result<Self, SimError> {
        match name {
            "calm" => Ok(Scenario::Calm),
            "bad-deploy" => Ok(Scenario::BadDeploy),
            "latency-spike" => Ok(Scenario::LatencySpike),
            "lambda-throttle" => Ok(Scenario::LambdaThrottle),
            "model-drift" => Ok(Scenario::ModelDrift),
            _ => Err(SimError::UnknownScenario {
                name: name.to_string(),
                known: SCENARIOS.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
            }),
        }
    }

    /// The try-on processor's demand in concurrent executions `elapsed` seconds after start, when
    /// the scenario drives it (None: the calm daily curve).
    pub(crate) fn tryon_surge(self, elapsed: f64) -> Option<f64> {
        if self != Scenario::LambdaThrottle || elapsed < SURGE_AT {
            return None;
        }
        let into = elapsed - SURGE_AT;
        Some(if into < SURGE_RAMP {
            SURGE_PEAK * into / SURGE_RAMP
        } else if into < SURGE_RAMP + SURGE_HOLD {
            SURGE_PEAK
        } else {
            let eased = ((into - SURGE_RAMP - SURGE_HOLD) / SURGE_EASE).min(1.0);
            SURGE_PEAK + (SURGE_AFTER - SURGE_PEAK) * eased
        })
    }

    /// Multiplier on prediction-endpoint/model-v1 latency `elapsed` seconds after start.
    pub(crate) fn latency_factor(self, elapsed: f64) -> f64 {
        if self != Scenario::LatencySpike || elapsed < SPIKE_AT {
            return 1.0;
        }
        let ramp = ((elapsed - SPIKE_AT) / SPIKE_RAMP).min(1.0);
        1.0 + (SPIKE_PEAK - 1.0) * ramp.powf(1.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_scenario_parses() {
        for info in scenarios() {
            assert!(Scenario::parse(info.name).is_ok(), "{}", info.name);
        }
    }

    #[test]
    fn unknown_scenario_lists_known_ones() {
        let err = Scenario::parse("meteor").err();
        match err {
            Some(SimError::UnknownScenario { name, known }) => {
                assert_eq!(name, "meteor");
                assert!(known.contains("calm") && known.contains("bad-deploy"));
            }
            None => panic!("expected an error"),
        }
    }

    #[test]
    fn latency_factor_ramps_only_in_spike() {
        assert_eq!(Scenario::Calm.latency_factor(500.0), 1.0);
        assert_eq!(Scenario::LatencySpike.latency_factor(10.0), 1.0);
        let late = Scenario::LatencySpike.latency_factor(200.0);
        assert!(late > 30.0);
    }

    #[test]
    fn the_tryon_surge_peaks_at_three_times_reserved_and_stays_above_it() {
        assert_eq!(Scenario::Calm.tryon_surge(600.0), None);
        assert_eq!(Scenario::LambdaThrottle.tryon_surge(30.0), None);
        assert_eq!(Scenario::LambdaThrottle.tryon_surge(SURGE_AT + 200.0), Some(30.0));
        let late = Scenario::LambdaThrottle.tryon_surge(5000.0).unwrap_or(0.0);
        assert!(late > 10.0 && late < 30.0, "{late}");
    }
}
