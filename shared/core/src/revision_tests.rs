//! Revisable callbacks: the same `requestId` posted again with a new state is the next
//! revision (its own record state, event id and event), an identical body a duplicate of
//! whichever revision it was, and a callback not declared revisable still a conflict.

use super::*;
use crate::callbacks::{set_repayment_plan, set_repayment_plan_status};
use crate::testing::{sample_body, MemoryStore};
use serde_json::Value;

fn service(store: Arc<MemoryStore>) -> CallbackService {
    let config = crate::testing::config(&[("REPLAY_WINDOW_SECONDS", "0")]);
    CallbackService::new(store, &config, AuthMode::Disabled)
}

fn with_status(kind: CallbackType, status: &str) -> Value {
    let mut body = sample_body(kind, "rev-1");
    body["plan"]["status"] = Value::from(status);
    body
}

async fn post(svc: &CallbackService, kind: CallbackType, body: &Value) -> (u16, String) {
    let bytes = serde_json::to_vec(body).unwrap();
    let reply = svc.handle(kind, Inbound::post(&bytes)).await;
    (reply.status, reply.body)
}

#[tokio::test]
async fn a_plans_status_moving_on_under_one_request_id_is_recorded_as_the_next_revision() {
    let kind = set_repayment_plan_status::TYPE;
    let store = Arc::new(MemoryStore::new());
    let svc = service(store.clone());
    let (status, pending_ack) = post(&svc, kind, &with_status(kind, "PENDING_AUTH")).await;
    assert_eq!(status, 200);
    let first = store.records().pop().unwrap();
    let (status, active_ack) = post(&svc, kind, &with_status(kind, "ACTIVE")).await;
    assert_eq!(status, 200, "{active_ack}");
    let second = store.records().pop().unwrap();
    assert_eq!(second.revision, 2);
    assert_ne!(
        second.event_id, first.event_id,
        "each revision is its own event"
    );
    let event: crate::event::Envelope = serde_json::from_str(&second.event).unwrap();
    assert_eq!(event.revision, Some(2));
    assert_eq!(event.event_id.to_string(), second.event_id);
    assert_eq!(event.payload["plan"]["status"], "ACTIVE");
    // Retries of either revision get that revision's first ack; nothing changes.
    let (_, again) = post(&svc, kind, &with_status(kind, "PENDING_AUTH")).await;
    assert_eq!(again, pending_ack);
    let (_, again) = post(&svc, kind, &with_status(kind, "ACTIVE")).await;
    assert_eq!(again, active_ack);
    assert_eq!(store.records().pop().unwrap().revision, 2);
}

#[tokio::test]
async fn a_callback_not_declared_revisable_stays_a_conflict() {
    let kind = set_repayment_plan::TYPE;
    assert!(!kind.def().revisable);
    let svc = service(Arc::new(MemoryStore::new()));
    assert_eq!(
        post(&svc, kind, &with_status(kind, "PENDING_AUTH")).await.0,
        200
    );
    let (status, body) = post(&svc, kind, &with_status(kind, "ACTIVE")).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("LSP4009"));
}

#[test]
fn only_the_callbacks_the_spec_documents_as_webhooks_are_revisable() {
    let revisable: Vec<&str> = CallbackType::ALL
        .iter()
        .filter(|k| k.def().revisable)
        .map(|k| k.as_str())
        .collect();
    assert_eq!(revisable, ["SET_REPAYMENT_PLAN_STATUS_RESPONSE"]);
}
