//! Lambda function: Create Loan Applications Response. Wiring only: the callback is the registry's
//! `create_loan_applications` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::create_loan_applications::TYPE).await
}
