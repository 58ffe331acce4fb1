//! End-to-end tests against the local AWS endpoint (moto's server) with the real SDK
//! clients and adapters. Each test gets its own table and queues (a unique prefix).
//! `OCEN_TEST_ENDPOINT` must name the endpoint; `make test` starts one and sets it.

mod correlation;
mod delivery;
mod helpers;
mod http;
mod idempotency;
mod operations;
mod outages;
mod outbox;
