use crate::helpers::*;
use ocen_shared::publish::sqs::SqsPublisher;
use ocen_shared::publish::{EventPublisher, OutboundMessage, PublishError, QueueTarget};
use ocen_shared::testing::sample_body;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

#[tokio::test]
async fn an_unreachable_dynamodb_answers_503_gen5004_stores_nothing_and_the_retry_succeeds() {
    let app = spawn_app().await;
    let dead_sdk = ocen_local::stack::local_sdk_config(DEAD_ENDPOINT).await;
    let dead = service_with(
        aws_sdk_dynamodb::Client::new(&dead_sdk),
        &app.stack.table_name,
    );
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    let body = sample_body(kind, "outage-1");
    let started = std::time::Instant::now();
    let (status, ack) = post_with(&dead, kind, &body).await;
    assert_eq!((status, ack.ack.error.as_str()), (503, "GEN5004"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "answered within bounds"
    );
    assert_eq!(app.item_count().await, 0);
    // The lender retries once DynamoDB is back: recorded once.
    let (status, ack) = app.post(kind, &body).await;
    assert_eq!((status, ack.ack.error.as_str()), (200, "0"));
    assert_eq!(app.item_count().await, 1);
}

#[tokio::test]
async fn with_sqs_unreachable_100_callbacks_are_acked_and_all_delivered_once_when_it_is_back() {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::consent_handle::TYPE;
    for i in 0..100 {
        let (status, ack) = app
            .post(kind, &sample_body(kind, &format!("sqs-down-{i:03}")))
            .await;
        assert_eq!((status, ack.ack.error.as_str()), (200, "0"));
    }
    let dead_sdk = ocen_local::stack::local_sdk_config(DEAD_ENDPOINT).await;
    let switch = std::sync::Arc::new(Switch::new(
        SqsPublisher::new(app.sqs.clone()),
        SqsPublisher::new(aws_sdk_sqs::Client::new(&dead_sdk)),
    ));
    let dispatcher = app.dispatcher_with(switch.clone());
    let mut poller = ocen_local::poller::StreamPoller::new(
        aws_sdk_dynamodbstreams::Client::new(&app.sdk),
        &app.stack.stream_arn,
        dispatcher,
    );
    switch.set_down(true);
    for _ in 0..3 {
        let r = poller.poll_once().await.unwrap();
        assert_eq!(r.delivered, 0);
        assert!(
            !r.failed.is_empty(),
            "failures are reported, never acknowledged"
        );
    }
    let queue = &app.queues_for(kind)[0];
    assert!(app.drain_queue(queue).await.is_empty());

    switch.set_down(false);
    let report = poller.drain(3).await.unwrap();
    assert_eq!(report.delivered, 100);
    let events = app.drain_queue(queue).await;
    assert_eq!(events.len(), 100);
    let ids: HashSet<_> = events.iter().map(|(e, _)| e.event_id).collect();
    assert_eq!(ids.len(), 100, "no repeated eventId");
}

/// A publisher that sends through a live or a dead SQS client: both real SDK clients.
struct Switch {
    live: SqsPublisher,
    dead: SqsPublisher,
    down: AtomicBool,
}

impl Switch {
    fn new(live: SqsPublisher, dead: SqsPublisher) -> Self {
        Switch {
            live,
            dead,
            down: AtomicBool::new(false),
        }
    }

    fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl EventPublisher for Switch {
    async fn send_batch(
        &self,
        queue: &QueueTarget,
        messages: &[OutboundMessage],
    ) -> Vec<Result<(), PublishError>> {
        if self.down.load(Ordering::SeqCst) {
            self.dead.send_batch(queue, messages).await
        } else {
            self.live.send_batch(queue, messages).await
        }
    }
}

#[tokio::test]
async fn a_missing_table_is_a_500_lsp5000_not_a_retry_forever_503() {
    let app = spawn_app().await;
    let missing = service_with(app.ddb.clone(), &format!("{}-gone", app.stack.table_name));
    let kind = ocen_shared::callbacks::consent_handle::TYPE;
    let (status, ack) = post_with(&missing, kind, &sample_body(kind, "no-table-1")).await;
    assert_eq!((status, ack.ack.error.as_str()), (500, "LSP5000"));
    assert_eq!(app.item_count().await, 0);
}
