//! Lambda function: Confirm Repayment. Wiring only: the callback is the registry's
//! `confirm_repayment` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::confirm_repayment::TYPE).await
}
