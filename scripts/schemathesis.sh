#!/usr/bin/env bash
# schemathesis against the local stack, driven by docs/openapi.json: bounded examples,
# loopback only. Checks: no server error, and every status, content type and response body
# conforms to the document. Signatures are off for this run (AUTH_MODE=none, a local-only
# mode) so generated bodies reach validation instead of all stopping at 401; signature
# paths have their own tests. CORRELATION=flag: the generated callbacks answer no request
# the LSP recorded, so they are recorded with the warning `unsolicited` rather than all
# refused 422 (correlation has its own tests). The run reads the document as that mode serves it (each body
# the callback itself: scripts/schemathesis.py unsigned-doc), then prints how many of the
# generated positive cases were accepted and fails below SCHEMATHESIS_MIN_ACCEPTED percent
# (default 90): the document must say what the service accepts, not only what it might.
# Health check `data_too_large` is off: a loan application's required structure (borrower,
# collaterals, guarantors, applicants, terms, each with required members) is deep, and
# hypothesis flags the examples it needs as too large; they are what the spec requires.
# Needs OCEN_TEST_ENDPOINT (test.sh sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
: "${OCEN_TEST_ENDPOINT:?set OCEN_TEST_ENDPOINT to the local AWS endpoint}"
cargo build -q -p ocen-local
port=$(free_port)
AUTH_MODE=none CORRELATION=flag REPLAY_WINDOW_SECONDS=0 RUST_LOG=error "$TARGET_DIR"/debug/ocen-local up --port "$port" \
  --endpoint "$OCEN_TEST_ENDPOINT" --prefix "schemathesis$$" > .local/schemathesis-stack.log 2>&1 &
stack_pid=$!
trap 'kill $stack_pid 2>/dev/null || true; wait $stack_pid 2>/dev/null || true' EXIT
wait_http "http://127.0.0.1:$port/" "$stack_pid" "ocen-local up"
report=.local/schemathesis
rm -rf "$report" && mkdir -p "$report"
python3 scripts/schemathesis.py unsigned-doc docs/openapi.json "$report/openapi-unsigned.json"
SCHEMATHESIS_TELEMETRY=false schemathesis run "$report/openapi-unsigned.json" -u "http://127.0.0.1:$port" \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --seed 20261121 \
  --suppress-health-check=data_too_large \
  -c not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --report ndjson --report-ndjson-path "$report/events.ndjson"
python3 scripts/schemathesis.py rate "$report/events.ndjson" "${SCHEMATHESIS_MIN_ACCEPTED:-90}"
