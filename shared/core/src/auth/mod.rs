//! Authentication: only a registered lender gets in.
//!
//! - v3 scheme: the body is a flattened JWS JSON object `{"payload","header","signature"}`
//!   (the key is `header`, not `protected`), RS512, `kid` in the header. The verified
//!   payload is the callback.
//! - v4 scheme: the raw body is the callback; `x-jws-signature: <b64url header>..<sig>` is
//!   a detached JWS (RFC 7797, `b64: false`), RS256, verified over the exact bytes received.
//!
//! The lender is the one named in the payload's `metadata.orgId`; it must be registered,
//! use the scheme it is registered with, and have signed with one of its `kid`s. Every
//! failure is [`AuthFailure`] → 401 `AUTH1001`, with a reason for the log that never
//! carries the body.

pub mod keys;
pub mod registry;
/// The lender's side (signing), for tests and tools; not linked into the functions.
#[cfg(any(test, feature = "signing"))]
pub mod signing;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use keys::Alg;
pub use registry::{Lender, LenderRegistry, RegistryError, Scheme};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// The header carrying a v4 detached signature.
pub const SIGNATURE_HEADER: &str = "x-jws-signature";

/// Longest protected header / signature accepted, in base64url characters.
const MAX_HEADER_B64: usize = 4096;
const MAX_SIGNATURE_B64: usize = 2048;

/// Why a request is not authenticated. Logged; never sent (the lender sees `AUTH1001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    Unsigned,
    Malformed(&'static str),
    AlgorithmNotAllowed { scheme: Scheme },
    NoOrgId,
    UnknownLender,
    WrongScheme { registered: Scheme },
    UnknownKid,
    BadSignature,
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthFailure::Unsigned => f.write_str(
                "the request carries no signature (neither a JWS body nor x-jws-signature)",
            ),
            AuthFailure::Malformed(what) => write!(f, "malformed signature: {what}"),
            AuthFailure::AlgorithmNotAllowed { scheme } => {
                write!(
                    f,
                    "algorithm not allowed (the {scheme:?} scheme requires {})",
                    expected_alg(*scheme).name()
                )
            }
            AuthFailure::NoOrgId => f.write_str("the signed payload names no metadata.orgId"),
            AuthFailure::UnknownLender => f.write_str("metadata.orgId is not a registered lender"),
            AuthFailure::WrongScheme { registered } => {
                write!(f, "the lender is registered for the {registered:?} scheme")
            }
            AuthFailure::UnknownKid => f.write_str("kid is not one of the lender's keys"),
            AuthFailure::BadSignature => f.write_str("signature does not verify"),
        }
    }
}

fn expected_alg(scheme: Scheme) -> Alg {
    match scheme {
        Scheme::V3 => Alg::Rs512,
        Scheme::V4 => Alg::Rs256,
    }
}

/// A verified request: who sent it and the callback bytes to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<'a> {
    pub org_id: String,
    pub kid: String,
    pub scheme: Scheme,
    pub payload: Cow<'a, [u8]>,
}

/// What the service does about signatures.
#[derive(Debug, Clone)]
pub enum AuthMode {
    /// Verify every request against the registry.
    Jws(LenderRegistry),
    /// Accept unsigned bodies. Local development only: refused on Lambda.
    Disabled,
}

/// The protected header's members this service reads. `crit` is kept raw: its shape is
/// checked here ([`check_critical`]), not left to serde (`null` is not absent).
struct ProtectedHeader {
    alg: Option<String>,
    kid: Option<String>,
    b64: Option<serde_json::Value>,
    crit: Option<serde_json::Value>,
}

/// Header extensions this service understands (RFC 7515 §4.1.11): only RFC 7797's `b64`.
const UNDERSTOOD_EXTENSIONS: [&str; 1] = ["b64"];

/// RFC 7515 §4.1.11 and RFC 7797 §6: every name in `crit` must be understood and present,
/// `crit` is a non-empty array of distinct strings, and `b64` (when present) must be
/// listed in it. The v4 scheme is detached with `b64: false`; v3 carries a base64url
/// payload (no `b64`, or `true`).
fn check_critical(header: &ProtectedHeader, scheme: Scheme) -> Result<(), AuthFailure> {
    use serde_json::Value;
    let b64 = match &header.b64 {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(AuthFailure::Malformed("b64 must be true or false")),
    };
    match (scheme, b64) {
        (Scheme::V4, Some(false)) | (Scheme::V3, None | Some(true)) => {}
        (Scheme::V4, _) => {
            return Err(AuthFailure::Malformed(
                "the header must carry b64: false (RFC 7797)",
            ))
        }
        (Scheme::V3, Some(false)) => {
            return Err(AuthFailure::Malformed(
                "a v3 JWS carries its payload base64url-encoded: b64 cannot be false",
            ))
        }
    }
    let names: Vec<&str> = match &header.crit {
        None => Vec::new(),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|i| i.as_str())
            .collect::<Option<Vec<_>>>()
            .ok_or(AuthFailure::Malformed(
                "crit must list header names (strings)",
            ))?,
        Some(_) => {
            return Err(AuthFailure::Malformed(
                "crit must be a non-empty array (RFC 7515 4.1.11)",
            ))
        }
    };
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(AuthFailure::Malformed("crit names a header twice"));
        }
        if !UNDERSTOOD_EXTENSIONS.contains(name) {
            return Err(AuthFailure::Malformed(
                "crit names an extension this service does not understand",
            ));
        }
        if *name == "b64" && b64.is_none() {
            return Err(AuthFailure::Malformed(
                "crit names b64, which the header lacks",
            ));
        }
    }
    if b64.is_some() && !names.contains(&"b64") {
        return Err(AuthFailure::Malformed(
            "b64 must be listed in crit (RFC 7797 6)",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlattenedJws {
    payload: String,
    header: String,
    signature: String,
}

/// Only `metadata.orgId` is read from an unverified payload, to find the lender's keys.
#[derive(Deserialize)]
struct OrgProbe {
    metadata: Option<OrgProbeMeta>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgProbeMeta {
    org_id: Option<serde_json::Value>,
}

fn b64(s: &str, max: usize, what: &'static str) -> Result<Vec<u8>, AuthFailure> {
    if s.is_empty() {
        return Err(AuthFailure::Malformed(what));
    }
    if s.len() > max {
        return Err(AuthFailure::Malformed("a part is too long"));
    }
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| AuthFailure::Malformed(what))
}

fn header(b64_header: &str) -> Result<ProtectedHeader, AuthFailure> {
    let bytes = b64(b64_header, MAX_HEADER_B64, "header is not base64url")?;
    if crate::wire::names_a_member_twice(&bytes) {
        return Err(AuthFailure::Malformed("header names a member twice"));
    }
    let mut map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes)
        .map_err(|_| AuthFailure::Malformed("header is not a JSON object"))?;
    let text = |v: Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(s),
        _ => None,
    };
    Ok(ProtectedHeader {
        alg: text(map.remove("alg")),
        kid: text(map.remove("kid")),
        b64: map.remove("b64"),
        crit: map.remove("crit"),
    })
}

fn org_id(payload: &[u8]) -> Result<String, AuthFailure> {
    let probe: OrgProbe = serde_json::from_slice(payload).map_err(|_| AuthFailure::NoOrgId)?;
    match probe.metadata.and_then(|m| m.org_id) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s),
        _ => Err(AuthFailure::NoOrgId),
    }
}

impl LenderRegistry {
    /// Authenticate one request: `signature_header` is `x-jws-signature` if present.
    pub fn verify<'a>(
        &self,
        signature_header: Option<&str>,
        body: &'a [u8],
    ) -> Result<Verified<'a>, AuthFailure> {
        match signature_header {
            Some(h) => self.verify_detached(h, body),
            None => self.verify_flattened(body),
        }
    }

    fn lender_key(
        &self,
        org: &str,
        scheme: Scheme,
        header: &ProtectedHeader,
    ) -> Result<(&keys::PublicKey, String), AuthFailure> {
        // The algorithm is fixed by the scheme, never taken from the header (no alg confusion).
        if header.alg.as_deref() != Some(expected_alg(scheme).name()) {
            return Err(AuthFailure::AlgorithmNotAllowed { scheme });
        }
        let lender = self.lender(org).ok_or(AuthFailure::UnknownLender)?;
        if lender.scheme != scheme {
            return Err(AuthFailure::WrongScheme {
                registered: lender.scheme,
            });
        }
        let kid = header.kid.clone().ok_or(AuthFailure::UnknownKid)?;
        let key = lender.key(&kid).ok_or(AuthFailure::UnknownKid)?;
        Ok((key, kid))
    }

    fn verify_flattened<'a>(&self, body: &'a [u8]) -> Result<Verified<'a>, AuthFailure> {
        let jws: FlattenedJws = serde_json::from_slice(body).map_err(|_| AuthFailure::Unsigned)?;
        if crate::wire::names_a_member_twice(body) {
            return Err(AuthFailure::Malformed(
                "the JWS object names a member twice",
            ));
        }
        let protected = header(&jws.header)?;
        check_critical(&protected, Scheme::V3)?;
        let payload = b64(&jws.payload, usize::MAX, "payload is not base64url")?;
        let signature = b64(
            &jws.signature,
            MAX_SIGNATURE_B64,
            "signature is not base64url",
        )?;
        let org = org_id(&payload)?;
        let (key, kid) = self.lender_key(&org, Scheme::V3, &protected)?;
        let signing_input = format!("{}.{}", jws.header, jws.payload);
        if !key.verify(Alg::Rs512, signing_input.as_bytes(), &signature) {
            return Err(AuthFailure::BadSignature);
        }
        Ok(Verified {
            org_id: org,
            kid,
            scheme: Scheme::V3,
            payload: Cow::Owned(payload),
        })
    }

    fn verify_detached<'a>(
        &self,
        value: &str,
        body: &'a [u8],
    ) -> Result<Verified<'a>, AuthFailure> {
        let mut parts = value.trim().split('.');
        let (Some(h), Some(middle), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthFailure::Malformed(
                "x-jws-signature must be <header>..<signature>",
            ));
        };
        if !middle.is_empty() {
            return Err(AuthFailure::Malformed(
                "x-jws-signature must be detached (empty payload part)",
            ));
        }
        let protected = header(h)?;
        check_critical(&protected, Scheme::V4)?;
        let signature = b64(s, MAX_SIGNATURE_B64, "signature is not base64url")?;
        let org = org_id(body)?;
        let (key, kid) = self.lender_key(&org, Scheme::V4, &protected)?;
        // RFC 7797: the signing input is the header, a dot, and the body bytes as received.
        let mut signing_input = Vec::with_capacity(h.len() + 1 + body.len());
        signing_input.extend_from_slice(h.as_bytes());
        signing_input.push(b'.');
        signing_input.extend_from_slice(body);
        if !key.verify(Alg::Rs256, &signing_input, &signature) {
            return Err(AuthFailure::BadSignature);
        }
        Ok(Verified {
            org_id: org,
            kid,
            scheme: Scheme::V4,
            payload: Cow::Borrowed(body),
        })
    }
}

#[cfg(test)]
mod tests;
