//! An alarm's `runbook_url` tag (ListTagsForResource): read once per alarm and kept, since tags
//! rarely change and each read is a call; a few new alarms per refresh, the rest on the next.

use super::AwsBackend;
use crate::domain::Alarm;

/// The tag that names an alarm's runbook (Prometheus and Grafana call their annotation the same).
pub const RUNBOOK_TAG: &str = "runbook_url";
/// New alarms whose tags are read per refresh: a large account is covered over a few refreshes.
const READS_PER_REFRESH: usize = 20;

impl AwsBackend {
    /// Fill each alarm's runbook tag from the cache, reading the tags of a few new ones.
    pub(super) async fn fill_runbook_tags(&self, alarms: &mut [(Option<String>, Alarm)]) {
        let unknown: Vec<String> = {
            let cache = self.alarm_tags.lock().unwrap_or_else(|p| p.into_inner());
            alarms
                .iter()
                .filter_map(|(arn, _)| arn.clone())
                .filter(|arn| !cache.contains_key(arn))
                .take(READS_PER_REFRESH)
                .collect()
        };
        let reads = futures::future::join_all(unknown.iter().map(|arn| self.runbook_tag(arn))).await;
        let mut cache = self.alarm_tags.lock().unwrap_or_else(|p| p.into_inner());
        for (arn, tag) in unknown.into_iter().zip(reads) {
            cache.insert(arn, tag);
        }
        for (arn, alarm) in alarms.iter_mut() {
            alarm.runbook_tag = arn.as_ref().and_then(|a| cache.get(a).cloned().flatten());
        }
    }

    /// The alarm's `runbook_url` tag; a failed read counts as none (and is not retried), since
    /// a missing permission must not cost a call per alarm per refresh.
    async fn runbook_tag(&self, arn: &str) -> Option<String> {
        self.stats.count("cloudwatch:ListTagsForResource");
        match self.cloudwatch.list_tags_for_resource().resource_arn(arn).send().await {
            Ok(out) => {
                out.tags().iter().find(|t| t.key() == Some(RUNBOOK_TAG)).and_then(|t| t.value()).map(str::to_string)
            }
            Err(e) => {
                let _ = self.fail("cloudwatch:ListTagsForResource", &e);
                None
            }
        }
    }
}
