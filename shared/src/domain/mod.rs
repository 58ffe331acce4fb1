//! Validated domain types. A handler only ever sees these: each is built by a `parse` (or
//! `TryFrom` of the wire type) that enforces the spec's formats and this service's business
//! rules, so an invalid value cannot be represented.
//!
//! Rules enforced here (README "Validation rules" explains why):
//! - `metadata.version` must be one of the configured versions (`GEN5005`).
//! - Empty strings and `null` in optional attributes mean absent.
//! - Loan acceptance: at least one `credBlock`; `type` is `OTP`; when `response.error` is
//!   `"0"` every block carries `data.otpSessionKey`.
//! - Disbursement: `payment.id`; when `response.error` is `"0"`, `payment.status`;
//!   `SUCCESS` needs `txnRefNo` and a non-zero `totalAmount`; a lender error with
//!   `SUCCESS` is contradictory (`LSP4002`).
//! - Consent: when `response.error` is `"0"`, `consentStatus`; `READY` needs
//!   `consentHandle`; a lender error with `READY` is contradictory (`LSP4002`).

mod amount;
mod callbacks;
mod enums;
mod phone;
mod text;
mod timestamp;

pub use amount::Amount;
pub use callbacks::{
    Callback, Consent, ConsentHandleResponse, CredBlock, DisbursementResponse, LenderResponse,
    LoanAcceptanceResponse, LspInfo, Metadata, OtpData, Payment, ValidationPolicy,
};
pub use enums::{
    ConsentFetchType, ConsentStatus, CredType, OtpStatus, PaymentMethod, PaymentStatus,
};
pub use phone::MaskedPhoneNumber;
pub use text::{
    ApiVersion, LenderErrorCode, OrgId, Otp, Reference, RequestId, Secret, Text, TraceId,
};
pub use timestamp::{OcenTimestamp, IST};
