//! The models behind the simulated endpoints (DescribeEndpointConfig -> DescribeModel ->
//! DescribeModelPackage / ListModelPackages, ListMonitoringSchedules, ListMonitoringExecutions).
//! prediction-endpoint's variants were created from the Model Registry group `prediction-models`
//! (v3 and v4; v5 was approved since and is not deployed) and Model Monitor checks its data
//! quality daily at noon, as the hybrid PoC's guide sets it up (`prediction-data-quality`,
//! `cron(0 12 * * ? *)`). The property detector is a plain model with no monitoring.

use super::catalog::{ACCOUNT_ID, ENDPOINTS, PREDICTION_ENDPOINT, REGION};
use super::scenario::Scenario;
use crate::domain::{
    EndpointModels, ModelContainer, ModelPackage, MonitoringExecution, MonitoringSchedule, VariantModel,
};
use chrono::{DateTime, Utc};

const GROUP: &str = "prediction-models";
/// The group's versions: (version, approval, days before the start it was created, and approved).
const PACKAGES: [(u32, &str, i64, i64); 5] = [
    (1, "Approved", 160, 158),
    (2, "Rejected", 118, 0),
    (3, "Approved", 64, 41),
    (4, "Approved", 30, 27),
    (5, "Approved", 8, 6),
];
/// (variant, model name, package version) of prediction-endpoint.
const PREDICTION_VARIANTS: [(&str, &str, u32); 2] =
    [("model-v1", "prediction-model-v1", 3), ("model-v2", "prediction-model-v2", 4)];
const SKLEARN_IMAGE: &str = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3";
const PYTORCH_IMAGE: &str = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:1.12-cpu-py38";
const SCHEDULE: &str = "prediction-data-quality";
/// Hour of day (UTC) the schedule runs, and minutes a run takes.
const RUN_HOUR: i64 = 12;
const RUN_MINUTES: i64 = 20;
/// Runs listed, newest first.
const RUNS: i64 = 4;

fn time(t: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(t, 0)
}

/// Midday `days` before the start, on a fixed minute: when the registry changed.
fn day(base: i64, days: i64) -> i64 {
    let midnight = base - base.rem_euclid(86_400);
    midnight - days * 86_400 + 14 * 3600 + 20 * 60
}

fn package(version: u32, base: i64) -> Option<ModelPackage> {
    let (v, approval, created, approved) = PACKAGES.iter().copied().find(|p| p.0 == version)?;
    Some(ModelPackage {
        arn: format!("arn:aws:sagemaker:{REGION}:{ACCOUNT_ID}:model-package/{GROUP}/{v}"),
        group: Some(GROUP.to_string()),
        version: Some(v),
        approval: approval.to_string(),
        created: time(day(base, created) - 3 * 3600),
        approved_at: (approval == "Approved").then(|| time(day(base, approved))).flatten(),
    })
}

/// The newest approved package of the group.
fn newest_approved(base: i64) -> Option<ModelPackage> {
    PACKAGES.iter().rev().find(|p| p.1 == "Approved").and_then(|p| package(p.0, base))
}

/// The schedule's runs up to `now`, newest first: one a day at noon, in progress for its first
/// minutes. In model-drift the runs since the day before the start found violations.
fn executions(now: i64, base: i64, scenario: Scenario) -> Vec<MonitoringExecution> {
    let noon = |t: i64| t - t.rem_euclid(86_400) + RUN_HOUR * 3600;
    let newest = if noon(now) <= now { noon(now) } else { noon(now) - 86_400 };
    (0..RUNS)
        .map(|k| {
            let at = newest - k * 86_400;
            let running = now < at + RUN_MINUTES * 60;
            let drifted = scenario == Scenario::ModelDrift && at >= noon(base) - 86_400;
            let status = match (running, drifted) {
                (true, _) => "InProgress",
                (false, true) => "CompletedWithViolations",
                (false, false) => "Completed",
            };
            let date = time(at).map(|t| t.format("%Y/%m/%d/%H").to_string()).unwrap_or_default();
            MonitoringExecution {
                status: status.to_string(),
                scheduled: time(at),
                report: (status == "CompletedWithViolations").then(|| {
                    format!("s3://monitoring-bucket/output/prediction-endpoint/{SCHEDULE}/{date}/constraint_violations.json")
                }),
                failure: None,
            }
        })
        .collect()
}

/// What `endpoint` serves and how it is watched; None for an endpoint the account never had.
pub(crate) fn endpoint_models(endpoint: &str, now: i64, base: i64, scenario: Scenario) -> Option<EndpointModels> {
    let e = ENDPOINTS.iter().position(|e| e.name == endpoint)?;
    if e != PREDICTION_ENDPOINT {
        let variants = ENDPOINTS[e]
            .variants
            .iter()
            .map(|v| VariantModel {
                variant: v.name.to_string(),
                model_name: "cleanistic-property-detector".to_string(),
                containers: vec![ModelContainer {
                    image: Some(PYTORCH_IMAGE.to_string()),
                    model_data_url: Some("s3://cleanistic-ai-models/property-detector/model.tar.gz".to_string()),
                    package: None,
                    newer_approved: None,
                }],
            })
            .collect();
        return Some(EndpointModels { endpoint: endpoint.to_string(), variants, monitoring: Vec::new() });
    }
    let newest = newest_approved(base);
    let variants = PREDICTION_VARIANTS
        .iter()
        .map(|&(variant, model, version)| VariantModel {
            variant: variant.to_string(),
            model_name: model.to_string(),
            containers: vec![ModelContainer {
                image: Some(SKLEARN_IMAGE.to_string()),
                model_data_url: Some(format!("s3://ml-models-bucket/{GROUP}/v{version}/model.tar.gz")),
                package: package(version, base),
                newer_approved: newest.clone().filter(|n| n.version.is_some_and(|v| v > version)),
            }],
        })
        .collect();
    let monitoring = vec![MonitoringSchedule {
        name: SCHEDULE.to_string(),
        status: "Scheduled".to_string(),
        kind: Some("DataQuality".to_string()),
        executions: executions(now, base, scenario),
    }];
    Some(EndpointModels { endpoint: endpoint.to_string(), variants, monitoring })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: i64 = 1_795_000_000;

    #[test]
    fn prediction_endpoint_serves_v3_with_v5_approved_since() {
        let m = endpoint_models("prediction-endpoint", BASE, BASE, Scenario::Calm);
        let Some(m) = m else { panic!("no models") };
        let c = &m.variants[0].containers[0];
        assert_eq!(c.package.as_ref().map(ModelPackage::describe).as_deref(), Some("prediction-models v3 (Approved)"));
        assert_eq!(c.newer_approved.as_ref().and_then(|p| p.version), Some(5));
        assert!(c.package.as_ref().and_then(|p| p.approved_at).is_some_and(|t| t.timestamp() < BASE - 30 * 86_400));
        assert!(!m.drift());
        assert!(m.monitoring[0].latest().is_some_and(|e| e.status == "Completed" && e.scheduled.is_some()));
    }

    #[test]
    fn drift_shows_only_in_model_drift_with_a_report_and_not_on_plain_models() {
        let m = endpoint_models("prediction-endpoint", BASE + 3600, BASE, Scenario::ModelDrift);
        let Some(m) = m else { panic!("no models") };
        assert!(m.drift());
        let latest = m.monitoring[0].latest().and_then(|e| e.report.clone()).unwrap_or_default();
        assert!(latest.starts_with("s3://monitoring-bucket/output/prediction-endpoint/prediction-data-quality/"));
        let plain = endpoint_models("cleanistic-property-detector-endpoint", BASE, BASE, Scenario::ModelDrift);
        let Some(plain) = plain else { panic!("no models") };
        assert!(plain.monitoring.is_empty() && !plain.drift());
        assert!(plain.variants[0].containers[0].package.is_none());
        assert!(endpoint_models("nope", BASE, BASE, Scenario::Calm).is_none());
    }

    #[test]
    fn a_run_under_way_is_in_progress_and_the_one_before_counts() {
        let noon = BASE - BASE.rem_euclid(86_400) + 12 * 3600;
        let runs = executions(noon + 60, noon - 3 * 86_400, Scenario::Calm);
        assert_eq!(runs[0].status, "InProgress");
        assert_eq!(runs[1].scheduled.map(|t| t.timestamp()), Some(noon - 86_400));
    }
}
