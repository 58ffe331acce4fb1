//! **Get Repayment Plans Response** (`POST /v3/repayment/getRepaymentPlansResponse`): the repayment plans the lender offers for a loan. Schemas: GetRepaymentPlansResponse.json, paymentplan.json
//! (`spec/v3-schemas/`). The body names no loan: with correlation the request's ids order
//! it (docs/idempotency.md "Correlation"). Routed to `LoanSetupEventsQueue`.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{Listed, PaymentPlan};
use crate::domain::*;
use crate::wire::Extra;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use super::set_repayment_plan::{plan, simulated_plan};
use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "GET_REPAYMENT_PLANS_RESPONSE",
    title: "Get Repayment Plans Response",
    summary: "the repayment plans the lender offers for a loan",
    paths: &["/v3/repayment/getRepaymentPlansResponse"],
    package: "get-repayment-plans-response",
    function: "GetRepaymentPlansResponseFunction",
    schema: "GetRepaymentPlansResponse",
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

/// Get Repayment Plans Response and the callbacks that share its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlansResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub plans: Listed<PaymentPlan>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for PlansResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }
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
