//! **Trigger Loan Acceptance Response** (`POST /v3/loan/triggerLoanAcceptanceResponse`): the
//! lender sent an OTP to the borrower's phone. Schemas: `TriggerLoanAcceptanceResponse.json`,
//! `credBlock.json`, `OTPBlock.json` (`spec/v3-schemas/`). Routed to the loan-acceptance
//! events queue, ordered by request.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::{ExtensibleData, Extra, OneOrMore};
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
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
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<TriggerLoanAcceptanceResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<TriggerLoanAcceptanceResponse>(TYPE, body, policy)
}

/// Maximum number of credential blocks in one callback.
const MAX_CRED_BLOCKS: usize = 16;

/// Trigger Loan Acceptance Response: the lender sent an OTP to the borrower.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerLoanAcceptanceResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    /// An object or an array of them (the schema says one, Juspay's page an array);
    /// always an array in the event.
    pub cred_block: OneOrMore<CredBlock, MAX_CRED_BLOCKS>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A credential block (`credBlock.json`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredBlock {
    #[serde(rename = "type")]
    pub cred_type: CredType,
    pub data: OtpBlock,
    pub extensible_data: Option<ExtensibleData>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Every member optional (`OTPBlock.json` lists status as required, Juspay's samples send
/// null: not enforced). otpSessionKey absent while response.error is "0" is a warning in
/// the event, not a refusal.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "OTPBlock")]
pub struct OtpBlock {
    pub app_token: Option<Secret>,
    pub otp_session_key: Option<Secret>,
    pub masked_phone_number: Option<MaskedPhoneNumber>,
    pub otp: Option<Otp>,
    pub status: Option<OtpStatus>,
    pub url: Option<Text>,
    pub extensible_data: Option<ExtensibleData>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for TriggerLoanAcceptanceResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
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
        assert_eq!(r.code, crate::ErrorCode::InvalidAttributeLength);
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
