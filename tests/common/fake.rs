//! A hand-made backend for the action path: answers reads from the fixtures and records every
//! mutation it is handed, so a test can say exactly what was (and was not) sent.

use super::*;
use opsdeck::backend::Permit;
use opsdeck::backend::{Backend, BackendError, BackendLabel, EndpointMetricsMap};
use std::sync::Mutex;

pub struct FakeBackend {
    pub services: Mutex<Vec<Service>>,
    pub endpoints: Mutex<Vec<Endpoint>>,
    pub scaling: Mutex<BTreeMap<String, ScalingTarget>>,
    pub applied: Mutex<Vec<Mutation>>,
}

impl FakeBackend {
    pub fn new() -> FakeBackend {
        let mut services = services();
        // cleanistic-ai-api: revision 15 failed to deploy; 14 is the last that completed.
        services[0].task_definition = TaskDefRef { family: "cleanistic-ai-api".into(), revision: 15 };
        services[0].deployments = vec![Deployment {
            id: "ecs-svc/15".into(),
            status: "PRIMARY".into(),
            task_definition: services[0].task_definition.clone(),
            desired: 2,
            running: 0,
            pending: 0,
            failed: 3,
            rollout: RolloutState::Failed,
            created_at: t0() - Duration::minutes(5),
        }];
        let mut scaling = BTreeMap::new();
        scaling.insert(
            "ecs:svg-ai-cluster/svg-ai-service".to_string(),
            ScalingTarget { min: 1, max: 4, suspended: Suspended { dynamic_in: true, ..Suspended::default() } },
        );
        FakeBackend {
            services: Mutex::new(services),
            endpoints: Mutex::new(endpoints()),
            scaling: Mutex::new(scaling),
            applied: Mutex::new(Vec::new()),
        }
    }

    pub fn applied(&self) -> Vec<Mutation> {
        self.applied.lock().unwrap().clone()
    }

    /// Someone else changes the desired count (the conflict check must notice).
    pub fn set_desired_behind_our_back(&self, name: &str, count: u32) {
        let mut services = self.services.lock().unwrap();
        services.iter_mut().find(|s| s.name == name).unwrap().desired = count;
    }

    /// The service reaches its goal: running = desired, the primary deployment COMPLETED.
    pub fn settle(&self, name: &str) {
        let mut services = self.services.lock().unwrap();
        let s = services.iter_mut().find(|s| s.name == name).unwrap();
        s.running = s.desired;
        s.rollout = RolloutState::Completed;
        for d in &mut s.deployments {
            d.running = d.desired;
            d.rollout = RolloutState::Completed;
        }
    }
}

fn spec(revision: u32) -> TaskDefSpec {
    let mut env = vec![("LOG_LEVEL".to_string(), "info".to_string())];
    if revision != 15 {
        env.push(("MODEL_PATH".to_string(), "/opt/ml/model".to_string()));
    }
    TaskDefSpec {
        task_def: TaskDefRef { family: "cleanistic-ai-api".into(), revision },
        cpu: Some("512".into()),
        memory: Some("1024".into()),
        containers: vec![ContainerSpec {
            name: "api".into(),
            image: format!("repo/cleanistic-ai-api:v{revision}"),
            environment: env,
            ..ContainerSpec::default()
        }],
    }
}

#[async_trait::async_trait]
impl Backend for FakeBackend {
    fn label(&self) -> BackendLabel {
        BackendLabel::Aws { profile: "test".into(), region: "us-east-1".into() }
    }
    async fn services(&self) -> Result<Vec<Service>, BackendError> {
        Ok(self.services.lock().unwrap().clone())
    }
    async fn service_metrics(&self, _: &[Address]) -> Result<BTreeMap<Address, ServiceMetrics>, BackendError> {
        Ok(BTreeMap::new())
    }
    async fn service_detail(&self, service: &Address) -> Result<ServiceDetail, BackendError> {
        Err(BackendError::NotFound(service.to_string()))
    }
    async fn endpoints(&self) -> Result<Vec<Endpoint>, BackendError> {
        Ok(self.endpoints.lock().unwrap().clone())
    }
    async fn endpoint_metrics(&self, _: &[String]) -> Result<EndpointMetricsMap, BackendError> {
        Ok(BTreeMap::new())
    }
    async fn alarms(&self) -> Result<Vec<Alarm>, BackendError> {
        Ok(alarms())
    }
    async fn cost(&self) -> Result<CostReport, BackendError> {
        Ok(cost())
    }
    async fn log_events(&self, _: &str, _: LogQuery) -> Result<LogBatch, BackendError> {
        Ok(LogBatch { events: vec![], skipped: 0 })
    }
    async fn snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        let scaling = self.scaling.lock().unwrap().get(&address.to_string()).copied();
        match address {
            Address::EcsService { .. } => {
                let services = self.services.lock().unwrap();
                let service = services.iter().find(|s| s.address() == *address).cloned();
                let service = service.ok_or_else(|| BackendError::NotFound(address.to_string()))?;
                Ok(Snapshot::Service(ServiceSnapshot { service, events: vec![], scaling, deployment: None }))
            }
            Address::Endpoint { endpoint, .. } => {
                let endpoints = self.endpoints.lock().unwrap();
                let e = endpoints.iter().find(|e| e.name == *endpoint).cloned();
                let e = e.ok_or_else(|| BackendError::NotFound(address.to_string()))?;
                Ok(Snapshot::Endpoint(EndpointSnapshot {
                    endpoint: e,
                    config_name: None,
                    failure_reason: None,
                    scaling: BTreeMap::new(),
                }))
            }
            other => Err(BackendError::NotFound(other.to_string())),
        }
    }
    async fn cluster_services(&self, cluster: &str) -> Result<Vec<Address>, BackendError> {
        let services = self.services.lock().unwrap();
        Ok(services.iter().filter(|s| s.cluster == cluster).map(|s| s.address()).collect())
    }
    async fn scaling_policies(
        &self,
        _: &opsdeck::domain::ScalableResource,
    ) -> Result<Vec<opsdeck::domain::ScalingPolicy>, BackendError> {
        Ok(Vec::new())
    }
    async fn parameters(&self, _: &[String]) -> Result<BTreeMap<String, String>, BackendError> {
        Ok(BTreeMap::new())
    }
    async fn endpoint_config(&self, config: &str) -> Result<Vec<opsdeck::domain::VariantCapacity>, BackendError> {
        Err(BackendError::NotFound(config.to_string()))
    }
    async fn revision_history(&self, _: &Address) -> Result<RevisionHistory, BackendError> {
        let r = |revision| TaskDefRef { family: "cleanistic-ai-api".into(), revision };
        Ok(RevisionHistory { revisions: vec![r(15), r(14), r(13)], completed: vec![r(14), r(13)] })
    }
    async fn task_definition(&self, td: &TaskDefRef) -> Result<TaskDefSpec, BackendError> {
        if td.revision > 15 || td.revision == 0 {
            return Err(BackendError::NotFound(td.to_string()));
        }
        Ok(spec(td.revision))
    }
    async fn caller_identity(&self) -> Result<String, BackendError> {
        Ok("arn:aws:iam::123456789012:user/oncall".into())
    }
    async fn apply(&self, permit: Permit) -> Result<Receipt, BackendError> {
        let m = permit.mutation().clone();
        let mut services = self.services.lock().unwrap();
        match &m {
            Mutation::SetDesiredCount { address, count } => {
                let s = services.iter_mut().find(|s| s.address() == *address).unwrap();
                s.desired = *count;
            }
            Mutation::SetTaskDefinition { address, task_def } => {
                let s = services.iter_mut().find(|s| s.address() == *address).unwrap();
                s.task_definition = task_def.clone();
                s.rollout = RolloutState::InProgress;
                s.deployments = vec![Deployment {
                    id: format!("ecs-svc/{}", task_def.revision),
                    status: "PRIMARY".into(),
                    task_definition: task_def.clone(),
                    desired: s.desired,
                    running: 0,
                    pending: s.desired,
                    failed: 0,
                    rollout: RolloutState::InProgress,
                    created_at: t0(),
                }];
            }
            _ => {}
        }
        let mut applied = self.applied.lock().unwrap();
        applied.push(m);
        Ok(Receipt { request_id: Some(format!("req-{}", applied.len())), response: None })
    }
}
