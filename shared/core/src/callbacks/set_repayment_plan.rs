//! **Set Repayment Plan Response** (`POST /v3/repayment/setPlanResponse`): the
//! lender set up the repayment plan the borrower chose, and says where the e-mandate is
//! authorised (`plan.paymentUrl`). Schemas: `SetRepaymentPlanResponse.json`,
//! `paymentplan.json` (`spec/v3-schemas/`). The body names no loan: with correlation the
//! request's ids order it (docs/idempotency.md "Correlation"). Routed to the repayment ledger (FIFO).

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::PaymentPlan;
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "SET_REPAYMENT_PLAN_RESPONSE",
    title: "Set Repayment Plan Response",
    summary: "the lender set up the chosen repayment plan (e-mandate to authorise)",
    paths: &["/v3/repayment/setPlanResponse"],
    package: "set-repayment-plan-response",
    function: "SetRepaymentPlanResponseFunction",
    schema: "SetRepaymentPlanResponse",
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
    openapi: super::common::schema::<PlanResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<PlanResponse>(TYPE, body, policy)
}

/// Set Repayment Plan Response, Set Repayment Plan Status Response and Set Disbursement Plan
/// Response (the same members:
/// `plan`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub plan: PaymentPlan,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for PlanResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }
}

// ---- samples ------------------------------------------------------------------------

/// A monthly e-mandate plan, its start date spelt as the spec's example spells it.
pub(crate) fn plan(status: &str) -> Value {
    json!({
        "id": "RP-2024-000077",
        "title": "Monthly EMI",
        "automatic": true,
        "scheduleType": "RECURRING",
        "noOfInstallment": "12",
        "frequency": "MONTHLY",
        "tenure": {"duration": "12", "unit": "MONTH"},
        "totalAmount": "105000.00",
        "principal": "100000.00",
        "interestAmount": "5000.00",
        "startDate": "18-12-2024",
        "status": status,
        "paymentUrl": "https://lender.example/mandate/RP-2024-000077"
    })
}

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "plan": plan("PENDING_AUTH") }))
}

pub(crate) fn simulated_plan(rng: &mut Rng, status: &str) -> Value {
    let mut p = plan(status);
    p["id"] = json!(format!("RP-{}", rng.hex(10)));
    p["totalAmount"] = json!(rng.amount(100_000, 50_000_000));
    p["principal"] = Value::Null;
    p["interestAmount"] = Value::Null;
    p
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "plan": simulated_plan(rng, "PENDING_AUTH") }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_total = sample(ids);
    if let Some(p) = no_total["plan"].as_object_mut() {
        p.remove("totalAmount");
    }
    let mut bad_schedule = sample(ids);
    bad_schedule["plan"]["scheduleType"] = json!("SOMETIMES");
    vec![
        Variant::new("invalid-no-total-amount", no_total, "GEN5001"),
        Variant::new("invalid-schedule-type-enum", bad_schedule, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_plan_is_recorded_with_its_installments_and_start_date_in_iso() {
        let c = validate(&sample(&SampleIds::fixed("rp-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        let plan = &c.payload["plan"];
        assert_eq!(plan["noOfInstallment"], "12", "passed on as sent");
        assert_eq!(plan["startDate"], "2024-12-18", "18-12-2024, day-month-year");
        assert_eq!(plan["paymentUrl"], "https://lender.example/mandate/RP-2024-000077");
        assert_eq!(c.ordering_key, "request:rp-1", "the request's ids order it");
    }

    #[test]
    fn either_spelling_of_the_installment_count_is_read_and_checked() {
        let mut body = sample(&SampleIds::fixed("rp-2"));
        let count = body["plan"].as_object_mut().unwrap().remove("noOfInstallment").unwrap();
        body["plan"]["noOfInstallments"] = count;
        let c = validate(&body).unwrap();
        assert_eq!(c.payload["plan"]["noOfInstallments"], "12");
        for spelling in ["noOfInstallment", "noOfInstallments"] {
            let mut body = sample(&SampleIds::fixed("rp-2"));
            body["plan"][spelling] = json!(12);
            let r = validate(&body).unwrap_err();
            assert_eq!(r.code.as_str(), "LSP4001", "{spelling}");
            assert!(r.detail.contains(&format!("plan.{spelling}")), "{}", r.detail);
        }
    }

    #[test]
    fn a_start_date_that_is_no_day_is_refused_naming_it() {
        let mut body = sample(&SampleIds::fixed("rp-3"));
        body["plan"]["startDate"] = json!("31-02-2024");
        let r = validate(&body).unwrap_err();
        assert_eq!(r.code.as_str(), "LSP4001");
        assert!(r.detail.contains("plan.startDate"), "{}", r.detail);
    }

    #[test]
    fn a_missing_required_member_and_a_value_outside_its_enum_get_the_spec_codes() {
        for v in events(&SampleIds::fixed("rp-4")) {
            assert_eq!(validate(&v.body).unwrap_err().code.as_str(), v.code, "{}", v.name);
        }
    }
}
