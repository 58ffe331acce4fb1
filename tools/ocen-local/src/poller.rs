//! The local stand-in for the Lambda event source mapping: polls the table's stream and
//! feeds the inserts to the same dispatcher code the `stream-dispatcher` function runs,
//! with the same semantics (in order; on a failure, retry from the first failed record).

use anyhow::{Context, Result};
use aws_sdk_dynamodbstreams::types::{AttributeValue, ShardIteratorType};
use aws_sdk_dynamodbstreams::Client;
use ocen_shared::dispatch::{DispatchReport, Dispatcher, StreamRecord};
use ocen_shared::store::attr;
use std::collections::BTreeMap;

pub struct StreamPoller {
    client: Client,
    stream_arn: String,
    dispatcher: Dispatcher,
    /// Shard id → iterator to read next (None: the shard is closed and drained).
    iterators: BTreeMap<String, Option<String>>,
    /// Shard id → last sequence number delivered.
    checkpoints: BTreeMap<String, String>,
}

impl StreamPoller {
    pub fn new(client: Client, stream_arn: impl Into<String>, dispatcher: Dispatcher) -> Self {
        StreamPoller {
            client,
            stream_arn: stream_arn.into(),
            dispatcher,
            iterators: BTreeMap::new(),
            checkpoints: BTreeMap::new(),
        }
    }

    /// One pass over every shard: read what is new, dispatch it. Returns the combined report.
    pub async fn poll_once(&mut self) -> Result<DispatchReport> {
        self.discover_shards().await?;
        let mut total = DispatchReport::default();
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
            total.skipped += report.skipped;
            match report.failed.first() {
                None => {
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

    /// Poll until nothing new arrives for `idle_rounds` consecutive passes (tests).
    pub async fn drain(&mut self, idle_rounds: usize) -> Result<DispatchReport> {
        let mut total = DispatchReport::default();
        let mut idle = 0;
        while idle < idle_rounds {
            let r = self.poll_once().await?;
            if r.delivered == 0 && r.failed.is_empty() && r.skipped == 0 {
                idle += 1;
            } else {
                idle = 0;
            }
            let failed = !r.failed.is_empty();
            total.delivered += r.delivered;
            total.skipped += r.skipped;
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

fn to_stream_record(r: &aws_sdk_dynamodbstreams::types::Record) -> Option<StreamRecord> {
    let data = r.dynamodb()?;
    let event = match data.new_image().and_then(|img| img.get(attr::EVENT)) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    };
    Some(StreamRecord {
        sequence_number: data.sequence_number()?.to_string(),
        event_name: r
            .event_name()
            .map(|n| n.as_str().to_string())
            .unwrap_or_default(),
        event,
    })
}
