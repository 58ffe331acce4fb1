#!/usr/bin/env bash
# Build and deploy one environment: scripts/deploy.sh dev|staging|prod
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ENV="${1:?usage: scripts/deploy.sh dev|staging|prod}"
bash scripts/sam-build.sh "$ENV"
step "sam deploy --config-env $ENV"
sam deploy --template-file .aws-sam/build/template.yaml --config-file "$PWD/samconfig.toml" --config-env "$ENV"
