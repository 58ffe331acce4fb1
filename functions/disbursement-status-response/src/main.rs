//! Lambda function: Trigger Disbursement Status Response. Wiring only: the callback is the
//! registry's `disbursement_status` module; `ocen_shared::http::run` answers every request
//! with the pipeline.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ocen_shared::http::run(ocen_shared::callbacks::disbursement_status::TYPE).await
}
