//! One resource read fresh for an action (plan, conflict check, watch): never from a cache.

use super::ecs::{events_from, service_from};
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{Address, EndpointSnapshot, FunctionSnapshot, RuleSnapshot, ServiceSnapshot, Snapshot};

impl AwsBackend {
    pub(super) async fn fresh_snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        match address {
            Address::EcsService { cluster, service } => {
                self.service_snapshot(cluster, service).await.map(Snapshot::Service)
            }
            Address::Endpoint { endpoint, .. } => self.endpoint_snapshot(endpoint).await.map(Snapshot::Endpoint),
            Address::Function { name } => self.function_snapshot(name).await.map(Snapshot::Function),
            Address::Rule { bus, name } => self.rule_snapshot(bus.as_deref(), name).await.map(Snapshot::Rule),
        }
    }

    /// DescribeServices (with its events), then the autoscaling target and the newest service
    /// deployment side by side.
    async fn service_snapshot(&self, cluster: &str, service: &str) -> Result<ServiceSnapshot, BackendError> {
        let described = self.describe_services(cluster, &[service.to_string()]).await?;
        // A deleted service stays visible as INACTIVE for a while: it is gone all the same.
        let raw = described
            .iter()
            .find(|s| s.status() != Some("INACTIVE"))
            .ok_or_else(|| BackendError::NotFound(format!("ecs:{cluster}/{service}")))?;
        let (scaling, deployment) =
            futures::join!(self.service_scaling(cluster, service), self.newest_service_deployment(cluster, service));
        Ok(ServiceSnapshot { service: service_from(raw), events: events_from(raw), scaling: scaling?, deployment })
    }

    /// The whole endpoint (every variant), with the autoscaling target of each variant that has one.
    async fn endpoint_snapshot(&self, name: &str) -> Result<EndpointSnapshot, BackendError> {
        let detail = self.describe_endpoint_detail(name.to_string()).await?;
        let variants: Vec<String> = detail.endpoint.variants.iter().map(|v| v.name.clone()).collect();
        let scaling = self.variant_scaling(name, &variants).await?;
        Ok(EndpointSnapshot {
            endpoint: detail.endpoint,
            config_name: detail.config_name,
            failure_reason: detail.failure_reason,
            scaling,
        })
    }

    /// GetFunctionConcurrency: no ReservedConcurrentExecutions in the answer means no limit is set.
    pub(super) async fn function_snapshot(&self, name: &str) -> Result<FunctionSnapshot, BackendError> {
        self.stats.count("lambda:GetFunctionConcurrency");
        let out = self
            .lambda
            .get_function_concurrency()
            .function_name(name)
            .send()
            .await
            .map_err(|e| self.fail("lambda:GetFunctionConcurrency", &e))?;
        let reserved = out
            .reserved_concurrent_executions()
            .map(|n| {
                u32::try_from(n).map_err(|_| {
                    BackendError::Other(format!("lambda:{name}: reserved concurrency {n} is out of range"))
                })
            })
            .transpose()?;
        Ok(FunctionSnapshot { name: name.to_string(), reserved_concurrency: reserved })
    }

    /// DescribeRule on the named bus (the default bus when there is none).
    async fn rule_snapshot(&self, bus: Option<&str>, name: &str) -> Result<RuleSnapshot, BackendError> {
        self.stats.count("events:DescribeRule");
        let out = self
            .eventbridge
            .describe_rule()
            .name(name)
            .set_event_bus_name(bus.map(str::to_string))
            .send()
            .await
            .map_err(|e| self.fail("events:DescribeRule", &e))?;
        let address = Address::rule(bus, name);
        let state = out
            .state()
            .map(|s| s.as_str().to_string())
            .ok_or_else(|| BackendError::Other(format!("{address}: DescribeRule answered without a State")))?;
        Ok(RuleSnapshot { bus: bus.map(str::to_string), name: name.to_string(), state })
    }
}
