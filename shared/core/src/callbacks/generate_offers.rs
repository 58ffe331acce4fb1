//! **Generate Offers Response** (`POST /v3/offer/generateOffersResponse`): the lender's
//! offers (or rejection, or the action it needs) for each loan application. Schemas:
//! `GenerateOfferResponse.json`, whose items refer to `loanApplication.json` while the file
//! is `loanApplications.json` (`$id` `loanApplication.json`), `offer.json` and the objects it
//! names (`spec/v3-schemas/`). Routed to the application events (FIFO, per application).
//!
//! Where the spec slips (docs/protocol.md "Spec slips"): `offers`, `rejectionDetails` and
//! `actionRequired` are one object in `loanApplications.json` and arrays on Juspay's page
//! and in lenders' samples: both read, always arrays in the event. `loanApplicationStatus`
//! lists its values as `examples`, not an enum: any value is read; one outside the
//! examples is a warning.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{ActionRequired, Offer, RejectionDetail, MAX_APPLICATIONS, MAX_APPLICATION_ENTRIES};
use super::set_offer::OfferDecision;
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::{Entries, Extra, OneOrList};
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "GENERATE_OFFERS_RESPONSE",
    title: "Generate Offers Response",
    summary: "the lender's offers (or rejection) for each loan application",
    paths: &["/v3/offer/generateOffersResponse"],
    package: "generate-offers-response",
    function: "GenerateOffersResponseFunction",
    schema: "GenerateOfferResponse",
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
    openapi: super::common::schema::<GenerateOffersResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<GenerateOffersResponse>(TYPE, body, policy)
}

/// Generate Offers Response: each application's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenerateOffersResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub loan_applications: Entries<ApplicationDecision, MAX_APPLICATIONS>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A loan application as the lender decided it (`loanApplications.json`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDecision {
    pub loan_application_id: Reference,
    /// Its values are the schema's `examples` only (see the module).
    pub loan_application_status: Reference,
    pub offers: Option<OneOrList<Offer, MAX_APPLICATION_ENTRIES>>,
    pub rejection_details: Option<OneOrList<RejectionDetail, MAX_APPLICATION_ENTRIES>>,
    pub action_required: Option<OneOrList<ActionRequired, MAX_APPLICATION_ENTRIES>>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for GenerateOffersResponse {
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
        for (i, a) in self.loan_applications.iter().enumerate() {
            let status = a.loan_application_status.as_str();
            if OfferDecision::parse(status).is_err() {
                w.push(format!(
                    "loanApplications[{i}].loanApplicationStatus is not one of the schema's examples ({})",
                    OfferDecision::ALLOWED.join(", ")
                ));
            }
            let offers = a.offers.as_ref().map_or(0, |o| o.len());
            if status == "OFFERED" && offers == 0 {
                w.push(format!("loanApplications[{i}] OFFERED without offers"));
            }
            if status == "REJECTED" && a.rejection_details.as_ref().is_none_or(|r| r.is_empty()) {
                w.push(format!("loanApplications[{i}] REJECTED without rejectionDetails"));
            }
        }
        w
    }
}

// ---- samples ------------------------------------------------------------------------

fn offer(id: &str) -> Value {
    let plan = super::set_repayment_plan::plan("ACTIVE");
    json!({
        "id": id,
        "validTill": "2024-05-08T23:59:59+05:30",
        "description": "12 monthly installments",
        "terms": {
            "requestedAmount": "100000.00",
            "sanctionedAmount": "100000.00",
            "currency": "INR",
            "interestType": "FIXED",
            "interestRate": "12.5",
            "totalAmount": "106900.00",
            "interestAmount": "6900.00",
            "tenure": {"duration": "12", "unit": "MONTH"},
            "charges": [{"chargeType": "FIXED_AMOUNT", "data": {"amount": 999.0, "description": "processing fee"}}]
        },
        "disbursement": {"plans": [{
            "id": "DP-1", "automatic": false, "scheduleType": "ONE_TIME",
            "noOfInstallment": "1", "totalAmount": "100000.00"
        }]},
        "repayment": {"plans": [plan]}
    })
}

/// Offered, its `offers` one object as `loanApplications.json` types it.
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "loanApplications": [{
        "loanApplicationId": "LA-2024-000045",
        "loanApplicationStatus": "OFFERED",
        "offers": offer("OF-2024-000901")
    }]}))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    let id = format!("LA-{}", rng.hex(10));
    if rng.chance(0.2) {
        return ids.body(json!({ "loanApplications": [{
            "loanApplicationId": id,
            "loanApplicationStatus": "REJECTED",
            "rejectionDetails": [{"reason": "LOW_CREDIT_SCORE", "description": "bureau score below policy"}]
        }]}));
    }
    ids.body(json!({ "loanApplications": [{
        "loanApplicationId": id,
        "loanApplicationStatus": "OFFERED",
        "offers": [offer(&format!("OF-{}", rng.hex(8))), offer(&format!("OF-{}", rng.hex(8)))]
    }]}))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut as_arrays = sample(&SampleIds {
        request_id: format!("{}-arrays", ids.request_id),
        ..ids.clone()
    });
    as_arrays["loanApplications"][0]["offers"] = json!([offer("OF-1"), offer("OF-2")]);
    let mut no_status = sample(ids);
    if let Some(a) = no_status["loanApplications"][0].as_object_mut() {
        a.remove("loanApplicationStatus");
    }
    let mut bad_reason = sample(ids);
    bad_reason["loanApplications"][0]["rejectionDetails"] =
        json!({"reason": "BAD_LUCK", "description": "x"});
    vec![
        Variant::new("offers-array-valid", as_arrays, "0"),
        Variant::new("invalid-no-status", no_status, "GEN5001"),
        Variant::new("invalid-rejection-reason-enum", bad_reason, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn one_offer_object_is_read_and_passed_on_as_an_array() {
        let c = validate(&sample(&SampleIds::fixed("go-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_eq!(c.ordering_key, "application:LA-2024-000045");
        let offers = c.payload["loanApplications"][0]["offers"].as_array().unwrap();
        assert_eq!(offers.len(), 1);
        assert_eq!(offers[0]["id"], "OF-2024-000901");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn an_array_of_offers_is_read_as_sent() {
        let v = events(&SampleIds::fixed("go-2")).remove(0);
        let c = validate(&v.body).unwrap();
        assert_eq!(c.payload["loanApplications"][0]["offers"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_charges_amount_as_a_number_is_carried_as_sent() {
        let c = validate(&sample(&SampleIds::fixed("go-3"))).unwrap();
        let charge = &c.payload["loanApplications"][0]["offers"][0]["terms"]["charges"][0];
        assert_eq!(charge["data"]["amount"].to_string(), "999.0");
    }

    #[test]
    fn a_status_outside_the_examples_is_a_warning_not_a_refusal() {
        let mut body = sample(&SampleIds::fixed("go-4"));
        body["loanApplications"][0]["loanApplicationStatus"] = json!("UNDER_REVIEW");
        let c = validate(&body).unwrap();
        assert!(c.warnings[0].contains("not one of the schema's examples"), "{:?}", c.warnings);
    }

    #[test]
    fn a_missing_status_and_a_reason_outside_its_enum_get_the_spec_codes() {
        for v in events(&SampleIds::fixed("go-5")).into_iter().skip(1) {
            assert_eq!(validate(&v.body).unwrap_err().code.as_str(), v.code, "{}", v.name);
        }
    }
}
