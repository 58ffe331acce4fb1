//! Lambda function: Loan Summary Response. Wiring only: the callback is the registry's
//! `loan_summary` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::loan_summary::TYPE).await
}
