//! DynamoDB adapter: one `UpdateItem` per callback, onto its request's item, under one
//! condition (no callback recorded there; in mode `require` also a recorded, unexpired
//! request), with `ReturnValuesOnConditionCheckFailure=ALL_OLD`: a duplicate, an
//! unsolicited or an expired callback costs the same single call, and says which it is.

use super::{
    attr, Answering, Delivery, DeliveryLog, IdempotencyStore, Mark, NewRecord, RecordOutcome,
    ReviseOutcome, StoreError, StoredRecord,
};
use crate::request::{RequestRecord, SentRequest};
use async_trait::async_trait;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, PutRequest, ReturnValuesOnConditionCheckFailure,
    WriteRequest,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

#[async_trait]
impl IdempotencyStore for DynamoStore {
    async fn get_record(&self, key: &str) -> Result<Option<StoredRecord>, StoreError> {
        get_stored(self, key).await
    }

    async fn revise(
        &self,
        r: &NewRecord,
        current: &StoredRecord,
    ) -> Result<ReviseOutcome, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(attr::KEY, s(&r.key))
            .update_expression(format!("{}, #rev = :rev, #was = :wasack", &*SET_RECORD))
            .condition_expression("#h = :was AND #o = :org")
            .expression_attribute_names("#h", attr::PAYLOAD_HASH)
            .expression_attribute_names("#o", attr::ORG_ID)
            .expression_attribute_names("#rev", attr::REVISION)
            .expression_attribute_names(
                "#was",
                format!("{}{}", attr::EARLIER_ACK_PREFIX, current.payload_hash),
            )
            .expression_attribute_values(":was", s(&current.payload_hash))
            .expression_attribute_values(":org", s(&current.org_id))
            .expression_attribute_values(":rev", AttributeValue::N(r.revision.to_string()))
            .expression_attribute_values(":wasack", s(&current.ack))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (i, (name, value)) in record_values(r).into_iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), value);
        }
        match update.send().await {
            Ok(_) => Ok(ReviseOutcome::Revised),
            Err(err) if err.as_service_error().is_none() => Err(StoreError::Unavailable(
                DisplayErrorContext(&err).to_string(),
            )),
            Err(err) => match err.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(e) => {
                    let old = e.item.unwrap_or_default();
                    stored_record(&old).map(ReviseOutcome::Changed)
                }
                other => Err(classify(&other)),
            },
        }
    }

    async fn record(
        &self,
        r: &NewRecord,
        answering: Answering,
    ) -> Result<RecordOutcome, StoreError> {
        let values = record_values(r);
        // `SET #a0 = :a0, #a1 = :a1, ...`: the record's attributes, onto the request's.
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(attr::KEY, s(&r.key))
            .update_expression(&*SET_RECORD)
            .expression_attribute_names("#ev", attr::EVENT)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (i, (name, value)) in values.into_iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), value);
        }
        let now = match answering {
            Answering::Anything => {
                update = update.condition_expression("attribute_not_exists(#ev)");
                None
            }
            Answering::Request { now } => {
                update = update
                    .condition_expression(
                        "attribute_exists(#sent) AND attribute_not_exists(#ev) AND #by > :now",
                    )
                    .expression_attribute_names("#sent", attr::SENT_AT)
                    .expression_attribute_names("#by", attr::ANSWER_BY)
                    .expression_attribute_values(":now", AttributeValue::N(now.to_string()));
                Some(now)
            }
        };
        match update.send().await {
            Ok(_) => Ok(RecordOutcome::Recorded),
            Err(err) if err.as_service_error().is_none() => {
                // Timeouts, connection failures, unreadable responses: transient.
                Err(StoreError::Unavailable(
                    DisplayErrorContext(&err).to_string(),
                ))
            }
            Err(err) => match err.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(e) => {
                    let old = e.item.unwrap_or_default();
                    if old.contains_key(attr::EVENT) {
                        return stored_record(&old).map(RecordOutcome::AlreadyExists);
                    }
                    let now = now.ok_or_else(|| {
                        StoreError::Corrupt("condition failed without a recorded callback".into())
                    })?;
                    Ok(RecordOutcome::Unanswered(RequestRecord::unanswered(
                        &string_attributes(&old),
                        now,
                    )))
                }
                other => Err(classify(&other)),
            },
        }
    }
}

/// A record's attributes as an update sets them (`#a<i>` = `:a<i>`, in this order).
fn record_values(r: &NewRecord) -> [(&'static str, AttributeValue); 10] {
    [
        (attr::CALLBACK_TYPE, s(&r.callback_type)),
        (attr::REQUEST_ID, s(&r.request_id)),
        (attr::ORG_ID, s(&r.org_id)),
        (attr::PAYLOAD_HASH, s(&r.payload_hash)),
        (attr::EVENT, s(&r.event)),
        (attr::ACK, s(&r.ack)),
        (attr::RECEIVED_AT, s(&r.received_at)),
        (
            attr::EXPIRES_AT,
            AttributeValue::N(r.expires_at.to_string()),
        ),
        (attr::EVENT_ID, s(&r.event_id)),
        (attr::ORDERING_KEY, s(&r.ordering_key)),
    ]
}

/// The update expression of a record: its ten attributes (`#a<i>` = `:a<i>`).
static SET_RECORD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let sets: Vec<String> = (0..10).map(|i| format!("#a{i} = :a{i}")).collect();
    format!("SET {}", sets.join(", "))
});

/// A service error of `UpdateItem` by what the lender should do: throttling and
/// server-side trouble are transient (503, retry); an item over the size limit is the
/// lender's (413); anything else DynamoDB refuses (validation, a missing table,
/// permissions) is permanent.
fn classify(e: &UpdateItemError) -> StoreError {
    use aws_sdk_dynamodb::error::ProvideErrorMetadata;
    let text = DisplayErrorContext(e).to_string();
    match e {
        UpdateItemError::ProvisionedThroughputExceededException(_)
        | UpdateItemError::RequestLimitExceeded(_)
        | UpdateItemError::InternalServerError(_)
        | UpdateItemError::TransactionConflictException(_)
        | UpdateItemError::ReplicatedWriteConflictException(_) => StoreError::Unavailable(text),
        UpdateItemError::ResourceNotFoundException(_)
        | UpdateItemError::ItemCollectionSizeLimitExceededException(_) => {
            StoreError::Rejected(text)
        }
        _ => match e.code() {
            Some("ValidationException") if text.contains("Item size") => StoreError::TooLarge(text),
            Some(
                "ThrottlingException"
                | "ServiceUnavailable"
                | "ServiceUnavailableException"
                | "InternalFailure"
                | "LimitExceededException",
            ) => StoreError::Unavailable(text),
            Some(
                "ValidationException"
                | "AccessDeniedException"
                | "UnrecognizedClientException"
                | "MissingAuthenticationTokenException"
                | "InvalidSignatureException",
            ) => StoreError::Rejected(text),
            // Unknown: err on the side of a retry.
            _ => StoreError::Unavailable(text),
        },
    }
}

/// `get_record` of the adapter: one strongly consistent `GetItem` of the record (what a
/// duplicate is compared with: its lender, hashes and acks, of every revision).
async fn get_stored(store: &DynamoStore, key: &str) -> Result<Option<StoredRecord>, StoreError> {
    let out = store
        .client
        .get_item()
        .table_name(&store.table)
        .key(attr::KEY, s(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| StoreError::Unavailable(DisplayErrorContext(&e).to_string()))?;
    // An item without a payload hash or an ack is a request not yet answered.
    out.item()
        .filter(|item| item.contains_key(attr::PAYLOAD_HASH) || item.contains_key(attr::ACK))
        .map(stored_record)
        .transpose()
}

fn stored_record(item: &HashMap<String, AttributeValue>) -> Result<StoredRecord, StoreError> {
    let get = |name: &str| -> Result<String, StoreError> {
        match item.get(name) {
            Some(AttributeValue::S(v)) => Ok(v.clone()),
            _ => Err(StoreError::Corrupt(format!(
                "attribute {name} is missing or not a string"
            ))),
        }
    };
    let revision = match item.get(attr::REVISION) {
        None => 1,
        Some(AttributeValue::N(n)) => n
            .parse()
            .map_err(|_| StoreError::Corrupt("attribute revision is not a count".into()))?,
        Some(_) => {
            return Err(StoreError::Corrupt(
                "attribute revision is not a number".into(),
            ))
        }
    };
    let earlier_acks = item
        .iter()
        .filter_map(|(name, value)| match value {
            AttributeValue::S(ack) => name
                .strip_prefix(attr::EARLIER_ACK_PREFIX)
                .map(|hash| (hash.to_string(), ack.clone())),
            _ => None,
        })
        .collect();
    Ok(StoredRecord {
        org_id: get(attr::ORG_ID)?,
        payload_hash: get(attr::PAYLOAD_HASH)?,
        ack: get(attr::ACK)?,
        revision,
        earlier_acks,
    })
}

/// Attempts for the unprocessed part of a batch read or write before giving up (the
/// dispatcher then retries the stream batch).
const BATCH_ATTEMPTS: usize = 5;

fn unavailable(e: impl std::error::Error) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(e).to_string())
}

#[async_trait]
impl DeliveryLog for DynamoStore {
    async fn marked(
        &self,
        deliveries: &[Delivery],
    ) -> Result<HashMap<Delivery, String>, StoreError> {
        let by_key: HashMap<String, &Delivery> =
            deliveries.iter().map(|d| (d.marker_key(), d)).collect();
        let keys: Vec<&String> = by_key.keys().collect();
        let mut found = HashMap::new();
        for chunk in keys.chunks(100) {
            let mut request = KeysAndAttributes::builder()
                .consistent_read(true)
                .projection_expression("#pk, #o")
                .expression_attribute_names("#pk", attr::KEY)
                .expression_attribute_names("#o", attr::MARKER_OUTCOME);
            for k in chunk {
                request = request.keys(HashMap::from([(attr::KEY.to_string(), s(k))]));
            }
            let mut pending = Some(request.build().map_err(unavailable)?);
            for attempt in 0.. {
                let Some(req) = pending.take() else { break };
                if attempt == BATCH_ATTEMPTS {
                    return Err(StoreError::Unavailable(
                        "BatchGetItem left keys unprocessed".into(),
                    ));
                }
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, req)
                    .send()
                    .await
                    .map_err(unavailable)?;
                for item in out
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    if let (Some(AttributeValue::S(k)), outcome) =
                        (item.get(attr::KEY), item.get(attr::MARKER_OUTCOME))
                    {
                        if let Some(d) = by_key.get(k) {
                            let outcome = match outcome {
                                Some(AttributeValue::S(o)) => o.clone(),
                                _ => "sent".to_string(),
                            };
                            found.insert((*d).clone(), outcome);
                        }
                    }
                }
                pending = out
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .filter(|k| !k.keys().is_empty())
                    .cloned();
                if pending.is_some() {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                }
            }
        }
        Ok(found)
    }

    async fn mark(&self, marks: &[Mark]) -> Result<(), StoreError> {
        for chunk in marks.chunks(25) {
            let mut requests = Vec::with_capacity(chunk.len());
            for m in chunk {
                let mut item = HashMap::from([
                    (attr::KEY.to_string(), s(&m.delivery.marker_key())),
                    (attr::MARKER_RECORD.to_string(), s(&m.delivery.record_key)),
                    (attr::MARKER_QUEUE.to_string(), s(&m.delivery.queue)),
                    (attr::MARKER_OUTCOME.to_string(), s(m.outcome.as_str())),
                    (attr::MARKER_AT.to_string(), s(&m.at)),
                ]);
                if let Some(t) = m.expires_at {
                    item.insert(
                        attr::EXPIRES_AT.to_string(),
                        AttributeValue::N(t.to_string()),
                    );
                }
                let put = PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map_err(unavailable)?;
                requests.push(WriteRequest::builder().put_request(put).build());
            }
            let mut pending = Some(requests);
            for attempt in 0.. {
                let Some(req) = pending.take() else { break };
                if attempt == BATCH_ATTEMPTS {
                    return Err(StoreError::Unavailable(
                        "BatchWriteItem left items unprocessed".into(),
                    ));
                }
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, req)
                    .send()
                    .await
                    .map_err(unavailable)?;
                pending = out
                    .unprocessed_items()
                    .and_then(|u| u.get(&self.table))
                    .filter(|r| !r.is_empty())
                    .cloned();
                if pending.is_some() {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                }
            }
        }
        Ok(())
    }
}

/// What recording a request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestRecorded {
    /// Recorded: send the request now.
    Recorded,
    /// This request was recorded already (a retry of the sender): send it (again).
    AlreadyRecorded,
    /// A callback is already recorded at its key (this requestId was answered, or in
    /// mode `flag` arrived first): do not reuse the requestId.
    AlreadyAnswered,
}

impl DynamoStore {
    /// Record a request the LSP is about to send (docs/idempotency.md "Correlation"): one conditional
    /// `PutItem` that never overwrites an item. Record first, then send: a lender that
    /// answers fast must find the record.
    pub async fn record_request(
        &self,
        request: &SentRequest,
    ) -> Result<RequestRecorded, StoreError> {
        let item: HashMap<String, AttributeValue> = request
            .attributes()
            .into_iter()
            .map(|(name, value, number)| {
                let value = if number {
                    AttributeValue::N(value)
                } else {
                    AttributeValue::S(value)
                };
                (name.to_string(), value)
            })
            .collect();
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", attr::KEY)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(RequestRecorded::Recorded),
            Err(err) => match err.into_service_error() {
                PutItemError::ConditionalCheckFailedException(e) => {
                    let old = e.item.unwrap_or_default();
                    Ok(if old.contains_key(attr::EVENT) {
                        RequestRecorded::AlreadyAnswered
                    } else {
                        RequestRecorded::AlreadyRecorded
                    })
                }
                other => Err(unavailable(other)),
            },
        }
    }

    /// The stored item of a callback record (or a marker) by key: every string and number
    /// attribute, as strings. `None` when there is no such item.
    pub async fn get(&self, key: &str) -> Result<Option<HashMap<String, String>>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(attr::KEY, s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out.item().map(string_attributes))
    }

    /// The envelope of a callback as consumers receive it (with the LSP's request it
    /// answers: [`crate::event::deliverable`]), e.g. for a message that travelled by
    /// reference (`payloadRef`). `None` when no callback is recorded at `key`.
    pub async fn fetch_event(&self, key: &str) -> Result<Option<String>, StoreError> {
        let Some(item) = self.get(key).await? else {
            return Ok(None);
        };
        let Some(event) = item.get(attr::EVENT) else {
            return Ok(None);
        };
        let ordering_key = item.get(attr::ORDERING_KEY).cloned().unwrap_or_default();
        crate::event::deliverable(event, &ordering_key, &item)
            .map(|d| Some(d.event))
            .map_err(StoreError::Corrupt)
    }

    /// What a consumer does with a message body: the envelope itself, or, for a message
    /// that travelled by reference (`payloadRef`, attribute `payload=reference`), the
    /// envelope fetched from the table. An error when the record is gone (expired).
    pub async fn resolve(&self, body: &str) -> Result<String, StoreError> {
        #[derive(serde::Deserialize)]
        struct Ref {
            #[serde(rename = "payloadRef")]
            payload_ref: Option<PayloadRef>,
        }
        #[derive(serde::Deserialize)]
        struct PayloadRef {
            key: String,
        }
        let key = match serde_json::from_str::<Ref>(body) {
            Ok(Ref {
                payload_ref: Some(r),
            }) => r.key,
            _ => return Ok(body.to_string()),
        };
        self.fetch_event(&key)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("no record {key} (expired?)")))
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// The string (`S`) and number (`N`) attributes of an item, as strings.
pub fn string_attributes(item: &HashMap<String, AttributeValue>) -> HashMap<String, String> {
    item.iter()
        .filter_map(|(k, v)| match v {
            AttributeValue::S(s) | AttributeValue::N(s) => Some((k.clone(), s.clone())),
            _ => None,
        })
        .collect()
}
