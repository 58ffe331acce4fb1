//! Lambda function: Verify Loan Acceptance Response. Wiring only: the callback is the
//! registry's `verify_loan_acceptance` module; `ocen_shared::http::run` answers every
//! request with the pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::verify_loan_acceptance::TYPE).await
}
