//! The pipeline against the LSP's request records (mode `require`, `flag`, `off`), with
//! the in-memory store that knows only the requests recorded in it.

use super::*;
use crate::request::{IdValue, LspIds, SentRequest};
use crate::testing::{sample_body, MemoryStore};
use serde_json::Value;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2024-05-01 04:45:30 UTC);

fn service(store: Arc<MemoryStore>, mode: &str) -> CallbackService {
    let config = crate::testing::config(&[("REPLAY_WINDOW_SECONDS", "0"), ("CORRELATION", mode)]);
    CallbackService::new(store, &config, AuthMode::Disabled).with_clock(Arc::new(|| NOW))
}

fn kind() -> CallbackType {
    crate::callbacks::disbursement_status::TYPE
}

/// The LSP records a request to `org` for `kind`'s callback, sent `ago` before now and to
/// be answered within `within`.
fn sent(
    store: &MemoryStore,
    kind: CallbackType,
    org: &str,
    request_id: &str,
    ago: i64,
    within: u64,
) {
    let ids = LspIds::new()
        .with("loanId", IdValue::One("LSP-LOAN-1".into()))
        .unwrap();
    let request = SentRequest::new(
        kind,
        org,
        request_id,
        ids,
        NOW - time::Duration::seconds(ago),
        Duration::from_secs(within),
    )
    .unwrap();
    store.record_request(&request);
}

async fn post(svc: &CallbackService, kind: CallbackType, body: &Value) -> (u16, String) {
    let bytes = serde_json::to_vec(body).unwrap();
    let reply = svc.handle(kind, Inbound::post(&bytes)).await;
    let ack: Value = serde_json::from_str(&reply.body).unwrap();
    (
        reply.status,
        ack["ack"]["error"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_callback_answering_a_recorded_request_is_recorded_onto_it_in_one_call() {
    let store = Arc::new(MemoryStore::strict());
    sent(&store, kind(), "LENDER-ABC", "r-1", 60, 3600);
    let (status, code) = post(
        &service(store.clone(), "require"),
        kind(),
        &sample_body(kind(), "r-1"),
    )
    .await;
    assert_eq!((status, code.as_str()), (200, "0"));
    assert_eq!(store.calls(), 1);
    let image = store
        .image("DISBURSEMENT_STATUS_RESPONSE#LENDER-ABC#r-1")
        .unwrap();
    assert!(image.contains_key("event") && image.contains_key("sentAt"));
}

#[tokio::test]
async fn unsolicited_other_lenders_other_types_and_expired_callbacks_are_refused_and_never_stored()
{
    let store = Arc::new(MemoryStore::strict());
    // Another lender's request, a request for another callback type, an expired one.
    sent(&store, kind(), "LENDER-XYZ", "r-other-lender", 60, 3600);
    sent(
        &store,
        crate::callbacks::disbursement::TYPE,
        "LENDER-ABC",
        "r-other-type",
        60,
        3600,
    );
    sent(&store, kind(), "LENDER-ABC", "r-expired", 7200, 3600);
    let svc = service(store.clone(), "require");
    for (request_id, code) in [
        ("r-never-sent", "LSP4011"),
        ("r-other-lender", "LSP4011"),
        ("r-other-type", "LSP4011"),
        ("r-expired", "LSP4012"),
    ] {
        let (status, got) = post(&svc, kind(), &sample_body(kind(), request_id)).await;
        assert_eq!((status, got.as_str()), (422, code), "{request_id}");
    }
    assert!(store.records().is_empty(), "nothing is stored, so no event");
}

#[tokio::test]
async fn a_request_record_with_a_mistyped_answer_by_is_a_clear_refusal_not_a_5xx() {
    let store = Arc::new(MemoryStore::strict());
    let key = "DISBURSEMENT_STATUS_RESPONSE#LENDER-ABC#r-bad";
    store.put_request_item(
        [
            ("pk", key),
            ("sentAt", "2024-05-01T04:00:00Z"),
            ("answerBy", "soon"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    );
    let (status, code) = post(
        &service(store.clone(), "require"),
        kind(),
        &sample_body(kind(), "r-bad"),
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "LSP4013"));
    assert!(store.records().is_empty());
}

#[tokio::test]
async fn in_mode_flag_what_answers_no_request_is_recorded_with_the_warning_unsolicited() {
    let store = Arc::new(MemoryStore::strict());
    sent(&store, kind(), "LENDER-ABC", "r-expired", 7200, 3600);
    let svc = service(store.clone(), "flag");
    for request_id in ["r-never-sent", "r-expired"] {
        let (status, code) = post(&svc, kind(), &sample_body(kind(), request_id)).await;
        assert_eq!((status, code.as_str()), (200, "0"), "{request_id}");
    }
    let records = store.records();
    assert_eq!(records.len(), 2);
    for r in records {
        let event: crate::event::Envelope = serde_json::from_str(&r.event).unwrap();
        assert!(
            event.warnings.iter().any(|w| w.starts_with("unsolicited:")),
            "{:?}",
            event.warnings
        );
    }
}

#[tokio::test]
async fn in_mode_flag_an_answering_callback_carries_no_warning_and_costs_one_call() {
    let store = Arc::new(MemoryStore::strict());
    sent(&store, kind(), "LENDER-ABC", "r-1", 60, 3600);
    let (status, _) = post(
        &service(store.clone(), "flag"),
        kind(),
        &sample_body(kind(), "r-1"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(store.calls(), 1);
    let event: crate::event::Envelope = serde_json::from_str(&store.records()[0].event).unwrap();
    assert!(event.warnings.is_empty(), "{:?}", event.warnings);
}

#[tokio::test]
async fn in_mode_off_nothing_is_checked() {
    let store = Arc::new(MemoryStore::strict());
    let (status, code) = post(
        &service(store.clone(), "off"),
        kind(),
        &sample_body(kind(), "r-1"),
    )
    .await;
    assert_eq!((status, code.as_str()), (200, "0"));
    assert_eq!(store.records().len(), 1);
}

#[tokio::test]
async fn a_retry_of_an_answer_gets_its_first_ack_and_another_body_is_a_conflict() {
    let store = Arc::new(MemoryStore::strict());
    sent(&store, kind(), "LENDER-ABC", "r-1", 60, 3600);
    let svc = service(store.clone(), "require");
    let body = sample_body(kind(), "r-1");
    let bytes = serde_json::to_vec(&body).unwrap();
    let first = svc.handle(kind(), Inbound::post(&bytes)).await;
    let again = svc.handle(kind(), Inbound::post(&bytes)).await;
    assert_eq!((again.status, &again.body), (200, &first.body));
    let mut other = body.clone();
    other["response"]["error"] = serde_json::json!("E42");
    let (status, code) = post(&svc, kind(), &other).await;
    assert_eq!((status, code.as_str()), (409, "LSP4009"));
}

#[tokio::test]
async fn a_callback_its_module_declares_lender_initiated_is_never_checked_against_requests() {
    // Like v3's confirmRepayment: the lender starts it, no request of the LSP precedes it.
    let answered = crate::callbacks::disbursement_status::DEF.validate;
    let def: &'static crate::callbacks::CallbackDef =
        Box::leak(Box::new(crate::callbacks::CallbackDef {
            name: "LENDER_STARTED",
            title: "Lender-started",
            summary: "",
            paths: &["/v3/test/lenderStarted"],
            package: "lender-started",
            function: "LenderStartedFunction",
            schema: "LenderStarted",
            queues: &[],
            weight: 0,
            answers_request: false,
            revisable: false,
            validate: answered,
        }));
    let lender_started = CallbackType::of(def);
    let store = Arc::new(MemoryStore::strict());
    let (status, code) = post(
        &service(store.clone(), "require"),
        lender_started,
        &sample_body(kind(), "r-1"),
    )
    .await;
    assert_eq!((status, code.as_str()), (200, "0"));
    assert_eq!(store.records().len(), 1);
}
