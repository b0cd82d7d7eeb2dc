//! The model behind each endpoint variant: its containers, the Model Registry package it was
//! created from (and the newest approved one of that group), and Model Monitor's latest runs.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What an endpoint serves and how it is watched (DescribeEndpoint -> EndpointConfig ->
/// DescribeModel -> DescribeModelPackage / ListModelPackages; ListMonitoringSchedules,
/// ListMonitoringExecutions).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EndpointModels {
    pub endpoint: String,
    pub variants: Vec<VariantModel>,
    pub monitoring: Vec<MonitoringSchedule>,
}

impl EndpointModels {
    /// Whether the newest finished run of any schedule found violations: the drift mark.
    pub fn drift(&self) -> bool {
        self.monitoring.iter().any(|s| s.latest().is_some_and(MonitoringExecution::violations))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantModel {
    pub variant: String,
    pub model_name: String,
    pub containers: Vec<ModelContainer>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelContainer {
    pub image: Option<String>,
    /// `s3://.../model.tar.gz`
    pub model_data_url: Option<String>,
    /// The registry package the container was created from, when it was.
    pub package: Option<ModelPackage>,
    /// The newest approved package of the same group, when it is not the one deployed.
    pub newer_approved: Option<ModelPackage>,
}

/// A Model Registry package version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelPackage {
    pub arn: String,
    pub group: Option<String>,
    pub version: Option<u32>,
    /// Approved, Rejected, PendingManualApproval.
    pub approval: String,
    pub created: Option<DateTime<Utc>>,
    /// When it was approved (its last change while Approved); None unless approved.
    pub approved_at: Option<DateTime<Utc>>,
}

impl ModelPackage {
    /// "prediction-models v3 (Approved)", or the ARN's last part when it is not versioned.
    pub fn describe(&self) -> String {
        let name = match (&self.group, self.version) {
            (Some(g), Some(v)) => format!("{g} v{v}"),
            _ => self.arn.rsplit('/').next().unwrap_or(&self.arn).to_string(),
        };
        format!("{name} ({})", self.approval)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoringSchedule {
    pub name: String,
    /// Scheduled, Pending, Failed, Stopped.
    pub status: String,
    /// DataQuality, ModelQuality, ModelBias, ModelExplainability.
    pub kind: Option<String>,
    /// Newest first.
    pub executions: Vec<MonitoringExecution>,
}

impl MonitoringSchedule {
    /// The newest run that finished (Completed, CompletedWithViolations or Failed).
    pub fn latest(&self) -> Option<&MonitoringExecution> {
        self.executions.iter().find(|e| e.finished())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoringExecution {
    /// Pending, Completed, CompletedWithViolations, InProgress, Failed, Stopping, Stopped.
    pub status: String,
    pub scheduled: Option<DateTime<Utc>>,
    /// Where the violation report is (for CompletedWithViolations).
    pub report: Option<String>,
    pub failure: Option<String>,
}

impl MonitoringExecution {
    pub fn violations(&self) -> bool {
        self.status == "CompletedWithViolations"
    }

    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "Completed" | "CompletedWithViolations" | "Failed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(status: &str) -> MonitoringExecution {
        MonitoringExecution { status: status.into(), scheduled: None, report: None, failure: None }
    }

    #[test]
    fn drift_is_the_newest_finished_run_having_violations() {
        let schedule = |runs: Vec<MonitoringExecution>| MonitoringSchedule {
            name: "s".into(),
            status: "Scheduled".into(),
            kind: Some("DataQuality".into()),
            executions: runs,
        };
        let models = |runs| EndpointModels { endpoint: "e".into(), variants: vec![], monitoring: vec![schedule(runs)] };
        assert!(models(vec![run("InProgress"), run("CompletedWithViolations"), run("Completed")]).drift());
        assert!(!models(vec![run("Completed"), run("CompletedWithViolations")]).drift(), "fixed since");
        assert!(!models(vec![run("Pending")]).drift());
        assert!(!EndpointModels::default().drift());
    }

    #[test]
    fn a_package_is_named_by_group_and_version() {
        let p = ModelPackage {
            arn: "arn:aws:sagemaker:us-east-1:1:model-package/prediction-models/3".into(),
            group: Some("prediction-models".into()),
            version: Some(3),
            approval: "Approved".into(),
            created: None,
            approved_at: None,
        };
        assert_eq!(p.describe(), "prediction-models v3 (Approved)");
        let unversioned = ModelPackage { group: None, version: None, ..p };
        assert_eq!(unversioned.describe(), "3 (Approved)");
    }
}
