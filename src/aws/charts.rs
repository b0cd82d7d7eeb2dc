//! Any metric over a window (a chart, `opsdeck metric`) and an alarm's state history (the
//! periods it was in ALARM), from CloudWatch.

use super::convert::{time, to_smithy};
use super::metrics::data_query;
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{AlarmState, AlarmTransition, MetricQuery, MetricSeries};
use aws_sdk_cloudwatch::types::HistoryItemType;
use chrono::{DateTime, Utc};

impl AwsBackend {
    pub(super) async fn cw_metric_data(
        &self,
        queries: &[MetricQuery],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<MetricSeries>, BackendError> {
        let data_queries = queries
            .iter()
            .map(|q| {
                let dims: Vec<(&str, &str)> =
                    q.metric.dimensions.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let period = i32::try_from(q.period_secs).unwrap_or(60);
                data_query(&q.id, &q.metric.namespace, &q.metric.name, &dims, &q.stat, period)
            })
            .collect();
        let mut points = self.metric_points(data_queries, start, end).await?;
        Ok(queries
            .iter()
            .map(|q| {
                let mut series = points.remove(&q.id).unwrap_or_default();
                series.sort_by_key(|(t, _)| *t);
                series.dedup_by_key(|(t, _)| *t);
                MetricSeries {
                    id: q.id.clone(),
                    label: q.label.clone().unwrap_or_else(|| format!("{} {}", q.metric.name, q.stat)),
                    period_secs: q.period_secs,
                    points: series,
                }
            })
            .collect())
    }

    pub(super) async fn cw_alarm_history(
        &self,
        alarm: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AlarmTransition>, BackendError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            self.stats.count("cloudwatch:DescribeAlarmHistory");
            let page = self
                .cloudwatch
                .describe_alarm_history()
                .alarm_name(alarm)
                .history_item_type(HistoryItemType::StateUpdate)
                .start_date(to_smithy(start))
                .end_date(to_smithy(end))
                .max_records(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("cloudwatch:DescribeAlarmHistory", &e))?;
            for item in page.alarm_history_items() {
                let (Some(at), Some(data)) = (time(item.timestamp()), item.history_data()) else { continue };
                if let Some((from, to)) = states_of(data) {
                    out.push(AlarmTransition { at, from, to });
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        out.sort_by_key(|t| t.at);
        Ok(out)
    }
}

/// The old and new state of a StateUpdate item's HistoryData (a JSON document).
fn states_of(history_data: &str) -> Option<(AlarmState, AlarmState)> {
    let doc: serde_json::Value = serde_json::from_str(history_data).ok()?;
    let state = |key: &str| match doc[key]["stateValue"].as_str()? {
        "ALARM" => Some(AlarmState::Alarm),
        "OK" => Some(AlarmState::Ok),
        "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
        _ => None,
    };
    Some((state("oldState")?, state("newState")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_data_gives_the_old_and_new_state() {
        let data =
            r#"{"version":"1.0","oldState":{"stateValue":"OK"},"newState":{"stateValue":"ALARM","stateReason":"x"}}"#;
        assert_eq!(states_of(data), Some((AlarmState::Ok, AlarmState::Alarm)));
        assert_eq!(states_of("not json"), None);
        assert_eq!(states_of(r#"{"oldState":{},"newState":{}}"#), None);
    }
}
