//! HTTP translation for this function: API Gateway v2 request in, ack out. No rule lives
//! here; the pipeline is [`ocen_shared::CallbackService`].

use lambda_http::{Body, Error, Request, Response};
use ocen_shared::{CallbackService, CallbackType};

/// The callback this function answers.
pub const CALLBACK: CallbackType = CallbackType::ConsentHandleResponse;

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
            include_str!("../../../events/consent-handle-valid.json"),
        )
        .await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));
        assert_eq!(store.records().len(), 1);
    }

    #[tokio::test]
    async fn ready_without_a_handle_is_recorded_with_a_warning() {
        let store = Arc::new(MemoryStore::new());
        let (status, ack) = invoke(
            &service(store.clone()),
            include_str!("../../../events/consent-handle-warning-ready-without-handle.json"),
        )
        .await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));
        assert!(store.records()[0].event.contains("consentHandle absent"));
    }

    #[tokio::test]
    async fn a_missing_org_id_is_400_gen5001_naming_it() {
        let (status, ack) = invoke(
            &service(Arc::new(MemoryStore::new())),
            include_str!("../../../events/consent-handle-invalid-missing-org-id.json"),
        )
        .await;
        assert_eq!((status, ack_code(&ack)), (400, "GEN5001"));
        assert!(ack["ack"]["detail"]
            .as_str()
            .unwrap()
            .contains("metadata.orgId"));
    }
}
