//! `maskedPhoneNumber`: must actually be masked, so a full number is never stored.

use crate::error::Invalid;
use serde::Serialize;
use std::fmt;

/// A partially masked phone number such as `XXXXXXX775`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MaskedPhoneNumber(String);

impl MaskedPhoneNumber {
    /// At most this many digits may be visible.
    pub const MAX_VISIBLE_DIGITS: usize = 4;
    const EXPECTED: &'static str =
        "a masked phone number: 6 to 16 of 0-9, X, x, *, + or -, with at most 4 visible digits";

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        Self::check(s)?;
        Ok(MaskedPhoneNumber(s.to_string()))
    }

    /// [`Self::parse`] of an owned string, kept without a copy.
    pub fn parse_owned(s: String) -> Result<Self, Invalid> {
        Self::check(&s)?;
        Ok(MaskedPhoneNumber(s))
    }

    fn check(s: &str) -> Result<(), Invalid> {
        if s.is_empty() {
            return Err(Invalid::Missing);
        }
        if s.chars().count() > 16 {
            return Err(Invalid::TooLong { max: 16 });
        }
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, 'X' | 'x' | '*' | '+' | '-');
        let masked = s.chars().filter(|c| matches!(c, 'X' | 'x' | '*')).count();
        let visible = s.chars().filter(char::is_ascii_digit).count();
        if s.len() < 6
            || !s.chars().all(allowed)
            || masked == 0
            || visible > Self::MAX_VISIBLE_DIGITS
        {
            return Err(Invalid::Format(Self::EXPECTED));
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MaskedPhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_example_is_valid() {
        assert_eq!(
            MaskedPhoneNumber::parse("XXXXXXX775").unwrap().as_str(),
            "XXXXXXX775"
        );
    }

    #[test]
    fn other_mask_characters_and_a_country_code_prefix_are_valid() {
        assert!(MaskedPhoneNumber::parse("******9876").is_ok());
        assert!(MaskedPhoneNumber::parse("+xxxxxxxxx75").is_ok());
    }

    #[test]
    fn an_unmasked_number_is_refused_so_it_is_never_stored() {
        assert!(matches!(
            MaskedPhoneNumber::parse("9876543210"),
            Err(Invalid::Format(_))
        ));
        assert!(matches!(
            MaskedPhoneNumber::parse("X876543210"),
            Err(Invalid::Format(_))
        ));
    }

    #[test]
    fn letters_spaces_empty_and_overlong_values_are_refused() {
        assert!(matches!(
            MaskedPhoneNumber::parse("XXXX YY775"),
            Err(Invalid::Format(_))
        ));
        assert!(matches!(
            MaskedPhoneNumber::parse("XX7"),
            Err(Invalid::Format(_))
        ));
        assert_eq!(MaskedPhoneNumber::parse(""), Err(Invalid::Missing));
        assert_eq!(
            MaskedPhoneNumber::parse(&"X".repeat(10_000)),
            Err(Invalid::TooLong { max: 16 })
        );
    }
}
