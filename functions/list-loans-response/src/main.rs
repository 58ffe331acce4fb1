//! Lambda function: List Loans Response. Wiring only: the callback is the registry's
//! `list_loans` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::list_loans::TYPE).await
}
