//! Any bytes as a signed body (v3) or as a body plus `x-jws-signature` (v4): the verifiers
//! must never panic and never accept — the registry's keys are fresh, so no input can carry
//! a valid signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocen_shared::auth::signing::SigningKey;
use ocen_shared::auth::LenderRegistry;
use std::sync::OnceLock;

fn registry() -> &'static LenderRegistry {
    static R: OnceLock<LenderRegistry> = OnceLock::new();
    R.get_or_init(|| {
        let v3 = SigningKey::generate("k3").unwrap();
        let v4 = SigningKey::generate("k4").unwrap();
        let json = serde_json::json!({"lenders": [
            {"orgId": "LENDER-ABC", "scheme": "v3", "keys": [{"kid": "k3", "pem": v3.public_pem().unwrap()}]},
            {"orgId": "LENDER-V4", "scheme": "v4", "keys": [{"kid": "k4", "pem": v4.public_pem().unwrap()}]}
        ]});
        LenderRegistry::parse(&json.to_string()).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    // First byte: 0 → v3 (body only); otherwise the header is the bytes up to the first
    // newline and the body is the rest.
    let Some((&mode, rest)) = data.split_first() else { return };
    let result = if mode % 2 == 0 {
        registry().verify(None, rest)
    } else {
        let split = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        let header = String::from_utf8_lossy(&rest[..split]);
        registry().verify(Some(&header), rest.get(split + 1..).unwrap_or(&[]))
    };
    assert!(result.is_err(), "an input without a real signature was accepted");
});
