//! Test support (feature `testing`): in-memory fakes of the store and publisher, and valid
//! sample bodies of each callback. Unit tests only; integration tests use the real adapters
//! against the local endpoint.

use crate::publish::{EventPublisher, OutboundMessage, PublishError, QueueTarget};
use crate::request::{RequestRecord, SentRequest};
use crate::store::{
    attr, Answering, Delivery, DeliveryLog, IdempotencyStore, Mark, NewRecord, RecordOutcome,
    ReviseOutcome, StoreError, StoredRecord,
};
use crate::CallbackType;
use async_trait::async_trait;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// A store in memory, with the same conditional-write semantics as the DynamoDB adapter:
/// callback records, and the LSP's request records they land on. [`MemoryStore::new`]
/// stands for an LSP that sent every request a callback names (tests of everything but
/// correlation); [`MemoryStore::strict`] knows only the requests recorded in it.
#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<String, NewRecord>>,
    /// Superseded revisions' acks by key and payload hash.
    earlier_acks: Mutex<HashMap<String, HashMap<String, String>>>,
    strict: bool,
    /// Request records by key: their attributes as strings (as a stream image has them).
    requests: Mutex<HashMap<String, HashMap<String, String>>>,
    unavailable: AtomicBool,
    calls: AtomicUsize,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that knows only the requests recorded in it ([`MemoryStore::record_request`]).
    pub fn strict() -> Self {
        MemoryStore {
            strict: true,
            ..Self::default()
        }
    }

    /// Make every call fail as if DynamoDB were down.
    pub fn set_unavailable(&self, down: bool) {
        self.unavailable.store(down, Ordering::SeqCst);
    }

    pub fn records(&self) -> Vec<NewRecord> {
        self.items.lock().unwrap().values().cloned().collect()
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Record a request the LSP sends (not counted as a call).
    pub fn record_request(&self, request: &SentRequest) {
        self.put_request_item(
            request
                .attributes()
                .into_iter()
                .map(|(k, v, _)| (k.to_string(), v))
                .collect(),
        );
    }

    /// Put a request item as given (a malformed one, for tests).
    pub fn put_request_item(&self, item: HashMap<String, String>) {
        let key = item[attr::KEY].clone();
        self.requests.lock().unwrap().insert(key, item);
    }

    /// The item at `key` as the table (and its stream's new image) holds it: the request's
    /// attributes under the callback's.
    pub fn image(&self, key: &str) -> Option<HashMap<String, String>> {
        let mut image = self.requests.lock().unwrap().get(key).cloned();
        if let Some(record) = self.items.lock().unwrap().get(key) {
            image
                .get_or_insert_with(HashMap::new)
                .extend(record.image());
        }
        image
    }

    fn call(&self) -> Result<(), StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable(
                "memory store set unavailable".into(),
            ));
        }
        Ok(())
    }
}

impl MemoryStore {
    fn stored(&self, record: &NewRecord) -> StoredRecord {
        StoredRecord {
            org_id: record.org_id.clone(),
            payload_hash: record.payload_hash.clone(),
            ack: record.ack.clone(),
            revision: record.revision,
            earlier_acks: self
                .earlier_acks
                .lock()
                .unwrap()
                .get(&record.key)
                .cloned()
                .unwrap_or_default(),
        }
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn get_record(&self, key: &str) -> Result<Option<StoredRecord>, StoreError> {
        self.call()?;
        let item = self.items.lock().unwrap().get(key).cloned();
        Ok(item.map(|r| self.stored(&r)))
    }

    async fn record(
        &self,
        record: &NewRecord,
        answering: Answering,
    ) -> Result<RecordOutcome, StoreError> {
        self.call()?;
        let mut items = self.items.lock().unwrap();
        if let Some(old) = items.get(&record.key) {
            return Ok(RecordOutcome::AlreadyExists(self.stored(old)));
        }
        if let Answering::Request { now } = answering {
            let requests = self.requests.lock().unwrap();
            let request = requests.get(&record.key);
            let answers = match request {
                None => !self.strict,
                // The adapter's condition: `attribute_exists(sentAt) AND answerBy > :now`.
                Some(item) => {
                    item.contains_key(attr::SENT_AT)
                        && item
                            .get(attr::ANSWER_BY)
                            .and_then(|t| t.parse::<i64>().ok())
                            .is_some_and(|by| by > now)
                }
            };
            if !answers {
                let empty = HashMap::new();
                return Ok(RecordOutcome::Unanswered(RequestRecord::unanswered(
                    request.unwrap_or(&empty),
                    now,
                )));
            }
        }
        items.insert(record.key.clone(), record.clone());
        Ok(RecordOutcome::Recorded)
    }

    async fn revise(
        &self,
        record: &NewRecord,
        current: &StoredRecord,
    ) -> Result<ReviseOutcome, StoreError> {
        self.call()?;
        let mut items = self.items.lock().unwrap();
        let Some(old) = items.get(&record.key).cloned() else {
            return Err(StoreError::Corrupt("no record to revise".into()));
        };
        if old.payload_hash != current.payload_hash || old.org_id != current.org_id {
            return Ok(ReviseOutcome::Changed(self.stored(&old)));
        }
        self.earlier_acks
            .lock()
            .unwrap()
            .entry(record.key.clone())
            .or_default()
            .insert(old.payload_hash.clone(), old.ack.clone());
        items.insert(record.key.clone(), record.clone());
        Ok(ReviseOutcome::Revised)
    }
}

/// A store that accepts every record without keeping it (benchmarks: they measure the
/// pipeline, not a map).
pub struct AcceptAll;

#[async_trait]
impl IdempotencyStore for AcceptAll {
    async fn get_record(&self, _: &str) -> Result<Option<StoredRecord>, StoreError> {
        Ok(None)
    }

    async fn record(&self, record: &NewRecord, _: Answering) -> Result<RecordOutcome, StoreError> {
        std::hint::black_box(record);
        Ok(RecordOutcome::Recorded)
    }

    async fn revise(
        &self,
        record: &NewRecord,
        _: &StoredRecord,
    ) -> Result<ReviseOutcome, StoreError> {
        std::hint::black_box(record);
        Ok(ReviseOutcome::Revised)
    }
}

/// A publisher in memory: records what was sent per queue; queues can be made to fail.
#[derive(Default)]
pub struct MemoryPublisher {
    sent: Mutex<Vec<(String, OutboundMessage)>>,
    failing: Mutex<Vec<String>>,
    /// Fail only the message at this position of every batch (partial failure).
    fail_position: Mutex<Option<usize>>,
    /// Refuse (permanently, as SQS does a malformed message) bodies containing this.
    refuse: Mutex<Option<String>>,
    /// Every batch sent: queue URL and its sizes.
    batches: Mutex<Vec<(String, Vec<usize>)>>,
}

impl MemoryPublisher {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail_queue(&self, url: &str, failing: bool) {
        let mut f = self.failing.lock().unwrap();
        f.retain(|u| u != url);
        if failing {
            f.push(url.to_string());
        }
    }

    pub fn fail_position(&self, position: Option<usize>) {
        *self.fail_position.lock().unwrap() = position;
    }

    pub fn refuse_bodies_containing(&self, needle: Option<&str>) {
        *self.refuse.lock().unwrap() = needle.map(str::to_string);
    }

    pub fn sent(&self) -> Vec<(String, OutboundMessage)> {
        self.sent.lock().unwrap().clone()
    }

    /// Messages sent to the queue with this URL.
    pub fn sent_to(&self, url: &str) -> Vec<OutboundMessage> {
        self.sent()
            .into_iter()
            .filter(|(q, _)| q == url)
            .map(|(_, m)| m)
            .collect()
    }

    /// Every batch sent: queue URL and the sizes of its messages.
    pub fn batches(&self) -> Vec<(String, Vec<usize>)> {
        self.batches.lock().unwrap().clone()
    }
}

#[async_trait]
impl EventPublisher for MemoryPublisher {
    async fn send_batch(
        &self,
        queue: &QueueTarget,
        messages: &[OutboundMessage],
    ) -> Vec<Result<(), PublishError>> {
        let down = self.failing.lock().unwrap().contains(&queue.url);
        let position = *self.fail_position.lock().unwrap();
        let refuse = self.refuse.lock().unwrap().clone();
        self.batches.lock().unwrap().push((
            queue.url.clone(),
            messages.iter().map(|m| m.size()).collect(),
        ));
        messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                if refuse.as_deref().is_some_and(|n| m.body.contains(n)) {
                    Err(PublishError {
                        queue: queue.name().to_string(),
                        reason: "memory queue refuses this body".into(),
                        permanent: true,
                    })
                } else if down || position == Some(i) {
                    Err(PublishError {
                        queue: queue.name().to_string(),
                        reason: "memory queue set failing".into(),
                        permanent: false,
                    })
                } else {
                    self.sent
                        .lock()
                        .unwrap()
                        .push((queue.url.clone(), m.clone()));
                    Ok(())
                }
            })
            .collect()
    }
}

/// The delivery log in memory.
#[derive(Default)]
pub struct MemoryDeliveryLog {
    marks: Mutex<HashMap<Delivery, String>>,
    unavailable: AtomicBool,
}

impl MemoryDeliveryLog {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set_unavailable(&self, down: bool) {
        self.unavailable.store(down, Ordering::SeqCst);
    }

    pub fn marks(&self) -> HashMap<Delivery, String> {
        self.marks.lock().unwrap().clone()
    }
}

#[async_trait]
impl DeliveryLog for MemoryDeliveryLog {
    async fn marked(
        &self,
        deliveries: &[Delivery],
    ) -> Result<HashMap<Delivery, String>, StoreError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("memory log set unavailable".into()));
        }
        let marks = self.marks.lock().unwrap();
        Ok(deliveries
            .iter()
            .filter_map(|d| marks.get(d).map(|o| (d.clone(), o.clone())))
            .collect())
    }

    async fn mark(&self, marks: &[Mark]) -> Result<(), StoreError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("memory log set unavailable".into()));
        }
        let mut all = self.marks.lock().unwrap();
        for m in marks {
            all.insert(m.delivery.clone(), m.outcome.as_str().to_string());
        }
        Ok(())
    }
}

/// Sensitive sample values used in the sample bodies, for tests that check logs.
pub use crate::callbacks::sample::{SAMPLE_APP_TOKEN, SAMPLE_OTP_SESSION_KEY, SAMPLE_TXN_REF};

/// A callback configuration for tests: `TABLE_NAME=t`, `AUTH_MODE=none`, plus `extra`.
pub fn config(extra: &[(&str, &str)]) -> crate::config::CallbackConfig {
    crate::config::CallbackConfig::from_lookup(|k| {
        extra
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
            .or_else(|| match k {
                "TABLE_NAME" => Some("t".to_string()),
                "AUTH_MODE" => Some("none".to_string()),
                _ => None,
            })
    })
    .expect("a valid test configuration")
}

/// A valid body of each callback, as a lender would send it now (`metadata.timestamp` is
/// the current time, so it passes the replay window): its module's documented sample.
/// Runs a future that never waits (the service with an in-memory store): polled in place,
/// without an async runtime, whose entry per call (about 0.4 µs of tokio's `block_on`)
/// the benchmarks would otherwise count as the callback's. Polls again if it ever did wait.
pub fn run_ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::hint::spin_loop();
    }
}

#[cfg(test)]
#[test]
fn a_ready_future_is_run_in_place() {
    assert_eq!(run_ready(async { 7 }), 7);
    let store = std::sync::Arc::new(MemoryStore::default());
    let body =
        serde_json::to_vec(&sample_body(crate::callbacks::consent_handle::TYPE, "rr-1")).unwrap();
    let reply = run_ready(unsigned_service(store).handle(
        crate::callbacks::consent_handle::TYPE,
        crate::Inbound::post(&body),
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
}

pub fn sample_body(kind: CallbackType, request_id: &str) -> Value {
    (kind.tools().sample)(&crate::callbacks::SampleIds::fixed(request_id))
}

/// The in-repo copy of the published OCEN spec files (`spec/` at the repository root; see
/// its README for sources and licences).
pub fn spec_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec")
}

/// A validator for an ack body: `ack.json` (the spec's schema, read from the spec folder)
/// wrapped in `{"ack": …}` as Juspay's pages show it.
pub fn ack_validator() -> jsonschema::Validator {
    let path = spec_dir().join("v3-schemas/ack.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut ack: Value = serde_json::from_str(&text).expect("ack.json is JSON");
    let obj = ack.as_object_mut().expect("ack.json is an object");
    obj.remove("$id");
    obj.remove("$schema");
    let wrapped = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": ["ack"],
        "properties": {"ack": ack}
    });
    jsonschema::validator_for(&wrapped).expect("the wrapped ack schema compiles")
}

/// The pipeline with signatures off and no replay window, over `store`: for the functions'
/// tests of the HTTP translation of the committed `events/` (signed requests have their own
/// tests).
pub fn unsigned_service(store: std::sync::Arc<MemoryStore>) -> crate::CallbackService {
    let config = config(&[("REPLAY_WINDOW_SECONDS", "0")]);
    crate::CallbackService::new(store, &config, crate::auth::AuthMode::Disabled)
}

/// Feed an API Gateway v2 event (the JSON of a file in `events/`) through a function's
/// `handle`; asserts the answer is JSON and a spec ack, and returns (status, ack).
pub async fn invoke_event<F, Fut>(handle: F, event: &str) -> (u16, Value)
where
    F: FnOnce(lambda_http::Request) -> Fut,
    Fut: std::future::Future<
        Output = Result<lambda_http::Response<lambda_http::Body>, lambda_http::Error>,
    >,
{
    let req = lambda_http::request::from_str(event).expect("the event is an API Gateway v2 event");
    let resp = handle(req).await.expect("the handler never fails");
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = match resp.body() {
        lambda_http::Body::Text(t) => serde_json::from_str(t).expect("the body is JSON"),
        other => panic!("unexpected body {other:?}"),
    };
    assert!(ack_validator().is_valid(&body), "not a spec ack: {body}");
    (resp.status().as_u16(), body)
}

/// The `ack.error` code of an ack body.
pub fn ack_code(ack: &Value) -> &str {
    ack["ack"]["error"].as_str().expect("an ack has ack.error")
}

/// For a dispatcher configuration in tests: `Some(<NAME>)` when `var` is `QUEUES_<NAME>` of
/// a registered callback.
pub fn registered_queue_var(var: &str) -> Option<&'static str> {
    let name = var.strip_prefix("QUEUES_")?;
    crate::callbacks::REGISTRY
        .iter()
        .map(|t| t.def().name)
        .find(|n| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ack_validator_refuses_an_ack_without_trace_id_or_wrapper() {
        let v = ack_validator();
        assert!(v.is_valid(&json!({"ack": {"error": "0", "traceId": "t", "timestamp": "x"}})));
        assert!(!v.is_valid(&json!({"ack": {"error": "0", "timestamp": "x"}})));
        assert!(!v.is_valid(&json!({"error": "0", "traceId": "t", "timestamp": "x"})));
        assert!(!v.is_valid(&json!({"ack": {"error": 0, "traceId": "t", "timestamp": "x"}})));
    }
}
