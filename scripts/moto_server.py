"""moto's server, with DynamoDB's serialisation of writes to an item.

DynamoDB applies the writes to one item one at a time: a conditional write's condition is
evaluated against the item as the previous write left it. moto's server is threaded and
checks a condition, then writes, without a lock, so two concurrent conditional writes to
one item can both pass (seen with 50 concurrent identical callbacks: `UpdateItem`'s check
and write are far enough apart). This launcher serialises moto's item writes with one lock
and then runs moto's own `moto_server` entry point with the same arguments.

With OCEN_USAGE=1 it also keeps what each AWS operation would be billed for (`make cost`,
scripts/cost.py): requests, DynamoDB write and read request units (from each written
item's size, as DynamoDB sizes it), SQS requests in 64 KiB chunks, and the time moto spent.
`GET /_ocen/usage` returns them as JSON; `DELETE /_ocen/usage` starts again from zero.
"""

import functools
import threading

from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

_WRITES = threading.RLock()

for _name in ("put_item", "update_item", "delete_item", "transact_write_items"):
    _original = getattr(DynamoDBBackend, _name)

    @functools.wraps(_original)
    def _serialised(self, *args, __original=_original, **kwargs):
        with _WRITES:
            return __original(self, *args, **kwargs)

    setattr(DynamoDBBackend, _name, _serialised)


def _install_usage():
    import io
    import json
    import math
    import time

    from moto.dynamodb.models import dynamodb_backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    usage = {}
    lock = threading.Lock()

    def add(op, **amounts):
        with lock:
            entry = usage.setdefault(op, {"requests": 0})
            entry["requests"] += amounts.pop("requests", 1)
            for k, v in amounts.items():
                entry[k] = entry.get(k, 0) + v

    def value_size(v):
        # DynamoDB's item size: names and values in bytes; numbers about 1 byte per two
        # digits plus one; containers 3 bytes plus 1 per element (Developer Guide, "Item
        # sizes and formats").
        (t, x), = v.items()
        if t == "S":
            return len(x.encode())
        if t == "B":
            return len(x) * 3 // 4
        if t == "N":
            digits = len(x.lstrip("-").replace(".", "").lstrip("0")) or 1
            return math.ceil(digits / 2) + 1
        if t in ("BOOL", "NULL"):
            return 1
        if t in ("SS", "NS", "BS"):
            return sum(value_size({t[0]: e}) for e in x)
        if t == "L":
            return 3 + sum(1 + value_size(e) for e in x)
        if t == "M":
            return 3 + sum(len(k.encode()) + 1 + value_size(e) for k, e in x.items())
        return 0

    def item_size(item):
        return sum(len(k.encode()) + value_size(v) for k, v in item.items())

    def units(size, per):
        return max(1, math.ceil(size / per))

    def stored_item(region, table, key):
        try:
            backend = dynamodb_backends["123456789012"][region]
            found = backend.get_item(table, {k: v for k, v in key.items()})
            return found.to_json()["Attributes"] if found else None
        except Exception:
            return None

    def region_of(environ):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        parts = auth.split("Credential=")[-1].split("/")
        return parts[2] if len(parts) > 2 else "us-east-1"

    original = DomainDispatcherApplication.__call__

    def counted(self, environ, start_response):
        if environ.get("PATH_INFO") == "/_ocen/usage":
            if environ.get("REQUEST_METHOD") == "DELETE":
                with lock:
                    usage.clear()
            with lock:
                body = json.dumps(usage).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        target = environ.get("HTTP_X_AMZ_TARGET")
        if not target:
            return original(self, environ, start_response)
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(raw)
        op = target.split(".")[-1]
        service = target.split("_")[0].split(".")[0]
        started = time.perf_counter()
        result = original(self, environ, start_response)
        result = [b"".join(result)]
        ms = (time.perf_counter() - started) * 1000
        try:
            req = json.loads(raw or b"{}")
        except ValueError:
            req = {}
        name = f"{service}.{op}"
        if service == "DynamoDB":
            if op == "PutItem":
                add(name, wru=units(item_size(req.get("Item", {})), 1024), ms=ms)
            elif op == "UpdateItem":
                after = stored_item(region_of(environ), req.get("TableName"), req.get("Key", {}))
                add(name, wru=units(item_size(after or req.get("Key", {})), 1024), ms=ms)
            elif op == "BatchWriteItem":
                wru = sum(units(item_size(w.get("PutRequest", {}).get("Item", {})), 1024)
                          for ws in req.get("RequestItems", {}).values() for w in ws)
                items = sum(len(ws) for ws in req.get("RequestItems", {}).values())
                add(name, wru=wru, items=items, ms=ms)
            elif op in ("GetItem", "BatchGetItem"):
                tables = req.get("RequestItems", {"": req}).values()
                rru = sum(len(t.get("Keys", [t.get("Key")])) * (1 if t.get("ConsistentRead") else 0.5)
                          for t in tables)
                add(name, rru=rru, ms=ms)
            else:
                add(name, ms=ms)
        elif service == "AmazonSQS" and op in ("SendMessage", "SendMessageBatch"):
            fifo = str(req.get("QueueUrl", "")).endswith(".fifo")
            chunks = units(len(raw), 64 * 1024)
            add(name + (".fifo" if fifo else ""), chunks=chunks, bytes=len(raw),
                messages=len(req.get("Entries", [req])), ms=ms)
        else:
            add(name, ms=ms)
        return result

    DomainDispatcherApplication.__call__ = counted


if __name__ == "__main__":
    import os

    if os.environ.get("OCEN_USAGE") == "1":
        _install_usage()
    main()
