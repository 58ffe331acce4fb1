//! **Loan Statement Response** (`POST /v3/loan/loanStatementResponse`): a loan's account
//! statement. Schemas: `LoanStatementResponse.json`, `transaction.json`
//! (`spec/v3-schemas/`; a transaction's type is spelt `WITHDRAWL`, as the schema spells it).
//! Ordered by the loan; routed to the servicing events.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{Listed, Transaction};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "LOAN_STATEMENT_RESPONSE",
    title: "Loan Statement Response",
    summary: "a loan's account statement",
    paths: &["/v3/loan/loanStatementResponse"],
    package: "loan-statement-response",
    function: "LoanStatementResponseFunction",
    schema: "LoanStatementResponse",
    queues: &["ServicingEventsQueue"],
    weight: 1,
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<LoanStatementResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<LoanStatementResponse>(TYPE, body, policy)
}

/// Loan Statement Response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoanStatementResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loan_id: Reference,
    pub account_statement: Listed<Transaction>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for LoanStatementResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    fn ordering_key(&self) -> Option<String> {
        Some(format!("loan:{}", self.loan_id))
    }
}

// ---- samples ------------------------------------------------------------------------

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanId": "LOAN-2024-000123",
        "accountStatement": [
            {"date": "2024-05-01", "narration": "disbursement", "txnRefNo": "DSB-1", "amount": "100000.00", "type": "DEPOSIT", "closingBalance": "100000.00"},
            {"date": "2024-06-01", "narration": "installment 1", "txnRefNo": "RPY-1", "amount": "8750.00", "type": "WITHDRAWL", "closingBalance": "91250.00"}
        ]
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let mut b = sample(ids);
    b["loanId"] = json!(format!("LOAN-{}", rng.hex(8)));
    b
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_ref = sample(ids);
    if let Some(t) = no_ref["accountStatement"][0].as_object_mut() {
        t.remove("txnRefNo");
    }
    let mut bad_type = sample(ids);
    bad_type["accountStatement"][1]["type"] = json!("WITHDRAWAL");
    vec![
        Variant::new("invalid-no-txn-ref", no_ref, "GEN5001"),
        Variant::new("invalid-type-enum", bad_type, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_statement_is_recorded_with_exact_amounts() {
        let c = validate(&sample(&SampleIds::fixed("st-1"))).unwrap();
        assert_eq!(c.ordering_key, "loan:LOAN-2024-000123");
        assert_eq!(c.payload["accountStatement"][1]["closingBalance"], "91250.00");
    }

    #[test]
    fn a_missing_reference_and_the_correct_spelling_of_withdrawal_get_the_spec_codes() {
        for v in events(&SampleIds::fixed("st-2")) {
            let r = validate(&v.body).unwrap_err();
            assert_eq!(r.code.as_str(), v.code, "{}", v.name);
            assert!(r.detail.contains("accountStatement["), "{}", r.detail);
        }
    }
}
