//! The fixed shape of the simulated account: the five systems from the seed deployment guides,
//! their services, endpoints and alarms. Everything that moves lives elsewhere.

/// Account and region every ARN in the simulation uses.
pub(crate) const ACCOUNT_ID: &str = "491203587216";
pub(crate) const REGION: &str = "us-east-1";

/// How a log group's lines look; each system logs in its own framework's style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogStyle {
    /// FastAPI app with JSON request logs (cleanistic-ai-api).
    CleanisticJson,
    /// Flask + gunicorn converter with access logs and `conversion_complete` events.
    SvgFlask,
    /// Python worker fitting SMPL bodies from a queue; quiet at night.
    GarmaxWorker,
    /// Small Flask app scoring drawings.
    ChildrenFlask,
    /// API behind the mobile app: combined access logs from okhttp clients.
    BackendAccess,
    /// Uvicorn model server.
    MlUvicorn,
    /// SageMaker PyTorch (TorchServe) container.
    TorchServe,
    /// SageMaker scikit-learn container (nginx + gunicorn).
    SklearnServer,
}

#[derive(Debug)]
pub(crate) struct ServiceSpec {
    pub system: &'static str,
    pub cluster: &'static str,
    pub name: &'static str,
    pub family: &'static str,
    pub revision: u32,
    pub desired: u32,
    pub log_group: &'static str,
    /// awslogs streams are `ecs/<container>/<task-id>`.
    pub container: &'static str,
    pub port: u16,
    /// `name/hash` of the ALB target group, when the service sits behind one.
    pub target_group: Option<&'static str>,
    pub style: LogStyle,
    pub cpu_base: f64,
    pub mem_base: f64,
    pub req_per_min: f64,
    pub log_per_sec: f64,
}

#[derive(Debug)]
pub(crate) struct VariantSpec {
    pub name: &'static str,
    pub instance_type: &'static str,
    pub vcpus: f64,
    pub instances: u32,
    pub weight: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug)]
pub(crate) struct EndpointSpec {
    pub system: &'static str,
    pub name: &'static str,
    pub variants: &'static [VariantSpec],
    pub log_group: &'static str,
    pub style: LogStyle,
    pub inv_per_min: f64,
    pub log_per_sec: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Greater,
    Less,
}

/// Where an alarm's per-minute datapoint comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Source {
    EcsCpu(usize),
    EcsMemory(usize),
    EcsRunning(usize),
    /// Percent of requests answered 5xx.
    ErrorRate(usize),
    Target5xx(usize),
    /// (endpoint, variant) p99 model latency in microseconds.
    VariantP99(usize, usize),
    /// API response time in ms, dominated by the endpoint's p50.
    ResponseTimeMs(usize),
    /// Month-to-date charges of a system (AWS/Billing).
    SystemCharges(&'static str),
    /// A function's Throttles (Sum), from the Lambda model.
    LambdaThrottles(usize),
    /// AWS/Lambda Duration over every function of the account (no dimension, as the GARMAX guide
    /// creates its alarm): the Average over all invocations of the minute.
    LambdaDurationAll,
    /// A function's feeding queue: ApproximateNumberOfMessagesVisible.
    QueueVisible(usize),
    /// Something opsdeck does not model in detail (API Gateway): noise around a mean.
    Synthetic {
        mean: f64,
        sd: f64,
    },
    /// Never publishes (an idle queue): the alarm sits in INSUFFICIENT_DATA.
    NoData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Watch {
    Nothing,
    Service(usize),
    Endpoint(usize),
    /// An ELB metric: named by the service's target group and load balancer, which the console
    /// resolves to the service (as it must on AWS, where the alarm names no service).
    TargetGroup(usize),
    /// A Lambda function (its metric, or the queue that feeds it): actions from the alarm target
    /// `lambda:NAME`.
    Function(usize),
}

#[derive(Debug)]
pub(crate) struct AlarmSpec {
    pub name: &'static str,
    pub metric: &'static str,
    pub cmp: Cmp,
    pub threshold: f64,
    /// Datapoints that must breach (N) out of the last M one-minute datapoints.
    pub n: usize,
    pub m: usize,
    pub source: Source,
    pub watch: Watch,
}

pub(crate) const CLEANISTIC_API: usize = 0;
pub(crate) const PREDICTION_ENDPOINT: usize = 1;
pub(crate) const MODEL_V1: usize = 0;

pub(crate) static SERVICES: [ServiceSpec; 6] = [
    ServiceSpec {
        system: "cleanistic-ai",
        cluster: "cleanistic-ai-cluster",
        name: "cleanistic-ai-api",
        family: "cleanistic-ai-api",
        revision: 14,
        desired: 2,
        log_group: "/ecs/cleanistic-ai",
        container: "cleanistic-ai-api",
        port: 3001,
        target_group: Some("cleanistic-ai-tg/6d0ecf831eec9f09"),
        style: LogStyle::CleanisticJson,
        cpu_base: 32.0,
        mem_base: 48.0,
        req_per_min: 90.0,
        log_per_sec: 0.6,
    },
    ServiceSpec {
        system: "svg-ai",
        cluster: "svg-ai-cluster",
        name: "svg-ai-service",
        family: "svg-ai",
        revision: 9,
        desired: 2,
        log_group: "/ecs/svg-ai",
        container: "svg-ai",
        port: 8001,
        target_group: Some("svg-ai-tg/3f1c0b9a7e52d614"),
        style: LogStyle::SvgFlask,
        cpu_base: 41.0,
        mem_base: 55.0,
        req_per_min: 40.0,
        log_per_sec: 0.35,
    },
    ServiceSpec {
        system: "garmax-ai",
        cluster: "garmaxai-cluster-prod",
        name: "garmaxai-smpl-processor",
        family: "garmaxai-smpl-processor",
        revision: 6,
        desired: 1,
        log_group: "/ecs/garmaxai-smpl-processor",
        container: "smpl-processor",
        port: 8080,
        target_group: None,
        style: LogStyle::GarmaxWorker,
        cpu_base: 12.0,
        mem_base: 35.0,
        req_per_min: 3.0,
        log_per_sec: 0.08,
    },
    ServiceSpec {
        system: "children-drawing",
        cluster: "children-drawing-prod-cluster",
        name: "children-drawing-prod-service",
        family: "children-drawing-prod",
        revision: 3,
        desired: 1,
        log_group: "/ecs/children-drawing-prod",
        container: "children-drawing-app",
        port: 5000,
        target_group: Some("children-drawing-tg/9a41e27c05bd3f88"),
        style: LogStyle::ChildrenFlask,
        cpu_base: 18.0,
        mem_base: 44.0,
        req_per_min: 8.0,
        log_per_sec: 0.12,
    },
    ServiceSpec {
        system: "prediction-app",
        cluster: "prediction-app-cluster",
        name: "backend-service",
        family: "backend-service",
        revision: 5,
        desired: 2,
        log_group: "/ecs/backend-service",
        container: "backend-container",
        port: 8000,
        target_group: Some("backend-tg/abc1239e4f7d2a05"),
        style: LogStyle::BackendAccess,
        cpu_base: 28.0,
        mem_base: 46.0,
        req_per_min: 60.0,
        log_per_sec: 0.5,
    },
    ServiceSpec {
        system: "prediction-app",
        cluster: "prediction-app-cluster",
        name: "ml-model-service",
        family: "ml-model-service",
        revision: 3,
        desired: 1,
        log_group: "/ecs/ml-model-service",
        container: "ml-model-container",
        port: 8000,
        target_group: Some("ml-model-tg/5e08b6d2c41f9a37"),
        style: LogStyle::MlUvicorn,
        cpu_base: 45.0,
        mem_base: 62.0,
        req_per_min: 30.0,
        log_per_sec: 0.4,
    },
];

pub(crate) static ENDPOINTS: [EndpointSpec; 2] = [
    EndpointSpec {
        system: "cleanistic-ai",
        name: "cleanistic-property-detector-endpoint",
        variants: &[VariantSpec {
            name: "AllTraffic",
            instance_type: "ml.m5.large",
            vcpus: 2.0,
            instances: 2,
            weight: 1.0,
            p50_ms: 140.0,
            p99_ms: 420.0,
        }],
        log_group: "/aws/sagemaker/Endpoints/cleanistic-property-detector-endpoint",
        style: LogStyle::TorchServe,
        inv_per_min: 45.0,
        log_per_sec: 0.3,
    },
    EndpointSpec {
        system: "prediction-app",
        name: "prediction-endpoint",
        variants: &[
            VariantSpec {
                name: "model-v1",
                instance_type: "ml.m5.xlarge",
                vcpus: 4.0,
                instances: 2,
                weight: 0.9,
                p50_ms: 80.0,
                p99_ms: 250.0,
            },
            VariantSpec {
                name: "model-v2",
                instance_type: "ml.m5.xlarge",
                vcpus: 4.0,
                instances: 1,
                weight: 0.1,
                p50_ms: 70.0,
                p99_ms: 210.0,
            },
        ],
        log_group: "/aws/sagemaker/Endpoints/prediction-endpoint",
        style: LogStyle::SklearnServer,
        inv_per_min: 60.0,
        log_per_sec: 0.5,
    },
];

/// A Lambda function of GARMAX AI's PROD stage and the reserved concurrency it is deployed with
/// (None: no limit, drawing on the account's unreserved pool).
#[derive(Debug)]
pub(crate) struct FunctionSpec {
    pub system: &'static str,
    pub name: &'static str,
    pub reserved: Option<u32>,
    /// `/aws/lambda/NAME`, spelled out because log groups are named by `&'static str`.
    pub log_group: &'static str,
    /// The SQS queue its event-source mapping polls, if one feeds it.
    pub queue: Option<&'static str>,
    /// Its part of the system's Lambda bill; the shares of a system's functions sum to 1.
    pub cost_share: f64,
}

pub(crate) const TRYON: usize = 0;
pub(crate) const TRYON_QUEUE: &str = "garmax-tryon-queue";

pub(crate) static FUNCTIONS: [FunctionSpec; 3] = [
    FunctionSpec {
        system: "garmax-ai",
        name: "GarmaxAi-TryonProcessor-PROD",
        reserved: Some(10),
        log_group: "/aws/lambda/GarmaxAi-TryonProcessor-PROD",
        queue: Some(TRYON_QUEUE),
        cost_share: 0.5,
    },
    FunctionSpec {
        system: "garmax-ai",
        name: "GarmaxAi-AiRenderProcessor-PROD",
        reserved: None,
        log_group: "/aws/lambda/GarmaxAi-AiRenderProcessor-PROD",
        queue: None,
        cost_share: 0.35,
    },
    FunctionSpec {
        system: "garmax-ai",
        name: "GarmaxAi-BillingProcessor-PROD",
        reserved: Some(2),
        log_group: "/aws/lambda/GarmaxAi-BillingProcessor-PROD",
        queue: None,
        cost_share: 0.15,
    },
];

/// The account's concurrency limit (the default quota); reserved concurrency is carved out of it.
pub(crate) const ACCOUNT_CONCURRENCY: u32 = 1000;

/// An EventBridge rule of GARMAX AI's PROD stage; `bus` None is the default bus.
#[derive(Debug)]
pub(crate) struct RuleSpec {
    pub bus: Option<&'static str>,
    pub name: &'static str,
    pub enabled: bool,
}

pub(crate) static RULES: [RuleSpec; 3] = [
    RuleSpec { bus: None, name: "garmaxai-nightly-batch-PROD", enabled: true },
    // Deployed off: a teardown must leave it off and a restore must not turn it on.
    RuleSpec { bus: None, name: "garmaxai-warmup-PROD", enabled: false },
    RuleSpec { bus: Some("garmaxai-events-PROD"), name: "tryon-completed-PROD", enabled: true },
];

/// SSM parameters the account holds before anything is saved (String tier only: SecureString
/// values never leave AWS undecrypted, and the simulation has no KMS).
pub(crate) static PARAMETERS: [(&str, &str); 1] = [("/garmaxai/PROD/frontend/url", "https://app.your-domain.com")];

/// The endpoint config each catalog endpoint was created from.
pub(crate) fn endpoint_config_name(endpoint: &EndpointSpec) -> String {
    format!("{}-config", endpoint.name)
}

const fn alarm(
    name: &'static str,
    metric: &'static str,
    cmp: Cmp,
    threshold: f64,
    (n, m): (usize, usize),
    source: Source,
    watch: Watch,
) -> AlarmSpec {
    AlarmSpec { name, metric, cmp, threshold, n, m, source, watch }
}

use Cmp::{Greater, Less};
use Source::*;

/// Alarm table: (name, metric, comparison, threshold, (N, M), source, what it watches).
#[rustfmt::skip]
pub(crate) static ALARMS: [AlarmSpec; 17] = [
    alarm("CleanisticAI-HighErrorRate", "CleanisticAI/API ErrorRate", Greater, 5.0, (1, 3), ErrorRate(0), Watch::Service(0)),
    alarm("CleanisticAI-HighLatency", "CleanisticAI/API ResponseTime", Greater, 3000.0, (2, 2), ResponseTimeMs(0), Watch::Endpoint(0)),
    alarm("svg-ai-high-cpu", "AWS/ECS CPUUtilization", Greater, 80.0, (5, 5), EcsCpu(1), Watch::Service(1)),
    alarm("svg-ai-high-memory", "AWS/ECS MemoryUtilization", Greater, 80.0, (5, 5), EcsMemory(1), Watch::Service(1)),
    alarm("svg-ai-5xx-errors", "AWS/ApplicationELB HTTPCode_Target_5XX_Count", Greater, 25.0, (2, 2), Target5xx(1), Watch::TargetGroup(1)),
    alarm("svg-ai-running-tasks-low", "ECS/ContainerInsights RunningTaskCount", Less, 1.0, (1, 1), EcsRunning(1), Watch::Service(1)),
    alarm("GarmaxAI-ErrorRate-PROD", "AWS/ApiGateway ErrorCount", Greater, 10.0, (5, 5), Synthetic { mean: 1.2, sd: 1.0 }, Watch::Nothing),
    alarm("GarmaxAI-LambdaDuration-PROD", "AWS/Lambda Duration", Greater, 30000.0, (5, 5), LambdaDurationAll, Watch::Nothing),
    // No queue traffic at night: the queue publishes nothing and the alarm has no data.
    alarm("GarmaxAI-QueueDepth-PROD", "AWS/SQS ApproximateNumberOfMessages", Greater, 50.0, (5, 5), NoData, Watch::Nothing),
    alarm("GarmaxAI-BudgetMonitor-PROD", "AWS/Billing EstimatedCharges", Greater, 200.0, (1, 1), SystemCharges("garmax-ai"), Watch::Nothing),
    alarm("children-drawing-high-cpu", "AWS/ECS CPUUtilization", Greater, 80.0, (5, 5), EcsCpu(3), Watch::Service(3)),
    alarm("children-drawing-high-memory", "AWS/ECS MemoryUtilization", Greater, 85.0, (5, 5), EcsMemory(3), Watch::Service(3)),
    alarm("backend-service-high-cpu", "AWS/ECS CPUUtilization", Greater, 70.0, (2, 2), EcsCpu(4), Watch::Service(4)),
    alarm("backend-service-high-memory", "AWS/ECS MemoryUtilization", Greater, 80.0, (2, 2), EcsMemory(4), Watch::Service(4)),
    alarm("prediction-endpoint-ModelLatency-high", "AWS/SageMaker ModelLatency p99", Greater, 2_000_000.0, (2, 2),
        VariantP99(PREDICTION_ENDPOINT, MODEL_V1), Watch::Endpoint(PREDICTION_ENDPOINT)),
    // Not in the GARMAX guide: the alarms a team adds after its first throttling incident.
    alarm("GarmaxAI-TryonThrottles-PROD", "AWS/Lambda Throttles", Greater, 1.0, (2, 3), LambdaThrottles(TRYON), Watch::Function(TRYON)),
    alarm("GarmaxAI-TryonQueueBacklog-PROD", "AWS/SQS ApproximateNumberOfMessagesVisible", Greater, 100.0, (3, 3), QueueVisible(TRYON), Watch::Function(TRYON)),
];

/// Full ARN of a target group named `name/hash`.
pub(crate) fn target_group_arn(tg: &str) -> String {
    format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/{tg}")
}

/// The ALB in front of a system's target groups, as CloudWatch's `LoadBalancer` dimension names
/// it (`app/SYSTEM-alb/ID`): one per system, as the seed stacks deploy them.
pub(crate) fn load_balancer(system: &str) -> String {
    // FNV-1a: a stable id per system, so the same name always gets the same ARN.
    let hash = system.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("app/{system}-alb/{hash:016x}")
}

pub(crate) fn load_balancer_arn(system: &str) -> String {
    format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:loadbalancer/{}", load_balancer(system))
}

/// Instance families with accelerators publish GPU utilization; the rest have none.
pub(crate) fn has_gpu(instance_type: &str) -> bool {
    ["ml.g", "ml.p", "ml.inf", "ml.trn"].iter().any(|p| instance_type.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_references_are_in_range() {
        for a in &ALARMS {
            assert!(a.n >= 1 && a.n <= a.m, "{}", a.name);
            match a.watch {
                Watch::Service(i) => assert!(i < SERVICES.len()),
                Watch::TargetGroup(i) => assert!(SERVICES[i].target_group.is_some(), "{}", a.name),
                Watch::Endpoint(i) => assert!(i < ENDPOINTS.len()),
                Watch::Function(f) => assert!(f < FUNCTIONS.len()),
                Watch::Nothing => {}
            }
        }
        assert!(!has_gpu("ml.m5.large"));
        assert!(has_gpu("ml.g5.xlarge"));
    }
}
