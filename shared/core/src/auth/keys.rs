//! RSA public keys (PEM or JWK) and RS256/RS512 verification, on aws-lc-rs.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Deserialize;

/// Smallest modulus accepted, in bits (OCEN: 2048-bit RSA).
pub const MIN_RSA_BITS: usize = 2048;

/// An RSA JSON Web Key (RFC 7517): only the public parts are read.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub n: String,
    pub e: String,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub key_use: Option<String>,
    #[serde(default)]
    pub kid: Option<String>,
}

/// The two signature algorithms OCEN uses. Nothing else is ever accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Rs256,
    Rs512,
}

impl Alg {
    pub fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Rs512 => "RS512",
        }
    }
}

/// A lender's RSA public key.
#[derive(Clone)]
pub struct PublicKey {
    components: RsaPublicKeyComponents<Vec<u8>>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey(RSA {} bits)", self.bits())
    }
}

impl PublicKey {
    /// `-----BEGIN PUBLIC KEY-----` (SPKI) or `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1).
    pub fn from_pem(pem: &str) -> Result<PublicKey, String> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("-----"))
            .collect();
        if !pem.contains("PUBLIC KEY-----") {
            return Err("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)".into());
        }
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|e| format!("PEM body is not base64: {e}"))?;
        Self::from_der(&der)
    }

    pub fn from_der(der: &[u8]) -> Result<PublicKey, String> {
        let key = aws_lc_rs::rsa::PublicKey::from_der(der)
            .map_err(|e| format!("not an RSA public key: {e}"))?;
        Self::checked(RsaPublicKeyComponents::<Vec<u8>>::from(&key))
    }

    pub fn from_jwk(jwk: &Jwk) -> Result<PublicKey, String> {
        if jwk.kty != "RSA" {
            return Err(format!("JWK kty must be RSA, is {}", jwk.kty));
        }
        let n = URL_SAFE_NO_PAD
            .decode(jwk.n.trim_end_matches('='))
            .map_err(|_| "JWK n is not base64url".to_string())?;
        let e = URL_SAFE_NO_PAD
            .decode(jwk.e.trim_end_matches('='))
            .map_err(|_| "JWK e is not base64url".to_string())?;
        Self::checked(RsaPublicKeyComponents { n, e })
    }

    fn checked(components: RsaPublicKeyComponents<Vec<u8>>) -> Result<PublicKey, String> {
        let key = PublicKey { components };
        if key.bits() < MIN_RSA_BITS {
            return Err(format!(
                "RSA key of {} bits; at least {MIN_RSA_BITS} required",
                key.bits()
            ));
        }
        Ok(key)
    }

    pub fn bits(&self) -> usize {
        let n = &self.components.n;
        let first = n.iter().position(|b| *b != 0).unwrap_or(n.len());
        match n.get(first) {
            None => 0,
            Some(top) => (n.len() - first - 1) * 8 + (8 - top.leading_zeros() as usize),
        }
    }

    /// Whether `signature` is a valid `alg` signature of `message` by this key.
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        !signature.is_empty()
            && self
                .components
                .verify(alg.verification_params(), message, signature)
                .is_ok()
    }
}

impl Alg {
    fn verification_params(self) -> &'static signature::RsaParameters {
        match self {
            Alg::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Alg::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        }
    }
}
