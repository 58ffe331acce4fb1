//! Prints the events arriving on the local consumer queues, one readable block per event,
//! and deletes them (they are consumed).

use anyhow::{Context, Result};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use aws_sdk_sqs::Client;
use serde_json::Value;

/// Receive from every queue once (long-polling `wait_seconds`); print and delete what came.
pub async fn tail_once(
    sqs: &Client,
    queues: &[(String, String)],
    wait_seconds: i32,
    out: &mut impl std::io::Write,
) -> Result<usize> {
    let mut count = 0;
    for (name, url) in queues {
        let received = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_seconds)
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::MessageGroupId)
            .send()
            .await
            .with_context(|| format!("receiving from {name}"))?;
        for m in received.messages() {
            count += 1;
            writeln!(out, "{}", render(name, m.body().unwrap_or("")))?;
            if let Some(handle) = m.receipt_handle() {
                sqs.delete_message()
                    .queue_url(url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .context("deleting a message")?;
            }
        }
    }
    Ok(count)
}

/// One event, readable: a header line and the indented payload.
pub fn render(queue: &str, body: &str) -> String {
    let Ok(envelope) = serde_json::from_str::<Value>(body) else {
        return format!("── {queue}: (not an envelope) {body}");
    };
    let f = |k: &str| {
        envelope
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_string()
    };
    let payload = serde_json::to_string_pretty(&envelope["payload"]).unwrap_or_default();
    format!(
        "── {queue} ── {} requestId={} orgId={}\n   eventId={} traceId={} receivedAt={} orderingKey={}\n{}",
        f("type"),
        f("requestId"),
        f("orgId"),
        f("eventId"),
        f("traceId"),
        f("receivedAt"),
        f("orderingKey"),
        payload.lines().map(|l| format!("   {l}")).collect::<Vec<_>>().join("\n")
    )
}
