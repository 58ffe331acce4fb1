//! **Set Offer Response** (`POST /v3/offer/setOfferResponse`, also `/v3/offer/setOffersResponse`,
//! the spelling of lenders' documents and of v4): the lender answers the offer the borrower
//! chose. Schema: `SetOfferResponse.json` (`spec/v3-schemas/`): `loanApplicationId` and
//! `loanApplicationStatus` (an enum here, unlike in `loanApplications.json`). Routed to the
//! application events (FIFO, ordered per loan application).

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::Extra;
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "SET_OFFER_RESPONSE",
    title: "Set Offer Response",
    summary: "the lender answers the offer the borrower chose",
    paths: &["/v3/offer/setOfferResponse", "/v3/offer/setOffersResponse"],
    package: "set-offer-response",
    function: "SetOfferResponseFunction",
    schema: "SetOfferResponse",
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
    openapi: super::common::schema::<SetOfferResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<SetOfferResponse>(TYPE, body, policy)
}

crate::domain::ocen_enum!(
    /// `loanApplicationStatus` of Set Offer Response (an enum in its schema).
    OfferDecision {
        OfferAccepted = "OFFER_ACCEPTED",
        Processing = "PROCESSING",
        Offered = "OFFERED",
        Granted = "GRANTED",
        Rejected = "REJECTED",
    }
);

/// Set Offer Response: where the loan application stands after the borrower's choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetOfferResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loan_application_id: Reference,
    pub loan_application_status: OfferDecision,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for SetOfferResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// An application's callbacks are delivered in order.
    fn ordering_key(&self) -> Option<String> {
        Some(format!("application:{}", self.loan_application_id))
    }
}

// ---- samples ------------------------------------------------------------------------

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "loanApplicationId": "LA-2024-000045",
        "loanApplicationStatus": "OFFER_ACCEPTED"
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let status = *rng.pick(&["OFFER_ACCEPTED", "OFFER_ACCEPTED", "PROCESSING", "REJECTED"]);
    ids.body(json!({
        "loanApplicationId": format!("LA-{}", rng.hex(10)),
        "loanApplicationStatus": status
    }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut bad_status = sample(ids);
    bad_status["loanApplicationStatus"] = json!("ACCEPTED");
    let mut no_application = sample(ids);
    if let Some(b) = no_application.as_object_mut() {
        b.remove("loanApplicationId");
    }
    vec![
        Variant::new("invalid-status-enum", bad_status, "GEN5002"),
        Variant::new("invalid-no-application-id", no_application, "GEN5001"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn an_accepted_offer_is_recorded_and_ordered_by_its_application() {
        let c = validate(&sample(&SampleIds::fixed("so-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.ordering_key, "application:LA-2024-000045");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn both_spellings_of_the_path_are_served() {
        for p in ["/v3/offer/setOfferResponse", "/v3/offer/setOffersResponse"] {
            assert_eq!(CallbackType::from_path(p), Some(TYPE), "{p}");
        }
    }

    #[test]
    fn a_status_outside_the_enum_and_a_missing_application_id_are_refused_with_the_spec_codes() {
        for v in events(&SampleIds::fixed("so-2")) {
            let code = validate(&v.body).unwrap_err().code;
            assert_eq!(code.as_str(), v.code, "{}", v.name);
        }
    }
}
