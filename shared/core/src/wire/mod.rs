//! Wire types: what a lender may put on the wire, field for field with the v3 JSON Schemas
//! (camelCase). Every field is optional here, even the schema's required ones, so that the
//! domain layer can say *which* mandatory attribute is missing (`GEN5001`) instead of a
//! generic parse error; `null` deserialises as absent. Unknown attributes are kept in
//! `extra` and `extensibleData` is kept verbatim, so nothing a lender sends is dropped.

mod tree;

pub use tree::{names_a_member_twice, read, Json, NotABody, Read, MAX_BODY_DEPTH};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Attributes the schema does not name, carried through untouched.
pub type Extra = Map<String, Value>;

/// `metadata` (metadata.json).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `response` (response.json): `"0"` when the lender found no error.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LenderResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One object or an array of them: the schema says `credBlock` is an object, Juspay's page
/// says an array; lenders send both.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Decide on the JSON shape first and hand the same deserializer on, so that an
        // inner error is the real one (with its whole path, `credBlock[1].type`) instead of
        // "did not match any variant", and numbers are read once, exactly (a `Value` would
        // hand a 20-digit integer in a block's flattened attributes over as `u128`, which
        // the flattened map cannot take).
        struct Shape<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Shape<T> {
            type Value = OneOrMany<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object or an array of objects")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(OneOrMany::One)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(1));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OneOrMany::Many(items))
            }
        }
        d.deserialize_any(Shape(std::marker::PhantomData))
    }
}

/// A number or a string (`otp`: the schema says number, samples send strings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrString {
    Number(serde_json::Number),
    String(String),
}

impl NumberOrString {
    pub fn into_string(self) -> String {
        match self {
            NumberOrString::Number(n) => n.to_string(),
            NumberOrString::String(s) => s,
        }
    }
}

/// Where and why a body did not fit the wire types: a JSON path and what was expected.
/// Never carries the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    pub path: String,
    pub expected: String,
}

/// A body's tree ([`read`]) as a wire type `T`, or where and why it does not fit.
pub fn from_tree<'a, T: serde::Deserialize<'a>>(tree: &'a Json<'a>) -> Result<T, ShapeError> {
    serde_path_to_error::deserialize(tree).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        ShapeError {
            path,
            expected: expectation(message),
        }
    })
}

/// A body's bytes as a wire type `T` (tests and tools: the pipeline reads the tree once).
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ShapeError> {
    let read = read(bytes).map_err(|e| ShapeError {
        path: String::new(),
        expected: e.to_string(),
    })?;
    from_tree(&read.tree)
}

/// serde's messages quote the offending value (`invalid type: string "98765…", expected u64`):
/// keep only the expectation, which names no data.
fn expectation(message: &str) -> String {
    match message.rsplit_once(", expected ") {
        Some((_, expected)) => format!("of type {expected}"),
        None => "of the type the schema gives".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::consent_handle::wire::ConsentHandleResponse;
    use crate::callbacks::disbursement::wire::TriggerDisbursementResponse;
    use crate::callbacks::loan_acceptance::wire::{
        CredBlock, OtpBlock, TriggerLoanAcceptanceResponse,
    };
    use serde_json::json;

    #[test]
    fn a_type_error_names_the_path_and_expectation_but_not_the_value() {
        let err = from_slice::<TriggerDisbursementResponse>(
            br#"{"payment": {"totalAmount": 98765.43, "id": "p"}}"#,
        )
        .unwrap_err();
        assert_eq!(err.path, "payment.totalAmount");
        assert!(err.expected.contains("string"), "{}", err.expected);
        assert!(!err.expected.contains("98765"), "{}", err.expected);
    }

    #[test]
    fn a_cred_block_may_be_an_object_or_an_array() {
        let one: OneOrMany<CredBlock> =
            serde_json::from_str(r#"{"type": "OTP", "data": {}}"#).unwrap();
        let many: OneOrMany<CredBlock> =
            serde_json::from_str(r#" [{"type": "OTP"}, {"type": "OTP"}]"#).unwrap();
        assert_eq!(one.into_vec().len(), 1);
        assert_eq!(many.into_vec().len(), 2);
    }

    #[test]
    fn a_cred_block_of_another_json_type_is_an_error() {
        assert!(serde_json::from_str::<OneOrMany<CredBlock>>(r#""OTP""#).is_err());
    }

    #[test]
    fn a_type_error_inside_a_cred_block_names_the_whole_path() {
        let parse = from_slice::<TriggerLoanAcceptanceResponse>;
        let err = parse(br#"{"credBlock": [{"type": "OTP"}, {"type": 7}]}"#).unwrap_err();
        assert_eq!(err.path, "credBlock[1].type");
        assert_eq!(err.expected, "of type a string");
        let err = parse(br#"{"credBlock": {"data": {"url": 5}}}"#).unwrap_err();
        assert_eq!(err.path, "credBlock.data.url");
        let err = parse(br#"{"credBlock": "OTP"}"#).unwrap_err();
        assert_eq!(err.path, "credBlock");
        assert_eq!(err.expected, "of type an object or an array of objects");
    }

    #[test]
    fn numbers_inside_a_cred_block_keep_every_digit() {
        // Found by schemathesis: a 26-digit integer in a block's unknown attribute was
        // refused (LSP4001) because the block went through a `Value` first.
        let body = br#"{"credBlock": {"type": "OTP", "x": -73812287437555798892347392,
            "data": {"extensibleData": {"n": 12345678901234567890123, "e": 1E15}}}}"#;
        let w = from_slice::<TriggerLoanAcceptanceResponse>(body).unwrap();
        let text = serde_json::to_string(&w).unwrap();
        assert!(text.contains("-73812287437555798892347392"), "{text}");
        assert!(text.contains("12345678901234567890123"), "{text}");
    }

    #[test]
    fn unknown_attributes_and_extensible_data_survive_a_round_trip() {
        let body = json!({
            "metadata": {"version": "1.0", "orgId": "L", "timestamp": "t", "traceId": "x", "region": "south"},
            "requestId": "r", "response": {"error": "0"},
            "consent": {"consentStatus": "READY", "extensibleData": {"a": [1, {"b": null}]}, "aaId": "finvu"},
            "futureField": {"nested": true}
        });
        let parsed: ConsentHandleResponse = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
    }

    #[test]
    fn null_means_absent() {
        let parsed: OtpBlock =
            serde_json::from_value(json!({"status": null, "otp": null})).unwrap();
        assert_eq!(parsed.status, None);
        assert_eq!(parsed.otp, None);
    }
}
