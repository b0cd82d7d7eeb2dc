//! SageMaker endpoints and their production variants.

use super::convert::widen;
use super::AwsBackend;
use crate::backend::BackendError;
use crate::domain::{Endpoint, Variant, VariantCapacity};
use futures::stream::{self, StreamExt, TryStreamExt};
use std::collections::HashMap;

const CONCURRENCY: usize = 4;

/// DescribeEndpoint, converted: the endpoint, the config it runs, and why it is Failed when it is.
pub(super) struct EndpointDetail {
    pub endpoint: Endpoint,
    pub config_name: Option<String>,
    pub failure_reason: Option<String>,
}

/// GPU metrics exist only on accelerated instance families.
fn has_gpu(instance_type: &str) -> bool {
    let family = instance_type.strip_prefix("ml.").unwrap_or(instance_type);
    ["g4", "g5", "g6", "p2", "p3", "p4", "p5"].iter().any(|f| family.starts_with(f))
}

impl AwsBackend {
    async fn list_endpoints(&self) -> Result<Vec<String>, BackendError> {
        let mut names = Vec::new();
        let mut token = None;
        loop {
            self.stats.count("sagemaker:ListEndpoints");
            let page = self
                .sagemaker
                .list_endpoints()
                .max_results(100)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("sagemaker:ListEndpoints", &e))?;
            names.extend(page.endpoints().iter().filter_map(|e| e.endpoint_name().map(str::to_string)));
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(names);
            }
        }
    }

    /// Instance types per variant, from the endpoint config (immutable, so cached by name).
    async fn instance_types(&self, config: &str) -> HashMap<String, String> {
        if let Some(known) = self.endpoint_configs.lock().ok().and_then(|c| c.get(config).cloned()) {
            return known;
        }
        self.stats.count("sagemaker:DescribeEndpointConfig");
        let types: HashMap<String, String> =
            match self.sagemaker.describe_endpoint_config().endpoint_config_name(config).send().await {
                Ok(out) => out
                    .production_variants()
                    .iter()
                    .filter_map(|v| Some((v.variant_name()?.to_string(), v.instance_type()?.as_str().to_string())))
                    .collect(),
                Err(e) => {
                    // Only the instance type column is lost; the endpoint still shows.
                    let _ = self.fail("sagemaker:DescribeEndpointConfig", &e);
                    return HashMap::new();
                }
            };
        if let Ok(mut cache) = self.endpoint_configs.lock() {
            cache.insert(config.to_string(), types.clone());
        }
        types
    }

    async fn describe_endpoint(&self, name: String) -> Result<Endpoint, BackendError> {
        self.describe_endpoint_detail(name).await.map(|detail| detail.endpoint)
    }

    pub(super) async fn describe_endpoint_detail(&self, name: String) -> Result<EndpointDetail, BackendError> {
        self.stats.count("sagemaker:DescribeEndpoint");
        let out = self
            .sagemaker
            .describe_endpoint()
            .endpoint_name(&name)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:DescribeEndpoint", &e))?;
        let types = match out.endpoint_config_name() {
            Some(config) => self.instance_types(config).await,
            None => HashMap::new(),
        };
        let variants = out
            .production_variants()
            .iter()
            .map(|v| {
                let variant = v.variant_name().unwrap_or_default().to_string();
                Variant {
                    instance_type: types.get(&variant).cloned().unwrap_or_else(|| "-".to_string()),
                    name: variant,
                    current_instances: v.current_instance_count().and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                    desired_instances: v.desired_instance_count().and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                    weight: widen(v.current_weight().or(v.desired_weight()).unwrap_or(0.0)),
                }
            })
            .collect();
        let endpoint = Endpoint {
            log_group: Some(format!("/aws/sagemaker/Endpoints/{name}")),
            status: out.endpoint_status().map_or("-".to_string(), |s| s.as_str().to_string()),
            system: None,
            variants,
            name,
        };
        Ok(EndpointDetail {
            endpoint,
            config_name: out.endpoint_config_name().map(str::to_string),
            failure_reason: out.failure_reason().map(str::to_string),
        })
    }

    /// The variants of an endpoint config with their initial instance counts and weights, read
    /// fresh (the instance-type cache is no use here: a restore must see the config as it is).
    pub(super) async fn sm_endpoint_config(&self, config: &str) -> Result<Vec<VariantCapacity>, BackendError> {
        self.stats.count("sagemaker:DescribeEndpointConfig");
        let out = self
            .sagemaker
            .describe_endpoint_config()
            .endpoint_config_name(config)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:DescribeEndpointConfig", &e))?;
        out.production_variants()
            .iter()
            .map(|v| {
                let variant = v.variant_name().unwrap_or_default().to_string();
                // Serverless variants have no instance count: there is no capacity to put back.
                let instances = v.initial_instance_count().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                    BackendError::Other(format!(
                        "endpoint config {config}: variant {variant} has no InitialInstanceCount (serverless?)"
                    ))
                })?;
                // AWS's default when InitialVariantWeight is not given.
                let weight = widen(v.initial_variant_weight().unwrap_or(1.0));
                Ok(VariantCapacity { variant, instances, weight })
            })
            .collect()
    }

    pub(super) async fn sm_endpoints(&self) -> Result<Vec<Endpoint>, BackendError> {
        let names = self.list_endpoints().await?;
        let endpoints: Vec<Endpoint> = stream::iter(names)
            .map(|name| self.describe_endpoint(name))
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        // Metrics need the variant names (and whether they have GPUs) of what is on screen.
        if let Ok(mut known) = self.variants.lock() {
            for e in &endpoints {
                let variants = e.variants.iter().map(|v| (v.name.clone(), has_gpu(&v.instance_type))).collect();
                known.insert(e.name.clone(), variants);
            }
        }
        Ok(endpoints)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn gpu_families_are_recognised() {
        assert!(super::has_gpu("ml.g5.xlarge"));
        assert!(super::has_gpu("ml.p4d.24xlarge"));
        assert!(!super::has_gpu("ml.m5.large"));
        assert!(!super::has_gpu("ml.c5.xlarge"));
    }
}
