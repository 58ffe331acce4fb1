//! HTTP translation for this function: API Gateway v2 request in, ack out. No rule lives
//! here; the pipeline is [`ocen_shared::CallbackService`].

use lambda_http::{Body, Error, Request, Response};
use ocen_shared::{CallbackService, CallbackType};

/// The callback this function answers.
pub const CALLBACK: CallbackType = CallbackType::LoanAcceptanceResponse;

pub async fn handle(service: &CallbackService, req: Request) -> Result<Response<Body>, Error> {
    Ok(ocen_shared::http::answer(service, CALLBACK, req).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocen_shared::testing::{ack_code, MemoryStore};
    use serde_json::Value;
    use std::sync::Arc;

    fn service(store: Arc<MemoryStore>) -> CallbackService {
        ocen_shared::testing::unsigned_service(store)
    }

    async fn invoke(service: &CallbackService, event: &str) -> (u16, Value) {
        ocen_shared::testing::invoke_event(|req| handle(service, req), event).await
    }

    #[tokio::test]
    async fn the_valid_event_is_recorded_and_acked() {
        let store = Arc::new(MemoryStore::new());
        let (status, ack) = invoke(
            &service(store.clone()),
            include_str!("../../../events/loan-acceptance-valid.json"),
        )
        .await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));
        assert_eq!(
            ack["ack"]["traceId"],
            "e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb"
        );
        assert_eq!(store.records().len(), 1);
    }

    #[tokio::test]
    async fn a_single_cred_block_object_is_accepted() {
        let (status, ack) = invoke(
            &service(Arc::new(MemoryStore::new())),
            include_str!("../../../events/loan-acceptance-credblock-object.json"),
        )
        .await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));
    }

    #[tokio::test]
    async fn an_otp_trigger_without_a_session_key_is_recorded_with_a_warning() {
        let store = Arc::new(MemoryStore::new());
        let (status, ack) = invoke(
            &service(store.clone()),
            include_str!("../../../events/loan-acceptance-warning-no-session-key.json"),
        )
        .await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));
        assert!(store.records()[0].event.contains("otpSessionKey absent"));
    }
}
