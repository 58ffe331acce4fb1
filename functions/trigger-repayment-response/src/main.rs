//! Lambda function: Trigger Repayment Response. Wiring only: the callback is the registry's
//! `trigger_repayment` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::trigger_repayment::TYPE).await
}
