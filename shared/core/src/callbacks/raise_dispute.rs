//! **Raise Dispute Response** (`POST /v3/loan/dispute/raiseDisputeResponse`): the lender registered the borrower's dispute. Schemas: RaiseDisputeResponse.json, dispute.json (the API file spells the path with a leading space: served without it)
//! (`spec/v3-schemas/`). The body names no loan: with correlation the request's ids order
//! it (docs/idempotency.md "Correlation"). Routed to `DisputeEventsQueue`.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::Dispute;
use crate::domain::*;
use crate::wire::Extra;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};

use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "RAISE_DISPUTE_RESPONSE",
    title: "Raise Dispute Response",
    summary: "the lender registered the borrower's dispute",
    paths: &["/v3/loan/dispute/raiseDisputeResponse"],
    package: "raise-dispute-response",
    function: "RaiseDisputeResponseFunction",
    schema: "RaiseDisputeResponse",
    queues: &["DisputeEventsQueue"],
    weight: 1,
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<DisputeResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<DisputeResponse>(TYPE, body, policy)
}

/// Raise Dispute Response and the callbacks that share its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DisputeResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub dispute: Dispute,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for DisputeResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }
}

// ---- samples ------------------------------------------------------------------------

pub(crate) fn dispute() -> Value {
    json!({
        "id": "DSP-2024-000012",
        "description": "installment debited twice",
        "status": "NEW"
    })
}

pub(crate) fn simulated_dispute(rng: &mut Rng) -> Value {
    let mut d = dispute();
    d["id"] = json!(format!("DSP-{}", rng.hex(8)));
    d["status"] = json!(*rng.pick(&["NEW", "PROCESSING", "RESOLVED"]));
    d
}

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "dispute": dispute() }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "dispute": simulated_dispute(rng) }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut missing = sample(ids);
    if let Some(b) = missing.as_object_mut() {
        b.remove("dispute");
    }
    let mut outside = sample(ids);
    if let Some(v) = outside.pointer_mut("/dispute/status") {
        *v = json!("ESCALATED");
    }
    vec![
        Variant::new("invalid-missing-dispute", missing, "GEN5001"),
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
