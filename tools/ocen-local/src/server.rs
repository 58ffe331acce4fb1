//! The local HTTP server: every registered callback on its production paths, answered by the
//! same pipeline the Lambda functions run.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header::CONTENT_TYPE, HeaderValue, Response, StatusCode};
use axum::Router;
use ocen_shared::ack::AckBody;
use ocen_shared::domain::TraceId;
use ocen_shared::error::{ErrorCode, Rejection};
use ocen_shared::service::{Reply, TRACE_ID_GENERATED_HEADER};
use ocen_shared::{CallbackService, CallbackType, Inbound};
use std::sync::Arc;

pub fn router(service: CallbackService, max_body_bytes: usize) -> Router {
    Router::new()
        .fallback(answer)
        .with_state(Arc::new((service, max_body_bytes)))
}

async fn answer(
    State(state): State<Arc<(CallbackService, usize)>>,
    req: Request,
) -> Response<Body> {
    let (service, max) = (&state.0, state.1);
    let Some(kind) = CallbackType::from_path(req.uri().path()) else {
        let r = Rejection::new(ErrorCode::UnknownPath, "no callback is served at this path");
        let body =
            AckBody::rejected(&r, &TraceId::generate(), time::OffsetDateTime::now_utc()).to_json();
        return to_response(Reply {
            status: r.status,
            body,
            trace_id_generated: true,
        });
    };
    let method = req.method().as_str().to_string();
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("invalid").to_string());
    let signature = req
        .headers()
        .get(ocen_shared::auth::SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or("").to_string());
    // Read one byte more than allowed, so the pipeline sees an over-long body and answers 413.
    let body = match axum::body::to_bytes(req.into_body(), max + 1).await {
        Ok(b) => b.to_vec(),
        Err(_) => vec![b' '; max + 1],
    };
    let reply = service
        .handle(
            kind,
            Inbound {
                method: &method,
                content_type: content_type.as_deref(),
                signature: signature.as_deref(),
                body: &body,
            },
        )
        .await;
    to_response(reply)
}

fn to_response(reply: Reply) -> Response<Body> {
    let mut resp = Response::new(Body::from(reply.body));
    *resp.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if reply.trace_id_generated {
        resp.headers_mut()
            .insert(TRACE_ID_GENERATED_HEADER, HeaderValue::from_static("true"));
    }
    resp
}
