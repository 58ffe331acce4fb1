//! The idempotency store: one conditional write per callback. The port is a small,
//! object-safe trait; [`dynamodb::DynamoStore`] is the adapter.

pub mod dynamodb;

use async_trait::async_trait;

/// Attribute names of a record, shared by the store and the stream dispatcher.
pub mod attr {
    pub const KEY: &str = "pk";
    pub const CALLBACK_TYPE: &str = "callbackType";
    pub const REQUEST_ID: &str = "requestId";
    pub const ORG_ID: &str = "orgId";
    pub const PAYLOAD_HASH: &str = "payloadHash";
    pub const EVENT: &str = "event";
    pub const ACK: &str = "ack";
    pub const RECEIVED_AT: &str = "receivedAt";
    pub const EXPIRES_AT: &str = "expiresAt";
}

/// A callback to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// `<TYPE>#<requestId>`.
    pub key: String,
    pub callback_type: String,
    pub request_id: String,
    pub org_id: String,
    /// Hex SHA-256 of the canonical payload.
    pub payload_hash: String,
    /// The event envelope, as JSON.
    pub event: String,
    /// The ack body given to the lender, as JSON.
    pub ack: String,
    pub received_at: String,
    /// Epoch seconds after which the record may expire (DynamoDB TTL).
    pub expires_at: i64,
}

/// What a duplicate is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub org_id: String,
    pub payload_hash: String,
    pub ack: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// First time: the record is stored.
    Inserted,
    /// The key was already there; this is what it holds.
    AlreadyExists(StoredRecord),
}

/// Why a write did not happen. Either way the lender should retry later.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// Throttled, timed out, unreachable or failing: nothing was stored.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The key exists but the stored item cannot be read back.
    #[error("stored record is unreadable: {0}")]
    Corrupt(String),
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Store `record` unless its key exists; if it does, return what is stored. One call.
    async fn put_if_absent(&self, record: &NewRecord) -> Result<PutOutcome, StoreError>;
}
