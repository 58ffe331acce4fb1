//! **Verify Loan Acceptance Response** (`POST /v3/loan/verifyLoanAcceptanceResponse`): the
//! lender checked the OTP the borrower entered. Schema: `VerifyLoanApplicationResponse.json`
//! (`spec/v3-schemas/`; the spec's file says "Application"): the same members as Trigger
//! Loan Acceptance Response (`metadata`, `requestId`, `response`, `credBlock`), so it is read
//! by the same type ([`super::loan_acceptance`]). Its own rules: the outcome is
//! `credBlock[i].data.status`. Routed to the loan-acceptance events queue.

use super::common::ValidationPolicy;
use super::loan_acceptance::TriggerLoanAcceptanceResponse;
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::OtpStatus;
use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "VERIFY_LOAN_ACCEPTANCE_RESPONSE",
    title: "Verify Loan Acceptance Response",
    summary: "the lender checked the OTP the borrower entered",
    paths: &["/v3/loan/verifyLoanAcceptanceResponse"],
    package: "verify-loan-acceptance-response",
    function: "VerifyLoanAcceptanceResponseFunction",
    schema: "VerifyLoanApplicationResponse",
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
    super::common::validate_with(TYPE, body, policy, verdict_warnings)
}

/// Its rules, on loan acceptance's body: the outcome is `credBlock[i].data.status`.
/// `OTPBlock.json` requires it, but Juspay's samples send `null` (docs/protocol.md "Validation
/// rules"): a verdict that is missing or contradicts `response` is a warning for consumers,
/// not a refusal.
fn verdict_warnings(body: &TriggerLoanAcceptanceResponse) -> Vec<String> {
    let ok = body.response.is_ok();
    let mut warnings = Vec::new();
    for (i, block) in body.cred_block.iter().enumerate() {
        match block.data.status {
            None if ok => warnings.push(format!(
                "credBlock[{i}].data.status absent while response.error is \"0\""
            )),
            Some(OtpStatus::Success) if !ok => warnings.push(format!(
                "credBlock[{i}].data.status SUCCESS with a non-zero response.error"
            )),
            _ => {}
        }
    }
    warnings
}

// ---- samples ------------------------------------------------------------------------

/// A verified OTP.
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "credBlock": [{
            "type": "OTP",
            "data": {
                "otpSessionKey": super::sample::SAMPLE_OTP_SESSION_KEY,
                "maskedPhoneNumber": "XXXXXXX775",
                "status": "SUCCESS"
            }
        }]
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let status = *rng.pick(&[
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
        "INCORRECT_OTP",
        "INVALID_SESSION",
    ]);
    ids.body(json!({
        "credBlock": [{"type": "OTP", "data": {
            "otpSessionKey": format!("otps-{}", rng.hex(16)),
            "maskedPhoneNumber": format!("XXXXXXX{:03}", rng.below(1000)),
            "status": status
        }}]
    }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_status = sample(&SampleIds {
        request_id: "v8cc-warning-no-status".into(),
        ..ids.clone()
    });
    if let Some(data) = no_status["credBlock"][0]["data"].as_object_mut() {
        data.remove("status");
    }
    let mut bad_status = sample(ids);
    bad_status["credBlock"][0]["data"]["status"] = json!("VERIFIED");
    vec![
        Variant::new("warning-no-status", no_status, "0"),
        Variant::new("invalid-status-enum", bad_status, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_verified_otp_is_recorded_as_a_verify_callback_not_a_trigger_one() {
        let c = validate(&sample(&SampleIds::fixed("vl-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_ne!(c.kind, super::super::loan_acceptance::TYPE);
        assert_eq!(
            c.payload.clone()["credBlock"][0]["data"]["status"],
            "SUCCESS"
        );
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn a_verdict_missing_while_the_lender_reports_no_error_is_a_warning() {
        let v = events(&SampleIds::fixed("vl-2")).remove(0);
        let c = validate(&v.body).unwrap();
        assert_eq!(
            c.warnings,
            ["credBlock[0].data.status absent while response.error is \"0\""]
        );
    }

    #[test]
    fn a_success_with_a_lender_error_is_a_warning() {
        let mut body = sample(&SampleIds::fixed("vl-3"));
        body["response"]["error"] = json!("LA1001");
        let c = validate(&body).unwrap();
        assert_eq!(
            c.warnings,
            ["credBlock[0].data.status SUCCESS with a non-zero response.error"]
        );
    }

    #[test]
    fn an_unknown_verdict_is_not_in_the_enum() {
        let v = events(&SampleIds::fixed("vl-4")).remove(1);
        assert_eq!(validate(&v.body).unwrap_err().code.as_str(), "GEN5002");
    }

    #[test]
    fn an_unmasked_phone_number_is_refused_as_in_trigger_loan_acceptance() {
        let mut body = sample(&SampleIds::fixed("vl-5"));
        body["credBlock"][0]["data"]["maskedPhoneNumber"] = json!("9876543210");
        assert!(validate(&body).is_err());
    }
}
