//! `docs/openapi.json` is kept honest: its paths are the served paths, its error codes are
//! the code's, the sample bodies validate against its request schemas and the pipeline's
//! acks against its ack schema.

use ocen_shared::auth::AuthMode;
use ocen_shared::testing::{config, sample_body, MemoryStore};
use ocen_shared::{CallbackService, CallbackType, ErrorCode, Inbound};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

fn doc() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .expect("docs/openapi.json is JSON")
}

/// A validator for `#/components/schemas/<name>` with the document's components.
fn validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

#[test]
fn the_document_is_openapi_3_1_with_every_registered_path_and_nothing_else() {
    let doc = doc();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let registered: BTreeSet<&str> = CallbackType::ALL
        .iter()
        .flat_map(|t| t.paths().iter().copied())
        .collect();
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "docs/openapi.json: registered but not documented {missing:?}; documented but not served {extra:?} (run `make openapi`)"
    );
    for &t in CallbackType::ALL {
        for p in t.paths() {
            let post = &doc["paths"][p]["post"];
            assert!(post.is_object(), "{p} is a POST");
            let schema = post["requestBody"]["content"]["application/json"]["schema"].to_string();
            let want = format!("#/components/schemas/{}", t.def().schema);
            assert!(schema.contains(&want), "{p}: the request body is {want}");
        }
    }
}

#[test]
fn the_documented_error_codes_are_exactly_the_codes_the_service_answers() {
    let doc = doc();
    let documented: BTreeSet<String> = doc["components"]["schemas"]["Ack"]["properties"]["error"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut actual: BTreeSet<String> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    actual.insert("0".into());
    assert_eq!(documented, actual);
    // Every status the service can answer on a callback path is documented.
    let responses =
        &doc["paths"][ocen_shared::callbacks::disbursement::TYPE.path()]["post"]["responses"];
    for code in ErrorCode::ALL {
        if code == ErrorCode::UnknownPath {
            continue;
        }
        assert!(
            responses[code.default_status().to_string()].is_object(),
            "{code} status documented"
        );
    }
    assert!(responses["413"].is_object() && responses["200"].is_object());
}

#[test]
fn the_sample_bodies_validate_against_the_documented_request_schemas() {
    let doc = doc();
    for &kind in CallbackType::ALL {
        let schema = kind.def().schema;
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "docs/openapi.json has no schema {schema} for {kind}"
        );
        let v = validator(&doc, schema);
        let body = sample_body(kind, "doc-1");
        let errors: Vec<String> = v.iter_errors(&body).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{schema}: {errors:?}");
        // And the schema is not vacuous: a body without requestId fails it.
        let mut broken = body.clone();
        broken.as_object_mut().unwrap().remove("requestId");
        assert!(!v.is_valid(&broken), "{schema} requires requestId");
    }
}

#[tokio::test]
async fn the_pipelines_acks_validate_against_the_documented_ack_schema() {
    let doc = doc();
    let v = validator(&doc, "AckBody");
    let svc = CallbackService::new(
        Arc::new(MemoryStore::new()),
        &config(&[]),
        AuthMode::Disabled,
    );
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    let good = serde_json::to_vec(&sample_body(kind, "doc-ack")).unwrap();
    for body in [good.as_slice(), b"{}", b"nope", b"[]"] {
        let reply = svc.handle(kind, Inbound::post(body)).await;
        let ack: Value = serde_json::from_str(&reply.body).unwrap();
        assert!(v.is_valid(&ack), "{ack}");
    }
}

// ---- the document says what the service accepts ----------------------------------------

use ocen_shared::domain::{
    Amount, ConsentFetchType, ConsentStatus, CredType, LenderErrorCode, MaskedPhoneNumber,
    OcenTimestamp, OtpStatus, PaymentMethod, PaymentStatus, Reference, RequestId, Secret, Text,
};

fn string_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{v} is an array"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_documented_enums_and_versions_are_the_codes() {
    let doc = doc();
    let s = &doc["components"]["schemas"];
    let code = |allowed: &[&str]| {
        allowed
            .iter()
            .map(|a| a.to_string())
            .collect::<BTreeSet<_>>()
    };
    for (name, allowed) in [
        ("PaymentStatus", PaymentStatus::ALLOWED),
        ("PaymentMethod", PaymentMethod::ALLOWED),
        ("ConsentStatus", ConsentStatus::ALLOWED),
        ("ConsentFetchType", ConsentFetchType::ALLOWED),
        ("OtpStatus", OtpStatus::ALLOWED),
        ("CredType", CredType::ALLOWED),
    ] {
        assert_eq!(string_set(&s[name]["enum"]), code(allowed), "{name}");
    }
    let versions: Vec<&str> = ocen_shared::callbacks::DEFAULT_SUPPORTED_VERSIONS
        .split(',')
        .collect();
    assert_eq!(string_set(&s["Version"]["enum"]), code(&versions));
}

#[test]
fn the_documented_lengths_are_the_codes() {
    let doc = doc();
    let s = &doc["components"]["schemas"];
    for (name, max) in [
        ("Id", RequestId::MAX_LEN),
        ("Reference", Reference::MAX_LEN),
        ("LenderErrorCode", LenderErrorCode::MAX_LEN),
        ("Text", Text::MAX_LEN),
        ("Secret", Secret::MAX_LEN),
    ] {
        assert_eq!(s[name]["maxLength"], json!(max), "{name}.maxLength");
    }
}

/// A tiny deterministic generator: strings over an alphabet chosen to hit each rule's edges.
struct Strings(u64);

impl Strings {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn string(&mut self, alphabet: &[&str], max_len: usize) -> String {
        let len = (self.next() % (max_len as u64 + 1)) as usize;
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
            .collect()
    }
}

/// For thousands of generated strings, the document's component schema and the code's
/// parser give the same verdict (the few exceptions a JSON Schema cannot express are named);
/// both verdicts occur more than `min_each` times.
fn agree_on(
    name: &str,
    seed: u64,
    min_each: usize,
    mut generate: impl FnMut(&mut Strings) -> String,
    code: impl Fn(&str) -> bool,
) {
    let doc = doc();
    let v = validator(&doc, name);
    let mut gen = Strings(seed);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let s = generate(&mut gen);
        let by_doc = v.is_valid(&json!(s));
        assert_eq!(
            by_doc,
            code(&s),
            "{name}: the document and the code disagree on {s:?}"
        );
        if by_doc {
            accepted += 1
        } else {
            refused += 1
        }
    }
    assert!(
        accepted > min_each && refused > min_each,
        "{name}: {accepted} accepted, {refused} refused: the generator does not test both sides"
    );
}

/// [`agree_on`] for strings over `alphabet`, up to `max_len` of its items.
fn agree(name: &str, alphabet: &[&str], max_len: usize, code: impl Fn(&str) -> bool) {
    let seed = 0x9e37_79b9_7f4a_7c15 ^ name.len() as u64;
    agree_on(name, seed, 500, |g| g.string(alphabet, max_len), code);
}

#[test]
fn the_documented_id_pattern_accepts_exactly_what_request_ids_accept() {
    agree(
        "Id",
        &["a", "Z", "0", "-", "_", ".", ":", " ", "/", "é", "#"],
        6,
        |s| RequestId::parse(s).is_ok(),
    );
}

#[test]
fn the_documented_reference_pattern_accepts_exactly_what_references_accept() {
    agree(
        "Reference",
        &["a", "~", "!", " ", "\t", "é", "\u{7f}"],
        5,
        |s| Reference::parse(s).is_ok(),
    );
}

#[test]
fn the_documented_amount_pattern_accepts_exactly_what_amounts_accept() {
    agree(
        "Amount",
        &["0", "9", "5", ".", "-", "+", "e", " ", ","],
        7,
        |s| Amount::parse(s).is_ok(),
    );
}

#[test]
fn the_documented_masked_phone_pattern_accepts_exactly_what_the_code_accepts() {
    agree(
        "MaskedPhoneNumber",
        &["X", "x", "*", "+", "-", "7", "0", "5", "A", " "],
        12,
        |s| MaskedPhoneNumber::parse(s).is_ok(),
    );
}

#[test]
fn the_documented_timestamp_pattern_accepts_exactly_what_the_code_accepts() {
    // Built slot by slot, each slot with good and bad choices, so that both sides see
    // plausible timestamps rather than noise.
    let slots: [&[&str]; 7] = [
        &["2024", "2023", "0001", "999", "20245"],
        &["-01-", "-02-", "-04-", "-12-", "-13-", "-00-", "/01/"],
        &["01", "28", "29", "30", "31", "32", "00", "1"],
        &["T", "t", " ", ""],
        &[
            "10:15:00", "00:00:00", "23:59:59", "24:00:00", "23:59:60", "10:60:00", "1:15:00",
        ],
        &["", "", ".5", ".123456789", ".1234567890", ".", ",5"],
        &[
            "", "Z", "z", "+05:30", "-0800", "+23:59", "+24:00", "+05:60", "+5:30", "UTC", "Z ",
        ],
    ];
    let generate = |g: &mut Strings| -> String {
        slots
            .iter()
            .map(|choices| choices[(g.next() % choices.len() as u64) as usize])
            .collect()
    };
    // February 29 of a year that is not a leap year: refused by the code, not expressible
    // in the document's pattern (its description says so).
    let code = |s: &str| match s.get(4..10) {
        Some("-02-29") => OcenTimestamp::parse(&format!("2024{}", &s[4..])).is_ok(),
        _ => OcenTimestamp::parse(s).is_ok(),
    };
    agree_on("Timestamp", 0x2545_f491_4f6c_dd1d, 100, generate, code);
    let doc = doc();
    let v = validator(&doc, "Timestamp");
    assert!(v.is_valid(&json!("2024-02-29T10:15:00+05:30")));
    assert!(!v.is_valid(&json!("2024-04-31T10:15:00")));
}

#[tokio::test]
async fn each_documented_attribute_is_checked_the_way_the_service_checks_it() {
    const C: CallbackType = ocen_shared::callbacks::consent_handle::TYPE;
    const D: CallbackType = ocen_shared::callbacks::disbursement::TYPE;
    const L: CallbackType = ocen_shared::callbacks::loan_acceptance::TYPE;
    let doc = doc();
    let svc = CallbackService::new(
        Arc::new(MemoryStore::new()),
        &config(&[]),
        AuthMode::Disabled,
    );
    let cases: &[(CallbackType, &str, Value)] = &[
        (D, "/metadata/version", json!("9.9")),
        (D, "/metadata/version", json!("3.0.0")),
        (D, "/metadata/orgId", json!("LENDER ABC")),
        (D, "/metadata/traceId", json!("a b")),
        (D, "/metadata/traceId", json!("a-b~c")),
        (D, "/requestId", json!("x/y")),
        (D, "/response/error", json!("")),
        (D, "/response/error", json!("E-42")),
        (D, "/loanId", json!("has space")),
        (D, "/loanId", json!("")),
        (D, "/loanId", json!(null)),
        (D, "/payment/id", json!("")),
        (D, "/payment/totalAmount", json!("1.234")),
        (D, "/payment/totalAmount", json!("12.5")),
        (D, "/payment/totalAmount", json!("-1")),
        (D, "/payment/totalAmount", json!(12.5)),
        (D, "/payment/fee", json!("1e3")),
        (D, "/payment/penalty", json!("")),
        (D, "/payment/date", json!("2024-13-01T00:00:00Z")),
        (D, "/payment/date", json!("2024-12-01T00:00:00Z")),
        (D, "/payment/status", json!("DONE")),
        (D, "/payment/status", json!(null)),
        (D, "/payment/paymentMethodType", json!("CASH")),
        (D, "/payment/paymentMethodType", json!("")),
        (D, "/payment/txnRefNo", json!("é")),
        (D, "/payment/useSavedPaymentOption", json!("yes")),
        (C, "/consent/consentStatus", json!("OK")),
        (C, "/consent/consentStatus", json!("")),
        (C, "/consent/consentHandle", json!("a b")),
        (C, "/consent/consentFetchType", json!("DAILY")),
        (
            C,
            "/consent/lspInfo",
            json!({"lspId": "x", "appName": null}),
        ),
        (C, "/consent/lspInfo", json!("x")),
        (
            L,
            "/credBlock/0/data/maskedPhoneNumber",
            json!("9876543210"),
        ),
        (
            L,
            "/credBlock/0/data/maskedPhoneNumber",
            json!("98XXXXXX10"),
        ),
        (L, "/credBlock/0/data/otp", json!("12")),
        (L, "/credBlock/0/data/otp", json!("0123")),
        (L, "/credBlock/0/data/otp", json!(123456)),
        (L, "/credBlock/0/data/otp", json!(12)),
        (L, "/credBlock/0/data/status", json!("FAILED")),
        (L, "/credBlock/0/data/otpSessionKey", json!("")),
        (L, "/credBlock/0/type", json!("PIN")),
        (L, "/credBlock", json!([])),
        (L, "/credBlock", json!({"type": "OTP", "data": {}})),
    ];
    let (mut accepted, mut refused) = (0, 0);
    for (i, (kind, pointer, value)) in cases.iter().enumerate() {
        let schema = kind.def().schema;
        let mut body = sample_body(*kind, &format!("attr-{i}"));
        let (parent, last) = pointer.rsplit_once('/').unwrap();
        match body.pointer_mut(parent) {
            Some(Value::Object(o)) => {
                o.insert(last.to_string(), value.clone());
            }
            Some(Value::Array(a)) => a[last.parse::<usize>().unwrap()] = value.clone(),
            _ => panic!("{parent} in the sample"),
        }
        let by_doc = validator(&doc, schema).is_valid(&body);
        let bytes = serde_json::to_vec(&body).unwrap();
        let reply = svc.handle(*kind, Inbound::post(&bytes)).await;
        let by_service = match reply.status {
            200 => true,
            400 => false,
            other => panic!("{pointer} = {value}: status {other}: {}", reply.body),
        };
        assert_eq!(
            by_doc, by_service,
            "{schema}{pointer} = {value}: the document says {by_doc}, the service answered {}",
            reply.body
        );
        if by_doc {
            accepted += 1
        } else {
            refused += 1
        }
    }
    assert!(
        accepted >= 10 && refused >= 10,
        "{accepted} accepted, {refused} refused"
    );
}

/// Every registered callback's own events (its warnings and refusals) and its simulator's
/// bodies get the same verdict from the document as from the service: a new callback's
/// schema is held to its validation without a case written here.
#[tokio::test]
async fn each_callbacks_own_events_and_simulated_bodies_get_the_same_verdict_from_the_document() {
    use ocen_shared::callbacks::{Rng, SampleIds};
    let doc = doc();
    let svc = CallbackService::new(
        Arc::new(MemoryStore::new()),
        &config(&[]),
        AuthMode::Disabled,
    );
    let mut rng = Rng::new(11);
    let mut checked = 0;
    for &kind in CallbackType::ALL {
        let d = kind.def();
        let v = validator(&doc, d.schema);
        let mut bodies: Vec<(String, Value)> = (kind.tools().events)(&SampleIds::fixed("own-0"))
            .into_iter()
            .map(|e| (e.name.to_string(), e.body))
            .collect();
        for i in 0..20 {
            let ids = SampleIds::generated(&mut rng, "LENDER-ABC", i);
            bodies.push((
                format!("simulated-{i}"),
                (kind.tools().simulate)(&mut rng, &ids),
            ));
        }
        for (i, (name, body)) in bodies.into_iter().enumerate() {
            let mut body = body;
            body["requestId"] = json!(format!("own-{kind}-{i}"));
            let by_doc = v.is_valid(&body);
            let bytes = serde_json::to_vec(&body).unwrap();
            let reply = svc.handle(kind, Inbound::post(&bytes)).await;
            let by_service = match reply.status {
                200 => true,
                400 => false,
                other => panic!("{kind} {name}: status {other}: {}", reply.body),
            };
            assert_eq!(
                by_doc, by_service,
                "{kind} {name}: the document says {by_doc}, the service answered {}",
                reply.body
            );
            checked += 1;
        }
    }
    assert!(checked >= CallbackType::ALL.len() * 21, "{checked}");
}
