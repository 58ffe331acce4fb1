//! **Grant Loan Response** (`POST /v3/loan/grantLoanResponse`): the lender's decision on a
//! loan, with its terms, the chosen disbursement and repayment plans and `loanStatus`.
//! Schemas: `GrantLoanResponse.json`, `loanterms.json`, `loantenure.json`,
//! `chosenDisbursement.json`, `chosenRepayment.json`, `paymentplan.json`,
//! `rejectiondetail.json`, `actionrequired.json`, `reference.json` (`spec/v3-schemas/`).
//! Routed to the loan events queue (FIFO, one group per loan).
//!
//! What is checked is what the schemas require, with the same newtypes as the other
//! callbacks (money as exact paise, enums, ids, lengths). Objects this service does not read
//! (`terms.legalAgreement`, `terms.documents`, `terms.charges`,
//! `disbursement.accountDetails`, `repayment.method`, every `extensibleData`) are carried
//! to the event untouched. One slip of the spec is not enforced: `paymentplan.json` requires
//! `noOfInstallments` but its property is spelled `noOfInstallment`, so neither is required.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{ActionRequired, ChosenPlan, Details, LoanTerms, RejectionDetail};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "GRANT_LOAN_RESPONSE",
    title: "Grant Loan Response",
    summary: "the lender granted the loan (or rejected it, or needs an action), with its terms",
    paths: &["/v3/loan/grantLoanResponse"],
    package: "grant-loan-response",
    function: "GrantLoanResponseFunction",
    schema: "GrantLoanResponse",
    queues: &["LoanEventsQueue"],
    weight: 2,
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<GrantLoanResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<GrantLoanResponse>(TYPE, body, policy)
}

crate::domain::ocen_enum!(
    /// `loanStatus`.
    LoanStatus {
        Granted = "GRANTED",
        Rejected = "REJECTED",
        Defaulted = "DEFAULTED",
        Completed = "COMPLETED",
        ActionRequired = "ACTION_REQUIRED",
    }
);

/// Grant Loan Response: the lender's decision and the loan's terms.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantLoanResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loan_id: Reference,
    pub terms: LoanTerms,
    pub disbursement: ChosenPlan,
    pub repayment: ChosenPlan,
    pub loan_status: LoanStatus,
    pub rejection_details: Option<Details<RejectionDetail>>,
    pub action_required: Option<Details<ActionRequired>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An optional list that is absent or empty.
fn none<T>(list: &Option<Details<T>>) -> bool {
    list.as_ref().is_none_or(|l| l.is_empty())
}

impl Body for GrantLoanResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// A loan's callbacks are delivered in order (GRANTED before COMPLETED).
    fn ordering_key(&self) -> Option<String> {
        Some(format!("loan:{}", self.loan_id))
    }

    /// This service's rules (the schema makes the details optional whatever the status).
    fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        match self.loan_status {
            LoanStatus::Granted => {
                if !self.response.is_ok() {
                    w.push("loanStatus GRANTED with a non-zero response.error".to_string());
                }
                if self.terms.sanctioned_amount.is_none() {
                    w.push("terms.sanctionedAmount absent while loanStatus is GRANTED".to_string());
                }
            }
            LoanStatus::Rejected if none(&self.rejection_details) => {
                w.push("rejectionDetails absent while loanStatus is REJECTED".to_string())
            }
            LoanStatus::ActionRequired if none(&self.action_required) => {
                w.push("actionRequired absent while loanStatus is ACTION_REQUIRED".to_string())
            }
            _ => {}
        }
        w
    }
}

// ---- samples ------------------------------------------------------------------------

fn plan(id: &str, total: &str, schedule: &str, installments: u32) -> Value {
    json!({
        "id": id, "automatic": true, "scheduleType": schedule, "noOfInstallment": installments.to_string(),
        "frequency": "MONTHLY", "totalAmount": total,
        "tenure": {"duration": installments.to_string(), "unit": "MONTH"}
    })
}

/// A granted loan of ₹1,00,000 over 12 months.
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanId": "LOAN-2024-000123",
        "terms": {
            "requestedAmount": "100000.00",
            "currency": "INR",
            "sanctionedAmount": "100000.00",
            "interestType": "FIXED",
            "interestRate": "14.5",
            "totalAmount": "108050.00",
            "interestAmount": "8050.00",
            "tenure": {"duration": "12", "unit": "MONTH"},
            "legalAgreement": {"type": "URL", "data": "https://lender.example/agreements/LOAN-2024-000123"}
        },
        "disbursement": {
            "plan": {"id": "disb-plan-1", "automatic": true, "scheduleType": "ONE_TIME",
                     "noOfInstallment": "1", "totalAmount": "100000.00"},
            "accountDetails": {"accountDataType": "ACCOUNT",
                               "data": {"accountType": "CURRENT", "maskedAccountNumber": "XXXXXX4321"}}
        },
        "repayment": {
            "plan": plan("repay-plan-1", "108050.00", "RECURRING", 12),
            "method": {"id": "mandate-1", "type": "ENACH", "status": "ACTIVE"}
        },
        "loanStatus": "GRANTED"
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let status = *rng.pick(&[
        "GRANTED",
        "GRANTED",
        "GRANTED",
        "REJECTED",
        "ACTION_REQUIRED",
    ]);
    let amount = rng.amount(5_000_000, 500_000_000);
    let months = *rng.pick(&[3u32, 6, 12, 24]);
    let mut body = ids.body(json!({
        "loanId": format!("LOAN-{:06}", rng.below(1_000_000)),
        "terms": {"requestedAmount": amount, "currency": "INR", "sanctionedAmount": amount,
                  "interestType": rng.pick(&["FIXED", "FLOATING"]),
                  "tenure": {"duration": months.to_string(), "unit": "MONTH"}},
        "disbursement": {"plan": plan(&format!("disb-{}", rng.hex(8)), &amount, "ONE_TIME", 1)},
        "repayment": {"plan": plan(&format!("repay-{}", rng.hex(8)), &amount, "RECURRING", months)},
        "loanStatus": status
    }));
    match status {
        "REJECTED" => {
            body["rejectionDetails"] = json!([{"reason": rng.pick(&["LOW_CREDIT_SCORE", "OTHERS"]),
                                               "description": "declined by policy"}])
        }
        "ACTION_REQUIRED" => {
            body["actionRequired"] = json!([{"actionType": "ADD_DOCUMENT",
                "description": "bank statement of the last 6 months",
                "reference": {"object": "DOCUMENT", "value": format!("doc-{}", rng.hex(6))}}])
        }
        _ => {}
    }
    body
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let with = |request_id: &str| {
        sample(&SampleIds {
            request_id: request_id.into(),
            ..ids.clone()
        })
    };
    let mut rejected = with("g8cc-rejected");
    rejected["loanStatus"] = json!("REJECTED");
    rejected["rejectionDetails"] =
        json!([{"reason": "LOW_CREDIT_SCORE", "description": "bureau score below policy"}]);
    let mut rejected_bare = with("g8cc-warning-rejected-without-details");
    rejected_bare["loanStatus"] = json!("REJECTED");
    let mut bad_status = sample(ids);
    bad_status["loanStatus"] = json!("APPROVED");
    let mut no_terms = sample(ids);
    if let Some(b) = no_terms.as_object_mut() {
        b.remove("terms");
    }
    let mut bad_amount = sample(ids);
    bad_amount["repayment"]["plan"]["totalAmount"] = json!(108050.5);
    vec![
        Variant::new("rejected-valid", rejected, "0"),
        Variant::new("warning-rejected-without-details", rejected_bare, "0"),
        Variant::new("invalid-loan-status-enum", bad_status, "GEN5002"),
        Variant::new("invalid-missing-terms", no_terms, "GEN5001"),
        Variant::new("invalid-plan-amount-number", bad_amount, "LSP4001"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    fn refusal(body: &Value) -> (String, String) {
        let r = validate(body).unwrap_err();
        (r.code.as_str().to_string(), r.detail)
    }

    #[test]
    fn a_granted_loan_is_recorded_with_its_terms_plans_and_carried_objects_untouched() {
        let body = sample(&SampleIds::fixed("gl-1"));
        let c = validate(&body).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.ordering_key, "loan:LOAN-2024-000123");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.payload.clone()["terms"]["sanctionedAmount"], "100000.00");
        assert_eq!(c.payload.clone()["loanStatus"], "GRANTED");
        for carried in [
            "/terms/legalAgreement",
            "/disbursement/accountDetails",
            "/repayment/method",
            "/repayment/plan/noOfInstallment",
        ] {
            assert_eq!(
                c.payload.clone().pointer(carried),
                body.pointer(carried),
                "{carried}"
            );
        }
    }

    #[test]
    fn every_required_member_is_named_when_missing() {
        for pointer in [
            "/loanId",
            "/terms",
            "/terms/requestedAmount",
            "/terms/currency",
            "/disbursement/plan",
            "/repayment/plan/id",
            "/repayment/plan/automatic",
            "/repayment/plan/scheduleType",
            "/repayment/plan/totalAmount",
            "/repayment/plan/tenure/unit",
            "/loanStatus",
        ] {
            let mut body = sample(&SampleIds::fixed("gl-2"));
            let (parent, last) = pointer.rsplit_once('/').unwrap();
            body.pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .unwrap()
                .remove(last);
            let (code, detail) = refusal(&body);
            let name = pointer[1..].replace('/', ".");
            assert_eq!(code, "GEN5001", "{pointer}: {detail}");
            assert!(detail.contains(&name), "{pointer}: {detail}");
        }
    }

    #[test]
    fn enums_amounts_and_types_are_held_to_the_schema() {
        let cases: &[(&str, Value, &str)] = &[
            ("/loanStatus", json!("APPROVED"), "GEN5002"),
            ("/terms/interestType", json!("VARIABLE"), "GEN5002"),
            ("/terms/tenure/unit", json!("WEEK"), "GEN5002"),
            ("/repayment/plan/scheduleType", json!("DAILY"), "GEN5002"),
            ("/repayment/plan/frequency", json!("DAILY"), "GEN5002"),
            ("/terms/requestedAmount", json!("100000.001"), "LSP4001"),
            ("/terms/sanctionedAmount", json!("-5"), "LSP4001"),
            ("/repayment/plan/totalAmount", json!(108050.5), "LSP4001"),
            ("/repayment/plan/automatic", json!("yes"), "LSP4001"),
            ("/loanId", json!("has space"), "LSP4001"),
        ];
        for (pointer, value, code) in cases {
            let mut body = sample(&SampleIds::fixed("gl-3"));
            *body.pointer_mut(pointer).unwrap() = value.clone();
            let (got, detail) = refusal(&body);
            assert_eq!(&got, code, "{pointer} = {value}: {detail}");
        }
    }

    #[test]
    fn a_rejection_reason_and_an_action_reference_are_checked_at_their_index() {
        let mut body = sample(&SampleIds::fixed("gl-4"));
        body["loanStatus"] = json!("REJECTED");
        body["rejectionDetails"] = json!([
            {"reason": "FRAUD", "description": "x"},
            {"reason": "BAD_LUCK", "description": "y"}
        ]);
        let (code, detail) = refusal(&body);
        assert_eq!(code, "GEN5002");
        assert!(detail.contains("rejectionDetails[1].reason"), "{detail}");
        let mut body = sample(&SampleIds::fixed("gl-5"));
        body["actionRequired"] = json!([{"actionType": "OTHER", "description": "call us",
                                          "reference": {"object": "DOCUMENT"}}]);
        let (code, detail) = refusal(&body);
        assert_eq!(code, "GEN5001");
        assert!(
            detail.contains("actionRequired[0].reference.value"),
            "{detail}"
        );
    }

    #[test]
    fn more_than_the_allowed_rejection_details_are_too_long() {
        let mut body = sample(&SampleIds::fixed("gl-6"));
        body["rejectionDetails"] = json!(vec![
            json!({"reason": "OTHERS", "description": "x"});
            super::super::objects::MAX_LIST_ENTRIES + 1
        ]);
        assert_eq!(refusal(&body).0, "GEN5007");
    }

    #[test]
    fn a_decision_without_its_details_is_a_warning() {
        let v = events(&SampleIds::fixed("gl-7")).remove(1);
        assert_eq!(
            validate(&v.body).unwrap().warnings,
            ["rejectionDetails absent while loanStatus is REJECTED"]
        );
        let mut body = sample(&SampleIds::fixed("gl-8"));
        body["terms"]
            .as_object_mut()
            .unwrap()
            .remove("sanctionedAmount");
        body["response"]["error"] = json!("GL1001");
        assert_eq!(
            validate(&body).unwrap().warnings,
            [
                "loanStatus GRANTED with a non-zero response.error",
                "terms.sanctionedAmount absent while loanStatus is GRANTED"
            ]
        );
    }

    #[test]
    fn null_and_empty_optional_members_mean_absent() {
        let mut body = sample(&SampleIds::fixed("gl-9"));
        body["terms"]["interestType"] = json!(null);
        body["terms"]["description"] = json!("");
        body["rejectionDetails"] = json!(null);
        let c = validate(&body).unwrap();
        assert!(c.payload.clone()["terms"].get("interestType").is_none());
        assert!(c.payload.clone().get("rejectionDetails").is_none());
    }
}
