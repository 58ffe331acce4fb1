//! Lambda function: Get Loan Response. Wiring only: the callback is the registry's
//! `get_loan` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::get_loan::TYPE).await
}
