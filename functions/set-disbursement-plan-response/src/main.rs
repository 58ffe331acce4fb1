//! Lambda function: Set Disbursement Plan Response. Wiring only: the callback is the registry's
//! `set_disbursement_plan` module; `ocen_shared::http::run` answers every request with the
//! pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::set_disbursement_plan::TYPE).await
}
