//! The local stand-in for the Lambda event source mapping: polls the table's stream and
//! feeds the inserts to the same dispatcher code the `stream-dispatcher` function runs,
//! with the same semantics: in order; on a failure, retry from the first failed record; after
//! `MaximumRetryAttempts` failed retries of the same record, send the batch's description
//! (`DDBStreamBatchInfo`, as Lambda does) to the on-failure destination and go on past it.

use anyhow::{Context, Result};
use aws_sdk_dynamodbstreams::types::{AttributeValue, ShardIteratorType};
use aws_sdk_dynamodbstreams::Client;
use ocen_shared::dispatch::{Dispatcher, StreamRecord};
use std::collections::BTreeMap;

/// What a poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    pub delivered: usize,
    pub parked: usize,
    pub skipped: usize,
    /// Sequence numbers that failed in the last attempt.
    pub failed: Vec<String>,
    /// Records given up on (sent to the on-failure destination).
    pub given_up: usize,
}

pub struct StreamPoller {
    client: Client,
    stream_arn: String,
    dispatcher: Dispatcher,
    /// Shard id → iterator to read next (None: the shard is closed and drained).
    iterators: BTreeMap<String, Option<String>>,
    /// Shard id → last sequence number delivered.
    checkpoints: BTreeMap<String, String>,
    /// Shard id → (first failed sequence number, failed attempts of it).
    attempts: BTreeMap<String, (String, i64)>,
    on_failure: Option<OnFailure>,
}

/// Where exhausted batches go, and after how many retries.
pub struct OnFailure {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    pub max_retries: i64,
}

impl StreamPoller {
    pub fn new(client: Client, stream_arn: impl Into<String>, dispatcher: Dispatcher) -> Self {
        StreamPoller {
            client,
            stream_arn: stream_arn.into(),
            dispatcher,
            iterators: BTreeMap::new(),
            checkpoints: BTreeMap::new(),
            attempts: BTreeMap::new(),
            on_failure: None,
        }
    }

    /// Give up on a record after `max_retries` failed retries, as the event source mapping's
    /// `MaximumRetryAttempts` and `DestinationConfig.OnFailure` do.
    pub fn with_on_failure(mut self, on_failure: OnFailure) -> Self {
        self.on_failure = Some(on_failure);
        self
    }

    /// One pass over every shard: read what is new, dispatch it. Returns the combined report.
    pub async fn poll_once(&mut self) -> Result<PollReport> {
        self.discover_shards().await?;
        let mut total = PollReport::default();
        let shards: Vec<String> = self.iterators.keys().cloned().collect();
        for shard in shards {
            let Some(Some(iterator)) = self.iterators.get(&shard).cloned() else {
                continue;
            };
            let out = self
                .client
                .get_records()
                .shard_iterator(iterator)
                .limit(100)
                .send()
                .await
                .context("GetRecords")?;
            let records: Vec<StreamRecord> =
                out.records().iter().filter_map(to_stream_record).collect();
            if records.is_empty() {
                self.iterators
                    .insert(shard, out.next_shard_iterator().map(str::to_string));
                continue;
            }
            let report = self.dispatcher.dispatch(&records).await;
            total.delivered += report.delivered;
            total.parked += report.parked;
            total.skipped += report.skipped;
            let exhausted = match (report.failed.first(), &self.on_failure) {
                (Some(first), Some(of)) => {
                    let entry = self
                        .attempts
                        .entry(shard.clone())
                        .or_insert_with(|| (first.clone(), 0));
                    if &entry.0 != first {
                        *entry = (first.clone(), 0);
                    }
                    entry.1 += 1;
                    entry.1 > of.max_retries
                }
                _ => false,
            };
            if exhausted {
                let failed: Vec<&StreamRecord> = records
                    .iter()
                    .filter(|r| report.failed.contains(&r.sequence_number))
                    .collect();
                self.send_on_failure(&shard, &failed).await?;
                self.attempts.remove(&shard);
                total.failed.extend(report.failed.iter().cloned());
                total.given_up += failed.len();
                if let Some(last) = records.last() {
                    self.checkpoints
                        .insert(shard.clone(), last.sequence_number.clone());
                }
                self.iterators
                    .insert(shard, out.next_shard_iterator().map(str::to_string));
                continue;
            }
            match report.failed.first() {
                None => {
                    self.attempts.remove(&shard);
                    if let Some(last) = records.last() {
                        self.checkpoints
                            .insert(shard.clone(), last.sequence_number.clone());
                    }
                    self.iterators
                        .insert(shard, out.next_shard_iterator().map(str::to_string));
                }
                Some(first_failed) => {
                    // Retry from the first failed record next time, like the event source mapping.
                    let it = self
                        .iterator(
                            &shard,
                            ShardIteratorType::AtSequenceNumber,
                            Some(first_failed),
                        )
                        .await?;
                    self.iterators.insert(shard, Some(it));
                    total.failed.extend(report.failed);
                }
            }
        }
        Ok(total)
    }

    /// Send a Lambda-style on-failure record for `failed` (in order) of `shard`.
    async fn send_on_failure(&self, shard: &str, failed: &[&StreamRecord]) -> Result<()> {
        let (Some(of), Some(first), Some(last)) = (&self.on_failure, failed.first(), failed.last())
        else {
            return Ok(());
        };
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let body = serde_json::json!({
            "requestContext": {
                "requestId": uuid::Uuid::new_v4().to_string(),
                "functionArn": "arn:aws:lambda:local:000000000000:function:stream-dispatcher",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": of.max_retries + 1
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": null},
            "version": "1.0",
            "timestamp": now,
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": first.sequence_number,
                "endSequenceNumber": last.sequence_number,
                "approximateArrivalOfFirstRecord": now,
                "approximateArrivalOfLastRecord": now,
                "batchSize": failed.len(),
                "streamArn": self.stream_arn
            }
        });
        tracing::error!(shard, start = %first.sequence_number, end = %last.sequence_number,
            "retries exhausted: batch sent to the on-failure destination");
        of.sqs
            .send_message()
            .queue_url(&of.queue_url)
            .message_body(body.to_string())
            .send()
            .await
            .context("sending to the on-failure destination")?;
        Ok(())
    }

    /// Poll until nothing new arrives for `idle_rounds` consecutive passes (tests).
    pub async fn drain(&mut self, idle_rounds: usize) -> Result<PollReport> {
        let mut total = PollReport::default();
        let mut idle = 0;
        while idle < idle_rounds {
            let r = self.poll_once().await?;
            if r.delivered == 0 && r.failed.is_empty() && r.skipped == 0 && r.parked == 0 {
                idle += 1;
            } else {
                idle = 0;
            }
            let failed = !r.failed.is_empty() && r.given_up == 0;
            total.delivered += r.delivered;
            total.parked += r.parked;
            total.skipped += r.skipped;
            total.given_up += r.given_up;
            total.failed = r.failed;
            if failed {
                break;
            }
        }
        Ok(total)
    }

    async fn discover_shards(&mut self) -> Result<()> {
        let out = self
            .client
            .describe_stream()
            .stream_arn(&self.stream_arn)
            .send()
            .await
            .context("DescribeStream")?;
        let shards: Vec<String> = out
            .stream_description()
            .map(|d| {
                d.shards()
                    .iter()
                    .filter_map(|s| s.shard_id().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for shard in shards {
            if self.iterators.contains_key(&shard) {
                continue;
            }
            let it = match self.checkpoints.get(&shard).cloned() {
                Some(seq) => {
                    self.iterator(&shard, ShardIteratorType::AfterSequenceNumber, Some(&seq))
                        .await?
                }
                None => {
                    self.iterator(&shard, ShardIteratorType::TrimHorizon, None)
                        .await?
                }
            };
            self.iterators.insert(shard, Some(it));
        }
        Ok(())
    }

    async fn iterator(
        &self,
        shard: &str,
        kind: ShardIteratorType,
        seq: Option<&String>,
    ) -> Result<String> {
        let out = self
            .client
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(shard)
            .shard_iterator_type(kind)
            .set_sequence_number(seq.cloned())
            .send()
            .await
            .context("GetShardIterator")?;
        Ok(out.shard_iterator().unwrap_or_default().to_string())
    }
}

/// The record as the dispatcher sees it: the new image's `S` and `N` attributes.
pub fn to_stream_record(r: &aws_sdk_dynamodbstreams::types::Record) -> Option<StreamRecord> {
    let data = r.dynamodb()?;
    let image = data
        .new_image()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| match v {
            AttributeValue::S(s) | AttributeValue::N(s) => Some((k.clone(), s.clone())),
            _ => None,
        })
        .collect();
    Some(StreamRecord {
        sequence_number: data.sequence_number()?.to_string(),
        event_name: r
            .event_name()
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        image,
    })
}

/// The dispatcher and poller of a local stack, as the template wires them in AWS: the
/// dispatcher's routes, delivery log and parked queue; the event source mapping's
/// `MaximumRetryAttempts` and on-failure destination.
pub fn for_stack(sdk: &aws_config::SdkConfig, stack: &crate::stack::LocalStack) -> StreamPoller {
    let dispatcher = dispatcher_for(sdk, stack, aws_sdk_sqs::Client::new(sdk));
    let poller = StreamPoller::new(Client::new(sdk), &stack.stream_arn, dispatcher);
    match stack.failure_queue_url() {
        Some(queue_url) => poller.with_on_failure(OnFailure {
            sqs: aws_sdk_sqs::Client::new(sdk),
            queue_url,
            max_retries: stack.resources.stream_max_retries.unwrap_or(50),
        }),
        None => poller,
    }
}

/// The dispatcher of a local stack, sending with `sqs`.
pub fn dispatcher_for(
    sdk: &aws_config::SdkConfig,
    stack: &crate::stack::LocalStack,
    sqs: aws_sdk_sqs::Client,
) -> Dispatcher {
    let config = stack.dispatcher_config();
    Dispatcher::new(
        std::sync::Arc::new(ocen_shared::publish::sqs::SqsPublisher::new(sqs)),
        std::sync::Arc::new(ocen_shared::store::dynamodb::DynamoStore::new(
            aws_sdk_dynamodb::Client::new(sdk),
            &config.table_name,
        )),
        config,
    )
}
