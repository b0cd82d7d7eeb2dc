//! Carrying out one mutation. Each sends exactly the fields its `Mutation` names and nothing
//! else: a desired count goes out without a task definition (nothing that needs iam:PassRole),
//! a variant's instance count without a weight, autoscaling bounds with the suspended flags read
//! before, a recreated endpoint with its name and config only (a restore's variant capacities
//! carry count and weight both, since it puts back exactly what was saved). Only a `Permit` (made
//! by `ops::execute`) reaches this.
//!
//! Every call that changes something lives in this file, and only those do: tests/iam.rs reads
//! the operator-only IAM actions from here.

use super::autoscaling::{coordinates, suspended_state};
use super::functions::invoke_response;
use super::policies::{config_from, PolicyConfig};
use super::AwsBackend;
use crate::backend::BackendError;
use crate::backend::Permit;
use crate::domain::{
    Address, InvokeResponse, Mutation, Receipt, ScalableResource, ScalingPolicy, Suspended, VariantCapacity,
};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_ecs::operation::update_service::builders::UpdateServiceFluentBuilder;
use aws_sdk_ecs::operation::RequestId;
use aws_sdk_ecs::types::StopServiceDeploymentStopType;
use aws_sdk_lambda::types::{InvocationType, LogType};
use aws_sdk_sagemaker::types::DesiredWeightAndCapacity;
use aws_sdk_sagemakerruntime::operation::invoke_endpoint::InvokeEndpointError;
use aws_sdk_ssm::types::{ParameterTier, ParameterType};
use std::time::{Duration, Instant};

/// The model container has 60 s to answer an invocation; the client waits a little longer so the
/// container's own timeout is what the engineer sees.
pub(super) const INVOKE_TIMEOUT: Duration = Duration::from_secs(70);

/// The SageMaker Runtime client: the shared config with its own, longer operation timeout, and
/// one attempt: a test inference is real traffic, and the plan promised exactly one request.
pub(super) fn runtime_client(
    config: &SdkConfig,
    connect_timeout: Duration,
    operation_timeout: Duration,
) -> aws_sdk_sagemakerruntime::Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(connect_timeout)
        .operation_timeout(operation_timeout.max(INVOKE_TIMEOUT))
        .build();
    let conf = aws_sdk_sagemakerruntime::config::Builder::from(config)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build();
    aws_sdk_sagemakerruntime::Client::from_conf(conf)
}

fn receipt(request_id: Option<&str>) -> Receipt {
    Receipt { request_id: request_id.map(str::to_string), response: None }
}

fn ecs_service(address: &Address) -> Result<(&str, &str), BackendError> {
    match address {
        Address::EcsService { cluster, service } => Ok((cluster, service)),
        other => Err(BackendError::Other(format!("{other} is not an ECS service"))),
    }
}

/// DeleteParameters takes 1 to 10 names.
const DELETE_PARAMETERS_MAX: usize = 10;

fn count(n: u32) -> Result<i32, BackendError> {
    i32::try_from(n).map_err(|_| BackendError::Other(format!("count {n} is out of range")))
}

impl AwsBackend {
    pub(super) async fn apply_permit(&self, permit: Permit) -> Result<Receipt, BackendError> {
        match permit.mutation() {
            Mutation::InvokeFunction { function, qualifier, body } => {
                self.invoke_function(function, qualifier.as_deref(), body).await
            }
            Mutation::SetDesiredCount { address, count: n } => {
                let (cluster, service) = ecs_service(address)?;
                let n = count(*n)?;
                self.update_service(cluster, service, |b| b.desired_count(n)).await
            }
            Mutation::ForceNewDeployment { address } => {
                let (cluster, service) = ecs_service(address)?;
                self.update_service(cluster, service, |b| b.force_new_deployment(true)).await
            }
            Mutation::SetTaskDefinition { address, task_def } => {
                let (cluster, service) = ecs_service(address)?;
                // family:revision, never an ARN from elsewhere: the service's own family.
                self.update_service(cluster, service, |b| b.task_definition(task_def.to_string())).await
            }
            Mutation::RollbackDeployment { deployment_arn, .. } => self.stop_service_deployment(deployment_arn).await,
            Mutation::SetVariantInstances { endpoint, variant, count: n } => {
                self.set_variant_instances(endpoint, variant, count(*n)?).await
            }
            Mutation::SetScalingBounds { resource, min, max, suspended } => {
                self.register_scalable_target(resource, *min, *max, *suspended).await
            }
            Mutation::Invoke { endpoint, variant, content_type, body } => {
                self.invoke(endpoint, variant.as_deref(), content_type, body).await
            }
            Mutation::DeleteEndpoint { endpoint } => self.delete_endpoint(endpoint).await,
            Mutation::CreateEndpoint { endpoint, config } => self.create_endpoint(endpoint, config).await,
            Mutation::SetVariantCapacities { endpoint, variants } => {
                self.set_variant_capacities(endpoint, variants).await
            }
            Mutation::DeregisterScalingTarget { resource } => self.deregister_scalable_target(resource).await,
            Mutation::PutScalingPolicy { resource, policy } => self.put_scaling_policy(resource, policy).await,
            Mutation::SetFunctionConcurrency { function, reserved: Some(n) } => {
                self.put_function_concurrency(function, count(*n)?).await
            }
            Mutation::SetFunctionConcurrency { function, reserved: None } => {
                self.delete_function_concurrency(function).await
            }
            Mutation::SetRuleEnabled { bus, rule, enabled } => {
                self.set_rule_enabled(bus.as_deref(), rule, *enabled).await
            }
            Mutation::PutParameter { name, value } => self.put_parameter(name, value).await,
            Mutation::DeleteParameters { names } => self.delete_parameters(names).await,
        }
    }

    /// UpdateService with the cluster, the service and exactly what `change` adds.
    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        change: impl FnOnce(UpdateServiceFluentBuilder) -> UpdateServiceFluentBuilder,
    ) -> Result<Receipt, BackendError> {
        self.stats.count("ecs:UpdateService");
        let out = change(self.ecs.update_service().cluster(cluster).service(service))
            .send()
            .await
            .map_err(|e| self.fail("ecs:UpdateService", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// ECS's native roll back of a deployment under way, to the last one that completed.
    async fn stop_service_deployment(&self, deployment_arn: &str) -> Result<Receipt, BackendError> {
        self.stats.count("ecs:StopServiceDeployment");
        let out = self
            .ecs
            .stop_service_deployment()
            .service_deployment_arn(deployment_arn)
            .stop_type(StopServiceDeploymentStopType::Rollback)
            .send()
            .await
            .map_err(|e| self.fail("ecs:StopServiceDeployment", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// The instance count only: a weight sent along would overwrite one someone else set.
    async fn set_variant_instances(&self, endpoint: &str, variant: &str, n: i32) -> Result<Receipt, BackendError> {
        let desired = DesiredWeightAndCapacity::builder().variant_name(variant).desired_instance_count(n).build();
        self.stats.count("sagemaker:UpdateEndpointWeightsAndCapacities");
        let out = self
            .sagemaker
            .update_endpoint_weights_and_capacities()
            .endpoint_name(endpoint)
            .desired_weights_and_capacities(desired)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:UpdateEndpointWeightsAndCapacities", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// RegisterScalableTarget with new bounds and the suspended flags as given (read before,
    /// unchanged). No RoleARN: Application Auto Scaling uses (and on first use creates) its
    /// service-linked role.
    async fn register_scalable_target(
        &self,
        resource: &ScalableResource,
        min: u32,
        max: u32,
        suspended: Suspended,
    ) -> Result<Receipt, BackendError> {
        let (namespace, dimension) = coordinates(resource);
        let (min, max) = (count(min)?, count(max)?);
        self.stats.count("application-autoscaling:RegisterScalableTarget");
        let out = self
            .autoscaling
            .register_scalable_target()
            .service_namespace(namespace)
            .resource_id(resource.resource_id())
            .scalable_dimension(dimension)
            .min_capacity(min)
            .max_capacity(max)
            .suspended_state(suspended_state(suspended))
            .send()
            .await
            .map_err(|e| self.fail("application-autoscaling:RegisterScalableTarget", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// The endpoint only: its config and models stay, so CreateEndpoint can bring it back.
    async fn delete_endpoint(&self, endpoint: &str) -> Result<Receipt, BackendError> {
        self.stats.count("sagemaker:DeleteEndpoint");
        let out = self
            .sagemaker
            .delete_endpoint()
            .endpoint_name(endpoint)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:DeleteEndpoint", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// Name and config only: no tags, no deployment config (whatever the config says applies).
    async fn create_endpoint(&self, endpoint: &str, config: &str) -> Result<Receipt, BackendError> {
        self.stats.count("sagemaker:CreateEndpoint");
        let out = self
            .sagemaker
            .create_endpoint()
            .endpoint_name(endpoint)
            .endpoint_config_name(config)
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:CreateEndpoint", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// Count and weight of every variant named, always both: the restore puts back what was
    /// saved, and a weight-only update would leave counts to the endpoint's whim (moto even
    /// loses them).
    async fn set_variant_capacities(
        &self,
        endpoint: &str,
        variants: &[VariantCapacity],
    ) -> Result<Receipt, BackendError> {
        let desired = variants
            .iter()
            .map(|v| {
                Ok(DesiredWeightAndCapacity::builder()
                    .variant_name(&v.variant)
                    .desired_instance_count(count(v.instances)?)
                    .desired_weight(v.weight as f32)
                    .build())
            })
            .collect::<Result<Vec<_>, BackendError>>()?;
        self.stats.count("sagemaker:UpdateEndpointWeightsAndCapacities");
        let out = self
            .sagemaker
            .update_endpoint_weights_and_capacities()
            .endpoint_name(endpoint)
            .set_desired_weights_and_capacities(Some(desired))
            .send()
            .await
            .map_err(|e| self.fail("sagemaker:UpdateEndpointWeightsAndCapacities", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// The target goes, and its policies with it (they were saved first, see `scaling_policies`).
    async fn deregister_scalable_target(&self, resource: &ScalableResource) -> Result<Receipt, BackendError> {
        let (namespace, dimension) = coordinates(resource);
        self.stats.count("application-autoscaling:DeregisterScalableTarget");
        let out = self
            .autoscaling
            .deregister_scalable_target()
            .service_namespace(namespace)
            .resource_id(resource.resource_id())
            .scalable_dimension(dimension)
            .send()
            .await
            .map_err(|e| self.fail("application-autoscaling:DeregisterScalableTarget", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// The saved policy as it was: name, type and configuration (converted before anything is
    /// sent, so a configuration opsdeck cannot carry whole is refused here).
    async fn put_scaling_policy(
        &self,
        resource: &ScalableResource,
        policy: &ScalingPolicy,
    ) -> Result<Receipt, BackendError> {
        let config = config_from(policy)?;
        let (namespace, dimension) = coordinates(resource);
        let request = self
            .autoscaling
            .put_scaling_policy()
            .policy_name(&policy.name)
            .service_namespace(namespace)
            .resource_id(resource.resource_id())
            .scalable_dimension(dimension)
            .policy_type(policy.kind.as_str().into());
        let request = match config {
            PolicyConfig::TargetTracking(c) => request.target_tracking_scaling_policy_configuration(c),
            PolicyConfig::Step(c) => request.step_scaling_policy_configuration(c),
        };
        self.stats.count("application-autoscaling:PutScalingPolicy");
        let out = request.send().await.map_err(|e| self.fail("application-autoscaling:PutScalingPolicy", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// 0 blocks every invocation: how a teardown stops a function without deleting it.
    async fn put_function_concurrency(&self, function: &str, reserved: i32) -> Result<Receipt, BackendError> {
        self.stats.count("lambda:PutFunctionConcurrency");
        let out = self
            .lambda
            .put_function_concurrency()
            .function_name(function)
            .reserved_concurrent_executions(reserved)
            .send()
            .await
            .map_err(|e| self.fail("lambda:PutFunctionConcurrency", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// No limit at all, which is what a function that had none before goes back to.
    async fn delete_function_concurrency(&self, function: &str) -> Result<Receipt, BackendError> {
        self.stats.count("lambda:DeleteFunctionConcurrency");
        let out = self
            .lambda
            .delete_function_concurrency()
            .function_name(function)
            .send()
            .await
            .map_err(|e| self.fail("lambda:DeleteFunctionConcurrency", &e))?;
        Ok(receipt(out.request_id()))
    }

    async fn set_rule_enabled(&self, bus: Option<&str>, rule: &str, enabled: bool) -> Result<Receipt, BackendError> {
        let bus = bus.map(str::to_string);
        let request_id = if enabled {
            self.stats.count("events:EnableRule");
            let out = self
                .eventbridge
                .enable_rule()
                .name(rule)
                .set_event_bus_name(bus)
                .send()
                .await
                .map_err(|e| self.fail("events:EnableRule", &e))?;
            out.request_id().map(str::to_string)
        } else {
            self.stats.count("events:DisableRule");
            let out = self
                .eventbridge
                .disable_rule()
                .name(rule)
                .set_event_bus_name(bus)
                .send()
                .await
                .map_err(|e| self.fail("events:DisableRule", &e))?;
            out.request_id().map(str::to_string)
        };
        Ok(receipt(request_id.as_deref()))
    }

    /// A standard-tier String parameter, overwritten: opsdeck's own state, nothing secret, and
    /// never the advanced tier (billed per parameter). AWS refuses a value over 4096 characters.
    async fn put_parameter(&self, name: &str, value: &str) -> Result<Receipt, BackendError> {
        self.stats.count("ssm:PutParameter");
        let out = self
            .ssm
            .put_parameter()
            .name(name)
            .value(value)
            .r#type(ParameterType::String)
            .tier(ParameterTier::Standard)
            .overwrite(true)
            .send()
            .await
            .map_err(|e| self.fail("ssm:PutParameter", &e))?;
        Ok(receipt(out.request_id()))
    }

    async fn delete_parameters(&self, names: &[String]) -> Result<Receipt, BackendError> {
        if names.is_empty() || names.len() > DELETE_PARAMETERS_MAX {
            return Err(BackendError::Other(format!(
                "DeleteParameters takes 1 to {DELETE_PARAMETERS_MAX} names, not {}",
                names.len()
            )));
        }
        self.stats.count("ssm:DeleteParameters");
        let out = self
            .ssm
            .delete_parameters()
            .set_names(Some(names.to_vec()))
            .send()
            .await
            .map_err(|e| self.fail("ssm:DeleteParameters", &e))?;
        Ok(receipt(out.request_id()))
    }

    /// One synchronous invocation with the log tail. A function that failed (`FunctionError`)
    /// still answers 200: that is an answer, and its error body comes back as the response.
    /// Throttling (reserved concurrency or the account's limit used up) is an error: nothing ran.
    async fn invoke_function(
        &self,
        function: &str,
        qualifier: Option<&str>,
        body: &[u8],
    ) -> Result<Receipt, BackendError> {
        self.stats.count("lambda:InvokeFunction");
        let request = self
            .lambda_invoke
            .invoke()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_string))
            .invocation_type(InvocationType::RequestResponse)
            .log_type(LogType::Tail)
            .payload(aws_smithy_types::Blob::new(body.to_vec()));
        let started = Instant::now();
        let result = request.send().await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let out = result.map_err(|e| self.fail("lambda:InvokeFunction", &e))?;
        Ok(Receipt {
            request_id: out.request_id().map(str::to_string),
            response: Some(invoke_response(&out, latency_ms)),
        })
    }

    /// One test inference, timed here (round trip). A container that answered 4xx/5xx (ModelError)
    /// is an answer, not a failure: its status and message come back as the response.
    async fn invoke(
        &self,
        endpoint: &str,
        variant: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Result<Receipt, BackendError> {
        self.stats.count("sagemaker:InvokeEndpoint");
        let request = self
            .sagemaker_runtime
            .invoke_endpoint()
            .endpoint_name(endpoint)
            .content_type(content_type)
            .set_target_variant(variant.map(str::to_string))
            .body(aws_smithy_types::Blob::new(body.to_vec()));
        let started = Instant::now();
        let result = request.send().await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(out) => Ok(Receipt {
                request_id: out.request_id().map(str::to_string),
                response: Some(InvokeResponse {
                    status: 200,
                    content_type: out.content_type().map(str::to_string),
                    invoked_variant: out.invoked_production_variant().map(str::to_string),
                    body: out.body().map(|b| b.as_ref().to_vec()).unwrap_or_default(),
                    latency_ms,
                    ..Default::default()
                }),
            }),
            Err(err) => {
                if let Some(InvokeEndpointError::ModelError(model)) = err.as_service_error() {
                    if let Some(status) = model.original_status_code().and_then(|s| u16::try_from(s).ok()) {
                        return Ok(Receipt {
                            request_id: err.request_id().map(str::to_string),
                            response: Some(InvokeResponse {
                                status,
                                content_type: None,
                                invoked_variant: None,
                                body: model.original_message().unwrap_or_default().as_bytes().to_vec(),
                                latency_ms,
                                ..Default::default()
                            }),
                        });
                    }
                }
                Err(self.fail("sagemaker:InvokeEndpoint", &err))
            }
        }
    }
}
