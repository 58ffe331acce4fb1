//! Lambda function: the outbox dispatcher. Reads the idempotency table's stream (inserts
//! only, by the event source mapping's filter) and sends each event to its consumer queues.
//! Wiring only.

mod handler;

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use ocen_shared::config::DispatcherConfig;
use ocen_shared::dispatch::Dispatcher;
use ocen_shared::publish::sqs::SqsPublisher;
use ocen_shared::store::dynamodb::DynamoStore;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    ocen_shared::telemetry::init();
    let config = DispatcherConfig::from_env()?;
    let sdk = ocen_shared::aws::sdk_config().await?;
    let publisher = Arc::new(SqsPublisher::new(aws_sdk_sqs::Client::new(&sdk)));
    let log = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        &config.table_name,
    ));
    let dispatcher = Dispatcher::new(publisher, log, config);
    run(service_fn(|event: LambdaEvent<handler::StreamEvent>| {
        handler::handle(&dispatcher, event.payload)
    }))
    .await
}
