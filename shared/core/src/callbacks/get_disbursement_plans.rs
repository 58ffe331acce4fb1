//! **Get Disbursement Plans Response** (`POST /v3/disbursement/getDisbursementPlansResponse`): the disbursement plans the lender offers for a loan. Schemas: GetDisbursementPlansResponse.json, paymentplan.json
//! (`spec/v3-schemas/`). The body names no loan: with correlation the request's ids order
//! it (docs/idempotency.md "Correlation"). Routed to `LoanSetupEventsQueue`.

use super::common::ValidationPolicy;
use super::get_repayment_plans::PlansResponse;
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use super::set_repayment_plan::{plan, simulated_plan};
use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "GET_DISBURSEMENT_PLANS_RESPONSE",
    title: "Get Disbursement Plans Response",
    summary: "the disbursement plans the lender offers for a loan",
    paths: &["/v3/disbursement/getDisbursementPlansResponse"],
    package: "get-disbursement-plans-response",
    function: "GetDisbursementPlansResponseFunction",
    schema: "GetDisbursementPlansResponse",
    queues: &["LoanSetupEventsQueue"],
    weight: 1,
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<PlansResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<PlansResponse>(TYPE, body, policy)
}


// ---- samples ------------------------------------------------------------------------

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "plans": [plan("ACTIVE")] }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "plans": [simulated_plan(rng, "ACTIVE"), simulated_plan(rng, "ACTIVE")] }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut missing = sample(ids);
    if let Some(b) = missing.as_object_mut() {
        b.remove("plans");
    }
    let mut outside = sample(ids);
    if let Some(v) = outside.pointer_mut("/plans/0/scheduleType") {
        *v = json!("SOMETIMES");
    }
    vec![
        Variant::new("invalid-missing-plans", missing, "GEN5001"),
        Variant::new("invalid-enum", outside, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn its_sample_is_recorded_as_its_own_type_without_warnings() {
        let c = validate(&sample(&SampleIds::fixed("s-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn a_missing_required_member_and_a_value_outside_its_enum_get_the_spec_codes() {
        for v in events(&SampleIds::fixed("s-2")) {
            assert_eq!(validate(&v.body).unwrap_err().code.as_str(), v.code, "{}", v.name);
        }
    }
}
