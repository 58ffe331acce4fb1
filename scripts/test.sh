#!/usr/bin/env bash
# All tests, on a fresh machine: installs what it needs, then formatting, lints, unit and
# handler tests, end-to-end tests against a local AWS endpoint (moto_server), the Lambda
# binaries under `cargo lambda`, and the infrastructure checks. `make test` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
mkdir -p .local
started=$(date +%s)

step "the checkout is self-contained (nothing read from outside it, no file over 1 MB)"
python3 scripts/check-tree.py --self-test
python3 scripts/check-tree.py

step "documentation: every relative link and anchor in README, CHANGELOG and docs/ resolves"
python3 scripts/check-links.py --self-test
python3 scripts/check-links.py

bootstrap_tools

step "disk space for the build output"
disk_check 14 "make test"

step "formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "lints (cargo clippy --all-targets -D warnings)"
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings

step "benchmarks build and link (debug profile: the tests' dependency build), so they cannot rot"
cargo build --workspace --all-features --benches --quiet

step "starting a local AWS endpoint (moto_server)"
MOTO_PORT=$(free_port)
trap stop_moto EXIT
start_moto "$MOTO_PORT" .local/moto-test.log
export OCEN_TEST_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
echo "moto_server on $OCEN_TEST_ENDPOINT"

step "unit, handler and end-to-end tests (cargo test --workspace)"
cargo test --workspace

step "Lambda binaries under cargo lambda watch / invoke, one call per event in events/"
bash scripts/lambda-smoke.sh

step "lender simulator: load runs with --verify against the local stack"
bash scripts/lender-smoke.sh

step "the cost report runs (make cost, small: 3 callbacks per type, 30 in the mix)"
python3 scripts/cost.py --per-type 3 --mix 30 > .local/cost-smoke.md
grep -q '^| \*\*total\*\* | \*\*\$[0-9]' .local/cost-smoke.md
grep -A12 "by service" .local/cost-smoke.md

step "schemathesis against the local stack (docs/openapi.json)"
bash scripts/schemathesis.sh

step "infrastructure checks (cfn-lint, sam validate --lint)"
bash scripts/check-infra.sh

step "sam build: one arm64 bootstrap per function (release, several minutes)"
bash scripts/sam-build.sh dev

echo
disk_report
echo "all tests passed in $(( $(date +%s) - started )) s"
