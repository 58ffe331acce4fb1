//! Lambda function: Get Repayment Plans Response. Wiring only: the callback is the registry's
//! `get_repayment_plans` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::get_repayment_plans::TYPE).await
}
