//! `TriggerLoanAcceptanceResponse.json`, `credBlock.json`, `OTPBlock.json`.

use super::{Extra, LenderResponse, Metadata, NumberOrString, OneOrMany};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerLoanAcceptanceResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<LenderResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cred_block: Option<OneOrMany<CredBlock>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredBlock {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub cred_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<OtpBlock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpBlock {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp_session_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp: Option<NumberOrString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}
