//! `ConsentHandleResponse.json`, `consent.json`, `lspinfo.json`.

use super::{Extra, LenderResponse, Metadata};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentHandleResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<LenderResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_fetch_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vua: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_aggregation_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_aggregation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lsp_info: Option<LspInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LspInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lsp_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}
