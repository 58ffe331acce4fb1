//! The Lambda HTTP adapter: API Gateway (HTTP API, payload v2) request in, ack response out.
//! Every answer is `Ok(response)`: a client's mistake must never become a Lambda error
//! (which API Gateway would turn into a 5xx without an ack).

use crate::service::{CallbackService, Inbound, Reply, TRACE_ID_GENERATED_HEADER};
use crate::CallbackType;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request, Response};

/// A callback function's whole `main`: telemetry, the service built once per cold start,
/// then every request answered as callback `kind`.
pub async fn run(kind: CallbackType) -> Result<(), lambda_http::Error> {
    crate::telemetry::init();
    let service = service_from_env().await?;
    let service = &service;
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, std::convert::Infallible>(answer(service, kind, req).await)
    }))
    .await
}

/// An API Gateway HTTP API (payload format 2.0) event, as `events/` holds them and the
/// tests build them.
pub fn api_event(path: &str, method: &str, body: &str) -> serde_json::Value {
    serde_json::json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "host": "callbacks.example.com",
            "user-agent": "lender-gateway/1.0",
            "x-forwarded-proto": "https"
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "domainName": "callbacks.example.com",
            "domainPrefix": "callbacks",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "lender-gateway/1.0"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": format!("{method} {path}"),
            "stage": "$default",
            "time": "01/May/2024:04:45:30 +0000",
            "timeEpoch": 1714538730120u64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// Answer one API Gateway request as callback `kind`.
pub async fn answer(service: &CallbackService, kind: CallbackType, req: Request) -> Response<Body> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("invalid"));
    let signature = req
        .headers()
        .get(crate::auth::SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or(""));
    let body: &[u8] = req.body().as_ref();
    let reply = service
        .handle(
            kind,
            Inbound {
                method: req.method().as_str(),
                content_type,
                signature,
                body,
            },
        )
        .await;
    to_response(reply)
}

pub fn to_response(reply: Reply) -> Response<Body> {
    let mut builder = Response::builder()
        .status(reply.status)
        .header(CONTENT_TYPE, "application/json");
    if reply.trace_id_generated {
        builder = builder.header(TRACE_ID_GENERATED_HEADER, "true");
    }
    builder
        .body(Body::Text(reply.body))
        .expect("status and headers are valid")
}

/// Cold-start wiring of a callback function: configuration from the environment, one SDK
/// configuration, one DynamoDB client, the store and the service. The lender registry is
/// read here too (a file, inline JSON or one SSM call): a malformed registry fails the cold
/// start with a message naming the entry.
pub async fn service_from_env() -> Result<CallbackService, lambda_http::Error> {
    use crate::auth::AuthMode;
    use crate::config::AuthConfig;
    let config = crate::config::CallbackConfig::from_env()?;
    let sdk = crate::aws::sdk_config().await?;
    let auth = match &config.auth {
        AuthConfig::Disabled => AuthMode::Disabled,
        AuthConfig::Jws(source) => AuthMode::Jws(crate::auth::registry::load(source, &sdk).await?),
    };
    let store = crate::store::dynamodb::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        &config.table_name,
    );
    Ok(CallbackService::new(
        std::sync::Arc::new(store),
        &config,
        auth,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::signing::SigningKey;
    use crate::auth::{AuthMode, LenderRegistry};
    use crate::callbacks::disbursement::TYPE as DISBURSEMENT;
    use crate::testing::{ack_code, invoke_event, sample_body, unsigned_service, MemoryStore};
    use serde_json::{json, Value};
    use std::sync::Arc;

    fn event(body: &Value) -> String {
        api_event(DISBURSEMENT.path(), "POST", &body.to_string()).to_string()
    }

    async fn invoke(service: &CallbackService, event: &str) -> (u16, Value) {
        invoke_event(
            |req| async move { Ok(answer(service, DISBURSEMENT, req).await) },
            event,
        )
        .await
    }

    #[tokio::test]
    async fn a_valid_event_is_recorded_and_a_duplicate_gets_the_same_ack() {
        let store = Arc::new(MemoryStore::new());
        let svc = unsigned_service(store.clone());
        let event = event(&sample_body(DISBURSEMENT, "http-1"));
        let (status, first) = invoke(&svc, &event).await;
        assert_eq!((status, ack_code(&first)), (200, "0"));
        let (status, second) = invoke(&svc, &event).await;
        assert_eq!(status, 200);
        assert_eq!(first, second);
        assert_eq!(store.records().len(), 1);
    }

    #[tokio::test]
    async fn a_store_outage_is_503_gen5004_not_a_lambda_error() {
        let store = Arc::new(MemoryStore::new());
        store.set_unavailable(true);
        let event = event(&sample_body(DISBURSEMENT, "http-2"));
        let (status, ack) = invoke(&unsigned_service(store), &event).await;
        assert_eq!((status, ack_code(&ack)), (503, "GEN5004"));
    }

    #[tokio::test]
    async fn a_base64_encoded_body_is_decoded() {
        use base64::Engine;
        let body = sample_body(DISBURSEMENT, "http-3").to_string();
        let mut ev = api_event(DISBURSEMENT.path(), "POST", "");
        ev["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
        ev["isBase64Encoded"] = json!(true);
        let svc = unsigned_service(Arc::new(MemoryStore::new()));
        let (status, ack) = invoke(&svc, &ev.to_string()).await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));
    }

    #[tokio::test]
    async fn v3_flattened_jws_and_v4_detached_signatures_are_accepted_and_unsigned_bodies_are_401()
    {
        let (v3, v4) = (
            SigningKey::generate("k3").unwrap(),
            SigningKey::generate("k4").unwrap(),
        );
        let registry = LenderRegistry::parse(
            &json!({"lenders": [
                {"orgId": "LENDER-ABC", "scheme": "v3", "keys": [{"kid": v3.kid, "pem": v3.public_pem().unwrap()}]},
                {"orgId": "LENDER-V4", "scheme": "v4", "keys": [{"kid": v4.kid, "pem": v4.public_pem().unwrap()}]}
            ]})
            .to_string(),
        )
        .unwrap();
        let svc = CallbackService::new(
            Arc::new(MemoryStore::new()),
            &crate::testing::config(&[]),
            AuthMode::Jws(registry),
        );
        let signed_event = |body: &[u8], header: Option<(&str, &str)>| {
            let mut ev = api_event(
                DISBURSEMENT.path(),
                "POST",
                std::str::from_utf8(body).unwrap(),
            );
            if let Some((k, v)) = header {
                ev["headers"][k] = json!(v);
            }
            ev.to_string()
        };

        let body = serde_json::to_vec(&sample_body(DISBURSEMENT, "signed-v3")).unwrap();
        let (status, ack) = invoke(&svc, &signed_event(&v3.sign_v3(&body), None)).await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));

        let mut b = sample_body(DISBURSEMENT, "signed-v4");
        b["metadata"]["orgId"] = json!("LENDER-V4");
        let body = serde_json::to_vec(&b).unwrap();
        let sig = v4.sign_v4(&body);
        let (status, ack) =
            invoke(&svc, &signed_event(&body, Some(("x-jws-signature", &sig)))).await;
        assert_eq!((status, ack_code(&ack)), (200, "0"));

        let unsigned = serde_json::to_vec(&sample_body(DISBURSEMENT, "unsigned")).unwrap();
        let (status, ack) = invoke(&svc, &signed_event(&unsigned, None)).await;
        assert_eq!((status, ack_code(&ack)), (401, "AUTH1001"));
    }
}
