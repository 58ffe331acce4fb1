//! The outbox dispatcher: turns the table's stream inserts into messages on the consumer
//! queues configured for each callback type. docs/delivery.md is the contract.
//!
//! - **Nothing is re-parsed.** The record carries its routing (type, orgId, eventId,
//!   ordering key) as attributes; the stored envelope bytes travel as they are. So whatever
//!   the ack path recorded, the dispatcher can route.
//! - **Every message fits SQS by construction** ([`crate::publish::limits`]): the FIFO group
//!   is the ordering key or its hash, the dedup id the eventId; an envelope too big for a
//!   message (or holding characters SQS refuses) travels **by reference**: the message
//!   carries eventId, type, orgId, ordering key and `payloadRef` (table + key), and
//!   consumers fetch the envelope ([`crate::store::dynamodb::DynamoStore::fetch_event`]).
//!   Batches hold at most 10 messages and 256 KiB.
//! - **Per-queue progress.** Each queue gets its messages in stream order; a queue that
//!   fails stops taking messages for this batch (FIFO order per group holds) while the
//!   others go on. What a queue took is marked in the [`DeliveryLog`]; a retried batch sends
//!   each event only to the queues that have not taken it.
//! - **Poison isolation.** A record that can never be delivered (unreadable, no route, a
//!   message SQS refuses as malformed) is **parked**: a message with its key and the reason
//!   goes to the parked queue (alarmed), the record is marked parked, and dispatching goes
//!   on. Only transient failures (throttling, timeouts, an unreachable or missing queue or
//!   table) fail the batch, from the first record not yet fully delivered.

use crate::config::DispatcherConfig;
use crate::event::Envelope;
use crate::publish::limits;
use crate::publish::{batches, EventPublisher, OutboundMessage, PublishError, QueueTarget};
use crate::store::{attr, Delivery, DeliveryLog, DeliveryOutcome, Mark, MARKER_PREFIX};
use crate::CallbackType;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One stream record, transport-free: the new image's string and number attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamRecord {
    /// The stream sequence number (the batch item identifier for partial failures).
    pub sequence_number: String,
    /// `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    /// Attribute name → value (`S` and `N` attributes of the new image).
    pub image: HashMap<String, String>,
}

impl StreamRecord {
    pub fn insert(sequence_number: impl Into<String>, image: HashMap<String, String>) -> Self {
        StreamRecord {
            sequence_number: sequence_number.into(),
            event_name: "INSERT".into(),
            image,
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.image
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A delivery marker, not a callback record.
    pub fn is_marker(&self) -> bool {
        self.get(attr::KEY)
            .is_some_and(|k| k.starts_with(MARKER_PREFIX))
    }

    /// A callback recorded: an insert, or the modification of the LSP's request record
    /// the callback was written onto, whose new image holds the event. (A request record
    /// not yet answered, a marker, a TTL removal is none.)
    pub fn is_recorded_callback(&self) -> bool {
        matches!(self.event_name.as_str(), "INSERT" | "MODIFY")
            && !self.is_marker()
            && self.get(attr::EVENT).is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Records whose events reached all their queues (now or on an earlier attempt).
    pub delivered: usize,
    /// Records parked (for at least one queue) in this call.
    pub parked: usize,
    /// Records that are not recorded callbacks (TTL removals, markers, request records),
    /// passed over.
    pub skipped: usize,
    /// Sequence numbers to retry, in order: the first record not fully delivered and
    /// everything after it.
    pub failed: Vec<String>,
}

/// A record's routing, read from its attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    pub key: String,
    pub kind: CallbackType,
    pub org_id: String,
    pub event_id: String,
    pub ordering_key: String,
    /// The stored envelope, as stored.
    pub event: String,
    pub expires_at: Option<i64>,
    /// 1, or a revisable callback's later revision (each its own event).
    pub revision: u32,
}

impl Routed {
    /// Routing from the record's own attributes; for a record written before they existed,
    /// from its envelope.
    pub fn from_record(r: &StreamRecord) -> Result<Routed, String> {
        let key = r
            .get(attr::KEY)
            .ok_or("the record has no key attribute")?
            .to_string();
        let event = r
            .get(attr::EVENT)
            .ok_or("the record has no event attribute")?
            .to_string();
        let expires_at = r.get(attr::EXPIRES_AT).and_then(|t| t.parse().ok());
        let revision = r
            .get(attr::REVISION)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let routing = (
            r.get(attr::CALLBACK_TYPE),
            r.get(attr::ORG_ID),
            r.get(attr::EVENT_ID),
            r.get(attr::ORDERING_KEY),
        );
        if let (Some(kind), Some(org), Some(id), Some(ordering)) = routing {
            let kind = CallbackType::parse(kind)
                .ok_or_else(|| format!("unknown callback type {kind:?}"))?;
            // With the LSP's request it answers, when one was recorded at its key.
            let delivered = crate::event::deliverable(&event, ordering, &r.image)?;
            if let Some(reason) = &delivered.unreadable_request {
                tracing::warn!(
                    key,
                    reason,
                    "the LSP's request record is unreadable; the event carries a warning instead"
                );
            }
            return Ok(Routed {
                key,
                kind,
                org_id: org.to_string(),
                event_id: id.to_string(),
                ordering_key: delivered.ordering_key,
                event: delivered.event,
                expires_at,
                revision,
            });
        }
        let envelope: Envelope = serde_json::from_str(&event).map_err(|e| {
            format!("the record has no routing attributes and its event is not an envelope: {e}")
        })?;
        Ok(Routed {
            key,
            kind: envelope.event_type,
            org_id: envelope.org_id,
            event_id: envelope.event_id.to_string(),
            ordering_key: envelope.ordering_key,
            event,
            expires_at,
            revision,
        })
    }

    /// What its deliveries are marked by: its key, and `#r<N>` for a revision N ≥ 2.
    pub fn delivery_key(&self) -> String {
        crate::store::revision_key(&self.key, self.revision)
    }

    /// The message for this record: the envelope inline when it fits SQS, else a reference.
    pub fn message(&self, table: &str) -> OutboundMessage {
        let attributes = vec![
            ("type", self.kind.as_str().to_string()),
            ("orgId", sqs_safe(&self.org_id)),
        ];
        let mut message = OutboundMessage {
            body: sqs_safe(&self.event),
            event_id: self.event_id.clone(),
            group_id: limits::group_id(&self.ordering_key),
            attributes,
        };
        if message.size() + limits::INLINE_MARGIN_BYTES > limits::MAX_MESSAGE_BYTES {
            message.body = self.reference(table);
            message.attributes.push(("payload", "reference".into()));
        }
        message
    }

    /// The by-reference body: what a consumer needs to route and deduplicate, and where the
    /// envelope is.
    pub fn reference(&self, table: &str) -> String {
        let body = serde_json::json!({
            "envelopeVersion": crate::event::ENVELOPE_VERSION,
            "eventId": self.event_id,
            "type": self.kind.as_str(),
            "orgId": self.org_id,
            "orderingKey": self.ordering_key,
            "payloadRef": {"table": table, "key": self.key},
        });
        sqs_safe(&body.to_string())
    }
}

/// `text` with every character SQS refuses in a body written as a JSON `\uXXXX` escape.
/// serde_json already escapes control characters, so in a JSON document this only meets
/// U+FFFE and U+FFFF inside strings, and the escaped document means the same.
pub fn sqs_safe(text: &str) -> String {
    if text.chars().all(limits::body_char_allowed) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if limits::body_char_allowed(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{:04X}", c as u32));
        }
    }
    out
}

/// What an operator finds in the parked queue: one message per record and queue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parked {
    /// The record's key, when it has one.
    pub key: Option<String>,
    /// The queue (name) it was meant for; `None` when it could not be routed at all.
    pub queue: Option<String>,
    pub sequence_number: String,
    pub reason: String,
    pub parked_at: String,
}

/// How the operator's tools dispatch (the stream dispatches with the defaults).
#[derive(Debug, Clone, Copy, Default)]
pub struct DispatchOptions<'a> {
    /// Only to this queue (name).
    pub only_queue: Option<&'a str>,
    /// Send again to queues that already took the event (replay).
    pub force: bool,
    /// Try again what was parked (redrive), still skipping what queues already took.
    pub retry_parked: bool,
}

pub struct Dispatcher {
    publisher: Arc<dyn EventPublisher>,
    log: Arc<dyn DeliveryLog>,
    config: DispatcherConfig,
    now: fn() -> String,
}

/// A record on its way: routing, targets, and per queue where it stands.
struct Item<'a> {
    record: &'a StreamRecord,
    routed: Result<Routed, String>,
    targets: Vec<&'a QueueTarget>,
    /// Queue name → state, for this record.
    state: BTreeMap<String, State>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// To send.
    Pending,
    /// Taken by the queue in this call (to mark).
    Sent,
    /// Marked on an earlier attempt.
    Done,
    /// Can never be delivered: park it.
    Poison(String),
    /// Parked in this call (to mark).
    Parked,
    /// Not delivered this time; the batch retries it.
    Retry,
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Dispatcher {
    pub fn new(
        publisher: Arc<dyn EventPublisher>,
        log: Arc<dyn DeliveryLog>,
        config: DispatcherConfig,
    ) -> Self {
        Dispatcher {
            publisher,
            log,
            config,
            now: now_rfc3339,
        }
    }

    pub fn config(&self) -> &DispatcherConfig {
        &self.config
    }

    /// Dispatch a stream batch (in stream order).
    pub async fn dispatch(&self, records: &[StreamRecord]) -> DispatchReport {
        self.dispatch_with(records, &DispatchOptions::default())
            .await
    }

    /// Dispatch `records` as the operator's tools need it (see [`DispatchOptions`]).
    pub async fn dispatch_with(
        &self,
        records: &[StreamRecord],
        options: &DispatchOptions<'_>,
    ) -> DispatchReport {
        let (only, force) = (options.only_queue, options.force);
        let mut report = DispatchReport::default();
        let mut items: Vec<Item<'_>> = Vec::new();
        for record in records {
            if !record.is_recorded_callback() {
                report.skipped += 1;
                continue;
            }
            let routed = Routed::from_record(record);
            let targets: Vec<&QueueTarget> = match &routed {
                Ok(r) => self
                    .config
                    .routes
                    .get(&r.kind)
                    .map(|t| {
                        t.iter()
                            .filter(|q| only.is_none_or(|o| q.name() == o))
                            .collect()
                    })
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            let mut state = BTreeMap::new();
            match &routed {
                Err(reason) => {
                    state.insert(String::new(), State::Poison(reason.clone()));
                }
                Ok(r) if targets.is_empty() && only.is_none() => {
                    state.insert(
                        String::new(),
                        State::Poison(format!("no queue is configured for {}", r.kind)),
                    );
                }
                Ok(_) => {
                    for t in &targets {
                        state.insert(t.name().to_string(), State::Pending);
                    }
                }
            }
            items.push(Item {
                record,
                routed,
                targets,
                state,
            });
        }

        // What earlier attempts delivered.
        if !force {
            let deliveries: Vec<Delivery> = items.iter().flat_map(deliveries_of).collect();
            if !deliveries.is_empty() {
                match self.log.marked(&deliveries).await {
                    Ok(marked) => {
                        for item in &mut items {
                            for d in deliveries_of(item) {
                                let done = match marked.get(&d).map(String::as_str) {
                                    None => false,
                                    Some("parked") => !options.retry_parked,
                                    Some(_) => true,
                                };
                                if done {
                                    item.state.insert(d.queue, State::Done);
                                }
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "delivery log unreadable; the batch is retried");
                        return self.finish(items, report, true);
                    }
                }
            }
        }

        // Each queue: its messages in stream order, in batches SQS accepts. A message that
        // does not fit cannot happen by construction; should one, it is poison.
        let table = &self.config.table_name;
        let mut per_queue: BTreeMap<&QueueTarget, Vec<(usize, OutboundMessage)>> = BTreeMap::new();
        for (i, item) in items.iter_mut().enumerate() {
            let Ok(routed) = &item.routed else { continue };
            let message = routed.message(table);
            for t in item.targets.clone() {
                if item.state.get(t.name()) != Some(&State::Pending) {
                    continue;
                }
                match message.problem(t) {
                    None => per_queue.entry(t).or_default().push((i, message.clone())),
                    Some(p) => {
                        item.state.insert(t.name().to_string(), State::Poison(p));
                    }
                }
            }
        }
        let sends = per_queue
            .iter()
            .map(|(queue, messages)| self.send_queue(queue, messages));
        for (queue, outcomes) in futures::future::join_all(sends).await {
            for (i, outcome) in outcomes {
                items[i].state.insert(queue.name().to_string(), outcome);
            }
        }

        // Park what can never be delivered.
        self.park(&mut items).await;

        // Remember what was delivered or parked.
        let marks: Vec<Mark> = items
            .iter()
            .flat_map(|item| {
                let expires_at = item.routed.as_ref().ok().and_then(|r| r.expires_at);
                let key = item.routed.as_ref().ok().map(Routed::delivery_key);
                let now = (self.now)();
                item.state.iter().filter_map(move |(queue, s)| {
                    let outcome = match s {
                        State::Sent => DeliveryOutcome::Sent,
                        State::Parked if !queue.is_empty() => DeliveryOutcome::Parked,
                        _ => return None,
                    };
                    Some(Mark {
                        delivery: Delivery {
                            record_key: key.clone()?,
                            queue: queue.clone(),
                        },
                        outcome,
                        at: now.clone(),
                        expires_at,
                    })
                })
            })
            .collect();
        let mut marks_lost = false;
        if !marks.is_empty() {
            if let Err(e) = self.log.mark(&marks).await {
                tracing::warn!(error = %e, "delivery markers not written; the batch is retried");
                marks_lost = true;
            }
        }
        self.finish(items, report, marks_lost)
    }

    /// Send one queue's messages in order; stop at the first transient failure.
    async fn send_queue<'q>(
        &self,
        queue: &'q QueueTarget,
        messages: &[(usize, OutboundMessage)],
    ) -> (&'q QueueTarget, Vec<(usize, State)>) {
        let mut outcomes = Vec::with_capacity(messages.len());
        let sizes: Vec<usize> = messages.iter().map(|(_, m)| m.size()).collect();
        let mut stopped = false;
        for range in batches(&sizes) {
            let chunk = &messages[range];
            if stopped {
                outcomes.extend(chunk.iter().map(|(i, _)| (*i, State::Retry)));
                continue;
            }
            let batch: Vec<OutboundMessage> = chunk.iter().map(|(_, m)| m.clone()).collect();
            let mut results = self.publisher.send_batch(queue, &batch).await;
            results.resize_with(chunk.len(), || Err(missing(queue)));
            // A batch refused as a whole (malformed): find the bad message one by one.
            if chunk.len() > 1 && results.iter().all(|r| matches!(r, Err(e) if e.permanent)) {
                results.clear();
                for m in &batch {
                    let r = self
                        .publisher
                        .send_batch(queue, std::slice::from_ref(m))
                        .await;
                    results.push(r.into_iter().next().unwrap_or_else(|| Err(missing(queue))));
                }
            }
            for ((i, _), result) in chunk.iter().zip(results) {
                let state = match result {
                    _ if stopped => State::Retry,
                    Ok(()) => State::Sent,
                    Err(e) if e.permanent => {
                        tracing::error!(queue = queue.name(), error = %e.reason, "SQS refused an event; it is parked");
                        State::Poison(e.reason)
                    }
                    Err(e) => {
                        tracing::warn!(queue = queue.name(), error = %e.reason, "event not delivered; retried with the batch");
                        stopped = true;
                        State::Retry
                    }
                };
                outcomes.push((*i, state));
            }
        }
        (queue, outcomes)
    }

    /// Send a [`Parked`] message for every poisoned record and queue.
    async fn park(&self, items: &mut [Item<'_>]) {
        let mut to_park: Vec<(usize, String, OutboundMessage)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            for (queue, state) in &item.state {
                if let State::Poison(reason) = state {
                    let parked = Parked {
                        key: item.record.get(attr::KEY).map(str::to_string),
                        queue: (!queue.is_empty()).then(|| queue.clone()),
                        sequence_number: item.record.sequence_number.clone(),
                        reason: reason.chars().take(2000).collect(),
                        parked_at: (self.now)(),
                    };
                    tracing::error!(
                        sequence_number = %parked.sequence_number,
                        key = parked.key.as_deref().unwrap_or(""),
                        queue = queue.as_str(),
                        reason = %parked.reason,
                        "event cannot be delivered: parked"
                    );
                    let body = sqs_safe(&serde_json::to_string(&parked).unwrap_or_default());
                    to_park.push((
                        i,
                        queue.clone(),
                        OutboundMessage {
                            body,
                            event_id: String::new(),
                            group_id: String::new(),
                            attributes: vec![("reason", "undeliverable".into())],
                        },
                    ));
                }
            }
        }
        if to_park.is_empty() {
            return;
        }
        crate::telemetry::count_dispatch("Parked", to_park.len());
        let Some(parked_queue) = &self.config.parked_queue else {
            tracing::error!("no parked queue is configured; poisoned records are retried");
            for (i, queue, _) in to_park {
                items[i].state.insert(queue, State::Retry);
            }
            return;
        };
        let sizes: Vec<usize> = to_park.iter().map(|(_, _, m)| m.size()).collect();
        for range in batches(&sizes) {
            let chunk = &to_park[range];
            let batch: Vec<OutboundMessage> = chunk.iter().map(|(_, _, m)| m.clone()).collect();
            let results = self.publisher.send_batch(parked_queue, &batch).await;
            for (k, (i, queue, _)) in chunk.iter().enumerate() {
                let ok = matches!(results.get(k), Some(Ok(())));
                items[*i]
                    .state
                    .insert(queue.clone(), if ok { State::Parked } else { State::Retry });
            }
        }
    }

    /// The report: everything from the first record not fully handled is retried.
    fn finish(
        &self,
        items: Vec<Item<'_>>,
        mut report: DispatchReport,
        all_failed: bool,
    ) -> DispatchReport {
        let first_open = if all_failed {
            items
                .iter()
                .position(|item| item.state.values().any(|s| *s != State::Done))
        } else {
            items.iter().position(|item| {
                item.state
                    .values()
                    .any(|s| matches!(s, State::Retry | State::Pending | State::Poison(_)))
            })
        };
        let done = first_open.unwrap_or(items.len());
        report.parked = items
            .iter()
            .filter(|item| item.state.values().any(|s| *s == State::Parked))
            .count();
        report.delivered = items[..done]
            .iter()
            .filter(|item| {
                item.state
                    .values()
                    .all(|s| matches!(s, State::Sent | State::Done))
            })
            .count();
        report.failed = items[done..]
            .iter()
            .map(|item| item.record.sequence_number.clone())
            .collect();
        report
    }
}

fn deliveries_of(item: &Item<'_>) -> Vec<Delivery> {
    match &item.routed {
        Ok(r) => item
            .targets
            .iter()
            .map(|t| Delivery {
                record_key: r.delivery_key(),
                queue: t.name().to_string(),
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn missing(queue: &QueueTarget) -> PublishError {
    PublishError {
        queue: queue.name().to_string(),
        reason: "no result for this message".into(),
        permanent: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::limits::{MAX_BATCH_BYTES, MAX_BATCH_ENTRIES};
    use crate::request::{IdValue, LspIds, SentRequest};
    use crate::service::Inbound;
    use crate::store::NewRecord;
    use crate::testing::{
        sample_body, unsigned_service, MemoryDeliveryLog, MemoryPublisher, MemoryStore,
    };
    use serde_json::{json, Value};

    const LEDGER: &str = "q/ledger.fifo";
    const NOTIFY: &str = "q/notify";
    const CONSENT: &str = "q/consent";
    const LOAN: &str = "q/loan";
    const PARKED: &str = "q/parked";

    fn config() -> DispatcherConfig {
        DispatcherConfig::from_lookup(|k| match k {
            "QUEUES_LOAN_ACCEPTANCE_RESPONSE" => Some(LOAN.into()),
            "QUEUES_DISBURSEMENT_RESPONSE" => Some(format!("{LEDGER},{NOTIFY}")),
            "QUEUES_CONSENT_HANDLE_RESPONSE" => Some(CONSENT.into()),
            "TABLE_NAME" => Some("callbacks".into()),
            "PARKED_QUEUE_URL" => Some(PARKED.into()),
            // The other registered callbacks: a queue of their own.
            k => crate::testing::registered_queue_var(k).map(|name| format!("q/{name}")),
        })
        .unwrap()
    }

    struct Fixture {
        publisher: Arc<MemoryPublisher>,
        log: Arc<MemoryDeliveryLog>,
        dispatcher: Dispatcher,
    }

    fn fixture() -> Fixture {
        let publisher = Arc::new(MemoryPublisher::new());
        let log = Arc::new(MemoryDeliveryLog::new());
        let dispatcher = Dispatcher::new(publisher.clone(), log.clone(), config());
        Fixture {
            publisher,
            log,
            dispatcher,
        }
    }

    /// What the ack path records for `body` (through the real pipeline, in memory).
    fn recorded(kind: CallbackType, body: &Value) -> NewRecord {
        let store = Arc::new(MemoryStore::new());
        let service = unsigned_service(store.clone());
        let bytes = serde_json::to_vec(body).unwrap();
        let reply = futures::executor::block_on(service.handle(kind, Inbound::post(&bytes)));
        assert_eq!(reply.status, 200, "{}", reply.body);
        store.records().pop().expect("one record")
    }

    fn record(seq: u32, kind: CallbackType) -> StreamRecord {
        StreamRecord::insert(
            format!("{seq:05}"),
            recorded(kind, &sample_body(kind, &format!("req-{seq}"))).image(),
        )
    }

    fn of(seq: u32, kind: CallbackType, body: Value) -> StreamRecord {
        StreamRecord::insert(format!("{seq:05}"), recorded(kind, &body).image())
    }

    fn request_ids(messages: &[OutboundMessage]) -> Vec<String> {
        messages
            .iter()
            .map(|m| {
                let v: Value = serde_json::from_str(&m.body).unwrap();
                v["requestId"].as_str().unwrap_or("").to_string()
            })
            .collect()
    }

    #[tokio::test]
    async fn each_insert_goes_to_every_queue_of_its_type_with_attributes_and_fifo_ids() {
        let f = fixture();
        let report = f
            .dispatcher
            .dispatch(&[
                record(1, crate::callbacks::disbursement::TYPE),
                record(2, crate::callbacks::consent_handle::TYPE),
            ])
            .await;
        assert_eq!(
            (report.delivered, report.parked, report.failed.len()),
            (2, 0, 0)
        );
        assert_eq!(f.publisher.sent().len(), 3);
        let m = &f.publisher.sent_to(LEDGER)[0];
        assert_eq!(m.attribute("type"), Some("DISBURSEMENT_RESPONSE"));
        assert_eq!(m.attribute("orgId"), Some("LENDER-ABC"));
        assert_eq!(m.attribute("payload"), None);
        assert_eq!(m.group_id, "loan:LOAN-2024-000123");
        assert_eq!(
            m.event_id,
            crate::event::event_id(crate::callbacks::disbursement::TYPE, "LENDER-ABC", "req-1")
                .to_string()
        );
        assert_eq!(f.publisher.sent_to(NOTIFY).len(), 1);
        assert_eq!(f.publisher.sent_to(CONSENT).len(), 1);
        assert_eq!(f.log.marks().len(), 3, "one marker per record and queue");
    }

    #[tokio::test]
    async fn the_stored_envelope_travels_byte_for_byte() {
        let f = fixture();
        let r = record(1, crate::callbacks::consent_handle::TYPE);
        f.dispatcher.dispatch(std::slice::from_ref(&r)).await;
        assert_eq!(f.publisher.sent_to(CONSENT)[0].body, r.image[attr::EVENT]);
    }

    /// The stream record of `body`'s callback written onto the request the LSP recorded
    /// with `ids` (a MODIFY of the request's item), through the real pipeline in mode
    /// `require`; `lsp_ids` replaces the request's `lspIds` attribute as stored, if given.
    fn answering(
        seq: u32,
        kind: CallbackType,
        body: &Value,
        ids: LspIds,
        lsp_ids: Option<&str>,
    ) -> StreamRecord {
        let store = Arc::new(MemoryStore::strict());
        let now = time::OffsetDateTime::now_utc();
        let request = SentRequest::new(
            kind,
            body["metadata"]["orgId"].as_str().unwrap(),
            body["requestId"].as_str().unwrap(),
            ids,
            now,
            std::time::Duration::from_secs(3600),
        )
        .unwrap();
        let mut item: HashMap<String, String> = request
            .attributes()
            .into_iter()
            .map(|(k, v, _)| (k.to_string(), v))
            .collect();
        if let Some(json) = lsp_ids {
            item.insert(attr::LSP_IDS.into(), json.into());
        }
        store.put_request_item(item);
        let bytes = serde_json::to_vec(body).unwrap();
        let reply = futures::executor::block_on(
            unsigned_service(store.clone()).handle(kind, Inbound::post(&bytes)),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        StreamRecord {
            sequence_number: format!("{seq:05}"),
            event_name: "MODIFY".into(),
            image: store.image(&request.key()).unwrap(),
        }
    }

    #[tokio::test]
    async fn a_callback_written_onto_its_request_goes_out_with_the_lsps_ids_ordered_by_its_loan() {
        let f = fixture();
        let kind = crate::callbacks::disbursement::TYPE;
        // A body without loanId: its own ordering key would be its request's.
        let body = sample_body(kind, "req-1");
        let mut body = body;
        body.as_object_mut().unwrap().remove("loanId");
        let ids = LspIds::new()
            .with("loanId", IdValue::One("LSP-LOAN-7".into()))
            .unwrap()
            .with("loanApplicationIds", IdValue::Many(vec!["APP-1".into()]))
            .unwrap();
        let r = answering(1, kind, &body, ids, None);
        let report = f.dispatcher.dispatch(&[r]).await;
        assert_eq!((report.delivered, report.skipped), (1, 0));
        let m = &f.publisher.sent_to(LEDGER)[0];
        assert_eq!(m.group_id, "loan:LSP-LOAN-7");
        let event: crate::event::Envelope = serde_json::from_str(&m.body).unwrap();
        assert_eq!(event.ordering_key, "loan:LSP-LOAN-7");
        let request = event.request.expect("the event carries the request");
        assert_eq!(request["loanId"], "LSP-LOAN-7");
        assert_eq!(request["loanApplicationIds"], serde_json::json!(["APP-1"]));
        assert!(request["sentAt"].is_string());
        assert!(event.warnings.is_empty(), "{:?}", event.warnings);
    }

    #[tokio::test]
    async fn the_bodys_own_loan_orders_it_whatever_the_request_says() {
        let f = fixture();
        let kind = crate::callbacks::disbursement::TYPE;
        let ids = LspIds::new()
            .with("loanId", IdValue::One("LSP-LOAN-7".into()))
            .unwrap();
        let r = answering(1, kind, &sample_body(kind, "req-1"), ids, None);
        f.dispatcher.dispatch(&[r]).await;
        assert_eq!(
            f.publisher.sent_to(LEDGER)[0].group_id,
            "loan:LOAN-2024-000123"
        );
    }

    #[tokio::test]
    async fn an_unreadable_request_record_delivers_the_event_with_a_warning_instead_of_its_ids() {
        let f = fixture();
        let kind = crate::callbacks::consent_handle::TYPE;
        let r = answering(
            1,
            kind,
            &sample_body(kind, "req-1"),
            LspIds::new(),
            Some("{\"loanId\": 7}"),
        );
        let report = f.dispatcher.dispatch(&[r]).await;
        assert_eq!((report.delivered, report.parked), (1, 0));
        let event: crate::event::Envelope =
            serde_json::from_str(&f.publisher.sent_to(CONSENT)[0].body).unwrap();
        assert_eq!(event.request, None);
        assert!(
            event
                .warnings
                .iter()
                .any(|w| w.contains("request record is unreadable")),
            "{:?}",
            event.warnings
        );
    }

    #[tokio::test]
    async fn a_request_record_not_yet_answered_is_skipped() {
        let f = fixture();
        let kind = crate::callbacks::consent_handle::TYPE;
        let request = SentRequest::new(
            kind,
            "LENDER-ABC",
            "req-9",
            LspIds::new(),
            time::OffsetDateTime::now_utc(),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
        let image = request
            .attributes()
            .into_iter()
            .map(|(k, v, _)| (k.to_string(), v))
            .collect();
        let report = f
            .dispatcher
            .dispatch(&[StreamRecord::insert("00001", image)])
            .await;
        assert_eq!((report.delivered, report.skipped, report.parked), (0, 1, 0));
        assert!(f.publisher.sent().is_empty());
    }

    #[tokio::test]
    async fn a_records_next_revision_is_delivered_though_its_first_was_marked_and_a_retry_is_not() {
        let f = fixture();
        let first = record(1, crate::callbacks::consent_handle::TYPE);
        f.dispatcher.dispatch(std::slice::from_ref(&first)).await;
        let mut second = first.clone();
        second.sequence_number = "00002".into();
        second.event_name = "MODIFY".into();
        second.image.insert(attr::REVISION.into(), "2".into());
        second
            .image
            .insert(attr::EVENT_ID.into(), "second-event".into());
        let report = f.dispatcher.dispatch(&[first, second.clone()]).await;
        assert_eq!((report.delivered, report.failed.len()), (2, 0));
        let sent = f.publisher.sent_to(CONSENT);
        assert_eq!(sent.len(), 2, "the first once, the revision once");
        assert_eq!(sent[1].event_id, "second-event");
        f.dispatcher.dispatch(&[second]).await;
        assert_eq!(
            f.publisher.sent_to(CONSENT).len(),
            2,
            "a retried revision is not sent twice"
        );
    }

    #[tokio::test]
    async fn removals_modifications_and_delivery_markers_are_skipped() {
        let f = fixture();
        let mut removal = record(1, crate::callbacks::loan_acceptance::TYPE);
        removal.event_name = "REMOVE".into();
        let marker = StreamRecord::insert(
            "00002",
            HashMap::from([(attr::KEY.to_string(), format!("{MARKER_PREFIX}q#K"))]),
        );
        let report = f.dispatcher.dispatch(&[removal, marker]).await;
        assert_eq!(
            (report.delivered, report.skipped, report.failed.len()),
            (0, 2, 0)
        );
        assert!(f.publisher.sent().is_empty());
    }

    #[tokio::test]
    async fn when_one_queue_fails_the_others_take_everything_and_the_retry_sends_only_to_it() {
        let f = fixture();
        f.publisher.fail_queue(NOTIFY, true);
        let records = vec![
            record(1, crate::callbacks::loan_acceptance::TYPE),
            record(2, crate::callbacks::disbursement::TYPE),
            record(3, crate::callbacks::loan_acceptance::TYPE),
            record(4, crate::callbacks::disbursement::TYPE),
        ];
        let report = f.dispatcher.dispatch(&records).await;
        assert_eq!(report.delivered, 1);
        assert_eq!(report.failed, vec!["00002", "00003", "00004"]);
        assert_eq!(
            request_ids(&f.publisher.sent_to(LOAN)),
            vec!["req-1", "req-3"]
        );
        assert_eq!(
            request_ids(&f.publisher.sent_to(LEDGER)),
            vec!["req-2", "req-4"]
        );
        assert!(f.publisher.sent_to(NOTIFY).is_empty());

        // The stream retries from record 2; the notify queue is back.
        f.publisher.fail_queue(NOTIFY, false);
        let report = f.dispatcher.dispatch(&records[1..]).await;
        assert_eq!((report.delivered, report.failed.len()), (3, 0));
        assert_eq!(
            request_ids(&f.publisher.sent_to(LOAN)),
            vec!["req-1", "req-3"],
            "no copy"
        );
        assert_eq!(
            request_ids(&f.publisher.sent_to(LEDGER)),
            vec!["req-2", "req-4"],
            "no copy"
        );
        assert_eq!(
            request_ids(&f.publisher.sent_to(NOTIFY)),
            vec!["req-2", "req-4"]
        );
    }

    #[tokio::test]
    async fn after_a_queue_fails_later_events_are_held_back_from_it_to_keep_their_order() {
        let f = fixture();
        f.publisher.fail_position(Some(1));
        let records: Vec<_> = (1..=4)
            .map(|i| record(i, crate::callbacks::consent_handle::TYPE))
            .collect();
        let report = f.dispatcher.dispatch(&records).await;
        assert_eq!(report.delivered, 1);
        assert_eq!(report.failed, vec!["00002", "00003", "00004"]);
        // In the failed batch, those after the failure were taken but are retried; the
        // consumer deduplicates on eventId. Nothing is sent after the failed batch.
        f.publisher.fail_position(None);
        f.dispatcher.dispatch(&records[1..]).await;
        let ids = request_ids(&f.publisher.sent_to(CONSENT));
        assert_eq!(ids.iter().filter(|i| *i == "req-2").count(), 1);
        let last: Vec<_> = ids.iter().rev().take(1).collect();
        assert_eq!(last, vec!["req-4"]);
    }

    #[tokio::test]
    async fn a_poison_record_between_two_good_ones_is_parked_and_both_good_ones_are_delivered() {
        let f = fixture();
        let mut bad = record(2, crate::callbacks::loan_acceptance::TYPE);
        bad.image.remove(attr::EVENT_ID);
        bad.image
            .insert(attr::EVENT.into(), "{not an envelope".into());
        let records = vec![
            record(1, crate::callbacks::loan_acceptance::TYPE),
            bad,
            record(3, crate::callbacks::loan_acceptance::TYPE),
        ];
        let report = f.dispatcher.dispatch(&records).await;
        assert_eq!(
            (report.delivered, report.parked, report.failed.len()),
            (2, 1, 0)
        );
        assert_eq!(
            request_ids(&f.publisher.sent_to(LOAN)),
            vec!["req-1", "req-3"]
        );
        let parked = f.publisher.sent_to(PARKED);
        assert_eq!(parked.len(), 1);
        let p: Parked = serde_json::from_str(&parked[0].body).unwrap();
        assert_eq!(
            p.key.as_deref(),
            Some("LOAN_ACCEPTANCE_RESPONSE#LENDER-ABC#req-2")
        );
        assert_eq!(p.sequence_number, "00002");
        assert!(p.reason.contains("not an envelope"), "{}", p.reason);
    }

    #[tokio::test]
    async fn a_message_sqs_refuses_is_parked_for_that_queue_only() {
        let f = fixture();
        f.publisher.refuse_bodies_containing(Some("refuse-me"));
        let kind = crate::callbacks::disbursement::TYPE;
        let mut poison = sample_body(kind, "req-2");
        poison["extensibleData"] = json!({"note": "refuse-me"});
        let records = vec![record(1, kind), of(2, kind, poison), record(3, kind)];
        let report = f.dispatcher.dispatch(&records).await;
        assert_eq!(
            (report.delivered, report.parked, report.failed.len()),
            (2, 1, 0)
        );
        let parked: Vec<Parked> = f
            .publisher
            .sent_to(PARKED)
            .iter()
            .map(|m| serde_json::from_str(&m.body).unwrap())
            .collect();
        let queues: Vec<_> = parked.iter().map(|p| p.queue.clone().unwrap()).collect();
        assert_eq!(queues, vec!["ledger.fifo", "notify"]);
        // A retry of the batch does not park it again.
        f.dispatcher.dispatch(&records).await;
        assert_eq!(f.publisher.sent_to(PARKED).len(), 2);
    }

    #[tokio::test]
    async fn a_record_of_no_configured_type_or_without_a_key_is_parked_not_retried() {
        let f = fixture();
        let mut unknown = record(1, crate::callbacks::loan_acceptance::TYPE);
        unknown
            .image
            .insert(attr::CALLBACK_TYPE.into(), "NOT_A_TYPE".into());
        let mut keyless = record(2, crate::callbacks::loan_acceptance::TYPE);
        keyless.image.remove(attr::KEY);
        let report = f.dispatcher.dispatch(&[unknown, keyless]).await;
        assert_eq!((report.parked, report.failed.len()), (2, 0));
    }

    #[tokio::test]
    async fn when_the_parked_queue_is_down_the_poison_is_retried_not_dropped() {
        let f = fixture();
        f.publisher.fail_queue(PARKED, true);
        let mut bad = record(1, crate::callbacks::loan_acceptance::TYPE);
        bad.image.remove(attr::KEY);
        let report = f.dispatcher.dispatch(&[bad]).await;
        assert_eq!(report.failed, vec!["00001"]);
    }

    #[tokio::test]
    async fn an_unreadable_delivery_log_retries_the_batch_and_sends_nothing() {
        let f = fixture();
        f.log.set_unavailable(true);
        let records: Vec<_> = (1..=3)
            .map(|i| record(i, crate::callbacks::consent_handle::TYPE))
            .collect();
        let report = f.dispatcher.dispatch(&records).await;
        assert_eq!(report.failed.len(), 3);
        assert!(f.publisher.sent().is_empty());
    }

    #[tokio::test]
    async fn a_record_written_before_routing_attributes_is_routed_from_its_envelope() {
        let f = fixture();
        let mut old = record(1, crate::callbacks::disbursement::TYPE);
        old.image.remove(attr::EVENT_ID);
        old.image.remove(attr::ORDERING_KEY);
        let report = f.dispatcher.dispatch(&[old]).await;
        assert_eq!(report.delivered, 1);
        assert_eq!(
            f.publisher.sent_to(LEDGER)[0].group_id,
            "loan:LOAN-2024-000123"
        );
    }

    #[tokio::test]
    async fn twelve_consents_of_110_kb_go_out_in_batches_within_the_byte_limit() {
        let f = fixture();
        let records: Vec<_> = (1..=12)
            .map(|i| {
                let mut body =
                    sample_body(crate::callbacks::consent_handle::TYPE, &format!("big-{i}"));
                body["consent"]["extensibleData"] = json!({"pad": "x".repeat(110_000)});
                of(i, crate::callbacks::consent_handle::TYPE, body)
            })
            .collect();
        let report = f.dispatcher.dispatch(&records).await;
        assert_eq!((report.delivered, report.failed.len()), (12, 0));
        let batches = f.publisher.batches();
        assert!(batches.len() >= 6, "{batches:?}");
        for (_, sizes) in batches {
            assert!(sizes.len() <= MAX_BATCH_ENTRIES);
            assert!(sizes.iter().sum::<usize>() <= MAX_BATCH_BYTES);
        }
        assert!(f
            .publisher
            .sent_to(CONSENT)
            .iter()
            .all(|m| m.attribute("payload").is_none()));
    }

    #[tokio::test]
    async fn an_envelope_too_big_for_a_message_travels_by_reference() {
        let f = fixture();
        let mut body = sample_body(crate::callbacks::consent_handle::TYPE, "huge-1");
        body["consent"]["extensibleData"] = json!({"pad": "x".repeat(261_000)});
        let r = of(1, crate::callbacks::consent_handle::TYPE, body);
        let report = f.dispatcher.dispatch(&[r]).await;
        assert_eq!(report.delivered, 1);
        let m = &f.publisher.sent_to(CONSENT)[0];
        assert_eq!(m.attribute("payload"), Some("reference"));
        let v: Value = serde_json::from_str(&m.body).unwrap();
        assert_eq!(
            v["payloadRef"],
            json!({"table": "callbacks", "key": "CONSENT_HANDLE_RESPONSE#LENDER-ABC#huge-1"})
        );
        assert_eq!(
            v["eventId"],
            crate::event::event_id(
                crate::callbacks::consent_handle::TYPE,
                "LENDER-ABC",
                "huge-1"
            )
            .to_string()
        );
        assert_eq!(v["type"], "CONSENT_HANDLE_RESPONSE");
        assert!(m.size() < 1024);
    }

    #[tokio::test]
    async fn a_128_character_loan_id_gets_a_valid_stable_group_id() {
        let f = fixture();
        let loan = "L".repeat(128);
        let mut body = sample_body(crate::callbacks::disbursement::TYPE, "long-loan");
        body["loanId"] = json!(loan);
        let r = of(1, crate::callbacks::disbursement::TYPE, body);
        f.dispatcher.dispatch(&[r]).await;
        let m = &f.publisher.sent_to(LEDGER)[0];
        assert!(limits::fifo_id_valid(&m.group_id), "{}", m.group_id);
        assert_eq!(m.group_id, limits::group_id(&format!("loan:{loan}")));
    }

    #[test]
    fn characters_sqs_refuses_are_escaped_and_the_json_means_the_same() {
        let text = serde_json::to_string(&json!({"a": "x\u{FFFF}y\u{FFFE}", "b": "é😀"})).unwrap();
        let safe = sqs_safe(&text);
        assert!(safe.chars().all(limits::body_char_allowed));
        assert_eq!(
            serde_json::from_str::<Value>(&safe).unwrap(),
            serde_json::from_str::<Value>(&text).unwrap()
        );
        assert_eq!(sqs_safe("plain"), "plain");
    }

    mod limits_property {
        use super::*;
        use proptest::prelude::*;

        fn deep(depth: usize) -> Value {
            (0..depth).fold(json!(1), |v, _| json!([v]))
        }

        fn id_strategy() -> impl Strategy<Value = String> {
            prop_oneof!["[A-Za-z0-9._:-]{1,128}", Just("R".repeat(128)),]
        }

        fn text_strategy() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                Just("\u{FFFF}\u{FFFE}\u{0}\u{1F}".to_string()),
                Just("हैंडल😀".repeat(20)),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

            /// Whatever the door accepts, the dispatcher's messages meet SQS's documented
            /// limits (not moto's): size, batch bytes, FIFO ids, attributes, alphabet.
            #[test]
            fn every_accepted_callback_yields_messages_that_fit_sqs(
                kind in prop::sample::select(CallbackType::ALL.to_vec()),
                request_id in id_strategy(),
                loan in "[^\u{0}]{1,128}",
                handle in "[^\u{0}]{1,128}",
                text in text_strategy(),
                pad in prop_oneof![Just(0usize), 0usize..120_000, 200_000usize..259_000],
                depth in prop_oneof![Just(1usize), 100usize..124],
            ) {
                let mut body = sample_body(kind, &request_id);
                let extra = json!({"text": text, "pad": "x".repeat(pad), "deep": deep(depth)});
                body["extensionAtTheTop"] = extra.clone();
                // The ordering keys the callbacks take from their bodies, at their limits.
                if body.get("loanId").is_some() {
                    body["loanId"] = json!(loan);
                }
                if body.pointer("/consent/consentHandle").is_some() {
                    body["consent"]["consentHandle"] = json!(handle);
                }
                let bytes = serde_json::to_vec(&body).unwrap();
                let store = Arc::new(MemoryStore::new());
                let service = unsigned_service(store.clone());
                let reply = futures::executor::block_on(service.handle(kind, Inbound::post(&bytes)));
                prop_assume!(reply.status == 200);
                let rec = store.records().pop().unwrap();
                let f = fixture();
                let report = futures::executor::block_on(
                    f.dispatcher.dispatch(&[StreamRecord::insert("1", rec.image())]),
                );
                prop_assert_eq!((report.delivered, report.parked, report.failed.len()), (1, 0, 0));
                for (url, m) in f.publisher.sent() {
                    let queue = QueueTarget::new(url);
                    prop_assert!(m.problem(&queue).is_none(), "{:?}", m.problem(&queue));
                    prop_assert!(m.size() <= limits::MAX_MESSAGE_BYTES);
                    prop_assert!(limits::fifo_id_valid(&m.group_id));
                    prop_assert!(limits::fifo_id_valid(&m.event_id));
                }
                for (_, sizes) in f.publisher.batches() {
                    prop_assert!(sizes.len() <= MAX_BATCH_ENTRIES);
                    prop_assert!(sizes.iter().sum::<usize>() <= MAX_BATCH_BYTES);
                }
            }
        }
    }
}
