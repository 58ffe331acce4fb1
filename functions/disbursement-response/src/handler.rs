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
    async fn the_valid_event_is_recorded_and_a_duplicate_gets_the_same_ack() {
        let store = Arc::new(MemoryStore::new());
        let svc = service(store.clone());
        let event = include_str!("../../../events/disbursement-valid.json");
        let (status, first) = invoke(&svc, event).await;
        assert_eq!((status, ack_code(&first)), (200, "0"));
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
        assert_eq!((status, ack_code(&ack)), (200, "0"));
    }

    #[tokio::test]
    async fn each_invalid_event_gets_its_code() {
        for (event, status, expected) in [
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
            assert_eq!((s, ack_code(&ack)), (status, expected), "{ack}");
            assert!(store.records().is_empty());
        }
    }

    #[tokio::test]
    async fn a_success_without_txn_ref_is_recorded_with_a_warning() {
        let store = Arc::new(MemoryStore::new());
        let (status, ack) = invoke(
            &service(store.clone()),
            include_str!("../../../events/disbursement-warning-success-without-txnrefno.json"),
        )
        .await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));
        assert!(store.records()[0].event.contains("txnRefNo absent"));
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
        assert_eq!((status, ack_code(&ack)), (503, "GEN5004"));
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
        assert_eq!((status, ack_code(&ack)), (200, "0"));
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

/// Signed requests through the real registry and verifier.
#[cfg(test)]
mod signed {
    use super::*;
    use ocen_shared::auth::signing::SigningKey;
    use ocen_shared::auth::{AuthMode, LenderRegistry};
    use ocen_shared::testing::{sample_body, MemoryStore};
    use serde_json::{json, Value};
    use std::sync::Arc;

    fn registry(v3: &SigningKey, v4: &SigningKey) -> LenderRegistry {
        let json = json!({"lenders": [
            {"orgId": "LENDER-ABC", "scheme": "v3", "keys": [{"kid": v3.kid, "pem": v3.public_pem().unwrap()}]},
            {"orgId": "LENDER-V4", "scheme": "v4", "keys": [{"kid": v4.kid, "pem": v4.public_pem().unwrap()}]}
        ]});
        LenderRegistry::parse(&json.to_string()).unwrap()
    }

    /// An API Gateway v2 event from the committed valid event, with `body` and `headers`.
    fn event(body: &[u8], headers: &[(&str, &str)]) -> Request {
        let mut ev: Value =
            serde_json::from_str(include_str!("../../../events/disbursement-valid.json")).unwrap();
        ev["body"] = Value::String(String::from_utf8(body.to_vec()).unwrap());
        for (k, v) in headers {
            ev["headers"][*k] = Value::String(v.to_string());
        }
        lambda_http::request::from_str(&ev.to_string()).unwrap()
    }

    async fn status_and_code(svc: &CallbackService, req: Request) -> (u16, String) {
        let resp = handle(svc, req).await.unwrap();
        let body: Value = match resp.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            _ => panic!("text body"),
        };
        (
            resp.status().as_u16(),
            body["ack"]["error"].as_str().unwrap().to_string(),
        )
    }

    #[tokio::test]
    async fn v3_flattened_jws_and_v4_detached_signatures_are_accepted_and_unsigned_bodies_are_401()
    {
        let (v3, v4) = (
            SigningKey::generate("k3").unwrap(),
            SigningKey::generate("k4").unwrap(),
        );
        let config = ocen_shared::testing::config(&[]);
        let svc = CallbackService::new(
            Arc::new(MemoryStore::new()),
            &config,
            AuthMode::Jws(registry(&v3, &v4)),
        );

        let body = serde_json::to_vec(&sample_body(CALLBACK, "signed-v3")).unwrap();
        assert_eq!(
            status_and_code(&svc, event(&v3.sign_v3(&body), &[])).await,
            (200, "0".into())
        );

        let mut b = sample_body(CALLBACK, "signed-v4");
        b["metadata"]["orgId"] = json!("LENDER-V4");
        let body = serde_json::to_vec(&b).unwrap();
        let sig = v4.sign_v4(&body);
        assert_eq!(
            status_and_code(&svc, event(&body, &[("x-jws-signature", &sig)])).await,
            (200, "0".into())
        );

        let unsigned = serde_json::to_vec(&sample_body(CALLBACK, "unsigned")).unwrap();
        assert_eq!(
            status_and_code(&svc, event(&unsigned, &[])).await,
            (401, "AUTH1001".into())
        );
    }
}
