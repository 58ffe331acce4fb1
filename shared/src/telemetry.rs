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

/// CloudWatch namespace of the embedded-metric-format counters.
pub const METRICS_NAMESPACE: &str = "OcenCallbacks";

/// Whether to print EMF lines: on Lambda, or with `OCEN_EMF=1`. Read once.
fn metrics_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var("AWS_LAMBDA_FUNCTION_NAME").is_ok()
            || std::env::var("OCEN_EMF").is_ok_and(|v| v == "1")
    })
}

/// One CloudWatch embedded-metric-format line counting one callback: metric `Callbacks`
/// by `CallbackType` (all received), by type and `Outcome` (recorded, duplicate, conflict,
/// rejected, auth_failed, store_unavailable) and by type and `Code` (ack code).
pub fn emf_line(callback_type: &str, outcome: &str, code: &str, timestamp_ms: i128) -> String {
    serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms as i64,
            "CloudWatchMetrics": [{
                "Namespace": METRICS_NAMESPACE,
                "Dimensions": [["CallbackType"], ["CallbackType", "Outcome"], ["CallbackType", "Code"]],
                "Metrics": [{"Name": "Callbacks", "Unit": "Count"}]
            }]
        },
        "CallbackType": callback_type,
        "Outcome": outcome,
        "Code": code,
        "Callbacks": 1
    })
    .to_string()
}

/// Count one callback (stdout, where Lambda's log capture picks EMF up).
pub fn count_callback(callback_type: &str, outcome: &str, code: &str) {
    if metrics_enabled() {
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        println!("{}", emf_line(callback_type, outcome, code, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_declares_the_counter_and_its_dimensions() {
        let line = emf_line(
            "DISBURSEMENT_RESPONSE",
            "rejected",
            "GEN5002",
            1_700_000_000_000,
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            v["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            METRICS_NAMESPACE
        );
        assert_eq!(
            v["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"],
            "Callbacks"
        );
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert_eq!(
            (
                v["CallbackType"].as_str(),
                v["Outcome"].as_str(),
                v["Code"].as_str()
            ),
            (
                Some("DISBURSEMENT_RESPONSE"),
                Some("rejected"),
                Some("GEN5002")
            )
        );
        assert_eq!(v["Callbacks"], 1);
        assert!(!line.contains('\n'));
    }
}
