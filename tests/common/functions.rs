//! Fixtures for the Lambda functions pane and the models behind endpoints.

use super::{series, t0};
use chrono::Duration;
use opsdeck::domain::*;
use std::collections::BTreeMap;

pub const TRYON: &str = "GarmaxAi-TryonProcessor-PROD";
pub const BILLING: &str = "GarmaxAi-BillingProcessor-PROD";
pub const QUEUE: &str = "garmax-tryon-queue";

pub fn functions() -> Vec<Function> {
    vec![
        Function {
            name: TRYON.into(),
            runtime: Some("python3.12".into()),
            memory_mb: Some(3008),
            timeout_secs: Some(300),
            last_modified: Some(t0() - Duration::days(3)),
            reserved_concurrency: Some(10),
            event_sources: vec![EventSource {
                uuid: "6f1c".into(),
                source_arn: format!("arn:aws:sqs:us-east-1:123456789012:{QUEUE}"),
                state: "Enabled".into(),
                batch_size: Some(1),
            }],
            log_group: format!("/aws/lambda/{TRYON}"),
        },
        Function {
            name: BILLING.into(),
            runtime: Some("nodejs20.x".into()),
            memory_mb: Some(256),
            timeout_secs: Some(30),
            last_modified: Some(t0() - Duration::days(40)),
            reserved_concurrency: None,
            event_sources: vec![],
            log_group: format!("/aws/lambda/{BILLING}"),
        },
    ]
}

pub fn function_metrics(functions: &[Function]) -> BTreeMap<String, FunctionMetrics> {
    functions
        .iter()
        .map(|f| {
            let busy = f.name == TRYON;
            let m = FunctionMetrics {
                invocations: series(&[Some(20.0), Some(25.0), Some(if busy { 30.0 } else { 4.0 })]),
                errors: series(&[Some(0.0), Some(0.0), Some(if busy { 2.0 } else { 0.0 })]),
                throttles: series(&[Some(0.0), Some(12.0), Some(if busy { 41.0 } else { 0.0 })]),
                duration_p50_ms: series(&[Some(1800.0)]),
                duration_p99_ms: series(&[Some(if busy { 9400.0 } else { 120.0 })]),
                concurrent: series(&[Some(if busy { 10.0 } else { 1.0 })]),
                queue_depth: if busy {
                    BTreeMap::from([(QUEUE.to_string(), series(&[Some(400.0), Some(1350.0)]))])
                } else {
                    BTreeMap::new()
                },
            };
            (f.name.clone(), m)
        })
        .collect()
}

pub fn function_detail(name: &str) -> FunctionDetail {
    let function = functions().into_iter().find(|f| f.name == name).unwrap_or_else(|| functions()[0].clone());
    FunctionDetail {
        arn: Some(format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")),
        handler: Some("handler.process".into()),
        description: Some("Virtual try-on from the SMPL queue".into()),
        environment: vec!["MODEL_BUCKET".into(), "SMPL_ENDPOINT".into()],
        versions: vec![
            FunctionVersion { version: "11".into(), last_modified: Some(t0() - Duration::days(9)), description: None },
            FunctionVersion {
                version: "12".into(),
                last_modified: Some(t0() - Duration::days(3)),
                description: Some("pose fix".into()),
            },
        ],
        aliases: vec![FunctionAlias { name: "live".into(), version: "12".into(), weights: vec![("11".into(), 0.1)] }],
        function,
    }
}

pub fn endpoint_models(name: &str) -> EndpointModels {
    let package = |version: u32, days: i64| ModelPackage {
        arn: format!("arn:aws:sagemaker:us-east-1:123456789012:model-package/prediction-models/{version}"),
        group: Some("prediction-models".into()),
        version: Some(version),
        approval: "Approved".into(),
        created: Some(t0() - Duration::days(days + 1)),
        approved_at: Some(t0() - Duration::days(days)),
    };
    EndpointModels {
        endpoint: name.into(),
        variants: vec![VariantModel {
            variant: "model-v1".into(),
            model_name: "prediction-model-v3".into(),
            containers: vec![ModelContainer {
                image: Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/prediction:3.1".into()),
                model_data_url: Some("s3://prediction-models/v3/model.tar.gz".into()),
                package: Some(package(3, 30)),
                newer_approved: Some(package(4, 2)),
            }],
        }],
        monitoring: vec![MonitoringSchedule {
            name: "prediction-data-quality".into(),
            status: "Scheduled".into(),
            kind: Some("DataQuality".into()),
            executions: vec![MonitoringExecution {
                status: "Completed".into(),
                scheduled: Some(t0() - Duration::hours(1)),
                report: None,
                failure: None,
            }],
        }],
    }
}
