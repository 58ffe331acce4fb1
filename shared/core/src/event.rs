//! The event consumers receive: a versioned JSON envelope around the validated callback.
//! This is the contract with downstream consumers; README "Event envelope" documents it.

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
    /// FIFO message group: `loan:<loanId>`, `consent:<consentHandle>` or `request:<requestId>`.
    pub ordering_key: String,
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
            payload: callback.payload.into_value(),
            warnings: callback.warnings,
            request_id,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("envelopes always serialise")
    }

    /// [`Envelope::to_json`] around the payload's JSON as given: [`EventHead::to_json_with_payload`].
    pub fn to_json_with_payload(&self, payload: &str) -> String {
        self.head().to_json_with_payload(payload)
    }

    /// Its members but the payload, borrowed.
    pub fn head(&self) -> EventHead<'_> {
        EventHead {
            envelope_version: &self.envelope_version,
            event_id: self.event_id,
            event_type: self.event_type,
            request_id: &self.request_id,
            trace_id: &self.trace_id,
            org_id: &self.org_id,
            received_at: &self.received_at,
            ordering_key: &self.ordering_key,
            warnings: &self.warnings,
        }
    }

    /// The JSON with every number of the payload spelled as in `spelling` (the body as
    /// received): `1E15` stays `1E15`. Only the payload holds numbers.
    pub fn to_json_spelled(&self, spelling: &Spelling) -> String {
        let mut spellings = Vec::new();
        spelling.collect(&self.payload, &mut spellings);
        let mut out = Vec::with_capacity(256);
        let formatter = Respell {
            spellings: spellings.into_iter(),
        };
        let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
        self.serialize(&mut ser)
            .expect("envelopes always serialise");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

/// An envelope's members but its payload, borrowed: the pipeline writes a plain payload's
/// event from them and the payload's text, without building an [`Envelope`].
#[derive(Debug, Clone, Copy)]
pub struct EventHead<'a> {
    pub envelope_version: &'a str,
    pub event_id: Uuid,
    pub event_type: CallbackType,
    pub request_id: &'a str,
    pub trace_id: &'a str,
    pub org_id: &'a str,
    pub received_at: &'a str,
    pub ordering_key: &'a str,
    pub warnings: &'a [String],
}

impl EventHead<'_> {
    /// [`Envelope::to_json`] around the payload's JSON as given (`payload`: the compact
    /// serialisation of the payload, which the caller has already written for its hash:
    /// [`crate::payload::PlainPayload`], [`crate::service::plain_payload`]). The same bytes
    /// as `to_json` (a test holds it to it), without serialising the payload a second time.
    pub fn to_json_with_payload(&self, payload: &str) -> String {
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
        member(&mut out, "type", self.event_type.as_str());
        member(&mut out, "requestId", self.request_id);
        member(&mut out, "traceId", self.trace_id);
        member(&mut out, "orgId", self.org_id);
        member(&mut out, "receivedAt", self.received_at);
        member(&mut out, "orderingKey", self.ordering_key);
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

impl EventHead<'_> {
    /// The envelope of this head around `payload`.
    pub fn into_envelope(self, payload: Value) -> Envelope {
        Envelope {
            envelope_version: self.envelope_version.to_string(),
            event_id: self.event_id,
            event_type: self.event_type,
            request_id: self.request_id.to_string(),
            trace_id: self.trace_id.to_string(),
            org_id: self.org_id.to_string(),
            received_at: self.received_at.to_string(),
            ordering_key: self.ordering_key.to_string(),
            payload,
            warnings: self.warnings.to_vec(),
        }
    }
}

/// The spelling of every number of a body, byte for byte as sent. serde_json (with
/// `arbitrary_precision`) keeps every digit but writes exponents as `e+`/`e-`; this keeps
/// `1E15` as `1E15`. Built only for bodies that have an exponent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spelling {
    Number(String),
    Object(std::collections::BTreeMap<String, Spelling>),
    Array(Vec<Spelling>),
    Other,
}

impl Spelling {
    /// The spellings of `bytes` (a JSON document), or `None` if it is not JSON.
    pub fn parse(bytes: &[u8]) -> Option<Spelling> {
        let raw: &serde_json::value::RawValue = serde_json::from_slice(bytes).ok()?;
        Some(Self::of(raw))
    }

    fn of(raw: &serde_json::value::RawValue) -> Spelling {
        use serde_json::value::RawValue;
        let text = raw.get().trim();
        match text.as_bytes().first() {
            // Members are parsed as serde_json parses them: the last of a repeated name wins.
            Some(b'{') => {
                serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(text)
                    .map(|m| {
                        Spelling::Object(m.into_iter().map(|(k, v)| (k, Self::of(v))).collect())
                    })
                    .unwrap_or(Spelling::Other)
            }
            Some(b'[') => serde_json::from_str::<Vec<&RawValue>>(text)
                .map(|items| Spelling::Array(items.into_iter().map(Self::of).collect()))
                .unwrap_or(Spelling::Other),
            Some(b'-' | b'0'..=b'9') => Spelling::Number(text.to_string()),
            _ => Spelling::Other,
        }
    }

    /// For each number of `payload`, in the order it is written, the lender's spelling of
    /// the number at the same place (`credBlock` sent as one object is an array of one).
    fn collect(&self, payload: &Value, out: &mut Vec<Option<String>>) {
        match (payload, self) {
            (Value::Number(_), Spelling::Number(s)) => out.push(Some(s.clone())),
            (Value::Number(_), _) => out.push(None),
            (Value::Object(p), _) => {
                for (k, v) in p {
                    match self {
                        Spelling::Object(o) if o.contains_key(k) => o[k].collect(v, out),
                        _ => Spelling::Other.collect(v, out),
                    }
                }
            }
            (Value::Array(p), Spelling::Object(_)) if p.len() == 1 => self.collect(&p[0], out),
            (Value::Array(p), _) => {
                for (i, v) in p.iter().enumerate() {
                    match self {
                        Spelling::Array(a) if i < a.len() => a[i].collect(v, out),
                        _ => Spelling::Other.collect(v, out),
                    }
                }
            }
            _ => {}
        }
    }
}

/// Writes each number with the spelling queued for it, when that spelling means the same
/// number; otherwise as serde_json would.
struct Respell {
    spellings: std::vec::IntoIter<Option<String>>,
}

impl serde_json::ser::Formatter for Respell {
    fn write_number_str<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: &str,
    ) -> std::io::Result<()> {
        let spelled = self.spellings.next().flatten().filter(|s| {
            s.parse::<serde_json::Number>()
                .is_ok_and(|n| n.as_str() == value)
        });
        writer.write_all(spelled.as_deref().unwrap_or(value).as_bytes())
    }
}

/// Whether `value` has a number anywhere.
pub fn has_number(value: &Value) -> bool {
    any_number(value, &|_| true)
}

/// Whether any number of `value` has an exponent (whose spelling serde_json normalises).
pub fn has_exponent(value: &Value) -> bool {
    any_number(value, &|n| n.as_str().contains('e'))
}

fn any_number(value: &Value, test: &dyn Fn(&serde_json::Number) -> bool) -> bool {
    match value {
        Value::Number(n) => test(n),
        Value::Array(a) => a.iter().any(|v| any_number(v, test)),
        Value::Object(m) => m.values().any(|v| any_number(v, test)),
        _ => false,
    }
}

/// Put back every number of `original` (the body as received) at the same place in
/// `payload` (the validated callback): the digits reach consumers as the lender sent them,
/// also where serde's buffering of flattened attributes went another way.
pub fn restore_numbers(payload: &mut Value, original: &Value) {
    match (payload, original) {
        (Value::Number(n), Value::Number(o)) => *n = o.clone(),
        (Value::Object(p), Value::Object(o)) => {
            for (k, v) in p.iter_mut() {
                if let Some(ov) = o.get(k) {
                    restore_numbers(v, ov);
                }
            }
        }
        (Value::Array(p), Value::Array(o)) => {
            for (v, ov) in p.iter_mut().zip(o) {
                restore_numbers(v, ov);
            }
        }
        (Value::Array(p), o @ Value::Object(_)) if p.len() == 1 => restore_numbers(&mut p[0], o),
        _ => {}
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
                ordering_key: key,
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
