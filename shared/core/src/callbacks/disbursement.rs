//! **Trigger Disbursement Response** (`POST /v3/disbursement/triggerDisbursementResponse`,
//! also the capitalised `/TriggerDisbursementResponse`): money moved, or did not. Schemas:
//! `TriggerDisbursementResponse.json`, `payment.json` (`spec/v3-schemas/`), plus `loanId`,
//! which Juspay's page asks for. Routed to the disbursement ledger (FIFO, ordered per loan)
//! and notifications.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
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
    name: "DISBURSEMENT_RESPONSE",
    title: "Trigger Disbursement Response",
    summary: "money moved, or did not",
    paths: &[
        "/v3/disbursement/triggerDisbursementResponse",
        "/v3/disbursement/TriggerDisbursementResponse",
    ],
    package: "disbursement-response",
    function: "DisbursementResponseFunction",
    schema: "TriggerDisbursementResponse",
    queues: &["DisbursementLedgerQueue", "DisbursementNotificationsQueue"],
    weight: 4,
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<TriggerDisbursementResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<TriggerDisbursementResponse>(TYPE, body, policy)
}

/// Trigger Disbursement Response: the status of a disbursement.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerDisbursementResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    /// Not in the v3 schema; Juspay's page asks for it. A loan's callbacks are ordered by it.
    pub loan_id: Option<Reference>,
    pub payment: Payment,
    #[serde(flatten)]
    pub extra: Extra,
}

/// This service's own rules for a disbursement (payment.json requires only `id`): each one
/// not met is a warning for consumers, not a refusal.
pub(crate) fn payment_warnings(payment: &Payment, response: &LenderResponse) -> Vec<String> {
    let mut w = Vec::new();
    if response.is_ok() && payment.status.is_none() {
        w.push("payment.status absent while response.error is \"0\"".to_string());
    }
    if payment.status == Some(PaymentStatus::Success) {
        if !response.is_ok() {
            w.push("payment.status SUCCESS with a non-zero response.error".to_string());
        }
        if payment.txn_ref_no.is_none() {
            w.push("payment.txnRefNo absent while payment.status is SUCCESS".to_string());
        }
        match payment.total_amount {
            None => {
                w.push("payment.totalAmount absent while payment.status is SUCCESS".to_string())
            }
            Some(a) if a.is_zero() => {
                w.push("payment.totalAmount is 0.00 while payment.status is SUCCESS".to_string())
            }
            Some(_) => {}
        }
    }
    w
}

impl Body for TriggerDisbursementResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// A loan's disbursement callbacks are delivered in order.
    fn ordering_key(&self) -> Option<String> {
        self.loan_id.as_ref().map(|l| format!("loan:{l}"))
    }

    fn warnings(&self) -> Vec<String> {
        payment_warnings(&self.payment, &self.response)
    }
}

// ---- samples ------------------------------------------------------------------------

/// The documented sample (Juspay's page, with the ids given).
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanId": "LOAN-2024-000123",
        "payment": {
            "id": "e8cc6822bd4bbb4eb1b9e1b4996fbff8acb",
            "description": "Disbursement of loan LOAN-2024-000123",
            "date": "2024-05-01T10:15:00+05:30",
            "totalAmount": "10000.00",
            "principal": "10000.00",
            "status": "SUCCESS",
            "useSavedPaymentOption": false,
            "paymentMethodType": "NETBANKING",
            "txnRefNo": super::sample::SAMPLE_TXN_REF,
            "extensibleData": {"utr": "UTR123"}
        }
    }))
}

/// A payment as the simulator sends it: mostly successes, some failures and pending.
pub(crate) fn simulated_payment(rng: &mut Rng, ids: &SampleIds) -> Value {
    let status = *rng.pick(&["SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "PENDING_AUTH"]);
    let amount = rng.amount(500_000, 50_500_000);
    let mut payment = json!({
        "id": format!("pay-{}", rng.hex(16)),
        "date": ids.timestamp,
        "totalAmount": amount, "principal": amount, "status": status,
        "paymentMethodType": rng.pick(&["UPI", "NETBANKING", "ENACH", "DEBIT_CARD", "EMANDATE_UPI"]),
        "useSavedPaymentOption": rng.chance(0.5),
    });
    if status == "SUCCESS" {
        payment["txnRefNo"] = json!(format!("{:012}", rng.below(1_000_000_000_000)));
    }
    payment
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let payment = simulated_payment(rng, ids);
    ids.body(json!({"loanId": format!("LOAN-{:06}", rng.below(1_000_000)), "payment": payment}))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let valid = sample(ids);
    let mut no_ref = sample(&SampleIds {
        request_id: "e8cc-warning-no-txnrefno".into(),
        ..ids.clone()
    });
    if let Some(p) = no_ref["payment"].as_object_mut() {
        p.remove("txnRefNo");
    }
    let mut bad_status = valid.clone();
    bad_status["payment"]["status"] = json!("DONE");
    let mut bad_version = valid.clone();
    bad_version["metadata"]["version"] = json!("9.9");
    vec![
        Variant::new("warning-success-without-txnrefno", no_ref, "0"),
        Variant::new("invalid-status-enum", bad_status, "GEN5002"),
        Variant::new("invalid-version", bad_version, "GEN5005"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn amounts_are_held_as_exact_paise_and_passed_on_with_two_decimals() {
        let mut body = sample(&SampleIds::fixed("db-1"));
        body["payment"]["totalAmount"] = json!("10000.5");
        let c = validate(&body).unwrap();
        assert_eq!(c.payload.clone()["payment"]["totalAmount"], "10000.50");
    }

    #[test]
    fn a_loans_disbursements_are_ordered_by_the_loan() {
        let c = validate(&sample(&SampleIds::fixed("db-2"))).unwrap();
        assert_eq!(c.ordering_key, "loan:LOAN-2024-000123");
        let mut body = sample(&SampleIds::fixed("db-3"));
        body.as_object_mut().unwrap().remove("loanId");
        assert_eq!(validate(&body).unwrap().ordering_key, "request:db-3");
    }

    #[test]
    fn success_without_a_reference_is_a_warning_not_a_refusal() {
        let v = events(&SampleIds::fixed("db-4")).remove(0);
        let c = validate(&v.body).unwrap();
        assert_eq!(
            c.warnings,
            ["payment.txnRefNo absent while payment.status is SUCCESS"]
        );
    }

    #[test]
    fn a_payment_without_an_id_is_refused() {
        let mut body = sample(&SampleIds::fixed("db-5"));
        body["payment"].as_object_mut().unwrap().remove("id");
        let r = validate(&body).unwrap_err();
        assert_eq!(r.code.as_str(), "GEN5001");
    }

    /// An edit of the sample body, and the warning it must give.
    type Case = (fn(&mut Value), &'static str);

    #[test]
    fn disbursement_rules_of_this_service_are_warnings() {
        let cases: [Case; 5] = [
            (
                |b| drop(b["payment"].as_object_mut().unwrap().remove("txnRefNo")),
                "payment.txnRefNo absent while payment.status is SUCCESS",
            ),
            (
                |b| drop(b["payment"].as_object_mut().unwrap().remove("totalAmount")),
                "payment.totalAmount absent while payment.status is SUCCESS",
            ),
            (
                |b| b["payment"]["totalAmount"] = json!("0.00"),
                "payment.totalAmount is 0.00 while payment.status is SUCCESS",
            ),
            (
                |b| b["response"]["error"] = json!("SDP1001"),
                "payment.status SUCCESS with a non-zero response.error",
            ),
            (
                |b| drop(b["payment"].as_object_mut().unwrap().remove("status")),
                "payment.status absent while response.error is \"0\"",
            ),
        ];
        for (edit, warning) in cases {
            let mut body = sample(&SampleIds::fixed("db-w"));
            edit(&mut body);
            assert_eq!(validate(&body).unwrap().warnings, [warning]);
        }
    }
}
