#!/usr/bin/env bash
# Offline checks of infra/template.yaml and samconfig.toml: cfn-lint, sam validate --lint.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
echo "cfn-lint infra/template.yaml"
cfn-lint infra/template.yaml
echo "sam validate --lint (samconfig.toml, every environment)"
for env in dev staging prod; do
  SAM_CLI_TELEMETRY=0 sam validate --lint --template-file infra/template.yaml --config-file "$PWD/samconfig.toml" --config-env "$env" --region ap-south-1 >/dev/null
  echo "  $env: valid"
done
echo "the alarms and routes hold for 30 callback functions (a scratch template: cfn-lint, sam validate --lint)"
mkdir -p .local
cargo run -q -p ocen-generate -- scratch-template 30 > .local/template-30.yaml
cfn-lint .local/template-30.yaml
SAM_CLI_TELEMETRY=0 sam validate --lint --template-file .local/template-30.yaml --region ap-south-1 >/dev/null
echo "  30 functions: valid"
