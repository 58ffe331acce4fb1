//! SQS adapter: `SendMessageBatch` with the message's string attributes; on FIFO queues the
//! group and deduplication ids the dispatcher built. Entries SQS refuses as the sender's
//! fault are permanent failures; everything else (throttling, timeouts, a queue that does
//! not answer or does not exist) is transient.

use super::{EventPublisher, OutboundMessage, PublishError, QueueTarget};
use async_trait::async_trait;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchError;
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use aws_sdk_sqs::Client;

#[derive(Debug, Clone)]
pub struct SqsPublisher {
    client: Client,
}

impl SqsPublisher {
    pub fn new(client: Client) -> Self {
        SqsPublisher { client }
    }
}

fn attribute(value: &str) -> MessageAttributeValue {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .expect("data type is set")
}

#[async_trait]
impl EventPublisher for SqsPublisher {
    async fn send_batch(
        &self,
        queue: &QueueTarget,
        messages: &[OutboundMessage],
    ) -> Vec<Result<(), PublishError>> {
        let fail = |reason: String, permanent: bool| PublishError {
            queue: queue.name().to_string(),
            reason,
            permanent,
        };
        if messages.is_empty() {
            return Vec::new();
        }
        let entries: Result<Vec<_>, _> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut entry = SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(&m.body);
                for (name, value) in &m.attributes {
                    entry = entry.message_attributes(*name, attribute(value));
                }
                if queue.is_fifo() {
                    entry = entry
                        .message_group_id(&m.group_id)
                        .message_deduplication_id(&m.event_id);
                }
                entry.build()
            })
            .collect();
        let entries = match entries {
            Ok(e) => e,
            Err(e) => {
                return messages
                    .iter()
                    .map(|_| Err(fail(e.to_string(), true)))
                    .collect()
            }
        };
        match self
            .client
            .send_message_batch()
            .queue_url(&queue.url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Err(e) => {
                let reason = DisplayErrorContext(&e).to_string();
                // The batch itself is malformed: sending it again fails again (the
                // dispatcher then sends its messages one by one).
                let permanent = matches!(
                    e.as_service_error(),
                    Some(
                        SendMessageBatchError::BatchRequestTooLong(_)
                            | SendMessageBatchError::BatchEntryIdsNotDistinct(_)
                            | SendMessageBatchError::EmptyBatchRequest(_)
                            | SendMessageBatchError::InvalidBatchEntryId(_)
                            | SendMessageBatchError::TooManyEntriesInBatchRequest(_)
                    )
                );
                messages
                    .iter()
                    .map(|_| Err(fail(reason.clone(), permanent)))
                    .collect()
            }
            Ok(out) => {
                let mut results: Vec<Result<(), PublishError>> =
                    messages.iter().map(|_| Ok(())).collect();
                for failed in out.failed() {
                    if let Some(slot) = failed
                        .id()
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| results.get_mut(i))
                    {
                        *slot = Err(fail(
                            format!("{}: {}", failed.code(), failed.message().unwrap_or("")),
                            failed.sender_fault(),
                        ));
                    }
                }
                // An entry SQS neither confirmed nor failed is treated as failed.
                let confirmed: std::collections::HashSet<&str> =
                    out.successful().iter().map(|s| s.id()).collect();
                for (i, slot) in results.iter_mut().enumerate() {
                    if slot.is_ok() && !confirmed.contains(i.to_string().as_str()) {
                        *slot = Err(fail("not confirmed by SQS".into(), false));
                    }
                }
                results
            }
        }
    }
}
