//! **Create Loan Applications Response** (`POST /v3/loanApplication/createLoanApplicationsResponse`):
//! the lender created the loan applications the LSP asked for. Schema:
//! `CreateLoanApplicationsResponse.json` (`spec/v3-schemas/`; the API file's `$ref` dangles
//! to a bulk-create file, the schema file is the one in this folder). Each application's
//! borrower, collaterals, guarantors, applicants and terms are required; the parties carry
//! personal data (ids, names, contacts, documents): passed on in the event, never logged.
//!
//! The schema has no status although its description says the lender answers PROCESSING
//! or rejects: the answer is `response.error` (`"0"` = created) and each application's
//! presence (docs/protocol.md "Spec slips"). Ordered by the first application (a body names one in
//! the journey; a bulk body is ordered by its first). Routed to the application events.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{
    Applicant, Borrower, Collateral, Guarantor, Listed, LoanTerms, LoanType, MAX_APPLICATIONS,
};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::{Entries, Extra};
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "CREATE_LOAN_APPLICATIONS_RESPONSE",
    title: "Create Loan Applications Response",
    summary: "the lender created the loan applications, with their borrower and terms",
    paths: &["/v3/loanApplication/createLoanApplicationsResponse"],
    package: "create-loan-applications-response",
    function: "CreateLoanApplicationsResponseFunction",
    schema: "CreateLoanApplicationsResponse",
    queues: &["ApplicationEventsQueue"],
    weight: 2,
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<CreateLoanApplicationsResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<CreateLoanApplicationsResponse>(TYPE, body, policy)
}

/// Create Loan Applications Response: the applications created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateLoanApplicationsResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loan_applications: Entries<CreatedApplication, MAX_APPLICATIONS>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One created application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApplication {
    pub created_date: OcenTimestamp,
    pub loan_application_id: Reference,
    #[serde(rename = "type")]
    pub loan_type: LoanType,
    pub borrower: Borrower,
    pub collaterals: Listed<Collateral>,
    pub guarantors: Listed<Guarantor>,
    pub applicants: Listed<Applicant>,
    pub terms: LoanTerms,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for CreateLoanApplicationsResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    fn ordering_key(&self) -> Option<String> {
        self.loan_applications
            .first()
            .map(|a| format!("application:{}", a.loan_application_id))
    }

    fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.response.is_ok() && self.loan_applications.is_empty() {
            w.push("loanApplications empty while response.error is \"0\"".to_string());
        }
        w
    }
}

// ---- samples ------------------------------------------------------------------------

/// Personal data of the samples (the log test checks none reaches a log line).
pub const SAMPLE_PAN: &str = "ABCPD1234K";
pub const SAMPLE_BORROWER_NAME: &str = "Asha Devi";
pub const SAMPLE_BORROWER_MOBILE: &str = "9123456780";
pub const SAMPLE_BORROWER_EMAIL: &str = "asha.devi@example.in";

pub(crate) fn application(id: &str) -> Value {
    json!({
        "createdDate": "2024-05-01T10:15:00+05:30",
        "loanApplicationId": id,
        "type": "PERSONAL",
        "borrower": {
            "primaryId": SAMPLE_PAN,
            "primaryIdType": "PAN",
            "name": SAMPLE_BORROWER_NAME,
            "category": "INDIVIDUAL",
            "contactDetails": [
                {"type": "PRIMARY", "phone": SAMPLE_BORROWER_MOBILE, "email": SAMPLE_BORROWER_EMAIL}
            ],
            "documents": []
        },
        "collaterals": [],
        "guarantors": [],
        "applicants": [],
        "terms": {
            "requestedAmount": "100000.00",
            "currency": "INR",
            "tenure": {"duration": "12", "unit": "MONTH"}
        }
    })
}

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "loanApplications": [application("LA-2024-000045")] }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let mut a = application(&format!("LA-{}", rng.hex(10)));
    a["terms"]["requestedAmount"] = json!(rng.amount(1_000_000, 50_000_000));
    ids.body(json!({ "loanApplications": [a] }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_borrower = sample(ids);
    if let Some(a) = no_borrower["loanApplications"][0].as_object_mut() {
        a.remove("borrower");
    }
    let mut bad_type = sample(ids);
    bad_type["loanApplications"][0]["type"] = json!("GOLD");
    vec![
        Variant::new("invalid-no-borrower", no_borrower, "GEN5001"),
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
    fn a_created_application_is_recorded_whole_and_ordered_by_it() {
        let body = sample(&SampleIds::fixed("cla-1"));
        let c = validate(&body).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.ordering_key, "application:LA-2024-000045");
        assert_eq!(
            c.payload["loanApplications"][0]["borrower"],
            body["loanApplications"][0]["borrower"],
            "the borrower reaches the event as sent"
        );
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn a_missing_required_member_and_a_type_outside_its_enum_get_the_spec_codes_naming_the_path() {
        for v in events(&SampleIds::fixed("cla-2")) {
            let r = validate(&v.body).unwrap_err();
            assert_eq!(r.code.as_str(), v.code, "{}", v.name);
            assert!(r.detail.contains("loanApplications[0]"), "{}", r.detail);
        }
    }

    #[test]
    fn the_borrowers_personal_data_never_shows_in_a_refusal() {
        let mut body = sample(&SampleIds::fixed("cla-3"));
        body["loanApplications"][0]["borrower"]["primaryIdType"] = json!("VOTER_ID");
        let r = validate(&body).unwrap_err();
        assert_eq!(r.code.as_str(), "GEN5002");
        for pii in [SAMPLE_PAN, SAMPLE_BORROWER_NAME, SAMPLE_BORROWER_MOBILE] {
            assert!(!r.detail.contains(pii), "{}", r.detail);
        }
    }
}
