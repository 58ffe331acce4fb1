//! DynamoDB adapter: `PutItem` with `attribute_not_exists(pk)` and
//! `ReturnValuesOnConditionCheckFailure=ALL_OLD`, so a duplicate costs the same single call.

use super::{attr, IdempotencyStore, NewRecord, PutOutcome, StoreError, StoredRecord};
use async_trait::async_trait;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
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
    async fn put_if_absent(&self, r: &NewRecord) -> Result<PutOutcome, StoreError> {
        let item = HashMap::from([
            (attr::KEY.to_string(), s(&r.key)),
            (attr::CALLBACK_TYPE.to_string(), s(&r.callback_type)),
            (attr::REQUEST_ID.to_string(), s(&r.request_id)),
            (attr::ORG_ID.to_string(), s(&r.org_id)),
            (attr::PAYLOAD_HASH.to_string(), s(&r.payload_hash)),
            (attr::EVENT.to_string(), s(&r.event)),
            (attr::ACK.to_string(), s(&r.ack)),
            (attr::RECEIVED_AT.to_string(), s(&r.received_at)),
            (
                attr::EXPIRES_AT.to_string(),
                AttributeValue::N(r.expires_at.to_string()),
            ),
        ]);
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
            Ok(_) => Ok(PutOutcome::Inserted),
            Err(err) => match err.into_service_error() {
                PutItemError::ConditionalCheckFailedException(e) => {
                    let item = e.item.ok_or_else(|| {
                        StoreError::Corrupt("condition failed without the old item".into())
                    })?;
                    stored_record(&item).map(PutOutcome::AlreadyExists)
                }
                other => Err(StoreError::Unavailable(
                    DisplayErrorContext(&other).to_string(),
                )),
            },
        }
    }
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
    Ok(StoredRecord {
        org_id: get(attr::ORG_ID)?,
        payload_hash: get(attr::PAYLOAD_HASH)?,
        ack: get(attr::ACK)?,
    })
}
