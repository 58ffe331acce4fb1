//! The synchronous answer to every callback: the spec's ack, wrapped in `ack`.
//!
//! ```json
//! {"ack": {"error": "0", "traceId": "<metadata.traceId>", "timestamp": "2024-01-01T10:00:00.000+05:30"}}
//! ```
//! Error acks carry the code in `error` and a human-readable `detail` naming the offending
//! attribute (an extra attribute; `ack.json` allows them).

use crate::domain::{OcenTimestamp, TraceId};
use crate::error::Rejection;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ack {
    pub error: String,
    pub trace_id: String,
    pub timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckBody {
    pub ack: Ack,
}

impl AckBody {
    /// `error: "0"`: the callback is recorded.
    pub fn ok(trace_id: &TraceId, now: OffsetDateTime) -> AckBody {
        AckBody::ok_stamped(trace_id, OcenTimestamp::ack_format(now))
    }

    /// [`AckBody::ok`] with its timestamp already written ([`OcenTimestamp::ack_format`]).
    pub fn ok_stamped(trace_id: &TraceId, timestamp: String) -> AckBody {
        AckBody {
            ack: Ack {
                error: "0".to_string(),
                trace_id: trace_id.to_string(),
                timestamp,
                detail: None,
            },
        }
    }

    /// The JSON of [`AckBody::ok_stamped`], written directly: every recorded callback's
    /// answer (a test holds it to `to_json`).
    pub fn ok_json(trace_id: &TraceId, timestamp: &str) -> String {
        let mut out = Vec::with_capacity(64 + trace_id.as_str().len() + timestamp.len());
        out.extend_from_slice(br#"{"ack":{"error":"0","traceId":"#);
        serde_json::to_writer(&mut out, trace_id.as_str()).expect("a string always serialises");
        out.extend_from_slice(br#","timestamp":"#);
        serde_json::to_writer(&mut out, timestamp).expect("a string always serialises");
        out.extend_from_slice(b"}}");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// An error ack for a refused callback.
    pub fn rejected(rejection: &Rejection, trace_id: &TraceId, now: OffsetDateTime) -> AckBody {
        AckBody {
            ack: Ack {
                error: rejection.code.as_str().to_string(),
                trace_id: trace_id.to_string(),
                timestamp: OcenTimestamp::ack_format(now),
                detail: Some(rejection.detail.clone()),
            },
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an ack of strings always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use time::macros::datetime;

    #[test]
    fn an_ok_ack_echoes_the_trace_id_with_an_ist_timestamp() {
        let trace = TraceId::parse("e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb").unwrap();
        let json = AckBody::ok(&trace, datetime!(2024-05-01 06:30:00.25 UTC)).to_json();
        assert_eq!(
            json,
            r#"{"ack":{"error":"0","traceId":"e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb","timestamp":"2024-05-01T12:00:00.250+05:30"}}"#
        );
    }

    proptest::proptest! {
        #[test]
        fn the_written_ok_ack_is_the_serialised_one(trace in "[!-~]{1,128}", stamp in "[0-9T:.+-]{0,29}") {
            let trace = TraceId::parse(trace).unwrap();
            proptest::prop_assert_eq!(
                AckBody::ok_json(&trace, &stamp),
                AckBody::ok_stamped(&trace, stamp.clone()).to_json()
            );
        }
    }

    #[test]
    fn an_error_ack_carries_code_and_detail() {
        let trace = TraceId::parse("t-1").unwrap();
        let r = Rejection::new(
            ErrorCode::ValueNotInEnum,
            "payment.status must be one of SUCCESS",
        );
        let ack = AckBody::rejected(&r, &trace, datetime!(2024-05-01 00:00 UTC)).ack;
        assert_eq!(ack.error, "GEN5002");
        assert_eq!(
            ack.detail.as_deref(),
            Some("payment.status must be one of SUCCESS")
        );
    }
}
