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

cargo build -q -p ocen-local
"$TARGET_DIR"/debug/ocen-local env --endpoint "$OCEN_TEST_ENDPOINT" --prefix "smoke$$" > .local/smoke.env
# The committed events, with a fresh timestamp and signed by the local dev lender (v3).
rm -rf .local/smoke-events
"$TARGET_DIR"/debug/ocen-local sign-events --out .local/smoke-events
port=$(free_port)
cargo lambda watch --quiet --ignore-changes -P "$port" -A 127.0.0.1 --env-file .local/smoke.env > .local/watch.log 2>&1 &
watch_pid=$!
trap 'kill $watch_pid 2>/dev/null || true; wait $watch_pid 2>/dev/null || true' EXIT
wait_http "http://127.0.0.1:$port/" "$watch_pid" "cargo lambda watch"

# event file → function and expected "status code"
expect() {
  case "$1" in
    *-valid.json|*credblock-object.json|*capitalised-path.json) echo "200 0" ;;
    *-warning-*) echo "200 0" ;;   # recorded; the event carries a warning (README "Validation rules")
    *invalid-get.json) echo "405 GEN5003" ;;
    *invalid-malformed-json.json) echo "401 AUTH1001" ;;   # signed, but no lender can be read
    *invalid-missing-org-id.json) echo "401 AUTH1001" ;;   # no orgId: no lender to verify against
    *invalid-status-enum.json) echo "400 GEN5002" ;;
    *invalid-version.json) echo "400 GEN5005" ;;
    *invalid-*) echo "400 GEN5001" ;;
    *) echo "unknown" ;;
  esac
}
function_for() {
  case "$1" in
    loan-acceptance-*) echo loan-acceptance-response ;;
    disbursement-*) echo disbursement-response ;;
    consent-handle-*) echo consent-handle-response ;;
  esac
}

failures=0
for f in .local/smoke-events/*.json; do
  name=$(basename "$f")
  fn=$(function_for "$name")
  read -r want_status want_code <<<"$(expect "$name")"
  out=$(cargo lambda invoke "$fn" -A 127.0.0.1 -P "$port" --data-file "$f" 2>&1) || true
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
done
if [ "$failures" -gt 0 ]; then
  echo "cargo lambda invoke: $failures event(s) answered wrongly; runtime log: .local/watch.log" >&2
  tail -20 .local/watch.log >&2
  exit 1
fi
echo "cargo lambda invoke: every event answered as expected"
