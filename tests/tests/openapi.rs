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
fn the_document_is_openapi_3_1_with_every_served_path_and_nothing_else() {
    let doc = doc();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for t in CallbackType::ALL {
        assert!(paths.contains(t.path()), "{} is documented", t.path());
    }
    for p in &paths {
        assert!(CallbackType::from_path(p).is_some(), "{p} is served");
        assert!(doc["paths"][p]["post"].is_object(), "{p} is a POST");
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
    let responses = &doc["paths"][CallbackType::DisbursementResponse.path()]["post"]["responses"];
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
    for (kind, schema) in [
        (
            CallbackType::LoanAcceptanceResponse,
            "TriggerLoanAcceptanceResponse",
        ),
        (
            CallbackType::DisbursementResponse,
            "TriggerDisbursementResponse",
        ),
        (CallbackType::ConsentHandleResponse, "ConsentHandleResponse"),
    ] {
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
    let kind = CallbackType::DisbursementResponse;
    let good = serde_json::to_vec(&sample_body(kind, "doc-ack")).unwrap();
    for body in [good.as_slice(), b"{}", b"nope", b"[]"] {
        let reply = svc.handle(kind, Inbound::post(body)).await;
        let ack: Value = serde_json::from_str(&reply.body).unwrap();
        assert!(v.is_valid(&ack), "{ack}");
    }
}
