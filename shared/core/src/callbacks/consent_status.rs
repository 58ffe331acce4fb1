//! **Consent Status Response** (`POST /v3/consent/consentStatusResponse`): the lender answers
//! the LSP's query on an Account Aggregator consent's status. Schema:
//! `ConsentStatusResponse.json` (`spec/v3-schemas/`): the same members as Consent Handle
//! Response (`consent` required), so it is read by the same type ([`super::consent_handle`])
//! with the same rules. Routed to the consent events queue, ordered by consent handle.

use super::common::ValidationPolicy;
use super::consent_handle::{simulated_consent, ConsentHandleResponse};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "CONSENT_STATUS_RESPONSE",
    title: "Consent Status Response",
    summary: "the lender answers the LSP's query on a consent's status",
    paths: &["/v3/consent/consentStatusResponse"],
    package: "consent-status-response",
    function: "ConsentStatusResponseFunction",
    schema: "ConsentStatusResponse",
    queues: &["ConsentHandleEventsQueue"],
    weight: 2,
    answers_request: true,
    revisable: false,
    validate,
};
pub const TYPE: CallbackType = CallbackType::of(&DEF);
/// Its OpenAPI components, sample and simulated bodies and own events: tools and tests
/// only, apart from [`DEF`] so that its function does not carry them.
pub static TOOLS: CallbackTools = CallbackTools {
    openapi: super::common::schema::<ConsentHandleResponse>,
    sample,
    simulate,
    events,
};

/// A consent body, answered to a status query: the same rules (a status answer without a
/// status is the whole point missing) and the same ordering key as the consent's handle
/// callbacks.
fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<ConsentHandleResponse>(TYPE, body, policy)
}

// ---- samples ------------------------------------------------------------------------

/// A consent that became ready.
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "consent": {
            "consentHandle": "39e108fe-9243-11e8-b9f2-0256d88baae8",
            "consentStatus": "READY",
            "consentFetchType": "PERIODIC",
            "vua": "user@aa.in"
        }
    }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "consent": simulated_consent(rng) }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut failed = sample(&SampleIds {
        request_id: "q8cc-failed".into(),
        ..ids.clone()
    });
    failed["consent"]["consentStatus"] = json!("FAILED");
    let mut no_status = sample(&SampleIds {
        request_id: "q8cc-warning-no-status".into(),
        ..ids.clone()
    });
    if let Some(c) = no_status["consent"].as_object_mut() {
        c.remove("consentStatus");
    }
    let mut bad_status = sample(ids);
    bad_status["consent"]["consentStatus"] = json!("REVOKED");
    vec![
        Variant::new("failed-valid", failed, "0"),
        Variant::new("warning-no-status", no_status, "0"),
        Variant::new("invalid-status-enum", bad_status, "GEN5002"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::consent_handle;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_status_answer_is_recorded_as_its_own_type() {
        let c = validate(&sample(&SampleIds::fixed("cs-1"))).unwrap();
        assert_eq!(c.kind, TYPE);
        assert_ne!(c.kind, consent_handle::TYPE);
        assert_eq!(c.payload.clone()["consent"]["consentStatus"], "READY");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn a_consents_status_answer_is_ordered_with_its_handle_callbacks() {
        let status = validate(&sample(&SampleIds::fixed("cs-2"))).unwrap();
        let ids = SampleIds::fixed("cs-3");
        let handle =
            crate::callbacks::check(&consent_handle::DEF, &(consent_handle::TOOLS.sample)(&ids))
                .unwrap();
        assert_eq!(status.ordering_key, handle.ordering_key);
    }

    #[test]
    fn a_status_answer_without_a_status_is_a_warning() {
        let v = events(&SampleIds::fixed("cs-4")).remove(1);
        assert_eq!(
            validate(&v.body).unwrap().warnings,
            ["consent.consentStatus absent"]
        );
    }

    #[test]
    fn an_unknown_status_is_not_in_the_enum() {
        let v = events(&SampleIds::fixed("cs-5")).remove(2);
        assert_eq!(validate(&v.body).unwrap_err().code.as_str(), "GEN5002");
    }
}
