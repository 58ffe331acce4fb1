//! Lambda function: Consent Handle Response (`POST /v3/consent/consentHandleResponse`). Wiring only.

mod handler;

use lambda_http::{run, service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    ocen_shared::telemetry::init();
    let service = ocen_shared::http::service_from_env().await?;
    run(service_fn(|req| handler::handle(&service, req))).await
}
