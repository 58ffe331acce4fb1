//! The spec's enums. Values are matched exactly (the spec spells them in capitals); an
//! unknown value is `GEN5002` and names the allowed ones.

/// An enum of the spec: exact values, `GEN5002` naming the allowed ones, serialised as sent,
/// its schema the allowed values.
macro_rules! ocen_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALLOWED: &'static [&'static str] = &[$($text),+];

            pub fn parse(s: &str) -> Result<Self, $crate::error::Invalid> {
                match s {
                    "" => Err($crate::error::Invalid::Missing),
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::error::Invalid::NotInEnum { allowed: Self::ALLOWED }),
                }
            }

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).map_err($crate::error::Invalid::into_serde)
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let mut schema = ::schemars::json_schema!({ "type": "string" });
                schema.insert("enum".into(), Self::ALLOWED.into());
                schema
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

/// For callback modules with enums of their own.
pub(crate) use ocen_enum;

ocen_enum!(
    /// `payment.status`.
    PaymentStatus { Success = "SUCCESS", Failure = "FAILURE", PendingAuth = "PENDING_AUTH" }
);
ocen_enum!(
    /// `payment.paymentMethodType`.
    PaymentMethod {
        Upi = "UPI",
        EmandateUpi = "EMANDATE_UPI",
        Netbanking = "NETBANKING",
        Enach = "ENACH",
        DebitCard = "DEBIT_CARD",
    }
);
ocen_enum!(
    /// `consent.consentStatus`.
    ConsentStatus { Ready = "READY", Pending = "PENDING", Failed = "FAILED" }
);
ocen_enum!(
    /// `consent.consentFetchType`.
    ConsentFetchType { Onetime = "ONETIME", Periodic = "PERIODIC" }
);
ocen_enum!(
    /// `credBlock.data.status`.
    OtpStatus { Success = "SUCCESS", InvalidSession = "INVALID_SESSION", IncorrectOtp = "INCORRECT_OTP" }
);
ocen_enum!(
    /// `credBlock.type`.
    CredType { Otp = "OTP" }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Invalid;

    #[test]
    fn every_allowed_value_round_trips() {
        for s in PaymentStatus::ALLOWED {
            assert_eq!(PaymentStatus::parse(s).unwrap().as_str(), *s);
        }
        for s in PaymentMethod::ALLOWED {
            assert_eq!(PaymentMethod::parse(s).unwrap().as_str(), *s);
        }
        for s in ConsentStatus::ALLOWED {
            assert_eq!(ConsentStatus::parse(s).unwrap().as_str(), *s);
        }
        for s in ConsentFetchType::ALLOWED {
            assert_eq!(ConsentFetchType::parse(s).unwrap().as_str(), *s);
        }
        for s in OtpStatus::ALLOWED {
            assert_eq!(OtpStatus::parse(s).unwrap().as_str(), *s);
        }
        assert_eq!(CredType::parse("OTP"), Ok(CredType::Otp));
    }

    #[test]
    fn unknown_values_are_not_in_enum_and_list_the_allowed_ones() {
        assert_eq!(
            PaymentStatus::parse("SUCCEEDED"),
            Err(Invalid::NotInEnum {
                allowed: PaymentStatus::ALLOWED
            })
        );
    }

    #[test]
    fn enum_values_are_case_sensitive() {
        assert!(matches!(
            ConsentStatus::parse("ready"),
            Err(Invalid::NotInEnum { .. })
        ));
        assert!(matches!(
            PaymentMethod::parse("upi "),
            Err(Invalid::NotInEnum { .. })
        ));
    }

    #[test]
    fn an_empty_enum_value_is_missing() {
        assert_eq!(OtpStatus::parse(""), Err(Invalid::Missing));
    }

    #[test]
    fn enums_serialise_as_their_spec_text() {
        assert_eq!(
            serde_json::to_string(&PaymentMethod::EmandateUpi).unwrap(),
            "\"EMANDATE_UPI\""
        );
    }
}
