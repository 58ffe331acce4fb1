//! **Set Repayment Plan Status Response** (`POST /v3/repayment/setRepaymentPlanStatusResponse`):
//! where the repayment plan stands; it becomes ACTIVE once the borrower authorised the
//! e-mandate. Schema: `SetRepaymentPlanStatusResponse.json` (`spec/v3-schemas/`): the same
//! members as Set Repayment Plan Response (`plan`), read by the same type. Routed to the
//! repayment ledger (FIFO).
//!
//! **Revisable**: Juspay documents it as "Set Repayment Plan Status Response / Webhook"
//! (developer.juspay.in, v3.2 reference), and the plan becomes ACTIVE "only after
//! successful authorization of the e-mandate" (its repayment APIs page): the lender posts
//! the same `requestId` again as the status moves (PENDING_AUTH → ACTIVE). Each distinct
//! body is the next revision, with its own event, in order; an identical one a duplicate.

use super::common::{Body, ValidationPolicy};
use super::objects::PlanStatus;
use super::set_repayment_plan::{plan, simulated_plan, PlanResponse};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "SET_REPAYMENT_PLAN_STATUS_RESPONSE",
    title: "Set Repayment Plan Status Response",
    summary: "the repayment plan's status (ACTIVE once the e-mandate is authorised)",
    paths: &["/v3/repayment/setRepaymentPlanStatusResponse"],
    package: "set-repayment-plan-status-response",
    function: "SetRepaymentPlanStatusResponseFunction",
    schema: "SetRepaymentPlanStatusResponse",
    queues: &["RepaymentLedgerQueue"],
    weight: 1,
    answers_request: true,
    revisable: true,
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

/// A status answer without a status misses its point: a warning.
fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate_with::<PlanResponse>(TYPE, body, policy, status_rules)
}

fn status_rules(body: &PlanResponse) -> Vec<String> {
    let mut w = body.warnings();
    if body.plan.status.is_none() && body.response.is_ok() {
        w.push("plan.status absent while response.error is \"0\"".to_string());
    }
    if body.plan.status == Some(PlanStatus::Active) && !body.response.is_ok() {
        w.push("plan.status ACTIVE with a non-zero response.error".to_string());
    }
    w
}

// ---- samples ------------------------------------------------------------------------

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "plan": plan("ACTIVE") }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let status = *rng.pick(&["ACTIVE", "ACTIVE", "PENDING_AUTH", "INACTIVE"]);
    ids.body(json!({ "plan": simulated_plan(rng, status) }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_status = sample(&SampleIds {
        request_id: "rps-warning-no-status".into(),
        ..ids.clone()
    });
    if let Some(p) = no_status["plan"].as_object_mut() {
        p.remove("status");
    }
    let mut bad_status = sample(ids);
    bad_status["plan"]["status"] = json!("AUTHORISED");
    vec![
        Variant::new("warning-no-status", no_status, "0"),
        Variant::new("invalid-status-enum", bad_status, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn an_active_plan_is_recorded_as_its_own_type() {
        let c = validate(&sample(&SampleIds::fixed("rps-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.payload["plan"]["status"], "ACTIVE");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn a_status_answer_without_a_status_is_a_warning_and_an_unknown_one_is_refused() {
        let mut v = events(&SampleIds::fixed("rps-2"));
        assert_eq!(
            validate(&v.remove(0).body).unwrap().warnings,
            ["plan.status absent while response.error is \"0\""]
        );
        assert_eq!(validate(&v.remove(0).body).unwrap_err().code.as_str(), "GEN5002");
    }
}
