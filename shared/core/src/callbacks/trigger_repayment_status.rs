//! **Trigger Repayment Status Response** (`POST /v3/repayment/triggerRepaymentStatusResponse`):
//! the lender answers the LSP's query on a repayment's status. Schema:
//! `TriggerRepaymentStatusResponse.json` (`spec/v3-schemas/`): Trigger Repayment Response's
//! members and an optional `loanId`, read by the same type with the same rules. Ordered by
//! the loan (the body's, else the request's). Routed to the repayment ledger (FIFO).

use super::common::ValidationPolicy;
use super::trigger_repayment::{payment, simulated_payment, TriggerRepaymentResponse};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "TRIGGER_REPAYMENT_STATUS_RESPONSE",
    title: "Trigger Repayment Status Response",
    summary: "the lender answers the LSP's query on a repayment's status",
    paths: &["/v3/repayment/triggerRepaymentStatusResponse"],
    package: "trigger-repayment-status-response",
    function: "TriggerRepaymentStatusResponseFunction",
    schema: "TriggerRepaymentStatusResponse",
    queues: &["RepaymentLedgerQueue"],
    weight: 1,
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

// ---- samples ------------------------------------------------------------------------

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "loanId": "LOAN-2024-000123", "payment": payment() }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanId": format!("LOAN-{}", rng.hex(8)),
        "payment": simulated_payment(rng)
    }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut bad_method = sample(ids);
    bad_method["payment"]["paymentMethodType"] = json!("CHEQUE");
    vec![Variant::new("invalid-payment-method-enum", bad_method, "GEN5002")]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_status_answer_is_ordered_by_its_loan() {
        let c = validate(&sample(&SampleIds::fixed("trs-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.ordering_key, "loan:LOAN-2024-000123");
    }

    #[test]
    fn a_payment_method_outside_the_enum_is_refused() {
        let v = events(&SampleIds::fixed("trs-2")).remove(0);
        assert_eq!(validate(&v.body).unwrap_err().code.as_str(), "GEN5002");
    }
}
