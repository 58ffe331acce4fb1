//! Logging setup, shared by every binary: JSON lines on Lambda (or with `LOG_FORMAT=json`),
//! readable text locally. Level from `RUST_LOG` (default `info`): `debug`, or per target
//! `ocen_shared=debug,info`. A `Targets` filter rather than `EnvFilter`: no span/field
//! directives, and no regex engine in the Lambda binaries (docs/performance.md "Build profile").
//!
//! What may be logged: callback type, requestId, traceId, orgId, outcome, code, latency and
//! the detail of a refusal (which names fields, never values). Bodies, OTPs, session keys,
//! tokens, phone numbers and payment references never are.

pub use ocen_shared_core::telemetry::*;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// `RUST_LOG` as a filter; unset or unparsable means `info`.
fn filter(rust_log: Option<&str>) -> Targets {
    rust_log
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO))
}

pub fn init() {
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref());
    let json = std::env::var("LOG_FORMAT")
        .map(|v| v == "json")
        .unwrap_or(false)
        || std::env::var("AWS_LAMBDA_FUNCTION_NAME").is_ok();
    let builder = tracing_subscriber::fmt().with_target(false);
    let result = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .without_time()
            .finish()
            .with(filter)
            .try_init()
    } else {
        builder.finish().with(filter).try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_sets_the_level_and_garbage_or_nothing_means_info() {
        use tracing::Level;
        let enabled = |f: &Targets, level: Level, target: &str| f.would_enable(target, &level);
        let info = filter(None);
        assert!(enabled(&info, Level::INFO, "ocen_shared"));
        assert!(!enabled(&info, Level::DEBUG, "ocen_shared"));
        let garbage = filter(Some("=;=bogus=level"));
        assert!(enabled(&garbage, Level::INFO, "x") && !enabled(&garbage, Level::DEBUG, "x"));
        let per_target = filter(Some("ocen_shared=debug,warn"));
        assert!(enabled(&per_target, Level::DEBUG, "ocen_shared::service"));
        // The request path's own crate is named so that `ocen_shared` directives reach it.
        assert!(enabled(
            &per_target,
            Level::DEBUG,
            "ocen_shared_core::service"
        ));
        assert!(!enabled(&per_target, Level::INFO, "aws_smithy_runtime"));
        assert!(enabled(&filter(Some("error")), Level::ERROR, "x"));
    }
}
