//! The lender registry: for each lender `orgId`, the scheme it signs with and its allowed
//! keys (JWK or PEM; up to two `kid`s, for rotation). Loaded once per cold start; a
//! malformed registry fails the cold start with a message naming the entry.
//!
//! ```json
//! {"lenders": [
//!   {"orgId": "LENDER-ABC", "scheme": "v3",
//!    "keys": [{"kid": "2024-05", "pem": "-----BEGIN PUBLIC KEY-----\n…"},
//!             {"kid": "2024-11", "jwk": {"kty": "RSA", "n": "…", "e": "AQAB"}}]}
//! ]}
//! ```

use super::keys::{Jwk, PublicKey};
use crate::domain::OrgId;
use serde::Deserialize;
use std::collections::HashMap;

/// Keys allowed per lender at once: the current one and the next (rotation).
pub const MAX_KEYS_PER_LENDER: usize = 2;

/// How a lender signs its callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Scheme {
    /// OCEN v3: the body is a flattened JWS JSON object `{payload, header, signature}`, RS512.
    #[serde(rename = "v3")]
    V3,
    /// OCEN v4: detached JWS of the raw body in `x-jws-signature`, RS256, `b64: false`.
    #[serde(rename = "v4")]
    V4,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("lender registry is not valid JSON of the documented shape: {0}")]
    Shape(String),
    #[error("lender registry entry {index} ({org}): {reason}")]
    Entry {
        index: usize,
        org: String,
        reason: String,
    },
    #[error("lender registry: cannot read {source_name}: {reason}")]
    Source { source_name: String, reason: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    lenders: Vec<LenderEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LenderEntry {
    org_id: String,
    scheme: Scheme,
    keys: Vec<KeyEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    kid: String,
    #[serde(default)]
    pem: Option<String>,
    #[serde(default)]
    jwk: Option<Jwk>,
}

/// One registered lender.
#[derive(Clone)]
pub struct Lender {
    pub org_id: OrgId,
    pub scheme: Scheme,
    keys: HashMap<String, PublicKey>,
}

impl Lender {
    pub fn key(&self, kid: &str) -> Option<&PublicKey> {
        self.keys.get(kid)
    }

    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }
}

/// All registered lenders, by `orgId`.
#[derive(Clone, Default)]
pub struct LenderRegistry {
    lenders: HashMap<String, Lender>,
}

impl std::fmt::Debug for LenderRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LenderRegistry")
            .field("lenders", &self.lenders.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl LenderRegistry {
    pub fn parse(json: &str) -> Result<LenderRegistry, RegistryError> {
        let file: RegistryFile =
            serde_json::from_str(json).map_err(|e| RegistryError::Shape(e.to_string()))?;
        let mut lenders = HashMap::new();
        for (index, entry) in file.lenders.into_iter().enumerate() {
            let err = |reason: String| RegistryError::Entry {
                index,
                org: entry.org_id.clone(),
                reason,
            };
            let org_id = OrgId::parse(entry.org_id.clone())
                .map_err(|e| err(format!("orgId is invalid: {e:?}")))?;
            if entry.keys.is_empty() || entry.keys.len() > MAX_KEYS_PER_LENDER {
                return Err(err(format!(
                    "needs 1 to {MAX_KEYS_PER_LENDER} keys, has {}",
                    entry.keys.len()
                )));
            }
            let mut keys = HashMap::new();
            for k in &entry.keys {
                if k.kid.is_empty() {
                    return Err(err("a key has an empty kid".into()));
                }
                let key = match (&k.pem, &k.jwk) {
                    (Some(pem), None) => PublicKey::from_pem(pem),
                    (None, Some(jwk)) => PublicKey::from_jwk(jwk),
                    _ => Err("give exactly one of pem or jwk".to_string()),
                }
                .map_err(|reason| err(format!("key {}: {reason}", k.kid)))?;
                if keys.insert(k.kid.clone(), key).is_some() {
                    return Err(err(format!("kid {} appears twice", k.kid)));
                }
            }
            let lender = Lender {
                org_id,
                scheme: entry.scheme,
                keys,
            };
            if lenders.insert(entry.org_id.clone(), lender).is_some() {
                return Err(err("orgId appears twice".into()));
            }
        }
        Ok(LenderRegistry { lenders })
    }

    pub fn lender(&self, org_id: &str) -> Option<&Lender> {
        self.lenders.get(org_id)
    }

    pub fn len(&self) -> usize {
        self.lenders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lenders.is_empty()
    }
}
