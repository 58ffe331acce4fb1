//! Logging setup, shared by every binary: JSON lines on Lambda (or with `LOG_FORMAT=json`),
//! readable text locally. Level from `RUST_LOG` (default `info`).
//!
//! What may be logged: callback type, requestId, traceId, orgId, outcome, code, latency and
//! the detail of a refusal (which names fields, never values). Bodies, OTPs, session keys,
//! tokens, phone numbers and payment references never are.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT")
        .map(|v| v == "json")
        .unwrap_or(false)
        || std::env::var("AWS_LAMBDA_FUNCTION_NAME").is_ok();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let result = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .without_time()
            .try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}
