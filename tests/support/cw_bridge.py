#!/usr/bin/env python3
"""Loopback proxy in front of moto for opsdeck's emulator tests.

* CloudWatch in the smithy rpc-v2-cbor protocol (what aws-sdk-cloudwatch 1.x speaks, and moto 5.2.5 answers 404 to)
  is translated to awsJson 1.0, which moto answers, and the JSON answer is re-encoded as CBOR.
  Verified with moto 5.2.5: DescribeAlarms, GetMetricData, PutMetricAlarm, PutMetricData (gzip-compressed bodies
  too: the SDK compresses above 10 KiB), SetAlarmState all answer awsJson; no query-protocol fallback is needed.
  Output types come from member names (CloudWatch's model): timestamps -> CBOR tag 1, doubles -> CBOR floats (the
  SDK rejects an integer where a double is due).
* Two gaps in moto filled the way AWS behaves, so opsdeck's handling of them is tested:
  - ECS ListServices: moto ignores maxResults and nextToken and answers every service at once. The bridge pages
    moto's full answer as ECS does: maxResults 1-100 (10 when absent), an opaque nextToken, and
    InvalidParameterException for a bad maxResults or token.
  - SSM PutParameter: moto takes any value length. Standard-tier parameters (Tier absent or "Standard") hold at most
    4096 characters; a longer value is refused with AWS's ValidationException and message, and nothing is stored.
* Everything else is passed through untouched.
* Test controls: POST/DELETE /__faults (canned errors or delays per operation; the error body goes out as JSON, CBOR
  for CloudWatch rpc-v2, or query-protocol XML for STS/ELBv2 when the body has a `__type`), GET/DELETE /__calls (call
  counts by "service:Operation", faulted calls included; DELETE also clears /__faulted), GET /__faulted (faulted
  calls by "service:Operation").
  A fault: {"operation": NAME or "*" (any), "service"?: "ecs", "status"?: 400, "body"?: {...}, "times"?: 1,
  "delay_ms"?: 0, "every"?: 1 (answer every Nth matching call; the rest pass on), "for_ms"?: none (expires then),
  "request_contains"?: text (only calls whose request body holds it, e.g. a page's nextToken)}.
  E.g. a throttling storm on half of all calls for a minute:
  {"operation": "*", "every": 2, "times": 1000000, "for_ms": 60000, "status": 400,
   "body": {"__type": "ThrottlingException", "message": "Rate exceeded"}}

Usage: cw_bridge.py --listen-port P --moto-url http://127.0.0.1:M [--exit-with-stdin] [--verbose]
       (prints "READY <port>" once listening; P may be 0 for any free port)
Dependencies: the standard library and cbor2.
"""

import argparse
import base64
import datetime
import gzip
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cbor2

CW_PREFIX = "/service/GraniteServiceVersion20100801/operation/"
CW_TARGET = "GraniteServiceVersion20100801"
# Member names of CloudWatch's model (botocore's cloudwatch service-2.json) by type. Names are unique enough across
# CloudWatch's shapes that no schema is needed: Dimension's string `Value` stays a string (only numbers are touched).
TIMESTAMP_KEYS = {
    "AlarmConfigurationUpdatedTimestamp", "CreatedAt", "CreationDate", "EndDate", "EndTime", "ExpireDate",
    "LastModified", "LastUpdateDate", "LastUpdatedTimestamp", "StartDate", "StartTime",
    "StateTransitionedTimestamp", "StateUpdatedTimestamp", "Timestamp", "Timestamps", "UpdatedAt",
}
DOUBLE_KEYS = {
    "AggregateValue", "ApproximateAggregateValue", "ApproximateValue", "Average", "Counts", "MaxContributorValue",
    "Maximum", "Minimum", "SampleCount", "Sum", "Threshold", "UniqueContributors", "Value", "Values",
}
BLOB_KEYS = {"MetricWidgetImage"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer", "upgrade"}
SCOPE_RE = re.compile(r"Credential=[^/]*/[^/]*/[^/]*/([^/]+)/aws4_request")
SSM_STANDARD_MAX_CHARS = 4096
SSM_TOO_LONG = ("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger "
                "parameter value, upgrade the parameter to use the advanced-parameter tier.")
ECS_DEFAULT_PAGE, ECS_MAX_PAGE = 10, 100
PAGE_TOKEN_PREFIX = "opsdeck-bridge-page-"


class State:
    def __init__(self):
        self.lock = threading.Lock()
        # dicts: operation ("*": any), service (optional), status, body, times, delay_ms, every, until (monotonic)
        self.faults = []
        self.calls = {}
        self.hits = {}  # faulted calls by "service:Operation"


STATE = State()
UPSTREAM = ("127.0.0.1", 0)


# ---- value conversion -------------------------------------------------------------------------------------------

def to_epoch(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v.timestamp()
    if isinstance(v, cbor2.CBORTag) and v.tag == 1:
        return float(v.value)
    return v


def cbor_to_json(v):
    """Decoded CBOR request value -> JSON-able value (datetimes to epoch seconds, bytes to base64)."""
    if isinstance(v, dict):
        return {k: cbor_to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [cbor_to_json(x) for x in v]
    if isinstance(v, (datetime.datetime, cbor2.CBORTag)):
        return to_epoch(v)
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode()
    return v


def as_timestamp(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        secs = float(v)
    elif isinstance(v, str):
        try:
            secs = float(v)
        except ValueError:
            d = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
            if d.tzinfo is None:
                d = d.replace(tzinfo=datetime.timezone.utc)
            secs = d.timestamp()
    else:
        return v
    return cbor2.CBORTag(1, secs)


def as_double(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    return float(v)


def json_to_cbor(v, key=None):
    """moto's JSON answer -> value for the CBOR answer, typed by member name (timestamps tag 1, doubles floats)."""
    if isinstance(v, dict):
        if key == "ExtendedStatistics":
            return {k: as_double(x) for k, x in v.items() if x is not None}
        return {k: json_to_cbor(x, k) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [json_to_cbor(x, key) for x in v]
    if key in TIMESTAMP_KEYS:
        return as_timestamp(v)
    if key in DOUBLE_KEYS:
        return as_double(v)
    if key in BLOB_KEYS and isinstance(v, str):
        return base64.b64decode(v)
    return v


# ---- request classification -------------------------------------------------------------------------------------

def classify(method, path, headers, body):
    """(service, operation) of a request; operation falls back to 'METHOD /path'."""
    m = SCOPE_RE.search(headers.get("Authorization", ""))
    service = m.group(1) if m else "unknown"
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.rsplit(".", 1)[-1]
    bare = path.split("?", 1)[0]
    if bare.startswith(CW_PREFIX):
        return service, bare.rsplit("/", 1)[-1]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if "Action" in query:
        return service, query["Action"][0]
    if "x-www-form-urlencoded" in headers.get("Content-Type", ""):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return service, form["Action"][0]
    if re.fullmatch(r"/endpoints/[^/]+/invocations", bare):
        return service, "InvokeEndpoint"
    return service, f"{method} {bare}"


def fault_matches(f, service, operation, now, body=b""):
    return (f["operation"] in ("*", operation) and f.get("service") in (None, service) and f["times"] > 0
            and (f.get("until") is None or now < f["until"])
            and (f.get("request_contains") is None or f["request_contains"].encode() in body))


def take_fault(service, operation, body=b""):
    """The fault to answer this call with, if any. A fault with `every` N answers every Nth call it matches (the
    others go on to the next fault, or upstream); `until` (set from `for_ms`) ends it by the clock."""
    now = time.monotonic()
    with STATE.lock:
        STATE.faults = [x for x in STATE.faults if x.get("until") is None or now < x["until"]]
        for f in STATE.faults:
            if not fault_matches(f, service, operation, now, body):
                continue
            f["matched"] = f.get("matched", 0) + 1
            if f["matched"] % f.get("every", 1) != 0:
                continue
            f["times"] -= 1
            f["hits"] = f.get("hits", 0) + 1
            STATE.hits[f"{service}:{operation}"] = STATE.hits.get(f"{service}:{operation}", 0) + 1
            hit = dict(f)
            STATE.faults = [x for x in STATE.faults if x["times"] > 0]
            return hit
    return None


def count(service, operation):
    with STATE.lock:
        key = f"{service}:{operation}"
        STATE.calls[key] = STATE.calls.get(key, 0) + 1


# ---- the handler ------------------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    verbose = False

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("bridge: " + (fmt % args) + "\n")

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, status, obj):
        self.reply(status, json.dumps(obj).encode(), [("Content-Type", "application/json")])

    def do_any(self):
        body = self.read_body()
        path = self.path
        if path.split("?", 1)[0] in ("/__faults", "/__calls", "/__faulted"):
            return self.control(path.split("?", 1)[0], body)
        is_cw = self.command == "POST" and path.split("?", 1)[0].startswith(CW_PREFIX)
        service, operation = classify(self.command, path, self.headers, body)
        count(service, operation)
        fault = take_fault(service, operation, body)
        if fault and fault.get("delay_ms"):
            time.sleep(fault["delay_ms"] / 1000.0)
        if fault and fault.get("status"):
            return self.send_fault(fault, is_cw, self.is_query(path, body))
        if is_cw:
            return self.cloudwatch(operation, body)
        if (service, operation) == ("ssm", "PutParameter") and self.refuse_oversized_parameter(body):
            return None
        if (service, operation) == ("ecs", "ListServices"):
            return self.list_services_paged(path, body)
        status, headers, data = forward(self.command, path, list(self.headers.items()), body)
        self.reply(status, data, [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP])

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_any

    def control(self, path, body):
        if path == "/__faults" and self.command == "POST":
            try:
                f = json.loads(body or b"{}")
                f["operation"] = str(f["operation"])
                f["times"] = int(f.get("times", 1))
                f["status"] = int(f.get("status", 0))
                f["delay_ms"] = int(f.get("delay_ms", 0))
                f["every"] = int(f.get("every", 1))
                if f.get("request_contains") is not None:
                    f["request_contains"] = str(f["request_contains"])
                if f["every"] < 1:
                    raise ValueError("every must be 1 or more")
                if f.get("for_ms") is not None:
                    f["until"] = time.monotonic() + int(f["for_ms"]) / 1000.0
            except (ValueError, KeyError, TypeError) as e:
                return self.reply_json(400, {"error": f"bad fault: {e}"})
            with STATE.lock:
                STATE.faults.append(f)
            return self.reply_json(200, {"ok": True})
        if path == "/__faults" and self.command == "DELETE":
            with STATE.lock:
                STATE.faults = []
            return self.reply_json(200, {"ok": True})
        if path == "/__faults" and self.command == "GET":
            with STATE.lock:
                return self.reply_json(200, list(STATE.faults))
        if path == "/__faulted" and self.command == "GET":
            with STATE.lock:
                return self.reply_json(200, dict(sorted(STATE.hits.items())))
        if path == "/__calls" and self.command == "GET":
            with STATE.lock:
                return self.reply_json(200, dict(sorted(STATE.calls.items())))
        if path == "/__calls" and self.command == "DELETE":
            with STATE.lock:
                STATE.calls = {}
                STATE.hits = {}
            return self.reply_json(200, {"ok": True})
        return self.reply_json(405, {"error": "unsupported"})

    def json_error(self, status, error_type, message):
        body = json.dumps({"__type": error_type, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("X-Amzn-ErrorType", error_type),
                   ("x-amzn-requestid", "opsdeck-bridge-refusal")]
        self.reply(status, body, headers)

    def refuse_oversized_parameter(self, body):
        """True when the request was answered here: a standard-tier value longer than AWS allows."""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return False
        if request.get("Tier") not in (None, "Standard"):
            return False
        if len(str(request.get("Value", ""))) <= SSM_STANDARD_MAX_CHARS:
            return False
        self.json_error(400, "ValidationException", SSM_TOO_LONG)
        return True

    def list_services_paged(self, path, body):
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        size = request.pop("maxResults", None)
        token = request.pop("nextToken", None)
        if size is None:
            size = ECS_DEFAULT_PAGE
        if not isinstance(size, int) or not 1 <= size <= ECS_MAX_PAGE:
            return self.json_error(400, "InvalidParameterException", "maxResults must be between 1 and 100.")
        start = 0
        if token is not None:
            offset = str(token).removeprefix(PAGE_TOKEN_PREFIX)
            if not str(token).startswith(PAGE_TOKEN_PREFIX) or not offset.isdigit():
                return self.json_error(400, "InvalidParameterException", "Invalid nextToken.")
            start = int(offset)
        status, headers, data = forward(self.command, path, list(self.headers.items()), json.dumps(request).encode())
        if status != 200:
            return self.reply(status, data, [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP])
        arns = json.loads(data).get("serviceArns", [])
        answer = {"serviceArns": arns[start:start + size]}
        if start + size < len(arns):
            answer["nextToken"] = f"{PAGE_TOKEN_PREFIX}{start + size}"
        kept = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        self.reply(200, json.dumps(answer).encode(), kept)

    @staticmethod
    def is_query(path, body):
        """An AWS query-protocol request (STS, ELBv2, ...): its errors are XML, not JSON."""
        if "Action=" in urllib.parse.urlsplit(path).query:
            return True
        return body[:200].lstrip().startswith(b"Action=")

    def send_fault(self, fault, is_cw, is_query=False):
        payload = fault.get("body") or {}
        error_type = str(payload.get("__type", "")) if isinstance(payload, dict) else ""
        if is_cw:
            body = cbor2.dumps(json_to_cbor(payload))
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
        elif is_query and error_type:
            # The same error the way query-protocol services (STS, ELBv2) spell it.
            message = str(payload.get("message") or payload.get("Message") or "")
            body = ("<ErrorResponse><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error>"
                    "<RequestId>opsdeck-bridge-fault</RequestId></ErrorResponse>").format(
                        xml_escape(error_type), xml_escape(message)).encode()
            headers = [("Content-Type", "text/xml")]
        else:
            body = json.dumps(payload).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1")]
            if error_type:
                headers.append(("X-Amzn-ErrorType", error_type))
        headers.append(("x-amzn-requestid", "opsdeck-bridge-fault"))
        self.reply(fault["status"], body, headers)

    def cloudwatch(self, operation, body):
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        try:
            request = cbor_to_json(cbor2.loads(body)) if body else {}
        except Exception as e:  # noqa: BLE001 - any decode failure is the client's
            return self.cbor_reply(400, {"__type": "SerializationException", "message": f"bad CBOR: {e}"})
        headers = [
            ("Host", self.headers.get("Host", UPSTREAM[0])),
            ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", f"{CW_TARGET}.{operation}"),
        ]
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "amz-sdk-invocation-id"):
            if self.headers.get(name):
                headers.append((name, self.headers[name]))
        status, up_headers, data = forward("POST", "/", headers, json.dumps(request).encode())
        try:
            answer = json.loads(data) if data.strip() else {}
        except ValueError:
            # moto answers unimplemented operations with an HTML 500 page.
            answer = {"__type": "InternalFailure", "message": data.decode("utf-8", "replace")[:500]}
        if status >= 300 and isinstance(answer, dict) and "__type" not in answer:
            answer["__type"] = dict((k.lower(), v) for k, v in up_headers).get("x-amzn-errortype", "InternalFailure")
        extra = [(k, v) for k, v in up_headers if k.lower() in ("x-amzn-requestid", "x-amzn-query-error")]
        self.cbor_reply(status, answer, extra)

    def cbor_reply(self, status, obj, extra=()):
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"), *extra]
        self.reply(status, cbor2.dumps(json_to_cbor(obj)), headers)


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def forward(method, path, headers, body):
    conn = http.client.HTTPConnection(UPSTREAM[0], UPSTREAM[1], timeout=60)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers:
            if k.lower() not in HOP_BY_HOP:
                conn.putheader(k, v)
        if body or method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def exit_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    global UPSTREAM
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen-port", type=int, required=True)
    ap.add_argument("--moto-url", required=True)
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    ap.add_argument("--exit-with-stdin", action="store_true", help="exit when stdin closes (the parent died)")
    args = ap.parse_args()
    u = urllib.parse.urlsplit(args.moto_url)
    UPSTREAM = (u.hostname or "127.0.0.1", u.port or 80)
    Handler.verbose = args.verbose
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", args.listen_port), Handler)
    if args.exit_with_stdin:
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
