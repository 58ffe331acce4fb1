//! SQS adapter: `SendMessageBatch` with `type`/`orgId` message attributes; on FIFO queues
//! the group is the event's ordering key and the deduplication id its eventId.

use super::{EventPublisher, OutboundMessage, PublishError, QueueTarget};
use async_trait::async_trait;
use aws_sdk_sqs::error::DisplayErrorContext;
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
        let fail = |reason: String| PublishError {
            queue: queue.name().to_string(),
            reason,
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
                    .message_body(&m.body)
                    .message_attributes("type", attribute(&m.event_type))
                    .message_attributes("orgId", attribute(&m.org_id));
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
            Err(e) => return messages.iter().map(|_| Err(fail(e.to_string()))).collect(),
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
                messages.iter().map(|_| Err(fail(reason.clone()))).collect()
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
                        *slot = Err(fail(format!(
                            "{}: {}",
                            failed.code(),
                            failed.message().unwrap_or("")
                        )));
                    }
                }
                // An entry SQS neither confirmed nor failed is treated as failed.
                let confirmed: std::collections::HashSet<&str> =
                    out.successful().iter().map(|s| s.id()).collect();
                for (i, slot) in results.iter_mut().enumerate() {
                    if slot.is_ok() && !confirmed.contains(i.to_string().as_str()) {
                        *slot = Err(fail("not confirmed by SQS".into()));
                    }
                }
                results
            }
        }
    }
}
