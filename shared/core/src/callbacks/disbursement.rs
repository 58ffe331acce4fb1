//! **Trigger Disbursement Response** (`POST /v3/disbursement/triggerDisbursementResponse`,
//! also the capitalised `/TriggerDisbursementResponse`): money moved, or did not. Schemas:
//! `TriggerDisbursementResponse.json`, `payment.json` (`spec/v3-schemas/`), plus `loanId`,
//! which Juspay's page asks for. Routed to the disbursement ledger (FIFO, ordered per loan)
//! and notifications.

use super::common::{
    optional, present, required, schema_ref, Body, LenderResponse, Member, Metadata,
    ValidationPolicy,
};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use serde::Serialize;
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
    super::common::validate::<DisbursementResponse>(TYPE, body, policy)
}

/// The wire shape, field for field with the v3 schemas (everything optional, `null` as
/// absent, unknown attributes kept).
pub mod wire {
    pub use crate::wire::{Extra, LenderResponse, Metadata};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TriggerDisbursementResponse {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<Metadata>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub request_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub response: Option<LenderResponse>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub loan_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub payment: Option<Payment>,
        #[serde(flatten)]
        pub extra: Extra,
    }

    #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Payment {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub date: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub total_amount: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub principal: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub interest_amount: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub fee: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub penalty: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub installment_number: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub use_saved_payment_option: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub payment_method_type: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub txn_ref_no: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub payment_url: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub url: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub extensible_data: Option<Extra>,
        #[serde(flatten)]
        pub extra: Extra,
    }
}

// ---- validated ------------------------------------------------------------------------

/// Trigger Disbursement Response: the status of a disbursement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisbursementResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_id: Option<Reference>,
    pub metadata: Metadata,
    pub payment: Payment,
    pub request_id: RequestId,
    pub response: LenderResponse,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<OcenTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<Amount>,
    pub id: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installment_number: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method_type: Option<PaymentMethod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_url: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PaymentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub txn_ref_no: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_saved_payment_option: Option<bool>,
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

impl Body for DisbursementResponse {
    type Wire = wire::TriggerDisbursementResponse;

    fn parse(w: Self::Wire, policy: &ValidationPolicy) -> Result<Self, Rejection> {
        let metadata = Metadata::parse(w.metadata, policy)?;
        let request_id = required(w.request_id, "requestId")?;
        let response = LenderResponse::parse(w.response)?;
        let loan_id = optional(w.loan_id, "loanId")?;
        let p = present(w.payment, "payment")?;
        let amount = |v: Option<String>, name| optional::<Amount>(v, &Member(&"payment", name));
        let payment = Payment {
            id: required(p.id, "payment.id")?,
            description: optional(p.description, "payment.description")?,
            date: optional(p.date, "payment.date")?,
            total_amount: amount(p.total_amount, "totalAmount")?,
            principal: amount(p.principal, "principal")?,
            interest_amount: amount(p.interest_amount, "interestAmount")?,
            fee: amount(p.fee, "fee")?,
            penalty: amount(p.penalty, "penalty")?,
            installment_number: optional(p.installment_number, "payment.installmentNumber")?,
            status: optional(p.status, "payment.status")?,
            use_saved_payment_option: p.use_saved_payment_option,
            payment_method_type: optional(p.payment_method_type, "payment.paymentMethodType")?,
            txn_ref_no: optional(p.txn_ref_no, "payment.txnRefNo")?,
            payment_url: optional(p.payment_url, "payment.paymentUrl")?,
            url: optional(p.url, "payment.url")?,
            extensible_data: p.extensible_data,
            extra: p.extra,
        };
        Ok(DisbursementResponse {
            metadata,
            request_id,
            response,
            loan_id,
            payment,
            extra: w.extra,
        })
    }

    fn into_ids(self) -> (Metadata, RequestId) {
        (self.metadata, self.request_id)
    }

    /// A loan's disbursement callbacks are delivered in order.
    fn ordering_key(&self) -> Option<String> {
        self.loan_id.as_ref().map(|l| format!("loan:{l}"))
    }

    fn warnings(&self) -> Vec<String> {
        payment_warnings(&self.payment, &self.response)
    }
}

/// Its OpenAPI components (`Payment` is the document's own).
fn openapi() -> Value {
    json!({ DEF.schema: body_schema() })
}

/// Its body's schema (shared with the callbacks that reuse the body).
pub(crate) fn body_schema() -> Value {
    super::common::body_schema(
        json!({
            "loanId": super::common::optional_schema(schema_ref("Reference")),
            "payment": schema_ref("Payment"),
        }),
        &["payment"],
    )
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
}
