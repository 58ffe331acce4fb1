//! Why a callback was refused, modelled by what the lender should do about it, and the one
//! place that maps each reason to an HTTP status and an ack error code.

use std::fmt;

/// An ack error code. The `GEN*`/`AUTH*` codes are the OCEN v3 error-code table's; the
/// `LSP*` codes are this service's own for cases the table does not cover (docs/protocol.md lists all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `GEN5001`: a mandatory attribute is missing (absent, `null` or empty).
    MandatoryAttributeMissing,
    /// `GEN5002`: a value is not one of the attribute's enum values.
    ValueNotInEnum,
    /// `GEN5003`: only `POST` is allowed.
    MethodNotAllowed,
    /// `GEN5004`: the service cannot record the callback right now; retry.
    ServiceUnavailable,
    /// `GEN5005`: `metadata.version` is not a version this service speaks.
    InvalidApiVersion,
    /// `GEN5007`: an attribute (or the whole body) is longer than allowed.
    InvalidAttributeLength,
    /// `AUTH1001`: the signature is missing or does not verify.
    InvalidSignature,
    /// `LSP4000`: the body is not a JSON object.
    MalformedJson,
    /// `LSP4001`: an attribute has the wrong JSON type or an invalid format.
    InvalidAttributeValue,
    /// `LSP4004`: no callback is served at this path.
    UnknownPath,
    /// `LSP4009`: the requestId was already used for a different callback body or lender.
    RequestIdConflict,
    /// `LSP4010`: `metadata.timestamp` is outside the replay window.
    TimestampOutsideWindow,
    /// `LSP4011`: the callback answers no request the LSP recorded for this lender and
    /// callback type (mode `require`).
    RequestNotFound,
    /// `LSP4012`: the request it answers expired (`answerBy` passed; mode `require`).
    RequestExpired,
    /// `LSP4013`: the LSP's record of the request cannot be read (mode `require`).
    RequestUnreadable,
    /// `LSP4015`: the body is not declared as JSON.
    UnsupportedMediaType,
    /// `LSP5000`: the store refused the write for a reason a retry does not fix (its
    /// configuration, permissions): logged and alarmed; the callback is not recorded.
    StoreRejected,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 17] = [
        ErrorCode::MandatoryAttributeMissing,
        ErrorCode::ValueNotInEnum,
        ErrorCode::MethodNotAllowed,
        ErrorCode::ServiceUnavailable,
        ErrorCode::InvalidApiVersion,
        ErrorCode::InvalidAttributeLength,
        ErrorCode::InvalidSignature,
        ErrorCode::MalformedJson,
        ErrorCode::InvalidAttributeValue,
        ErrorCode::UnknownPath,
        ErrorCode::RequestIdConflict,
        ErrorCode::TimestampOutsideWindow,
        ErrorCode::RequestNotFound,
        ErrorCode::RequestExpired,
        ErrorCode::RequestUnreadable,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::StoreRejected,
    ];

    /// The code as it appears in `ack.error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MandatoryAttributeMissing => "GEN5001",
            ErrorCode::ValueNotInEnum => "GEN5002",
            ErrorCode::MethodNotAllowed => "GEN5003",
            ErrorCode::ServiceUnavailable => "GEN5004",
            ErrorCode::InvalidApiVersion => "GEN5005",
            ErrorCode::InvalidAttributeLength => "GEN5007",
            ErrorCode::InvalidSignature => "AUTH1001",
            ErrorCode::MalformedJson => "LSP4000",
            ErrorCode::InvalidAttributeValue => "LSP4001",
            ErrorCode::UnknownPath => "LSP4004",
            ErrorCode::RequestIdConflict => "LSP4009",
            ErrorCode::TimestampOutsideWindow => "LSP4010",
            ErrorCode::RequestNotFound => "LSP4011",
            ErrorCode::RequestExpired => "LSP4012",
            ErrorCode::RequestUnreadable => "LSP4013",
            ErrorCode::UnsupportedMediaType => "LSP4015",
            ErrorCode::StoreRejected => "LSP5000",
        }
    }

    /// The HTTP status that goes with the code. `GEN5007` is 400 for an attribute and 413
    /// for the whole body; [`Rejection::body_too_large`] sets that one.
    pub fn default_status(self) -> u16 {
        match self {
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::ServiceUnavailable => 503,
            ErrorCode::InvalidSignature => 401,
            ErrorCode::UnknownPath => 404,
            ErrorCode::RequestIdConflict => 409,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::StoreRejected => 500,
            ErrorCode::RequestNotFound
            | ErrorCode::RequestExpired
            | ErrorCode::RequestUnreadable => 422,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused callback: the code, the HTTP status and a detail for the lender naming the
/// offending attribute. The detail never carries a value from the body (it may be personal
/// data); it names the field and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: ErrorCode,
    pub status: u16,
    pub detail: String,
}

impl Rejection {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Rejection {
            code,
            status: code.default_status(),
            detail: detail.into(),
        }
    }

    pub fn body_too_large(limit: usize) -> Self {
        Rejection {
            code: ErrorCode::InvalidAttributeLength,
            status: 413,
            detail: format!("body is larger than {limit} bytes"),
        }
    }
}

impl Rejection {
    /// `LSP4000`: what every body must be and this one is not.
    pub fn not_a_body(why: &crate::wire::NotABody) -> Self {
        Rejection::new(ErrorCode::MalformedJson, why.to_string())
    }

    /// 401 `AUTH1001`. The reason goes to the log only.
    pub fn unauthenticated() -> Self {
        Rejection::new(
            ErrorCode::InvalidSignature,
            "the request is not signed by a registered key of the lender in metadata.orgId",
        )
    }

    /// 413 `GEN5007`: the record this callback makes cannot be stored, ever.
    pub fn item_too_large(size: usize) -> Self {
        use crate::store::MAX_ITEM_BYTES;
        Rejection {
            code: ErrorCode::InvalidAttributeLength,
            status: 413,
            detail: format!(
                "the callback's record would be {size} bytes, over the store's {MAX_ITEM_BYTES}-byte item limit"
            ),
        }
    }

    /// `LSP4009`: the requestId is this lender's, or another's, for another body.
    pub fn conflict(another_lender: bool) -> Self {
        let what = if another_lender {
            "another lender"
        } else {
            "a different body"
        };
        Rejection::new(
            ErrorCode::RequestIdConflict,
            format!("requestId was already used by {what} for this callback; the first one stands"),
        )
    }

    /// `LSP4011`/`LSP4012`/`LSP4013`: the callback answers no request it may answer
    /// (mode `require`). Another lender's request and one for another callback type are
    /// "no request" too: the lender learns nothing of other lenders' requests.
    pub fn unanswered(why: &crate::request::Unanswered) -> Self {
        use crate::request::Unanswered;
        match why {
            Unanswered::NoRequest => Rejection::new(
                ErrorCode::RequestNotFound,
                "the LSP sent you no request with this requestId that this callback answers; nothing was recorded",
            ),
            Unanswered::Expired { .. } => Rejection::new(
                ErrorCode::RequestExpired,
                "the request this callback answers has expired; nothing was recorded",
            ),
            Unanswered::Unreadable(_) => Rejection::new(
                ErrorCode::RequestUnreadable,
                "the LSP's record of this request cannot be read; nothing was recorded (the LSP is alerted)",
            ),
        }
    }

    /// What the lender is told when the store failed `size` bytes' record: retry
    /// (`GEN5004`), shorten (`GEN5007`), or wait for the operators (`LSP5000`).
    pub fn store_failed(e: &crate::store::StoreError, size: usize) -> Self {
        use crate::store::StoreError;
        match e {
            StoreError::Unavailable(_) => Rejection::new(
                ErrorCode::ServiceUnavailable,
                "the callback could not be recorded; retry later",
            ),
            StoreError::TooLarge(_) => Rejection::item_too_large(size),
            StoreError::Rejected(_) | StoreError::Corrupt(_) => Rejection::new(
                ErrorCode::StoreRejected,
                "the callback could not be recorded; the operators are alerted",
            ),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.detail)
    }
}

impl std::error::Error for Rejection {}

/// What is wrong with one attribute, before we know its full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Absent, `null`, or empty.
    Missing,
    /// Longer than `max` characters.
    TooLong { max: usize },
    /// More than `max` entries in a list.
    TooMany { max: usize },
    /// Not one of the allowed values.
    NotInEnum { allowed: &'static [&'static str] },
    /// Wrong format; the text says what was expected (never the value).
    Format(&'static str),
}

impl Invalid {
    /// Its code and what it says after the attribute's path (`is required`).
    fn describe(&self) -> (ErrorCode, String) {
        match self {
            Invalid::Missing => (ErrorCode::MandatoryAttributeMissing, "is required".into()),
            Invalid::TooLong { max } => (
                ErrorCode::InvalidAttributeLength,
                format!("is longer than {max} characters"),
            ),
            Invalid::TooMany { max } => (
                ErrorCode::InvalidAttributeLength,
                format!("has more than {max} entries"),
            ),
            Invalid::NotInEnum { allowed } => (
                ErrorCode::ValueNotInEnum,
                format!("must be one of {}", allowed.join(", ")),
            ),
            Invalid::Format(expected) => (
                ErrorCode::InvalidAttributeValue,
                format!("must be {expected}"),
            ),
        }
    }

    /// Attach the attribute path, e.g. `payment.totalAmount`.
    pub fn at(self, field: &str) -> Rejection {
        let (code, text) = self.describe();
        Rejection::new(code, format!("{field} {text}"))
    }

    /// As a serde error, for a type read from a body: [`Refused::rejection`] turns it back into
    /// its code, with the path serde found it at.
    pub(crate) fn into_serde<E: serde::de::Error>(self) -> E {
        let (code, text) = self.describe();
        E::custom(format!("{INVALID_MARK}{code}|{text}"))
    }
}

/// Marks a serde error message that carries an [`Invalid`].
const INVALID_MARK: &str = "\u{1}ocen:";

/// Why a body did not read as a callback's types: serde's message, at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    /// The JSON path (`payment.totalAmount`, `credBlock[1].type`; `.` for the body).
    pub(crate) path: String,
    pub(crate) message: String,
}

impl Refused {
    /// The rejection: an attribute type's own [`Invalid`], a missing or `null` attribute
    /// (`GEN5001`), or a wrong JSON type (`LSP4001`, saying what was expected but never the
    /// value: serde's messages quote it).
    pub(crate) fn rejection(&self) -> Rejection {
        let path = if self.path.is_empty() {
            "."
        } else {
            &self.path
        };
        let at = |name: &str| match path {
            "." => name.to_string(),
            parent => format!("{parent}.{name}"),
        };
        let field = if path == "." { "body" } else { path };
        let message = self.message.split(" at line ").next().unwrap_or_default();
        if let Some((code, text)) = message
            .strip_prefix(INVALID_MARK)
            .and_then(|m| m.split_once('|'))
        {
            let code = ErrorCode::ALL
                .into_iter()
                .find(|c| c.as_str() == code)
                .unwrap_or(ErrorCode::InvalidAttributeValue);
            return Rejection::new(code, format!("{field} {text}"));
        }
        if let Some(name) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'))
        {
            return Invalid::Missing.at(&at(name));
        }
        if message.starts_with("invalid type: null") {
            return Invalid::Missing.at(field);
        }
        let expected = match message.rsplit_once(", expected ") {
            Some((_, expected)) => format!("of type {expected}"),
            None => "of the type the schema gives".to_string(),
        };
        Rejection::new(
            ErrorCode::InvalidAttributeValue,
            format!("{field} must be {expected}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct() {
        let mut codes: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn a_missing_field_names_the_field_with_gen5001() {
        let r = Invalid::Missing.at("metadata.orgId");
        assert_eq!((r.code.as_str(), r.status), ("GEN5001", 400));
        assert!(r.detail.contains("metadata.orgId"));
    }

    #[test]
    fn a_too_large_body_is_413_gen5007() {
        let r = Rejection::body_too_large(10);
        assert_eq!((r.code.as_str(), r.status), ("GEN5007", 413));
    }
}
