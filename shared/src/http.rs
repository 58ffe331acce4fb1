//! The Lambda HTTP adapter: API Gateway (HTTP API, payload v2) request in, ack response out.
//! Every answer is `Ok(response)`: a client's mistake must never become a Lambda error
//! (which API Gateway would turn into a 5xx without an ack).

use crate::service::{CallbackService, Inbound, Reply, TRACE_ID_GENERATED_HEADER};
use crate::CallbackType;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request, Response};

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
