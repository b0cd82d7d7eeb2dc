//! Task definitions for roll back: one revision reduced to what a diff shows, and the history of
//! a service's family (its ACTIVE revisions, and which of them completed a deployment of it).

use super::convert::{task_def_ref, time};
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{Address, ContainerSpec, RevisionHistory, TaskDefRef, TaskDefSpec};
use aws_sdk_ecs::types::{ContainerDefinition, DeploymentRolloutState, SortOrder, TaskDefinitionStatus};
use chrono::{DateTime, Utc};

/// ACTIVE revisions kept for the roll back list.
const REVISIONS_KEPT: usize = 20;

impl AwsBackend {
    /// DescribeTaskDefinition `family:revision`, reduced to what a diff shows (secret names only).
    pub(super) async fn ecs_task_definition(&self, task_def: &TaskDefRef) -> Result<TaskDefSpec, BackendError> {
        self.stats.count("ecs:DescribeTaskDefinition");
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(task_def.to_string())
            .send()
            .await
            .map_err(|e| self.fail("ecs:DescribeTaskDefinition", &e))?;
        let td = out.task_definition().ok_or_else(|| BackendError::NotFound(format!("task definition {task_def}")))?;
        let revision = u32::try_from(td.revision()).ok().filter(|r| *r > 0).unwrap_or(task_def.revision);
        Ok(TaskDefSpec {
            task_def: TaskDefRef { family: td.family().unwrap_or(&task_def.family).to_string(), revision },
            cpu: td.cpu().map(str::to_string),
            memory: td.memory().map(str::to_string),
            containers: td.container_definitions().iter().map(container_from).collect(),
        })
    }

    /// The family's ACTIVE revisions newest first (sorted and filtered here too: not every endpoint
    /// sorts, and some treat the prefix as a prefix).
    pub(super) async fn active_revisions(&self, family: &str) -> Result<Vec<TaskDefRef>, BackendError> {
        if family.is_empty() {
            return Ok(Vec::new());
        }
        self.stats.count("ecs:ListTaskDefinitions");
        let out = self
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(TaskDefinitionStatus::Active)
            .sort(SortOrder::Desc)
            .max_results(REVISIONS_KEPT as i32)
            .send()
            .await
            .map_err(|e| self.fail("ecs:ListTaskDefinitions", &e))?;
        let mut revisions: Vec<TaskDefRef> =
            out.task_definition_arns().iter().map(|a| task_def_ref(a)).filter(|r| r.family == family).collect();
        revisions.sort_by_key(|r| std::cmp::Reverse(r.revision));
        revisions.dedup();
        revisions.truncate(REVISIONS_KEPT);
        Ok(revisions)
    }

    /// What roll back can go to. `completed` merges ECS's SUCCESSFUL service-deployment records
    /// (where it keeps them) with the service's own deployments whose rollout COMPLETED: in a
    /// failed rollout the old ACTIVE deployment is the last one that completed.
    pub(super) async fn ecs_revision_history(&self, address: &Address) -> Result<RevisionHistory, BackendError> {
        let Address::EcsService { cluster, service } = address else {
            return Err(BackendError::Other(format!("{address} is not an ECS service: it has no task definitions")));
        };
        let described = self.describe_services(cluster, std::slice::from_ref(service)).await?;
        let raw = described
            .iter()
            .find(|s| s.status() != Some("INACTIVE"))
            .ok_or_else(|| BackendError::NotFound(address.to_string()))?;
        let family = task_def_ref(raw.task_definition().unwrap_or_default()).family;
        let (revisions, recorded) =
            futures::join!(self.active_revisions(&family), self.successful_deployments(cluster, service));
        let live: Vec<(Option<DateTime<Utc>>, TaskDefRef)> = raw
            .deployments()
            .iter()
            .filter(|d| d.rollout_state() == Some(&DeploymentRolloutState::Completed))
            .filter_map(|d| Some((time(d.created_at()), task_def_ref(d.task_definition()?))))
            .collect();
        Ok(RevisionHistory { revisions: revisions?, completed: merge_completed(live, recorded) })
    }
}

/// Most recent first where the time is known (undated ones after, in the order given, the
/// service's own deployments first), each revision once.
fn merge_completed(
    live: Vec<(Option<DateTime<Utc>>, TaskDefRef)>,
    recorded: Vec<(Option<DateTime<Utc>>, TaskDefRef)>,
) -> Vec<TaskDefRef> {
    let mut all: Vec<(Option<DateTime<Utc>>, TaskDefRef)> = live.into_iter().chain(recorded).collect();
    // Stable: equal times keep the service's own deployments first.
    all.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut out: Vec<TaskDefRef> = Vec::new();
    for (_, r) in all {
        if r.revision > 0 && !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

fn container_from(c: &ContainerDefinition) -> ContainerSpec {
    let mut environment: Vec<(String, String)> = c
        .environment()
        .iter()
        .filter_map(|kv| Some((kv.name()?.to_string(), kv.value().unwrap_or_default().to_string())))
        .collect();
    environment.sort();
    // Names only: a secret's valueFrom (and the value behind it) never leaves AWS.
    let mut secrets: Vec<String> = c.secrets().iter().map(|s| s.name().to_string()).collect();
    secrets.sort();
    let ports = c
        .port_mappings()
        .iter()
        .filter_map(|p| {
            let port = p.container_port().map(|n| n.to_string()).or(p.container_port_range().map(str::to_string))?;
            Some(format!("{port}/{}", p.protocol().map_or("tcp", |t| t.as_str())))
        })
        .collect();
    ContainerSpec {
        name: c.name().unwrap_or_default().to_string(),
        image: c.image().unwrap_or_default().to_string(),
        environment,
        secrets,
        command: c.command().to_vec(),
        ports,
        health_check: c.health_check().map(|h| h.command().join(" ")).filter(|h| !h.is_empty()),
        // 0 is ECS's "not set".
        cpu: Some(c.cpu()).filter(|n| *n > 0),
        memory: c.memory(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{HealthCheck, KeyValuePair, PortMapping, Secret, TransportProtocol};

    fn td(revision: u32) -> TaskDefRef {
        TaskDefRef { family: "api".into(), revision }
    }

    fn at(minutes: i64) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(1_700_000_000 + minutes * 60, 0)
    }

    #[test]
    fn completed_is_newest_first_and_each_revision_once() {
        // A failed rollout of 15: the old ACTIVE deployment of 14 is the last completed one.
        let live = vec![(at(100), td(14))];
        let recorded = vec![(at(90), td(14)), (at(50), td(12)), (None, td(11))];
        assert_eq!(merge_completed(live, recorded), vec![td(14), td(12), td(11)]);
        assert_eq!(merge_completed(vec![(None, td(3))], vec![(at(1), td(2))]), vec![td(2), td(3)]);
    }

    #[test]
    fn containers_keep_secret_names_only_and_sort_the_environment() {
        let c = ContainerDefinition::builder()
            .name("api")
            .image("repo/api:v3")
            .environment(KeyValuePair::builder().name("Z").value("1").build())
            .environment(KeyValuePair::builder().name("A").value("2").build())
            .secrets(Secret::builder().name("DB_PASSWORD").value_from("arn:aws:ssm:::parameter/db").build().unwrap())
            .port_mappings(PortMapping::builder().container_port(8080).protocol(TransportProtocol::Udp).build())
            .port_mappings(PortMapping::builder().container_port(9090).build())
            .health_check(
                HealthCheck::builder().command("CMD-SHELL").command("curl -f localhost/health").build().unwrap(),
            )
            .memory(512)
            .build();
        let spec = container_from(&c);
        assert_eq!(spec.environment, vec![("A".into(), "2".into()), ("Z".into(), "1".into())]);
        assert_eq!(spec.secrets, vec!["DB_PASSWORD".to_string()]);
        assert!(!format!("{spec:?}").contains("arn:aws:ssm"), "secret values must not leave AWS: {spec:?}");
        assert_eq!(spec.ports, vec!["8080/udp".to_string(), "9090/tcp".to_string()]);
        assert_eq!(spec.health_check.as_deref(), Some("CMD-SHELL curl -f localhost/health"));
        assert_eq!((spec.cpu, spec.memory), (None, Some(512)));
    }
}
