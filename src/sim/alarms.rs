//! CloudWatch alarm evaluation over the simulated datapoints: "N out of the last M" one-minute
//! datapoints, missing data treated as missing, reasons worded the way CloudWatch words them.

use super::catalog::{load_balancer, AlarmSpec, Cmp, Source, Watch, ALARMS, ENDPOINTS, FUNCTIONS, SERVICES};
use crate::domain::{Address, Alarm, AlarmRule, AlarmState, AlarmTransition, Comparison, MetricId};
use chrono::{DateTime, Utc};
use std::collections::VecDeque;

#[derive(Debug, Clone)]
struct AlarmSim {
    spec: &'static AlarmSpec,
    /// (period start, value), oldest first.
    window: VecDeque<(i64, Option<f64>)>,
    state: Option<AlarmState>,
    reason: String,
    since: i64,
    /// State changes since the first evaluation: (at, from, to), oldest first.
    history: Vec<(i64, AlarmState, AlarmState)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Alarms {
    items: Vec<AlarmSim>,
}

fn fmt_threshold(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn condition(spec: &AlarmSpec) -> String {
    let op = match spec.cmp {
        Cmp::Greater => ">",
        Cmp::Less => "<",
    };
    let thr = fmt_threshold(spec.threshold);
    if spec.n == spec.m {
        format!("{} {op} {thr} for {} min", spec.metric, spec.m)
    } else {
        format!("{} {op} {thr} for {} of {} min", spec.metric, spec.n, spec.m)
    }
}

/// The metric an alarm's datapoints stand for, as CloudWatch would name it.
pub(crate) fn metric_of(spec: &AlarmSpec) -> MetricId {
    let mut words = spec.metric.split_whitespace();
    let (namespace, name) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
    let service = |i: usize| vec![("ClusterName", SERVICES[i].cluster), ("ServiceName", SERVICES[i].name)];
    let tg_dimension;
    let lb_dimension;
    let dimensions: Vec<(&str, &str)> = match spec.source {
        Source::EcsCpu(i) | Source::EcsMemory(i) | Source::EcsRunning(i) => service(i),
        Source::ErrorRate(i) => vec![("ServiceName", SERVICES[i].name)],
        Source::Target5xx(i) => {
            tg_dimension = format!("targetgroup/{}", SERVICES[i].target_group.unwrap_or_default());
            lb_dimension = load_balancer(SERVICES[i].system);
            vec![("TargetGroup", tg_dimension.as_str()), ("LoadBalancer", lb_dimension.as_str())]
        }
        Source::VariantP99(e, v) => {
            vec![("EndpointName", ENDPOINTS[e].name), ("VariantName", ENDPOINTS[e].variants[v].name)]
        }
        Source::ResponseTimeMs(e) => vec![("EndpointName", ENDPOINTS[e].name)],
        Source::SystemCharges(system) => vec![("Currency", "USD"), ("System", system)],
        Source::LambdaThrottles(f) => vec![("FunctionName", FUNCTIONS[f].name)],
        Source::QueueVisible(f) => vec![("QueueName", FUNCTIONS[f].queue.unwrap_or_default())],
        Source::LambdaDurationAll | Source::Synthetic { .. } | Source::NoData => vec![],
    };
    MetricId::new(namespace, name, &dimensions)
}

/// What the alarm evaluates: one-minute datapoints, N of the last M, missing data as missing.
fn rule(spec: &AlarmSpec) -> AlarmRule {
    let stat = spec.metric.split_whitespace().nth(2).map(str::to_string).unwrap_or_else(|| {
        match spec.source {
            Source::Target5xx(_) | Source::LambdaThrottles(_) => "Sum",
            Source::SystemCharges(_) => "Maximum",
            _ => "Average",
        }
        .to_string()
    });
    AlarmRule {
        metric: Some(metric_of(spec)),
        stat: Some(stat),
        period_secs: Some(60),
        math: Vec::new(),
        evaluation_periods: spec.m as u32,
        datapoints_to_alarm: spec.n as u32,
        threshold: Some(spec.threshold),
        comparison: match spec.cmp {
            Cmp::Greater => Comparison::Greater,
            Cmp::Less => Comparison::Less,
        },
        treat_missing: Some("missing".to_string()),
    }
}

fn breaches(spec: &AlarmSpec, v: f64) -> bool {
    match spec.cmp {
        Cmp::Greater => v > spec.threshold,
        Cmp::Less => v < spec.threshold,
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// CloudWatch's wording; datapoint times are shifted by `shift` seconds so an alarm that has
/// been OK for days quotes datapoints from when it turned OK.
fn reason(spec: &AlarmSpec, window: &[(i64, Option<f64>)], prev: AlarmState, new: AlarmState, shift: i64) -> String {
    if new == AlarmState::InsufficientData {
        let m = window.len().max(1);
        return format!(
            "Insufficient Data: {m} {} {} unknown.",
            plural(m, "datapoint", "datapoints"),
            plural(m, "was", "were")
        );
    }
    let quoted: Vec<String> = window
        .iter()
        .rev()
        .filter_map(|&(at, v)| v.map(|v| (at, v)))
        .filter(|&(_, v)| breaches(spec, v) == (new == AlarmState::Alarm))
        .map(|(at, v)| {
            let when = DateTime::<Utc>::from_timestamp(at + shift, 0).unwrap_or_default();
            format!("{v:.1} ({})", when.format("%d/%m/%y %H:%M:%S"))
        })
        .collect();
    let k = quoted.len();
    let not = if new == AlarmState::Ok { "not " } else { "" };
    let cmp = match spec.cmp {
        Cmp::Greater => "greater than",
        Cmp::Less => "less than",
    };
    let counted = if spec.m == 1 {
        format!("{k} {}", plural(k, "datapoint", "datapoints"))
    } else {
        format!("{k} out of the last {} datapoints", spec.m)
    };
    format!(
        "Threshold Crossed: {counted} [{}] {} {not}{cmp} the threshold ({:.1}) (minimum {} {} for {} -> {} transition).",
        quoted.join(", "),
        plural(k, "was", "were"),
        spec.threshold,
        spec.n,
        plural(spec.n, "datapoint", "datapoints"),
        prev.as_str(),
        new.as_str()
    )
}

impl Alarms {
    pub(crate) fn new() -> Self {
        let items = ALARMS
            .iter()
            .map(|spec| AlarmSim {
                spec,
                window: VecDeque::new(),
                state: None,
                reason: String::new(),
                since: 0,
                history: Vec::new(),
            })
            .collect();
        Alarms { items }
    }

    pub(crate) fn record(&mut self, index: usize, period_start: i64, value: Option<f64>) {
        if let Some(a) = self.items.get_mut(index) {
            a.window.push_back((period_start, value));
            while a.window.len() > a.spec.m {
                a.window.pop_front();
            }
        }
    }

    /// Evaluates every alarm at `at`. An alarm's first evaluation takes its `state_since` from
    /// `first_since` (the fiction that it has been in that state for a while).
    pub(crate) fn evaluate(&mut self, at: i64, mut first_since: impl FnMut() -> i64) {
        for a in &mut self.items {
            let window: Vec<(i64, Option<f64>)> = a.window.iter().copied().collect();
            let present = window.iter().filter(|(_, v)| v.is_some()).count();
            let breaching = window.iter().filter(|(_, v)| v.is_some_and(|v| breaches(a.spec, v))).count();
            let new = if breaching >= a.spec.n {
                AlarmState::Alarm
            } else if present == 0 {
                AlarmState::InsufficientData
            } else {
                AlarmState::Ok
            };
            match a.state {
                Some(s) if s == new => {}
                prev => {
                    let since = if prev.is_none() { first_since() } else { at };
                    let first = prev.is_none();
                    let prev = prev.unwrap_or(AlarmState::InsufficientData);
                    // The first evaluation only sets the state it has held "for a while".
                    if !first {
                        a.history.push((at, prev, new));
                    }
                    a.reason = reason(a.spec, &window, prev, new, since - at);
                    a.state = Some(new);
                    a.since = since;
                }
            }
        }
    }

    /// An alarm's state changes in `[start, end)` (DescribeAlarmHistory's StateUpdate items).
    pub(crate) fn history(&self, name: &str, start: i64, end: i64) -> Option<Vec<AlarmTransition>> {
        let a = self.items.iter().find(|a| a.spec.name == name)?;
        let time = |t: i64| DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
        Some(
            a.history
                .iter()
                .filter(|(at, _, _)| (start..end).contains(at))
                .map(|&(at, from, to)| AlarmTransition { at: time(at), from, to })
                .collect(),
        )
    }

    pub(crate) fn to_domain(&self) -> Vec<Alarm> {
        self.items
            .iter()
            .map(|a| Alarm {
                name: a.spec.name.to_string(),
                state: a.state.unwrap_or(AlarmState::InsufficientData),
                reason: a.reason.clone(),
                state_since: DateTime::<Utc>::from_timestamp(a.since, 0).unwrap_or_default(),
                condition: condition(a.spec),
                watches: match a.spec.watch {
                    Watch::Nothing | Watch::TargetGroup(_) => None,
                    Watch::Service(i) => Some(Address::ecs(SERVICES[i].cluster, SERVICES[i].name)),
                    Watch::Function(f) => Some(Address::function(FUNCTIONS[f].name)),
                    // A variant's own metric names the variant, so actions from the alarm target it.
                    Watch::Endpoint(i) => Some(match a.spec.source {
                        Source::VariantP99(e, v) if e == i => Address::Endpoint {
                            endpoint: ENDPOINTS[i].name.to_string(),
                            variant: Some(ENDPOINTS[i].variants[v].name.to_string()),
                        },
                        _ => Address::endpoint(ENDPOINTS[i].name),
                    }),
                },
                description: super::runbooks::description(a.spec.name),
                runbook_tag: super::runbooks::tag(a.spec.name),
                rule: Some(rule(a.spec)),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(name: &str) -> usize {
        ALARMS.iter().position(|a| a.name == name).unwrap_or(usize::MAX)
    }

    #[test]
    fn n_out_of_m_transitions_and_reason() {
        let mut alarms = Alarms::new();
        let cpu = index("svg-ai-high-cpu");
        let start = 1_795_000_000 - 1_795_000_000 % 60;
        for k in 0..5 {
            alarms.record(cpu, start + 60 * k, Some(40.0));
        }
        alarms.evaluate(start + 300, || start - 86_400);
        let a = &alarms.to_domain()[cpu];
        assert_eq!(a.state, AlarmState::Ok);
        assert_eq!(a.state_since.timestamp(), start - 86_400);
        assert_eq!(a.condition, "AWS/ECS CPUUtilization > 80 for 5 min");
        for k in 5..10 {
            alarms.record(cpu, start + 60 * k, Some(91.2));
            alarms.evaluate(start + 60 * (k + 1), || 0);
        }
        let a = &alarms.to_domain()[cpu];
        assert_eq!(a.state, AlarmState::Alarm);
        assert_eq!(a.state_since.timestamp(), start + 600);
        assert!(a.reason.starts_with("Threshold Crossed: 5 out of the last 5 datapoints [91.2 ("));
        assert!(a.reason.ends_with("(minimum 5 datapoints for OK -> ALARM transition)."));
    }

    #[test]
    fn all_missing_is_insufficient_data() {
        let mut alarms = Alarms::new();
        let q = index("GarmaxAI-QueueDepth-PROD");
        for k in 0..5 {
            alarms.record(q, 60 * k, None);
        }
        alarms.evaluate(300, || 0);
        let a = &alarms.to_domain()[q];
        assert_eq!(a.state, AlarmState::InsufficientData);
        assert_eq!(a.reason, "Insufficient Data: 5 datapoints were unknown.");
        assert_eq!(a.watches, None);
    }
}
