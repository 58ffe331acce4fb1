//! Which callback a request is: a handle on its module's [`CallbackDef`] in the registry
//! ([`crate::callbacks::REGISTRY`]), and the paths it arrives on.

use crate::callbacks::{CallbackDef, CallbackTools, REGISTRY};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::hash::{Hash, Hasher};

/// Which OCEN callback a request is. Part of the idempotency key and of every event.
/// Compared, hashed and (de)serialised by its name (`DISBURSEMENT_RESPONSE`).
#[derive(Clone, Copy)]
pub struct CallbackType(&'static CallbackDef);

impl CallbackType {
    /// Every registered callback.
    pub const ALL: &'static [CallbackType] = REGISTRY;

    /// The handle of a module's definition (each module's `TYPE`).
    pub const fn of(def: &'static CallbackDef) -> CallbackType {
        CallbackType(def)
    }

    /// What its module declares for serving it.
    pub fn def(self) -> &'static CallbackDef {
        self.0
    }

    /// What its module declares for the tools and tests: OpenAPI components, sample and
    /// simulated bodies, its own events.
    pub fn tools(self) -> &'static CallbackTools {
        crate::callbacks::tools(self)
    }

    /// A body's bytes as this callback, validated (tools and tests; the pipeline reads the
    /// body once and validates its tree).
    pub fn validate(
        self,
        bytes: &[u8],
        policy: &crate::callbacks::ValidationPolicy,
    ) -> Result<crate::callbacks::Callback, crate::Rejection> {
        let read = crate::wire::read(bytes).map_err(|why| crate::Rejection::not_a_body(&why))?;
        if let Some(why) = &read.broken {
            return Err(crate::Rejection::not_a_body(why));
        }
        (self.0.validate)(&read.tree, policy)
    }

    /// The name used in keys, events, message attributes and configuration.
    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    pub fn parse(name: &str) -> Option<CallbackType> {
        Self::ALL.iter().copied().find(|t| t.as_str() == name)
    }

    /// The spec's path (v3).
    pub fn path(self) -> &'static str {
        self.0.paths[0]
    }

    /// Every path a lender may use for this callback.
    pub fn paths(self) -> &'static [&'static str] {
        self.0.paths
    }

    /// Which callback a request path names. Tolerates a trailing slash and a stage prefix
    /// (`/prod/v3/...`).
    pub fn from_path(path: &str) -> Option<CallbackType> {
        let path = path.trim_end_matches('/');
        Self::ALL.iter().copied().find(|t| {
            t.paths().iter().any(|p| {
                path == *p || (path.ends_with(p) && path[..path.len() - p.len()].starts_with('/'))
            })
        })
    }
}

impl PartialEq for CallbackType {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CallbackType {}

impl Hash for CallbackType {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl PartialOrd for CallbackType {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CallbackType {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for CallbackType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CallbackType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CallbackType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CallbackType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        CallbackType::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown callback type {name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_spec_path_names_its_callback() {
        for &t in CallbackType::ALL {
            for p in t.paths() {
                assert_eq!(CallbackType::from_path(p), Some(t));
            }
        }
    }

    #[test]
    fn the_capitalised_disbursement_spelling_is_accepted() {
        assert_eq!(
            CallbackType::from_path("/v3/disbursement/TriggerDisbursementResponse"),
            Some(crate::callbacks::disbursement::TYPE)
        );
    }

    #[test]
    fn a_stage_prefix_and_trailing_slash_are_tolerated() {
        assert_eq!(
            CallbackType::from_path("/prod/v3/consent/consentHandleResponse/"),
            Some(crate::callbacks::consent_handle::TYPE)
        );
    }

    #[test]
    fn unrelated_paths_name_no_callback() {
        for p in [
            "/",
            "/v3/loan",
            "/v3/loan/triggerLoanAcceptanceRequest",
            "/xv3/consent/consentHandleResponse",
        ] {
            assert_eq!(CallbackType::from_path(p), None, "{p}");
        }
    }

    #[test]
    fn each_callbacks_schema_names_a_spec_file_copied_into_the_repository() {
        for &t in CallbackType::ALL {
            let file = crate::testing::spec_dir()
                .join("v3-schemas")
                .join(format!("{}.json", t.def().schema));
            assert!(file.is_file(), "{t}: no {}", file.display());
        }
    }

    #[test]
    fn names_round_trip() {
        for &t in CallbackType::ALL {
            assert_eq!(CallbackType::parse(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(serde_json::from_str::<CallbackType>(&json).unwrap(), t);
        }
        assert!(serde_json::from_str::<CallbackType>("\"NO_SUCH_CALLBACK\"").is_err());
    }
}
