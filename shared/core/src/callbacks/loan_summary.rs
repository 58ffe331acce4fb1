//! **Loan Summary Response** (`POST /v3/loan/loanSummaryResponse`; the request's path is the
//! capitalised `/v3/loan/LoanSummaryRequest`, its response's is not): where a loan stands,
//! paid and pending. Schemas: `LoanSummryResponse.json` (sic), `payment.json`,
//! `loantenure.json` (`spec/v3-schemas/`). Dates are read as [`PlanDate`]s (a date or a
//! timestamp). Ordered by the loan; routed to the servicing events.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{LoanTenure, Payment, ServicedLoanStatus};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "LOAN_SUMMARY_RESPONSE",
    title: "Loan Summary Response",
    summary: "where a loan stands: paid, pending, next repayment",
    paths: &["/v3/loan/loanSummaryResponse"],
    package: "loan-summary-response",
    function: "LoanSummaryResponseFunction",
    schema: "LoanSummryResponse",
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
    openapi: super::common::schema::<LoanSummaryResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<LoanSummaryResponse>(TYPE, body, policy)
}

/// Loan Summary Response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoanSummaryResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loan_id: Reference,
    pub loan_status: ServicedLoanStatus,
    pub created_date: PlanDate,
    pub start_date: PlanDate,
    pub end_date: PlanDate,
    pub summary: LoanSummary,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A loan's figures (every member required).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoanSummary {
    pub next_repayment: Payment,
    pub current_repayment: Payment,
    pub principal_paid: Amount,
    pub interest_paid: Amount,
    pub penalty_paid: Amount,
    pub principal_pending: Amount,
    pub interest_pending: Amount,
    pub amount_disbursed: Amount,
    pub amount_repaid: Amount,
    pub tenure: LoanTenure,
    pub description: Text,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for LoanSummaryResponse {
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

fn installment(id: &str, n: &str, status: Value) -> Value {
    json!({"id": id, "totalAmount": "8750.00", "installmentNumber": n, "status": status, "date": "2024-06-01T00:00:00+05:30"})
}

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanId": "LOAN-2024-000123",
        "loanStatus": "GRANTED",
        "createdDate": "2024-05-01",
        "startDate": "2024-05-01",
        "endDate": "2025-04-30",
        "summary": {
            "nextRepayment": installment("RPY-4", "4", Value::Null),
            "currentRepayment": installment("RPY-3", "3", json!("SUCCESS")),
            "principalPaid": "24000.00",
            "interestPaid": "2250.00",
            "penaltyPaid": "0.00",
            "principalPending": "76000.00",
            "interestPending": "4650.00",
            "amountDisbursed": "100000.00",
            "amountRepaid": "26250.00",
            "tenure": {"duration": "12", "unit": "MONTH"},
            "description": "3 of 12 installments paid"
        }
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let mut b = sample(ids);
    b["loanId"] = json!(format!("LOAN-{}", rng.hex(8)));
    b["loanStatus"] = json!(*rng.pick(&["GRANTED", "GRANTED", "OVERDUE", "COMPLETED"]));
    b
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_summary = sample(ids);
    if let Some(b) = no_summary.as_object_mut() {
        b.remove("summary");
    }
    let mut bad_status = sample(ids);
    bad_status["loanStatus"] = json!("CLOSED");
    vec![
        Variant::new("invalid-no-summary", no_summary, "GEN5001"),
        Variant::new("invalid-loan-status-enum", bad_status, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_summary_is_recorded_and_ordered_by_its_loan() {
        let c = validate(&sample(&SampleIds::fixed("ls-1"))).unwrap();
        assert_eq!(c.ordering_key, "loan:LOAN-2024-000123");
        assert_eq!(c.payload["summary"]["amountRepaid"], "26250.00");
    }

    #[test]
    fn a_missing_summary_and_a_status_outside_its_enum_get_the_spec_codes() {
        for v in events(&SampleIds::fixed("ls-2")) {
            assert_eq!(validate(&v.body).unwrap_err().code.as_str(), v.code, "{}", v.name);
        }
    }

    #[test]
    fn the_request_paths_capital_is_not_the_responses() {
        assert_eq!(CallbackType::from_path("/v3/loan/loanSummaryResponse"), Some(TYPE));
        assert_eq!(CallbackType::from_path("/v3/loan/LoanSummaryRequest"), None);
    }
}
