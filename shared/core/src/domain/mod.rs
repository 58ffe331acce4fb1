//! Validated attribute types: each is built by a `parse` that enforces the spec's format,
//! so an invalid value cannot be represented. The callbacks built from them live in
//! [`crate::callbacks`], one module each.
//!
//! Refused here only what the v3 schemas require (docs/protocol.md "Validation rules" cites each):
//! `metadata` and its four members, `requestId`, `response.error`, `payment` + `payment.id`,
//! `consent`, `credBlock` (≥ 1) with `type` and `data`; formats, enums, lengths; the
//! configured versions (`GEN5005`). Empty strings and `null` in optional attributes mean
//! absent. This service's own rules (status, txnRefNo, amount, consentStatus, handle,
//! otpSessionKey, contradictions) become the callback's `warnings`, passed on in the event.

use crate::error::Invalid;

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
pub use timestamp::{OcenTimestamp, PlanDate, IST};

/// Each attribute type is read from the string the lender sent by its `parse`, whose
/// verdict serde carries to the refusal with the attribute's path
/// ([`crate::error::Refused`]): `""` is [`Invalid::Missing`], as are an absent attribute and
/// `null` (serde's own errors). An `Option` of it reads all three as `None` (see
/// [`crate::wire::Json`]).
macro_rules! read_by_parse {
    ($($t:ty => $parse:expr),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let parse: fn(String) -> Result<$t, Invalid> = $parse;
                parse(<String as serde::Deserialize>::deserialize(d)?).map_err(Invalid::into_serde)
            }
        }
    )*};
}

read_by_parse!(
    ApiVersion => ApiVersion::parse,
    OrgId => OrgId::parse,
    TraceId => TraceId::parse,
    RequestId => RequestId::parse,
    LenderErrorCode => LenderErrorCode::parse,
    Reference => Reference::parse,
    Text => Text::parse,
    Secret => Secret::parse,
    OcenTimestamp => |s| OcenTimestamp::parse(&s),
    Amount => |s| Amount::parse(&s),
    PlanDate => |s| PlanDate::parse(&s),
    MaskedPhoneNumber => MaskedPhoneNumber::parse_owned,
);

/// `otp`: digits as a string, or as a number (passed on as a number).
impl<'de> serde::Deserialize<'de> for Otp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use crate::wire::NumberOrString;
        match <Option<NumberOrString> as serde::Deserialize>::deserialize(d)? {
            None => Err(Invalid::Missing),
            Some(NumberOrString::Number(n)) => Otp::parse_number(n.to_string()),
            Some(NumberOrString::String(s)) => Otp::parse(s),
        }
        .map_err(Invalid::into_serde)
    }
}

/// Each attribute type's schema is the OpenAPI document's own building block
/// (`docs/openapi.json`, written by hand: its pattern is held to `parse` by
/// `tests/tests/openapi.rs`).
macro_rules! documented_as {
    ($($t:ty => $name:literal),* $(,)?) => {$(
        impl schemars::JsonSchema for $t {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "$ref": concat!("#/components/schemas/", $name) })
            }
        }
    )*};
}

documented_as!(
    ApiVersion => "Version",
    OrgId => "Id",
    RequestId => "Id",
    TraceId => "Reference",
    Reference => "Reference",
    LenderErrorCode => "LenderErrorCode",
    Text => "Text",
    Secret => "Secret",
    Otp => "Otp",
    OcenTimestamp => "Timestamp",
    Amount => "Amount",
    PlanDate => "PlanDate",
    MaskedPhoneNumber => "MaskedPhoneNumber",
    crate::wire::ExtensibleData => "ExtensibleData",
);
