//! Lambda function: Grant Loan Response. Wiring only: the callback is the registry's
//! `grant_loan` module; `ocen_shared::http::run` answers every request with the pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::grant_loan::TYPE).await
}
