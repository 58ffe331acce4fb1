//! **Set Disbursement Account Response** (`POST /v3/disbursement/setDisbursementAccountResponse`): the lender set the account the loan is disbursed to. Schemas: SetDisbursementAccountResponse.json, accountdetails.json, accountdetailsdata.json
//! (`spec/v3-schemas/`). The body names no loan: with correlation the request's ids order
//! it (docs/idempotency.md "Correlation"). Routed to `LoanSetupEventsQueue`.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::AccountDetails;
use crate::domain::*;
use crate::wire::Extra;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};
use super::get_disbursement_accounts;
use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "SET_DISBURSEMENT_ACCOUNT_RESPONSE",
    title: "Set Disbursement Account Response",
    summary: "the lender set the account the loan is disbursed to",
    paths: &["/v3/disbursement/setDisbursementAccountResponse"],
    package: "set-disbursement-account-response",
    function: "SetDisbursementAccountResponseFunction",
    schema: "SetDisbursementAccountResponse",
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
    openapi: super::common::schema::<AccountResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<AccountResponse>(TYPE, body, policy)
}

/// Set Disbursement Account Response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub account: AccountDetails,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for AccountResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }
}

// ---- samples ------------------------------------------------------------------------

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "account": get_disbursement_accounts::account() }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "account": get_disbursement_accounts::simulated_account(rng) }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut missing = sample(ids);
    if let Some(b) = missing.as_object_mut() {
        b.remove("account");
    }
    let mut outside = sample(ids);
    if let Some(v) = outside.pointer_mut("/account/data/accountType") {
        *v = json!("FIXED_DEPOSIT");
    }
    vec![
        Variant::new("invalid-missing-account", missing, "GEN5001"),
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
