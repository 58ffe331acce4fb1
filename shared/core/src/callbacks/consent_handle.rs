//! **Consent Handle Response** (`POST /v3/consent/consentHandleResponse`): the Account
//! Aggregator consent handle is ready (or not). Schemas: `ConsentHandleResponse.json`,
//! `consent.json`, `lspinfo.json` (`spec/v3-schemas/`). Routed to the consent-handle events
//! queue, ordered by consent handle.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use crate::domain::*;
use crate::error::Rejection;
use crate::wire::{ExtensibleData, Extra};
use crate::CallbackType;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "CONSENT_HANDLE_RESPONSE",
    title: "Consent Handle Response",
    summary: "the Account Aggregator consent handle is ready",
    paths: &["/v3/consent/consentHandleResponse"],
    package: "consent-handle-response",
    function: "ConsentHandleResponseFunction",
    schema: "ConsentHandleResponse",
    queues: &["ConsentHandleEventsQueue"],
    weight: 3,
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

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<ConsentHandleResponse>(TYPE, body, policy)
}

/// Consent Handle Response: the Account Aggregator consent handle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentHandleResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub consent: Consent,
    #[serde(flatten)]
    pub extra: Extra,
}

/// consent.json requires none of its members. consentStatus absent, READY without
/// consentHandle, READY with a non-zero response.error are warnings in the event, not
/// refusals.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub consent_fetch_type: Option<ConsentFetchType>,
    pub vua: Option<Text>,
    pub description: Option<Text>,
    pub is_aggregation_enabled: Option<bool>,
    pub consent_aggregation_id: Option<Reference>,
    pub lsp_info: Option<LspInfo>,
    pub consent_handle: Option<Reference>,
    pub consent_status: Option<ConsentStatus>,
    pub url: Option<Text>,
    pub extensible_data: Option<ExtensibleData>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The LSP as the consent names it (`lspInfo`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LspInfo {
    pub lsp_id: Option<Text>,
    pub version: Option<Text>,
    pub app_name: Option<Text>,
    pub url: Option<Text>,
    pub extensible_data: Option<ExtensibleData>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// consent.json requires none of its attributes: these are this service's rules, passed on
/// as warnings.
pub(crate) fn consent_warnings(consent: &Consent, response: &LenderResponse) -> Vec<String> {
    let mut warnings = Vec::new();
    if consent.consent_status.is_none() {
        warnings.push("consent.consentStatus absent".to_string());
    }
    if consent.consent_status == Some(ConsentStatus::Ready) {
        if !response.is_ok() {
            warnings.push("consent.consentStatus READY with a non-zero response.error".to_string());
        }
        if consent.consent_handle.is_none() {
            warnings.push(
                "consent.consentHandle absent while consent.consentStatus is READY".to_string(),
            );
        }
    }
    warnings
}

impl Body for ConsentHandleResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// A consent's callbacks are delivered in order.
    fn ordering_key(&self) -> Option<String> {
        self.consent
            .consent_handle
            .as_ref()
            .map(|h| format!("consent:{h}"))
    }

    fn warnings(&self) -> Vec<String> {
        consent_warnings(&self.consent, &self.response)
    }
}

// ---- samples ------------------------------------------------------------------------

/// The documented sample (Juspay's page, with the ids given).
fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({
        "consent": {
            "consentHandle": "39e108fe-9243-11e8-b9f2-0256d88baae8",
            "consentStatus": "READY",
            "consentFetchType": "ONETIME",
            "vua": "user@aa.in",
            "isAggregationEnabled": false
        }
    }))
}

/// A consent as the simulator sends it: mostly READY with a handle.
pub(crate) fn simulated_consent(rng: &mut Rng) -> Value {
    let status = *rng.pick(&["READY", "READY", "PENDING", "FAILED"]);
    let mut consent = json!({"consentStatus": status, "consentFetchType": rng.pick(&["ONETIME", "PERIODIC"]),
                             "vua": format!("user{}@aa.in", rng.below(100_000))});
    if status == "READY" {
        consent["consentHandle"] = json!(rng.uuid());
    }
    consent
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "consent": simulated_consent(rng) }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut no_handle = sample(&SampleIds {
        request_id: "c8cc-warning-no-handle".into(),
        ..ids.clone()
    });
    if let Some(c) = no_handle["consent"].as_object_mut() {
        c.remove("consentHandle");
    }
    let mut no_org = sample(ids);
    if let Some(m) = no_org["metadata"].as_object_mut() {
        m.remove("orgId");
    }
    vec![
        Variant::new("warning-ready-without-handle", no_handle, "0"),
        Variant::new("invalid-missing-org-id", no_org, "GEN5001"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(body: &Value) -> Result<crate::callbacks::Callback, Rejection> {
        crate::callbacks::common::check(&DEF, body)
    }

    #[test]
    fn a_consent_without_a_status_is_recorded_with_a_warning() {
        let mut body = sample(&SampleIds::fixed("ch-1"));
        body["consent"]
            .as_object_mut()
            .unwrap()
            .remove("consentStatus");
        let c = validate(&body).unwrap();
        assert_eq!(c.warnings, ["consent.consentStatus absent"]);
    }

    #[test]
    fn a_consents_callbacks_are_ordered_by_its_handle() {
        let c = validate(&sample(&SampleIds::fixed("ch-2"))).unwrap();
        assert_eq!(
            c.ordering_key,
            "consent:39e108fe-9243-11e8-b9f2-0256d88baae8"
        );
    }

    #[test]
    fn an_unknown_consent_status_is_not_in_the_enum() {
        let mut body = sample(&SampleIds::fixed("ch-3"));
        body["consent"]["consentStatus"] = json!("OK");
        assert_eq!(validate(&body).unwrap_err().code.as_str(), "GEN5002");
    }

    fn warnings_of(edit: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut body = sample(&SampleIds::fixed("ch-w"));
        edit(&mut body);
        validate(&body).unwrap().warnings
    }

    #[test]
    fn a_consent_without_consent_status_is_recorded_with_a_warning() {
        for status in [None, Some(Value::Null)] {
            let w = warnings_of(|b| match status {
                None => drop(
                    b["consent"]
                        .as_object_mut()
                        .unwrap()
                        .remove("consentStatus"),
                ),
                Some(v) => b["consent"]["consentStatus"] = v,
            });
            assert_eq!(w, ["consent.consentStatus absent"]);
        }
    }

    #[test]
    fn consent_ready_without_a_handle_or_with_a_lender_error_is_a_warning() {
        let w = warnings_of(|b| {
            drop(
                b["consent"]
                    .as_object_mut()
                    .unwrap()
                    .remove("consentHandle"),
            )
        });
        assert_eq!(
            w,
            ["consent.consentHandle absent while consent.consentStatus is READY"]
        );
        let w = warnings_of(|b| b["response"]["error"] = json!("CSE1001"));
        assert_eq!(
            w,
            ["consent.consentStatus READY with a non-zero response.error"]
        );
    }
}
