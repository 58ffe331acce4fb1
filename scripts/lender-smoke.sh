#!/usr/bin/env bash
# The lender simulator end to end: small load runs (both signing schemes, duplicates,
# invalid and unsolicited callbacks mixed in) against the local stack, with --verify reading
# the consumer queues: in CORRELATION=require (unsolicited ones refused, their events nowhere)
# and in CORRELATION=flag (recorded, their events marked `unsolicited`). Fails unless every
# answer was the expected one and every accepted callback's event arrived exactly once on
# each queue of its route. Needs OCEN_TEST_ENDPOINT (test.sh sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
: "${OCEN_TEST_ENDPOINT:?set OCEN_TEST_ENDPOINT to the local AWS endpoint}"
mkdir -p .local
cargo build -q -p ocen-local -p ocen-lender
# start_stack MODE: an `ocen-local up` in CORRELATION=MODE; sets port and prefix.
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done' EXIT
start_stack() {
  port=$(free_port)
  prefix="lender$$$1"
  CORRELATION="$1" RUST_LOG=error "$TARGET_DIR"/debug/ocen-local up --port "$port" \
    --endpoint "$OCEN_TEST_ENDPOINT" --prefix "$prefix" > ".local/lender-smoke-stack-$1.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/" "$!" "ocen-local up ($1)"
}

# check FILE MODE: the report's figures.
check() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
mode = sys.argv[2]
v = r["verification"]
assert r["unexpected"] == 0, r["unexpectedSamples"]
assert r["acked"] > 0.6 * r["sent"] and r["duplicatesAnswered"] > 0 and sum(r["byCode"].values()) > 0, r
assert v["error"] is None, v["error"]
events = sum(q["received"] for q in v["queues"].values())
assert all(q["missing"] == 0 and q["duplicated"] == 0 for q in v["queues"].values()), v
assert v["refusedDelivered"] == 0 and v["flaggedUnmarked"] == 0, v
if mode == "require":
    assert r["unsolicitedRefused"] > 0 and r["unsolicitedFlagged"] == 0, r
else:
    assert r["unsolicitedFlagged"] > 0 and r["unsolicitedRefused"] == 0, r
# each accepted callback has one event per queue of its route; disbursements fan out to two
assert events >= r["acked"], (events, r["acked"])
print(f"  sent {r['sent']}: {r['acked']} acked, {r['duplicatesAnswered']} duplicates answered, "
      f"unsolicited {r['unsolicitedRefused']} refused / {r['unsolicitedFlagged']} flagged, "
      f"answers by code {r['byCode']}; {events} events verified on {len(v['queues'])} queues, 0 missing, 0 duplicated")
PY
}

start_stack require
seed=7
for scheme in v3 v4; do
  seed=$((seed + 1))
  echo "ocen-lender load, scheme $scheme, CORRELATION=require: 300 callbacks, concurrency 16, 10 % duplicates, 10 % invalid, 5 % unsolicited"
  "$TARGET_DIR"/debug/ocen-lender load --url "http://127.0.0.1:$port" --scheme "$scheme" -n 300 -c 16 \
    --duplicates 0.1 --invalid 0.1 --unsolicited 0.05 --seed "$seed" --verify --endpoint "$OCEN_TEST_ENDPOINT" \
    --prefix "$prefix" --json > ".local/lender-smoke-$scheme.json"
  check ".local/lender-smoke-$scheme.json" require
done

start_stack flag
echo "ocen-lender load, scheme v3, CORRELATION=flag: 150 callbacks, 10 % duplicates, 10 % invalid, 10 % unsolicited"
"$TARGET_DIR"/debug/ocen-lender load --url "http://127.0.0.1:$port" --scheme v3 -n 150 -c 16 \
  --duplicates 0.1 --invalid 0.1 --unsolicited 0.1 --correlation flag --seed 11 --verify \
  --endpoint "$OCEN_TEST_ENDPOINT" --prefix "$prefix" --json > .local/lender-smoke-flag.json
check .local/lender-smoke-flag.json flag
