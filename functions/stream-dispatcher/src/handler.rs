//! Translation for this function: the DynamoDB Streams Lambda event in, a partial batch
//! response (`ReportBatchItemFailures`) out.

use lambda_runtime::Error;
use ocen_shared::dispatch::{Dispatcher, StreamRecord};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The parts of a DynamoDB stream event the dispatcher reads.
#[derive(Debug, Deserialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<EventRecord>,
}

#[derive(Debug, Deserialize)]
pub struct EventRecord {
    #[serde(rename = "eventName")]
    pub event_name: String,
    pub dynamodb: StreamData,
}

#[derive(Debug, Deserialize)]
pub struct StreamData {
    #[serde(rename = "SequenceNumber")]
    pub sequence_number: String,
    #[serde(rename = "NewImage", default)]
    pub new_image: HashMap<String, serde_json::Value>,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

impl From<EventRecord> for StreamRecord {
    /// The new image's `S` and `N` attributes as strings; nothing else is read.
    fn from(r: EventRecord) -> StreamRecord {
        let image = r
            .dynamodb
            .new_image
            .into_iter()
            .filter_map(|(name, value)| {
                let s = value.get("S").or_else(|| value.get("N"))?.as_str()?;
                Some((name, s.to_string()))
            })
            .collect();
        StreamRecord {
            sequence_number: r.dynamodb.sequence_number,
            event_name: r.event_name,
            image,
        }
    }
}

pub async fn handle(dispatcher: &Dispatcher, event: StreamEvent) -> Result<BatchResponse, Error> {
    let records: Vec<StreamRecord> = event.records.into_iter().map(StreamRecord::from).collect();
    let report = dispatcher.dispatch(&records).await;
    tracing::info!(
        records = records.len(),
        delivered = report.delivered,
        parked = report.parked,
        skipped = report.skipped,
        failed = report.failed.len(),
        "stream batch dispatched"
    );
    Ok(BatchResponse {
        batch_item_failures: report
            .failed
            .into_iter()
            .map(|item_identifier| ItemFailure { item_identifier })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ocen_shared::config::DispatcherConfig;
    use ocen_shared::testing::{MemoryDeliveryLog, MemoryPublisher};
    use std::sync::Arc;

    fn dispatcher(publisher: Arc<MemoryPublisher>) -> Dispatcher {
        let config = DispatcherConfig::from_lookup(|k| {
            Some(format!("https://sqs.local/{}", k.to_lowercase()))
        })
        .unwrap();
        Dispatcher::new(publisher, Arc::new(MemoryDeliveryLog::new()), config)
    }

    fn event(envelope: &str) -> StreamEvent {
        let json = serde_json::json!({"Records": [
            {"eventID": "1", "eventName": "INSERT", "eventSource": "aws:dynamodb", "awsRegion": "ap-south-1",
             "dynamodb": {"ApproximateCreationDateTime": 1714538730, "Keys": {"pk": {"S": "k"}},
                          "NewImage": {"pk": {"S": "CONSENT_HANDLE_RESPONSE#r"}, "event": {"S": envelope}, "expiresAt": {"N": "1"},
                                       "callbackType": {"S": "CONSENT_HANDLE_RESPONSE"}, "orgId": {"S": "L"},
                                       "eventId": {"S": "0b6f2a6e-7a38-5c0f-9d5e-1f2e3d4c5b6a"}, "orderingKey": {"S": "request:r"}},
                          "SequenceNumber": "4421584500000000017450439091", "SizeBytes": 26, "StreamViewType": "NEW_IMAGE"},
             "eventSourceARN": "arn:aws:dynamodb:ap-south-1:123456789012:table/t/stream/2024-05-01T00:00:00.000"}
        ]});
        serde_json::from_value(json).unwrap()
    }

    fn envelope() -> String {
        serde_json::json!({
            "envelopeVersion": "1", "eventId": "0b6f2a6e-7a38-5c0f-9d5e-1f2e3d4c5b6a", "type": "CONSENT_HANDLE_RESPONSE",
            "requestId": "r", "traceId": "t", "orgId": "L", "receivedAt": "2024-05-01T10:00:00.000+05:30",
            "orderingKey": "request:r", "payload": {}
        })
        .to_string()
    }

    #[tokio::test]
    async fn an_insert_is_sent_and_nothing_is_reported_failed() {
        let publisher = Arc::new(MemoryPublisher::new());
        let resp = handle(&dispatcher(publisher.clone()), event(&envelope()))
            .await
            .unwrap();
        assert_eq!(resp, BatchResponse::default());
        assert_eq!(publisher.sent().len(), 1);
        assert_eq!(
            publisher.sent()[0].0,
            "https://sqs.local/queues_consent_handle_response"
        );
    }

    #[tokio::test]
    async fn a_failed_send_is_reported_by_sequence_number() {
        let publisher = Arc::new(MemoryPublisher::new());
        publisher.fail_queue("https://sqs.local/queues_consent_handle_response", true);
        let resp = handle(&dispatcher(publisher), event(&envelope()))
            .await
            .unwrap();
        assert_eq!(
            resp.batch_item_failures,
            vec![ItemFailure {
                item_identifier: "4421584500000000017450439091".into()
            }]
        );
        let json = serde_json::to_value(&resp).unwrap();
        assert_eq!(
            json["batchItemFailures"][0]["itemIdentifier"],
            "4421584500000000017450439091"
        );
    }

    #[tokio::test]
    async fn the_stored_envelope_is_sent_as_it_is_with_the_routing_of_the_attributes() {
        let publisher = Arc::new(MemoryPublisher::new());
        handle(&dispatcher(publisher.clone()), event(&envelope()))
            .await
            .unwrap();
        let (_, m) = &publisher.sent()[0];
        assert_eq!(m.body, envelope());
        assert_eq!(m.attribute("type"), Some("CONSENT_HANDLE_RESPONSE"));
        assert_eq!(m.event_id, "0b6f2a6e-7a38-5c0f-9d5e-1f2e3d4c5b6a");
    }

    #[tokio::test]
    async fn a_record_without_a_key_is_parked_not_dropped_and_not_retried() {
        let publisher = Arc::new(MemoryPublisher::new());
        let mut ev = event(&envelope());
        ev.records[0].dynamodb.new_image.remove("pk");
        let resp = handle(&dispatcher(publisher.clone()), ev).await.unwrap();
        assert!(resp.batch_item_failures.is_empty());
        let (queue, m) = &publisher.sent()[0];
        assert_eq!(queue, "https://sqs.local/parked_queue_url");
        assert!(m.body.contains("no key attribute"), "{}", m.body);
    }

    #[tokio::test]
    async fn a_request_record_not_yet_answered_is_passed_over() {
        let publisher = Arc::new(MemoryPublisher::new());
        let mut ev = event(&envelope());
        ev.records[0].dynamodb.new_image.remove("event");
        let resp = handle(&dispatcher(publisher.clone()), ev).await.unwrap();
        assert!(resp.batch_item_failures.is_empty());
        assert!(publisher.sent().is_empty());
    }
}
