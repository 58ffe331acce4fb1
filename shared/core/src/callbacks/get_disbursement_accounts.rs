//! **Get Disbursement Accounts Response** (`POST /v3/disbursement/getDisbursementAccountsResponse`): the borrower's accounts the lender can disburse to. Schemas: GetDisubusrementAccountsResponse.json (sic), accountdetails.json, accountdetailsdata.json
//! (`spec/v3-schemas/`). The body names no loan: with correlation the request's ids order
//! it (docs/idempotency.md "Correlation"). Routed to `LoanSetupEventsQueue`.

use super::common::{Body, LenderResponse, Metadata, ValidationPolicy};
use super::objects::{AccountDetails, Listed};
use crate::domain::*;
use crate::wire::Extra;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use super::{CallbackDef, CallbackTools, Rng, SampleIds, Variant};

use crate::error::Rejection;
use crate::CallbackType;
use serde_json::{json, Value};

pub static DEF: CallbackDef = CallbackDef {
    name: "GET_DISBURSEMENT_ACCOUNTS_RESPONSE",
    title: "Get Disbursement Accounts Response",
    summary: "the borrower's accounts the lender can disburse to",
    paths: &["/v3/disbursement/getDisbursementAccountsResponse"],
    package: "get-disbursement-accounts-response",
    function: "GetDisbursementAccountsResponseFunction",
    schema: "GetDisubusrementAccountsResponse",
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
    openapi: super::common::schema::<AccountsResponse>,
    sample,
    simulate,
    events,
};

fn validate(
    body: &crate::wire::Json<'_>,
    policy: &ValidationPolicy,
) -> Result<super::Callback, Rejection> {
    super::common::validate::<AccountsResponse>(TYPE, body, policy)
}

/// Get Disbursement Accounts Response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountsResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub account_list: Listed<AccountDetails>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Body for AccountsResponse {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn request_id(&self) -> &RequestId {
        &self.request_id
    }
}

// ---- samples ------------------------------------------------------------------------

/// The account number of the samples (the log test checks it never reaches a log line).
pub const SAMPLE_ACCOUNT_NUMBER: &str = "11250789101486249090";

pub(crate) fn account() -> Value {
    json!({
        "id": "ACC-1",
        "status": "ACTIVE",
        "accountDataType": "ACCOUNT",
        "data": {
            "accountType": "SAVING",
            "accountIFSC": "ICIC0000856",
            "accountNumber": SAMPLE_ACCOUNT_NUMBER,
            "maskedAccountNumber": "XXXXXXXXXXXXXXXX9090"
        }
    })
}

pub(crate) fn simulated_account(rng: &mut Rng) -> Value {
    let mut a = account();
    a["id"] = json!(format!("ACC-{}", rng.hex(6)));
    a
}

fn sample(ids: &SampleIds) -> Value {
    ids.body(json!({ "accountList": [account()] }))
}

fn simulate(rng: &mut Rng, ids: &SampleIds) -> Value {
    ids.body(json!({ "accountList": [simulated_account(rng)] }))
}

fn events(ids: &SampleIds) -> Vec<Variant> {
    let mut missing = sample(ids);
    if let Some(b) = missing.as_object_mut() {
        b.remove("accountList");
    }
    let mut outside = sample(ids);
    if let Some(v) = outside.pointer_mut("/accountList/0/accountDataType") {
        *v = json!("CARD");
    }
    vec![
        Variant::new("invalid-missing-accountlist", missing, "GEN5001"),
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
