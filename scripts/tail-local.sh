#!/usr/bin/env bash
# Prints the events arriving on the local consumer queues (needs `make run` in another terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
MOTO_PORT="${MOTO_PORT:-4566}"
cargo build -q -p ocen-local
exec "$TARGET_DIR"/debug/ocen-local tail --endpoint "http://127.0.0.1:$MOTO_PORT"
