//! The run report: counts, latency percentiles, throughput, and with `--verify` the events
//! found on the consumer queues (missing and duplicated eventIds must both be 0).

use anyhow::Result;
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::stack::{local_sdk_config, LocalStack};
use ocen_shared::event::{event_id, Envelope};
use ocen_shared::CallbackType;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

/// What the simulator expects a request to get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new valid callback: 200 `"0"`.
    Accepted,
    /// A re-send of an accepted one: 200 with the first ack.
    Duplicate,
    /// An invalid one: this code.
    Rejected(&'static str),
    /// Whatever comes (send, replay).
    Any,
}

#[derive(Debug, Default)]
pub struct Verification {
    pub queues: BTreeMap<String, (usize, usize, usize)>, // queue → (received, missing, duplicated)
}

pub struct Report {
    elapsed: Duration,
    sent: usize,
    acked: usize,
    duplicates: usize,
    by_code: BTreeMap<String, usize>,
    unexpected: Vec<String>,
    latencies: Vec<Duration>,
    /// Accepted callbacks: (type, requestId).
    pub accepted: Vec<(CallbackType, String)>,
    pub verification: Option<Verification>,
}

impl Report {
    pub fn new(elapsed: Duration) -> Report {
        Report {
            elapsed,
            sent: 0,
            acked: 0,
            duplicates: 0,
            by_code: BTreeMap::new(),
            unexpected: Vec::new(),
            latencies: Vec::new(),
            accepted: Vec::new(),
            verification: None,
        }
    }

    pub fn record(
        &mut self,
        expect: Outcome,
        id: Option<(CallbackType, String)>,
        latency: Duration,
        result: Result<(u16, String)>,
    ) {
        self.sent += 1;
        self.latencies.push(latency);
        let (status, code) = match result {
            Ok(r) => r,
            Err(e) => {
                self.unexpected.push(format!("transport error: {e:#}"));
                return;
            }
        };
        *self.by_code.entry(code.clone()).or_default() += 1;
        match (expect, status, code.as_str()) {
            (Outcome::Accepted, 200, "0") => {
                self.acked += 1;
                if let Some(id) = id {
                    self.accepted.push(id);
                }
            }
            (Outcome::Duplicate, 200, "0") => self.duplicates += 1,
            (Outcome::Rejected(want), s, got) if got == want && (400..500).contains(&s) => {}
            (Outcome::Any, _, _) => {
                if status == 200 {
                    self.acked += 1;
                }
            }
            (e, s, c) => self.unexpected.push(format!("expected {e:?}, got {s} {c}")),
        }
    }

    fn percentile(&self, p: f64) -> f64 {
        let mut v: Vec<f64> = self
            .latencies
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return 0.0;
        }
        v[(((v.len() - 1) as f64) * p).round() as usize]
    }

    pub fn ok(&self) -> bool {
        self.unexpected.is_empty()
            && self
                .verification
                .as_ref()
                .is_none_or(|v| v.queues.values().all(|(_, m, d)| *m == 0 && *d == 0))
    }

    pub fn to_json(&self) -> Value {
        json!({
            "sent": self.sent,
            "acked": self.acked,
            "duplicatesAnswered": self.duplicates,
            "byCode": self.by_code,
            "unexpected": self.unexpected.len(),
            "unexpectedSamples": self.unexpected.iter().take(5).collect::<Vec<_>>(),
            "latencyMs": {"p50": self.percentile(0.50), "p95": self.percentile(0.95), "p99": self.percentile(0.99), "max": self.percentile(1.0)},
            "elapsedSeconds": self.elapsed.as_secs_f64(),
            "throughputPerSecond": self.sent as f64 / self.elapsed.as_secs_f64().max(1e-9),
            "verification": self.verification.as_ref().map(|v| v.queues.iter().map(|(q, (r, m, d))| (q.clone(), json!({"received": r, "missing": m, "duplicated": d}))).collect::<BTreeMap<_, _>>()),
        })
    }

    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let row = |out: &mut String, k: &str, v: String| out.push_str(&format!("  {k:<28} {v}\n"));
        out.push_str("ocen-lender report\n");
        row(&mut out, "sent", self.sent.to_string());
        row(&mut out, "acked \"0\" (new)", self.acked.to_string());
        row(&mut out, "duplicates answered", self.duplicates.to_string());
        for (code, n) in &self.by_code {
            row(&mut out, &format!("answered {code}"), n.to_string());
        }
        row(
            &mut out,
            "unexpected answers",
            self.unexpected.len().to_string(),
        );
        for u in self.unexpected.iter().take(5) {
            out.push_str(&format!("    {u}\n"));
        }
        row(
            &mut out,
            "latency p50/p95/p99/max",
            format!(
                "{:.1} / {:.1} / {:.1} / {:.1} ms",
                self.percentile(0.5),
                self.percentile(0.95),
                self.percentile(0.99),
                self.percentile(1.0)
            ),
        );
        row(
            &mut out,
            "elapsed",
            format!("{:.2} s", self.elapsed.as_secs_f64()),
        );
        row(
            &mut out,
            "throughput",
            format!(
                "{:.0} callbacks/s",
                self.sent as f64 / self.elapsed.as_secs_f64().max(1e-9)
            ),
        );
        if let Some(v) = &self.verification {
            for (q, (r, m, d)) in &v.queues {
                row(
                    &mut out,
                    &format!("queue {q}"),
                    format!("{r} events, {m} missing, {d} duplicated"),
                );
            }
        }
        out.push_str(if self.ok() {
            "  result                       OK\n"
        } else {
            "  result                       FAILED\n"
        });
        out
    }
}

/// Read the consumer queues of the local stack until every accepted callback's event has
/// arrived on every queue of its route (or nothing new came for `idle_timeout`), counting missing and duplicated ids.
pub async fn verify(
    endpoint: &str,
    prefix: &str,
    accepted: &[(CallbackType, String)],
    idle_timeout: Duration,
) -> Result<Verification> {
    let sdk = local_sdk_config(endpoint).await;
    let stack =
        LocalStack::create(&sdk, Resources::load(&default_template_path())?, prefix).await?;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut expected: HashMap<String, HashSet<String>> = HashMap::new();
    for (kind, request_id) in accepted {
        for q in &stack.resources.routes[kind.as_str()] {
            expected
                .entry(q.clone())
                .or_default()
                .insert(event_id(*kind, request_id).to_string());
        }
    }
    let mut seen: HashMap<String, HashMap<String, usize>> = HashMap::new();
    // Stop when everything arrived, or when nothing new came for `idle_timeout`.
    let mut last_progress = Instant::now();
    loop {
        let mut got_any = false;
        for (q, url) in stack.consumer_queues() {
            let out = sqs
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .send()
                .await?;
            let mut receipts = Vec::new();
            for (i, m) in out.messages().iter().enumerate() {
                got_any = true;
                if let Ok(e) = serde_json::from_str::<Envelope>(m.body().unwrap_or("")) {
                    *seen
                        .entry(q.clone())
                        .or_default()
                        .entry(e.event_id.to_string())
                        .or_default() += 1;
                }
                if let Some(h) = m.receipt_handle() {
                    receipts.push(
                        aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(h)
                            .build()?,
                    );
                }
            }
            if !receipts.is_empty() {
                sqs.delete_message_batch()
                    .queue_url(&url)
                    .set_entries(Some(receipts))
                    .send()
                    .await?;
            }
        }
        let complete = expected.iter().all(|(q, ids)| {
            ids.iter()
                .all(|id| seen.get(q).is_some_and(|s| s.contains_key(id)))
        });
        if got_any {
            last_progress = Instant::now();
        }
        if (complete && !got_any) || last_progress.elapsed() > idle_timeout {
            break;
        }
        if !got_any {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let mut v = Verification::default();
    for (q, ids) in &expected {
        let s = seen.get(q).cloned().unwrap_or_default();
        let received = ids.iter().filter(|id| s.contains_key(*id)).count();
        let missing = ids.len() - received;
        let duplicated = s.values().filter(|n| **n > 1).count();
        v.queues.insert(q.clone(), (received, missing, duplicated));
    }
    Ok(v)
}
