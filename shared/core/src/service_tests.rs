//! The pipeline end to end with the in-memory store: every answer, every code.

use super::*;
use crate::ack::AckBody;
use crate::auth::AuthMode;
use crate::testing::{sample_body, MemoryStore};
use serde_json::{json, Value};
use time::macros::datetime;

/// The pipeline without signatures or replay window (each has its own tests below).
fn service(store: Arc<MemoryStore>) -> CallbackService {
    let config = crate::testing::config(&[("REPLAY_WINDOW_SECONDS", "0")]);
    CallbackService::new(store, &config, AuthMode::Disabled)
        .with_clock(Arc::new(|| datetime!(2024-05-01 04:45:30.5 UTC)))
}

async fn post(svc: &CallbackService, kind: CallbackType, body: &Value) -> (u16, AckBody) {
    let bytes = serde_json::to_vec(body).unwrap();
    let reply = svc
        .handle(
            kind,
            Inbound {
                method: "POST",
                content_type: Some("application/json"),
                signature: None,
                body: &bytes,
            },
        )
        .await;
    (reply.status, serde_json::from_str(&reply.body).unwrap())
}

fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut body
    } else {
        body.pointer_mut(parent).unwrap()
    };
    target
        .as_object_mut()
        .unwrap()
        .insert(key.to_string(), value);
    body
}

fn without(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut body
    } else {
        body.pointer_mut(parent).unwrap()
    };
    target.as_object_mut().unwrap().remove(key);
    body
}

async fn expect_code(kind: CallbackType, body: Value, status: u16, code: &str, field: &str) {
    let store = Arc::new(MemoryStore::new());
    let (s, ack) = post(&service(store.clone()), kind, &body).await;
    assert_eq!(
        (s, ack.ack.error.as_str()),
        (status, code),
        "detail: {:?}",
        ack.ack.detail
    );
    let detail = ack.ack.detail.unwrap_or_default();
    assert!(
        detail.contains(field),
        "detail {detail:?} should name {field}"
    );
    assert!(
        store.records().is_empty(),
        "a refused callback is never stored"
    );
}

#[tokio::test]
async fn each_valid_callback_is_recorded_and_acked_with_the_echoed_trace_id() {
    for &kind in CallbackType::ALL {
        let store = Arc::new(MemoryStore::new());
        let (status, ack) = post(&service(store.clone()), kind, &sample_body(kind, "req-1")).await;
        assert_eq!(status, 200);
        assert_eq!(ack.ack.error, "0");
        assert_eq!(ack.ack.trace_id, "e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb");
        assert_eq!(ack.ack.timestamp, "2024-05-01T10:15:30.500+05:30");
        assert_eq!(ack.ack.detail, None);
        let records = store.records();
        assert_eq!(records.len(), 1);
        assert_eq!(
            records[0].key,
            format!("{}#LENDER-ABC#req-1", kind.as_str())
        );
        assert_eq!(records[0].org_id, "LENDER-ABC");
        assert_eq!(
            records[0].expires_at,
            datetime!(2024-05-01 04:45:30.5 UTC).unix_timestamp() + 30 * 86_400
        );
        let envelope: crate::event::Envelope = serde_json::from_str(&records[0].event).unwrap();
        assert_eq!(envelope.event_type, kind);
        assert_eq!(envelope.request_id, "req-1");
    }
}

#[tokio::test]
async fn a_duplicate_request_id_returns_the_first_ack() {
    let store = Arc::new(MemoryStore::new());
    let first = service(store.clone());
    let body = sample_body(crate::callbacks::disbursement::TYPE, "req-dup");
    let (_, ack1) = post(&first, crate::callbacks::disbursement::TYPE, &body).await;
    let later = first
        .clone()
        .with_clock(Arc::new(|| datetime!(2024-05-02 00:00 UTC)));
    let (status, ack2) = post(&later, crate::callbacks::disbursement::TYPE, &body).await;
    assert_eq!(status, 200);
    assert_eq!(ack1, ack2, "same traceId and timestamp as the first time");
    assert_eq!(store.records().len(), 1);
}

#[tokio::test]
async fn a_retry_with_a_fresh_trace_id_and_timestamp_is_a_duplicate_not_a_conflict() {
    let store = Arc::new(MemoryStore::new());
    let svc = service(store.clone());
    let body = sample_body(crate::callbacks::consent_handle::TYPE, "req-r");
    let (_, ack1) = post(&svc, crate::callbacks::consent_handle::TYPE, &body).await;
    let retry = with(
        with(body, "/metadata/traceId", json!("retry-trace")),
        "/metadata/timestamp",
        json!("2024-05-01T10:20:00Z"),
    );
    let (status, ack2) = post(&svc, crate::callbacks::consent_handle::TYPE, &retry).await;
    assert_eq!(status, 200);
    assert_eq!(ack2, ack1);
}

#[tokio::test]
async fn the_same_request_id_with_a_different_body_is_a_409_and_the_first_stands() {
    let store = Arc::new(MemoryStore::new());
    let svc = service(store.clone());
    let body = sample_body(crate::callbacks::disbursement::TYPE, "req-c");
    post(&svc, crate::callbacks::disbursement::TYPE, &body).await;
    let changed = with(body, "/payment/totalAmount", json!("20000.00"));
    let (status, ack) = post(&svc, crate::callbacks::disbursement::TYPE, &changed).await;
    assert_eq!((status, ack.ack.error.as_str()), (409, "LSP4009"));
    assert!(store.records()[0].event.contains("\"10000.00\""));
}

#[tokio::test]
async fn another_lender_cannot_take_a_request_id_each_is_recorded_as_its_own() {
    let store = Arc::new(MemoryStore::new());
    let svc = service(store.clone());
    let body = sample_body(crate::callbacks::loan_acceptance::TYPE, "req-o");
    let (first, _) = post(
        &svc,
        crate::callbacks::loan_acceptance::TYPE,
        &with(body.clone(), "/metadata/orgId", json!("OTHER")),
    )
    .await;
    let (status, ack) = post(&svc, crate::callbacks::loan_acceptance::TYPE, &body).await;
    assert_eq!((first, status, ack.ack.error.as_str()), (200, 200, "0"));
    let mut keys: Vec<String> = store.records().into_iter().map(|r| r.key).collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "LOAN_ACCEPTANCE_RESPONSE#LENDER-ABC#req-o",
            "LOAN_ACCEPTANCE_RESPONSE#OTHER#req-o"
        ]
    );
}

#[tokio::test]
async fn the_same_request_id_on_another_callback_type_is_independent() {
    let store = Arc::new(MemoryStore::new());
    let svc = service(store.clone());
    for &kind in CallbackType::ALL {
        let (status, _) = post(&svc, kind, &sample_body(kind, "shared-id")).await;
        assert_eq!(status, 200);
    }
    assert_eq!(store.records().len(), CallbackType::ALL.len());
}

#[tokio::test]
async fn an_unavailable_store_answers_503_gen5004_so_the_lender_retries() {
    let store = Arc::new(MemoryStore::new());
    store.set_unavailable(true);
    let (status, ack) = post(
        &service(store.clone()),
        crate::callbacks::disbursement::TYPE,
        &sample_body(crate::callbacks::disbursement::TYPE, "r"),
    )
    .await;
    assert_eq!((status, ack.ack.error.as_str()), (503, "GEN5004"));
    assert_eq!(ack.ack.trace_id, "e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb");
}

#[tokio::test]
async fn a_get_is_405_gen5003() {
    let reply = service(Arc::new(MemoryStore::new()))
        .handle(
            crate::callbacks::disbursement::TYPE,
            Inbound {
                method: "GET",
                content_type: None,
                signature: None,
                body: b"",
            },
        )
        .await;
    assert_eq!(reply.status, 405);
    let ack: AckBody = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(ack.ack.error, "GEN5003");
    assert!(reply.trace_id_generated);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_gen5007_without_parsing() {
    let body = vec![b'{'; 300 * 1024];
    let reply = service(Arc::new(MemoryStore::new()))
        .handle(
            crate::callbacks::disbursement::TYPE,
            Inbound {
                method: "POST",
                content_type: None,
                signature: None,
                body: &body,
            },
        )
        .await;
    assert_eq!(reply.status, 413);
    assert!(reply.body.contains("GEN5007"));
}

#[tokio::test]
async fn a_non_json_content_type_is_415() {
    let reply = service(Arc::new(MemoryStore::new()))
        .handle(
            crate::callbacks::consent_handle::TYPE,
            Inbound {
                method: "POST",
                content_type: Some("text/plain"),
                signature: None,
                body: b"{}",
            },
        )
        .await;
    assert_eq!(reply.status, 415);
    assert!(reply.body.contains("LSP4015"));
}

#[tokio::test]
async fn json_content_types_with_parameters_are_accepted() {
    assert!(is_json_content_type("application/json; charset=utf-8"));
    assert!(is_json_content_type("Application/JSON"));
    assert!(is_json_content_type("application/jose+json"));
    assert!(!is_json_content_type("text/json"));
}

#[tokio::test]
async fn malformed_json_empty_bodies_and_non_objects_are_400_lsp4000_with_a_generated_trace_id() {
    for body in [
        &b"{\"metadata\": "[..],
        b"",
        b"[1,2]",
        b"\"text\"",
        b"null",
        b"\xff\xfe",
    ] {
        let reply = service(Arc::new(MemoryStore::new()))
            .handle(
                crate::callbacks::loan_acceptance::TYPE,
                Inbound {
                    method: "POST",
                    content_type: None,
                    signature: None,
                    body,
                },
            )
            .await;
        assert_eq!(reply.status, 400, "{body:?}");
        let ack: AckBody = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(ack.ack.error, "LSP4000");
        assert!(reply.trace_id_generated);
        assert!(uuid::Uuid::parse_str(&ack.ack.trace_id).is_ok());
        assert!(ack.ack.detail.unwrap().contains("generated"));
    }
}

#[tokio::test]
async fn a_missing_mandatory_attribute_is_gen5001_naming_it() {
    let d = crate::callbacks::disbursement::TYPE;
    for (pointer, field) in [
        ("/metadata", "metadata"),
        ("/metadata/orgId", "metadata.orgId"),
        ("/metadata/version", "metadata.version"),
        ("/metadata/timestamp", "metadata.timestamp"),
        ("/requestId", "requestId"),
        ("/response", "response"),
        ("/response/error", "response.error"),
        ("/payment", "payment"),
        ("/payment/id", "payment.id"),
    ] {
        expect_code(
            d,
            without(sample_body(d, "r"), pointer),
            400,
            "GEN5001",
            field,
        )
        .await;
    }
}

#[tokio::test]
async fn null_and_empty_mandatory_attributes_count_as_missing() {
    let d = crate::callbacks::disbursement::TYPE;
    expect_code(
        d,
        with(sample_body(d, "r"), "/requestId", Value::Null),
        400,
        "GEN5001",
        "requestId",
    )
    .await;
    expect_code(
        d,
        with(sample_body(d, "r"), "/requestId", json!("")),
        400,
        "GEN5001",
        "requestId",
    )
    .await;
}

#[tokio::test]
async fn a_missing_trace_id_is_gen5001_answered_with_a_generated_trace_id() {
    let d = crate::callbacks::consent_handle::TYPE;
    let bytes = serde_json::to_vec(&without(sample_body(d, "r"), "/metadata/traceId")).unwrap();
    let reply = service(Arc::new(MemoryStore::new()))
        .handle(
            d,
            Inbound {
                method: "POST",
                content_type: None,
                signature: None,
                body: &bytes,
            },
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.trace_id_generated);
    assert!(reply.body.contains("GEN5001"));
}

#[tokio::test]
async fn values_outside_the_enums_are_gen5002_naming_the_field() {
    let d = crate::callbacks::disbursement::TYPE;
    expect_code(
        d,
        with(sample_body(d, "r"), "/payment/status", json!("DONE")),
        400,
        "GEN5002",
        "payment.status",
    )
    .await;
    expect_code(
        d,
        with(
            sample_body(d, "r"),
            "/payment/paymentMethodType",
            json!("CASH"),
        ),
        400,
        "GEN5002",
        "payment.paymentMethodType",
    )
    .await;
    let c = crate::callbacks::consent_handle::TYPE;
    expect_code(
        c,
        with(
            sample_body(c, "r"),
            "/consent/consentStatus",
            json!("ready"),
        ),
        400,
        "GEN5002",
        "consent.consentStatus",
    )
    .await;
    expect_code(
        c,
        with(
            sample_body(c, "r"),
            "/consent/consentFetchType",
            json!("DAILY"),
        ),
        400,
        "GEN5002",
        "consent.consentFetchType",
    )
    .await;
    let l = crate::callbacks::loan_acceptance::TYPE;
    let body = with(
        sample_body(l, "r"),
        "/credBlock/0/data/status",
        json!("EXPIRED"),
    );
    expect_code(l, body, 400, "GEN5002", "credBlock[0].data.status").await;
    expect_code(
        l,
        with(sample_body(l, "r"), "/credBlock/0/type", json!("PIN")),
        400,
        "GEN5002",
        "credBlock[0].type",
    )
    .await;
}

#[tokio::test]
async fn an_unsupported_version_is_gen5005() {
    let d = crate::callbacks::disbursement::TYPE;
    expect_code(
        d,
        with(sample_body(d, "r"), "/metadata/version", json!("9.9")),
        400,
        "GEN5005",
        "metadata.version",
    )
    .await;
}

#[tokio::test]
async fn a_10k_char_attribute_is_gen5007_naming_it() {
    let d = crate::callbacks::disbursement::TYPE;
    let long = json!("a".repeat(10_000));
    expect_code(
        d,
        with(sample_body(d, "r"), "/requestId", long.clone()),
        400,
        "GEN5007",
        "requestId",
    )
    .await;
    expect_code(
        d,
        with(sample_body(d, "r"), "/payment/description", long.clone()),
        400,
        "GEN5007",
        "payment.description",
    )
    .await;
    expect_code(
        d,
        with(sample_body(d, "r"), "/metadata/orgId", long),
        400,
        "GEN5007",
        "metadata.orgId",
    )
    .await;
}

#[tokio::test]
async fn wrong_json_types_are_lsp4001_naming_the_field_but_not_the_value() {
    let d = crate::callbacks::disbursement::TYPE;
    for (pointer, value, field) in [
        (
            "/payment/totalAmount",
            json!(98765.43),
            "payment.totalAmount",
        ),
        ("/requestId", json!(12345), "requestId"),
        (
            "/payment/useSavedPaymentOption",
            json!("yes"),
            "payment.useSavedPaymentOption",
        ),
        ("/payment", json!([]), "payment"),
        (
            "/payment/extensibleData",
            json!("x"),
            "payment.extensibleData",
        ),
    ] {
        let store = Arc::new(MemoryStore::new());
        let (status, ack) = post(
            &service(store),
            d,
            &with(sample_body(d, "r"), pointer, value),
        )
        .await;
        assert_eq!(
            (status, ack.ack.error.as_str()),
            (400, "LSP4001"),
            "{pointer}"
        );
        let detail = ack.ack.detail.unwrap();
        assert!(detail.contains(field), "{detail}");
        assert!(
            !detail.contains("98765") && !detail.contains("12345"),
            "{detail}"
        );
    }
}

#[tokio::test]
async fn malformed_amounts_and_timestamps_are_lsp4001() {
    let d = crate::callbacks::disbursement::TYPE;
    for amount in ["-5.00", "1e3", "10000.001", "ten"] {
        expect_code(
            d,
            with(sample_body(d, "r"), "/payment/totalAmount", json!(amount)),
            400,
            "LSP4001",
            "payment.totalAmount",
        )
        .await;
    }
    expect_code(
        d,
        with(
            sample_body(d, "r"),
            "/metadata/timestamp",
            json!("2016-12-31T23:59:60Z"),
        ),
        400,
        "LSP4001",
        "metadata.timestamp",
    )
    .await;
}

#[tokio::test]
async fn a_disbursement_failure_needs_no_txn_ref() {
    let d = crate::callbacks::disbursement::TYPE;
    let body = without(
        with(sample_body(d, "r"), "/payment/status", json!("FAILURE")),
        "/payment/txnRefNo",
    );
    let (status, _) = post(&service(Arc::new(MemoryStore::new())), d, &body).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn consent_pending_needs_no_handle() {
    let c = crate::callbacks::consent_handle::TYPE;
    let body = without(
        with(
            sample_body(c, "r"),
            "/consent/consentStatus",
            json!("PENDING"),
        ),
        "/consent/consentHandle",
    );
    assert_eq!(
        post(&service(Arc::new(MemoryStore::new())), c, &body)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_lender_error_on_loan_acceptance_needs_no_session_key() {
    let l = crate::callbacks::loan_acceptance::TYPE;
    let body = without(
        with(sample_body(l, "r"), "/response/error", json!("LAE1002")),
        "/credBlock/0/data/otpSessionKey",
    );
    assert_eq!(
        post(&service(Arc::new(MemoryStore::new())), l, &body)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_cred_block_object_is_accepted_and_normalised_to_an_array() {
    let l = crate::callbacks::loan_acceptance::TYPE;
    let body = sample_body(l, "r");
    let single = with(body.clone(), "/credBlock", body["credBlock"][0].clone());
    let store = Arc::new(MemoryStore::new());
    assert_eq!(post(&service(store.clone()), l, &single).await.0, 200);
    let envelope: Value = serde_json::from_str(&store.records()[0].event).unwrap();
    assert!(envelope["payload"]["credBlock"].is_array());
    // Same content, other shape: same canonical payload.
    let store2 = Arc::new(MemoryStore::new());
    post(&service(store2.clone()), l, &body).await;
    assert_eq!(
        store.records()[0].payload_hash,
        store2.records()[0].payload_hash
    );
}

#[tokio::test]
async fn an_empty_cred_block_array_is_missing() {
    let l = crate::callbacks::loan_acceptance::TYPE;
    expect_code(
        l,
        with(sample_body(l, "r"), "/credBlock", json!([])),
        400,
        "GEN5001",
        "credBlock",
    )
    .await;
}

#[tokio::test]
async fn an_unmasked_phone_number_is_refused_and_never_stored() {
    let l = crate::callbacks::loan_acceptance::TYPE;
    expect_code(
        l,
        with(
            sample_body(l, "r"),
            "/credBlock/0/data/maskedPhoneNumber",
            json!("9876543210"),
        ),
        400,
        "LSP4001",
        "maskedPhoneNumber",
    )
    .await;
}

#[tokio::test]
async fn the_otp_may_be_a_number_or_a_string() {
    let l = crate::callbacks::loan_acceptance::TYPE;
    for otp in [json!(856429), json!("856429")] {
        let body = with(sample_body(l, "r"), "/credBlock/0/data/otp", otp);
        assert_eq!(
            post(&service(Arc::new(MemoryStore::new())), l, &body)
                .await
                .0,
            200
        );
    }
}

#[tokio::test]
async fn unknown_attributes_and_extensible_data_reach_the_event_untouched() {
    let d = crate::callbacks::disbursement::TYPE;
    let body = with(
        sample_body(d, "r"),
        "/lenderNote",
        json!({"a": [1, null, "x"]}),
    );
    let store = Arc::new(MemoryStore::new());
    post(&service(store.clone()), d, &body).await;
    let envelope: Value = serde_json::from_str(&store.records()[0].event).unwrap();
    assert_eq!(
        envelope["payload"]["lenderNote"],
        json!({"a": [1, null, "x"]})
    );
    assert_eq!(
        envelope["payload"]["payment"]["extensibleData"],
        json!({"utr": "UTR123"})
    );
}

#[tokio::test]
async fn explicit_nulls_in_optional_attributes_mean_absent() {
    let d = crate::callbacks::disbursement::TYPE;
    let mut body = sample_body(d, "r");
    for k in [
        "description",
        "date",
        "principal",
        "fee",
        "penalty",
        "paymentUrl",
        "url",
        "extensibleData",
        "useSavedPaymentOption",
        "paymentMethodType",
    ] {
        body = with(body, &format!("/payment/{k}"), Value::Null);
    }
    body = with(body, "/loanId", Value::Null);
    assert_eq!(
        post(&service(Arc::new(MemoryStore::new())), d, &body)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn every_ack_validates_against_the_spec_schema() {
    let validator = crate::testing::ack_validator();
    let svc = service(Arc::new(MemoryStore::new()));
    let d = crate::callbacks::disbursement::TYPE;
    let bodies = [
        serde_json::to_vec(&sample_body(d, "a")).unwrap(),
        serde_json::to_vec(&without(sample_body(d, "b"), "/payment")).unwrap(),
        b"not json".to_vec(),
    ];
    for body in &bodies {
        let reply = svc
            .handle(
                d,
                Inbound {
                    method: "POST",
                    content_type: None,
                    signature: None,
                    body,
                },
            )
            .await;
        let value: Value = serde_json::from_str(&reply.body).unwrap();
        assert!(validator.is_valid(&value), "{value}");
    }
}

mod replay_window {
    use super::*;

    fn windowed(store: Arc<MemoryStore>) -> CallbackService {
        let config = crate::testing::config(&[]);
        CallbackService::new(store, &config, AuthMode::Disabled)
            .with_clock(Arc::new(|| datetime!(2024-05-01 04:45:30 UTC)))
    }

    async fn at(timestamp: &str) -> (u16, String) {
        let body = with(
            sample_body(crate::callbacks::consent_handle::TYPE, "rw"),
            "/metadata/timestamp",
            json!(timestamp),
        );
        let (s, ack) = post(
            &windowed(Arc::new(MemoryStore::new())),
            crate::callbacks::consent_handle::TYPE,
            &body,
        )
        .await;
        (s, ack.ack.error)
    }

    #[tokio::test]
    async fn a_timestamp_within_five_minutes_either_way_is_accepted() {
        assert_eq!(at("2024-05-01T04:50:29Z").await, (200, "0".into()));
        assert_eq!(at("2024-05-01T04:40:31Z").await, (200, "0".into()));
    }

    #[tokio::test]
    async fn a_timestamp_more_than_five_minutes_off_is_lsp4010() {
        assert_eq!(at("2024-05-01T04:50:31Z").await, (400, "LSP4010".into()));
        assert_eq!(at("2024-05-01T04:40:29Z").await, (400, "LSP4010".into()));
    }

    #[tokio::test]
    async fn a_zone_less_timestamp_is_read_as_ist_for_the_window() {
        // 10:15:30 IST is 04:45:30 UTC: the server's now.
        assert_eq!(at("2024-05-01T10:15:30").await, (200, "0".into()));
        // The same wall-clock read as UTC would be 5.5 hours off.
        assert_eq!(at("2024-05-01T10:15:30Z").await, (400, "LSP4010".into()));
    }

    fn clocked(store: Arc<MemoryStore>, now: time::OffsetDateTime) -> CallbackService {
        let config = crate::testing::config(&[]);
        CallbackService::new(store, &config, AuthMode::Disabled).with_clock(Arc::new(move || now))
    }

    #[tokio::test]
    async fn a_late_retry_of_a_recorded_callback_gets_its_first_ack_with_one_read_and_no_write() {
        let store = Arc::new(MemoryStore::new());
        let kind = crate::callbacks::consent_handle::TYPE;
        let body = with(
            sample_body(kind, "late-1"),
            "/metadata/timestamp",
            json!("2024-05-01T04:45:00Z"),
        );
        let (status, first) = post(
            &clocked(store.clone(), datetime!(2024-05-01 04:45:30 UTC)),
            kind,
            &body,
        )
        .await;
        assert_eq!(status, 200);
        // The lender got a 503 somewhere on the way and retries the same bytes 305 s later.
        let later = clocked(store.clone(), datetime!(2024-05-01 04:50:05 UTC));
        let calls = store.calls();
        let (status, again) = post(&later, kind, &body).await;
        assert_eq!(
            (status, &again),
            (200, &first),
            "the stored ack, same traceId and timestamp"
        );
        assert_eq!(store.calls(), calls + 1, "one read");
        assert_eq!(store.records().len(), 1, "no write");
    }

    #[tokio::test]
    async fn a_late_request_that_was_never_recorded_or_differs_is_lsp4010() {
        let store = Arc::new(MemoryStore::new());
        let kind = crate::callbacks::consent_handle::TYPE;
        let body = with(
            sample_body(kind, "late-2"),
            "/metadata/timestamp",
            json!("2024-05-01T04:45:00Z"),
        );
        let later = clocked(store.clone(), datetime!(2024-05-01 04:50:05 UTC));
        let (status, ack) = post(&later, kind, &body).await;
        assert_eq!((status, ack.ack.error.as_str()), (400, "LSP4010"));
        assert!(ack.ack.detail.unwrap().contains("re-sign"));
        post(
            &clocked(store.clone(), datetime!(2024-05-01 04:45:30 UTC)),
            kind,
            &body,
        )
        .await;
        let changed = with(body, "/consent/consentStatus", json!("PENDING"));
        let (status, ack) = post(&later, kind, &changed).await;
        assert_eq!((status, ack.ack.error.as_str()), (400, "LSP4010"));
        store.set_unavailable(true);
        let (status, ack) = post(&later, kind, &changed).await;
        assert_eq!((status, ack.ack.error.as_str()), (503, "GEN5004"));
    }
}

mod signed {
    use super::*;
    use crate::auth::signing::SigningKey;
    use crate::auth::LenderRegistry;

    fn service_with_lender(
        store: Arc<MemoryStore>,
        key: &SigningKey,
        org: &str,
    ) -> CallbackService {
        let registry = LenderRegistry::parse(
            &json!({"lenders": [{"orgId": org, "scheme": "v3", "keys": [{"kid": key.kid, "pem": key.public_pem().unwrap()}]}]})
                .to_string(),
        )
        .unwrap();
        CallbackService::new(store, &crate::testing::config(&[]), AuthMode::Jws(registry))
    }

    #[tokio::test]
    async fn a_refused_signature_is_401_auth1001_with_nothing_stored_and_no_store_call() {
        let key = SigningKey::generate("k").unwrap();
        let store = Arc::new(MemoryStore::new());
        let svc = service_with_lender(store.clone(), &key, "LENDER-ABC");
        let kind = crate::callbacks::disbursement::TYPE;
        let unsigned = serde_json::to_vec(&sample_body(kind, "u")).unwrap();
        let reply = svc.handle(kind, Inbound::post(&unsigned)).await;
        assert_eq!(reply.status, 401);
        let ack: AckBody = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(ack.ack.error, "AUTH1001");
        assert_eq!((store.calls(), store.records().len()), (0, 0));
        let signed = key.sign_v3(&unsigned);
        assert_eq!(svc.handle(kind, Inbound::post(&signed)).await.status, 200);
    }

    #[tokio::test]
    async fn a_signed_body_that_is_not_a_valid_callback_gets_the_validation_code() {
        let key = SigningKey::generate("k").unwrap();
        let svc = service_with_lender(Arc::new(MemoryStore::new()), &key, "LENDER-ABC");
        let kind = crate::callbacks::disbursement::TYPE;
        let body = with(sample_body(kind, "v"), "/payment/status", json!("DONE"));
        let reply = svc
            .handle(
                kind,
                Inbound::post(&key.sign_v3(&serde_json::to_vec(&body).unwrap())),
            )
            .await;
        assert_eq!(reply.status, 400);
        assert!(reply.body.contains("GEN5002"));
    }
}

pub(crate) mod hostile_input {
    use super::*;
    use proptest::prelude::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Every answer to a client is an ack with a 2xx/4xx status: never a 5xx (the store is up).
    fn check(reply: &Reply) -> Result<(), TestCaseError> {
        prop_assert!(
            matches!(reply.status, 200 | 400 | 401 | 405 | 409 | 413 | 415),
            "status {}",
            reply.status
        );
        let ack: AckBody =
            serde_json::from_str(&reply.body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(!ack.ack.trace_id.is_empty() && !ack.ack.timestamp.is_empty());
        Ok(())
    }

    pub(crate) fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            ".{0,40}".prop_map(Value::String),
            "[A-Z_]{0,12}".prop_map(Value::String),
            "[0-9.+-eE]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4).prop_map(|m| json!(m)),
            ]
        })
    }

    /// Every attribute path of a sample body, to replace with an arbitrary value.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                out.push(format!("{at}/{k}"));
                pointers(v, format!("{at}/{k}"), out)
            }),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| {
                out.push(format!("{at}/{i}"));
                pointers(v, format!("{at}/{i}"), out)
            }),
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

        #[test]
        fn any_bytes_get_a_4xx_ack_or_200_never_a_panic_or_5xx(body in prop::collection::vec(any::<u8>(), 0..2048), kind in 0usize..3) {
            let svc = service(Arc::new(MemoryStore::new()));
            let reply = runtime().block_on(svc.handle(CallbackType::ALL[kind], Inbound::post(&body)));
            check(&reply)?;
        }

        #[test]
        fn any_value_at_any_attribute_gets_a_4xx_ack_or_200(kind in 0usize..3, pick in any::<prop::sample::Index>(), value in json_value()) {
            let kind = CallbackType::ALL[kind];
            let mut body = sample_body(kind, "prop-1");
            let mut all = Vec::new();
            pointers(&body, String::new(), &mut all);
            let pointer = pick.get(&all).clone();
            *body.pointer_mut(&pointer).unwrap() = value;
            let bytes = serde_json::to_vec(&body).unwrap();
            let reply = runtime().block_on(service(Arc::new(MemoryStore::new())).handle(kind, Inbound::post(&bytes)));
            check(&reply)?;
        }

        #[test]
        fn any_bytes_signed_or_not_get_a_4xx_ack_with_signatures_on(body in prop::collection::vec(any::<u8>(), 0..1024), header in proptest::option::of(".{0,200}")) {
            let registry = crate::auth::LenderRegistry::parse(r#"{"lenders": []}"#).unwrap();
            let svc = CallbackService::new(Arc::new(MemoryStore::new()), &crate::testing::config(&[]), AuthMode::Jws(registry));
            let inbound = Inbound { method: "POST", content_type: None, signature: header.as_deref(), body: &body };
            let reply = runtime().block_on(svc.handle(crate::callbacks::disbursement::TYPE, inbound));
            check(&reply)?;
            prop_assert_ne!(reply.status, 200);
        }
    }
}

mod exact_numbers {
    use super::*;

    /// Numbers a lender may put in `extensibleData`, unknown attributes or `otp`, spelled as
    /// sent: each must reach the event exactly so.
    const EDGES: [&str; 9] = [
        "9007199254740993",
        "12345678901234567890123",
        "-98765432109876543210",
        "1E15",
        "1e+400",
        "-0",
        "0.10000000000000000000000000000001",
        "-1.5e-10",
        "100.00",
    ];

    fn body_text(kind: CallbackType) -> String {
        let mut body = sample_body(kind, "numbers-1");
        body["extensibleData"] = json!({});
        let mut text = body.to_string();
        let edges = EDGES.join(",");
        let extension = format!(
            r#""extensibleData":{{"values":[{edges}],"account":12345678901234567890123}},"unknownNumber":1E15"#
        );
        text = text.replacen(r#""extensibleData":{}"#, &extension, 1);
        text
    }

    async fn recorded_event(kind: CallbackType, text: &str) -> String {
        let store = Arc::new(MemoryStore::new());
        let reply = service(store.clone())
            .handle(kind, Inbound::post(text.as_bytes()))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        store.records().pop().unwrap().event
    }

    #[tokio::test]
    async fn numbers_in_extensible_data_and_unknown_attributes_reach_the_event_as_spelled() {
        for &kind in CallbackType::ALL {
            let event = recorded_event(kind, &body_text(kind)).await;
            assert!(
                event.contains(&format!("[{}]", EDGES.join(","))),
                "{kind}: {event}"
            );
            assert!(
                event.contains(r#""account":12345678901234567890123"#),
                "{kind}"
            );
            assert!(event.contains(r#""unknownNumber":1E15"#), "{kind}");
        }
    }

    #[tokio::test]
    async fn an_otp_sent_as_a_number_stays_a_number_and_a_string_stays_a_string() {
        let kind = crate::callbacks::loan_acceptance::TYPE;
        let number = with(
            sample_body(kind, "otp-n"),
            "/credBlock/0/data/otp",
            json!(123456),
        );
        let event = recorded_event(kind, &number.to_string()).await;
        assert!(event.contains(r#""otp":123456"#), "{event}");
        let string = with(
            sample_body(kind, "otp-s"),
            "/credBlock/0/data/otp",
            json!("012345"),
        );
        let event = recorded_event(kind, &string.to_string()).await;
        assert!(event.contains(r#""otp":"012345""#), "{event}");
    }

    #[tokio::test]
    async fn a_record_over_the_item_limit_is_refused_with_413_and_nothing_is_stored() {
        let store = Arc::new(MemoryStore::new());
        let config =
            crate::testing::config(&[("REPLAY_WINDOW_SECONDS", "0"), ("MAX_BODY_BYTES", "600000")]);
        let svc = CallbackService::new(store.clone(), &config, AuthMode::Disabled);
        let kind = crate::callbacks::consent_handle::TYPE;
        let body = with(
            sample_body(kind, "too-big"),
            "/consent/extensibleData",
            json!({"pad": "x".repeat(MAX_ITEM_BYTES)}),
        );
        let (status, ack) = post(&svc, kind, &body).await;
        assert_eq!((status, ack.ack.error.as_str()), (413, "GEN5007"));
        assert!(ack.ack.detail.unwrap_or_default().contains("item limit"));
        assert_eq!(store.calls(), 0, "never sent to the store");
    }

    #[tokio::test]
    async fn the_default_cap_keeps_every_accepted_record_under_the_item_limit() {
        // The largest body the door takes, of the kind that grows most in the record.
        let kind = crate::callbacks::disbursement::TYPE;
        let mut body = sample_body(kind, &"R".repeat(128));
        body["extensibleData"] = json!({"pad": ""});
        let base = serde_json::to_vec(&body).unwrap().len();
        body["extensibleData"]["pad"] =
            json!("é".repeat((crate::config::DEFAULT_MAX_BODY_BYTES - base) / 2));
        let store = Arc::new(MemoryStore::new());
        let (status, _) = post(&service(store.clone()), kind, &body).await;
        assert_eq!(status, 200);
        let record = &store.records()[0];
        let size = record.item_size();
        let counted: usize = record.image().iter().map(|(k, v)| k.len() + v.len()).sum();
        assert_eq!(size, counted, "every attribute is counted");
        assert!(size < MAX_ITEM_BYTES, "{size}");
    }

    struct Refusing(fn() -> StoreError);

    #[async_trait::async_trait]
    impl IdempotencyStore for Refusing {
        async fn get_record(
            &self,
            _: &str,
        ) -> Result<Option<crate::store::StoredRecord>, StoreError> {
            Err((self.0)())
        }

        async fn record(
            &self,
            _: &NewRecord,
            _: crate::store::Answering,
        ) -> Result<crate::store::RecordOutcome, StoreError> {
            Err((self.0)())
        }

        async fn revise(
            &self,
            _: &NewRecord,
            _: &crate::store::StoredRecord,
        ) -> Result<crate::store::ReviseOutcome, StoreError> {
            Err((self.0)())
        }
    }

    #[tokio::test]
    async fn store_errors_answer_by_what_the_lender_should_do() {
        let kind = crate::callbacks::consent_handle::TYPE;
        type Case = (fn() -> StoreError, u16, &'static str);
        let cases: [Case; 4] = [
            (
                || StoreError::Unavailable("throttled".into()),
                503,
                "GEN5004",
            ),
            (
                || StoreError::TooLarge("Item size has exceeded".into()),
                413,
                "GEN5007",
            ),
            (
                || StoreError::Rejected("ResourceNotFoundException".into()),
                500,
                "LSP5000",
            ),
            (|| StoreError::Corrupt("no ack".into()), 500, "LSP5000"),
        ];
        for (error, status, code) in cases {
            let config = crate::testing::config(&[("REPLAY_WINDOW_SECONDS", "0")]);
            let svc = CallbackService::new(Arc::new(Refusing(error)), &config, AuthMode::Disabled);
            let (s, ack) = post(&svc, kind, &sample_body(kind, "store-err")).await;
            assert_eq!((s, ack.ack.error.as_str()), (status, code));
        }
    }
}

#[tokio::test]
async fn a_body_naming_a_member_twice_is_400_lsp4000_and_nothing_is_stored() {
    let store = Arc::new(MemoryStore::new());
    let svc = service(store.clone());
    let kind = crate::callbacks::consent_handle::TYPE;
    let body = sample_body(kind, "R").to_string();
    for text in [
        body.replacen('{', r#"{"requestId":"A","#, 1),
        body.replacen(r#""consent":{"#, r#""consent":{"vua":"x@aa","#, 1),
    ] {
        let reply = svc.handle(kind, Inbound::post(text.as_bytes())).await;
        assert_eq!(reply.status, 400, "{}", reply.body);
        let ack: AckBody = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(ack.ack.error, "LSP4000");
        assert!(ack.ack.detail.unwrap().contains("appears twice"));
    }
    assert_eq!(store.calls(), 0);
}

mod warnings {
    //! This service's own rules (no spec page or schema requires them): a callback that does
    //! not meet one is recorded, acked "0", and its event carries the warning.
    use super::*;

    async fn warned(kind: CallbackType, body: Value) -> Vec<String> {
        let store = Arc::new(MemoryStore::new());
        let (status, ack) = post(&service(store.clone()), kind, &body).await;
        assert_eq!(
            (status, ack.ack.error.as_str()),
            (200, "0"),
            "{:?}",
            ack.ack.detail
        );
        let event: Value = serde_json::from_str(&store.records()[0].event).unwrap();
        event["warnings"]
            .as_array()
            .map(|w| w.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn a_valid_callback_carries_no_warnings_member() {
        for &kind in CallbackType::ALL {
            assert!(warned(kind, sample_body(kind, "clean")).await.is_empty());
        }
    }

    #[tokio::test]
    async fn what_the_schemas_require_is_still_refused() {
        let d = crate::callbacks::disbursement::TYPE;
        expect_code(
            d,
            without(sample_body(d, "r"), "/payment/id"),
            400,
            "GEN5001",
            "payment.id",
        )
        .await;
        expect_code(
            d,
            without(sample_body(d, "r"), "/payment"),
            400,
            "GEN5001",
            "payment",
        )
        .await;
        let c = crate::callbacks::consent_handle::TYPE;
        expect_code(
            c,
            without(sample_body(c, "r"), "/consent"),
            400,
            "GEN5001",
            "consent",
        )
        .await;
        let l = crate::callbacks::loan_acceptance::TYPE;
        expect_code(
            l,
            without(sample_body(l, "r"), "/credBlock"),
            400,
            "GEN5001",
            "credBlock",
        )
        .await;
        expect_code(
            l,
            without(sample_body(l, "r"), "/credBlock/0/type"),
            400,
            "GEN5001",
            "credBlock[0].type",
        )
        .await;
        expect_code(
            l,
            without(sample_body(l, "r"), "/credBlock/0/data"),
            400,
            "GEN5001",
            "credBlock[0].data",
        )
        .await;
        expect_code(
            l,
            without(sample_body(l, "r"), "/response/error"),
            400,
            "GEN5001",
            "response.error",
        )
        .await;
    }

    #[test]
    fn warnings_do_not_change_the_payload_hash() {
        // The hash is over the payload; warnings are derived from it and live beside it.
        let d = crate::callbacks::disbursement::TYPE;
        let body = without(sample_body(d, "r"), "/payment/txnRefNo");
        let callback = crate::callbacks::check(d.def(), &body).unwrap();
        let envelope = crate::event::Envelope::new(callback, "t".into());
        assert!(envelope.payload.get("warnings").is_none());
        assert_eq!(envelope.warnings.len(), 1);
    }
}
