#!/usr/bin/env python3
"""What a million callbacks cost in ap-south-1 (Mumbai): `make cost` (docs/cost.md).

Runs the local stack (`ocen-local up`, CORRELATION=require) against moto's server with
its usage accounting on (scripts/moto_server.py, OCEN_USAGE=1), sends each callback type
with the lender simulator (`ocen-lender load --type T`, the LSP's request recorded first),
then the journey's mix, and reads what every AWS call of the run would be billed for:
DynamoDB write and read request units from the items' sizes, SQS requests in 64 KiB
chunks, Lambda invocations and durations, stream reads, log bytes. It prices them with
PRICES below, per callback type and for the mix, beside a Powertools-style handler
computed from the same measured sizes.

Usage: scripts/cost.py [--per-type N] [--mix N] (make cost runs it with its defaults).
"""

import argparse
import json
import math
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))

# On-demand prices in ap-south-1 (USD), from the AWS Price List (the public offer files of
# https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/region_index.json),
# by usage type, as published in September 2026 (read 2026-09-18/20 and transcribed in
# public cost studies of ap-south-1 workloads); check them with
# `aws pricing get-products --service-code <code> --filters Type=TERM_MATCH,Field=usagetype,Value=<usage type>`.
PRICES = {
    "api_request": (1.05e-6, "AmazonApiGateway APS3-ApiGatewayHttpRequest (HTTP API, first 300 M)"),
    "lambda_request": (0.20e-6, "AWSLambda APS3-Request"),
    "lambda_gb_s": (0.0000133334, "AWSLambda APS3-Lambda-GB-Second-ARM (tier 1)"),
    "ddb_wru": (0.71e-6, "AmazonDynamoDB APS3-WriteRequestUnits (on-demand)"),
    "ddb_rru": (0.1425e-6, "AmazonDynamoDB APS3-ReadRequestUnits (on-demand)"),
    "sqs_standard": (0.40e-6, "AWSQueueService standard requests, us-east-1's rate (not verified for ap-south-1)"),
    "sqs_fifo": (0.50e-6, "AWSQueueService FIFO requests, us-east-1's rate (not verified for ap-south-1)"),
    "log_gb": (0.67, "AmazonCloudWatch APS3 custom log ingestion, Standard class, per GB"),
}
MEMORY_GB = 0.25  # the template's MemorySize: 256


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, proc, what):
    for _ in range(240):
        if proc.poll() is not None:
            sys.exit(f"{what} exited early")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    sys.exit(f"{what} did not answer at {url}")


def usage(endpoint, reset=False):
    req = urllib.request.Request(endpoint + "/_ocen/usage", method="DELETE" if reset else "GET")
    return json.load(urllib.request.urlopen(req))


def registry():
    out = subprocess.run([str(TARGET / "debug/ocen-local"), "callbacks"], capture_output=True,
                         text=True, check=True).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    return [{"name": r[0], "weight": int(r[4]), "queues": r[5].split(",")} for r in rows]


def settle(endpoint, markers_expected, timeout=60):
    """Wait until the dispatcher has written every delivery marker of the run."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        u = usage(endpoint)
        if u.get("DynamoDB.BatchWriteItem", {}).get("items", 0) >= markers_expected:
            time.sleep(0.5)
            return usage(endpoint)
        time.sleep(0.25)
    sys.exit(f"the dispatcher wrote {u.get('DynamoDB.BatchWriteItem', {}).get('items', 0)} of "
             f"{markers_expected} delivery markers within {timeout} s")


def run(endpoint, url, prefix, log, kind, n, markers, seed):
    usage(endpoint, reset=True)
    log_before = log.stat().st_size
    cmd = [str(TARGET / "debug/ocen-lender"), "load", "-n", str(n), "-c", "8", "--json",
           "--url", url, "--endpoint", endpoint, "--prefix", prefix, "--seed", str(seed)]
    if kind:
        cmd += ["--type", kind]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"ocen-lender failed ({kind or 'mix'}):\n{out.stdout}\n{out.stderr}")
    report = json.loads(out.stdout)
    if report["acked"] != n or report["unexpected"]:
        sys.exit(f"{kind or 'mix'}: {report['acked']} of {n} callbacks acked, "
                 f"{report['unexpected']} unexpected answers: {report.get('unexpectedSamples')}")
    u = settle(endpoint, markers)
    return measure(u, report, n, log.stat().st_size - log_before)


def measure(u, report, n, log_bytes):
    """What one callback costs, in AWS units, from the run's usage."""
    g = lambda op, k: u.get(op, {}).get(k, 0)
    sqs_std = g("AmazonSQS.SendMessageBatch", "chunks") + g("AmazonSQS.SendMessage", "chunks")
    sqs_fifo = g("AmazonSQS.SendMessageBatch.fifo", "chunks") + g("AmazonSQS.SendMessage.fifo", "chunks")
    messages = sum(g(op, "messages") for op in u if op.startswith("AmazonSQS.SendMessage"))
    send_ms = sum(g(op, "ms") for op in u if op.startswith("AmazonSQS.SendMessage"))
    dispatcher_ms = g("DynamoDB.BatchGetItem", "ms") + g("DynamoDB.BatchWriteItem", "ms") + send_ms
    batches = max(1, g("DynamoDB.BatchGetItem", "requests"))
    sqs_bytes = sum(g(op, "bytes") for op in u if op.startswith("AmazonSQS.SendMessage"))
    return {
        "ack_wru": g("DynamoDB.UpdateItem", "wru") / n,
        "request_wru": g("DynamoDB.PutItem", "wru") / n,
        "marker_wru": g("DynamoDB.BatchWriteItem", "wru") / n,
        "marker_rru": (g("DynamoDB.BatchGetItem", "rru") + g("DynamoDB.GetItem", "rru")) / n,
        "sqs_standard": sqs_std / n,
        "sqs_fifo": sqs_fifo / n,
        "messages": messages / n,
        "message_bytes": (sqs_bytes / messages) if messages else 0,
        "callback_ms": report["latencyMs"]["p50"],
        "dispatcher_invocations": batches / n,
        "dispatcher_ms": dispatcher_ms / n,
        "stream_reads": g("DynamoDBStreams.GetRecords", "requests") / n,
        "log_bytes": log_bytes / n,
        "acked": report["acked"],
    }


def billed_ms(ms):
    return math.ceil(ms)  # Lambda bills each invocation in 1 ms steps


def price(m):
    """USD per callback, by service, of this design."""
    p = {k: v[0] for k, v in PRICES.items()}
    lam = p["lambda_request"] * (1 + m["dispatcher_invocations"]) + p["lambda_gb_s"] * MEMORY_GB * (
        billed_ms(m["callback_ms"]) + m["dispatcher_ms"]) / 1000
    return {
        "API Gateway": p["api_request"],
        "Lambda": lam,
        "DynamoDB (ack write)": p["ddb_wru"] * m["ack_wru"],
        "DynamoDB (LSP's request record)": p["ddb_wru"] * m["request_wru"],
        "DynamoDB (delivery markers)": p["ddb_wru"] * m["marker_wru"] + p["ddb_rru"] * m["marker_rru"],
        "SQS": p["sqs_standard"] * m["sqs_standard"] + p["sqs_fifo"] * m["sqs_fifo"],
        "CloudWatch Logs": p["log_gb"] * m["log_bytes"] / 1e9,
    }


def price_powertools(m):
    """USD per callback of a Powertools-style handler, from the same measured sizes: a
    conditional PutItem of the idempotency record (INPROGRESS), an UpdateItem (COMPLETED,
    with the ack), and one SendMessage per queue of the route, from the function itself;
    no stream, dispatcher or markers; the same Lambda duration (a Python handler's would
    be longer), the same log bytes."""
    p = {k: v[0] for k, v in PRICES.items()}
    chunks = math.ceil(max(1, m["message_bytes"]) / (64 * 1024))
    fifo_share = m["sqs_fifo"] / max(1e-9, m["sqs_fifo"] + m["sqs_standard"])
    sqs = m["messages"] * chunks * (p["sqs_fifo"] * fifo_share + p["sqs_standard"] * (1 - fifo_share))
    return {
        "API Gateway": p["api_request"],
        "Lambda": p["lambda_request"] + p["lambda_gb_s"] * MEMORY_GB * billed_ms(m["callback_ms"]) / 1000,
        "DynamoDB (ack write)": p["ddb_wru"] * 2,  # the idempotency record: put, then update (each < 1 KB)
        "DynamoDB (LSP's request record)": 0.0,
        "DynamoDB (delivery markers)": 0.0,
        "SQS": sqs,
        "CloudWatch Logs": p["log_gb"] * m["log_bytes"] / 1e9,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-type", type=int, default=40, help="callbacks sent per type")
    ap.add_argument("--mix", type=int, default=520, help="callbacks sent in the journey's mix")
    args = ap.parse_args()

    (ROOT / ".local").mkdir(exist_ok=True)
    moto_port, port = free_port(), free_port()
    endpoint, url, prefix = f"http://127.0.0.1:{moto_port}", f"http://127.0.0.1:{port}", f"cost{os.getpid()}"
    procs = []

    def stop(*_):
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(1)))
    try:
        moto = subprocess.Popen([sys.executable, str(ROOT / "scripts/moto_server.py"), "-p", str(moto_port)],
                                env={**os.environ, "OCEN_USAGE": "1"},
                                stdout=open(ROOT / ".local/cost-moto.log", "w"), stderr=subprocess.STDOUT)
        procs.append(moto)
        wait_http(endpoint + "/_ocen/usage", moto, "moto_server")
        log = ROOT / ".local/cost-stack.log"
        stack = subprocess.Popen([str(TARGET / "debug/ocen-local"), "up", "--port", str(port),
                                  "--endpoint", endpoint, "--prefix", prefix],
                                 env={**os.environ, "CORRELATION": "require", "RUST_LOG": "info",
                                      "LOG_FORMAT": "json"},
                                 stdout=open(log, "w"), stderr=subprocess.STDOUT)
        procs.append(stack)
        wait_http(url + "/", stack, "ocen-local up")

        kinds = registry()
        rows = []
        for i, k in enumerate(kinds, 1):
            print(f"[{i}/{len(kinds)}] {k['name']}: {args.per_type} callbacks", file=sys.stderr)
            # A seed per run: the same seed and index would give an earlier run's requestId
            # (a duplicate, with no new event).
            m = run(endpoint, url, prefix, log, k["name"], args.per_type,
                    args.per_type * len(k["queues"]), seed=i)
            rows.append((k, m))
        # The simulator's mix (`gen::kind_for`): round r sends every type of weight > r, in
        # registry order, over and over.
        cycle = [k for r in range(max(k["weight"] for k in kinds)) for k in kinds if k["weight"] > r]
        markers = sum(len(cycle[i % len(cycle)]["queues"]) for i in range(args.mix))
        print(f"[mix] {args.mix} callbacks in the journey's proportions", file=sys.stderr)
        mix = run(endpoint, url, prefix, log, None, args.mix, markers, seed=len(kinds) + 1)
    finally:
        stop()
    report(rows, mix, args)


def report(rows, mix, args):
    million = 1e6
    print(f"Measured {time.strftime('%Y-%m-%d')} with `make cost` ({args.per_type} callbacks per type, "
          f"{args.mix} in the journey's mix); USD per million callbacks, ap-south-1, on-demand, "
          "no free tier.\n")
    print("| callback type | ack write WRU | request record WRU | markers WRU / RRU | SQS requests | "
          "callback ms (p50) | dispatcher invocations | this design | Powertools-style |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k, m in rows:
        ours, pt = sum(price(m).values()) * million, sum(price_powertools(m).values()) * million
        print(f"| `{k['name']}` | {m['ack_wru']:.2f} | {m['request_wru']:.2f} | {m['marker_wru']:.2f} / "
              f"{m['marker_rru']:.2f} | {m['sqs_standard'] + m['sqs_fifo']:.2f} | {m['callback_ms']:.1f} | "
              f"{m['dispatcher_invocations']:.3f} | ${ours:.2f} | ${pt:.2f} |")
    ours, pt = price(mix), price_powertools(mix)
    print("\nThe journey's mix, USD per million callbacks, by service:\n")
    print("| service | this design | Powertools-style |")
    print("|---|---|---|")
    for service in ours:
        print(f"| {service} | ${ours[service] * million:.2f} | ${pt[service] * million:.2f} |")
    print(f"| **total** | **${sum(ours.values()) * million:.2f}** | **${sum(pt.values()) * million:.2f}** |")
    print(f"\nThe mix per callback: ack write {mix['ack_wru']:.2f} WRU, request record "
          f"{mix['request_wru']:.2f} WRU, markers {mix['marker_wru']:.2f} WRU and {mix['marker_rru']:.2f} RRU, "
          f"{mix['messages']:.2f} messages of {mix['message_bytes']:.0f} bytes in "
          f"{mix['sqs_standard'] + mix['sqs_fifo']:.3f} SQS requests, callback {mix['callback_ms']:.1f} ms (p50), "
          f"{mix['dispatcher_invocations']:.3f} dispatcher invocations of {mix['dispatcher_ms'] / max(mix['dispatcher_invocations'], 1e-9):.1f} ms, "
          f"{mix['stream_reads']:.2f} stream reads (free to Lambda), {mix['log_bytes']:.0f} log bytes.")
    print("\nPrices (USD):\n")
    for key, (usd, source) in PRICES.items():
        print(f"- `{key}` {usd:g}: {source}")


if __name__ == "__main__":
    main()
