//! Application Auto Scaling policy configurations as JSON in the AWS API's own shape and field
//! names (what `aws application-autoscaling put-scaling-policy
//! --target-tracking-scaling-policy-configuration '...'` takes), converted field by field both
//! ways. A policy is saved before a teardown and put back on restore, so the conversion is
//! lossless or fails: a field this file does not know is named in the error, never dropped.

use super::strict_json::Reader;
use crate::backend::BackendError;
use crate::domain::ScalingPolicy;
use aws_sdk_applicationautoscaling::types::{
    AdjustmentType, CustomizedMetricSpecification, MetricAggregationType, MetricDimension, MetricStatistic, MetricType,
    PolicyType, PredefinedMetricSpecification, StepAdjustment, StepScalingPolicyConfiguration, TargetTrackingMetric,
    TargetTrackingMetricDataQuery, TargetTrackingMetricDimension, TargetTrackingMetricStat,
    TargetTrackingScalingPolicyConfiguration,
};
use serde_json::{Map, Value};

const TARGET_TRACKING: &str = "TargetTrackingScalingPolicyConfiguration";
const STEP: &str = "StepScalingPolicyConfiguration";

/// A policy's configuration as PutScalingPolicy takes it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum PolicyConfig {
    TargetTracking(TargetTrackingScalingPolicyConfiguration),
    Step(StepScalingPolicyConfiguration),
}

fn other(message: String) -> BackendError {
    BackendError::Other(message)
}

/// DescribeScalingPolicies' policy as the domain keeps it. Predictive scaling (and any policy
/// type or field added after this was written) is refused by name.
pub(super) fn policy_from(
    p: &aws_sdk_applicationautoscaling::types::ScalingPolicy,
) -> Result<ScalingPolicy, BackendError> {
    let name = p.policy_name();
    let unsupported = |what: &str| {
        other(format!(
            "scaling policy {name}: {what} is not supported (opsdeck saves target tracking and step scaling policies)"
        ))
    };
    if p.predictive_scaling_policy_configuration().is_some() {
        return Err(unsupported("PredictiveScalingPolicyConfiguration"));
    }
    let missing = |field: &str| other(format!("scaling policy {name}: DescribeScalingPolicies gave no {field}"));
    let (config, round_trip) = match p.policy_type() {
        PolicyType::TargetTrackingScaling => {
            let sdk = p.target_tracking_scaling_policy_configuration().ok_or_else(|| missing(TARGET_TRACKING))?;
            let json = target_tracking_json(sdk);
            let back = target_tracking_from(&json).map_err(naming(name))?;
            (json, (back == *sdk).then_some(()).ok_or_else(|| lossy(name, TARGET_TRACKING, sdk)))
        }
        PolicyType::StepScaling => {
            let sdk = p.step_scaling_policy_configuration().ok_or_else(|| missing(STEP))?;
            let json = step_json(sdk);
            let back = step_from(&json).map_err(naming(name))?;
            (json, (back == *sdk).then_some(()).ok_or_else(|| lossy(name, STEP, sdk)))
        }
        other => return Err(unsupported(&format!("PolicyType {}", other.as_str()))),
    };
    round_trip?;
    Ok(ScalingPolicy { name: name.to_string(), kind: p.policy_type().as_str().to_string(), config })
}

/// A conversion error, with the policy it is about.
fn naming(name: &str) -> impl Fn(BackendError) -> BackendError + '_ {
    move |e| match e {
        BackendError::Other(message) => other(format!("scaling policy {name}: {message}")),
        e => e,
    }
}

/// The SDK type has a field the JSON does not carry (an SDK newer than this file).
fn lossy(name: &str, shape: &str, sdk: &impl std::fmt::Debug) -> BackendError {
    other(format!("scaling policy {name}: its {shape} has a field opsdeck does not convert: {sdk:?}"))
}

/// The saved policy's configuration, back in the SDK's types.
pub(super) fn config_from(policy: &ScalingPolicy) -> Result<PolicyConfig, BackendError> {
    match PolicyType::from(policy.kind.as_str()) {
        PolicyType::TargetTrackingScaling => {
            target_tracking_from(&policy.config).map(PolicyConfig::TargetTracking).map_err(naming(&policy.name))
        }
        PolicyType::StepScaling => step_from(&policy.config).map(PolicyConfig::Step).map_err(naming(&policy.name)),
        _ => Err(other(format!(
            "scaling policy {}: PolicyType {} is not supported (TargetTrackingScaling or StepScaling)",
            policy.name, policy.kind
        ))),
    }
}

// ---- SDK -> JSON -------------------------------------------------------------------------------

fn put(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v.into());
    }
}

fn list<T>(items: Option<&[T]>, each: impl Fn(&T) -> Value) -> Option<Value> {
    items.map(|items| Value::Array(items.iter().map(each).collect()))
}

fn target_tracking_json(c: &TargetTrackingScalingPolicyConfiguration) -> Value {
    let mut m = Map::new();
    m.insert("TargetValue".into(), c.target_value().into());
    put(&mut m, "PredefinedMetricSpecification", c.predefined_metric_specification().map(predefined_json));
    put(&mut m, "CustomizedMetricSpecification", c.customized_metric_specification().map(customized_json));
    put(&mut m, "ScaleOutCooldown", c.scale_out_cooldown());
    put(&mut m, "ScaleInCooldown", c.scale_in_cooldown());
    put(&mut m, "DisableScaleIn", c.disable_scale_in());
    Value::Object(m)
}

fn predefined_json(p: &PredefinedMetricSpecification) -> Value {
    let mut m = Map::new();
    m.insert("PredefinedMetricType".into(), p.predefined_metric_type().as_str().into());
    put(&mut m, "ResourceLabel", p.resource_label());
    Value::Object(m)
}

fn dimension_json(name: &str, value: &str) -> Value {
    let mut m = Map::new();
    m.insert("Name".into(), name.into());
    m.insert("Value".into(), value.into());
    Value::Object(m)
}

fn customized_json(c: &CustomizedMetricSpecification) -> Value {
    let mut m = Map::new();
    put(&mut m, "MetricName", c.metric_name());
    put(&mut m, "Namespace", c.namespace());
    put(&mut m, "Dimensions", list(c.dimensions.as_deref(), |d| dimension_json(d.name(), d.value())));
    put(&mut m, "Statistic", c.statistic().map(MetricStatistic::as_str));
    put(&mut m, "Unit", c.unit());
    put(&mut m, "Metrics", list(c.metrics.as_deref(), query_json));
    Value::Object(m)
}

fn query_json(q: &TargetTrackingMetricDataQuery) -> Value {
    let mut m = Map::new();
    put(&mut m, "Expression", q.expression());
    m.insert("Id".into(), q.id().into());
    put(&mut m, "Label", q.label());
    put(&mut m, "MetricStat", q.metric_stat().map(metric_stat_json));
    put(&mut m, "ReturnData", q.return_data());
    Value::Object(m)
}

fn metric_stat_json(s: &TargetTrackingMetricStat) -> Value {
    let mut m = Map::new();
    put(&mut m, "Metric", s.metric().map(metric_json));
    m.insert("Stat".into(), s.stat().into());
    put(&mut m, "Unit", s.unit());
    Value::Object(m)
}

fn metric_json(t: &TargetTrackingMetric) -> Value {
    let mut m = Map::new();
    put(&mut m, "Dimensions", list(t.dimensions.as_deref(), |d| dimension_json(d.name(), d.value())));
    put(&mut m, "MetricName", t.metric_name());
    put(&mut m, "Namespace", t.namespace());
    Value::Object(m)
}

fn step_json(c: &StepScalingPolicyConfiguration) -> Value {
    let mut m = Map::new();
    put(&mut m, "AdjustmentType", c.adjustment_type().map(AdjustmentType::as_str));
    put(&mut m, "StepAdjustments", list(c.step_adjustments.as_deref(), step_adjustment_json));
    put(&mut m, "MinAdjustmentMagnitude", c.min_adjustment_magnitude());
    put(&mut m, "Cooldown", c.cooldown());
    put(&mut m, "MetricAggregationType", c.metric_aggregation_type().map(MetricAggregationType::as_str));
    Value::Object(m)
}

fn step_adjustment_json(s: &StepAdjustment) -> Value {
    let mut m = Map::new();
    put(&mut m, "MetricIntervalLowerBound", s.metric_interval_lower_bound());
    put(&mut m, "MetricIntervalUpperBound", s.metric_interval_upper_bound());
    m.insert("ScalingAdjustment".into(), s.scaling_adjustment().into());
    Value::Object(m)
}

// ---- JSON -> SDK -------------------------------------------------------------------------------

fn built<T>(path: &str, result: Result<T, aws_smithy_types::error::operation::BuildError>) -> Result<T, BackendError> {
    result.map_err(|e| other(format!("{path}: {e}")))
}

fn target_tracking_from(json: &Value) -> Result<TargetTrackingScalingPolicyConfiguration, BackendError> {
    let mut r = Reader::new(TARGET_TRACKING.to_string(), json)?;
    let target_value = r.number("TargetValue")?;
    let target_value = r.required("TargetValue", target_value)?;
    let predefined = r.object("PredefinedMetricSpecification")?.map(predefined_from).transpose()?;
    let customized = r.object("CustomizedMetricSpecification")?.map(customized_from).transpose()?;
    let config = TargetTrackingScalingPolicyConfiguration::builder()
        .target_value(target_value)
        .set_predefined_metric_specification(predefined)
        .set_customized_metric_specification(customized)
        .set_scale_out_cooldown(r.integer("ScaleOutCooldown")?)
        .set_scale_in_cooldown(r.integer("ScaleInCooldown")?)
        .set_disable_scale_in(r.boolean("DisableScaleIn")?)
        .build();
    let config = built(&r.path, config)?;
    r.finish()?;
    Ok(config)
}

fn predefined_from(mut r: Reader<'_>) -> Result<PredefinedMetricSpecification, BackendError> {
    let kind = r.string("PredefinedMetricType")?;
    let kind = r.required("PredefinedMetricType", kind)?;
    let spec = PredefinedMetricSpecification::builder()
        .predefined_metric_type(MetricType::from(kind.as_str()))
        .set_resource_label(r.string("ResourceLabel")?)
        .build();
    let spec = built(&r.path, spec)?;
    r.finish()?;
    Ok(spec)
}

/// A dimension's Name and Value (both required).
fn name_value(mut r: Reader<'_>) -> Result<(String, String), BackendError> {
    let name = r.string("Name")?;
    let value = r.string("Value")?;
    let pair = (r.required("Name", name)?, r.required("Value", value)?);
    r.finish()?;
    Ok(pair)
}

/// A `Dimensions` list, each entry built by `make` (the two metric shapes have their own type).
fn dimensions<T>(
    r: &mut Reader<'_>,
    make: impl Fn(String, String) -> Result<T, aws_smithy_types::error::operation::BuildError>,
) -> Result<Option<Vec<T>>, BackendError> {
    r.list("Dimensions")?
        .map(|items| {
            items
                .into_iter()
                .map(|d| {
                    let path = d.path.clone();
                    let (name, value) = name_value(d)?;
                    built(&path, make(name, value))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
}

fn customized_from(mut r: Reader<'_>) -> Result<CustomizedMetricSpecification, BackendError> {
    let dimensions = dimensions(&mut r, |name, value| MetricDimension::builder().name(name).value(value).build())?;
    let metrics =
        r.list("Metrics")?.map(|items| items.into_iter().map(query_from).collect::<Result<Vec<_>, _>>()).transpose()?;
    let spec = CustomizedMetricSpecification::builder()
        .set_metric_name(r.string("MetricName")?)
        .set_namespace(r.string("Namespace")?)
        .set_dimensions(dimensions)
        .set_statistic(r.string("Statistic")?.map(|s| MetricStatistic::from(s.as_str())))
        .set_unit(r.string("Unit")?)
        .set_metrics(metrics)
        .build();
    r.finish()?;
    Ok(spec)
}

fn query_from(mut r: Reader<'_>) -> Result<TargetTrackingMetricDataQuery, BackendError> {
    let id = r.string("Id")?;
    let id = r.required("Id", id)?;
    let metric_stat = r.object("MetricStat")?.map(metric_stat_from).transpose()?;
    let query = TargetTrackingMetricDataQuery::builder()
        .set_expression(r.string("Expression")?)
        .id(id)
        .set_label(r.string("Label")?)
        .set_metric_stat(metric_stat)
        .set_return_data(r.boolean("ReturnData")?)
        .build();
    let query = built(&r.path, query)?;
    r.finish()?;
    Ok(query)
}

fn metric_stat_from(mut r: Reader<'_>) -> Result<TargetTrackingMetricStat, BackendError> {
    let metric = r.object("Metric")?.map(metric_from).transpose()?;
    let stat = r.string("Stat")?;
    let stat = r.required("Stat", stat)?;
    let metric_stat =
        TargetTrackingMetricStat::builder().set_metric(metric).stat(stat).set_unit(r.string("Unit")?).build();
    let metric_stat = built(&r.path, metric_stat)?;
    r.finish()?;
    Ok(metric_stat)
}

fn metric_from(mut r: Reader<'_>) -> Result<TargetTrackingMetric, BackendError> {
    let dimensions =
        dimensions(&mut r, |name, value| TargetTrackingMetricDimension::builder().name(name).value(value).build())?;
    let metric = TargetTrackingMetric::builder()
        .set_dimensions(dimensions)
        .set_metric_name(r.string("MetricName")?)
        .set_namespace(r.string("Namespace")?)
        .build();
    r.finish()?;
    Ok(metric)
}

fn step_from(json: &Value) -> Result<StepScalingPolicyConfiguration, BackendError> {
    let mut r = Reader::new(STEP.to_string(), json)?;
    let steps = r
        .list("StepAdjustments")?
        .map(|items| items.into_iter().map(step_adjustment_from).collect::<Result<Vec<_>, _>>())
        .transpose()?;
    let config = StepScalingPolicyConfiguration::builder()
        .set_adjustment_type(r.string("AdjustmentType")?.map(|s| AdjustmentType::from(s.as_str())))
        .set_step_adjustments(steps)
        .set_min_adjustment_magnitude(r.integer("MinAdjustmentMagnitude")?)
        .set_cooldown(r.integer("Cooldown")?)
        .set_metric_aggregation_type(
            r.string("MetricAggregationType")?.map(|s| MetricAggregationType::from(s.as_str())),
        )
        .build();
    r.finish()?;
    Ok(config)
}

fn step_adjustment_from(mut r: Reader<'_>) -> Result<StepAdjustment, BackendError> {
    let adjustment = r.integer("ScalingAdjustment")?;
    let adjustment = r.required("ScalingAdjustment", adjustment)?;
    let step = StepAdjustment::builder()
        .set_metric_interval_lower_bound(r.number("MetricIntervalLowerBound")?)
        .set_metric_interval_upper_bound(r.number("MetricIntervalUpperBound")?)
        .scaling_adjustment(adjustment)
        .build();
    let step = built(&r.path, step)?;
    r.finish()?;
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
    use serde_json::json;

    fn sdk_policy(
        kind: PolicyType,
        tracking: Option<TargetTrackingScalingPolicyConfiguration>,
        step: Option<StepScalingPolicyConfiguration>,
    ) -> aws_sdk_applicationautoscaling::types::ScalingPolicy {
        aws_sdk_applicationautoscaling::types::ScalingPolicy::builder()
            .policy_arn("arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x")
            .policy_name("p")
            .service_namespace(ServiceNamespace::Sagemaker)
            .resource_id("endpoint/e/variant/v")
            .scalable_dimension(ScalableDimension::SageMakerVariantDesiredInstanceCount)
            .policy_type(kind)
            .set_target_tracking_scaling_policy_configuration(tracking)
            .set_step_scaling_policy_configuration(step)
            .creation_time(aws_smithy_types::DateTime::from_secs(0))
            .build()
            .expect("a complete policy")
    }

    /// JSON -> SDK -> JSON gives the same JSON, and the domain policy read from the SDK type
    /// carries exactly that JSON.
    fn round_trips(kind: &str, config: Value) {
        let policy = ScalingPolicy { name: "p".into(), kind: kind.into(), config: config.clone() };
        let sdk = config_from(&policy).expect("converts");
        let described = match sdk {
            PolicyConfig::TargetTracking(c) => sdk_policy(PolicyType::TargetTrackingScaling, Some(c), None),
            PolicyConfig::Step(c) => sdk_policy(PolicyType::StepScaling, None, Some(c)),
        };
        assert_eq!(policy_from(&described).expect("reads back"), policy);
    }

    #[test]
    fn target_tracking_with_a_predefined_metric_round_trips() {
        round_trips(
            "TargetTrackingScaling",
            json!({"TargetValue": 70.0, "ScaleInCooldown": 300, "ScaleOutCooldown": 60, "DisableScaleIn": false,
                   "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}),
        );
        round_trips(
            "TargetTrackingScaling",
            json!({"TargetValue": 1000.5, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": "app/lb/1/targetgroup/tg/2"}}),
        );
    }

    #[test]
    fn target_tracking_with_customized_metrics_round_trips() {
        round_trips(
            "TargetTrackingScaling",
            json!({"TargetValue": 5.0, "CustomizedMetricSpecification": {
                "MetricName": "ApproximateBacklogSizePerInstance", "Namespace": "AWS/SageMaker", "Statistic": "Average",
                "Unit": "Count", "Dimensions": [{"Name": "EndpointName", "Value": "e"}, {"Name": "VariantName", "Value": "v"}]}}),
        );
        // The metric-math form: a query per metric and an expression over them.
        round_trips(
            "TargetTrackingScaling",
            json!({"TargetValue": 100.0, "ScaleInCooldown": 600, "CustomizedMetricSpecification": {"Metrics": [
                {"Id": "m1", "ReturnData": false, "MetricStat": {"Stat": "Sum", "Unit": "Count", "Metric": {
                    "MetricName": "Invocations", "Namespace": "AWS/SageMaker",
                    "Dimensions": [{"Name": "EndpointName", "Value": "e"}]}}},
                {"Id": "m2", "ReturnData": false, "Label": "instances", "MetricStat": {"Stat": "Average", "Metric": {
                    "MetricName": "InstanceCount", "Namespace": "Custom", "Dimensions": []}}},
                {"Id": "e1", "Expression": "m1 / m2", "Label": "per instance", "ReturnData": true}]}}),
        );
    }

    #[test]
    fn step_scaling_round_trips() {
        round_trips(
            "StepScaling",
            json!({"AdjustmentType": "ChangeInCapacity", "Cooldown": 120, "MetricAggregationType": "Maximum",
                   "MinAdjustmentMagnitude": 2, "StepAdjustments": [
                       {"MetricIntervalUpperBound": 0.0, "ScalingAdjustment": -1},
                       {"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 10.5, "ScalingAdjustment": 1},
                       {"MetricIntervalLowerBound": 10.5, "ScalingAdjustment": 3}]}),
        );
        round_trips("StepScaling", json!({"AdjustmentType": "PercentChangeInCapacity"}));
    }

    #[test]
    fn the_pasteable_shape_is_the_apis() {
        let config = TargetTrackingScalingPolicyConfiguration::builder()
            .target_value(70.0)
            .predefined_metric_specification(
                PredefinedMetricSpecification::builder()
                    .predefined_metric_type(MetricType::SageMakerVariantInvocationsPerInstance)
                    .build()
                    .expect("complete"),
            )
            .scale_in_cooldown(300)
            .build()
            .expect("complete");
        let policy = policy_from(&sdk_policy(PolicyType::TargetTrackingScaling, Some(config), None)).expect("read");
        assert_eq!(policy.kind, "TargetTrackingScaling");
        assert_eq!(
            serde_json::to_string(&policy.config).expect("json"),
            r#"{"PredefinedMetricSpecification":{"PredefinedMetricType":"SageMakerVariantInvocationsPerInstance"},"ScaleInCooldown":300,"TargetValue":70.0}"#
        );
    }

    fn refused(kind: &str, config: Value) -> String {
        let policy = ScalingPolicy { name: "p".into(), kind: kind.into(), config };
        match config_from(&policy) {
            Err(BackendError::Other(message)) => message,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn unknown_fields_are_refused_by_name_not_dropped() {
        let message = refused(
            "TargetTrackingScaling",
            json!({"TargetValue": 70.0, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance", "Period": 60}}),
        );
        assert!(
            message.contains("TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.Period"),
            "{message}"
        );
        let message = refused(
            "StepScaling",
            json!({"StepAdjustments": [{"ScalingAdjustment": 1}, {"ScalingAdjustment": 2, "Weight": 1}]}),
        );
        assert!(message.contains("StepScalingPolicyConfiguration.StepAdjustments[1].Weight"), "{message}");
        let message = refused("TargetTrackingScaling", json!({"ScaleInCooldown": 300}));
        assert!(message.contains("TargetValue is missing"), "{message}");
        let message = refused("TargetTrackingScaling", json!({"TargetValue": "70"}));
        assert!(message.contains("TargetValue must be a number"), "{message}");
        let message = refused("StepScaling", json!({"Cooldown": 1.5}));
        assert!(message.contains("Cooldown must be an integer"), "{message}");
        let message = refused("PredictiveScaling", json!({}));
        assert!(message.contains("PolicyType PredictiveScaling is not supported"), "{message}");
    }

    #[test]
    fn a_predictive_policy_is_refused_when_read() {
        let predictive = aws_sdk_applicationautoscaling::types::ScalingPolicy::builder()
            .policy_arn("arn")
            .policy_name("forecast")
            .service_namespace(ServiceNamespace::Ecs)
            .resource_id("service/c/s")
            .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
            .policy_type(PolicyType::PredictiveScaling)
            .creation_time(aws_smithy_types::DateTime::from_secs(0))
            .build()
            .expect("complete");
        let err = policy_from(&predictive).expect_err("not supported");
        assert!(err.to_string().contains("scaling policy forecast: PolicyType PredictiveScaling"), "{err}");
    }
}
