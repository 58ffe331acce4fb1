//! The operator's tools (docs/delivery.md): find a recorded callback and where
//! it went, send it again, bring back what the stream or the dispatcher gave up on, and
//! list what has no evidence of dispatch. Everything re-dispatches **from the table**
//! through the production [`Dispatcher`], so consumers see the same `eventId` and a run
//! is safe to repeat (queues that already took an event are skipped, except by `replay`).

use anyhow::{anyhow, bail, Context, Result};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use ocen_shared::config::DispatcherConfig;
use ocen_shared::dispatch::{DispatchOptions, DispatchReport, Dispatcher, Parked, StreamRecord};
use ocen_shared::domain::OcenTimestamp;
use ocen_shared::event::idempotency_key;
use ocen_shared::publish::sqs::SqsPublisher;
use ocen_shared::request::{RequestRecord, SentRequest};
use ocen_shared::store::dynamodb::{string_attributes, DynamoStore, RequestRecorded};
use ocen_shared::store::{attr, Delivery, DeliveryLog};
use ocen_shared::CallbackType;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use time::OffsetDateTime;

/// Where everything is: the table, the routes, the parked queue and the stream's
/// on-failure queue.
#[derive(Debug, Clone)]
pub struct Targets {
    pub dispatcher: DispatcherConfig,
    /// The stream event source mapping's on-failure destination (URL).
    pub failure_queue: Option<String>,
}

impl Targets {
    /// From the environment, as the dispatcher has it, plus `DISPATCHER_FAILURE_QUEUE_URL`
    /// (README: exported from the stack's outputs).
    pub fn from_env() -> Result<Targets> {
        Ok(Targets {
            dispatcher: DispatcherConfig::from_env()?,
            failure_queue: std::env::var("DISPATCHER_FAILURE_QUEUE_URL").ok(),
        })
    }

    /// From a local stack (`make run`'s, or a test's).
    pub fn from_local(stack: &ocen_local::stack::LocalStack) -> Targets {
        Targets {
            dispatcher: stack.dispatcher_config(),
            failure_queue: stack.failure_queue_url(),
        }
    }
}

pub struct Ops {
    ddb: aws_sdk_dynamodb::Client,
    sqs: aws_sdk_sqs::Client,
    streams: aws_sdk_dynamodbstreams::Client,
    store: DynamoStore,
    dispatcher: Dispatcher,
    targets: Targets,
    /// Print progress to stderr.
    pub progress: bool,
}

/// What a command did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records found for the command.
    pub records: usize,
    pub delivered: usize,
    pub parked: usize,
    /// Records not delivered this time (transient failure): run the command again.
    pub failed: usize,
    /// Queue messages (parked / on-failure) handled and deleted.
    pub messages_done: usize,
    /// Queue messages left in place (not resolvable now).
    pub messages_left: usize,
    /// Problems worth reading.
    pub notes: Vec<String>,
}

impl Summary {
    fn add(&mut self, r: &DispatchReport) {
        self.delivered += r.delivered;
        self.parked += r.parked;
        self.failed += r.failed.len();
    }

    pub fn ok(&self) -> bool {
        self.failed == 0 && self.messages_left == 0
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "records           {}", self.records)?;
        writeln!(f, "delivered         {}", self.delivered)?;
        writeln!(f, "parked again      {}", self.parked)?;
        writeln!(f, "failed (retry)    {}", self.failed)?;
        writeln!(f, "messages handled  {}", self.messages_done)?;
        writeln!(f, "messages left     {}", self.messages_left)?;
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        Ok(())
    }
}

/// One record's story.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// Every attribute of the record (event and ack included).
    pub record: BTreeMap<String, String>,
    /// Queue name → marker outcome (`sent`, `parked`) and when, or `None`: no evidence yet.
    pub deliveries: BTreeMap<String, Option<(String, String)>>,
}

impl std::fmt::Display for Inspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let image: HashMap<String, String> = self.record.clone().into_iter().collect();
        match RequestRecord::of_item(&image) {
            Ok(Some(r)) => {
                writeln!(f, "request:")?;
                writeln!(f, "  sentAt      {}", r.sent_at)?;
                let by = OffsetDateTime::from_unix_timestamp(r.answer_by)
                    .map(OcenTimestamp::ack_format)
                    .unwrap_or_else(|_| r.answer_by.to_string());
                writeln!(f, "  answerBy    {by}")?;
                writeln!(f, "  lspIds      {}", r.ids.to_json())?;
            }
            Ok(None) => writeln!(
                f,
                "request:       none recorded (unsolicited, lender-initiated, or recorded before correlation)"
            )?,
            Err(why) => writeln!(f, "request:       unreadable: {why}")?,
        }
        let Some(event) = self.record.get(attr::EVENT) else {
            return writeln!(
                f,
                "callback:      none recorded yet (the request is pending)"
            );
        };
        for name in [
            attr::KEY,
            attr::CALLBACK_TYPE,
            attr::REQUEST_ID,
            attr::ORG_ID,
            attr::RECEIVED_AT,
            attr::PAYLOAD_HASH,
            attr::EVENT_ID,
            attr::ORDERING_KEY,
            attr::REVISION,
            attr::EXPIRES_AT,
            attr::ACK,
        ] {
            writeln!(
                f,
                "{name:<13} {}",
                self.record.get(name).map(String::as_str).unwrap_or("-")
            )?;
        }
        writeln!(f, "delivery:")?;
        for (queue, d) in &self.deliveries {
            match d {
                Some((outcome, at)) => writeln!(f, "  {queue:<40} {outcome} at {at}")?,
                None => writeln!(f, "  {queue:<40} no evidence of dispatch")?,
            }
        }
        // The envelope as consumers receive it: with the request it answers.
        let ordering = self
            .record
            .get(attr::ORDERING_KEY)
            .cloned()
            .unwrap_or_default();
        let event = ocen_shared::event::deliverable(event, &ordering, &image)
            .map(|d| d.event)
            .unwrap_or_else(|_| event.clone());
        let event = event.as_str();
        let pretty = serde_json::from_str::<serde_json::Value>(event)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| event.to_string());
        writeln!(f, "envelope ({} bytes):\n{pretty}", event.len())
    }
}

/// A request still waiting for its callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub org_id: String,
    pub callback_type: String,
    pub request_id: String,
    pub sent_at: OffsetDateTime,
    /// Its answerBy has passed: its callback would now be refused (mode `require`).
    pub expired: bool,
}

/// Requests sent at least some time ago and still unanswered: the LSP's chase list.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    /// Oldest first.
    pub requests: Vec<PendingRequest>,
    /// Request records that cannot be read: their keys and why.
    pub unreadable: Vec<(String, String)>,
}

impl std::fmt::Display for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "pending requests  {}", self.requests.len())?;
        for r in &self.requests {
            writeln!(
                f,
                "  {:<16} {:<36} {}  sent {}{}",
                r.org_id,
                r.callback_type,
                r.request_id,
                OcenTimestamp::ack_format(r.sent_at),
                if r.expired { "  EXPIRED" } else { "" }
            )?;
        }
        let mut per_lender: BTreeMap<&str, (usize, usize, OffsetDateTime)> = BTreeMap::new();
        for r in &self.requests {
            let e = per_lender.entry(&r.org_id).or_insert((0, 0, r.sent_at));
            e.0 += 1;
            e.1 += usize::from(r.expired);
            e.2 = e.2.min(r.sent_at);
        }
        writeln!(f, "per lender:")?;
        for (org, (n, expired, oldest)) in per_lender {
            writeln!(
                f,
                "  {org:<24} {n:>6} pending  {expired:>6} expired  oldest sent {}",
                OcenTimestamp::ack_format(oldest)
            )?;
        }
        for (key, why) in &self.unreadable {
            writeln!(f, "unreadable request record {key}: {why}")?;
        }
        Ok(())
    }
}

/// `--older-than` values: a whole number and a unit (`90s`, `30m`, `1h`, `2d`).
pub fn duration_arg(text: &str) -> Result<time::Duration> {
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: i64 = digits
        .parse()
        .map_err(|_| anyhow!("{text:?} is not a duration (e.g. 90s, 30m, 1h, 2d)"))?;
    Ok(match unit {
        "s" => time::Duration::seconds(n),
        "m" => time::Duration::minutes(n),
        "h" => time::Duration::hours(n),
        "d" => time::Duration::days(n),
        _ => bail!("{text:?} is not a duration (e.g. 90s, 30m, 1h, 2d)"),
    })
}

/// A record without evidence of dispatch to one of its queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undispatched {
    pub key: String,
    pub received_at: String,
    /// Queues with no marker, and those where it is parked.
    pub missing: Vec<String>,
    pub parked: Vec<String>,
}

/// The audit's findings.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub checked: usize,
    pub undispatched: Vec<Undispatched>,
}

impl std::fmt::Display for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "records checked   {}", self.checked)?;
        writeln!(f, "without dispatch  {}", self.undispatched.len())?;
        for u in &self.undispatched {
            write!(f, "  {}  received {}", u.key, u.received_at)?;
            if !u.missing.is_empty() {
                write!(f, "  missing: {}", u.missing.join(", "))?;
            }
            if !u.parked.is_empty() {
                write!(f, "  parked: {}", u.parked.join(", "))?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// `--since`/`--until` values: RFC 3339 or an OCEN timestamp (no zone = IST), compared with
/// `receivedAt` (always written as IST with milliseconds, so strings order like times).
pub fn received_at_bound(text: &str) -> Result<String> {
    let t = OcenTimestamp::parse(text)
        .map_err(|_| anyhow!("{text:?} is not a timestamp (e.g. 2026-11-23T10:00:00+05:30)"))?;
    Ok(OcenTimestamp::ack_format(t.as_offset_date_time()))
}

/// What a record's deliveries are marked by: its key, with `#r<N>` for its latest revision
/// N ≥ 2 (each revision is its own event).
fn delivery_key(key: &str, item: &HashMap<String, String>) -> String {
    let revision = item
        .get(attr::REVISION)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    ocen_shared::store::revision_key(key, revision)
}

/// Compare stream sequence numbers (decimal strings of any length).
fn seq_le(a: &str, b: &str) -> bool {
    (a.len(), a) <= (b.len(), b)
}

impl Ops {
    pub fn new(sdk: &aws_config::SdkConfig, targets: Targets) -> Ops {
        let ddb = aws_sdk_dynamodb::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let store = DynamoStore::new(ddb.clone(), &targets.dispatcher.table_name);
        let dispatcher = Dispatcher::new(
            Arc::new(SqsPublisher::new(sqs.clone())),
            Arc::new(store.clone()),
            targets.dispatcher.clone(),
        );
        Ops {
            streams: aws_sdk_dynamodbstreams::Client::new(sdk),
            ddb,
            sqs,
            store,
            dispatcher,
            targets,
            progress: false,
        }
    }

    fn table(&self) -> &str {
        &self.targets.dispatcher.table_name
    }

    fn bar(&self, len: u64, what: &str) -> indicatif::ProgressBar {
        if !self.progress {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        bar
    }

    /// Record a request the LSP sends (by hand: the LSP's senders use
    /// `DynamoStore::record_request` or any SDK, docs/idempotency.md "Correlation").
    pub async fn record_request(&self, request: &SentRequest) -> Result<RequestRecorded> {
        Ok(self.store.record_request(request).await?)
    }

    /// Requests sent at least `older_than` ago (of one lender, or all) still waiting for
    /// their callback.
    pub async fn pending(&self, older_than: time::Duration, org: Option<&str>) -> Result<Pending> {
        let mut filter = "attribute_exists(#sent) AND attribute_not_exists(#event)".to_string();
        let mut names = HashMap::from([
            ("#sent".to_string(), attr::SENT_AT.to_string()),
            ("#event".to_string(), attr::EVENT.to_string()),
        ]);
        let mut values = HashMap::new();
        if let Some(org) = org {
            filter.push_str(" AND #org = :org");
            names.insert("#org".into(), attr::ORG_ID.into());
            values.insert(":org".to_string(), AttributeValue::S(org.into()));
        }
        let now = OffsetDateTime::now_utc();
        let cutoff = now - older_than;
        let mut pending = Pending::default();
        let mut start = None;
        let bar = self.bar(0, "scanning");
        loop {
            let page = self
                .ddb
                .scan()
                .table_name(self.table())
                .filter_expression(&filter)
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values((!values.is_empty()).then(|| values.clone()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .context("scanning the table")?;
            for item in page.items().iter().map(string_attributes) {
                let key = item.get(attr::KEY).cloned().unwrap_or_default();
                let request = match RequestRecord::of_item(&item) {
                    Ok(Some(r)) => r,
                    Ok(None) => continue,
                    Err(why) => {
                        pending.unreadable.push((key, why));
                        continue;
                    }
                };
                let sent_at = OffsetDateTime::parse(
                    &request.sent_at,
                    &time::format_description::well_known::Rfc3339,
                )
                .expect("RequestRecord::of_item checked it");
                if sent_at > cutoff {
                    continue;
                }
                pending.requests.push(PendingRequest {
                    org_id: item.get(attr::ORG_ID).cloned().unwrap_or_default(),
                    callback_type: item.get(attr::CALLBACK_TYPE).cloned().unwrap_or_default(),
                    request_id: item.get(attr::REQUEST_ID).cloned().unwrap_or_default(),
                    sent_at,
                    expired: request.answer_by <= now.unix_timestamp(),
                });
            }
            bar.inc(page.items().len() as u64);
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        bar.finish_and_clear();
        pending.requests.sort_by_key(|r| r.sent_at);
        Ok(pending)
    }

    /// The record and its delivery markers.
    pub async fn inspect(
        &self,
        kind: CallbackType,
        org_id: &str,
        request_id: &str,
    ) -> Result<Inspection> {
        let key = idempotency_key(kind, org_id, request_id);
        let record = self
            .store
            .get(&key)
            .await?
            .ok_or_else(|| anyhow!("no record {key} in {}", self.table()))?;
        let queues = self.queues_of(kind);
        let deliveries = self.markers(&delivery_key(&key, &record), &queues).await?;
        Ok(Inspection {
            record: record.into_iter().collect(),
            deliveries,
        })
    }

    fn queues_of(&self, kind: CallbackType) -> Vec<String> {
        self.targets
            .dispatcher
            .routes
            .get(&kind)
            .map(|qs| qs.iter().map(|q| q.name().to_string()).collect())
            .unwrap_or_default()
    }

    async fn markers(
        &self,
        key: &str,
        queues: &[String],
    ) -> Result<BTreeMap<String, Option<(String, String)>>> {
        let mut out = BTreeMap::new();
        for q in queues {
            let d = Delivery {
                record_key: key.to_string(),
                queue: q.clone(),
            };
            let marker = self.store.get(&d.marker_key()).await?.map(|m| {
                (
                    m.get(attr::MARKER_OUTCOME).cloned().unwrap_or_default(),
                    m.get(attr::MARKER_AT).cloned().unwrap_or_default(),
                )
            });
            out.insert(q.clone(), marker);
        }
        Ok(out)
    }

    /// Callback records (not markers), optionally of one type, received in `[since, until]`.
    pub async fn scan(
        &self,
        kind: Option<CallbackType>,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<Vec<HashMap<String, String>>> {
        let mut filters = vec!["attribute_exists(#event)".to_string()];
        let mut names = HashMap::from([("#event".to_string(), attr::EVENT.to_string())]);
        let mut values = HashMap::new();
        if let Some(k) = kind {
            filters.push("#type = :type".into());
            names.insert("#type".into(), attr::CALLBACK_TYPE.into());
            values.insert(":type".to_string(), AttributeValue::S(k.as_str().into()));
        }
        if since.is_some() || until.is_some() {
            names.insert("#at".into(), attr::RECEIVED_AT.into());
        }
        if let Some(s) = since {
            filters.push("#at >= :since".into());
            values.insert(":since".to_string(), AttributeValue::S(s.into()));
        }
        if let Some(u) = until {
            filters.push("#at <= :until".into());
            values.insert(":until".to_string(), AttributeValue::S(u.into()));
        }
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .ddb
                .scan()
                .table_name(self.table())
                .consistent_read(true)
                .filter_expression(filters.join(" AND "))
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values((!values.is_empty()).then(|| values.clone()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .context("scanning the table")?;
            out.extend(page.items().iter().map(string_attributes));
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                break;
            }
        }
        // Oldest first: the order they were recorded in.
        out.sort_by(|a, b| a.get(attr::RECEIVED_AT).cmp(&b.get(attr::RECEIVED_AT)));
        Ok(out)
    }

    async fn dispatch_items(
        &self,
        items: Vec<HashMap<String, String>>,
        options: &DispatchOptions<'_>,
        dry_run: bool,
        summary: &mut Summary,
    ) {
        summary.records += items.len();
        if dry_run {
            return;
        }
        let bar = self.bar(items.len() as u64, "dispatching");
        for chunk in items.chunks(100) {
            let records: Vec<StreamRecord> = chunk
                .iter()
                .enumerate()
                .map(|(i, image)| StreamRecord::insert(format!("{i:05}"), image.clone()))
                .collect();
            let report = self.dispatcher.dispatch_with(&records, options).await;
            summary.add(&report);
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
    }

    /// Publish recorded callbacks again (to every queue of their route, or one queue).
    pub async fn replay(
        &self,
        kind: Option<CallbackType>,
        request_id: Option<(&str, &str)>,
        since: Option<&str>,
        until: Option<&str>,
        queue: Option<&str>,
        dry_run: bool,
    ) -> Result<Summary> {
        if let Some(q) = queue {
            let known = self
                .targets
                .dispatcher
                .routes
                .values()
                .flatten()
                .any(|t| t.name() == q);
            if !known {
                bail!("no route sends to a queue named {q}");
            }
        }
        let items = match request_id {
            Some((org, id)) => {
                let kind = kind.ok_or_else(|| anyhow!("--request-id needs --type"))?;
                let key = idempotency_key(kind, org, id);
                vec![self
                    .store
                    .get(&key)
                    .await?
                    .ok_or_else(|| anyhow!("no record {key}"))?]
            }
            None => {
                if kind.is_none() && since.is_none() {
                    bail!("say what to replay: --type and/or --since/--until, or --request-id");
                }
                self.scan(kind, since, until).await?
            }
        };
        let mut summary = Summary::default();
        let options = DispatchOptions {
            only_queue: queue,
            force: true,
            retry_parked: true,
        };
        self.dispatch_items(items, &options, dry_run, &mut summary)
            .await;
        Ok(summary)
    }

    /// Drain the parked queue and the stream's on-failure queue, re-dispatching the records
    /// they name from the table. Queues that already took an event are skipped.
    pub async fn redrive(&self, dry_run: bool) -> Result<Summary> {
        let mut summary = Summary::default();
        if let Some(parked) = self.targets.dispatcher.parked_queue.clone() {
            self.redrive_parked(&parked.url, dry_run, &mut summary)
                .await?;
        }
        if let Some(failure) = self.targets.failure_queue.clone() {
            self.redrive_failures(&failure, dry_run, &mut summary)
                .await?;
        }
        Ok(summary)
    }

    async fn receive(&self, url: &str) -> Result<Vec<aws_sdk_sqs::types::Message>> {
        let mut all = Vec::new();
        loop {
            let out = self
                .sqs
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .visibility_timeout(300)
                .wait_time_seconds(0)
                .send()
                .await
                .with_context(|| format!("receiving from {url}"))?;
            if out.messages().is_empty() {
                break;
            }
            all.extend(out.messages().iter().cloned());
        }
        Ok(all)
    }

    async fn done_with(
        &self,
        url: &str,
        m: &aws_sdk_sqs::types::Message,
        dry_run: bool,
    ) -> Result<()> {
        let Some(handle) = m.receipt_handle() else {
            return Ok(());
        };
        let request = self
            .sqs
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(handle);
        if dry_run {
            // Put it back at once.
            request.visibility_timeout(0).send().await?;
        } else {
            self.sqs
                .delete_message()
                .queue_url(url)
                .receipt_handle(handle)
                .send()
                .await
                .context("deleting a handled message")?;
        }
        Ok(())
    }

    /// Re-dispatch the records a queue message names; delete the message once they are all
    /// delivered (or parked again), else leave it for the next run.
    async fn settle(
        &self,
        url: &str,
        m: &aws_sdk_sqs::types::Message,
        items: Vec<HashMap<String, String>>,
        options: &DispatchOptions<'_>,
        dry_run: bool,
        summary: &mut Summary,
    ) -> Result<()> {
        let before = summary.failed;
        self.dispatch_items(items, options, dry_run, summary).await;
        if summary.failed == before {
            self.done_with(url, m, dry_run).await?;
            summary.messages_done += 1;
        } else {
            summary.messages_left += 1;
        }
        Ok(())
    }

    async fn redrive_parked(&self, url: &str, dry_run: bool, summary: &mut Summary) -> Result<()> {
        let messages = self.receive(url).await?;
        let bar = self.bar(messages.len() as u64, "parked");
        for m in &messages {
            bar.inc(1);
            let parked: Option<Parked> = m.body().and_then(|b| serde_json::from_str(b).ok());
            let Some(parked) = parked else {
                summary
                    .notes
                    .push("a parked message is not a parked record; left in place".into());
                summary.messages_left += 1;
                continue;
            };
            let Some(key) = parked.key.clone() else {
                summary.notes.push(format!(
                    "parked record at sequence {} has no key ({}): fix it in the table, then replay",
                    parked.sequence_number, parked.reason
                ));
                summary.messages_left += 1;
                continue;
            };
            let Some(item) = self.store.get(&key).await? else {
                summary.notes.push(format!(
                    "parked record {key} is no longer in the table (expired)"
                ));
                summary.messages_left += 1;
                continue;
            };
            let options = DispatchOptions {
                only_queue: parked.queue.as_deref(),
                force: false,
                retry_parked: true,
            };
            self.settle(url, m, vec![item], &options, dry_run, summary)
                .await?;
        }
        bar.finish_and_clear();
        Ok(())
    }

    async fn redrive_failures(
        &self,
        url: &str,
        dry_run: bool,
        summary: &mut Summary,
    ) -> Result<()> {
        let messages = self.receive(url).await?;
        let bar = self.bar(messages.len() as u64, "stream DLQ");
        for m in &messages {
            bar.inc(1);
            let info = m
                .body()
                .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
                .and_then(|v| v.get("DDBStreamBatchInfo").cloned());
            let Some(info) = info else {
                summary
                    .notes
                    .push("an on-failure message without DDBStreamBatchInfo; left in place".into());
                summary.messages_left += 1;
                continue;
            };
            let s = |k: &str| {
                info.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let items = match self
                .stream_range(
                    &s("streamArn"),
                    &s("shardId"),
                    &s("startSequenceNumber"),
                    &s("endSequenceNumber"),
                )
                .await
            {
                Ok(items) => items,
                Err(e) => {
                    // The stream no longer holds them (24 h): find them by receivedAt.
                    let (Ok(first), Ok(last)) = (
                        received_at_bound(&s("approximateArrivalOfFirstRecord")),
                        received_at_bound(&s("approximateArrivalOfLastRecord")),
                    ) else {
                        summary.notes.push(format!(
                            "stream range unreadable ({e:#}) and no arrival times; left in place"
                        ));
                        summary.messages_left += 1;
                        continue;
                    };
                    summary.notes.push(format!(
                        "stream range unreadable ({e:#}); records found by receivedAt {first} .. {last} (± 5 min)"
                    ));
                    let widen = |t: &str, by: i64| -> String {
                        OcenTimestamp::parse(t)
                            .map(|t| {
                                OcenTimestamp::ack_format(
                                    t.as_offset_date_time() + time::Duration::minutes(by),
                                )
                            })
                            .unwrap_or_else(|_| t.to_string())
                    };
                    self.scan(None, Some(&widen(&first, -5)), Some(&widen(&last, 5)))
                        .await?
                }
            };
            self.settle(url, m, items, &DispatchOptions::default(), dry_run, summary)
                .await?;
        }
        bar.finish_and_clear();
        Ok(())
    }

    /// The current items of the records between two sequence numbers of a shard.
    async fn stream_range(
        &self,
        stream_arn: &str,
        shard: &str,
        start: &str,
        end: &str,
    ) -> Result<Vec<HashMap<String, String>>> {
        let mut iterator = self
            .streams
            .get_shard_iterator()
            .stream_arn(stream_arn)
            .shard_id(shard)
            .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
            .sequence_number(start)
            .send()
            .await
            .context("GetShardIterator")?
            .shard_iterator()
            .map(str::to_string);
        let mut keys = Vec::new();
        let mut empty = 0;
        'read: while let Some(it) = iterator.take() {
            let out = self
                .streams
                .get_records()
                .shard_iterator(it)
                .limit(1000)
                .send()
                .await
                .context("GetRecords")?;
            if out.records().is_empty() {
                empty += 1;
                if empty > 3 {
                    break;
                }
            }
            for r in out.records() {
                let Some(record) = ocen_local::poller::to_stream_record(r) else {
                    continue;
                };
                if !seq_le(&record.sequence_number, end) {
                    break 'read;
                }
                if record.is_recorded_callback() {
                    if let Some(k) = record.image.get(attr::KEY) {
                        if !keys.contains(k) {
                            keys.push(k.clone());
                        }
                    }
                }
            }
            iterator = out.next_shard_iterator().map(str::to_string);
        }
        // Re-read each from the table: the current item is what is dispatched.
        let mut items = Vec::new();
        for k in keys {
            match self.store.get(&k).await? {
                Some(item) => items.push(item),
                None => bail!("record {k} is no longer in the table"),
            }
        }
        Ok(items)
    }

    /// Callback records received since `since` and at least `older_than` ago, with no
    /// marker (no evidence of dispatch) or a parked marker for one of their queues.
    pub async fn audit(&self, since: &str, older_than: time::Duration) -> Result<Audit> {
        let until = OcenTimestamp::ack_format(OffsetDateTime::now_utc() - older_than);
        let items = self.scan(None, Some(since), Some(&until)).await?;
        let bar = self.bar(items.len() as u64, "auditing");
        let mut audit = Audit {
            checked: items.len(),
            ..Audit::default()
        };
        for chunk in items.chunks(50) {
            let mut deliveries = Vec::new();
            for item in chunk {
                let (Some(key), Some(kind)) = (
                    item.get(attr::KEY),
                    item.get(attr::CALLBACK_TYPE)
                        .and_then(|t| CallbackType::parse(t)),
                ) else {
                    continue;
                };
                for q in self.queues_of(kind) {
                    deliveries.push(Delivery {
                        record_key: delivery_key(key, item),
                        queue: q,
                    });
                }
            }
            let marked = self.store.marked(&deliveries).await?;
            for item in chunk {
                let key = item.get(attr::KEY).cloned().unwrap_or_default();
                let kind = item
                    .get(attr::CALLBACK_TYPE)
                    .and_then(|t| CallbackType::parse(t));
                let queues = kind.map(|k| self.queues_of(k)).unwrap_or_default();
                let mut u = Undispatched {
                    key: key.clone(),
                    received_at: item.get(attr::RECEIVED_AT).cloned().unwrap_or_default(),
                    missing: Vec::new(),
                    parked: Vec::new(),
                };
                if queues.is_empty() {
                    u.missing.push("(no route for its type)".into());
                }
                for q in queues {
                    let d = Delivery {
                        record_key: delivery_key(&key, item),
                        queue: q.clone(),
                    };
                    match marked.get(&d).map(String::as_str) {
                        None => u.missing.push(q),
                        Some("parked") => u.parked.push(q),
                        Some(_) => {}
                    }
                }
                if !u.missing.is_empty() || !u.parked.is_empty() {
                    audit.undispatched.push(u);
                }
            }
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
        Ok(audit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_unit() {
        assert_eq!(duration_arg("90s").unwrap(), time::Duration::seconds(90));
        assert_eq!(duration_arg("1h").unwrap(), time::Duration::hours(1));
        assert_eq!(duration_arg("2d").unwrap(), time::Duration::days(2));
        for bad in ["1", "h", "1w", "-1h", ""] {
            assert!(duration_arg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sequence_numbers_compare_as_numbers() {
        assert!(seq_le("9", "10"));
        assert!(seq_le("100", "100"));
        assert!(!seq_le("1000", "999"));
    }

    #[test]
    fn bounds_are_written_as_received_at_is() {
        assert_eq!(
            received_at_bound("2026-11-23T04:30:00Z").unwrap(),
            "2026-11-23T10:00:00.000+05:30"
        );
        assert_eq!(
            received_at_bound("2026-11-23T10:00:00").unwrap(),
            "2026-11-23T10:00:00.000+05:30"
        );
        assert!(received_at_bound("yesterday").is_err());
    }
}
