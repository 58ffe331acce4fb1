//! **List Loans Response** (`POST /v3/loan/listLoansResponse`): the borrower's loans with
//! this lender. Schema: `ListLoansResponse.json` (`spec/v3-schemas/`; its `response` is
//! defined inline, the same as `response.json`), `loanterms.json`. Bulk (several loans): not
//! ordered by one loan; routed to the servicing events.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{LoanTerms, MAX_APPLICATIONS};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::{Entries, Extra};
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "LIST_LOANS_RESPONSE",
    title: "List Loans Response",
    summary: "the borrower's loans with this lender",
    paths: &["/v3/loan/listLoansResponse"],
    package: "list-loans-response",
    function: "ListLoansResponseFunction",
    schema: "ListLoansResponse",
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
    openapi: super::common::schema::<ListLoansResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<ListLoansResponse>(TYPE, body, policy)
}

/// List Loans Response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListLoansResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loans: Entries<ListedLoan, MAX_APPLICATIONS>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One loan of the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedLoan {
    pub loan_id: Reference,
    pub terms: LoanTerms,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for ListLoansResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }
}

// ---- samples ------------------------------------------------------------------------

fn loan(id: &str) -> Value {
    json!({"loanId": id, "terms": {"requestedAmount": "100000.00", "sanctionedAmount": "100000.00", "currency": "INR"}})
}

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "loans": [loan("LOAN-2024-000123"), loan("LOAN-2023-000077")] }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "loans": [loan(&format!("LOAN-{}", rng.hex(8)))] }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_terms = sample(ids);
    if let Some(l) = no_terms["loans"][0].as_object_mut() {
        l.remove("terms");
    }
    let mut bad_interest = sample(ids);
    bad_interest["loans"][1]["terms"]["interestType"] = json!("VARIABLE");
    vec![
        Variant::new("invalid-no-terms", no_terms, "GEN5001"),
        Variant::new("invalid-interest-type-enum", bad_interest, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_list_is_recorded_and_ordered_by_its_request() {
        let c = validate(&sample(&SampleIds::fixed("ll-1"))).unwrap();
        assert_eq!(c.ordering_key, "request:ll-1");
        assert_eq!(c.payload["loans"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_loan_without_terms_is_gen5001_naming_it() {
        let r = validate(&events(&SampleIds::fixed("ll-2")).remove(0).body).unwrap_err();
        assert_eq!(r.code.as_str(), "GEN5001");
        assert!(r.detail.contains("loans[0].terms"), "{}", r.detail);
    }
}
