#!/usr/bin/env bash
# sam build of infra/template.yaml: one arm64 `bootstrap` per function (rust-cargolambda),
# then a check that each artifact exists and is an aarch64 executable.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bootstrap_tools
ENV="${1:-dev}"
if ! rustup target list --installed | grep -q aarch64-unknown-linux-gnu; then
  step "rustup target add aarch64-unknown-linux-gnu"
  rustup target add aarch64-unknown-linux-gnu
fi
# sam builds one function at a time, each a `cargo lambda build --release --bin <it>` from
# the workspace root, whose fat LTO link runs on one core (~1 min each). Built first in one
# cargo invocation, cargo links two binaries at a time on 2 cores and sam's own builds find
# them up to date. The prebuild selects the binaries the way sam does (`--bin`, no `-p`):
# cargo then resolves features for the whole workspace, as for sam's builds, so the
# dependencies' and binaries' hashes match; `-p` selections resolved them for those
# packages only, and sam rebuilt every dependency and relinked every function after them.
bins=$(function_packages --bins)
step "the functions' release arm64 binaries, one cargo invocation ($(echo "$bins" | wc -w | awk '{print $1/2}') functions; ~1 min each, two at a time)"
cargo lambda build --release --arm64 $bins
step "sam build --config-env $ENV (release, arm64: finds the binaries built)"
SAM_CLI_TELEMETRY=0 sam build --beta-features --template-file infra/template.yaml \
  --config-file "$PWD/samconfig.toml" --config-env "$ENV" --build-dir .aws-sam/build
python3 scripts/check-artifacts.py .aws-sam/build
