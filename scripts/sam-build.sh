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
step "sam build --config-env $ENV (release, arm64; several minutes on 2 cores)"
SAM_CLI_TELEMETRY=0 sam build --beta-features --template-file infra/template.yaml \
  --config-file "$PWD/samconfig.toml" --config-env "$ENV" --build-dir .aws-sam/build
python3 scripts/check-artifacts.py .aws-sam/build
