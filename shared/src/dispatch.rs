//! The outbox dispatcher: turns the table's stream inserts into messages on the consumer
//! queues configured for each callback type.
//!
//! Delivery is at-least-once and in stream order. Records are sent in order, in chunks of
//! up to ten per queue; the first record whose send failed (to any of its queues) and every
//! record after it are reported as failed, so the stream retries from there and nothing
//! after a failure is acknowledged. A record already sent in a chunk that partly failed may
//! be sent again: FIFO queues drop it (deduplication id = eventId), standard-queue consumers
//! deduplicate on `eventId`.

use crate::config::DispatcherConfig;
use crate::event::Envelope;
use crate::publish::{EventPublisher, OutboundMessage, QueueTarget, MAX_BATCH};
use std::collections::HashMap;
use std::sync::Arc;

/// One stream record, transport-free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRecord {
    /// The stream sequence number (the batch item identifier for partial failures).
    pub sequence_number: String,
    /// `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    /// The `event` attribute of the new image: the envelope JSON.
    pub event: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Records whose events reached all their queues.
    pub delivered: usize,
    /// Records that are not inserts (TTL removals, ...), passed over.
    pub skipped: usize,
    /// Sequence numbers to retry, in order: the first failure and everything after it.
    pub failed: Vec<String>,
}

pub struct Dispatcher {
    publisher: Arc<dyn EventPublisher>,
    config: DispatcherConfig,
}

/// A record ready to send: its message and where it goes.
struct Ready<'a> {
    record: &'a StreamRecord,
    message: OutboundMessage,
    targets: &'a [QueueTarget],
}

impl Dispatcher {
    pub fn new(publisher: Arc<dyn EventPublisher>, config: DispatcherConfig) -> Self {
        Dispatcher { publisher, config }
    }

    pub async fn dispatch(&self, records: &[StreamRecord]) -> DispatchReport {
        let mut report = DispatchReport::default();
        let mut pending: Vec<Ready<'_>> = Vec::new();
        for (i, record) in records.iter().enumerate() {
            if record.event_name != "INSERT" {
                report.skipped += 1;
                continue;
            }
            match self.prepare(record) {
                Ok(ready) => pending.push(ready),
                Err(reason) => {
                    // Poison record: stop here; the stream retries it, then sends it to the
                    // on-failure destination. Never skipped silently.
                    tracing::error!(sequence_number = %record.sequence_number, reason, "stream record cannot be dispatched");
                    let sent = self.send_in_order(&pending, &mut report).await;
                    if sent {
                        report.failed.extend(
                            records[i..]
                                .iter()
                                .filter(|r| r.event_name == "INSERT")
                                .map(|r| r.sequence_number.clone()),
                        );
                    }
                    return report;
                }
            }
        }
        self.send_in_order(&pending, &mut report).await;
        report
    }

    fn prepare<'a>(&'a self, record: &'a StreamRecord) -> Result<Ready<'a>, String> {
        let json = record
            .event
            .as_deref()
            .ok_or("the new image has no event attribute")?;
        let envelope: Envelope =
            serde_json::from_str(json).map_err(|e| format!("the event is not an envelope: {e}"))?;
        let targets = self
            .config
            .routes
            .get(&envelope.event_type)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| format!("no queue is configured for {}", envelope.event_type))?;
        Ok(Ready {
            record,
            targets,
            message: OutboundMessage {
                body: json.to_string(),
                event_id: envelope.event_id.to_string(),
                event_type: envelope.event_type.as_str().to_string(),
                org_id: envelope.org_id,
                group_id: envelope.ordering_key,
            },
        })
    }

    /// Send `pending` in order, chunk by chunk; on the first failed chunk, report it and the
    /// rest as failed. Returns whether everything was sent.
    async fn send_in_order(&self, pending: &[Ready<'_>], report: &mut DispatchReport) -> bool {
        for (c, chunk) in pending.chunks(MAX_BATCH).enumerate() {
            let mut per_queue: HashMap<&QueueTarget, Vec<usize>> = HashMap::new();
            for (i, ready) in chunk.iter().enumerate() {
                for t in ready.targets {
                    per_queue.entry(t).or_default().push(i);
                }
            }
            let sends = per_queue.iter().map(|(queue, idx)| async move {
                let messages: Vec<OutboundMessage> =
                    idx.iter().map(|&i| chunk[i].message.clone()).collect();
                (idx, self.publisher.send_batch(queue, &messages).await)
            });
            let mut ok = vec![true; chunk.len()];
            for (idx, results) in futures::future::join_all(sends).await {
                for (&i, result) in idx
                    .iter()
                    .zip(results.iter().chain(std::iter::repeat(&Err(missing()))))
                {
                    if let Err(e) = result {
                        tracing::warn!(sequence_number = %chunk[i].record.sequence_number, error = %e, "event not delivered");
                        ok[i] = false;
                    }
                }
            }
            match ok.iter().position(|o| !o) {
                None => report.delivered += chunk.len(),
                Some(first) => {
                    report.delivered += first;
                    let rest = pending[c * MAX_BATCH + first..].iter();
                    report
                        .failed
                        .extend(rest.map(|r| r.record.sequence_number.clone()));
                    return false;
                }
            }
        }
        true
    }
}

fn missing() -> crate::publish::PublishError {
    crate::publish::PublishError {
        queue: "?".into(),
        reason: "no result for this message".into(),
    }
}
