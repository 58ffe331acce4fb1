//! Lambda function: Set Offer Response. Wiring only: the callback is the registry's
//! `set_offer` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::set_offer::TYPE).await
}
