#!/usr/bin/env bash
# The lender simulator end to end: a small load run (both signing schemes, duplicates and
# invalid callbacks mixed in) against the local stack, with --verify reading the consumer
# queues. Fails unless every answer was the expected one and every accepted callback's event
# arrived exactly once on each queue of its route. Needs OCEN_TEST_ENDPOINT (test.sh sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
: "${OCEN_TEST_ENDPOINT:?set OCEN_TEST_ENDPOINT to the local AWS endpoint}"
mkdir -p .local
cargo build -q -p ocen-local -p ocen-lender
port=$(free_port)
prefix="lender$$"
RUST_LOG=error "$TARGET_DIR"/debug/ocen-local up --port "$port" --endpoint "$OCEN_TEST_ENDPOINT" \
  --prefix "$prefix" > .local/lender-smoke-stack.log 2>&1 &
stack_pid=$!
trap 'kill $stack_pid 2>/dev/null || true; wait $stack_pid 2>/dev/null || true' EXIT
wait_http "http://127.0.0.1:$port/" "$stack_pid" "ocen-local up"

seed=7
for scheme in v3 v4; do
  seed=$((seed + 1))
  echo "ocen-lender load, scheme $scheme: 300 callbacks, concurrency 16, 10 % duplicates, 10 % invalid"
  "$TARGET_DIR"/debug/ocen-lender load --url "http://127.0.0.1:$port" --scheme "$scheme" -n 300 -c 16 \
    --duplicates 0.1 --invalid 0.1 --seed "$seed" --verify --endpoint "$OCEN_TEST_ENDPOINT" \
    --prefix "$prefix" --json > ".local/lender-smoke-$scheme.json"
  python3 - ".local/lender-smoke-$scheme.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
v = r["verification"]
assert r["sent"] == 300, r["sent"]
assert r["unexpected"] == 0, r["unexpectedSamples"]
assert r["acked"] > 200 and r["duplicatesAnswered"] > 0 and sum(r["byCode"].values()) > 0, r
assert v["error"] is None, v["error"]
events = sum(q["received"] for q in v["queues"].values())
assert all(q["missing"] == 0 and q["duplicated"] == 0 for q in v["queues"].values()), v
# each accepted callback has one event per queue of its route; disbursements fan out to two
assert events >= r["acked"], (events, r["acked"])
print(f"  sent {r['sent']}: {r['acked']} acked, {r['duplicatesAnswered']} duplicates answered, "
      f"answers by code {r['byCode']}; {events} events verified on {len(v['queues'])} queues, 0 missing, 0 duplicated")
PY
done
