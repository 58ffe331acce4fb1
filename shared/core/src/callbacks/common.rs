//! What every callback shares: `metadata` and `response`, the [`Body`] trait a callback's
//! type implements, and the one generic validation ([`validate`]) that reads a body's tree
//! into that type.

use crate::domain::*;
use crate::error::{ErrorCode, Rejection};
use crate::wire::{self, Extra, Json};
use crate::CallbackType;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `metadata.version` values accepted unless `OCEN_SUPPORTED_VERSIONS` says otherwise.
pub const DEFAULT_SUPPORTED_VERSIONS: &str = "0.0.1,1.0,1.0.0,3.0,3.0.0,3.1,3.2,v3";

/// What validation needs from configuration. It owns its defaults; configuration
/// overrides them.
#[derive(Debug, Clone)]
pub struct ValidationPolicy {
    /// Accepted values of `metadata.version`.
    pub supported_versions: Vec<String>,
}

impl Default for ValidationPolicy {
    fn default() -> Self {
        ValidationPolicy {
            supported_versions: DEFAULT_SUPPORTED_VERSIONS
                .split(',')
                .map(str::to_string)
                .collect(),
        }
    }
}

/// A validated callback of any type: what the pipeline needs from it, and the module's
/// validated body as the event's payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    pub kind: CallbackType,
    pub metadata: Metadata,
    pub request_id: RequestId,
    /// What FIFO consumers order by (`loan:<loanId>`, `consent:<handle>`,
    /// `request:<requestId>` when the callback names nothing better).
    pub ordering_key: String,
    /// This service's rules the callback does not meet (docs/protocol.md "Validation rules"): passed
    /// on in the event's `warnings`, never a refusal.
    pub warnings: Vec<String>,
    /// The validated body, camelCase as on the wire, unknown attributes kept (the event
    /// writes it with the lender's spelling: [`crate::payload::text`]).
    pub payload: Value,
}

/// A callback module's type: the one declaration of its body. Read from the body's tree
/// (its fields' types refuse what they cannot be, naming the path), written as the
/// event's payload, its schema the OpenAPI document's. (Two callbacks with the same body,
/// like Trigger and Verify Loan Acceptance Response, share it: the callback type, and
/// rules of its own, are given to [`validate_with`].)
pub(crate) trait Body: DeserializeOwned + Serialize + JsonSchema {
    fn metadata(&self) -> &Metadata;
    fn request_id(&self) -> &RequestId;
    /// The FIFO ordering key, when the callback names something better than its request.
    fn ordering_key(&self) -> Option<String> {
        None
    }
    /// This service's rules it does not meet.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The body's tree → the module's type → [`Callback`]: the same for every callback.
pub(crate) fn validate<B: Body>(
    kind: CallbackType,
    body: &Json<'_>,
    policy: &ValidationPolicy,
) -> Result<Callback, Rejection> {
    validate_with::<B>(kind, body, policy, B::warnings)
}

/// [`validate`] for a callback that shares another's body but has rules of its own
/// (`rules` gives its warnings instead of the body's).
pub(crate) fn validate_with<B: Body>(
    kind: CallbackType,
    body: &Json<'_>,
    policy: &ValidationPolicy,
    rules: fn(&B) -> Vec<String>,
) -> Result<Callback, Rejection> {
    let body: B = wire::from_tree(body).map_err(|refused| refused.rejection())?;
    body.metadata().check_version(policy)?;
    let metadata = body.metadata().clone();
    let request_id = body.request_id().clone();
    Ok(Callback {
        kind,
        ordering_key: body
            .ordering_key()
            .unwrap_or_else(|| crate::event::request_ordering_key(request_id.as_str())),
        warnings: rules(&body),
        payload: serde_json::to_value(&body).expect("validated callbacks always serialise"),
        metadata,
        request_id,
    })
}

/// A module's OpenAPI components: its body's schema (`make generate` writes it and the
/// objects it names into `docs/openapi.json`).
pub(crate) fn schema<B: Body>(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    generator.subschema_for::<B>()
}

// ---- common objects ------------------------------------------------------------------

/// `metadata` (metadata.json): who sent the callback, when, and in which version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// One of the configured versions (`OCEN_SUPPORTED_VERSIONS`), else `GEN5005`.
    pub version: ApiVersion,
    pub org_id: OrgId,
    pub timestamp: OcenTimestamp,
    pub trace_id: TraceId,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Metadata {
    /// `GEN5005` unless `metadata.version` is one this service speaks.
    fn check_version(&self, policy: &ValidationPolicy) -> Result<(), Rejection> {
        let version = self.version.as_str();
        if policy.supported_versions.iter().any(|v| v == version) {
            return Ok(());
        }
        Err(Rejection::new(
            ErrorCode::InvalidApiVersion,
            format!(
                "metadata.version must be one of {}",
                policy.supported_versions.join(", ")
            ),
        ))
    }
}

/// `response` (response.json): `"0"` when the lender found no error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LenderResponse {
    pub error: LenderErrorCode,
    #[serde(flatten)]
    pub extra: Extra,
}

impl LenderResponse {
    /// The lender reports no error (`"0"`).
    pub fn is_ok(&self) -> bool {
        self.error.is_ok()
    }
}

/// A module's test helper: `body` through `def`'s validation with the default policy.
#[cfg(test)]
pub(crate) fn check(def: &super::CallbackDef, body: &Value) -> Result<Callback, Rejection> {
    let text = serde_json::to_vec(body).expect("JSON values serialise");
    let read = wire::read(&text).expect("a JSON object reads");
    (def.validate)(&read.tree, &ValidationPolicy::default())
}
