//! The idempotency store: one conditional write per callback. The port is a small,
//! object-safe trait; `ocen_shared::store::dynamodb::DynamoStore` is the adapter.

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
    /// Routing, written beside the envelope so the dispatcher never parses the envelope.
    pub const EVENT_ID: &str = "eventId";
    pub const ORDERING_KEY: &str = "orderingKey";
    /// Delivery markers (see [`super::DeliveryLog`]).
    pub const MARKER_QUEUE: &str = "queue";
    pub const MARKER_RECORD: &str = "recordKey";
    pub const MARKER_OUTCOME: &str = "outcome";
    pub const MARKER_AT: &str = "at";
    /// A request the LSP sent (see [`crate::request`]): when, until when an answer is
    /// expected (epoch seconds), and the LSP's ids it concerns (a JSON object).
    pub const SENT_AT: &str = "sentAt";
    pub const ANSWER_BY: &str = "answerBy";
    pub const LSP_IDS: &str = "lspIds";
    /// A revised record's revision (2, 3, ...; absent: the first). See [`super::StoredRecord`].
    pub const REVISION: &str = "revision";
    /// Prefix of a superseded revision's ack: `ack#<its payload hash>`.
    pub const EARLIER_ACK_PREFIX: &str = "ack#";
}

/// Key prefix of delivery markers: `sent#<queue name>#<record key>`. Callback keys start
/// with their (upper-case) type, so the two never meet.
pub const MARKER_PREFIX: &str = "sent#";

/// A callback to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// `<TYPE>#<orgId>#<requestId>` ([`crate::event::idempotency_key`]).
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
    /// The envelope's eventId and ordering key, as their own attributes for the dispatcher.
    pub event_id: String,
    pub ordering_key: String,
    /// 1 for a first record; 2, 3, ... for the revisions of a revisable callback.
    pub revision: u32,
}

impl NewRecord {
    /// This record as revision `revision` (≥ 2) of a revisable callback: its own event id
    /// and an envelope that says which revision it is.
    pub fn revised(&self, kind: crate::CallbackType, revision: u32) -> NewRecord {
        let event_id =
            crate::event::revision_event_id(kind, &self.org_id, &self.request_id, revision);
        NewRecord {
            event: crate::event::revised(&self.event, revision, event_id)
                .expect("this service's own envelope reads back"),
            event_id: event_id.hyphenated().to_string(),
            revision,
            ..self.clone()
        }
    }

    /// The item's size as DynamoDB counts it (names and values; numbers at most their
    /// digits), to compare with [`MAX_ITEM_BYTES`] before the write.
    pub fn item_size(&self) -> usize {
        [
            (attr::KEY, self.key.len()),
            (attr::CALLBACK_TYPE, self.callback_type.len()),
            (attr::REQUEST_ID, self.request_id.len()),
            (attr::ORG_ID, self.org_id.len()),
            (attr::PAYLOAD_HASH, self.payload_hash.len()),
            (attr::EVENT, self.event.len()),
            (attr::ACK, self.ack.len()),
            (attr::RECEIVED_AT, self.received_at.len()),
            (attr::EXPIRES_AT, self.expires_at.to_string().len()),
            (attr::EVENT_ID, self.event_id.len()),
            (attr::ORDERING_KEY, self.ordering_key.len()),
        ]
        .iter()
        .map(|(name, len)| name.len() + len)
        .sum()
    }

    /// The item as the table (and its stream's new image) holds it: attribute → value.
    pub fn image(&self) -> std::collections::HashMap<String, String> {
        [
            (attr::KEY, self.key.clone()),
            (attr::CALLBACK_TYPE, self.callback_type.clone()),
            (attr::REQUEST_ID, self.request_id.clone()),
            (attr::ORG_ID, self.org_id.clone()),
            (attr::PAYLOAD_HASH, self.payload_hash.clone()),
            (attr::EVENT, self.event.clone()),
            (attr::ACK, self.ack.clone()),
            (attr::RECEIVED_AT, self.received_at.clone()),
            (attr::EXPIRES_AT, self.expires_at.to_string()),
            (attr::EVENT_ID, self.event_id.clone()),
            (attr::ORDERING_KEY, self.ordering_key.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .chain((self.revision > 1).then(|| (attr::REVISION.to_string(), self.revision.to_string())))
        .collect()
    }
}

/// What a duplicate is compared with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredRecord {
    pub org_id: String,
    /// The latest revision's payload hash and ack.
    pub payload_hash: String,
    pub ack: String,
    /// 1, or the latest revision of a revised record.
    pub revision: u32,
    /// Superseded revisions' acks by their payload hash (`ack#<hash>` attributes).
    pub earlier_acks: std::collections::HashMap<String, String>,
}

impl StoredRecord {
    /// The first ack of `record`'s body when this lender's very callback is stored (a
    /// retry, whatever its traceId and timestamp), in its latest or an earlier revision.
    pub fn ack_for(&self, record: &NewRecord) -> Option<&str> {
        if self.org_id != record.org_id {
            return None;
        }
        if self.payload_hash == record.payload_hash {
            return Some(&self.ack);
        }
        self.earlier_acks
            .get(&record.payload_hash)
            .map(String::as_str)
    }

    /// The same lender's same callback.
    pub fn is_same_callback(&self, record: &NewRecord) -> bool {
        self.ack_for(record).is_some()
    }
}

/// What revising a record did ([`IdempotencyStore::revise`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviseOutcome {
    /// The record now holds the new revision (the superseded one's ack kept).
    Revised,
    /// The record moved on since it was read (another revision landed): what it holds now.
    Changed(StoredRecord),
}

/// What a callback's write must find at its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answering {
    /// A recorded request (`sentAt`), unanswered, whose `answerBy` is after `now` (epoch
    /// seconds).
    Request { now: i64 },
    /// No recorded callback; a request there or none (its ids still travel with the event).
    Anything,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// First time: the record is stored (on its request's item, if there is one).
    Recorded,
    /// A callback was already recorded at the key; this is what it holds.
    AlreadyExists(StoredRecord),
    /// [`Answering::Request`] found no request it may answer: nothing was written.
    Unanswered(crate::request::Unanswered),
}

/// DynamoDB's largest item: 400 KB, counted as the UTF-8 bytes of every attribute name and
/// value (*Service, account, and table quotas in Amazon DynamoDB*, "Item size").
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Why a write did not happen, modelled by what the lender should do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// Throttled, timed out, unreachable or failing: nothing was stored; a retry can work.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The item is over DynamoDB's item size: it can never be stored.
    #[error("item too large: {0}")]
    TooLarge(String),
    /// Refused for a reason a retry does not fix (a missing table, permissions, a
    /// validation error): nothing was stored; an operator must act.
    #[error("store refused the write: {0}")]
    Rejected(String),
    /// The key exists but the stored item cannot be read back.
    #[error("stored record is unreadable: {0}")]
    Corrupt(String),
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Store `record` unless a callback is recorded at its key (then return what is
    /// stored) or, with [`Answering::Request`], unless no request it may answer is there.
    /// One call: the record is written onto its request's item, under one condition.
    async fn record(
        &self,
        record: &NewRecord,
        answering: Answering,
    ) -> Result<RecordOutcome, StoreError>;

    /// Write `record` (revision N + 1) over `current` (revision N, as read), keeping
    /// `current`'s ack for its retries; only if the item still holds `current`. One call.
    async fn revise(
        &self,
        record: &NewRecord,
        current: &StoredRecord,
    ) -> Result<ReviseOutcome, StoreError>;

    /// What is stored under `key`, if anything (strongly consistent). Only for a request
    /// outside the replay window: is it a retry of a recorded callback?
    async fn get_record(&self, key: &str) -> Result<Option<StoredRecord>, StoreError>;
}

/// One event on one queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Delivery {
    /// The callback record's key, with `#r<N>` for its revision N ≥ 2 ([`revision_key`]).
    pub record_key: String,
    /// The queue's name.
    pub queue: String,
}

/// What a record's deliveries are keyed by: its key, and for a revision N ≥ 2 `<key>#r<N>`
/// (each revision is its own event, each delivered once).
pub fn revision_key(key: &str, revision: u32) -> String {
    if revision > 1 {
        format!("{key}#r{revision}")
    } else {
        key.to_string()
    }
}

impl Delivery {
    /// The marker's key in the table.
    pub fn marker_key(&self) -> String {
        format!("{MARKER_PREFIX}{}#{}", self.queue, self.record_key)
    }
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The queue took the message.
    Sent,
    /// It cannot be delivered; it waits in the parked queue for an operator.
    Parked,
}

impl DeliveryOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Sent => "sent",
            DeliveryOutcome::Parked => "parked",
        }
    }
}

/// A marker to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub delivery: Delivery,
    pub outcome: DeliveryOutcome,
    /// RFC 3339 time of the delivery.
    pub at: String,
    /// The record's TTL, so markers expire with it.
    pub expires_at: Option<i64>,
}

/// The dispatcher's memory of what each queue already took: one small marker item per
/// record and queue, in the callbacks table, written off the ack path after the send. A
/// retried stream batch skips the queues that already have the event, and `ocen-ops audit`
/// reads the markers as evidence of dispatch.
#[async_trait]
pub trait DeliveryLog: Send + Sync {
    /// Which of `deliveries` are marked (strongly consistent).
    async fn marked(
        &self,
        deliveries: &[Delivery],
    ) -> Result<std::collections::HashMap<Delivery, String>, StoreError>;
    /// Write the markers.
    async fn mark(&self, marks: &[Mark]) -> Result<(), StoreError>;
}
