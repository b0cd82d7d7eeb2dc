#!/usr/bin/env python3
"""Extra fixtures for the "why" tests (target health, metric charts), on top of fixtures.py's fleet; prints a JSON
summary.

Usage: why_fixtures.py --endpoint http://127.0.0.1:M nlb         (after `seed` and `load-balancing`)
       why_fixtures.py --endpoint http://127.0.0.1:M math-alarm  (after `seed`)

`nlb` adds, in the cluster `web-cluster`:
* the network load balancer `opsdeck-test-nlb` (its own VPC and subnet) with the TCP target group `web-tcp-tg`
  (ip targets), a TCP listener forwarding to it, and the service `web-tcp` registered with it;
* the alarm `web-tcp-unhealthy-hosts` on AWS/NetworkELB UnHealthyHostCount naming only the load balancer;
* the alarm `web-alb-5xx` on AWS/ApplicationELB HTTPCode_ELB_5XX_Count naming only the ALB `opsdeck-test-alb`,
  which fronts two services (`web-api`, `web-worker`): it names no one service.
moto spells an NLB's ARN `loadbalancer/app/...` where AWS has `loadbalancer/net/...`; the alarm names the load
balancer the way its ARN reads, as CloudWatch does.

`math-alarm` adds `cleanistic-ai-saturation`, a metric-math alarm (`Metrics[]`, no metric of its own): the average
of cleanistic-ai-api's CPUUtilization (m1) and MemoryUtilization (m2), which `seed` gave 30 minutes of datapoints.
"""

import argparse
import json

from fixtures import LB_CLUSTER, client, task_def

NLB = "opsdeck-test-nlb"
NLB_SERVICE = "web-tcp"
NLB_ALARM = "web-tcp-unhealthy-hosts"
ALB_ALARM = "web-alb-5xx"
MATH_ALARM = "cleanistic-ai-saturation"


def dimension(lb_arn):
    return lb_arn[lb_arn.index("loadbalancer/") + len("loadbalancer/"):]


def nlb(url):
    ec2, elbv2, cw, ecs = (client(url, n) for n in ("ec2", "elbv2", "cloudwatch", "ecs"))
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    lb_arn = elbv2.create_load_balancer(Name=NLB, Subnets=[subnet], Type="network")["LoadBalancers"][0][
        "LoadBalancerArn"]
    tg = elbv2.create_target_group(Name="web-tcp-tg", Protocol="TCP", Port=443, VpcId=vpc, TargetType="ip")[
        "TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(LoadBalancerArn=lb_arn, Protocol="TCP", Port=443,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    task_def(ecs, NLB_SERVICE, 1)
    ecs.create_service(
        cluster=LB_CLUSTER, serviceName=NLB_SERVICE, taskDefinition=f"{NLB_SERVICE}:1", desiredCount=1,
        launchType="EC2",
        loadBalancers=[{"targetGroupArn": tg, "containerName": NLB_SERVICE, "containerPort": 443}],
    )
    common = dict(Period=60, EvaluationPeriods=1, Threshold=0.0, ComparisonOperator="GreaterThanThreshold",
                  TreatMissingData="notBreaching")
    cw.put_metric_alarm(
        AlarmName=NLB_ALARM, Namespace="AWS/NetworkELB", MetricName="UnHealthyHostCount", Statistic="Maximum",
        Dimensions=[{"Name": "LoadBalancer", "Value": dimension(lb_arn)}], **common,
    )
    alb_arn = elbv2.describe_load_balancers(Names=["opsdeck-test-alb"])["LoadBalancers"][0]["LoadBalancerArn"]
    cw.put_metric_alarm(
        AlarmName=ALB_ALARM, Namespace="AWS/ApplicationELB", MetricName="HTTPCode_ELB_5XX_Count", Statistic="Sum",
        Dimensions=[{"Name": "LoadBalancer", "Value": dimension(alb_arn)}], **common,
    )
    return {"load_balancer": lb_arn, "target_group": tg, "service": f"ecs:{LB_CLUSTER}/{NLB_SERVICE}",
            "nlb_alarm": NLB_ALARM, "alb_alarm": ALB_ALARM}


def math_alarm(url):
    cw = client(url, "cloudwatch")
    dims = [{"Name": "ClusterName", "Value": "cleanistic-ai-cluster"},
            {"Name": "ServiceName", "Value": "cleanistic-ai-api"}]

    def stat(query_id, metric, label):
        return {"Id": query_id, "Label": label, "ReturnData": False, "MetricStat": {
            "Metric": {"Namespace": "AWS/ECS", "MetricName": metric, "Dimensions": dims}, "Period": 60,
            "Stat": "Average"}}

    cw.put_metric_alarm(
        AlarmName=MATH_ALARM,
        Metrics=[
            {"Id": "e1", "Expression": "(m1 + m2) / 2", "Label": "saturation", "ReturnData": True},
            stat("m1", "CPUUtilization", "cpu"),
            stat("m2", "MemoryUtilization", "memory"),
        ],
        EvaluationPeriods=3, DatapointsToAlarm=2, Threshold=80.0, ComparisonOperator="GreaterThanThreshold",
        AlarmDescription="opsdeck test metric-math alarm",
    )
    return {"alarm": MATH_ALARM}


def main():
    ap = argparse.ArgumentParser(description="extra fixtures for opsdeck's why tests")
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("cmd", choices=["nlb", "math-alarm"])
    args = ap.parse_args()
    summary = nlb(args.endpoint) if args.cmd == "nlb" else math_alarm(args.endpoint)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
