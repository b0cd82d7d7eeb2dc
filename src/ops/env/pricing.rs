//! What running resources cost per hour, roughly: enough to say what a teardown saves. List
//! prices of us-east-1, on demand (2025); Cost Explorer, not this, is the bill.

use crate::backend::Backend;
use crate::domain::Snapshot;
use crate::ops::plan::Read;

/// Fargate (Linux, x86): per vCPU-hour and per GB-hour.
const FARGATE_VCPU_HOUR: f64 = 0.04048;
const FARGATE_GB_HOUR: f64 = 0.004445;

/// SageMaker real-time inference instances, USD per hour.
const SAGEMAKER_HOURLY: [(&str, f64); 18] = [
    ("ml.t2.medium", 0.056),
    ("ml.t2.large", 0.111),
    ("ml.m5.large", 0.115),
    ("ml.m5.xlarge", 0.23),
    ("ml.m5.2xlarge", 0.461),
    ("ml.m5.4xlarge", 0.922),
    ("ml.c5.large", 0.102),
    ("ml.c5.xlarge", 0.204),
    ("ml.c5.2xlarge", 0.408),
    ("ml.g4dn.xlarge", 0.7364),
    ("ml.g4dn.2xlarge", 1.0528),
    ("ml.g5.xlarge", 1.408),
    ("ml.g5.2xlarge", 1.515),
    ("ml.g5.4xlarge", 2.03),
    ("ml.p3.2xlarge", 3.825),
    ("ml.inf1.xlarge", 0.297),
    ("ml.inf2.xlarge", 0.99),
    ("ml.r5.large", 0.151),
];

pub fn instance_hourly(instance_type: &str) -> Option<f64> {
    SAGEMAKER_HOURLY.iter().find(|(t, _)| *t == instance_type).map(|(_, p)| *p)
}

/// Fargate price of one task of `cpu` units (1024 = 1 vCPU) and `memory` MiB.
pub fn task_hourly(cpu: &str, memory: &str) -> Option<f64> {
    let vcpu = cpu.trim().parse::<f64>().ok()? / 1024.0;
    let gb = memory.trim().parse::<f64>().ok()? / 1024.0;
    Some(vcpu * FARGATE_VCPU_HOUR + gb * FARGATE_GB_HOUR)
}

/// What the resources read cost per hour as they run now; None when nothing could be priced.
/// ECS tasks are priced as Fargate tasks of their task definition's size; endpoints by instance.
pub async fn hourly_cost(backend: &dyn Backend, reads: &[Read]) -> Option<f64> {
    let mut total = None;
    for read in reads {
        let cost = match &read.snapshot {
            Some(Snapshot::Service(s)) if s.service.running > 0 => {
                let spec = backend.task_definition(&s.service.task_definition).await.ok();
                let each = spec.and_then(|d| task_hourly(d.cpu.as_deref()?, d.memory.as_deref()?));
                each.map(|each| each * f64::from(s.service.running))
            }
            Some(Snapshot::Endpoint(e)) if e.endpoint.status != "Deleting" => e
                .endpoint
                .variants
                .iter()
                .map(|v| instance_hourly(&v.instance_type).map(|p| p * f64::from(v.current_instances)))
                .sum::<Option<f64>>(),
            _ => None,
        };
        if let Some(c) = cost {
            total = Some(total.unwrap_or(0.0) + c);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_add_up() {
        let task = task_hourly("256", "512").unwrap();
        assert!((task - (0.25 * FARGATE_VCPU_HOUR + 0.5 * FARGATE_GB_HOUR)).abs() < 1e-9);
        assert_eq!(task_hourly("x", "512"), None);
        assert_eq!(instance_hourly("ml.m5.large"), Some(0.115));
        assert_eq!(instance_hourly("ml.unknown"), None);
    }
}
