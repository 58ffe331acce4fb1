//! **Trigger Disbursement Status Response** (`POST
//! /v3/disbursement/triggerDisbursementStatusResponse`, also the capitalised
//! `/TriggerDisbursementStatusResponse` that the spec's API file spells): the lender answers
//! the LSP's question about a disbursement's status. Schema:
//! `TriggerDisbursementStatusResponse.json` (`spec/v3-schemas/`): the same members as Trigger
//! Disbursement Response (`payment` required), so it is read by the same type
//! ([`super::disbursement`]), `loanId` included when the lender sends it. Routed like it: to
//! the disbursement ledger (FIFO, one group per loan, so a loan's disbursement and status
//! callbacks keep their order) and notifications.

use super::common::ValidationPolicy;
use super::disbursement::{simulated_payment, TriggerDisbursementResponse};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "DISBURSEMENT_STATUS_RESPONSE",
    title: "Trigger Disbursement Status Response",
    summary: "the lender answers the LSP's query on a disbursement's status",
    paths: &[
        "/v3/disbursement/triggerDisbursementStatusResponse",
        "/v3/disbursement/TriggerDisbursementStatusResponse",
    ],
    package: "disbursement-status-response",
    function: "DisbursementStatusResponseFunction",
    schema: "TriggerDisbursementStatusResponse",
    queues: &["DisbursementLedgerQueue", "DisbursementNotificationsQueue"],
    weight: 2,
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

/// A disbursement body, answered to a status query: the same rules (a status answer is
/// acted on the same way) and the same ordering key, so it shares the loan's FIFO group
/// with its Trigger Disbursement Response callbacks.
fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<TriggerDisbursementResponse>(TYPE, body, policy)
}

// ---- samples ------------------------------------------------------------------------

/// A pending disbursement that went through.
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanId": "LOAN-2024-000123",
        "payment": {
            "id": "e8cc6822bd4bbb4eb1b9e1b4996fbff8acb",
            "date": "2024-05-01T10:20:00+05:30",
            "totalAmount": "10000.00",
            "status": "SUCCESS",
            "paymentMethodType": "NETBANKING",
            "txnRefNo": super::sample::SAMPLE_TXN_REF
        }
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let payment = simulated_payment(rng, ids);
    ids.body(json!({"loanId": format!("LOAN-{:06}", rng.below(1_000_000)), "payment": payment}))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut pending = sample(&SampleIds {
        request_id: "s8cc-pending-auth".into(),
        ..ids.clone()
    });
    pending["payment"]["status"] = json!("PENDING_AUTH");
    let mut no_amount = sample(&SampleIds {
        request_id: "s8cc-warning-no-amount".into(),
        ..ids.clone()
    });
    if let Some(p) = no_amount["payment"].as_object_mut() {
        p.remove("totalAmount");
    }
    let mut no_payment = sample(ids);
    if let Some(b) = no_payment.as_object_mut() {
        b.remove("payment");
    }
    let mut bad_amount = sample(ids);
    bad_amount["payment"]["totalAmount"] = json!("10000.001");
    vec![
        Variant::new("pending-auth-valid", pending, "0"),
        Variant::new("warning-success-without-amount", no_amount, "0"),
        Variant::new("invalid-missing-payment", no_payment, "GEN5001"),
        Variant::new("invalid-amount", bad_amount, "LSP4001"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::disbursement;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_status_answer_is_recorded_as_its_own_type_with_the_amount_in_exact_paise() {
        let c = validate(&sample(&SampleIds::fixed("ds-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_ne!(c.kind, disbursement::TYPE);
        assert_eq!(c.payload.clone()["payment"]["totalAmount"], "10000.00");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn a_loans_status_answer_shares_the_fifo_group_of_its_disbursement() {
        let status = validate(&sample(&SampleIds::fixed("ds-2"))).unwrap();
        let ids = SampleIds::fixed("ds-3");
        let trigger =
            crate::callbacks::check(&disbursement::DEF, &(disbursement::TOOLS.sample)(&ids))
                .unwrap();
        assert_eq!(status.ordering_key, "loan:LOAN-2024-000123");
        assert_eq!(status.ordering_key, trigger.ordering_key);
    }

    #[test]
    fn a_success_without_an_amount_is_a_warning() {
        let v = events(&SampleIds::fixed("ds-4")).remove(1);
        assert_eq!(
            validate(&v.body).unwrap().warnings,
            ["payment.totalAmount absent while payment.status is SUCCESS"]
        );
    }

    #[test]
    fn a_body_without_payment_is_refused_naming_it() {
        let v = events(&SampleIds::fixed("ds-5")).remove(2);
        let r = validate(&v.body).unwrap_err();
        assert_eq!(r.code.as_str(), "GEN5001");
        assert!(r.detail.contains("payment"), "{}", r.detail);
    }

    #[test]
    fn an_amount_with_three_decimals_is_refused() {
        let v = events(&SampleIds::fixed("ds-6")).remove(3);
        assert_eq!(validate(&v.body).unwrap_err().code.as_str(), "LSP4001");
    }
}
