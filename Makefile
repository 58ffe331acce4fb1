# One command runs the system locally, one runs every test (see README).
.PHONY: run tail test bench cost generate lambda-build sam-build deploy

run:            ## the system on this machine: local AWS endpoint + callbacks + dispatcher
	bash scripts/run-local.sh

tail:           ## print events arriving on the local consumer queues (with `make run` up)
	bash scripts/tail-local.sh

test:           ## every test: fmt, clippy, unit, end-to-end, cargo lambda, infra checks
	bash scripts/test.sh

bench:          ## every figure of docs/performance.md (criterion, ack path, cold start, size, load)
	bash scripts/bench.sh $(STEPS)

cost:           ## what a million callbacks cost in ap-south-1, measured on the local stack (docs/cost.md)
	bash -c 'source scripts/lib.sh && bootstrap_tools && cargo build -q -p ocen-local -p ocen-lender && python3 scripts/cost.py $(COST_ARGS)'

generate:       ## events/, docs/openapi.json, the docs' tables and template blocks, from the callback registry
	cargo run -q -p ocen-generate

lambda-build:   ## release Lambda binaries (arm64) with cargo lambda
	bash -c 'source scripts/lib.sh && bootstrap_tools && cargo lambda build --release --arm64 $$(function_packages --bins)'

sam-build:      ## sam build of infra/template.yaml (arm64, rust-cargolambda)
	bash scripts/sam-build.sh

deploy:         ## sam deploy --config-env $(ENV) (ENV=dev|staging|prod)
	bash scripts/deploy.sh $(ENV)
