//! The lender's side: RSA key generation and signing in both schemes. Used by the local
//! `dev` lender, the tests and the lender simulator — never by the callback functions.

use super::keys::PublicKey;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{RsaEncoding, RSA_PKCS1_SHA256, RSA_PKCS1_SHA512};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

pub struct SigningKey {
    pub kid: String,
    key_pair: KeyPair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

impl SigningKey {
    /// A fresh 2048-bit RSA key.
    pub fn generate(kid: impl Into<String>) -> Result<SigningKey, String> {
        let key_pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|e| format!("RSA key generation failed: {e}"))?;
        Ok(SigningKey {
            kid: kid.into(),
            key_pair,
        })
    }

    /// From an unencrypted PKCS#8 PEM private key (as written by `private_pem`).
    pub fn from_pkcs8_pem(kid: impl Into<String>, text: &str) -> Result<SigningKey, String> {
        let body: String = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("-----"))
            .collect();
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|e| format!("private key PEM is not base64: {e}"))?;
        let key_pair =
            KeyPair::from_pkcs8(&der).map_err(|e| format!("not a PKCS#8 RSA private key: {e}"))?;
        Ok(SigningKey {
            kid: kid.into(),
            key_pair,
        })
    }

    pub fn private_pem(&self) -> Result<String, String> {
        let der = self
            .key_pair
            .as_der()
            .map_err(|e| format!("cannot encode the private key: {e}"))?;
        Ok(pem("PRIVATE KEY", der.as_ref()))
    }

    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), for the registry.
    pub fn public_pem(&self) -> Result<String, String> {
        use aws_lc_rs::signature::KeyPair as _;
        let der = self
            .key_pair
            .public_key()
            .as_der()
            .map_err(|e| format!("cannot encode the public key: {e}"))?;
        Ok(pem("PUBLIC KEY", der.as_ref()))
    }

    pub fn public_key(&self) -> Result<PublicKey, String> {
        PublicKey::from_pem(&self.public_pem()?)
    }

    fn sign(&self, encoding: &'static dyn RsaEncoding, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0u8; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(encoding, &SystemRandom::new(), message, &mut signature)
            .expect("RSA signing with a valid key and a correctly sized buffer succeeds");
        signature
    }

    /// v3: the flattened JWS JSON body `{"payload","header","signature"}` (RS512).
    pub fn sign_v3(&self, callback_json: &[u8]) -> Vec<u8> {
        self.sign_v3_with_header(
            &serde_json::json!({"kid": self.kid, "alg": "RS512"}),
            callback_json,
        )
    }

    /// v3 with a protected header of the caller's choosing (`kid` and `alg` included by the
    /// caller): for tests of header handling.
    pub fn sign_v3_with_header(&self, header: &serde_json::Value, callback_json: &[u8]) -> Vec<u8> {
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let payload = URL_SAFE_NO_PAD.encode(callback_json);
        let signature = URL_SAFE_NO_PAD
            .encode(self.sign(&RSA_PKCS1_SHA512, format!("{header}.{payload}").as_bytes()));
        serde_json::json!({"payload": payload, "header": header, "signature": signature})
            .to_string()
            .into_bytes()
    }

    /// v4 with a protected header of the caller's choosing: for tests of header handling.
    pub fn sign_v4_with_header(&self, header: &serde_json::Value, body: &[u8]) -> String {
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let mut input = header.clone().into_bytes();
        input.push(b'.');
        input.extend_from_slice(body);
        format!(
            "{header}..{}",
            URL_SAFE_NO_PAD.encode(self.sign(&RSA_PKCS1_SHA256, &input))
        )
    }

    /// v4: the `x-jws-signature` value for `body` (detached, RS256, `b64: false`).
    pub fn sign_v4(&self, body: &[u8]) -> String {
        self.sign_v4_with_header(
            &serde_json::json!({"alg": "RS256", "kid": self.kid, "b64": false, "crit": ["b64"]}),
            body,
        )
    }
}
