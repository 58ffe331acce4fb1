//! Lambda function: Raise Dispute Response. Wiring only: the callback is the registry's
//! `raise_dispute` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::raise_dispute::TYPE).await
}
