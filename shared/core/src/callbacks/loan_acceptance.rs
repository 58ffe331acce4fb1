//! **Trigger Loan Acceptance Response** (`POST /v3/loan/triggerLoanAcceptanceResponse`): the
//! lender sent an OTP to the borrower's phone. Schemas: `TriggerLoanAcceptanceResponse.json`,
//! `credBlock.json`, `OTPBlock.json` (`spec/v3-schemas/`). Routed to the loan-acceptance
//! events queue, ordered by request.

use super::common::{
    optional, present, required, schema_ref, Body, FieldPath, Item, LenderResponse, Member,
    Metadata, ValidationPolicy,
};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::{ErrorCode, Invalid, Rejection};
use crate::wire::Extra;
use crate::CallbackType;
use serde::Serialize;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "LOAN_ACCEPTANCE_RESPONSE",
    title: "Trigger Loan Acceptance Response",
    summary: "the lender sent an OTP to the borrower",
    paths: &["/v3/loan/triggerLoanAcceptanceResponse"],
    package: "loan-acceptance-response",
    function: "LoanAcceptanceResponseFunction",
    schema: "TriggerLoanAcceptanceResponse",
    queues: &["LoanAcceptanceEventsQueue"],
    weight: 3,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<LoanAcceptanceResponse>(TYPE, body, policy)
}

/// Maximum number of credential blocks in one callback.
const MAX_CRED_BLOCKS: usize = 16;

/// The wire shape, field for field with the v3 schemas (everything optional, `null` as
/// absent, unknown attributes kept).
pub mod wire {
    pub use crate::wire::{Extra, LenderResponse, Metadata, NumberOrString, OneOrMany};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TriggerLoanAcceptanceResponse {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<Metadata>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub request_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub response: Option<LenderResponse>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub cred_block: Option<OneOrMany<CredBlock>>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CredBlock {
        #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
        pub cred_type: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub data: Option<OtpBlock>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub extensible_data: Option<Extra>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct OtpBlock {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub app_token: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub otp_session_key: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub masked_phone_number: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub otp: Option<NumberOrString>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub url: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub extensible_data: Option<Extra>,
        #[serde(flatten)]
        pub extra: Extra,
    }
}

// ---- validated ------------------------------------------------------------------------

/// Trigger Loan Acceptance Response: the lender sent an OTP to the borrower.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanAcceptanceResponse {
    /// Always an array here, whichever shape the lender sent.
    pub cred_block: Vec<CredBlock>,
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredBlock {
    pub data: OtpData,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(rename = "type")]
    pub cred_type: CredType,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_phone_number: Option<MaskedPhoneNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp: Option<Otp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp_session_key: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OtpStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl CredBlock {
    fn parse(w: wire::CredBlock, at: &dyn FieldPath) -> Result<CredBlock, Rejection> {
        let cred_type = required(w.cred_type, &Member(at, "type"))?;
        let data = present(w.data, &Member(at, "data"))?;
        let f = |name| Member(at, name);
        let data = OtpData {
            app_token: optional(data.app_token, &f("data.appToken"))?,
            otp_session_key: optional(data.otp_session_key, &f("data.otpSessionKey"))?,
            masked_phone_number: optional(data.masked_phone_number, &f("data.maskedPhoneNumber"))?,
            otp: match data.otp {
                Some(wire::NumberOrString::Number(n)) => Some(
                    Otp::parse_number(n.to_string()).map_err(|e| e.at(&f("data.otp").spell()))?,
                ),
                other => optional(other.map(wire::NumberOrString::into_string), &f("data.otp"))?,
            },
            status: optional(data.status, &f("data.status"))?,
            url: optional(data.url, &f("data.url"))?,
            extensible_data: data.extensible_data,
            extra: data.extra,
        };
        Ok(CredBlock {
            cred_type,
            data,
            extensible_data: w.extensible_data,
            extra: w.extra,
        })
    }
}

impl Body for LoanAcceptanceResponse {
    type Wire = wire::TriggerLoanAcceptanceResponse;

    fn parse(w: Self::Wire, policy: &ValidationPolicy) -> Result<Self, Rejection> {
        let metadata = Metadata::parse(w.metadata, policy)?;
        let request_id = required(w.request_id, "requestId")?;
        let response = LenderResponse::parse(w.response)?;
        let blocks = present(w.cred_block, "credBlock")?.into_vec();
        if blocks.is_empty() {
            return Err(Invalid::Missing.at("credBlock"));
        }
        if blocks.len() > MAX_CRED_BLOCKS {
            return Err(Rejection::new(
                ErrorCode::InvalidAttributeLength,
                format!("credBlock has more than {MAX_CRED_BLOCKS} entries"),
            ));
        }
        let cred_block = blocks
            .into_iter()
            .enumerate()
            .map(|(i, b)| CredBlock::parse(b, &Item("credBlock", i)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LoanAcceptanceResponse {
            metadata,
            request_id,
            response,
            cred_block,
            extra: w.extra,
        })
    }

    fn into_ids(self) -> (Metadata, RequestId) {
        (self.metadata, self.request_id)
    }

    /// An OTP was sent: without the session key the LSP cannot complete acceptance.
    fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for (i, block) in self.cred_block.iter().enumerate() {
            if self.response.is_ok() && block.data.otp_session_key.is_none() {
                warnings.push(format!(
                    "credBlock[{i}].data.otpSessionKey absent while response.error is \"0\""
                ));
            }
        }
        warnings
    }
}

/// Its OpenAPI components (`CredBlock` and `OTPBlock` are the document's own).
fn openapi() -> Value {
    json!({ DEF.schema: body_schema() })
}

/// Its body's schema (shared with the callbacks that reuse the body).
pub(crate) fn body_schema() -> Value {
    super::common::body_schema(
        json!({ "credBlock": {"oneOf": [
            schema_ref("CredBlock"),
            {"type": "array", "minItems": 1, "maxItems": MAX_CRED_BLOCKS, "items": schema_ref("CredBlock")}
        ]}}),
        &["credBlock"],
    )
}

// ---- samples ------------------------------------------------------------------------

/// The documented sample (Juspay's page, with the ids given).
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "credBlock": [{
            "type": "OTP",
            "data": {
                "otpSessionKey": super::sample::SAMPLE_OTP_SESSION_KEY,
                "maskedPhoneNumber": "XXXXXXX775",
                "appToken": super::sample::SAMPLE_APP_TOKEN,
                "otp": null,
                "status": null,
                "url": null
            }
        }]
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({
        "credBlock": [{"type": "OTP", "data": {
            "otpSessionKey": format!("otps-{}", rng.hex(16)),
            "maskedPhoneNumber": format!("XXXXXXX{:03}", rng.below(1000)),
            "appToken": format!("tok-{}", rng.hex(10)),
            "status": null
        }}]
    }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut single = sample(&SampleIds {
        request_id: "i8cc-single-credblock".into(),
        ..ids.clone()
    });
    single["credBlock"] = single["credBlock"][0].clone();
    let mut no_key = sample(&SampleIds {
        request_id: "i8cc-warning-no-session-key".into(),
        ..ids.clone()
    });
    if let Some(data) = no_key["credBlock"][0]["data"].as_object_mut() {
        data.remove("otpSessionKey");
    }
    vec![
        Variant::new("credblock-object-valid", single, "0"),
        Variant::new("warning-no-session-key", no_key, "0"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::SampleIds;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_single_cred_block_object_is_read_as_an_array_of_one() {
        let mut body = sample(&SampleIds::fixed("la-1"));
        body["credBlock"] = body["credBlock"][0].clone();
        let c = validate(&body).unwrap();
        assert_eq!(
            c.payload.clone()["credBlock"].as_array().map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn more_than_sixteen_cred_blocks_are_too_long() {
        let mut body = sample(&SampleIds::fixed("la-2"));
        let block = body["credBlock"][0].clone();
        body["credBlock"] = json!(vec![block; MAX_CRED_BLOCKS + 1]);
        let r = validate(&body).unwrap_err();
        assert_eq!(r.code, ErrorCode::InvalidAttributeLength);
    }

    #[test]
    fn a_missing_session_key_while_the_otp_was_sent_is_a_warning() {
        let v = events(&SampleIds::fixed("la-3")).remove(1);
        let c = validate(&v.body).unwrap();
        assert_eq!(
            c.warnings,
            ["credBlock[0].data.otpSessionKey absent while response.error is \"0\""]
        );
    }

    #[test]
    fn an_unmasked_phone_number_is_refused() {
        let mut body = sample(&SampleIds::fixed("la-4"));
        body["credBlock"][0]["data"]["maskedPhoneNumber"] = json!("9876543210");
        assert!(validate(&body).is_err());
    }

    #[test]
    fn loan_acceptance_is_ordered_by_request() {
        let c = validate(&sample(&SampleIds::fixed("la-5"))).unwrap();
        assert_eq!(c.ordering_key, "request:la-5");
    }
}
