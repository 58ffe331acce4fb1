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
# sam builds one function at a time, each a `cargo lambda build --bin <it>` whose fat LTO
# runs on one core (~1 min each: 27 functions were ~55 min). Built first in one cargo
# invocation per dependency set, cargo links two binaries at a time on 2 cores and sam's
# own builds find them up to date (seconds each). The callbacks share one dependency set;
# the dispatcher has its own (built together, features would unify differently from
# sam's one-binary builds and sam would rebuild).
callbacks=$(function_packages | tr ' ' '\n' | grep -vx 'stream-dispatcher' | sed 's/^/-p /' | tr '\n' ' ')
step "the callbacks' release arm64 binaries, one cargo invocation ($(echo "$callbacks" | wc -w | awk '{print $1/2}') functions; ~1 min each, two at a time)"
cargo lambda build --release --arm64 $callbacks
step "the dispatcher's release arm64 binary"
cargo lambda build --release --arm64 -p stream-dispatcher
step "sam build --config-env $ENV (release, arm64: finds the binaries built)"
SAM_CLI_TELEMETRY=0 sam build --beta-features --template-file infra/template.yaml \
  --config-file "$PWD/samconfig.toml" --config-env "$ENV" --build-dir .aws-sam/build
python3 scripts/check-artifacts.py .aws-sam/build
