#!/usr/bin/env bash
# Every performance figure of the README, measured on this machine in one go:
#   1. criterion: in-process handler cost per callback type, signature verification per scheme
#   1b. instructions: instructions per callback type under callgrind (load-independent)
#   2. ack-path efficiency against a local AWS endpoint (moto_server)
#   3. cold start of the release function binary under a Lambda Runtime API emulator
#   4. binary size per function (cargo lambda build --release --arm64)
#   5. a simulator load run against the local stack with --verify
# Usage: scripts/bench.sh [criterion] [instructions] [ack] [cold] [size] [load]   (none: all)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
mkdir -p .local
bootstrap_tools
STEPS="${*:-criterion instructions ack cold size load}"
want() { [[ " $STEPS " == *" $1 "* ]]; }

if want criterion; then
step "criterion benches (shared/benches/pipeline.rs)"
cargo bench -p ocen-shared --features testing --bench pipeline -- --warm-up-time 1 --measurement-time 5 \
  | grep -E '^[a-zA-Z].*|time:' | grep -v '^Benchmarking' | grep -vE '^(Found|Gnuplot|  [0-9]+ \()' || true
fi

if want instructions; then
step "instructions per callback (callgrind; the same pipeline as the criterion bench)"
command -v valgrind >/dev/null || { echo "needs valgrind (Debian: apt-get install valgrind)" >&2; exit 1; }
# The bench profile as the criterion step builds it: one dependency build for both.
bin=$(cargo bench -q -p ocen-shared --features testing --bench instructions --no-run --message-format=json \
  | python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable")][0])')
# Counted over the whole run, twice (N and 3N callbacks): the difference is N × 2 callbacks,
# without the runtime's and the sample's setup.
n="${INSTRUCTIONS_N:-100}"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for t in $("$bin" --list); do
  one=$(count "$t" "$n"); three=$(count "$t" $(( 3 * n )))
  [ -n "$one" ] && [ -n "$three" ] || { echo "callgrind printed no count for $t" >&2; exit 1; }
  printf '%-36s %8d instructions per callback\n' "$t" $(( (three - one) / (2 * n) ))
done
fi

step "starting a local AWS endpoint"
MOTO_PORT=$(free_port)
trap 'stop_moto; [ -n "${STACK_PID:-}" ] && kill $STACK_PID 2>/dev/null || true' EXIT
start_moto "$MOTO_PORT" .local/moto-bench.log
export OCEN_TEST_ENDPOINT="http://127.0.0.1:$MOTO_PORT"

if want ack; then
step "ack path vs bare conditional PutItem"
ACK_PATH_N="${ACK_PATH_N:-1000}" cargo bench -q -p ocen-tests --bench ack_path
fi

if want cold; then
# The largest callback function (by its arm64 bootstrap, as the size step last built them;
# before any: the loan application's, the deepest body), or COLD_START_CALLBACK.
largest=$(FUNCTIONS="$(function_packages)" TARGET_DIR="$TARGET_DIR" python3 - <<'PY'
import os, pathlib
sizes = {f: (pathlib.Path(os.environ["TARGET_DIR"]) / "lambda" / f / "bootstrap")
         for f in os.environ["FUNCTIONS"].split() if f != "stream-dispatcher"}
sizes = {f: b.stat().st_size for f, b in sizes.items() if b.exists()}
print(max(sizes, key=sizes.get) if sizes else "create-loan-applications-response")
PY
)
callback="${COLD_START_CALLBACK:-$largest}"
step "cold start of $callback (release binary, Lambda Runtime API emulator)"
cargo build -q --release -p "$callback"
COLD_START_CALLBACK="$callback" COLD_START_BINARY="${COLD_START_BINARY:-$TARGET_DIR/release/$callback}" \
  COLD_START_RUNS="${COLD_START_RUNS:-20}" cargo bench -q -p ocen-tests --bench cold_start
fi

if want size; then
step "binary size (cargo lambda build --release --arm64)"
rustup target list --installed | grep -q aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
# shellcheck disable=SC2046
cargo lambda build --release --arm64 $(function_packages --bins) 2>&1 | grep -E '^(error|warning: unused)' || true
TARGET_DIR="$TARGET_DIR" FUNCTIONS="$(function_packages)" python3 - <<'PY'
import os, pathlib
for f in os.environ["FUNCTIONS"].split():
    b = pathlib.Path(os.environ.get("TARGET_DIR", "target")) / "lambda" / f / "bootstrap"
    head = b.read_bytes()[:20]
    arch = {183: "aarch64", 62: "x86_64"}.get(int.from_bytes(head[18:20], "little"), "?")
    print(f"  {f:<28} {b.stat().st_size / 1e6:6.2f} MB  ({arch}, stripped)")
PY
fi

if want load; then
step "simulator load run against the local stack (optimised build, profile local)"
cargo build -q --profile local -p ocen-local -p ocen-lender
PORT=$(free_port)
RUST_LOG=error "$TARGET_DIR"/local/ocen-local up --port "$PORT" --endpoint "$OCEN_TEST_ENDPOINT" --prefix load > .local/bench-stack.log 2>&1 &
STACK_PID=$!
wait_http "http://127.0.0.1:$PORT/" "$STACK_PID" "ocen-local up"
"$TARGET_DIR"/local/ocen-lender load --url "http://127.0.0.1:$PORT" -n "${LOAD_N:-10000}" -c "${LOAD_C:-32}" \
  --duplicates 0.05 --invalid 0.05 --seed 42 --verify --endpoint "$OCEN_TEST_ENDPOINT" --prefix load
fi
