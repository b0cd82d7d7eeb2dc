#!/usr/bin/env python3
"""Sends signed rpc-v2-cbor CloudWatch requests through the bridge, the way aws-sdk-cloudwatch does, and prints
what came back as one JSON line (alarm names/states, metric values, error codes) for the Rust smoke test to assert.

Usage: check_bridge.py ENDPOINT describe-alarms | get-metric-data CLUSTER SERVICE | set-alarm-state-missing
Runs with the test venv's python (botocore ships with moto; cbor2 is pinned in scripts/test).
"""

import datetime
import json
import sys
import urllib.error
import urllib.request

import cbor2
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CREDS = Credentials("test", "test")


def call(endpoint, operation, params):
    url = f"{endpoint}/service/GraniteServiceVersion20100801/operation/{operation}"
    body = cbor2.dumps(params)
    headers = {
        "smithy-protocol": "rpc-v2-cbor",
        "Content-Type": "application/cbor",
        "Accept": "application/cbor",
    }
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(CREDS, "monitoring", "us-east-1").add_auth(req)
    http_req = urllib.request.Request(url, data=body, headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(http_req, timeout=30) as resp:
            return resp.status, dict(resp.headers.items()), cbor2.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), cbor2.loads(e.read())


def check_headers(headers):
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower.get("smithy-protocol") == "rpc-v2-cbor", headers
    assert lower.get("content-type") == "application/cbor", headers


def main():
    endpoint, what = sys.argv[1], sys.argv[2]
    if what == "describe-alarms":
        status, headers, out = call(endpoint, "DescribeAlarms", {"MaxRecords": 100})
        check_headers(headers)
        alarms = out.get("MetricAlarms", [])
        for a in alarms:
            # Timestamps must come back as CBOR tag 1 (cbor2 decodes those to aware datetimes), doubles as floats.
            assert isinstance(a["StateUpdatedTimestamp"], datetime.datetime), a
            assert isinstance(a["Threshold"], float), a
        summary = {
            "status": status,
            "alarms": {a["AlarmName"]: a["StateValue"] for a in alarms},
            "reasons": {a["AlarmName"]: a.get("StateReason", "") for a in alarms},
        }
    elif what == "get-metric-data":
        cluster, service = sys.argv[3], sys.argv[4]
        now = datetime.datetime.now(datetime.timezone.utc)
        query = {
            "Id": "cpu",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ECS",
                    "MetricName": "CPUUtilization",
                    "Dimensions": [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": service}],
                },
                "Period": 60,
                "Stat": "Average",
            },
        }
        params = {
            "StartTime": now - datetime.timedelta(hours=3),
            "EndTime": now + datetime.timedelta(minutes=5),
            "MetricDataQueries": [query],
        }
        status, headers, out = call(endpoint, "GetMetricData", params)
        check_headers(headers)
        res = out["MetricDataResults"][0]
        assert all(isinstance(t, datetime.datetime) for t in res["Timestamps"]), res
        assert all(isinstance(v, float) for v in res["Values"]), res
        summary = {"status": status, "points": len(res["Values"]), "values": res["Values"]}
    elif what == "set-alarm-state-missing":
        status, headers, out = call(
            endpoint, "SetAlarmState", {"AlarmName": "no-such-alarm", "StateValue": "OK", "StateReason": "x"}
        )
        check_headers(headers)
        summary = {"status": status, "type": out.get("__type"), "message": out.get("message")}
    else:
        raise SystemExit(f"unknown check {what!r}")
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
