//! Verifier tests: the published v3 vector, both schemes, and every way in that must fail.

use super::signing::SigningKey;
use super::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

fn spec_vector() -> (Vec<u8>, String) {
    let dir = crate::testing::spec_dir().join("test-vectors");
    let body =
        std::fs::read(dir.join("v3-jws-envelope-sample.json")).expect("the published JWS sample");
    let pem = std::fs::read_to_string(dir.join("v3-jws-sample-public-key.pem"))
        .expect("the published key");
    (body, pem)
}

fn spec_registry(pem: &str, scheme: &str) -> LenderRegistry {
    let json = json!({"lenders": [{"orgId": "LSP123", "scheme": scheme,
        "keys": [{"kid": "cb59cce2-7581-414d-bff7-6ecf132dbef1", "pem": pem}]}]});
    LenderRegistry::parse(&json.to_string()).unwrap()
}

fn keys() -> &'static (SigningKey, SigningKey, SigningKey) {
    static KEYS: OnceLock<(SigningKey, SigningKey, SigningKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            SigningKey::generate("a-1").unwrap(),
            SigningKey::generate("b-1").unwrap(),
            SigningKey::generate("a-1").unwrap(),
        )
    })
}

/// LENDER-A signs v3 with key a-1; LENDER-B signs v4 with key b-1.
fn registry() -> LenderRegistry {
    let (a, b, _) = keys();
    let json = json!({"lenders": [
        {"orgId": "LENDER-A", "scheme": "v3", "keys": [{"kid": "a-1", "pem": a.public_pem().unwrap()}]},
        {"orgId": "LENDER-B", "scheme": "v4", "keys": [{"kid": "b-1", "pem": b.public_pem().unwrap()}]}
    ]});
    LenderRegistry::parse(&json.to_string()).unwrap()
}

fn body(org: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"metadata": {"orgId": org, "traceId": "t"}, "requestId": "r"}))
        .unwrap()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

#[test]
fn the_published_v3_sample_verifies_with_the_published_key() {
    let (body, pem) = spec_vector();
    let v = spec_registry(&pem, "v3")
        .verify(None, &body)
        .expect("the published vector verifies");
    assert_eq!(v.org_id, "LSP123");
    assert_eq!(v.kid, "cb59cce2-7581-414d-bff7-6ecf132dbef1");
    let payload: Value = serde_json::from_slice(&v.payload).unwrap();
    assert_eq!(payload["requestId"], "e8cc6822bd4bbb4eb1b9e1b4996fbff8acb");
}

#[test]
fn the_published_sample_with_a_changed_payload_does_not_verify() {
    let (body, pem) = spec_vector();
    let mut jws: Value = serde_json::from_slice(&body).unwrap();
    let payload = URL_SAFE_NO_PAD
        .decode(jws["payload"].as_str().unwrap())
        .unwrap();
    let tampered = String::from_utf8(payload).unwrap().replace(
        "e8cc6822bd4bbb4eb1b9e1b4996fbff8acb\"]",
        "e8cc6822bd4bbb4eb1b9e1b4996fbff8acc\"]",
    );
    jws["payload"] = Value::String(URL_SAFE_NO_PAD.encode(tampered));
    let err = spec_registry(&pem, "v3")
        .verify(None, jws.to_string().as_bytes())
        .unwrap_err();
    assert_eq!(err, AuthFailure::BadSignature);
}

#[test]
fn empty_truncated_and_garbage_signatures_never_verify() {
    let (body, pem) = spec_vector();
    let registry = spec_registry(&pem, "v3");
    let jws: Value = serde_json::from_slice(&body).unwrap();
    let sig = jws["signature"].as_str().unwrap().to_string();
    for bad in [
        String::new(),
        sig[..10].to_string(),
        sig[..sig.len() - 1].to_string(),
        "A".repeat(342),
        "!!!".into(),
    ] {
        let mut j = jws.clone();
        j["signature"] = Value::String(bad.clone());
        assert!(
            registry.verify(None, j.to_string().as_bytes()).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn the_v3_sample_is_refused_for_a_lender_registered_for_v4() {
    let (body, pem) = spec_vector();
    let err = spec_registry(&pem, "v4").verify(None, &body).unwrap_err();
    assert_eq!(
        err,
        AuthFailure::WrongScheme {
            registered: Scheme::V4
        }
    );
}

#[test]
fn a_v3_body_signed_by_the_lender_verifies_and_yields_the_payload() {
    let (a, _, _) = keys();
    let signed = a.sign_v3(&body("LENDER-A"));
    let v = registry().verify(None, &signed).unwrap();
    assert_eq!((v.org_id.as_str(), v.scheme), ("LENDER-A", Scheme::V3));
    assert_eq!(v.payload.as_ref(), body("LENDER-A").as_slice());
}

#[test]
fn a_v3_body_signed_by_another_key_with_the_right_kid_does_not_verify() {
    let (_, _, impostor) = keys();
    let err = registry()
        .verify(None, &impostor.sign_v3(&body("LENDER-A")))
        .unwrap_err();
    assert_eq!(err, AuthFailure::BadSignature);
}

#[test]
fn a_signature_for_another_lender_is_refused() {
    // LENDER-A's key signing a payload that claims to be LENDER-B (a v4 lender).
    let (a, _, _) = keys();
    assert!(registry()
        .verify(None, &a.sign_v3(&body("LENDER-B")))
        .is_err());
    assert_eq!(
        registry()
            .verify(None, &a.sign_v3(&body("LENDER-Z")))
            .unwrap_err(),
        AuthFailure::UnknownLender
    );
}

#[test]
fn alg_none_hmac_and_other_algorithms_are_refused_whatever_the_signature() {
    let (a, _, _) = keys();
    let payload = URL_SAFE_NO_PAD.encode(body("LENDER-A"));
    for alg in [
        "none", "HS256", "HS512", "RS256", "PS512", "ES256", "rs512", "",
    ] {
        let header = b64(&json!({"kid": "a-1", "alg": alg}));
        // Even a signature that is a valid RS512 signature of the input must not help.
        let sig = {
            let signed: Value = serde_json::from_slice(&a.sign_v3(&body("LENDER-A"))).unwrap();
            signed["signature"].as_str().unwrap().to_string()
        };
        let jws = json!({"payload": payload, "header": header, "signature": sig});
        let err = registry()
            .verify(None, jws.to_string().as_bytes())
            .unwrap_err();
        assert_eq!(
            err,
            AuthFailure::AlgorithmNotAllowed { scheme: Scheme::V3 },
            "{alg}"
        );
    }
    let no_alg =
        json!({"payload": payload, "header": b64(&json!({"kid": "a-1"})), "signature": "AAAA"});
    assert!(registry()
        .verify(None, no_alg.to_string().as_bytes())
        .is_err());
}

#[test]
fn an_unknown_kid_is_refused() {
    let unknown = SigningKey::generate("a-2").unwrap();
    assert_eq!(
        registry()
            .verify(None, &unknown.sign_v3(&body("LENDER-A")))
            .unwrap_err(),
        AuthFailure::UnknownKid
    );
}

#[test]
fn unsigned_bodies_and_jws_objects_with_a_protected_key_are_refused() {
    assert_eq!(
        registry().verify(None, &body("LENDER-A")).unwrap_err(),
        AuthFailure::Unsigned
    );
    let protected = json!({"payload": "e30", "protected": "e30", "signature": "AAAA"});
    assert_eq!(
        registry()
            .verify(None, protected.to_string().as_bytes())
            .unwrap_err(),
        AuthFailure::Unsigned
    );
    assert_eq!(
        registry().verify(None, b"").unwrap_err(),
        AuthFailure::Unsigned
    );
}

#[test]
fn a_v4_detached_signature_verifies_over_the_exact_bytes() {
    let (_, b, _) = keys();
    let raw = body("LENDER-B");
    let sig = b.sign_v4(&raw);
    let v = registry().verify(Some(&sig), &raw).unwrap();
    assert_eq!((v.org_id.as_str(), v.scheme), ("LENDER-B", Scheme::V4));
    // The same JSON re-serialised with one more space is different bytes: refused.
    let mut spaced = raw.clone();
    spaced.insert(1, b' ');
    assert_eq!(
        registry().verify(Some(&sig), &spaced).unwrap_err(),
        AuthFailure::BadSignature
    );
}

#[test]
fn a_v4_signature_must_be_detached_with_b64_false() {
    let (_, b, _) = keys();
    let raw = body("LENDER-B");
    let sig = b.sign_v4(&raw);
    let (h, s) = sig.split_once("..").unwrap();
    let attached = format!("{h}.{}.{s}", URL_SAFE_NO_PAD.encode(&raw));
    assert!(matches!(
        registry().verify(Some(&attached), &raw),
        Err(AuthFailure::Malformed(_))
    ));
    let b64_true = b64(&json!({"alg": "RS256", "kid": "b-1"}));
    assert!(matches!(
        registry().verify(Some(&format!("{b64_true}..{s}")), &raw),
        Err(AuthFailure::Malformed(_))
    ));
    assert!(matches!(
        registry().verify(Some(""), &raw),
        Err(AuthFailure::Malformed(_))
    ));
    assert!(matches!(
        registry().verify(Some(&format!("{h}..")), &raw),
        Err(AuthFailure::Malformed(_))
    ));
}

#[test]
fn a_v4_signature_for_a_v3_lender_is_refused() {
    let (a, _, _) = keys();
    let raw = body("LENDER-A");
    let err = registry().verify(Some(&a.sign_v4(&raw)), &raw).unwrap_err();
    assert_eq!(
        err,
        AuthFailure::WrongScheme {
            registered: Scheme::V3
        }
    );
}

#[test]
fn failure_reasons_never_quote_the_body() {
    let raw = br#"{"metadata":{"orgId":"SECRET-ORG-9876543210"}}"#;
    let err = registry().verify(None, raw).unwrap_err();
    assert!(!err.to_string().contains("9876543210"));
}

#[test]
fn a_registry_is_refused_with_a_message_naming_the_problem() {
    let (a, _, _) = keys();
    let pem = a.public_pem().unwrap();
    let k = |kid: &str| json!({"kid": kid, "pem": pem});
    let cases = [
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v3", "keys": []}]}),
            "needs 1 to 2 keys",
        ),
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v3", "keys": [k("1"), k("2"), k("3")]}]}),
            "needs 1 to 2 keys",
        ),
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v3", "keys": [k("1"), k("1")]}]}),
            "appears twice",
        ),
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v5", "keys": [k("1")]}]}),
            "documented shape",
        ),
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v3", "keys": [{"kid": "1", "pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}]}]}),
            "key 1",
        ),
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v3", "keys": [{"kid": "1", "jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}}]}]}),
            "at least 2048",
        ),
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v3", "keys": [{"kid": "1", "jwk": {"kty": "EC", "n": "", "e": ""}}]}]}),
            "kty must be RSA",
        ),
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v3", "keys": [k("1")]}, {"orgId": "L", "scheme": "v3", "keys": [k("1")]}]}),
            "orgId appears twice",
        ),
        (
            json!({"lenders": [{"orgId": "L", "scheme": "v3", "keys": [k("1")], "extra": 1}]}),
            "documented shape",
        ),
        (
            json!({"lenders": [{"orgId": "bad org", "scheme": "v3", "keys": [k("1")]}]}),
            "orgId is invalid",
        ),
    ];
    for (json, expected) in cases {
        let err = LenderRegistry::parse(&json.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{err} should contain {expected}");
    }
}

#[test]
fn a_jwk_key_works_like_a_pem_key() {
    let (a, _, _) = keys();
    let spki = a.public_key().unwrap();
    assert_eq!(spki.bits(), 2048);
    // Build the JWK from the published sample key's DER via aws-lc-rs components.
    let der_key = aws_lc_rs::rsa::PublicKey::from_der(&{
        let pem = a.public_pem().unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    })
    .unwrap();
    let c = aws_lc_rs::signature::RsaPublicKeyComponents::<Vec<u8>>::from(&der_key);
    let jwk = json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(&c.n), "e": URL_SAFE_NO_PAD.encode(&c.e), "alg": "RS512", "use": "sig"});
    let registry = LenderRegistry::parse(
        &json!({"lenders": [{"orgId": "LENDER-A", "scheme": "v3", "keys": [{"kid": "a-1", "jwk": jwk}]}]}).to_string(),
    )
    .unwrap();
    assert!(registry.verify(None, &a.sign_v3(&body("LENDER-A"))).is_ok());
}

mod critical_headers {
    use super::*;

    fn v4(header: Value) -> Result<Verified<'static>, AuthFailure> {
        let (_, b, _) = keys();
        let raw: &'static [u8] = Box::leak(body("LENDER-B").into_boxed_slice());
        registry().verify(Some(&b.sign_v4_with_header(&header, raw)), raw)
    }

    fn v3(header: Value) -> Result<Verified<'static>, AuthFailure> {
        let (a, _, _) = keys();
        let signed: &'static [u8] = Box::leak(
            a.sign_v3_with_header(&header, &body("LENDER-A"))
                .into_boxed_slice(),
        );
        registry().verify(None, signed)
    }

    #[test]
    fn a_v4_header_must_list_b64_in_crit_and_nothing_it_does_not_understand() {
        assert!(v4(json!({"alg": "RS256", "kid": "b-1", "b64": false, "crit": ["b64"]})).is_ok());
        for crit in [
            None,
            Some(json!(["b64", "exp"])),
            Some(json!(["b64", "x-unknown"])),
            Some(json!(["exp"])),
            Some(json!([])),
            Some(json!("b64")),
            Some(json!(null)),
            Some(json!(["b64", "b64"])),
            Some(json!([1])),
        ] {
            let mut header = json!({"alg": "RS256", "kid": "b-1", "b64": false});
            if let Some(c) = &crit {
                header["crit"] = c.clone();
            }
            assert!(
                matches!(v4(header), Err(AuthFailure::Malformed(_))),
                "crit {crit:?} must be refused"
            );
        }
        assert!(matches!(
            v4(json!({"alg": "RS256", "kid": "b-1", "b64": "false", "crit": ["b64"]})),
            Err(AuthFailure::Malformed(_))
        ));
    }

    #[test]
    fn a_v3_header_may_carry_crit_only_for_what_it_understands() {
        assert!(v3(json!({"alg": "RS512", "kid": "a-1"})).is_ok());
        assert!(v3(json!({"alg": "RS512", "kid": "a-1", "b64": true, "crit": ["b64"]})).is_ok());
        for header in [
            json!({"alg": "RS512", "kid": "a-1", "crit": ["exp"]}),
            json!({"alg": "RS512", "kid": "a-1", "crit": ["b64"]}),
            json!({"alg": "RS512", "kid": "a-1", "b64": true}),
            json!({"alg": "RS512", "kid": "a-1", "b64": false, "crit": ["b64"]}),
            json!({"alg": "RS512", "kid": "a-1", "crit": []}),
        ] {
            assert!(
                matches!(v3(header.clone()), Err(AuthFailure::Malformed(_))),
                "{header} must be refused"
            );
        }
    }

    #[test]
    fn a_header_or_jws_object_naming_a_member_twice_is_refused() {
        let (a, _, _) = keys();
        let raw = body("LENDER-A");
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"a-1","alg":"RS512"}"#);
        let payload = URL_SAFE_NO_PAD.encode(&raw);
        let good: Value = serde_json::from_slice(&a.sign_v3(&raw)).unwrap();
        let with_dup_header =
            json!({"payload": payload, "header": header, "signature": good["signature"]});
        assert!(matches!(
            registry().verify(None, with_dup_header.to_string().as_bytes()),
            Err(AuthFailure::Malformed(_))
        ));
        let twice = format!(
            r#"{{"payload":"{}","header":"{}","signature":"{}","payload":"{}"}}"#,
            good["payload"].as_str().unwrap(),
            good["header"].as_str().unwrap(),
            good["signature"].as_str().unwrap(),
            good["payload"].as_str().unwrap()
        );
        assert!(registry().verify(None, twice.as_bytes()).is_err());
    }
}
