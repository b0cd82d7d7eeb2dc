//! ECS service deployments (ListServiceDeployments, DescribeServiceDeployments and, for the
//! task definition each one rolls out, DescribeServiceRevisions).
//!
//! ECS keeps these records only for deployments since 2024-10-25 (90 days), emulators may not
//! implement the calls, and a read-only role may lack them: every failure here reads as "ECS
//! reports no service deployment" (logged at debug), never as a failed read.

use super::convert::{task_def_ref, time};
use super::{errors, AwsBackend};
use crate::backend::BackendError;
use crate::domain::{ServiceDeploymentInfo, TaskDefRef};
use aws_sdk_ecs::types::{ServiceDeployment, ServiceDeploymentStatus};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Records listed when only the newest matters (sorted here: not every endpoint sorts).
const NEWEST_LISTED: i32 = 5;
/// SUCCESSFUL records read for the roll back history.
const SUCCESSFUL_LISTED: i32 = 10;
/// DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs per call.
const DESCRIBE_BATCH: usize = 20;

impl AwsBackend {
    /// Classify and log quietly: absence of these records is normal.
    fn unreported<E>(&self, action: &'static str, err: &E) -> BackendError
    where
        E: ProvideErrorMetadata + std::error::Error,
    {
        let error = errors::classify(action, &self.profile, err);
        tracing::debug!(action, %error, "ECS reports no service deployment");
        error
    }

    /// Deployment ARNs of the service, newest first.
    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
        status: Option<ServiceDeploymentStatus>,
        max: i32,
    ) -> Result<Vec<String>, BackendError> {
        self.stats.count("ecs:ListServiceDeployments");
        let out = self
            .ecs
            .list_service_deployments()
            .cluster(cluster)
            .service(service)
            .set_status(status.map(|s| vec![s]))
            .max_results(max)
            .send()
            .await
            .map_err(|e| self.unreported("ecs:ListServiceDeployments", &e))?;
        let mut briefs: Vec<_> = out.service_deployments().iter().collect();
        briefs.sort_by_key(|b| std::cmp::Reverse(time(b.created_at())));
        Ok(briefs.iter().filter_map(|b| b.service_deployment_arn().map(str::to_string)).collect())
    }

    async fn describe_service_deployments(&self, arns: &[String]) -> Result<Vec<ServiceDeployment>, BackendError> {
        let mut found = Vec::new();
        for chunk in arns.chunks(DESCRIBE_BATCH) {
            self.stats.count("ecs:DescribeServiceDeployments");
            let out = self
                .ecs
                .describe_service_deployments()
                .set_service_deployment_arns(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| self.unreported("ecs:DescribeServiceDeployments", &e))?;
            found.extend(out.service_deployments().iter().cloned());
        }
        Ok(found)
    }

    /// Service revision ARN -> the task definition it deploys (immutable, so cached). Revisions
    /// that cannot be read are left out.
    async fn revision_task_defs(&self, revision_arns: &[String]) -> HashMap<String, TaskDefRef> {
        let mut known: HashMap<String, TaskDefRef> = self
            .service_revisions
            .lock()
            .map(|cache| revision_arns.iter().filter_map(|a| Some((a.clone(), cache.get(a)?.clone()))).collect())
            .unwrap_or_default();
        let mut missing: Vec<String> = revision_arns.iter().filter(|a| !known.contains_key(*a)).cloned().collect();
        missing.sort();
        missing.dedup();
        for chunk in missing.chunks(DESCRIBE_BATCH) {
            self.stats.count("ecs:DescribeServiceRevisions");
            let out = match self
                .ecs
                .describe_service_revisions()
                .set_service_revision_arns(Some(chunk.to_vec()))
                .send()
                .await
            {
                Ok(out) => out,
                Err(e) => {
                    let _ = self.unreported("ecs:DescribeServiceRevisions", &e);
                    break;
                }
            };
            for r in out.service_revisions() {
                if let (Some(arn), Some(td)) = (r.service_revision_arn(), r.task_definition()) {
                    known.insert(arn.to_string(), task_def_ref(td));
                }
            }
        }
        if let Ok(mut cache) = self.service_revisions.lock() {
            cache.extend(known.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        known
    }

    /// The newest service deployment, where ECS reports one.
    pub(super) async fn newest_service_deployment(
        &self,
        cluster: &str,
        service: &str,
    ) -> Option<ServiceDeploymentInfo> {
        let arns = self.list_service_deployments(cluster, service, None, NEWEST_LISTED).await.ok()?;
        let newest = arns.first()?;
        let described = self.describe_service_deployments(std::slice::from_ref(newest)).await.ok()?;
        let d = described.iter().find(|d| d.service_deployment_arn() == Some(newest.as_str())).or(described.first())?;
        let revision = d.target_service_revision().and_then(|r| r.arn()).map(str::to_string);
        let targets = match &revision {
            Some(arn) => self.revision_task_defs(std::slice::from_ref(arn)).await,
            None => HashMap::new(),
        };
        Some(ServiceDeploymentInfo {
            arn: d.service_deployment_arn().unwrap_or(newest).to_string(),
            status: d.status().map_or("-".to_string(), |s| s.as_str().to_string()),
            lifecycle_stage: d.lifecycle_stage().map(|s| s.as_str().to_string()),
            target: revision.and_then(|arn| targets.get(&arn).cloned()),
            status_reason: d.status_reason().map(str::to_string),
            created_at: time(d.created_at()),
        })
    }

    /// Revisions whose deployment of this service ECS recorded as SUCCESSFUL, with when each
    /// deployment began, newest first. Empty where ECS keeps no records.
    pub(super) async fn successful_deployments(
        &self,
        cluster: &str,
        service: &str,
    ) -> Vec<(Option<DateTime<Utc>>, TaskDefRef)> {
        let status = Some(ServiceDeploymentStatus::Successful);
        let Ok(arns) = self.list_service_deployments(cluster, service, status, SUCCESSFUL_LISTED).await else {
            return Vec::new();
        };
        if arns.is_empty() {
            return Vec::new();
        }
        let Ok(described) = self.describe_service_deployments(&arns).await else {
            return Vec::new();
        };
        let revisions: Vec<String> = described
            .iter()
            .filter_map(|d| d.target_service_revision().and_then(|r| r.arn()).map(str::to_string))
            .collect();
        let targets = self.revision_task_defs(&revisions).await;
        let mut found: Vec<(Option<DateTime<Utc>>, TaskDefRef)> = described
            .iter()
            .filter(|d| d.status() == Some(&ServiceDeploymentStatus::Successful))
            .filter_map(|d| {
                let arn = d.target_service_revision()?.arn()?;
                Some((time(d.created_at()), targets.get(arn)?.clone()))
            })
            .collect();
        found.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        found
    }
}
