//! Validated attribute types: each is built by a `parse` that enforces the spec's format,
//! so an invalid value cannot be represented. The callbacks built from them live in
//! [`crate::callbacks`], one module each.
//!
//! Refused here only what the v3 schemas require (README "Validation rules" cites each):
//! `metadata` and its four members, `requestId`, `response.error`, `payment` + `payment.id`,
//! `consent`, `credBlock` (≥ 1) with `type` and `data`; formats, enums, lengths; the
//! configured versions (`GEN5005`). Empty strings and `null` in optional attributes mean
//! absent. This service's own rules (status, txnRefNo, amount, consentStatus, handle,
//! otpSessionKey, contradictions) become the callback's `warnings`, passed on in the event.

mod amount;
mod enums;
mod phone;
mod text;
mod timestamp;

pub use amount::Amount;
pub(crate) use enums::ocen_enum;
pub use enums::{
    ConsentFetchType, ConsentStatus, CredType, OtpStatus, PaymentMethod, PaymentStatus,
};
pub use phone::MaskedPhoneNumber;
pub use text::{
    ApiVersion, LenderErrorCode, OrgId, Otp, Reference, RequestId, Secret, Text, TraceId,
};
pub use timestamp::{OcenTimestamp, IST};

/// Every attribute type parses from the string the lender sent (the callbacks' helpers
/// attach the attribute's path to a failure).
pub(crate) trait ParseField: Sized {
    fn parse_field(s: String) -> Result<Self, crate::error::Invalid>;
}
