//! SageMaker actions on the simulated endpoints: delete and create again from the endpoint config,
//! capacity and weight changes, and test inferences, refused where SageMaker refuses them.

use super::billing::{catalog_units, instance_units, Unit};
use super::catalog::{endpoint_config_name, ACCOUNT_ID, ENDPOINTS, MODEL_V1, PREDICTION_ENDPOINT, REGION};
use super::endpoints::{config, relieved, Busy};
use super::rng::rng_keyed;
use super::world::World;
use crate::backend::BackendError;
use crate::domain::{InvokeResponse, ScalableResource, VariantCapacity};
use rand::Rng;

pub(crate) fn endpoint_index(name: &str) -> Option<usize> {
    ENDPOINTS.iter().position(|e| e.name == name)
}

fn arn(kind: &str, name: &str) -> String {
    // SageMaker lower-cases names in ARNs.
    format!("arn:aws:sagemaker:{REGION}:{ACCOUNT_ID}:{kind}/{}", name.to_lowercase())
}

fn validation(message: String) -> BackendError {
    BackendError::Other(format!("ValidationException: {message}"))
}

fn no_endpoint(name: &str) -> BackendError {
    BackendError::NotFound(format!("endpoint {name}: Could not find endpoint \"{}\".", arn("endpoint", name)))
}

/// DescribeEndpointConfig: a catalog endpoint's own config (configs are never deleted here).
pub(crate) fn endpoint_config(name: &str) -> Result<Vec<VariantCapacity>, BackendError> {
    ENDPOINTS.iter().find(|e| endpoint_config_name(e) == name).map(config).ok_or_else(|| {
        BackendError::NotFound(format!(
            "endpoint config {name}: Could not find endpoint configuration \"{}\".",
            arn("endpoint-config", name)
        ))
    })
}

impl World {
    /// An endpoint that exists (in any status), by name.
    fn existing(&self, endpoint: &str) -> Result<usize, BackendError> {
        endpoint_index(endpoint).filter(|&e| self.endpoints[e].exists).ok_or_else(|| no_endpoint(endpoint))
    }

    /// An endpoint that exists and has no change under way.
    fn settled(&self, endpoint: &str, verb: &str) -> Result<usize, BackendError> {
        let e = self.existing(endpoint)?;
        if self.endpoints[e].busy.is_some() {
            return Err(validation(format!("Cannot {verb} in-progress endpoint \"{}\".", arn("endpoint", endpoint))));
        }
        Ok(e)
    }

    /// Records what the endpoint bills now and, when a change is under way, from when it finishes.
    fn bill_endpoint(&mut self, e: usize) {
        let state = &self.endpoints[e];
        let now = if state.exists { running_fraction(e, state.variants.iter().map(|v| v.current)) } else { 0.0 };
        let after = match state.busy {
            Some((Busy::Deleting, until)) => Some((until, 0.0)),
            Some((_, until)) => Some((until, running_fraction(e, state.variants.iter().map(|v| v.desired)))),
            None => None,
        };
        self.meter.set(Unit::Endpoint(e), self.t, now);
        if let Some((until, running)) = after {
            self.meter.set(Unit::Endpoint(e), until, running);
        }
    }

    /// DeleteEndpoint: Deleting, then gone; SageMaker deregisters its variants' scalable targets
    /// (and so their policies) with it.
    pub(crate) fn delete_endpoint(&mut self, endpoint: &str) -> Result<(), BackendError> {
        let e = self.existing(endpoint)?;
        if self.endpoints[e].busy.is_some() {
            return Err(validation(format!("Cannot delete in-progress endpoint \"{}\".", arn("endpoint", endpoint))));
        }
        for v in ENDPOINTS[e].variants {
            let resource = ScalableResource::Variant { endpoint: endpoint.to_string(), variant: v.name.to_string() };
            // A variant without a target has nothing to deregister.
            let _ = self.scaling.deregister(&resource);
        }
        self.endpoints[e].delete(self.t);
        self.endpoint_changed(e);
        self.bill_endpoint(e);
        Ok(())
    }

    /// CreateEndpoint from an existing config. The simulated account holds only its catalog
    /// endpoints' configs, and each recreates its own endpoint.
    pub(crate) fn create_endpoint(&mut self, endpoint: &str, config_name: &str) -> Result<(), BackendError> {
        let variants = endpoint_config(config_name).map_err(|_| {
            validation(format!("Could not find endpoint configuration \"{}\".", arn("endpoint-config", config_name)))
        })?;
        let e = endpoint_index(endpoint).filter(|&e| endpoint_config_name(&ENDPOINTS[e]) == config_name).ok_or_else(
            || {
                validation(format!(
                    "Endpoint config {config_name} belongs to another endpoint: the simulated account recreates an \
                     endpoint only from its own config"
                ))
            },
        )?;
        if self.endpoints[e].exists {
            return Err(validation(format!(
                "Cannot create already existing endpoint \"{}\".",
                arn("endpoint", endpoint)
            )));
        }
        self.endpoints[e].create(self.t, &variants);
        self.endpoint_changed(e);
        self.bill_endpoint(e);
        Ok(())
    }

    /// UpdateEndpointWeightsAndCapacities with the instance count of one variant.
    pub(crate) fn set_variant_instances(
        &mut self,
        endpoint: &str,
        variant: &str,
        count: u32,
    ) -> Result<(), BackendError> {
        let e = self.existing(endpoint)?;
        let v = variant_index(e, variant)?;
        let e = self.settled(endpoint, "update")?;
        self.endpoints[e].update(self.t, &[(v, count, None)]);
        self.bill_endpoint(e);
        Ok(())
    }

    /// UpdateEndpointWeightsAndCapacities with count and weight of each variant named.
    pub(crate) fn set_variant_capacities(
        &mut self,
        endpoint: &str,
        variants: &[VariantCapacity],
    ) -> Result<(), BackendError> {
        let e = self.existing(endpoint)?;
        let mut changes = Vec::with_capacity(variants.len());
        for c in variants {
            if !c.weight.is_finite() || c.weight < 0.0 {
                return Err(validation(format!(
                    "DesiredWeight {} of variant {} must be 0 or more",
                    c.weight, c.variant
                )));
            }
            changes.push((variant_index(e, &c.variant)?, c.instances, Some(c.weight)));
        }
        let total: f64 = self.endpoints[e]
            .variants
            .iter()
            .enumerate()
            .map(|(v, s)| changes.iter().rev().find(|c| c.0 == v).and_then(|c| c.2).unwrap_or(s.desired_weight))
            .sum();
        if total <= 0.0 {
            return Err(validation(format!("The weights of endpoint {endpoint}'s variants cannot all be 0")));
        }
        let e = self.settled(endpoint, "update")?;
        self.endpoints[e].update(self.t, &changes);
        self.bill_endpoint(e);
        Ok(())
    }

    /// A test inference: answered by a variant (the target, else by weight), as slow as that
    /// variant is now; during heavy degradation some answers are 500s.
    pub(crate) fn invoke(
        &self,
        endpoint: &str,
        target: Option<&str>,
        size: usize,
    ) -> Result<InvokeResponse, BackendError> {
        let e = self.existing(endpoint)?;
        let state = &self.endpoints[e];
        if !state.serving() {
            return Err(BackendError::Other(format!(
                "ValidationError: Endpoint {endpoint} of account {ACCOUNT_ID} is {} and cannot be invoked.",
                state.status().unwrap_or("gone")
            )));
        }
        let spec = &ENDPOINTS[e];
        let mut rng = rng_keyed(self.seed ^ 0x1_4f0c, (self.t as u64).wrapping_mul(31).wrapping_add(size as u64));
        let v = match target {
            Some(name) => variant_index(e, name)?,
            None => state.pick_variant(rng.random()),
        };
        let variant = &spec.variants[v];
        let factor = if e == PREDICTION_ENDPOINT && v == MODEL_V1 {
            let raw = self.scenario.latency_factor((self.t - self.base()) as f64);
            relieved(raw, variant.instances, state.variants[v].current)
        } else {
            1.0
        };
        let latency_ms = variant.p50_ms * factor * (1.0 + 0.2 * rng.random::<f64>()) + 12.0;
        let failing = factor > 20.0 && rng.random_bool(0.3);
        let (status, body) = if failing {
            (500, "<html><body><h1>500 Internal Server Error</h1>[CRITICAL] WORKER TIMEOUT</body></html>".to_string())
        } else if spec.system == "prediction-app" {
            let p: f64 = 0.55 + 0.4 * rng.random::<f64>();
            (
                200,
                format!(
                    r#"{{"predictions":[{{"label":"churn","probability":{p:.3}}}],"model":"prediction-model-{}"}}"#,
                    variant.name.trim_start_matches("model-")
                ),
            )
        } else {
            let c: f64 = 0.7 + 0.29 * rng.random::<f64>();
            (
                200,
                format!(
                    r#"{{"detections":[{{"class":"stain","confidence":{c:.3},"box":[112,40,310,222]}}],"image_ok":true}}"#
                ),
            )
        };
        Ok(InvokeResponse {
            status,
            content_type: Some(if failing { "text/html" } else { "application/json" }.to_string()),
            invoked_variant: Some(variant.name.to_string()),
            body: body.into_bytes(),
            latency_ms,
            ..Default::default()
        })
    }
}

/// Instances per variant, priced by instance type, as a fraction of what the catalog runs.
fn running_fraction(e: usize, counts: impl Iterator<Item = u32>) -> f64 {
    let spec = &ENDPOINTS[e];
    let units: f64 =
        spec.variants.iter().zip(counts).map(|(v, n)| f64::from(n) * instance_units(v.instance_type)).sum();
    units / catalog_units(spec)
}

fn variant_index(e: usize, variant: &str) -> Result<usize, BackendError> {
    ENDPOINTS[e]
        .variants
        .iter()
        .position(|v| v.name == variant)
        .ok_or_else(|| BackendError::NotFound(format!("variant {variant} of {}", ENDPOINTS[e].name)))
}
