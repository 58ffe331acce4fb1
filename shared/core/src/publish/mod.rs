//! The event publisher: sends messages to consumer queues. The port is a small, object-safe
//! trait; `ocen_shared::publish::sqs::SqsPublisher` is the adapter. [`limits`] holds the
//! SQS limits every message is built to meet.

pub mod limits;

use async_trait::async_trait;

/// Most messages one send may carry (SQS `SendMessageBatch`).
pub const MAX_BATCH: usize = limits::MAX_BATCH_ENTRIES;

/// A consumer queue, by URL. A URL ending in `.fifo` is a FIFO queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// One message, ready for SQS: built by the dispatcher to meet [`limits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// The envelope JSON, or a reference to it (docs/delivery.md).
    pub body: String,
    /// Deduplication id on FIFO queues: the eventId.
    pub event_id: String,
    /// Message group on FIFO queues: [`limits::group_id`] of the ordering key.
    pub group_id: String,
    /// String message attributes (`type`, `orgId`, `payload`), name → value.
    pub attributes: Vec<(&'static str, String)>,
}

impl OutboundMessage {
    /// The value of message attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The size SQS counts for this message (body and attributes), in bytes.
    pub fn size(&self) -> usize {
        limits::message_size(&self.body, &self.attribute_pairs())
    }

    pub fn attribute_pairs(&self) -> Vec<(&str, &str)> {
        self.attributes
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .collect()
    }

    /// Why this message does not fit SQS for `queue`, or `None`.
    pub fn problem(&self, queue: &QueueTarget) -> Option<String> {
        let fifo = queue
            .is_fifo()
            .then_some((self.group_id.as_str(), self.event_id.as_str()));
        limits::message_problem(&self.body, &self.attribute_pairs(), fifo)
    }
}

/// A send that did not happen, and whether trying again can help.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("send to {queue} failed: {reason}")]
pub struct PublishError {
    pub queue: String,
    pub reason: String,
    /// SQS refused this message itself (a sender fault): sending it again fails again.
    /// Otherwise (throttling, timeouts, an unreachable or missing queue) a retry can work.
    pub permanent: bool,
}

#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Send up to [`MAX_BATCH`] messages (at most [`limits::MAX_BATCH_BYTES`] in all) to one
    /// queue; one result per message, in order.
    async fn send_batch(
        &self,
        queue: &QueueTarget,
        messages: &[OutboundMessage],
    ) -> Vec<Result<(), PublishError>>;
}

/// Split `messages` (in order) into batches SQS accepts: at most [`MAX_BATCH`] messages and
/// [`limits::MAX_BATCH_BYTES`] bytes each. Returns the index ranges.
pub fn batches(sizes: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && (i - start == MAX_BATCH || bytes + size > limits::MAX_BATCH_BYTES) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        out.push(start..sizes.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_at_most_ten_messages_and_the_batch_byte_limit() {
        assert_eq!(batches(&[]), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(batches(&[1; 25]), vec![0..10, 10..20, 20..25]);
        let big = 110_000;
        assert_eq!(batches(&[big; 5]), vec![0..2, 2..4, 4..5]);
        let near = limits::MAX_BATCH_BYTES - 2000;
        assert_eq!(batches(&[near, 10, near]), vec![0..2, 2..3]);
        for sizes in [vec![200_000, 70_000, 1, 262_144], vec![5; 37]] {
            let b = batches(&sizes);
            assert_eq!(b.iter().map(|r| r.len()).sum::<usize>(), sizes.len());
            for r in b {
                assert!(r.len() <= MAX_BATCH);
                let total: usize = sizes[r.clone()].iter().sum();
                assert!(r.len() == 1 || total <= limits::MAX_BATCH_BYTES, "{r:?}");
            }
        }
    }
}
