#!/usr/bin/env bash
# Fuzzes the body parser/validator and the signature verifiers with cargo fuzz (libFuzzer).
#   scripts/fuzz.sh [RUNS_PER_TARGET]    default 5,000,000 per target (10 M in all)
# The fuzz crate (fuzz/) is outside the workspace. cargo fuzz needs nightly features; on
# this stable toolchain RUSTC_BOOTSTRAP=1 enables them. The corpus is seeded from events/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5000000}"
ROOT="$PWD"
source scripts/lib.sh
mkdir -p .local
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

# Seed corpora from the committed events: one file per event body (selector byte first),
# and the published v3 JWS sample for the verifier.
cargo build -q -p ocen-local -p ocen-generate
"$TARGET_DIR"/debug/ocen-generate events > .local/fuzz-events.tsv
"$TARGET_DIR"/debug/ocen-local callbacks > .local/fuzz-callbacks.tsv
python3 - <<'PY'
import json, pathlib
events = sorted(pathlib.Path("events").glob("*.json"))
# The fuzz target picks the callback by its index in the registry (the first byte).
registry = [l.split("\t")[1] for l in pathlib.Path(".local/fuzz-callbacks.tsv").read_text().splitlines()]
rows = [l.split("\t") for l in pathlib.Path(".local/fuzz-events.tsv").read_text().splitlines()]
package_of = {r[0]: r[1] for r in rows}
out = pathlib.Path("fuzz/corpus/callback_body"); out.mkdir(parents=True, exist_ok=True)
sig = pathlib.Path("fuzz/corpus/signature"); sig.mkdir(parents=True, exist_ok=True)
for e in events:
    body = json.loads(e.read_text())["body"].encode()
    k = registry.index(package_of[e.name])
    (out / e.stem).write_bytes(bytes([k]) + body)
    (sig / (e.stem + "-v4")).write_bytes(b"\x01eyJhbGciOiJSUzI1NiIsImtpZCI6Ims0IiwiYjY0IjpmYWxzZX0..AAAA\n" + body)
sample = pathlib.Path("spec/test-vectors/v3-jws-envelope-sample.json")
(sig / "spec-v3-sample").write_bytes(b"\x00" + sample.read_bytes())
PY

for target in callback_body signature; do
  echo "==> cargo fuzz run $target: $RUNS runs"
  (cd fuzz && cargo fuzz run -O "$target" -- -runs="$RUNS" -max_len=8192 -print_final_stats=1 2>&1 \
    | tee "$ROOT/.local/fuzz-$target.log" | grep -E '^#[0-9]+.*(pulse|DONE)|stat::number_of_executed_units|ERROR|panicked' || true)
  grep -q "stat::number_of_executed_units" ".local/fuzz-$target.log" || { echo "fuzzing $target failed; see .local/fuzz-$target.log" >&2; exit 1; }
done
