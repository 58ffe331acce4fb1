//! Lambda function: Generate Offers Response. Wiring only: the callback is the registry's
//! `generate_offers` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::generate_offers::TYPE).await
}
