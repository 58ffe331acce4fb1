//! The event publisher: sends envelopes to consumer queues. The port is a small, object-safe
//! trait; [`sqs::SqsPublisher`] is the adapter.

pub mod sqs;

use async_trait::async_trait;

/// Most messages one send may carry (SQS `SendMessageBatch`).
pub const MAX_BATCH: usize = 10;

/// A consumer queue, by URL. A URL ending in `.fifo` is a FIFO queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueueTarget {
    pub url: String,
}

impl QueueTarget {
    pub fn new(url: impl Into<String>) -> Self {
        QueueTarget { url: url.into() }
    }

    pub fn is_fifo(&self) -> bool {
        self.url.ends_with(".fifo")
    }

    /// The queue's name: the last path segment of its URL.
    pub fn name(&self) -> &str {
        self.url.rsplit('/').next().unwrap_or(&self.url)
    }
}

/// One message: an envelope and what SQS needs around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// The envelope JSON.
    pub body: String,
    /// Deduplication id on FIFO queues.
    pub event_id: String,
    /// Message attribute `type`.
    pub event_type: String,
    /// Message attribute `orgId`.
    pub org_id: String,
    /// Message group on FIFO queues.
    pub group_id: String,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("send to {queue} failed: {reason}")]
pub struct PublishError {
    pub queue: String,
    pub reason: String,
}

#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Send up to [`MAX_BATCH`] messages to one queue; one result per message, in order.
    async fn send_batch(
        &self,
        queue: &QueueTarget,
        messages: &[OutboundMessage],
    ) -> Vec<Result<(), PublishError>>;
}
