//! Lambda function: Consent Status Response. Wiring only: the callback is the registry's
//! `consent_status` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::consent_status::TYPE).await
}
