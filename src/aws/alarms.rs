//! CloudWatch alarms, paged, with the resource each one watches worked out from its dimensions.

use super::convert::time;
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{Address, Alarm, AlarmRule, AlarmState, Comparison, MathQuery, MetricId};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Metric, MetricAlarm, StateValue};

impl AwsBackend {
    pub(super) async fn cw_alarms(&self) -> Result<Vec<Alarm>, BackendError> {
        let mut alarms = Vec::new();
        let mut token = None;
        loop {
            self.stats.count("cloudwatch:DescribeAlarms");
            let page = self
                .cloudwatch
                .describe_alarms()
                .max_records(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("cloudwatch:DescribeAlarms", &e))?;
            alarms.extend(page.metric_alarms().iter().map(|a| (a.alarm_arn().map(str::to_string), alarm_from(a))));
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                self.fill_runbook_tags(&mut alarms).await;
                return Ok(alarms.into_iter().map(|(_, a)| a).collect());
            }
        }
    }
}

fn dimension<'a>(dims: &'a [Dimension], name: &str) -> Option<&'a str> {
    dims.iter().find(|d| d.name() == Some(name)).and_then(Dimension::value)
}

/// The resource an alarm watches, when it is one opsdeck shows.
pub fn watched(dims: &[Dimension]) -> Option<Address> {
    if let (Some(cluster), Some(service)) = (dimension(dims, "ClusterName"), dimension(dims, "ServiceName")) {
        return Some(Address::ecs(cluster, service));
    }
    if let Some(endpoint) = dimension(dims, "EndpointName") {
        return Some(Address::Endpoint {
            endpoint: endpoint.to_string(),
            variant: dimension(dims, "VariantName").map(str::to_string),
        });
    }
    // AWS/Lambda: an alias's or version's alarm (with a Resource dimension too) is still the function's.
    dimension(dims, "FunctionName").map(Address::function)
}

fn operator(op: Option<&ComparisonOperator>) -> String {
    match op {
        Some(ComparisonOperator::GreaterThanThreshold) => ">".into(),
        Some(ComparisonOperator::GreaterThanOrEqualToThreshold) => ">=".into(),
        Some(ComparisonOperator::LessThanThreshold) => "<".into(),
        Some(ComparisonOperator::LessThanOrEqualToThreshold) => "<=".into(),
        Some(other) => other.as_str().to_string(),
        None => "?".into(),
    }
}

fn alarm_from(a: &MetricAlarm) -> Alarm {
    let stat = a.extended_statistic().map(str::to_string).or_else(|| a.statistic().map(|s| s.as_str().to_string()));
    let mut condition = format!(
        "{} {} {} {}",
        a.namespace().unwrap_or("metric math"),
        a.metric_name().unwrap_or_default(),
        operator(a.comparison_operator()),
        a.threshold().map_or("?".to_string(), |t| format!("{t}")),
    );
    if let (Some(stat), Some(period), Some(n)) = (stat, a.period(), a.evaluation_periods()) {
        condition.push_str(&format!(" ({stat}, {n} x {period}s)"));
    }
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        state: match a.state_value() {
            Some(StateValue::Alarm) => AlarmState::Alarm,
            Some(StateValue::Ok) => AlarmState::Ok,
            _ => AlarmState::InsufficientData,
        },
        reason: a.state_reason().unwrap_or_default().to_string(),
        state_since: time(a.state_updated_timestamp()).unwrap_or_default(),
        condition,
        watches: watched(a.dimensions()),
        description: a.alarm_description().map(str::to_string),
        runbook_tag: None,
        rule: Some(rule_of(a)),
    }
}

fn metric_id(namespace: Option<&str>, name: Option<&str>, dims: &[Dimension]) -> Option<MetricId> {
    Some(MetricId {
        namespace: namespace?.to_string(),
        name: name?.to_string(),
        dimensions: dims
            .iter()
            .map(|d| (d.name().unwrap_or_default().to_string(), d.value().unwrap_or_default().to_string()))
            .collect(),
    })
}

fn comparison(op: Option<&ComparisonOperator>) -> Comparison {
    match op {
        Some(ComparisonOperator::GreaterThanThreshold) => Comparison::Greater,
        Some(ComparisonOperator::GreaterThanOrEqualToThreshold) => Comparison::GreaterOrEqual,
        Some(ComparisonOperator::LessThanThreshold) => Comparison::Less,
        Some(ComparisonOperator::LessThanOrEqualToThreshold) => Comparison::LessOrEqual,
        Some(other) => Comparison::Other(other.as_str().to_string()),
        None => Comparison::Other("?".into()),
    }
}

/// What the alarm evaluates: its metric and statistic, or its metric-math queries.
fn rule_of(a: &MetricAlarm) -> AlarmRule {
    let stat = a.extended_statistic().map(str::to_string).or_else(|| a.statistic().map(|s| s.as_str().to_string()));
    let math = a
        .metrics()
        .iter()
        .map(|q| {
            let stat = q.metric_stat();
            let metric = stat
                .and_then(|s| s.metric())
                .and_then(|m: &Metric| metric_id(m.namespace(), m.metric_name(), m.dimensions()));
            MathQuery {
                id: q.id().unwrap_or_default().to_string(),
                label: q.label().map(str::to_string),
                expression: q.expression().map(str::to_string),
                metric,
                stat: stat.and_then(|s| s.stat()).map(str::to_string),
                period_secs: stat.and_then(|s| s.period()).or(q.period()).and_then(|p| u32::try_from(p).ok()),
                return_data: q.return_data().unwrap_or(true),
            }
        })
        .collect();
    let evaluation_periods = a.evaluation_periods().and_then(|n| u32::try_from(n).ok()).unwrap_or(1);
    AlarmRule {
        metric: metric_id(a.namespace(), a.metric_name(), a.dimensions()),
        stat,
        period_secs: a.period().and_then(|p| u32::try_from(p).ok()),
        math,
        evaluation_periods,
        datapoints_to_alarm: a.datapoints_to_alarm().and_then(|n| u32::try_from(n).ok()).unwrap_or(evaluation_periods),
        threshold: a.threshold(),
        comparison: comparison(a.comparison_operator()),
        treat_missing: a.treat_missing_data().map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_name_the_watched_resource() {
        let d = |n: &str, v: &str| Dimension::builder().name(n).value(v).build();
        let ecs = [d("ClusterName", "svg-ai-cluster"), d("ServiceName", "svg-ai-service")];
        assert_eq!(watched(&ecs).unwrap().to_string(), "ecs:svg-ai-cluster/svg-ai-service");
        let sm = [d("EndpointName", "prediction-endpoint"), d("VariantName", "model-v1")];
        assert_eq!(watched(&sm).unwrap().to_string(), "sm:prediction-endpoint/model-v1");
        assert_eq!(watched(&[d("QueueName", "q")]), None);
        let lambda = [d("FunctionName", "GarmaxAi-TryonProcessor"), d("Resource", "GarmaxAi-TryonProcessor:live")];
        assert_eq!(watched(&lambda).unwrap().to_string(), "lambda:GarmaxAi-TryonProcessor");
    }
}
