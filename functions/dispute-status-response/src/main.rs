//! Lambda function: Dispute Status Response. Wiring only: the callback is the registry's
//! `dispute_status` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::dispute_status::TYPE).await
}
