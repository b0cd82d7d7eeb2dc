//! Task-definition revisions of the seed services, as a diff wants them. In `bad-deploy`,
//! cleanistic-ai-api:15 ships a new image and lost MODEL_PATH: the KeyError in its logs.

use super::catalog::{ServiceSpec, ACCOUNT_ID, REGION};
use super::scenario::BAD_REVISION;
use crate::domain::{ContainerSpec, TaskDefRef, TaskDefSpec};

fn env(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs.iter().map(|(k, val)| (k.to_string(), val.clone())).collect();
    v.sort();
    v
}

/// CPU units of one task: the services that run two tasks are the bigger ones.
pub(crate) fn task_cpu(service: &ServiceSpec) -> u32 {
    if service.desired > 1 {
        1024
    } else {
        512
    }
}

pub(crate) fn spec(service: &ServiceSpec, revision: u32) -> TaskDefSpec {
    let tag = format!("v1.{}.{}", revision / 4, revision % 4);
    let mut vars = vec![
        ("LOG_LEVEL", "info".to_string()),
        ("PORT", service.port.to_string()),
        ("AWS_REGION", REGION.to_string()),
        ("SYSTEM", service.system.to_string()),
    ];
    let broken = service.family == "cleanistic-ai-api" && revision == BAD_REVISION;
    if !broken {
        vars.push(("MODEL_PATH", "/opt/ml/model".to_string()));
    }
    if broken {
        vars.push(("FEATURE_BATCH_UPLOADS", "true".to_string()));
    }
    TaskDefSpec {
        task_def: TaskDefRef { family: service.family.to_string(), revision },
        cpu: Some(task_cpu(service).to_string()),
        memory: Some(if service.desired > 1 { "2048" } else { "1024" }.to_string()),
        containers: vec![ContainerSpec {
            name: service.container.to_string(),
            image: format!("{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{}:{tag}", service.family),
            environment: env(&vars),
            secrets: vec!["DATABASE_URL".to_string(), "API_SIGNING_KEY".to_string()],
            command: Vec::new(),
            ports: vec![format!("{}/tcp", service.port)],
            health_check: Some(format!("CMD-SHELL curl -f http://localhost:{}/health || exit 1", service.port)),
            cpu: None,
            memory: None,
        }],
    }
}
