//! **Confirm Repayment** (`POST /v3/repayment/confirmRepayment`): the lender tells the LSP
//! of a repayment it collected on its own (an e-mandate debit). **Lender-initiated**: it
//! answers no request of the LSP (`answers_request: false`), so it is never checked against
//! the LSP's request records; its `requestId` is the lender's own. Schema:
//! `ConfirmRepaymentRequest.json` (`spec/v3-schemas/`): `payment` (`payment.json`) and
//! `loanId`, plus `response` and `requestId` although it is a request. Routed to the
//! repayment ledger (FIFO, ordered per loan).

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::disbursement::payment_warnings;
use super::objects::Payment;
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "CONFIRM_REPAYMENT",
    title: "Confirm Repayment",
    summary: "the lender collected a repayment on its own (lender-initiated)",
    paths: &["/v3/repayment/confirmRepayment"],
    package: "confirm-repayment",
    function: "ConfirmRepaymentFunction",
    schema: "ConfirmRepaymentRequest",
    queues: &["RepaymentLedgerQueue"],
    weight: 1,
    answers_request: false,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<ConfirmRepaymentRequest>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<ConfirmRepaymentRequest>(TYPE, body, policy)
}

/// Confirm Repayment: a payment the lender collected on a loan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmRepaymentRequest {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loan_id: Reference,
    pub payment: Payment,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for ConfirmRepaymentRequest {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    fn ordering_key(&self) -> Option<String> {
        Some(format!("loan:{}", self.loan_id))
    }

    fn warnings(&self) -> Vec<String> {
        payment_warnings(&self.payment, &self.response)
    }
}

// ---- samples ------------------------------------------------------------------------

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanId": "LOAN-2024-000123",
        "payment": super::trigger_repayment::payment()
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let mut payment = super::trigger_repayment::payment();
    payment["id"] = json!(format!("RPY-{}", rng.hex(10)));
    payment["totalAmount"] = json!(rng.amount(50_000, 5_000_000));
    payment["principal"] = Value::Null;
    payment["interestAmount"] = Value::Null;
    ids.body(json!({ "loanId": format!("LOAN-{}", rng.hex(8)), "payment": payment }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_loan = sample(ids);
    if let Some(b) = no_loan.as_object_mut() {
        b.remove("loanId");
    }
    let mut plan_status = sample(ids);
    plan_status["payment"]["status"] = json!("ACTIVE");
    vec![
        Variant::new("invalid-no-loan-id", no_loan, "GEN5001"),
        Variant::new("invalid-status-enum", plan_status, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_confirmed_repayment_is_recorded_and_ordered_by_its_loan() {
        let c = validate(&sample(&SampleIds::fixed("cr-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.ordering_key, "loan:LOAN-2024-000123");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn it_is_declared_lender_initiated() {
        assert!(!DEF.answers_request);
    }

    #[test]
    fn its_payment_is_a_payment_not_a_plan_and_its_loan_is_required() {
        for v in events(&SampleIds::fixed("cr-2")) {
            assert_eq!(validate(&v.body).unwrap_err().code.as_str(), v.code, "{}", v.name);
        }
    }
}
