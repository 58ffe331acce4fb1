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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Callback, ValidationPolicy};
    use crate::testing::{sample_body, MemoryPublisher};
    use crate::wire::CallbackBody;
    use crate::CallbackType;

    fn config() -> DispatcherConfig {
        DispatcherConfig::from_lookup(|k| match k {
            "QUEUES_LOAN_ACCEPTANCE_RESPONSE" => Some("q/loan".into()),
            "QUEUES_DISBURSEMENT_RESPONSE" => Some("q/ledger.fifo,q/notify".into()),
            "QUEUES_CONSENT_HANDLE_RESPONSE" => Some("q/consent".into()),
            _ => None,
        })
        .unwrap()
    }

    fn record(seq: u32, kind: CallbackType) -> StreamRecord {
        let body =
            CallbackBody::from_value(kind, sample_body(kind, &format!("req-{seq}"))).unwrap();
        let callback = Callback::parse(body, &ValidationPolicy::default()).unwrap();
        StreamRecord {
            sequence_number: format!("{seq:05}"),
            event_name: "INSERT".into(),
            event: Some(Envelope::new(&callback, "2024-05-01T10:00:00.000+05:30".into()).to_json()),
        }
    }

    #[tokio::test]
    async fn each_insert_goes_to_every_queue_of_its_type_with_attributes() {
        let publisher = Arc::new(MemoryPublisher::new());
        let d = Dispatcher::new(publisher.clone(), config());
        let report = d
            .dispatch(&[
                record(1, CallbackType::DisbursementResponse),
                record(2, CallbackType::ConsentHandleResponse),
            ])
            .await;
        assert_eq!(
            report,
            DispatchReport {
                delivered: 2,
                skipped: 0,
                failed: vec![]
            }
        );
        let sent = publisher.sent();
        let queues: Vec<&str> = sent.iter().map(|(q, _)| q.as_str()).collect();
        assert_eq!(sent.len(), 3);
        assert!(
            queues.contains(&"q/ledger.fifo")
                && queues.contains(&"q/notify")
                && queues.contains(&"q/consent")
        );
        let (_, m) = sent.iter().find(|(q, _)| q == "q/ledger.fifo").unwrap();
        assert_eq!(m.event_type, "DISBURSEMENT_RESPONSE");
        assert_eq!(m.org_id, "LENDER-ABC");
        assert_eq!(m.group_id, "loan:LOAN-2024-000123");
        assert_eq!(
            m.event_id,
            crate::event::event_id(CallbackType::DisbursementResponse, "req-1").to_string()
        );
    }

    #[tokio::test]
    async fn removals_and_modifications_are_skipped() {
        let publisher = Arc::new(MemoryPublisher::new());
        let mut r = record(1, CallbackType::LoanAcceptanceResponse);
        r.event_name = "REMOVE".into();
        let report = Dispatcher::new(publisher.clone(), config())
            .dispatch(&[r])
            .await;
        assert_eq!(
            (report.delivered, report.skipped, report.failed.len()),
            (0, 1, 0)
        );
        assert!(publisher.sent().is_empty());
    }

    #[tokio::test]
    async fn when_one_of_several_queues_fails_the_record_and_all_after_it_are_retried() {
        let publisher = Arc::new(MemoryPublisher::new());
        publisher.fail_queue("q/notify", true);
        let records: Vec<_> = (1..=3)
            .map(|i| {
                if i == 2 {
                    record(i, CallbackType::DisbursementResponse)
                } else {
                    record(i, CallbackType::LoanAcceptanceResponse)
                }
            })
            .collect();
        let report = Dispatcher::new(publisher, config())
            .dispatch(&records)
            .await;
        assert_eq!(report.delivered, 1);
        assert_eq!(
            report.failed,
            vec!["00002".to_string(), "00003".to_string()]
        );
    }

    #[tokio::test]
    async fn a_failure_in_a_later_chunk_keeps_earlier_chunks_delivered() {
        let publisher = Arc::new(MemoryPublisher::new());
        publisher.fail_position(Some(4));
        let records: Vec<_> = (1..=25)
            .map(|i| record(i, CallbackType::ConsentHandleResponse))
            .collect();
        let report = Dispatcher::new(publisher, config())
            .dispatch(&records)
            .await;
        assert_eq!(report.delivered, 4);
        assert_eq!(report.failed.first().map(String::as_str), Some("00005"));
        assert_eq!(report.failed.len(), 21);
    }

    #[tokio::test]
    async fn an_unreadable_record_is_never_skipped() {
        let publisher = Arc::new(MemoryPublisher::new());
        let mut bad = record(2, CallbackType::LoanAcceptanceResponse);
        bad.event = Some("{not an envelope".into());
        let records = vec![
            record(1, CallbackType::LoanAcceptanceResponse),
            bad,
            record(3, CallbackType::LoanAcceptanceResponse),
        ];
        let report = Dispatcher::new(publisher.clone(), config())
            .dispatch(&records)
            .await;
        assert_eq!(report.delivered, 1);
        assert_eq!(
            report.failed,
            vec!["00002".to_string(), "00003".to_string()]
        );
        assert_eq!(publisher.sent().len(), 1);
    }

    #[tokio::test]
    async fn an_unreachable_publisher_fails_the_whole_batch() {
        let publisher = Arc::new(MemoryPublisher::new());
        publisher.fail_queue("q/consent", true);
        let records: Vec<_> = (1..=3)
            .map(|i| record(i, CallbackType::ConsentHandleResponse))
            .collect();
        let report = Dispatcher::new(publisher, config())
            .dispatch(&records)
            .await;
        assert_eq!(report.delivered, 0);
        assert_eq!(report.failed.len(), 3);
    }
}
