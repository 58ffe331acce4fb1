//! The event consumers receive: a versioned JSON envelope around the validated callback.
//! This is the contract with downstream consumers; docs/events.md documents it.

use crate::callbacks::Callback;
use crate::CallbackType;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Bumped only on a breaking change of the envelope.
pub const ENVELOPE_VERSION: &str = "1";

/// Namespace of the name-based (v5) event ids.
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f63_656e_2d63_616c_6c62_6163_6b73_0001);

/// The idempotency key of a callback: its type, the lender and the requestId
/// (`<TYPE>#<orgId>#<requestId>`; an orgId has no `#`). A requestId conflicts only within
/// one lender: another lender cannot take it.
pub fn idempotency_key(kind: CallbackType, org_id: &str, request_id: &str) -> String {
    let kind = kind.as_str();
    let mut key = String::with_capacity(kind.len() + org_id.len() + request_id.len() + 2);
    for part in [kind, "#", org_id, "#", request_id] {
        key.push_str(part);
    }
    key
}

/// The event id of a revisable callback's revision N ≥ 2 (UUID v5 of `<key>#r<N>`); the
/// first revision's is [`event_id`].
pub fn revision_event_id(
    kind: CallbackType,
    org_id: &str,
    request_id: &str,
    revision: u32,
) -> Uuid {
    if revision <= 1 {
        return event_id(kind, org_id, request_id);
    }
    let key = crate::store::revision_key(&idempotency_key(kind, org_id, request_id), revision);
    crate::digest::uuid_v5(&EVENT_ID_NAMESPACE, &[key.as_bytes()])
}

/// The stable event id of a callback: UUID v5 of its idempotency key, the same for every
/// retry (and replay) of the same callback from the same lender.
pub fn event_id(kind: CallbackType, org_id: &str, request_id: &str) -> Uuid {
    crate::digest::uuid_v5(
        &EVENT_ID_NAMESPACE,
        &[
            kind.as_str().as_bytes(),
            b"#",
            org_id.as_bytes(),
            b"#",
            request_id.as_bytes(),
        ],
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
    /// FIFO message group: `loan:<loanId>`, `consent:<consentHandle>`, from the request's
    /// ids when the body names neither (`loan:`, `consent:`, `application:<id>`), else
    /// `request:<requestId>`.
    pub ordering_key: String,
    /// The LSP's request this callback answers: `sentAt` and the LSP's ids it recorded
    /// (`loanApplicationIds`, `loanId`, ...). Absent when no request was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    /// 2, 3, ... for a revisable callback's later revisions (docs/idempotency.md "Idempotency"): the
    /// lender posted the same `requestId` again with a new state. Absent on the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    /// The validated callback, camelCase as on the wire; amounts as `"1234.50"`, `credBlock`
    /// always an array, `null`/empty optional attributes omitted, unknown ones kept.
    pub payload: Value,
    /// This service's rules the callback does not meet (e.g. `consent.consentStatus
    /// absent`): the spec does not require them, so the callback is recorded and consumers
    /// decide. Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Envelope {
    pub fn new(callback: Callback, received_at: String) -> Envelope {
        let kind = callback.kind;
        let request_id = callback.request_id.into_string();
        Envelope {
            envelope_version: ENVELOPE_VERSION.to_string(),
            event_id: event_id(kind, callback.metadata.org_id.as_str(), &request_id),
            event_type: kind,
            trace_id: callback.metadata.trace_id.into_string(),
            org_id: callback.metadata.org_id.into_string(),
            received_at,
            ordering_key: callback.ordering_key,
            request: None,
            revision: None,
            payload: callback.payload,
            warnings: callback.warnings,
            request_id,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("envelopes always serialise")
    }

    /// [`Envelope::to_json`] around the payload's JSON as given: [`EventHead::to_json_with_payload`].
    #[cfg(test)]
    fn to_json_with_payload(&self, payload: &str) -> String {
        let request = self.request.as_ref().map(|r| r.to_string());
        EventHead {
            envelope_version: &self.envelope_version,
            event_id: self.event_id,
            event_type: self.event_type.as_str(),
            request_id: &self.request_id,
            trace_id: &self.trace_id,
            org_id: &self.org_id,
            received_at: &self.received_at,
            ordering_key: &self.ordering_key,
            request: request.as_deref(),
            revision: self.revision,
            warnings: &self.warnings,
        }
        .to_json_with_payload(payload)
    }
}

/// An envelope's members but its payload, borrowed: the pipeline writes a plain payload's
/// event from them and the payload's text, without building an [`Envelope`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventHead<'a> {
    pub envelope_version: &'a str,
    pub event_id: Uuid,
    pub event_type: &'a str,
    pub request_id: &'a str,
    pub trace_id: &'a str,
    pub org_id: &'a str,
    pub received_at: &'a str,
    pub ordering_key: &'a str,
    /// The `request` member's JSON, when there is one.
    pub request: Option<&'a str>,
    pub revision: Option<u32>,
    pub warnings: &'a [String],
}

impl EventHead<'_> {
    /// [`Envelope::to_json`] around the payload's JSON as given (`payload`: the compact
    /// serialisation of the payload, which the caller has already written for its hash:
    /// [`crate::payload::text`]). The same bytes
    /// as `to_json` (a test holds it to it), without serialising the payload a second time.
    pub(crate) fn to_json_with_payload(self, payload: &str) -> String {
        fn member(out: &mut Vec<u8>, name: &str, value: &str) {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            serde_json::to_writer(&mut *out, value).expect("a string always serialises");
        }
        let mut out = Vec::with_capacity(payload.len() + 512);
        out.extend_from_slice(b"{\"envelopeVersion\":");
        serde_json::to_writer(&mut out, self.envelope_version).expect("a string always serialises");
        member(
            &mut out,
            "eventId",
            self.event_id
                .hyphenated()
                .encode_lower(&mut Uuid::encode_buffer()),
        );
        member(&mut out, "type", self.event_type);
        member(&mut out, "requestId", self.request_id);
        member(&mut out, "traceId", self.trace_id);
        member(&mut out, "orgId", self.org_id);
        member(&mut out, "receivedAt", self.received_at);
        member(&mut out, "orderingKey", self.ordering_key);
        if let Some(request) = self.request {
            out.extend_from_slice(b",\"request\":");
            out.extend_from_slice(request.as_bytes());
        }
        if let Some(revision) = self.revision {
            out.extend_from_slice(format!(",\"revision\":{revision}").as_bytes());
        }
        out.extend_from_slice(b",\"payload\":");
        out.extend_from_slice(payload.as_bytes());
        if !self.warnings.is_empty() {
            out.extend_from_slice(b",\"warnings\":");
            serde_json::to_writer(&mut out, self.warnings).expect("strings always serialise");
        }
        out.push(b'}');
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

/// The ordering key of a callback whose body names nothing better than its request.
pub fn request_ordering_key(request_id: &str) -> String {
    format!("request:{request_id}")
}

/// A stored envelope read back, its payload (and request) as written.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored<'a> {
    envelope_version: String,
    event_id: Uuid,
    /// By name: reading a [`CallbackType`] would reach the registry, and with it every
    /// callback's validation, from each function (docs/performance.md "Build profile").
    #[serde(rename = "type")]
    event_type: String,
    request_id: String,
    trace_id: String,
    org_id: String,
    received_at: String,
    ordering_key: String,
    #[serde(borrow, default)]
    request: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    revision: Option<u32>,
    #[serde(borrow)]
    payload: &'a serde_json::value::RawValue,
    #[serde(default)]
    warnings: Vec<String>,
}

impl<'a> Stored<'a> {
    fn read(text: &'a str) -> Result<Stored<'a>, String> {
        serde_json::from_str(text).map_err(|e| format!("the stored event is not an envelope: {e}"))
    }

    fn write(&self, request: Option<&str>) -> String {
        EventHead {
            envelope_version: &self.envelope_version,
            event_id: self.event_id,
            event_type: &self.event_type,
            request_id: &self.request_id,
            trace_id: &self.trace_id,
            org_id: &self.org_id,
            received_at: &self.received_at,
            ordering_key: &self.ordering_key,
            request: request.or(self.request.map(|r| r.get())),
            revision: self.revision,
            warnings: &self.warnings,
        }
        .to_json_with_payload(self.payload.get())
    }
}

/// `event` (an envelope this service wrote) with one more warning.
pub(crate) fn with_warning(event: &str, warning: String) -> Result<String, String> {
    let mut stored = Stored::read(event)?;
    stored.warnings.push(warning);
    Ok(stored.write(None))
}

/// `event` (an envelope this service wrote) as revision `revision` with its event id.
pub(crate) fn revised(event: &str, revision: u32, event_id: Uuid) -> Result<String, String> {
    let mut stored = Stored::read(event)?;
    stored.revision = Some(revision);
    stored.event_id = event_id;
    Ok(stored.write(None))
}

/// What a record delivers to consumers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliverable {
    /// The envelope: as stored, with `request` when the record answers a recorded request.
    pub event: String,
    /// The ordering key: the request's ([`crate::request::LspIds::ordering_key`]) when the
    /// body names nothing better than its requestId, else the record's.
    pub ordering_key: String,
    /// The request record at the key could not be read (its reason, never its values):
    /// the event carries it as a warning instead of `request`.
    pub unreadable_request: Option<String>,
}

/// The event a record (an item's string and number attributes: `event`, `orderingKey`,
/// `requestId` and the request's) delivers: its stored envelope with the LSP's request it
/// answers. A record that answers no recorded request delivers its envelope as stored.
pub fn deliverable(
    event: &str,
    ordering_key: &str,
    item: &std::collections::HashMap<String, String>,
) -> Result<Deliverable, String> {
    let as_stored = |unreadable_request| Deliverable {
        event: event.to_string(),
        ordering_key: ordering_key.to_string(),
        unreadable_request,
    };
    match crate::request::RequestRecord::of_item(item) {
        Ok(None) => Ok(as_stored(None)),
        Ok(Some(request)) => {
            let mut stored = Stored::read(event)?;
            if stored.ordering_key == request_ordering_key(&stored.request_id) {
                if let Some(key) = request.ids.ordering_key() {
                    stored.ordering_key = key;
                }
            }
            Ok(Deliverable {
                event: stored.write(Some(&request.to_json())),
                ordering_key: stored.ordering_key,
                unreadable_request: None,
            })
        }
        Err(why) => {
            let warning = format!(
                "the LSP's request record is unreadable ({why}): this event carries no request"
            );
            let mut delivered = as_stored(Some(why));
            delivered.event = with_warning(event, warning)?;
            Ok(delivered)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_written_event_is_the_serialised_envelope_whatever_its_strings(
            trace in "\\PC{0,12}|[\"\\\\\u{0}-\u{1f}a]{0,6}",
            key in "\\PC{0,12}|[\"\\\\\u{0}-\u{1f}a]{0,6}",
            warning in "\\PC{0,8}",
        ) {
            let envelope = Envelope {
                envelope_version: ENVELOPE_VERSION.to_string(),
                event_id: event_id(crate::callbacks::disbursement::TYPE, "L", "r"),
                event_type: crate::callbacks::disbursement::TYPE,
                request_id: "r".into(),
                trace_id: trace,
                org_id: "L".into(),
                received_at: "2024-01-01T00:00:00.000+05:30".into(),
                ordering_key: key.clone(),
                request: Some(serde_json::json!({"sentAt": "2024-01-01T00:00:00Z", "loanId": key.clone()})),
                revision: Some(2),
                payload: serde_json::json!({"a": "b"}),
                warnings: vec![warning],
            };
            proptest::prop_assert_eq!(
                envelope.to_json_with_payload(r#"{"a":"b"}"#),
                envelope.to_json()
            );
        }
    }

    #[test]
    fn event_ids_are_stable_per_type_and_request() {
        let a = event_id(crate::callbacks::disbursement::TYPE, "L", "r1");
        assert_eq!(a, event_id(crate::callbacks::disbursement::TYPE, "L", "r1"));
        assert_ne!(a, event_id(crate::callbacks::disbursement::TYPE, "L", "r2"));
        assert_ne!(
            a,
            event_id(crate::callbacks::consent_handle::TYPE, "L", "r1")
        );
        assert_ne!(a, event_id(crate::callbacks::disbursement::TYPE, "M", "r1"));
    }
}
