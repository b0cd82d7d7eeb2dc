//! What an endpoint serves and how it is watched: DescribeEndpoint -> DescribeEndpointConfig ->
//! DescribeModel per variant; for a container made from a Model Registry package,
//! DescribeModelPackage and the group's newest approved package (ListModelPackages); Model
//! Monitor's schedules on the endpoint (ListMonitoringSchedules) and their newest runs
//! (ListMonitoringExecutions), with DescribeProcessingJob only for a run that found violations
//! (the execution summary does not say where its report is).

use super::convert::{arn_name, time};
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{
    EndpointModels, ModelContainer, ModelPackage, MonitoringExecution, MonitoringSchedule, VariantModel,
};
use aws_sdk_sagemaker::operation::describe_model_package::DescribeModelPackageOutput;
use aws_sdk_sagemaker::types::{
    ContainerDefinition, ModelApprovalStatus, ModelPackageSortBy, MonitoringExecutionSortKey,
    MonitoringExecutionSummary, SortOrder,
};

/// Runs read per schedule: enough to show a trend and find the newest finished one.
const EXECUTIONS: i32 = 5;
/// Approved packages read per group; the newest is picked here too, whatever order comes back.
const APPROVED: i32 = 10;
/// Model Monitor writes its violations here, under the run's processing output.
const VIOLATIONS_FILE: &str = "constraint_violations.json";

impl AwsBackend {
    pub(super) async fn sm_endpoint_models(&self, endpoint: &str) -> Result<EndpointModels, BackendError> {
        self.stats.count("sagemaker:DescribeEndpoint");
        let described = self
            .sagemaker
            .describe_endpoint()
            .endpoint_name(endpoint)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:DescribeEndpoint", &e))?;
        let config = described.endpoint_config_name().ok_or_else(|| {
            BackendError::Other(format!("sm:{endpoint}: DescribeEndpoint answered without an endpoint config"))
        })?;
        self.stats.count("sagemaker:DescribeEndpointConfig");
        let config = self
            .sagemaker
            .describe_endpoint_config()
            .endpoint_config_name(config)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:DescribeEndpointConfig", &e))?;
        let mut variants = Vec::new();
        for v in config.production_variants() {
            let (Some(variant), Some(model)) = (v.variant_name(), v.model_name()) else { continue };
            variants.push(VariantModel {
                variant: variant.to_string(),
                model_name: model.to_string(),
                containers: self.model_containers(model).await?,
            });
        }
        let monitoring = self.monitoring(endpoint).await?;
        Ok(EndpointModels { endpoint: endpoint.to_string(), variants, monitoring })
    }

    /// The primary container, or the inference pipeline's containers in order.
    async fn model_containers(&self, model: &str) -> Result<Vec<ModelContainer>, BackendError> {
        self.stats.count("sagemaker:DescribeModel");
        let out = self
            .sagemaker
            .describe_model()
            .model_name(model)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:DescribeModel", &e))?;
        let raw: Vec<&ContainerDefinition> = out.primary_container().into_iter().chain(out.containers()).collect();
        let mut containers = Vec::with_capacity(raw.len());
        for c in raw {
            let mut container = container_from(c);
            if let Some(name) = c.model_package_name() {
                let package = self.model_package(name).await?;
                container.newer_approved = self.newer_approved(&package).await?;
                container.package = Some(package);
            }
            containers.push(container);
        }
        Ok(containers)
    }

    async fn model_package(&self, name: &str) -> Result<ModelPackage, BackendError> {
        self.stats.count("sagemaker:DescribeModelPackage");
        let out = self
            .sagemaker
            .describe_model_package()
            .model_package_name(name)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:DescribeModelPackage", &e))?;
        Ok(package_from(&out))
    }

    /// The group's newest approved version when it is newer than `deployed`.
    async fn newer_approved(&self, deployed: &ModelPackage) -> Result<Option<ModelPackage>, BackendError> {
        let Some(group) = &deployed.group else { return Ok(None) };
        self.stats.count("sagemaker:ListModelPackages");
        let out = self
            .sagemaker
            .list_model_packages()
            .model_package_group_name(group)
            .model_approval_status(ModelApprovalStatus::Approved)
            .sort_by(ModelPackageSortBy::CreationTime)
            .sort_order(SortOrder::Descending)
            .max_results(APPROVED)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:ListModelPackages", &e))?;
        let newest = out
            .model_package_summary_list()
            .iter()
            .filter_map(|s| Some((s.model_package_version()?, s.model_package_arn()?)))
            .max_by_key(|(version, _)| *version);
        match newest {
            Some((version, arn)) if is_newer(version, deployed) => self.model_package(arn).await.map(Some),
            _ => Ok(None),
        }
    }

    async fn monitoring(&self, endpoint: &str) -> Result<Vec<MonitoringSchedule>, BackendError> {
        let mut schedules = Vec::new();
        let mut token = None;
        loop {
            self.stats.count("sagemaker:ListMonitoringSchedules");
            let page = self
                .sagemaker
                .list_monitoring_schedules()
                .endpoint_name(endpoint)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("sagemaker:ListMonitoringSchedules", &e))?;
            for s in page.monitoring_schedule_summaries() {
                let Some(name) = s.monitoring_schedule_name() else { continue };
                schedules.push(MonitoringSchedule {
                    name: name.to_string(),
                    status: s.monitoring_schedule_status().map_or("-".to_string(), |st| st.as_str().to_string()),
                    kind: s.monitoring_type().map(|t| t.as_str().to_string()),
                    executions: self.executions(name).await?,
                });
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(schedules);
            }
        }
    }

    /// The newest runs, newest first (by scheduled time, as asked; sorted again here).
    async fn executions(&self, schedule: &str) -> Result<Vec<MonitoringExecution>, BackendError> {
        self.stats.count("sagemaker:ListMonitoringExecutions");
        let out = self
            .sagemaker
            .list_monitoring_executions()
            .monitoring_schedule_name(schedule)
            .sort_by(MonitoringExecutionSortKey::ScheduledTime)
            .sort_order(SortOrder::Descending)
            .max_results(EXECUTIONS)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:ListMonitoringExecutions", &e))?;
        let mut runs = Vec::new();
        for summary in out.monitoring_execution_summaries() {
            let mut run = execution_from(summary);
            if run.violations() {
                if let Some(job) = summary.processing_job_arn() {
                    run.report = self.violation_report(arn_name(job)).await;
                }
            }
            runs.push(run);
        }
        runs.sort_by_key(|r| std::cmp::Reverse(r.scheduled));
        Ok(runs)
    }

    /// Where the run's violations were written; None when the job cannot be read (the run and
    /// its status still show).
    async fn violation_report(&self, job: &str) -> Option<String> {
        self.stats.count("sagemaker:DescribeProcessingJob");
        match self.sagemaker.describe_processing_job().processing_job_name(job).send().await {
            Ok(out) => out
                .processing_output_config()
                .and_then(|c| c.outputs().iter().find_map(|o| o.s3_output().and_then(|s| s.s3_uri())))
                .map(report_uri),
            Err(e) => {
                let _ = self.fail("sagemaker:DescribeProcessingJob", &e);
                None
            }
        }
    }
}

fn container_from(c: &ContainerDefinition) -> ModelContainer {
    ModelContainer {
        image: c.image().map(str::to_string),
        model_data_url: c.model_data_url().map(str::to_string),
        package: None,
        newer_approved: None,
    }
}

/// The Model Registry records no approval time. An approval is an UpdateModelPackage, so an
/// Approved package's LastModifiedTime is when it was approved unless it was changed since; a
/// package registered as Approved was never modified, and its CreationTime stands in.
fn package_from(p: &DescribeModelPackageOutput) -> ModelPackage {
    let approval = p.model_approval_status().map_or("-".to_string(), |s| s.as_str().to_string());
    let created = time(p.creation_time());
    let approved_at = if approval == "Approved" { time(p.last_modified_time()).or(created) } else { None };
    ModelPackage {
        arn: p.model_package_arn().unwrap_or_default().to_string(),
        group: p.model_package_group_name().map(str::to_string),
        version: p.model_package_version().and_then(|v| u32::try_from(v).ok()),
        approval,
        created,
        approved_at,
    }
}

fn is_newer(version: i32, deployed: &ModelPackage) -> bool {
    match (u32::try_from(version).ok(), deployed.version) {
        (Some(v), Some(d)) => v > d,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn execution_from(s: &MonitoringExecutionSummary) -> MonitoringExecution {
    MonitoringExecution {
        status: s.monitoring_execution_status().map_or("-".to_string(), |st| st.as_str().to_string()),
        scheduled: time(s.scheduled_time()),
        report: None,
        failure: s.failure_reason().map(str::to_string),
    }
}

fn report_uri(output: &str) -> String {
    format!("{}/{VIOLATIONS_FILE}", output.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sagemaker::types::ExecutionStatus;
    use aws_smithy_types::DateTime;

    #[test]
    fn approval_time_is_the_last_change_while_approved_else_the_creation() {
        let created = DateTime::from_secs(1_700_000_000);
        let modified = DateTime::from_secs(1_700_086_400);
        let approved = DescribeModelPackageOutput::builder()
            .model_package_arn("arn:aws:sagemaker:us-east-1:1:model-package/prediction-models/2")
            .model_package_group_name("prediction-models")
            .model_package_version(2)
            .model_approval_status(ModelApprovalStatus::Approved)
            .creation_time(created)
            .last_modified_time(modified)
            .build();
        let p = package_from(&approved);
        assert_eq!(p.describe(), "prediction-models v2 (Approved)");
        assert_eq!(p.approved_at.map(|t| t.timestamp()), Some(1_700_086_400));
        let registered_approved = DescribeModelPackageOutput::builder()
            .model_approval_status(ModelApprovalStatus::Approved)
            .creation_time(created)
            .build();
        assert_eq!(package_from(&registered_approved).approved_at.map(|t| t.timestamp()), Some(1_700_000_000));
        let pending = DescribeModelPackageOutput::builder()
            .model_approval_status(ModelApprovalStatus::PendingManualApproval)
            .last_modified_time(modified)
            .build();
        assert_eq!(package_from(&pending).approved_at, None);
        assert!(is_newer(3, &p) && !is_newer(2, &p) && !is_newer(1, &p));
    }

    #[test]
    fn runs_convert_and_reports_point_at_the_violations_file() {
        let s = MonitoringExecutionSummary::builder()
            .monitoring_execution_status(ExecutionStatus::CompletedWithViolations)
            .scheduled_time(DateTime::from_secs(1_700_000_000))
            .build();
        let run = execution_from(&s);
        assert!(run.violations() && run.finished());
        assert_eq!(run.scheduled.map(|t| t.timestamp()), Some(1_700_000_000));
        assert_eq!(
            report_uri("s3://bucket/monitor/2024/05/01/13/"),
            "s3://bucket/monitor/2024/05/01/13/constraint_violations.json"
        );
        let c = ContainerDefinition::builder().image("img:1").model_data_url("s3://b/model.tar.gz").build();
        assert_eq!(container_from(&c).model_data_url.as_deref(), Some("s3://b/model.tar.gz"));
    }
}
