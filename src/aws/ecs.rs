//! ECS: clusters, services (described 10 at a time, the API's limit), tasks and events.

use super::convert::{arn_name, task_def_ref, time};
use super::AwsBackend;
use crate::backend::{BackendError, ServicesProgress};
use crate::domain::TaskDefRef;
use crate::domain::{Address, Deployment, RolloutState, Service, ServiceDetail, ServiceEvent, Task, TaskHealth};
use aws_sdk_ecs::types::{DeploymentRolloutState, DesiredStatus, HealthStatus};
use futures::stream::{self, StreamExt, TryStreamExt};

/// DescribeServices takes at most 10 services per call.
const DESCRIBE_SERVICES_BATCH: usize = 10;
/// DescribeTasks takes at most 100 tasks per call.
const DESCRIBE_TASKS_BATCH: usize = 100;
/// Batches described before the first rows are shown: 50 services, more than a screen.
const FIRST_SCREEN_BATCHES: usize = 5;
/// Concurrent calls per refresh: well under ECS's ~20 req/s sustained read rate.
const CONCURRENCY: usize = 6;
/// Service events kept from one read.
const EVENTS_KEPT: usize = 50;

impl AwsBackend {
    async fn list_clusters(&self) -> Result<Vec<String>, BackendError> {
        let mut arns = Vec::new();
        let mut token = None;
        loop {
            self.stats.count("ecs:ListClusters");
            let page = self
                .ecs
                .list_clusters()
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("ecs:ListClusters", &e))?;
            arns.extend(page.cluster_arns().iter().cloned());
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(arns);
            }
        }
    }

    async fn list_services(&self, cluster: &str) -> Result<Vec<String>, BackendError> {
        let mut arns = Vec::new();
        let mut token = None;
        loop {
            self.stats.count("ecs:ListServices");
            let page = self
                .ecs
                .list_services()
                .cluster(cluster)
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("ecs:ListServices", &e))?;
            arns.extend(page.service_arns().iter().cloned());
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(arns);
            }
        }
    }

    /// The services of one cluster by address, sorted by name (ListServices, paged); a missing
    /// cluster is `NotFound` (ClusterNotFoundException).
    pub(super) async fn ecs_cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError> {
        let mut names: Vec<String> =
            self.list_services(cluster).await?.iter().map(|arn| arn_name(arn).to_string()).collect();
        names.sort();
        Ok(names.into_iter().map(|name| Address::ecs(cluster, name)).collect())
    }

    pub(super) async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> Result<Vec<aws_sdk_ecs::types::Service>, BackendError> {
        self.stats.count("ecs:DescribeServices");
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(services.to_vec()))
            .send()
            .await
            .map_err(|e| self.fail("ecs:DescribeServices", &e))?;
        Ok(out.services.unwrap_or_default())
    }

    /// Each batch made into services (with its task definition) as it arrives: the SDK's answers,
    /// several times larger, never pile up (at 2,000 services they peaked at 6.8 MB of heap).
    async fn describe_batches(
        &self,
        batches: &[(String, Vec<String>)],
    ) -> Result<Vec<(Service, Option<String>)>, BackendError> {
        let described: Vec<Vec<(Service, Option<String>)>> = stream::iter(batches.iter().cloned())
            .map(|(cluster, chunk)| async move {
                let raw = self.describe_services(&cluster, &chunk).await?;
                Ok::<_, BackendError>(
                    raw.iter().map(|s| (service_from(s), s.task_definition().map(str::to_string))).collect(),
                )
            })
            .buffered(CONCURRENCY)
            .try_collect()
            .await?;
        Ok(described.into_iter().flatten().collect())
    }

    /// Every service, described in display order (cluster, then name); the first screenful is
    /// handed to `first_screen` before the rest is read, so 2,000 services do not mean a blank pane.
    pub(super) async fn ecs_services(&self, first_screen: &ServicesProgress<'_>) -> Result<Vec<Service>, BackendError> {
        let clusters = self.list_clusters().await?;
        let mut per_cluster: Vec<(String, Vec<String>)> = stream::iter(clusters)
            .map(|cluster| async move { self.list_services(&cluster).await.map(|s| (cluster, s)) })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        per_cluster.sort_by(|a, b| arn_name(&a.0).cmp(arn_name(&b.0)));
        for (_, arns) in &mut per_cluster {
            arns.sort_by(|a, b| arn_name(a).cmp(arn_name(b)));
        }
        let batches: Vec<(String, Vec<String>)> = per_cluster
            .iter()
            .flat_map(|(cluster, arns)| {
                arns.chunks(DESCRIBE_SERVICES_BATCH).map(move |chunk| (cluster.clone(), chunk.to_vec()))
            })
            .collect();
        let split = batches.len().min(FIRST_SCREEN_BATCHES);
        let mut described = self.describe_batches(&batches[..split]).await?;
        if split < batches.len() {
            first_screen(described.iter().map(|(s, _)| s.clone()).collect());
            described.extend(self.describe_batches(&batches[split..]).await?);
        }
        let task_defs: Vec<String> = described.iter().filter_map(|(_, td)| td.clone()).collect();
        self.resolve_log_groups(&task_defs).await;
        let groups = self.log_groups.lock().map(|g| g.clone()).unwrap_or_default();
        Ok(described
            .into_iter()
            .map(|(mut service, td)| {
                service.log_group = td.and_then(|td| groups.get(&td).cloned().flatten());
                service
            })
            .collect())
    }

    /// Look up the awslogs group of task definitions not seen before (immutable, so cached).
    async fn resolve_log_groups(&self, task_defs: &[String]) {
        let missing: Vec<String> = {
            let known = match self.log_groups.lock() {
                Ok(k) => k,
                Err(_) => return,
            };
            let mut m: Vec<String> = task_defs.iter().filter(|td| !known.contains_key(*td)).cloned().collect();
            m.sort();
            m.dedup();
            m
        };
        let found: Vec<(String, Option<String>)> = stream::iter(missing)
            .map(|arn| async move {
                self.stats.count("ecs:DescribeTaskDefinition");
                let group = match self.ecs.describe_task_definition().task_definition(&arn).send().await {
                    Ok(out) => out.task_definition().and_then(|td| {
                        td.container_definitions()
                            .iter()
                            .find_map(|c| c.log_configuration()?.options()?.get("awslogs-group").cloned())
                    }),
                    Err(e) => {
                        // Not fatal: the service is still listed, only its log tail is unknown.
                        let _ = self.fail("ecs:DescribeTaskDefinition", &e);
                        return (arn, None);
                    }
                };
                (arn, group)
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        if let Ok(mut known) = self.log_groups.lock() {
            known.extend(found);
        }
    }

    pub(super) async fn ecs_service_detail(&self, address: &Address) -> Result<ServiceDetail, BackendError> {
        let Address::EcsService { cluster, service } = address else {
            return Err(BackendError::NotFound(format!("{address} is not an ECS service")));
        };
        let described = self.describe_services(cluster, std::slice::from_ref(service)).await?;
        let raw = described.first().ok_or_else(|| BackendError::NotFound(address.to_string()))?;
        let mut arns = Vec::new();
        for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
            self.stats.count("ecs:ListTasks");
            let page = self
                .ecs
                .list_tasks()
                .cluster(cluster)
                .service_name(service)
                .desired_status(status)
                .max_results(100)
                .send()
                .await
                .map_err(|e| self.fail("ecs:ListTasks", &e))?;
            arns.extend(page.task_arns().iter().cloned());
        }
        let mut tasks = Vec::new();
        for chunk in arns.chunks(DESCRIBE_TASKS_BATCH) {
            self.stats.count("ecs:DescribeTasks");
            let out = self
                .ecs
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| self.fail("ecs:DescribeTasks", &e))?;
            // ListTasks filters by service on AWS; some emulators ignore the filter, so check the group.
            let group = format!("service:{service}");
            tasks.extend(out.tasks().iter().filter(|t| t.group().is_none_or(|g| g == group)).map(task_from));
        }
        tasks.sort_by(|a, b| {
            (a.last_status == "STOPPED").cmp(&(b.last_status == "STOPPED")).then(b.started_at.cmp(&a.started_at))
        });
        let events = events_from(raw);
        let revisions = self.revisions(&task_def_ref(raw.task_definition().unwrap_or_default()).family).await?;
        Ok(ServiceDetail { address: address.clone(), tasks, events, revisions })
    }
}

impl AwsBackend {
    /// The family's ten newest revisions, newest first: what the task view lists.
    async fn revisions(&self, family: &str) -> Result<Vec<TaskDefRef>, BackendError> {
        let mut revisions = self.active_revisions(family).await?;
        revisions.truncate(10);
        Ok(revisions)
    }
}

fn rollout(state: Option<&DeploymentRolloutState>) -> RolloutState {
    match state {
        Some(DeploymentRolloutState::InProgress) => RolloutState::InProgress,
        Some(DeploymentRolloutState::Completed) => RolloutState::Completed,
        Some(DeploymentRolloutState::Failed) => RolloutState::Failed,
        _ => RolloutState::Unknown,
    }
}

fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// The service's newest events (ECS keeps 100), newest first.
pub(super) fn events_from(s: &aws_sdk_ecs::types::Service) -> Vec<ServiceEvent> {
    let mut events: Vec<ServiceEvent> = s
        .events()
        .iter()
        .filter_map(|e| Some(ServiceEvent { at: time(e.created_at())?, message: e.message()?.to_string() }))
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    events.truncate(EVENTS_KEPT);
    events
}

pub(super) fn service_from(s: &aws_sdk_ecs::types::Service) -> Service {
    let deployments: Vec<Deployment> = s
        .deployments()
        .iter()
        .map(|d| Deployment {
            id: d.id().unwrap_or_default().to_string(),
            status: d.status().unwrap_or_default().to_string(),
            task_definition: task_def_ref(d.task_definition().unwrap_or_default()),
            desired: count(d.desired_count()),
            running: count(d.running_count()),
            pending: count(d.pending_count()),
            failed: count(d.failed_tasks()),
            rollout: rollout(d.rollout_state()),
            created_at: time(d.created_at()).unwrap_or_default(),
        })
        .collect();
    let primary = deployments.iter().find(|d| d.status == "PRIMARY");
    Service {
        cluster: arn_name(s.cluster_arn().unwrap_or_default()).to_string(),
        name: s.service_name().unwrap_or_default().to_string(),
        system: s.tags().iter().find(|t| t.key() == Some("system")).and_then(|t| t.value()).map(str::to_string),
        desired: count(s.desired_count()),
        running: count(s.running_count()),
        pending: count(s.pending_count()),
        // A service without deployment data (or an emulator that never fills it) reads as unknown.
        rollout: primary.map_or(RolloutState::Unknown, |d| d.rollout),
        task_definition: task_def_ref(s.task_definition().unwrap_or_default()),
        last_deployment_at: primary.map(|d| d.created_at),
        deployments,
        log_group: None,
        target_groups: s.load_balancers().iter().filter_map(|lb| lb.target_group_arn()).map(str::to_string).collect(),
    }
}

/// The task's private IP: its ENI attachment's `privateIPv4Address`, or a container's interface.
fn task_ip(t: &aws_sdk_ecs::types::Task) -> Option<String> {
    let attached = t
        .attachments()
        .iter()
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| d.value());
    let container =
        || t.containers().iter().flat_map(|c| c.network_interfaces()).find_map(|n| n.private_ipv4_address());
    attached.or_else(container).map(str::to_string)
}

fn task_from(t: &aws_sdk_ecs::types::Task) -> Task {
    Task {
        id: arn_name(t.task_arn().unwrap_or_default()).to_string(),
        task_definition: task_def_ref(t.task_definition_arn().unwrap_or_default()),
        last_status: t.last_status().unwrap_or_default().to_string(),
        desired_status: t.desired_status().unwrap_or_default().to_string(),
        health: match t.health_status() {
            Some(HealthStatus::Healthy) => TaskHealth::Healthy,
            Some(HealthStatus::Unhealthy) => TaskHealth::Unhealthy,
            _ => TaskHealth::Unknown,
        },
        started_at: time(t.started_at()),
        stopped_at: time(t.stopped_at()),
        stopped_reason: t.stopped_reason().map(str::to_string),
        ip: task_ip(t),
    }
}
