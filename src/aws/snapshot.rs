//! One resource read fresh for an action (plan, conflict check, watch): never from a cache.

use super::ecs::{events_from, service_from};
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{Address, EndpointSnapshot, ServiceSnapshot, Snapshot};

impl AwsBackend {
    pub(super) async fn fresh_snapshot(&self, address: &Address) -> Result<Snapshot, BackendError> {
        match address {
            Address::EcsService { cluster, service } => {
                self.service_snapshot(cluster, service).await.map(Snapshot::Service)
            }
            Address::Endpoint { endpoint, .. } => self.endpoint_snapshot(endpoint).await.map(Snapshot::Endpoint),
            other => Err(BackendError::Other(format!("{other}: not implemented yet"))),
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
        let (endpoint, failure_reason) = self.describe_endpoint_detail(name.to_string()).await?;
        let variants: Vec<String> = endpoint.variants.iter().map(|v| v.name.clone()).collect();
        let scaling = self.variant_scaling(name, &variants).await?;
        Ok(EndpointSnapshot { endpoint, config_name: None, failure_reason, scaling })
    }
}
