//! Money: the spec's 2-digit-precision strings (`"10000.00"`) held as exact integer paise.

use crate::error::Invalid;
use serde::{Serialize, Serializer};
use std::fmt;

/// A non-negative amount of rupees, held exactly as paise. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount {
    paise: u64,
}

impl Amount {
    /// Largest integer part accepted: 15 digits (a thousand trillion rupees).
    const MAX_INTEGER_DIGITS: usize = 15;
    const EXPECTED: &'static str =
        "a decimal string of rupees with at most 2 decimal places, e.g. \"10000.00\"";

    /// Accepts `"10000.00"`, `"10000.5"`, `"10000"`; refuses signs, exponents, spaces,
    /// more than two decimals and anything but ASCII digits and one dot.
    pub fn parse(s: &str) -> Result<Amount, Invalid> {
        if s.is_empty() {
            return Err(Invalid::Missing);
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f) || f.len() > 2) {
            return Err(Invalid::Format(Self::EXPECTED));
        }
        if int.len() > Self::MAX_INTEGER_DIGITS {
            return Err(Invalid::TooLong {
                max: Self::MAX_INTEGER_DIGITS,
            });
        }
        let rupees: u64 = int.parse().map_err(|_| Invalid::Format(Self::EXPECTED))?;
        let frac = frac.unwrap_or("");
        let paise_part: u64 = match frac.len() {
            0 => 0,
            1 => u64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| Invalid::Format(Self::EXPECTED))?,
        };
        Ok(Amount {
            paise: rupees * 100 + paise_part,
        })
    }

    pub fn from_paise(paise: u64) -> Amount {
        Amount { paise }
    }

    pub fn paise(self) -> u64 {
        self.paise
    }

    pub fn is_zero(self) -> bool {
        self.paise == 0
    }
}

impl fmt::Display for Amount {
    /// Always two decimals: `"10000.00"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.paise / 100, self.paise % 100)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_example_is_exact_paise() {
        assert_eq!(Amount::parse("10000.00").unwrap().paise(), 1_000_000);
    }

    #[test]
    fn one_decimal_and_no_decimals_are_accepted() {
        assert_eq!(Amount::parse("10000.0").unwrap().paise(), 1_000_000);
        assert_eq!(Amount::parse("10000.5").unwrap().paise(), 1_000_050);
        assert_eq!(Amount::parse("10000").unwrap().paise(), 1_000_000);
        assert_eq!(Amount::parse("0.07").unwrap().paise(), 7);
    }

    #[test]
    fn amounts_print_with_two_decimals() {
        assert_eq!(Amount::parse("10000.5").unwrap().to_string(), "10000.50");
        assert_eq!(Amount::parse("0.07").unwrap().to_string(), "0.07");
        assert_eq!(
            serde_json::to_string(&Amount::from_paise(5)).unwrap(),
            "\"0.05\""
        );
    }

    #[test]
    fn a_value_that_floats_would_round_is_exact() {
        // 0.1 + 0.2 style trouble cannot happen: 12345678901234.99 stays exact.
        assert_eq!(
            Amount::parse("12345678901234.99").unwrap().paise(),
            1_234_567_890_123_499
        );
    }

    #[test]
    fn negative_exponent_signed_and_spaced_amounts_are_refused() {
        for bad in [
            "-5.00", "+5.00", "1e3", "1E3", " 5.00", "5.00 ", "5,00", "5.", ".5", "5.0.0", "five",
            "٥.00", "0x10",
        ] {
            assert!(
                matches!(Amount::parse(bad), Err(Invalid::Format(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn more_than_two_decimals_is_refused() {
        assert!(matches!(
            Amount::parse("10000.001"),
            Err(Invalid::Format(_))
        ));
    }

    #[test]
    fn an_empty_amount_is_missing() {
        assert_eq!(Amount::parse(""), Err(Invalid::Missing));
    }

    #[test]
    fn an_absurdly_long_amount_is_too_long_not_an_overflow() {
        assert_eq!(
            Amount::parse(&"9".repeat(10_000)),
            Err(Invalid::TooLong { max: 15 })
        );
        assert!(Amount::parse(&"9".repeat(15)).is_ok());
    }
}
