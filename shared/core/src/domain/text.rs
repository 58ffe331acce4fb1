//! Bounded identifier and text newtypes. Each has a private field and a `parse` that is the
//! only way in, so a value of the type is always valid.

use crate::error::Invalid;
use serde::Serialize;
use std::fmt;

fn check_len(s: &str, max: usize) -> Result<(), Invalid> {
    if s.is_empty() {
        return Err(Invalid::Missing);
    }
    if longer_than(s, max) {
        return Err(Invalid::TooLong { max });
    }
    Ok(())
}

/// More than `max` characters. Counted only when the bytes say it may be so (a character
/// is at least one byte).
fn longer_than(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().count() > max
}

/// Identifier characters: ASCII letters, digits and `-_.:`. Safe in keys, logs and URLs.
fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, max = $max:expr, chars = $pred:expr, expected = $expected:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_LEN: usize = $max;

            pub fn parse(s: impl Into<String>) -> Result<Self, Invalid> {
                let s = s.into();
                Self::check(&s)?;
                Ok($name(s))
            }

            /// [`Self::parse`] would take `s` (without copying it).
            pub fn is_valid(s: &str) -> bool {
                Self::check(s).is_ok()
            }

            fn check(s: &str) -> Result<(), Invalid> {
                check_len(s, Self::MAX_LEN)?;
                if !s.chars().all($pred) {
                    return Err(Invalid::Format($expected));
                }
                Ok(())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

identifier!(
    /// `requestId`: opaque (the spec's own examples are not UUIDs), non-empty, bounded.
    RequestId, max = 128, chars = is_id_char, expected = "letters, digits and -_.: only"
);
identifier!(
    /// `metadata.orgId`: the lender's id, which auth and authorisation key on.
    OrgId, max = 128, chars = is_id_char, expected = "letters, digits and -_.: only"
);
identifier!(
    /// `metadata.traceId`: echoed in the ack; any visible ASCII.
    TraceId, max = 128, chars = |c: char| c.is_ascii_graphic(), expected = "visible ASCII characters only"
);
identifier!(
    /// `metadata.version`: the OCEN version the lender speaks.
    ApiVersion, max = 32, chars = |c: char| c.is_ascii_graphic(), expected = "visible ASCII characters only"
);
identifier!(
    /// `loanId`, `payment.id`, `consentHandle` and similar references.
    Reference, max = 128, chars = |c: char| c.is_ascii_graphic(), expected = "visible ASCII characters only"
);

identifier!(
    /// `response.error`: `"0"` or the lender's business error code.
    LenderErrorCode, max = 64, chars = |c: char| c.is_ascii_graphic(), expected = "visible ASCII characters only"
);

impl LenderErrorCode {
    /// `"0"`: the lender reports no error.
    pub fn is_ok(&self) -> bool {
        self.0 == "0"
    }
}

impl TraceId {
    /// A fresh trace id, for when the lender's cannot be read.
    pub fn generate() -> TraceId {
        TraceId(uuid::Uuid::new_v4().to_string())
    }
}

/// Free text (`description`, `url`, `vua`, ...): any characters, bounded length; empty allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(s: impl Into<String>) -> Result<Self, Invalid> {
        let s = s.into();
        if longer_than(&s, Self::MAX_LEN) {
            return Err(Invalid::TooLong { max: Self::MAX_LEN });
        }
        Ok(Text(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A secret the lender hands the LSP (`otp`, `otpSessionKey`, `appToken`): carried in the
/// event for the consumer that needs it, but `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub const MAX_LEN: usize = 1024;

    pub fn parse(s: impl Into<String>) -> Result<Self, Invalid> {
        let s = s.into();
        check_len(&s, Self::MAX_LEN)?;
        Ok(Secret(s))
    }

    /// The secret itself: call only where it is handed on, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// `otp`: 4 to 8 digits. The schema says number, samples send a string: both accepted,
/// held as the digit string (a leading zero survives) and passed on as sent: a number stays
/// a number, a string a string.
#[derive(Clone, PartialEq, Eq)]
pub struct Otp {
    digits: String,
    sent_as_number: bool,
}

impl Otp {
    pub fn parse(s: impl Into<String>) -> Result<Self, Invalid> {
        let s = s.into();
        if s.is_empty() {
            return Err(Invalid::Missing);
        }
        if !(4..=8).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::Format("4 to 8 digits"));
        }
        Ok(Otp {
            digits: s,
            sent_as_number: false,
        })
    }

    /// An otp the lender sent as a JSON number (its spelling, e.g. `123456`).
    pub fn parse_number(s: impl Into<String>) -> Result<Self, Invalid> {
        Ok(Otp {
            sent_as_number: true,
            ..Self::parse(s)?
        })
    }

    pub fn expose(&self) -> &str {
        &self.digits
    }
}

impl Serialize for Otp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Read as a number only when it was sent as one.
        match self
            .sent_as_number
            .then(|| self.digits.parse::<serde_json::Number>())
        {
            Some(Ok(n)) => n.serialize(s),
            _ => s.serialize_str(&self.digits),
        }
    }
}

impl fmt::Debug for Otp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Otp(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_non_uuid_request_id_is_valid() {
        let id = RequestId::parse("i8cc6822bd4bbb4eb1b9e1b4996fbff8acb").unwrap();
        assert_eq!(id.as_str(), "i8cc6822bd4bbb4eb1b9e1b4996fbff8acb");
    }

    #[test]
    fn a_uuid_request_id_is_valid() {
        assert!(RequestId::parse("e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb").is_ok());
    }

    #[test]
    fn an_empty_request_id_is_missing() {
        assert_eq!(RequestId::parse(""), Err(Invalid::Missing));
    }

    #[test]
    fn a_10k_char_request_id_is_too_long() {
        assert_eq!(
            RequestId::parse("a".repeat(10_000)),
            Err(Invalid::TooLong { max: 128 })
        );
    }

    #[test]
    fn a_request_id_of_exactly_the_limit_is_valid() {
        assert!(RequestId::parse("a".repeat(128)).is_ok());
    }

    #[test]
    fn a_request_id_with_spaces_or_key_separators_is_invalid() {
        for s in ["a b", "a#b", "a/b", "ä", "a\nb"] {
            assert!(
                matches!(RequestId::parse(s), Err(Invalid::Format(_))),
                "{s:?}"
            );
        }
    }

    #[test]
    fn an_org_id_with_a_newline_is_invalid() {
        assert!(matches!(OrgId::parse("LENDER\n1"), Err(Invalid::Format(_))));
    }

    #[test]
    fn a_trace_id_may_hold_any_visible_ascii_but_not_spaces() {
        assert!(TraceId::parse("abc/def+1=").is_ok());
        assert!(matches!(TraceId::parse("a b"), Err(Invalid::Format(_))));
    }

    #[test]
    fn generated_trace_ids_are_valid_and_distinct() {
        let (a, b) = (TraceId::generate(), TraceId::generate());
        assert_ne!(a, b);
        assert!(TraceId::parse(a.as_str()).is_ok());
    }

    #[test]
    fn text_is_bounded_in_characters_not_bytes() {
        // 2048 two-byte characters are 4096 bytes, and allowed; one more is not.
        assert!(Text::parse("é".repeat(2048)).is_ok());
        assert_eq!(
            Text::parse("é".repeat(2049)),
            Err(Invalid::TooLong { max: 2048 })
        );
        assert!(Text::parse("x".repeat(2048)).is_ok());
        assert!(Text::parse("x".repeat(2049)).is_err());
    }

    #[test]
    fn text_may_be_empty_but_not_10k_chars() {
        assert!(Text::parse("").is_ok());
        assert_eq!(
            Text::parse("x".repeat(10_000)),
            Err(Invalid::TooLong { max: 2048 })
        );
    }

    #[test]
    fn secrets_and_otps_never_show_in_debug_output() {
        let s = Secret::parse("session-key-123").unwrap();
        let o = Otp::parse("856429").unwrap();
        let shown = format!("{s:?} {o:?}");
        assert!(!shown.contains("session-key-123") && !shown.contains("856429"));
        assert_eq!(s.expose(), "session-key-123");
    }

    #[test]
    fn an_otp_is_four_to_eight_digits() {
        assert!(Otp::parse("0123").is_ok());
        assert!(Otp::parse("12345678").is_ok());
        for bad in ["123", "123456789", "12a456", "-12345", "1e3"] {
            assert!(matches!(Otp::parse(bad), Err(Invalid::Format(_))), "{bad}");
        }
        assert_eq!(Otp::parse(""), Err(Invalid::Missing));
    }
}
