//! **Trigger Repayment Response** (`POST /v3/repayment/triggerRepaymentResponse`): the
//! lender collected (or failed to collect) a repayment the LSP triggered. Schema:
//! `TriggerRepaymentResponse.json` (`spec/v3-schemas/`), whose `payment` is typed as a
//! payment plan while lenders send a payment: either shape is read
//! ([`super::objects::RepaymentPayment`], docs/protocol.md "Spec slips"). The body names no loan:
//! with correlation the request's ids order it. Routed to the repayment ledger (FIFO).

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{RepaymentPayment, RepaymentStatus};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "TRIGGER_REPAYMENT_RESPONSE",
    title: "Trigger Repayment Response",
    summary: "the lender collected a repayment the LSP triggered, or did not",
    paths: &["/v3/repayment/triggerRepaymentResponse"],
    package: "trigger-repayment-response",
    function: "TriggerRepaymentResponseFunction",
    schema: "TriggerRepaymentResponse",
    queues: &["RepaymentLedgerQueue"],
    weight: 2,
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<TriggerRepaymentResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<TriggerRepaymentResponse>(TYPE, body, policy)
}

/// Trigger Repayment Response and Trigger Repayment Status Response (which may add
/// `loanId`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerRepaymentResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    /// Only Trigger Repayment Status Response's schema names it; a loan's repayments are
    /// ordered by it.
    pub loan_id: Option<Reference>,
    pub payment: RepaymentPayment,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for TriggerRepaymentResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    fn ordering_key(&self) -> Option<String> {
        self.loan_id.as_ref().map(|l| format!("loan:{l}"))
    }

    /// A collected repayment without its reference or amount is a warning, as a
    /// disbursement's is.
    fn warnings(&self) -> Vec<String> {
        let (p, ok) = (&self.payment, self.response.is_ok());
        let mut w = Vec::new();
        if ok && p.status.is_none() {
            w.push("payment.status absent while response.error is \"0\"".to_string());
        }
        if p.status == Some(RepaymentStatus::Success) {
            if !ok {
                w.push("payment.status SUCCESS with a non-zero response.error".to_string());
            }
            if p.txn_ref_no.is_none() {
                w.push("payment.txnRefNo absent while payment.status is SUCCESS".to_string());
            }
            if p.total_amount.is_none_or(|a| a.is_zero()) {
                w.push("payment.totalAmount absent or 0.00 while payment.status is SUCCESS".to_string());
            }
        }
        w
    }
}

// ---- samples ------------------------------------------------------------------------

/// A collected installment, in `payment.json`'s shape (as lenders send it).
pub(crate) fn payment() -> Value {
    json!({
        "id": "RPY-2024-000311",
        "description": "Installment 3 of loan LOAN-2024-000123",
        "date": "2024-05-01T10:15:00+05:30",
        "totalAmount": "8750.00",
        "principal": "8000.00",
        "interestAmount": "750.00",
        "installmentNumber": "3",
        "status": "SUCCESS",
        "paymentMethodType": "ENACH",
        "txnRefNo": crate::callbacks::sample::SAMPLE_TXN_REF
    })
}

/// The same repayment in `paymentplan.json`'s shape (as the schema types it).
pub(crate) fn payment_as_plan() -> Value {
    json!({
        "id": "RPY-2024-000311",
        "automatic": true,
        "scheduleType": "ONE_TIME",
        "noOfInstallment": "1",
        "totalAmount": "8750.00",
        "startDate": "01-05-2024",
        "status": "ACTIVE"
    })
}

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "payment": payment() }))
}

pub(crate) fn simulated_payment(rng: &mut Rng) -> Value {
    let mut p = if rng.chance(0.2) { payment_as_plan() } else { payment() };
    p["id"] = json!(format!("RPY-{}", rng.hex(10)));
    p["totalAmount"] = json!(rng.amount(50_000, 5_000_000));
    if p.get("principal").is_some() {
        p["principal"] = Value::Null;
        p["interestAmount"] = Value::Null;
    }
    if rng.chance(0.1) {
        p["status"] = json!("FAILURE");
        p["txnRefNo"] = Value::Null;
    }
    p
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "payment": simulated_payment(rng) }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let as_plan = ids.body(json!({ "payment": payment_as_plan() }));
    let as_plan = {
        let mut b = as_plan;
        b["requestId"] = json!(format!("{}-as-plan", ids.request_id));
        b
    };
    let mut no_id = sample(ids);
    if let Some(p) = no_id["payment"].as_object_mut() {
        p.remove("id");
    }
    let mut bad_status = sample(ids);
    bad_status["payment"]["status"] = json!("PAID");
    vec![
        Variant::new("payment-as-plan-valid", as_plan, "0"),
        Variant::new("invalid-no-payment-id", no_id, "GEN5001"),
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
    fn a_repayment_in_payment_shape_is_recorded_without_warnings() {
        let c = validate(&sample(&SampleIds::fixed("tr-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.payload["payment"]["totalAmount"], "8750.00");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.ordering_key, "request:tr-1", "the request's ids order it");
    }

    #[test]
    fn a_repayment_in_the_schemas_payment_plan_shape_is_read_too() {
        let v = events(&SampleIds::fixed("tr-2")).remove(0);
        let c = validate(&v.body).unwrap();
        assert_eq!(c.payload["payment"]["scheduleType"], "ONE_TIME");
        assert_eq!(c.payload["payment"]["startDate"], "2024-05-01");
        assert_eq!(c.payload["payment"]["noOfInstallment"], "1");
    }

    #[test]
    fn a_missing_payment_id_and_a_status_outside_both_enums_get_the_spec_codes() {
        for v in events(&SampleIds::fixed("tr-3")).into_iter().skip(1) {
            assert_eq!(validate(&v.body).unwrap_err().code.as_str(), v.code, "{}", v.name);
        }
    }

    #[test]
    fn a_collected_repayment_without_its_reference_is_a_warning() {
        let mut body = sample(&SampleIds::fixed("tr-4"));
        body["payment"]["txnRefNo"] = Value::Null;
        assert_eq!(
            validate(&body).unwrap().warnings,
            ["payment.txnRefNo absent while payment.status is SUCCESS"]
        );
    }
}
