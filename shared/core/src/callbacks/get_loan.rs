//! **Get Loan Response** (`POST /v3/loan/getLoanResponse`): a loan whole: its parties,
//! collaterals, terms and the plans chosen. Schemas: `GetLoanResponse.json`, `borrower.json`,
//! `lender.json`, `collateral.json`, `guarantor.json`, `applicant.json`, `loanterms.json`,
//! `chosenDisbursement.json`, `chosenRepayment.json` (`spec/v3-schemas/`). The borrower's
//! personal data is passed on, never logged. Ordered by the loan; routed to the servicing
//! events.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{
    Applicant, Borrower, ChosenPlan, Collateral, Guarantor, Listed, LoanTerms, LoanType,
    ServicedLoanStatus,
};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "GET_LOAN_RESPONSE",
    title: "Get Loan Response",
    summary: "a loan whole: parties, collaterals, terms, chosen plans",
    paths: &["/v3/loan/getLoanResponse"],
    package: "get-loan-response",
    function: "GetLoanResponseFunction",
    schema: "GetLoanResponse",
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
    openapi: super::common::schema::<GetLoanResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<GetLoanResponse>(TYPE, body, policy)
}

/// Get Loan Response. The lender (`lender.json`) is carried untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GetLoanResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loan_id: Reference,
    pub loan_status: ServicedLoanStatus,
    pub created_date: PlanDate,
    pub start_date: PlanDate,
    pub end_date: PlanDate,
    #[serde(rename = "type")]
    pub loan_type: LoanType,
    pub borrower: Borrower,
    pub lender: Extra,
    pub collaterals: Listed<Collateral>,
    pub guarantors: Listed<Guarantor>,
    pub applicants: Listed<Applicant>,
    pub terms: LoanTerms,
    pub disbursement: ChosenPlan,
    pub repayment: ChosenPlan,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for GetLoanResponse {
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
    let application = super::create_loan_applications::application("LA-2024-000045");
    let plan = super::set_repayment_plan::plan("ACTIVE");
    ids.body(json!({
        "loanId": "LOAN-2024-000123",
        "loanStatus": "GRANTED",
        "createdDate": "2024-05-01",
        "startDate": "2024-05-01",
        "endDate": "2025-04-30",
        "type": "PERSONAL",
        "borrower": application["borrower"],
        "lender": {"primaryId": "AWWPA7645M", "primaryIdType": "PAN", "name": "ABC Bank", "category": "ORGANIZATION", "contactDetails": [], "documents": []},
        "collaterals": [],
        "guarantors": [],
        "applicants": [],
        "terms": application["terms"],
        "disbursement": {"plan": {"id": "DP-1", "automatic": false, "scheduleType": "ONE_TIME", "totalAmount": "100000.00"}},
        "repayment": {"plan": plan, "method": {"id": "PM-1", "status": "ACTIVE", "type": "ENACH"}}
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let mut b = sample(ids);
    b["loanId"] = json!(format!("LOAN-{}", rng.hex(8)));
    b
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_lender = sample(ids);
    if let Some(b) = no_lender.as_object_mut() {
        b.remove("lender");
    }
    let mut bad_type = sample(ids);
    bad_type["type"] = json!("GOLD");
    vec![
        Variant::new("invalid-no-lender", no_lender, "GEN5001"),
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
    fn a_loan_is_recorded_whole_and_ordered_by_it() {
        let body = sample(&SampleIds::fixed("gl-1"));
        let c = validate(&body).unwrap();
        assert_eq!(c.ordering_key, "loan:LOAN-2024-000123");
        assert_eq!(c.payload["borrower"], body["borrower"]);
        assert_eq!(c.payload["repayment"]["method"], body["repayment"]["method"]);
    }

    #[test]
    fn a_missing_lender_and_a_type_outside_its_enum_get_the_spec_codes() {
        for v in events(&SampleIds::fixed("gl-2")) {
            assert_eq!(validate(&v.body).unwrap_err().code.as_str(), v.code, "{}", v.name);
        }
    }
}
