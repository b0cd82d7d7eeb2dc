//! The metric chart (`m`): an alarm's metric over the last hours with its threshold, the periods it
//! was in ALARM and its evaluation in words (a metric-math alarm charts each of its metrics), or
//! a service's or endpoint's metrics, one page each (`tab`). `1`/`3`/`d`/`w` choose the window.
//! Missing datapoints are gaps, never zeros.

use super::context::Context;
use super::loadable::{Loadable, RequestId};
use super::msg::{Effect, Fetch};
use super::next::Next;
use crate::backend::BackendError;
use crate::domain::{
    alarm_spans, load_balancer_dimension, Address, Alarm, AlarmRule, AlarmState, AlarmTransition, Endpoint, MetricId,
    MetricQuery, MetricSeries, Service, TargetGroupHealth,
};
use crate::keymap::Action;
use crate::sanitize::inert;
use chrono::{DateTime, Duration, Utc};

/// A series' points: every period of the window, `None` where there is no datapoint.
pub type Points = Vec<(DateTime<Utc>, Option<f64>)>;

/// The windows a chart shows, back from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartRange {
    Hour,
    ThreeHours,
    Day,
    Week,
}

impl ChartRange {
    pub fn duration(self) -> Duration {
        match self {
            ChartRange::Hour => Duration::hours(1),
            ChartRange::ThreeHours => Duration::hours(3),
            ChartRange::Day => Duration::hours(24),
            ChartRange::Week => Duration::days(7),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChartRange::Hour => "1h",
            ChartRange::ThreeHours => "3h",
            ChartRange::Day => "24h",
            ChartRange::Week => "7d",
        }
    }
}

/// One page of the chart: its series (several for latency p50/p99, 4xx/5xx, or metric math).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPage {
    pub title: String,
    pub unit: Option<String>,
    /// Values are multiplied by this before they are drawn (µs to ms).
    pub scale: f64,
    pub queries: Vec<MetricQuery>,
}

/// What the chart is of: an alarm (its threshold and history come along) or a resource.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartSubject {
    Alarm { name: String, rule: AlarmRule, state: AlarmState, since: DateTime<Utc> },
    Resource(Address),
}

#[derive(Debug, Clone)]
pub struct ChartView {
    pub subject: ChartSubject,
    pub pages: Vec<ChartPage>,
    pub page: usize,
    pub range: ChartRange,
    /// The window the data was read for.
    pub window: (DateTime<Utc>, DateTime<Utc>),
    pub data: Loadable<(Vec<MetricSeries>, Vec<AlarmTransition>)>,
}

impl PartialEq for ChartView {
    fn eq(&self, other: &Self) -> bool {
        self.subject == other.subject && self.page == other.page && self.range == other.range
    }
}

fn query(
    id: &str,
    namespace: &str,
    name: &str,
    dims: &[(&str, &str)],
    stat: &str,
    period: u32,
    label: &str,
) -> MetricQuery {
    MetricQuery {
        id: id.to_string(),
        metric: MetricId::new(namespace, name, dims),
        stat: stat.to_string(),
        period_secs: period,
        label: Some(label.to_string()),
    }
}

fn page(title: &str, unit: Option<&str>, scale: f64, queries: Vec<MetricQuery>) -> ChartPage {
    ChartPage { title: title.to_string(), unit: unit.map(str::to_string), scale, queries }
}

/// An alarm's chart: its metric with its statistic and period, or each metric of its math.
pub fn for_alarm(alarm: &Alarm) -> Result<(ChartSubject, Vec<ChartPage>), String> {
    let Some(rule) = alarm.rule.clone() else {
        return Err(format!("{}: its metric is not known (the backend gave no rule)", alarm.name));
    };
    let period = rule.period_secs.unwrap_or(60).max(60);
    let queries: Vec<MetricQuery> = match &rule.metric {
        Some(metric) => vec![MetricQuery {
            id: "m0".into(),
            metric: metric.clone(),
            stat: rule.stat.clone().unwrap_or_else(|| "Average".into()),
            period_secs: period,
            label: Some(format!("{} {}", metric.name, rule.stat.as_deref().unwrap_or("Average"))),
        }],
        None => rule
            .math
            .iter()
            .filter_map(|q| {
                let metric = q.metric.clone()?;
                Some(MetricQuery {
                    id: format!("q{}", q.id.to_ascii_lowercase()),
                    stat: q.stat.clone().unwrap_or_else(|| "Average".into()),
                    period_secs: q.period_secs.unwrap_or(period).max(60),
                    label: Some(q.label.clone().unwrap_or_else(|| format!("{} ({})", metric.name, q.id))),
                    metric,
                })
            })
            .collect(),
    };
    if queries.is_empty() {
        return Err(format!("{}: a metric-math alarm with no metric to chart", alarm.name));
    }
    let title = match (&rule.metric, rule.math.is_empty()) {
        (Some(m), _) => m.to_string(),
        (None, _) => {
            let expressions: Vec<String> = rule.math.iter().filter_map(|q| q.expression.clone()).collect();
            format!("metric math: {} (each metric charted)", expressions.join("; "))
        }
    };
    let subject = ChartSubject::Alarm { name: alarm.name.clone(), rule, state: alarm.state, since: alarm.state_since };
    Ok((subject, vec![page(&title, None, 1.0, queries)]))
}

/// A service's metrics: CPU, memory, running tasks and, behind a load balancer, its targets
/// (`groups`: its target groups as read, which name their load balancer: ALB metrics carry both).
pub fn for_service(service: &Service, groups: &[&TargetGroupHealth]) -> Vec<ChartPage> {
    let dims = [("ClusterName", service.cluster.as_str()), ("ServiceName", service.name.as_str())];
    let mut pages = vec![
        page("CPU", Some("%"), 1.0, vec![query("cpu", "AWS/ECS", "CPUUtilization", &dims, "Average", 60, "CPU %")]),
        page(
            "memory",
            Some("%"),
            1.0,
            vec![query("mem", "AWS/ECS", "MemoryUtilization", &dims, "Average", 60, "memory %")],
        ),
        page(
            "running tasks",
            Some("tasks"),
            1.0,
            vec![query("run", "ECS/ContainerInsights", "RunningTaskCount", &dims, "Average", 60, "running tasks")],
        ),
    ];
    for (i, group) in groups.iter().enumerate() {
        let Some(lb) = group.load_balancers.first() else { continue };
        let dims = [("TargetGroup", group.dimension()), ("LoadBalancer", load_balancer_dimension(lb))];
        pages.push(page(
            &format!("targets of {}", group.name),
            Some("hosts"),
            1.0,
            vec![
                query(&format!("h{i}"), "AWS/ApplicationELB", "HealthyHostCount", &dims, "Maximum", 60, "healthy"),
                query(&format!("u{i}"), "AWS/ApplicationELB", "UnHealthyHostCount", &dims, "Maximum", 60, "unhealthy"),
            ],
        ));
        pages.push(page(
            &format!("5xx of {}", group.name),
            Some("/min"),
            1.0,
            vec![query(
                &format!("x{i}"),
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                &dims,
                "Sum",
                60,
                "target 5xx",
            )],
        ));
    }
    pages
}

/// An endpoint variant's metrics: invocations, model latency p50/p99 (ms), 4xx/5xx, CPU.
pub fn for_variant(endpoint: &Endpoint, variant: &str) -> Vec<ChartPage> {
    let dims = [("EndpointName", endpoint.name.as_str()), ("VariantName", variant)];
    vec![
        page(
            "invocations",
            Some("/min"),
            1.0,
            vec![query("inv", "AWS/SageMaker", "Invocations", &dims, "Sum", 60, "invocations")],
        ),
        page(
            "model latency",
            Some("ms"),
            0.001,
            vec![
                query("p50", "AWS/SageMaker", "ModelLatency", &dims, "p50", 60, "p50"),
                query("p99", "AWS/SageMaker", "ModelLatency", &dims, "p99", 60, "p99"),
            ],
        ),
        page(
            "errors",
            Some("/min"),
            1.0,
            vec![
                query("e4", "AWS/SageMaker", "Invocation4XXErrors", &dims, "Sum", 60, "4xx"),
                query("e5", "AWS/SageMaker", "Invocation5XXErrors", &dims, "Sum", 60, "5xx"),
            ],
        ),
        page(
            "CPU",
            Some("%"),
            1.0,
            vec![query("cpu", "/aws/sagemaker/Endpoints", "CPUUtilization", &dims, "Average", 60, "CPU %")],
        ),
    ]
}

/// A Lambda function: invocations, errors and throttles, duration against its time-out,
/// concurrency, and the depth of each queue that feeds it.
pub fn for_function(f: &crate::domain::Function) -> Vec<ChartPage> {
    let dims = [("FunctionName", f.name.as_str())];
    let mut pages = vec![
        page(
            "invocations, errors, throttles",
            Some("/min"),
            1.0,
            vec![
                query("inv", "AWS/Lambda", "Invocations", &dims, "Sum", 60, "invocations"),
                query("err", "AWS/Lambda", "Errors", &dims, "Sum", 60, "errors"),
                query("thr", "AWS/Lambda", "Throttles", &dims, "Sum", 60, "throttles"),
            ],
        ),
        page(
            "duration",
            Some("ms"),
            1.0,
            vec![
                query("p50", "AWS/Lambda", "Duration", &dims, "p50", 60, "p50"),
                query("p99", "AWS/Lambda", "Duration", &dims, "p99", 60, "p99"),
            ],
        ),
        page(
            "concurrent executions",
            None,
            1.0,
            vec![query("conc", "AWS/Lambda", "ConcurrentExecutions", &dims, "Maximum", 60, "concurrent")],
        ),
    ];
    for queue in f.queues() {
        let dims = [("QueueName", queue)];
        pages.push(page(
            &format!("queue {queue}"),
            Some("messages"),
            1.0,
            vec![query("depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", &dims, "Maximum", 60, "visible")],
        ));
    }
    pages
}

/// Open a chart and read its data for the last 3 hours.
pub fn open(subject: ChartSubject, pages: Vec<ChartPage>, ctx: &mut Context, effects: &mut Vec<Effect>) -> ChartView {
    let mut view = ChartView {
        subject,
        pages,
        page: 0,
        range: ChartRange::ThreeHours,
        window: (ctx.now, ctx.now),
        data: Loadable::default(),
    };
    view.read(ctx, effects);
    view
}

impl ChartView {
    /// Read every page's series for the window (one GetMetricData for all of them), and the
    /// alarm's history for an alarm's chart.
    fn read(&mut self, ctx: &mut Context, effects: &mut Vec<Effect>) {
        let end = ctx.now;
        let start = end - self.range.duration();
        self.window = (start, end);
        let queries: Vec<MetricQuery> = self.pages.iter().flat_map(|p| p.queries.iter().cloned()).collect();
        let alarm = match &self.subject {
            ChartSubject::Alarm { name, .. } => Some(name.clone()),
            ChartSubject::Resource(_) => None,
        };
        let id = ctx.request_id();
        self.data.in_flight = Some(id);
        effects.push(Effect::Fetch { id, fetch: Fetch::Chart { queries, start, end, alarm } });
    }

    pub fn on_action(&mut self, action: Action, ctx: &mut Context, effects: &mut Vec<Effect>) -> Next {
        let range = match action {
            Action::Range1h => Some(ChartRange::Hour),
            Action::Range3h => Some(ChartRange::ThreeHours),
            Action::Range24h => Some(ChartRange::Day),
            Action::Range7d => Some(ChartRange::Week),
            _ => None,
        };
        if let Some(range) = range {
            if range != self.range || self.data.error.is_some() {
                self.range = range;
                self.read(ctx, effects);
            }
            return Next::Stay;
        }
        let pages = self.pages.len().max(1);
        match action {
            Action::NextMetric => self.page = (self.page + 1) % pages,
            Action::PrevMetric => self.page = (self.page + pages - 1) % pages,
            Action::Refresh => self.read(ctx, effects),
            Action::Help => return Next::Help,
            Action::QuitRequest => return Next::QuitRequest,
            Action::Back | Action::Chart => return Next::Dashboard,
            _ => {}
        }
        Next::Stay
    }

    pub fn accept(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
        result: Result<(Vec<MetricSeries>, Vec<AlarmTransition>), BackendError>,
    ) -> bool {
        let result = result
            .map(|(mut series, history)| {
                for s in &mut series {
                    s.label = inert(&s.label).into_owned();
                }
                (series, history)
            })
            .map_err(|e| inert(&e.to_string()).into_owned());
        self.data.accept(id, now, result)
    }

    /// The series of the page on screen, each with every period of the window (None: no
    /// datapoint), scaled for display.
    pub fn page_series(&self) -> Vec<(String, Points)> {
        let (Some(page), Some((series, _))) = (self.pages.get(self.page), &self.data.data) else { return Vec::new() };
        let (start, end) = self.window;
        page.queries
            .iter()
            .filter_map(|q| series.iter().find(|s| s.id == q.id))
            .map(|s| {
                let points = s.with_gaps(start, end).into_iter().map(|(t, v)| (t, v.map(|v| v * page.scale))).collect();
                (s.label.clone(), points)
            })
            .collect()
    }

    /// The periods the alarm was in ALARM within the window: from its history, or (where the
    /// history could not be read) from when its current state began.
    pub fn alarm_spans(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let ChartSubject::Alarm { state, since, .. } = &self.subject else { return Vec::new() };
        let history = self.data.data.as_ref().map(|(_, h)| h.clone()).unwrap_or_default();
        let (start, end) = self.window;
        if history.is_empty() {
            // Only when the current state began is known: before that, not ALARM as far as we know.
            let from = (*state == AlarmState::Alarm).then(|| (*since).max(start));
            return from.filter(|f| *f < end).map(|f| vec![(f, end)]).unwrap_or_default();
        }
        alarm_spans(&history, *state, start, end)
    }
}
