//! The three validated callbacks and their conversion from the wire types.

use super::*;
use crate::error::{ErrorCode, Invalid, Rejection};
use crate::wire::{self, Extra};
use crate::CallbackType;
use serde::Serialize;

/// What validation needs from configuration.
#[derive(Debug, Clone)]
pub struct ValidationPolicy {
    /// Accepted values of `metadata.version`.
    pub supported_versions: Vec<String>,
}

impl Default for ValidationPolicy {
    fn default() -> Self {
        ValidationPolicy {
            supported_versions: crate::config::DEFAULT_SUPPORTED_VERSIONS
                .split(',')
                .map(str::to_string)
                .collect(),
        }
    }
}

/// Maximum number of credential blocks in one loan acceptance callback.
const MAX_CRED_BLOCKS: usize = 16;

// ---- helpers: attach the attribute path to a parse failure ----------------------------

/// Every attribute type parses from the string the lender sent.
trait ParseField: Sized {
    fn parse_field(s: String) -> Result<Self, Invalid>;
}

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
parse_borrowed!(
    OcenTimestamp,
    Amount,
    MaskedPhoneNumber,
    PaymentStatus,
    PaymentMethod,
    ConsentStatus,
    ConsentFetchType,
    OtpStatus,
    CredType
);

fn required<T: ParseField>(v: Option<String>, field: &str) -> Result<T, Rejection> {
    match v {
        None => Err(Invalid::Missing.at(field)),
        Some(s) => T::parse_field(s).map_err(|e| e.at(field)),
    }
}

/// Optional attribute: absent, `null` and `""` all mean absent.
fn optional<T: ParseField>(v: Option<String>, field: &str) -> Result<Option<T>, Rejection> {
    match v {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => T::parse_field(s).map(Some).map_err(|e| e.at(field)),
    }
}

fn present<T>(v: Option<T>, field: &str) -> Result<T, Rejection> {
    v.ok_or_else(|| Invalid::Missing.at(field))
}

// ---- common objects ------------------------------------------------------------------

/// `metadata`, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub version: ApiVersion,
    pub org_id: OrgId,
    pub timestamp: OcenTimestamp,
    pub trace_id: TraceId,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Metadata {
    fn parse(w: Option<wire::Metadata>, policy: &ValidationPolicy) -> Result<Metadata, Rejection> {
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
    fn parse(w: Option<wire::LenderResponse>) -> Result<LenderResponse, Rejection> {
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

// ---- loan acceptance -----------------------------------------------------------------

/// Trigger Loan Acceptance Response: the lender sent an OTP to the borrower.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanAcceptanceResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    /// Always an array here, whichever shape the lender sent.
    pub cred_block: Vec<CredBlock>,
    /// Rules of this service the callback does not meet (not the spec's): passed on in
    /// the event's `warnings`, never a refusal.
    #[serde(skip)]
    pub warnings: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredBlock {
    #[serde(rename = "type")]
    pub cred_type: CredType,
    pub data: OtpData,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp_session_key: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_phone_number: Option<MaskedPhoneNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp: Option<Otp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OtpStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl LoanAcceptanceResponse {
    pub fn parse(
        w: wire::TriggerLoanAcceptanceResponse,
        policy: &ValidationPolicy,
    ) -> Result<Self, Rejection> {
        let metadata = Metadata::parse(w.metadata, policy)?;
        let request_id = required(w.request_id, "requestId")?;
        let response = LenderResponse::parse(w.response)?;
        let blocks = present(w.cred_block, "credBlock")?.into_vec();
        if blocks.is_empty() {
            return Err(Invalid::Missing.at("credBlock"));
        }
        if blocks.len() > MAX_CRED_BLOCKS {
            return Err(Rejection::new(
                ErrorCode::InvalidAttributeLength,
                format!("credBlock has more than {MAX_CRED_BLOCKS} entries"),
            ));
        }
        let cred_block = blocks
            .into_iter()
            .enumerate()
            .map(|(i, b)| CredBlock::parse(b, &format!("credBlock[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut warnings = Vec::new();
        for (i, block) in cred_block.iter().enumerate() {
            // An OTP was sent: without the session key the LSP cannot complete acceptance.
            if response.is_ok() && block.data.otp_session_key.is_none() {
                warnings.push(format!(
                    "credBlock[{i}].data.otpSessionKey absent while response.error is \"0\""
                ));
            }
        }
        Ok(LoanAcceptanceResponse {
            metadata,
            request_id,
            response,
            cred_block,
            warnings,
            extra: w.extra,
        })
    }
}

impl CredBlock {
    fn parse(w: wire::CredBlock, at: &str) -> Result<CredBlock, Rejection> {
        let cred_type = required(w.cred_type, &format!("{at}.type"))?;
        let data = present(w.data, &format!("{at}.data"))?;
        let f = |name: &str| format!("{at}.data.{name}");
        let data = OtpData {
            app_token: optional(data.app_token, &f("appToken"))?,
            otp_session_key: optional(data.otp_session_key, &f("otpSessionKey"))?,
            masked_phone_number: optional(data.masked_phone_number, &f("maskedPhoneNumber"))?,
            otp: match data.otp {
                Some(wire::NumberOrString::Number(n)) => {
                    Some(Otp::parse_number(n.to_string()).map_err(|e| e.at(&f("otp")))?)
                }
                other => optional(other.map(wire::NumberOrString::into_string), &f("otp"))?,
            },
            status: optional(data.status, &f("status"))?,
            url: optional(data.url, &f("url"))?,
            extensible_data: data.extensible_data,
            extra: data.extra,
        };
        Ok(CredBlock {
            cred_type,
            data,
            extensible_data: w.extensible_data,
            extra: w.extra,
        })
    }
}

// ---- disbursement --------------------------------------------------------------------

/// Trigger Disbursement Response: the status of a disbursement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisbursementResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_id: Option<Reference>,
    pub payment: Payment,
    /// Rules of this service the callback does not meet (not the spec's): passed on in
    /// the event's `warnings`, never a refusal.
    #[serde(skip)]
    pub warnings: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<OcenTimestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installment_number: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PaymentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_saved_payment_option: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method_type: Option<PaymentMethod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub txn_ref_no: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_url: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl DisbursementResponse {
    pub fn parse(
        w: wire::TriggerDisbursementResponse,
        policy: &ValidationPolicy,
    ) -> Result<Self, Rejection> {
        let metadata = Metadata::parse(w.metadata, policy)?;
        let request_id = required(w.request_id, "requestId")?;
        let response = LenderResponse::parse(w.response)?;
        let loan_id = optional(w.loan_id, "loanId")?;
        let p = present(w.payment, "payment")?;
        let amount =
            |v: Option<String>, name: &str| optional::<Amount>(v, &format!("payment.{name}"));
        let payment = Payment {
            id: required(p.id, "payment.id")?,
            description: optional(p.description, "payment.description")?,
            date: optional(p.date, "payment.date")?,
            total_amount: amount(p.total_amount, "totalAmount")?,
            principal: amount(p.principal, "principal")?,
            interest_amount: amount(p.interest_amount, "interestAmount")?,
            fee: amount(p.fee, "fee")?,
            penalty: amount(p.penalty, "penalty")?,
            installment_number: optional(p.installment_number, "payment.installmentNumber")?,
            status: optional(p.status, "payment.status")?,
            use_saved_payment_option: p.use_saved_payment_option,
            payment_method_type: optional(p.payment_method_type, "payment.paymentMethodType")?,
            txn_ref_no: optional(p.txn_ref_no, "payment.txnRefNo")?,
            payment_url: optional(p.payment_url, "payment.paymentUrl")?,
            url: optional(p.url, "payment.url")?,
            extensible_data: p.extensible_data,
            extra: p.extra,
        };
        let warnings = payment_warnings(&payment, &response);
        Ok(DisbursementResponse {
            metadata,
            request_id,
            response,
            loan_id,
            payment,
            warnings,
            extra: w.extra,
        })
    }
}

/// This service's own rules for a disbursement (payment.json requires only `id`): each one
/// not met is a warning for consumers, not a refusal.
fn payment_warnings(payment: &Payment, response: &LenderResponse) -> Vec<String> {
    let mut w = Vec::new();
    if response.is_ok() && payment.status.is_none() {
        w.push("payment.status absent while response.error is \"0\"".to_string());
    }
    if payment.status == Some(PaymentStatus::Success) {
        if !response.is_ok() {
            w.push("payment.status SUCCESS with a non-zero response.error".to_string());
        }
        if payment.txn_ref_no.is_none() {
            w.push("payment.txnRefNo absent while payment.status is SUCCESS".to_string());
        }
        match payment.total_amount {
            None => {
                w.push("payment.totalAmount absent while payment.status is SUCCESS".to_string())
            }
            Some(a) if a.is_zero() => {
                w.push("payment.totalAmount is 0.00 while payment.status is SUCCESS".to_string())
            }
            Some(_) => {}
        }
    }
    w
}

// ---- consent -------------------------------------------------------------------------

/// Consent Handle Response: the Account Aggregator consent handle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentHandleResponse {
    pub metadata: Metadata,
    pub request_id: RequestId,
    pub response: LenderResponse,
    pub consent: Consent,
    /// Rules of this service the callback does not meet (not the spec's): passed on in
    /// the event's `warnings`, never a refusal.
    #[serde(skip)]
    pub warnings: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_fetch_type: Option<ConsentFetchType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vua: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_aggregation_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_aggregation_id: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lsp_info: Option<LspInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_handle: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_status: Option<ConsentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LspInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lsp_id: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_name: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensible_data: Option<Extra>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ConsentHandleResponse {
    pub fn parse(
        w: wire::ConsentHandleResponse,
        policy: &ValidationPolicy,
    ) -> Result<Self, Rejection> {
        let metadata = Metadata::parse(w.metadata, policy)?;
        let request_id = required(w.request_id, "requestId")?;
        let response = LenderResponse::parse(w.response)?;
        let c = present(w.consent, "consent")?;
        let lsp_info = match c.lsp_info {
            None => None,
            Some(l) => Some(LspInfo {
                lsp_id: optional(l.lsp_id, "consent.lspInfo.lspId")?,
                version: optional(l.version, "consent.lspInfo.version")?,
                app_name: optional(l.app_name, "consent.lspInfo.appName")?,
                url: optional(l.url, "consent.lspInfo.url")?,
                extensible_data: l.extensible_data,
                extra: l.extra,
            }),
        };
        let consent = Consent {
            consent_fetch_type: optional(c.consent_fetch_type, "consent.consentFetchType")?,
            vua: optional(c.vua, "consent.vua")?,
            description: optional(c.description, "consent.description")?,
            is_aggregation_enabled: c.is_aggregation_enabled,
            consent_aggregation_id: optional(
                c.consent_aggregation_id,
                "consent.consentAggregationId",
            )?,
            lsp_info,
            consent_handle: optional(c.consent_handle, "consent.consentHandle")?,
            consent_status: optional(c.consent_status, "consent.consentStatus")?,
            url: optional(c.url, "consent.url")?,
            extensible_data: c.extensible_data,
            extra: c.extra,
        };
        // consent.json requires none of its attributes: these are this service's rules,
        // passed on as warnings.
        let mut warnings = Vec::new();
        if consent.consent_status.is_none() {
            warnings.push("consent.consentStatus absent".to_string());
        }
        if consent.consent_status == Some(ConsentStatus::Ready) {
            if !response.is_ok() {
                warnings
                    .push("consent.consentStatus READY with a non-zero response.error".to_string());
            }
            if consent.consent_handle.is_none() {
                warnings.push(
                    "consent.consentHandle absent while consent.consentStatus is READY".to_string(),
                );
            }
        }
        Ok(ConsentHandleResponse {
            metadata,
            request_id,
            response,
            consent,
            warnings,
            extra: w.extra,
        })
    }
}

// ---- any callback --------------------------------------------------------------------

/// A validated callback of any of the three types.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Callback {
    LoanAcceptance(LoanAcceptanceResponse),
    Disbursement(DisbursementResponse),
    ConsentHandle(ConsentHandleResponse),
}

impl Callback {
    /// Validate a parsed body.
    pub fn parse(
        body: wire::CallbackBody,
        policy: &ValidationPolicy,
    ) -> Result<Callback, Rejection> {
        Ok(match body {
            wire::CallbackBody::LoanAcceptance(w) => {
                Callback::LoanAcceptance(LoanAcceptanceResponse::parse(w, policy)?)
            }
            wire::CallbackBody::Disbursement(w) => {
                Callback::Disbursement(DisbursementResponse::parse(w, policy)?)
            }
            wire::CallbackBody::ConsentHandle(w) => {
                Callback::ConsentHandle(ConsentHandleResponse::parse(w, policy)?)
            }
        })
    }

    pub fn callback_type(&self) -> CallbackType {
        match self {
            Callback::LoanAcceptance(_) => CallbackType::LoanAcceptanceResponse,
            Callback::Disbursement(_) => CallbackType::DisbursementResponse,
            Callback::ConsentHandle(_) => CallbackType::ConsentHandleResponse,
        }
    }

    pub fn metadata(&self) -> &Metadata {
        match self {
            Callback::LoanAcceptance(c) => &c.metadata,
            Callback::Disbursement(c) => &c.metadata,
            Callback::ConsentHandle(c) => &c.metadata,
        }
    }

    /// This service's rules the callback does not meet (README "Validation rules").
    pub fn warnings(&self) -> &[String] {
        match self {
            Callback::LoanAcceptance(c) => &c.warnings,
            Callback::Disbursement(c) => &c.warnings,
            Callback::ConsentHandle(c) => &c.warnings,
        }
    }

    pub fn request_id(&self) -> &RequestId {
        match self {
            Callback::LoanAcceptance(c) => &c.request_id,
            Callback::Disbursement(c) => &c.request_id,
            Callback::ConsentHandle(c) => &c.request_id,
        }
    }

    /// What FIFO consumers order by: the loan for a disbursement, the consent handle for a
    /// consent, else the request.
    pub fn ordering_key(&self) -> String {
        match self {
            Callback::Disbursement(DisbursementResponse {
                loan_id: Some(loan),
                ..
            }) => format!("loan:{loan}"),
            Callback::ConsentHandle(ConsentHandleResponse {
                consent:
                    Consent {
                        consent_handle: Some(h),
                        ..
                    },
                ..
            }) => {
                format!("consent:{h}")
            }
            other => format!("request:{}", other.request_id()),
        }
    }
}
