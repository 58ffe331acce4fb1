#!/usr/bin/env bash
# Invokes every event in events/ through the real Lambda binaries under `cargo lambda watch`
# (the local Lambda runtime emulator) against the local AWS endpoint, and checks each answer:
# status, ack code, and that the body is an ack. The events are signed with the local dev
# lender's key first, so the binaries verify signatures as in AWS. Needs OCEN_TEST_ENDPOINT
# (test.sh sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
: "${OCEN_TEST_ENDPOINT:?set OCEN_TEST_ENDPOINT to the local AWS endpoint}"
mkdir -p .local

cargo build -q -p ocen-local -p ocen-generate
"$TARGET_DIR"/debug/ocen-local env --endpoint "$OCEN_TEST_ENDPOINT" --prefix "smoke$$" > .local/smoke.env
# As the LSP does before sending a request: record the request each event answers (the
# functions run CORRELATION=require, the default).
"$TARGET_DIR"/debug/ocen-local request-events --endpoint "$OCEN_TEST_ENDPOINT" --prefix "smoke$$"
# The committed events, with a fresh timestamp and signed by the local dev lender (v3).
rm -rf .local/smoke-events
"$TARGET_DIR"/debug/ocen-local sign-events --out .local/smoke-events
port=$(free_port)
cargo lambda watch --quiet --ignore-changes -P "$port" -A 127.0.0.1 --env-file .local/smoke.env > .local/watch.log 2>&1 &
watch_pid=$!
trap 'kill $watch_pid 2>/dev/null || true; wait $watch_pid 2>/dev/null || true' EXIT
wait_http "http://127.0.0.1:$port/" "$watch_pid" "cargo lambda watch"

# event file → function package and the answer it must get signed (from the registry).
"$TARGET_DIR"/debug/ocen-generate events > .local/smoke-events.tsv

failures=0
while IFS=$'\t' read -r name fn want_status want_code; do
  f=.local/smoke-events/$name
  out=$(cargo lambda invoke "$fn" -A 127.0.0.1 -P "$port" --data-file "$f" 2>&1 </dev/null) || true
  got=$(python3 - "$out" <<'PY'
import json, sys
try:
    resp = json.loads(sys.argv[1])
    ack = json.loads(resp["body"])["ack"]
    assert isinstance(ack["traceId"], str) and isinstance(ack["timestamp"], str)
    print(resp["statusCode"], ack["error"])
except Exception as e:
    print("unparseable", repr(sys.argv[1][:300]))
PY
)
  if [ "$got" = "$want_status $want_code" ]; then
    printf '  ok    %-55s %s\n' "$name" "$got"
  else
    printf '  FAIL  %-55s got %s, want %s %s\n' "$name" "$got" "$want_status" "$want_code"
    failures=$((failures + 1))
  fi
done < .local/smoke-events.tsv
if [ "$failures" -gt 0 ]; then
  echo "cargo lambda invoke: $failures event(s) answered wrongly; runtime log: .local/watch.log" >&2
  tail -20 .local/watch.log >&2
  exit 1
fi
echo "cargo lambda invoke: every event answered as expected"
