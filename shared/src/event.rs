//! The event consumers receive: a versioned JSON envelope around the validated callback.
//! This is the contract with downstream consumers; README "Event envelope" documents it.

use crate::domain::Callback;
use crate::CallbackType;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Bumped only on a breaking change of the envelope.
pub const ENVELOPE_VERSION: &str = "1";

/// Namespace of the name-based (v5) event ids.
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f63_656e_2d63_616c_6c62_6163_6b73_0001);

/// The idempotency key of a callback: its type and requestId.
pub fn idempotency_key(kind: CallbackType, request_id: &str) -> String {
    format!("{}#{}", kind.as_str(), request_id)
}

/// The stable event id of a callback: the same for every retry of the same requestId.
pub fn event_id(kind: CallbackType, request_id: &str) -> Uuid {
    Uuid::new_v5(
        &EVENT_ID_NAMESPACE,
        idempotency_key(kind, request_id).as_bytes(),
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// `"1"`.
    pub envelope_version: String,
    /// UUID v5 of the idempotency key: stable across retries, use it to deduplicate.
    pub event_id: Uuid,
    #[serde(rename = "type")]
    pub event_type: CallbackType,
    pub request_id: String,
    /// The lender's trace id of the first delivery.
    pub trace_id: String,
    pub org_id: String,
    /// When this service recorded the callback (RFC 3339, IST).
    pub received_at: String,
    /// FIFO message group: `loan:<loanId>`, `consent:<consentHandle>` or `request:<requestId>`.
    pub ordering_key: String,
    /// The validated callback, camelCase as on the wire; amounts as `"1234.50"`, `credBlock`
    /// always an array, `null`/empty optional attributes omitted, unknown ones kept.
    pub payload: Value,
}

impl Envelope {
    pub fn new(callback: &Callback, received_at: String) -> Envelope {
        let kind = callback.callback_type();
        let request_id = callback.request_id().to_string();
        Envelope {
            envelope_version: ENVELOPE_VERSION.to_string(),
            event_id: event_id(kind, &request_id),
            event_type: kind,
            trace_id: callback.metadata().trace_id.to_string(),
            org_id: callback.metadata().org_id.to_string(),
            received_at,
            ordering_key: callback.ordering_key(),
            payload: serde_json::to_value(callback).expect("validated callbacks always serialise"),
            request_id,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("envelopes always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_stable_per_type_and_request() {
        let a = event_id(CallbackType::DisbursementResponse, "r1");
        assert_eq!(a, event_id(CallbackType::DisbursementResponse, "r1"));
        assert_ne!(a, event_id(CallbackType::DisbursementResponse, "r2"));
        assert_ne!(a, event_id(CallbackType::ConsentHandleResponse, "r1"));
    }
}
