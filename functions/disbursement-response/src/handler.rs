//! HTTP translation for this function: API Gateway v2 request in, ack out. No rule lives
//! here; the pipeline is [`ocen_shared::CallbackService`].

use lambda_http::{Body, Error, Request, Response};
use ocen_shared::{CallbackService, CallbackType};

/// The callback this function answers.
pub const CALLBACK: CallbackType = CallbackType::DisbursementResponse;

pub async fn handle(service: &CallbackService, req: Request) -> Result<Response<Body>, Error> {
    Ok(ocen_shared::http::answer(service, CALLBACK, req).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocen_shared::config::CallbackConfig;
    use ocen_shared::testing::{ack_validator, MemoryStore};
    use serde_json::Value;
    use std::sync::Arc;

    fn service(store: Arc<MemoryStore>) -> CallbackService {
        let config =
            CallbackConfig::from_lookup(|k| (k == "TABLE_NAME").then(|| "t".to_string())).unwrap();
        CallbackService::new(store, &config)
    }

    /// Feed an API Gateway v2 event from `events/` through the handler.
    async fn invoke(service: &CallbackService, event: &str) -> (u16, Value) {
        let req =
            lambda_http::request::from_str(event).expect("the event is an API Gateway v2 event");
        let resp = handle(service, req).await.expect("the handler never fails");
        assert_eq!(resp.headers()["content-type"], "application/json");
        let body: Value = match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            other => panic!("unexpected body {other:?}"),
        };
        assert!(ack_validator().is_valid(&body), "not a spec ack: {body}");
        (resp.status().as_u16(), body)
    }

    fn code(ack: &Value) -> &str {
        ack["ack"]["error"].as_str().unwrap()
    }

    #[tokio::test]
    async fn the_valid_event_is_recorded_and_a_duplicate_gets_the_same_ack() {
        let store = Arc::new(MemoryStore::new());
        let svc = service(store.clone());
        let event = include_str!("../../../events/disbursement-valid.json");
        let (status, first) = invoke(&svc, event).await;
        assert_eq!((status, code(&first)), (200, "0"));
        let (status, second) = invoke(&svc, event).await;
        assert_eq!(status, 200);
        assert_eq!(first, second);
        assert_eq!(store.records().len(), 1);
    }

    #[tokio::test]
    async fn the_capitalised_path_event_is_answered_the_same_way() {
        let (status, ack) = invoke(
            &service(Arc::new(MemoryStore::new())),
            include_str!("../../../events/disbursement-capitalised-path.json"),
        )
        .await;
        assert_eq!((status, code(&ack)), (200, "0"));
    }

    #[tokio::test]
    async fn each_invalid_event_gets_its_code() {
        for (event, status, expected) in [
            (
                include_str!("../../../events/disbursement-invalid-success-without-txnrefno.json"),
                400,
                "GEN5001",
            ),
            (
                include_str!("../../../events/disbursement-invalid-status-enum.json"),
                400,
                "GEN5002",
            ),
            (
                include_str!("../../../events/disbursement-invalid-version.json"),
                400,
                "GEN5005",
            ),
            (
                include_str!("../../../events/disbursement-invalid-malformed-json.json"),
                400,
                "LSP4000",
            ),
            (
                include_str!("../../../events/disbursement-invalid-get.json"),
                405,
                "GEN5003",
            ),
        ] {
            let store = Arc::new(MemoryStore::new());
            let (s, ack) = invoke(&service(store.clone()), event).await;
            assert_eq!((s, code(&ack)), (status, expected), "{ack}");
            assert!(store.records().is_empty());
        }
    }

    #[tokio::test]
    async fn a_store_outage_is_503_gen5004_not_a_lambda_error() {
        let store = Arc::new(MemoryStore::new());
        store.set_unavailable(true);
        let (status, ack) = invoke(
            &service(store),
            include_str!("../../../events/disbursement-valid.json"),
        )
        .await;
        assert_eq!((status, code(&ack)), (503, "GEN5004"));
    }

    #[tokio::test]
    async fn a_base64_encoded_body_is_decoded() {
        let mut event: Value =
            serde_json::from_str(include_str!("../../../events/disbursement-valid.json")).unwrap();
        let body = event["body"].as_str().unwrap().to_string();
        event["body"] = Value::String(base64_encode(body.as_bytes()));
        event["isBase64Encoded"] = Value::Bool(true);
        let (status, ack) =
            invoke(&service(Arc::new(MemoryStore::new())), &event.to_string()).await;
        assert_eq!((status, code(&ack)), (200, "0"));
    }

    fn base64_encode(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in bytes.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..4 {
                if i <= c.len() {
                    out.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
