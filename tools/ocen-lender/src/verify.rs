//! `--verify`: read the local stack's consumer queues while the run goes on, and afterwards
//! check that every accepted callback's event arrived on every queue of its route, once.
//!
//! The readers start before the first callback is sent and keep the queues drained, so the
//! local endpoint never holds thousands of messages (moto's SQS does work proportional to
//! the queue depth on every send and receive). A duplicate is an eventId carried by two
//! different SQS messages (the dispatcher sent it twice); the same message seen again after
//! a failed delete is the reader's own redelivery and is not counted.

use crate::report::Verification;
use anyhow::{Context, Result};
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;
use indicatif::ProgressBar;
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::stack::{local_tool_sdk_config, LocalStack};
use ocen_shared::event::{event_id, Envelope};
use ocen_shared::CallbackType;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Queue logical id → eventId → the distinct SQS message ids that carried it.
type Seen = HashMap<String, HashMap<String, HashSet<String>>>;

#[derive(Default)]
struct Shared {
    seen: Mutex<Seen>,
    /// eventIds of the envelopes that carry the warning `unsolicited: ...`.
    marked_unsolicited: Mutex<HashSet<String>>,
    last_error: Mutex<Option<String>>,
    last_message: Mutex<Option<Instant>>,
    stop: AtomicBool,
}

/// Readers of every consumer queue of the stack under `prefix`, running in the background.
pub struct Collector {
    stack: LocalStack,
    shared: Arc<Shared>,
    readers: Vec<JoinHandle<()>>,
}

/// After everything arrived, wait this long with no new message for late duplicates.
const GRACE: Duration = Duration::from_secs(2);

impl Collector {
    pub async fn start(endpoint: &str, prefix: &str) -> Result<Collector> {
        let sdk = local_tool_sdk_config(endpoint).await;
        let resources = Resources::load(&default_template_path())?;
        let stack = LocalStack::create(&sdk, resources, prefix)
            .await
            .with_context(|| format!("reading the local stack {prefix} at {endpoint}"))?;
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let shared = Arc::new(Shared::default());
        let readers = stack
            .consumer_queues()
            .into_iter()
            .map(|(queue, url)| tokio::spawn(read(sqs.clone(), queue, url, shared.clone())))
            .collect();
        Ok(Collector {
            stack,
            shared,
            readers,
        })
    }

    /// Wait until every accepted callback's event has arrived on each queue of its route
    /// (then `GRACE` more for late duplicates), or until nothing new came for `idle_timeout`;
    /// stop the readers and count.
    /// `flagged` (unsolicited callbacks recorded with the warning) must arrive like
    /// `accepted`, their envelopes marked; `refused` ones must not arrive at all.
    pub async fn finish(
        self,
        accepted: &[(CallbackType, String)],
        refused: &[(CallbackType, String)],
        flagged: &[(CallbackType, String)],
        org_id: &str,
        idle_timeout: Duration,
        progress: &ProgressBar,
    ) -> Verification {
        let mut expected: HashMap<String, HashSet<String>> = HashMap::new();
        for (kind, request_id) in accepted.iter().chain(flagged) {
            for q in &self.stack.resources.routes[kind.as_str()] {
                expected
                    .entry(q.clone())
                    .or_default()
                    .insert(event_id(*kind, org_id, request_id).to_string());
            }
        }
        progress.set_length(expected.values().map(HashSet::len).sum::<usize>() as u64);
        let waiting_since = Instant::now();
        loop {
            let received = {
                let seen = self.shared.seen.lock().expect("not poisoned");
                count_received(&expected, &seen)
            };
            progress.set_position(received as u64);
            let last = self
                .shared
                .last_message
                .lock()
                .expect("not poisoned")
                .map_or(waiting_since, |t| t.max(waiting_since));
            let complete = received as u64 == progress.length().unwrap_or(0);
            if (complete && last.elapsed() > GRACE) || last.elapsed() > idle_timeout {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        progress.finish_and_clear();
        self.shared.stop.store(true, Ordering::Relaxed);
        for r in self.readers {
            let _ = r.await;
        }
        let seen = std::mem::take(&mut *self.shared.seen.lock().expect("not poisoned"));
        let complete = count_received(&expected, &seen) as u64 == progress.length().unwrap_or(0);
        let mut v = Verification {
            // An error on the way that was survived (everything arrived) does not matter.
            error: if complete {
                None
            } else {
                self.shared.last_error.lock().expect("not poisoned").take()
            },
            ..Verification::default()
        };
        let marked =
            std::mem::take(&mut *self.shared.marked_unsolicited.lock().expect("not poisoned"));
        v.flagged_unmarked = flagged
            .iter()
            .filter(|(kind, id)| !marked.contains(&event_id(*kind, org_id, id).to_string()))
            .count();
        v.refused_delivered = refused
            .iter()
            .filter(|(kind, id)| {
                let event = event_id(*kind, org_id, id).to_string();
                seen.values().any(|s| s.contains_key(&event))
            })
            .count();
        for (q, ids) in &expected {
            let s = seen.get(q).cloned().unwrap_or_default();
            let received = ids.iter().filter(|id| s.contains_key(*id)).count();
            let missing = ids.len() - received;
            let duplicated = s.values().filter(|m| m.len() > 1).count();
            v.queues.insert(q.clone(), (received, missing, duplicated));
        }
        v
    }
}

fn count_received(expected: &HashMap<String, HashSet<String>>, seen: &Seen) -> usize {
    expected
        .iter()
        .map(|(q, ids)| {
            seen.get(q)
                .map_or(0, |s| ids.iter().filter(|id| s.contains_key(*id)).count())
        })
        .sum()
}

/// Receive and delete from one queue until told to stop; errors are kept (the last one)
/// and retried.
async fn read(sqs: aws_sdk_sqs::Client, queue: String, url: String, shared: Arc<Shared>) {
    let fail = |what: &str, e: String| {
        *shared.last_error.lock().expect("not poisoned") = Some(format!("{what} {queue}: {e}"));
    };
    while !shared.stop.load(Ordering::Relaxed) {
        let out = match sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                fail("receiving from", DisplayErrorContext(e).to_string());
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        if out.messages().is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let mut receipts = Vec::new();
        {
            let mut seen = shared.seen.lock().expect("not poisoned");
            for (i, m) in out.messages().iter().enumerate() {
                if let Ok(e) = serde_json::from_str::<Envelope>(m.body().unwrap_or("")) {
                    if e.warnings.iter().any(|w| w.starts_with("unsolicited:")) {
                        shared
                            .marked_unsolicited
                            .lock()
                            .expect("not poisoned")
                            .insert(e.event_id.to_string());
                    }
                    seen.entry(queue.clone())
                        .or_default()
                        .entry(e.event_id.to_string())
                        .or_default()
                        .insert(m.message_id().unwrap_or_default().to_string());
                }
                if let Some(h) = m.receipt_handle() {
                    if let Ok(entry) = DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(h)
                        .build()
                    {
                        receipts.push(entry);
                    }
                }
            }
        }
        *shared.last_message.lock().expect("not poisoned") = Some(Instant::now());
        if let Err(e) = sqs
            .delete_message_batch()
            .queue_url(&url)
            .set_entries(Some(receipts))
            .send()
            .await
        {
            fail("deleting from", DisplayErrorContext(e).to_string());
        }
    }
}
