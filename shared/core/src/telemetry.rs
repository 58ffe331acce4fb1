//! Metrics (CloudWatch embedded-metric-format lines) and what may be logged. The logging
//! setup itself (`init`) is `ocen_shared::telemetry`'s: it is not on the request path.
//!
//! What may be logged: callback type, requestId, traceId, orgId, outcome, code, latency and
//! the detail of a refusal (which names fields, never values). Bodies, OTPs, session keys,
//! tokens, phone numbers and payment references never are.

use crate::auth::AuthFailure;
use crate::error::ErrorCode;
use crate::store::StoreError;
use crate::wire::Json;
use crate::CallbackType;
use std::time::Duration;

/// What happened to a callback, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Outcome {
    Recorded,
    Duplicate,
    Conflict,
    #[default]
    Rejected,
    AuthFailed,
    StoreUnavailable,
    /// The store refused the write for good (413 too large, or 500 + alarm).
    StoreRejected,
    /// Mode `require`: no request of this lender for this callback type (refused).
    Unsolicited,
    /// Mode `require`: its request expired (refused).
    RequestExpired,
    /// Mode `require`: its request's record cannot be read (refused).
    RequestUnreadable,
    /// Mode `flag`: it answers no request it may answer; recorded with the warning.
    Flagged,
    /// A revisable callback's next revision, recorded with its own event.
    Revised,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Recorded => "recorded",
            Outcome::Duplicate => "duplicate",
            Outcome::Conflict => "conflict",
            Outcome::Rejected => "rejected",
            Outcome::AuthFailed => "auth_failed",
            Outcome::StoreUnavailable => "store_unavailable",
            Outcome::StoreRejected => "store_rejected",
            Outcome::Unsolicited => "unsolicited",
            Outcome::RequestExpired => "request_expired",
            Outcome::RequestUnreadable => "request_unreadable",
            Outcome::Flagged => "flagged",
            Outcome::Revised => "revised",
        }
    }
}

/// The one log line per callback, and its count. No body content beyond ids ever goes
/// here, and ids from a body only when they are valid ids (no personal data).
#[derive(Default)]
pub(crate) struct LogLine {
    pub(crate) outcome: Outcome,
    pub(crate) code: Option<ErrorCode>,
    pub(crate) detail: Option<String>,
    pub(crate) trace_id: Option<String>,
    pub(crate) org_id: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) store_error: Option<StoreError>,
    pub(crate) auth_failure: Option<AuthFailure>,
}

impl LogLine {
    /// `metadata.orgId` and `requestId` as the body has them.
    pub(crate) fn ids_of(&mut self, body: &Json<'_>) {
        let text = |path: &[&str]| body.string_at(path).map(|s| s.into_owned());
        self.org_id = text(&["metadata", "orgId"]);
        self.request_id = text(&["requestId"]);
    }

    pub(crate) fn emit(&self, kind: CallbackType, status: u16, latency: Duration) {
        let code = self.code.map(ErrorCode::as_str).unwrap_or("0");
        count_callback(kind.as_str(), self.outcome.as_str(), code);
        fn id(v: &Option<String>) -> &str {
            v.as_deref()
                .filter(|s| crate::domain::RequestId::is_valid(s))
                .unwrap_or("-")
        }
        let (trace_id, outcome) = (
            self.trace_id.as_deref().unwrap_or("-"),
            self.outcome.as_str(),
        );
        let (request_id, org_id) = (id(&self.request_id), id(&self.org_id));
        let callback_type = kind.as_str();
        let latency_ms = latency.as_secs_f64() * 1000.0;
        let detail = self.detail.as_deref().unwrap_or("");
        let auth_failure = self.auth_failure.as_ref().map(ToString::to_string);
        let auth_failure = auth_failure.as_deref().unwrap_or_default();
        match (&self.store_error, self.outcome) {
            (Some(e), _) => tracing::error!(
                callback_type, request_id, trace_id, org_id, outcome, code, status, latency_ms,
                error = %e, "callback not recorded"
            ),
            (
                None,
                Outcome::Rejected
                | Outcome::Conflict
                | Outcome::AuthFailed
                | Outcome::Unsolicited
                | Outcome::RequestExpired
                | Outcome::RequestUnreadable,
            ) => tracing::warn!(
                callback_type,
                request_id,
                trace_id,
                org_id,
                outcome,
                code,
                status,
                latency_ms,
                detail,
                auth_failure,
                "callback refused"
            ),
            (None, Outcome::Flagged) => tracing::warn!(
                callback_type,
                request_id,
                trace_id,
                org_id,
                outcome,
                code,
                status,
                latency_ms,
                detail,
                "callback recorded, flagged: it answers no request"
            ),
            (None, _) => tracing::info!(
                callback_type,
                request_id,
                trace_id,
                org_id,
                outcome,
                code,
                status,
                latency_ms,
                "callback answered"
            ),
        }
    }
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
                "Dimensions": [["CallbackType"], ["CallbackType", "Outcome"], ["CallbackType", "Code"], ["Outcome"]],
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

/// Count the warnings of one recorded callback (this service's rules it does not meet) as
/// metric `CallbackWarnings` by `CallbackType`.
pub fn count_warnings(callback_type: &str, count: usize) {
    emit_count(
        "CallbackWarnings",
        Some(("CallbackType", callback_type)),
        count,
    );
}

/// Count dispatcher events (`Parked`: records that cannot be delivered, parked for an
/// operator) as metric `<name>` in the dispatcher namespace; the template alarms on it.
pub fn count_dispatch(name: &str, count: usize) {
    emit_count(&format!("Dispatch{name}"), None, count);
}

/// Print (when metrics are on and `count` > 0) an EMF line counting `count` as `metric`,
/// with one dimension or none.
fn emit_count(metric: &str, dimension: Option<(&str, &str)>, count: usize) {
    if count > 0 && metrics_enabled() {
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        println!("{}", count_emf_line(metric, dimension, count, now));
    }
}

/// One EMF line counting `count` as `metric` (dimension: a name and its value, or none).
pub fn count_emf_line(
    metric: &str,
    dimension: Option<(&str, &str)>,
    count: usize,
    timestamp_ms: i128,
) -> String {
    let mut line = serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms as i64,
            "CloudWatchMetrics": [{
                "Namespace": METRICS_NAMESPACE,
                "Dimensions": [dimension.map(|(name, _)| vec![name]).unwrap_or_default()],
                "Metrics": [{"Name": metric, "Unit": "Count"}]
            }]
        }
    });
    line[metric] = count.into();
    if let Some((name, value)) = dimension {
        line[name] = value.into();
    }
    line.to_string()
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

    #[test]
    fn a_count_line_declares_its_metric_and_its_dimension_or_none() {
        let v: serde_json::Value = serde_json::from_str(&count_emf_line(
            "CallbackWarnings",
            Some(("CallbackType", "CONSENT_HANDLE_RESPONSE")),
            2,
            1,
        ))
        .unwrap();
        let declared = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(declared["Metrics"][0]["Name"], "CallbackWarnings");
        assert_eq!(
            declared["Dimensions"],
            serde_json::json!([["CallbackType"]])
        );
        assert_eq!(
            (v["CallbackWarnings"].as_u64(), v["CallbackType"].as_str()),
            (Some(2), Some("CONSENT_HANDLE_RESPONSE"))
        );
        let v: serde_json::Value =
            serde_json::from_str(&count_emf_line("DispatchParked", None, 1, 1)).unwrap();
        assert_eq!(
            v["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            serde_json::json!([[]])
        );
        assert_eq!(v["DispatchParked"].as_u64(), Some(1));
    }
}
