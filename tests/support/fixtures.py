#!/usr/bin/env python3
"""Creates opsdeck's test fleet in a moto server (region us-east-1, dummy credentials) and prints a JSON summary.

Usage: fixtures.py --endpoint http://127.0.0.1:M seed
       fixtures.py --endpoint http://127.0.0.1:M load-balancing
       fixtures.py --endpoint http://127.0.0.1:M scale --clusters 3 --services 25 --endpoints 3 [--alarms N]
       fixtures.py --endpoint http://127.0.0.1:M alarm-state NAME OK|ALARM|INSUFFICIENT_DATA [--reason TEXT]
         (CloudWatch's SetAlarmState, as an alarm's evaluation would change it: tests play an alarm forward)
Runs with the test venv's python (boto3 ships with moto).

`seed` creates (names are stable: tests, and the environment teardown/restore tests, rely on them):
* ECS: the clusters and services of FLEET, with task-definition revisions, log groups and events.
* SageMaker: the endpoints of ENDPOINTS, each from the endpoint config `<endpoint>-config` (kept when the endpoint
  is deleted), one model per variant, and its log group `/aws/sagemaker/Endpoints/<endpoint>` (ENDPOINT_LOG_LINES).
* Application Auto Scaling: the targets of SCALABLE_TARGETS, and on `endpoint/prediction-endpoint/variant/model-v1`
  the target-tracking policy SCALING_POLICY (`prediction-model-v1-invocations`: SageMakerVariantInvocationsPerInstance,
  TargetValue 70, ScaleInCooldown 300, ScaleOutCooldown 60).
* Lambda (FUNCTIONS, role `opsdeck-test-lambda`): `garmaxai-tryon-processor` with reserved concurrency 5,
  `garmaxai-render-processor` with none.
* EventBridge (RULES): on the default bus `garmaxai-nightly-batch` ENABLED (schedule) and `garmaxai-weekly-report`
  DISABLED (schedule); on the custom bus `garmaxai-events`, `tryon-completed` ENABLED (event pattern).
* CloudWatch: the alarms of ALARMS (ALARM_TAGS on some: `prediction-endpoint-latency` names its runbook in a
  `runbook_url` tag, the others have no tags) and METRICS' datapoints.
No SSM parameters: opsdeck writes its own under /opsdeck/environments/.

`load-balancing` (after `seed`; only the target-health tests need it) adds, in the cluster `web-cluster`:
* ELBv2 (LOAD_BALANCING): a VPC with two subnets, the ALB `opsdeck-test-alb`, and two target groups, each with a
  service registered with it (its `loadBalancers`): `web-api-tg` (ip targets; the IP target moto reports `healthy`)
  for `web-api`, `web-worker-tg` (instance targets; an EC2 instance that is then stopped, which moto reports
  `unused` / `Target.InvalidState`) for `web-worker`;
* the alarm `web-api-unhealthy-hosts` on AWS/ApplicationELB UnHealthyHostCount naming the target group and the load
  balancer (and no service).
"""

import argparse
import datetime
import io
import json
import os
import zipfile

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/opsdeck-test-sagemaker"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"

# cluster -> [(service, desired count, task-definition revisions)]
FLEET = {
    "cleanistic-ai-cluster": [("cleanistic-ai-api", 2, 3)],
    "svg-ai-cluster": [("svg-ai-service", 1, 2)],
    "prediction-app-cluster": [("backend-service", 1, 2), ("ml-model-service", 1, 1)],
    "children-drawing-prod-cluster": [("children-drawing-prod-service", 1, 1)],
    "garmaxai-cluster-prod": [("garmaxai-smpl-processor", 1, 2)],
}
ENDPOINTS = {
    "cleanistic-property-detector-endpoint": [("AllTraffic", "cleanistic-property-detector-model", 1.0, "ml.m5.large")],
    "prediction-endpoint": [
        ("model-v1", "prediction-model-v1", 0.9, "ml.m5.xlarge"),
        ("model-v2", "prediction-model-v2", 0.1, "ml.m5.large"),
    ],
}
ESC_LINE = "\x1b[2J\x1b[31mERROR\x1b[0m model reload failed \x1b]0;pwned\x07 (control sequences must stay inert)"
LOG_LINES = {
    "cleanistic-ai-api": [
        "INFO Started server process [1]",
        "INFO GET /health 200 2ms",
        "ERROR Inference failed: CUDA out of memory",
        ESC_LINE,
    ],
    "svg-ai-service": ["INFO vectorizer ready", "WARN slow request: 2400ms /convert", "INFO GET /health 200 1ms"],
    "backend-service": ["INFO listening on :8080", "INFO POST /predict 200 35ms"],
    "ml-model-service": ["INFO model loaded: prediction-v2", "INFO batch of 16 scored in 120ms"],
    "children-drawing-prod-service": ["INFO queue drained", "INFO GET /health 200 1ms"],
    "garmaxai-smpl-processor": ["INFO job 42 started", "ERROR job 41 failed: timeout after 900s"],
}
# SageMaker writes each endpoint's container log to /aws/sagemaker/Endpoints/NAME (one stream per instance).
ENDPOINT_LOG_LINES = {
    "cleanistic-property-detector-endpoint": ["INFO model server started", "INFO POST /invocations 200 88ms"],
    "prediction-endpoint": [
        "INFO POST /invocations 200 140ms",
        "WARN model latency 2310ms over the 500ms budget",
        "ERROR worker TIMEOUT after 60s (pid 42)",
    ],
}
ALARMS = [
    # name, namespace, metric, dimensions, threshold, state, reason
    ("CleanisticAI-HighErrorRate", "AWS/SageMaker", "Invocation5XXErrors",
     {"EndpointName": "cleanistic-property-detector-endpoint", "VariantName": "AllTraffic"}, 5.0, "ALARM",
     "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)."),
    ("svg-ai-high-cpu", "AWS/ECS", "CPUUtilization",
     {"ClusterName": "svg-ai-cluster", "ServiceName": "svg-ai-service"}, 80.0, "OK",
     "Threshold Crossed: 1 datapoint [31.5] was not greater than the threshold (80.0)."),
    ("prediction-endpoint-latency", "AWS/SageMaker", "ModelLatency",
     {"EndpointName": "prediction-endpoint", "VariantName": "model-v1"}, 500000.0, "INSUFFICIENT_DATA",
     "Insufficient Data: 1 datapoint was unknown."),
    ("children-drawing-memory", "AWS/ECS", "MemoryUtilization",
     {"ClusterName": "children-drawing-prod-cluster", "ServiceName": "children-drawing-prod-service"}, 90.0, "OK",
     "Threshold Crossed: no datapoint was greater than the threshold (90.0)."),
    ("garmaxai-processor-cpu", "AWS/ECS", "CPUUtilization",
     {"ClusterName": "garmaxai-cluster-prod", "ServiceName": "garmaxai-smpl-processor"}, 85.0, "ALARM",
     "Threshold Crossed: 3 datapoints were greater than the threshold (85.0)."),
]
# alarm name -> tags (opsdeck reads `runbook_url` with ListTagsForResource, once per alarm)
ALARM_TAGS = {"prediction-endpoint-latency": {"runbook_url": "endpoint-latency-spike", "team": "ml-platform"}}
# (cluster, service) -> (cpu base, memory base) for 30 one-minute datapoints each
METRICS = {("cleanistic-ai-cluster", "cleanistic-ai-api"): (42.0, 61.0), ("svg-ai-cluster", "svg-ai-service"): (31.5, 48.0)}
METRIC_POINTS = 30
# Application Auto Scaling targets: (namespace, resource id, dimension, min, max, suspended state)
SCALABLE_TARGETS = [
    ("ecs", "service/cleanistic-ai-cluster/cleanistic-ai-api", "ecs:service:DesiredCount", 1, 4, None),
    # A suspension someone set: changing min/max must send it back unchanged.
    ("sagemaker", "endpoint/prediction-endpoint/variant/model-v1", "sagemaker:variant:DesiredInstanceCount", 1, 4,
     {"DynamicScalingInSuspended": True}),
]
# One target-tracking policy on the suspended model-v1 target: what a teardown saves and a restore puts back.
SCALING_POLICY = {
    "PolicyName": "prediction-model-v1-invocations",
    "ServiceNamespace": "sagemaker",
    "ResourceId": "endpoint/prediction-endpoint/variant/model-v1",
    "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 70.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 60,
    },
}
LAMBDA_ROLE = "opsdeck-test-lambda"
# function name -> reserved concurrency (None: no limit set)
FUNCTIONS = {"garmaxai-tryon-processor": 5, "garmaxai-render-processor": None}
EVENT_BUS = "garmaxai-events"
# (bus or None for the default bus, rule, state, schedule expression, event pattern)
RULES = [
    (None, "garmaxai-nightly-batch", "ENABLED", "cron(0 2 * * ? *)", None),
    (None, "garmaxai-weekly-report", "DISABLED", "rate(7 days)", None),
    (EVENT_BUS, "tryon-completed", "ENABLED", None, {"source": ["garmaxai.tryon"], "detail-type": ["TryOnCompleted"]}),
]


def client(endpoint, name):
    return boto3.client(
        name, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
    )


def container_extras(family, revision):
    """cleanistic-ai-api's revisions differ the way a bad deploy does: the newest one lost MODEL_PATH and turned on
    debug logging, so a roll back's diff has something to show. Its secret is named, never valued, in opsdeck."""
    if family != "cleanistic-ai-api":
        return {}, []
    env = [{"name": "LOG_LEVEL", "value": "debug" if revision >= 3 else "info"}]
    if revision < 3:
        env.append({"name": "MODEL_PATH", "value": "/opt/ml/model"})
    return {
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/cleanistic/db"}],
        "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"], "interval": 30},
    }, env


def task_def(ecs, family, revision):
    extras, env = container_extras(family, revision)
    ecs.register_task_definition(
        family=family,
        networkMode="bridge",
        requiresCompatibilities=["EC2"],
        containerDefinitions=[{
            "name": family,
            "image": f"{IMAGE}/{family}:v{revision}",
            "memory": 512,
            "cpu": 256,
            "essential": True,
            "portMappings": [{"containerPort": 8080, "hostPort": 0}],
            "environment": [{"name": "REVISION", "value": str(revision)}, *env],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": f"/ecs/{family}", "awslogs-region": REGION, "awslogs-stream-prefix": "ecs"},
            },
            **extras,
        }],
    )


# service -> (target group, target type, container port)
LOAD_BALANCING = {"web-api": ("web-api-tg", "ip", 8080), "web-worker": ("web-worker-tg", "instance", 80)}
LB_CLUSTER = "web-cluster"
IP_TARGET = "10.0.1.23"
ELB_ALARM = "web-api-unhealthy-hosts"


def load_balancing(url):
    """The ALB, its target groups and a service registered with each; a summary."""
    ec2, elbv2, cw, ecs = (client(url, n) for n in ("ec2", "elbv2", "cloudwatch", "ecs"))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    ]
    lb = elbv2.create_load_balancer(Name="opsdeck-test-alb", Subnets=subnets, Type="application")
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    arns = {}
    for port, (svc, (name, target_type, container_port)) in zip((80, 8080), LOAD_BALANCING.items()):
        tg = elbv2.create_target_group(
            Name=name, Protocol="HTTP", Port=container_port, VpcId=vpc, TargetType=target_type,
            HealthCheckPath="/health", HealthCheckIntervalSeconds=10, Matcher={"HttpCode": "200"},
        )["TargetGroups"][0]["TargetGroupArn"]
        elbv2.create_listener(
            LoadBalancerArn=lb_arn, Protocol="HTTP", Port=port, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}]
        )
        arns[svc] = tg
    elbv2.register_targets(TargetGroupArn=arns["web-api"], Targets=[{"Id": IP_TARGET, "Port": 8080}])
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", SubnetId=subnets[0]
    )["Instances"][0]["InstanceId"]
    elbv2.register_targets(TargetGroupArn=arns["web-worker"], Targets=[{"Id": instance, "Port": 80}])
    ec2.stop_instances(InstanceIds=[instance])
    tg_dim = arns["web-api"][arns["web-api"].index("targetgroup/"):]
    lb_dim = lb_arn[lb_arn.index("loadbalancer/") + len("loadbalancer/"):]
    cw.put_metric_alarm(
        AlarmName=ELB_ALARM, Namespace="AWS/ApplicationELB", MetricName="UnHealthyHostCount",
        Dimensions=[{"Name": "TargetGroup", "Value": tg_dim}, {"Name": "LoadBalancer", "Value": lb_dim}],
        Statistic="Maximum", Period=60, EvaluationPeriods=2, DatapointsToAlarm=2, Threshold=0.0,
        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
        AlarmDescription="opsdeck test alarm on a target group",
    )
    ecs.create_cluster(clusterName=LB_CLUSTER)
    for name, tg in arns.items():
        service(ecs, LB_CLUSTER, name, 1, 1, tg)
    return {"target_groups": arns, "load_balancer": lb_arn, "instance": instance, "alarm": ELB_ALARM}


def service(ecs, cluster, name, desired, revisions, target_group=None):
    for rev in range(1, revisions + 1):
        task_def(ecs, name, rev)
    balanced = {}
    if target_group:
        port = LOAD_BALANCING[name][2]
        balanced = {"loadBalancers": [{"targetGroupArn": target_group, "containerName": name, "containerPort": port}]}
    ecs.create_service(
        cluster=cluster,
        serviceName=name,
        taskDefinition=f"{name}:{revisions}",
        desiredCount=desired,
        launchType="EC2",
        deploymentConfiguration={
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
        **balanced,
    )


def endpoint(sm, name, variants):
    for _variant, model, _weight, _instance in variants:
        sm.create_model(
            ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": f"{IMAGE}/{model}:latest"}
        )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {"VariantName": v, "ModelName": m, "InitialInstanceCount": 1, "InstanceType": it, "InitialVariantWeight": w}
            for v, m, w, it in variants
        ],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def logs_for(logs, name, lines, now_ms, group=None, stream=None):
    group = group or f"/ecs/{name}"
    logs.create_log_group(logGroupName=group)
    stream = stream or f"ecs/{name}/0123456789abcdef"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events = [{"timestamp": now_ms - (len(lines) - i) * 1000, "message": line} for i, line in enumerate(lines)]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    return len(events)


def alarm(cw, name, namespace, metric, dims, threshold, state, reason):
    tags = [{"Key": k, "Value": v} for k, v in ALARM_TAGS.get(name, {}).items()]
    cw.put_metric_alarm(
        AlarmName=name,
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
        AlarmDescription=f"opsdeck test alarm {name}",
        **({"Tags": tags} if tags else {}),
    )
    cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)


def metrics(cw, cluster, svc, cpu, mem, now):
    data = []
    for i in range(METRIC_POINTS):
        ts = now - datetime.timedelta(minutes=METRIC_POINTS - i)
        dims = [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": svc}]
        wobble = (i % 5) * 1.5
        data.append({"MetricName": "CPUUtilization", "Dimensions": dims, "Timestamp": ts, "Value": cpu + wobble,
                     "Unit": "Percent"})
        data.append({"MetricName": "MemoryUtilization", "Dimensions": dims, "Timestamp": ts, "Value": mem + wobble / 2,
                     "Unit": "Percent"})
    for start in range(0, len(data), 500):
        cw.put_metric_data(Namespace="AWS/ECS", MetricData=data[start:start + 500])
    return len(data)


def scalable_target(aas, namespace, resource_id, dimension, low, high, suspended):
    extra = {"SuspendedState": suspended} if suspended else {}
    aas.register_scalable_target(
        ServiceNamespace=namespace, ResourceId=resource_id, ScalableDimension=dimension, MinCapacity=low,
        MaxCapacity=high, **extra,
    )


def lambda_zip():
    """A one-file deployment package built in memory (moto stores it; nothing runs it without Docker)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


def functions(iam, lam):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    package = lambda_zip()
    for name, reserved in FUNCTIONS.items():
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                            Code={"ZipFile": package})
        if reserved is not None:
            lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)


def rules(events):
    events.create_event_bus(Name=EVENT_BUS)
    for bus, name, state, schedule, pattern in RULES:
        extra = {"EventBusName": bus} if bus else {}
        if schedule:
            extra["ScheduleExpression"] = schedule
        if pattern:
            extra["EventPattern"] = json.dumps(pattern)
        events.put_rule(Name=name, State=state, **extra)


def seed(url):
    ecs, logs, sm, cw = (client(url, n) for n in ("ecs", "logs", "sagemaker", "cloudwatch"))
    aas = client(url, "application-autoscaling")
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    now_ms = int(now.timestamp() * 1000)
    services = events = 0
    for cluster, svcs in FLEET.items():
        ecs.create_cluster(clusterName=cluster)
        for name, desired, revisions in svcs:
            service(ecs, cluster, name, desired, revisions)
            events += logs_for(logs, name, LOG_LINES[name], now_ms)
            services += 1
    for name, variants in ENDPOINTS.items():
        endpoint(sm, name, variants)
        stream = f"{variants[0][0]}/i-0123456789abcdef0"
        group = f"/aws/sagemaker/Endpoints/{name}"
        events += logs_for(logs, name, ENDPOINT_LOG_LINES[name], now_ms, group, stream)
    for a in ALARMS:
        alarm(cw, *a)
    for t in SCALABLE_TARGETS:
        scalable_target(aas, *t)
    aas.put_scaling_policy(**SCALING_POLICY)
    functions(client(url, "iam"), client(url, "lambda"))
    rules(client(url, "events"))
    points = sum(metrics(cw, c, s, cpu, mem, now) for (c, s), (cpu, mem) in METRICS.items())
    return {
        "clusters": len(FLEET), "services": services, "log_events": events, "endpoints": len(ENDPOINTS),
        "alarms": len(ALARMS), "tagged_alarms": len(ALARM_TAGS), "datapoints": points,
        "scalable_targets": len(SCALABLE_TARGETS),
        "scaling_policies": 1, "functions": len(FUNCTIONS), "rules": len(RULES),
    }


def scale(url, clusters, services, endpoints, alarms=0):
    ecs, sm, cw = client(url, "ecs"), client(url, "sagemaker"), client(url, "cloudwatch")
    names = [f"scale-cluster-{i}" for i in range(clusters)]
    for c in names:
        ecs.create_cluster(clusterName=c)
    for i in range(services):
        service(ecs, names[i % clusters], f"scale-svc-{i:03}", 1, 1)
    for i in range(endpoints):
        endpoint(sm, f"scale-endpoint-{i}", [("AllTraffic", f"scale-model-{i}", 1.0, "ml.m5.large")])
    for i in range(alarms):
        svc = f"scale-svc-{i % services:03}" if services else "none"
        alarm(cw, f"scale-alarm-{i:03}", "AWS/ECS", "CPUUtilization",
              {"ClusterName": names[i % clusters], "ServiceName": svc}, 80.0, "OK", "Threshold Crossed: scaled fleet.")
    return {"clusters": clusters, "services": services, "endpoints": endpoints, "alarms": alarms}


def main():
    ap = argparse.ArgumentParser(description="seed opsdeck's test fleet into moto")
    ap.add_argument("--endpoint", default=os.environ.get("OPSDECK_MOTO_URL", "http://127.0.0.1:5000"))
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("seed")
    sub.add_parser("load-balancing")
    sc = sub.add_parser("scale")
    sc.add_argument("--clusters", type=int, default=3)
    sc.add_argument("--services", type=int, default=25)
    sc.add_argument("--endpoints", type=int, default=3)
    sc.add_argument("--alarms", type=int, default=0)
    iu = sub.add_parser("iam-user", help="an IAM user with an access key: prints its key id and secret")
    iu.add_argument("name")
    st = sub.add_parser("alarm-state")
    st.add_argument("name")
    st.add_argument("state", choices=["OK", "ALARM", "INSUFFICIENT_DATA"])
    st.add_argument("--reason", default="set by the test")
    args = ap.parse_args()
    if args.cmd == "seed":
        summary = seed(args.endpoint)
    elif args.cmd == "load-balancing":
        summary = load_balancing(args.endpoint)
    elif args.cmd == "iam-user":
        iam = client(args.endpoint, "iam")
        iam.create_user(UserName=args.name)
        key = iam.create_access_key(UserName=args.name)["AccessKey"]
        summary = {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
    elif args.cmd == "alarm-state":
        cw = client(args.endpoint, "cloudwatch")
        cw.set_alarm_state(AlarmName=args.name, StateValue=args.state, StateReason=args.reason)
        alarm = cw.describe_alarms(AlarmNames=[args.name])["MetricAlarms"][0]
        summary = {"alarm": args.name, "state": alarm["StateValue"]}
    else:
        summary = scale(args.endpoint, max(args.clusters, 1), args.services, args.endpoints, args.alarms)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
