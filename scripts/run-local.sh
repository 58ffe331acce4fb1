#!/usr/bin/env bash
# The system on this machine: a local AWS endpoint (moto_server), the table/stream/queues
# from infra/template.yaml, the three callbacks on their production paths and the stream
# dispatcher. Ctrl-C stops everything; run it again to restart from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

MOTO_PORT="${MOTO_PORT:-4566}"
PORT="${PORT:-3000}"
mkdir -p .local
bootstrap_tools

step "building the local stack and the operator's CLI (cargo build -p ocen-local -p ocen-ops)"
cargo build -p ocen-local -p ocen-ops

step "starting the local AWS endpoint on 127.0.0.1:$MOTO_PORT (log: .local/moto.log)"
trap stop_moto EXIT
start_moto "$MOTO_PORT" .local/moto.log

step "starting the callbacks"
RUST_LOG="${RUST_LOG:-info}" "$TARGET_DIR"/debug/ocen-local up --port "$PORT" --endpoint "http://127.0.0.1:$MOTO_PORT"
