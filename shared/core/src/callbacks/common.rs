//! What every callback shares: `metadata`, `requestId`, `response`, the attribute helpers
//! that name the path of a failure, and the one generic validation a module plugs its
//! domain type into.

use crate::domain::*;
use crate::error::{ErrorCode, Invalid, Rejection};
use crate::wire::{self, Extra, Json};
use crate::CallbackType;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::borrow::Cow;

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
    /// This service's rules the callback does not meet (README "Validation rules"): passed
    /// on in the event's `warnings`, never a refusal.
    pub warnings: Vec<String>,
    /// The validated body, camelCase as on the wire, unknown attributes kept (the event
    /// writes it with the lender's spelling: [`crate::payload::text`]).
    pub payload: Value,
}

/// A callback module's validated type: how it is parsed and what the pipeline reads. (Two
/// callbacks with the same body, like Trigger and Verify Loan Acceptance Response, share
/// it: the callback type, and rules of its own, are given to [`validate_with`].)
pub(crate) trait Body: Serialize + Sized {
    /// Its wire type (everything optional; unknown attributes kept).
    type Wire: DeserializeOwned;
    fn parse(w: Self::Wire, policy: &ValidationPolicy) -> Result<Self, Rejection>;
    /// Its `metadata` and `requestId`, moved out once its payload is written.
    fn into_ids(self) -> (Metadata, RequestId);
    /// The FIFO ordering key, when the callback names something better than its request.
    fn ordering_key(&self) -> Option<String> {
        None
    }
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The body's tree → wire type → validated type → [`Callback`]: the same for every callback.
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
    let w: B::Wire = wire::from_tree(body).map_err(|e| {
        let field = if e.path.is_empty() || e.path == "." {
            "body".to_string()
        } else {
            e.path
        };
        Rejection::new(
            ErrorCode::InvalidAttributeValue,
            format!("{field} must be {}", e.expected),
        )
    })?;
    B::parse(w, policy).map(|body| callback(kind, body, rules))
}

/// A validated body as the pipeline takes it: its payload written, its ids moved out.
fn callback<B: Body>(kind: CallbackType, body: B, rules: fn(&B) -> Vec<String>) -> Callback {
    let ordering_key = body.ordering_key();
    let warnings = rules(&body);
    let payload = serde_json::to_value(&body).expect("validated callbacks always serialise");
    let (metadata, request_id) = body.into_ids();
    Callback {
        kind,
        ordering_key: ordering_key.unwrap_or_else(|| format!("request:{request_id}")),
        metadata,
        request_id,
        warnings,
        payload,
    }
}

// ---- helpers: attach the attribute path to a parse failure ----------------------------

macro_rules! parse_owned {
    ($($t:ty),*) => { $(impl ParseField for $t { fn parse_field(s: String) -> Result<Self, Invalid> { <$t>::parse(s) } })* };
}
macro_rules! parse_borrowed {
    ($($t:ty),*) => { $(impl ParseField for $t { fn parse_field(s: String) -> Result<Self, Invalid> { <$t>::parse(&s) } })* };
}
parse_owned!(
    ApiVersion,
    OrgId,
    TraceId,
    RequestId,
    LenderErrorCode,
    Reference,
    Text,
    Secret,
    Otp
);
// The spec's enums and a module's own implement it in `ocen_enum!`.
parse_borrowed!(OcenTimestamp, Amount);

impl ParseField for MaskedPhoneNumber {
    fn parse_field(s: String) -> Result<Self, Invalid> {
        MaskedPhoneNumber::parse_owned(s)
    }
}

/// An attribute's path in a failure's message (`requestId`, `credBlock[0].data.otp`),
/// spelled only when a failure names it: building the paths of valid nested attributes
/// with `format!` cost a Loan Acceptance Response 9 % of its time.
pub(crate) trait FieldPath {
    fn spell(&self) -> Cow<'_, str>;
}

impl FieldPath for str {
    fn spell(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl FieldPath for &str {
    fn spell(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

/// `<parent>.<name>`.
pub(crate) struct Member<'a>(pub &'a dyn FieldPath, pub &'static str);

impl FieldPath for Member<'_> {
    fn spell(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}.{}", self.0.spell(), self.1))
    }
}

/// `<list>[<index>]`.
pub(crate) struct Item(pub &'static str, pub usize);

impl FieldPath for Item {
    fn spell(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{}[{}]", self.0, self.1))
    }
}

/// A required attribute: absent or `null` is `GEN5001` naming it.
pub(crate) fn required<T: ParseField>(
    v: Option<String>,
    field: &(impl FieldPath + ?Sized),
) -> Result<T, Rejection> {
    match v {
        None => Err(Invalid::Missing.at(&field.spell())),
        Some(s) => T::parse_field(s).map_err(|e| e.at(&field.spell())),
    }
}

/// Optional attribute: absent, `null` and `""` all mean absent.
pub(crate) fn optional<T: ParseField>(
    v: Option<String>,
    field: &(impl FieldPath + ?Sized),
) -> Result<Option<T>, Rejection> {
    match v {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => T::parse_field(s)
            .map(Some)
            .map_err(|e| e.at(&field.spell())),
    }
}

/// A required object.
pub(crate) fn present<T>(v: Option<T>, field: &(impl FieldPath + ?Sized)) -> Result<T, Rejection> {
    v.ok_or_else(|| Invalid::Missing.at(&field.spell()))
}

// ---- common objects ------------------------------------------------------------------

/// `metadata`, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub org_id: OrgId,
    pub timestamp: OcenTimestamp,
    pub trace_id: TraceId,
    pub version: ApiVersion,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Metadata {
    pub(crate) fn parse(
        w: Option<wire::Metadata>,
        policy: &ValidationPolicy,
    ) -> Result<Metadata, Rejection> {
        let w = present(w, "metadata")?;
        let version: ApiVersion = required(w.version, "metadata.version")?;
        if !policy
            .supported_versions
            .iter()
            .any(|v| v == version.as_str())
        {
            return Err(Rejection::new(
                ErrorCode::InvalidApiVersion,
                format!(
                    "metadata.version must be one of {}",
                    policy.supported_versions.join(", ")
                ),
            ));
        }
        Ok(Metadata {
            version,
            org_id: required(w.org_id, "metadata.orgId")?,
            timestamp: required(w.timestamp, "metadata.timestamp")?,
            trace_id: required(w.trace_id, "metadata.traceId")?,
            extra: w.extra,
        })
    }
}

/// `response`, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LenderResponse {
    pub error: LenderErrorCode,
    #[serde(flatten)]
    pub extra: Extra,
}

impl LenderResponse {
    pub(crate) fn parse(w: Option<wire::LenderResponse>) -> Result<LenderResponse, Rejection> {
        let w = present(w, "response")?;
        Ok(LenderResponse {
            error: required(w.error, "response.error")?,
            extra: w.extra,
        })
    }

    /// The lender reports no error (`"0"`).
    pub fn is_ok(&self) -> bool {
        self.error.is_ok()
    }
}

// ---- OpenAPI: what a module's `openapi` builds on ----------------------------------------

/// `{"$ref": "#/components/schemas/<name>"}`.
pub(crate) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// An optional attribute: absent, `null` and `""` all mean absent.
pub(crate) fn optional_schema(schema: Value) -> Value {
    json!({ "anyOf": [schema, {"type": "null"}, {"const": ""}] })
}

/// A callback body: `metadata`, `requestId`, `response` (all required) and `members`, of
/// which `required` are required too.
pub(crate) fn body_schema(members: Value, required: &[&str]) -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert("metadata".into(), schema_ref("Metadata"));
    properties.insert("requestId".into(), schema_ref("Id"));
    properties.insert("response".into(), schema_ref("LenderResponse"));
    if let Value::Object(m) = members {
        properties.extend(m);
    }
    let mut all = vec!["metadata", "requestId", "response"];
    all.extend_from_slice(required);
    json!({ "type": "object", "required": all, "properties": properties })
}

/// A module's test helper: `body` through `def`'s validation with the default policy.
#[cfg(test)]
pub(crate) fn check(def: &super::CallbackDef, body: &Value) -> Result<Callback, Rejection> {
    let text = serde_json::to_vec(body).expect("JSON values serialise");
    let read = wire::read(&text).expect("a JSON object reads");
    (def.validate)(&read.tree, &ValidationPolicy::default())
}
