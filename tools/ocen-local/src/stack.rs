//! Creates the template's table and queues on a local AWS endpoint (moto's server), under a
//! name prefix so each run or test has its own. Idempotent: existing resources are reused.

use crate::infra::Resources;
use anyhow::{anyhow, Context, Result};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use aws_sdk_sqs::types::QueueAttributeName;
use ocen_shared::config::DispatcherConfig;
use ocen_shared::publish::QueueTarget;
use ocen_shared::CallbackType;
use std::collections::BTreeMap;

pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4566";
pub const LOCAL_REGION: &str = "ap-south-1";

/// SDK configuration for a local endpoint as the Lambda functions have it: fixed test
/// credentials, a region, the shared (tight) timeouts and retries. No network call. For the
/// callbacks under test, so they answer exactly as they would in AWS.
pub async fn local_sdk_config(endpoint: &str) -> SdkConfig {
    local_config(endpoint)
        .timeout_config(ocen_shared::aws::timeouts())
        .retry_config(ocen_shared::aws::retries())
        .load()
        .await
}

/// SDK configuration for the local tools (stack creation, the stream poller and its
/// dispatcher, the simulator's queue reader): lenient timeouts and more attempts. A single
/// moto process under a load run answers in seconds rather than milliseconds, and the Lambda
/// budget (2 s per attempt) would turn that into spurious failures of the tooling, not of
/// the code under test.
pub async fn local_tool_sdk_config(endpoint: &str) -> SdkConfig {
    local_config(endpoint)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .operation_attempt_timeout(std::time::Duration::from_secs(30))
                .operation_timeout(std::time::Duration::from_secs(120))
                .build(),
        )
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(6))
        .load()
        .await
}

fn local_config(endpoint: &str) -> aws_config::ConfigLoader {
    let credentials =
        aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "ocen-local");
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(LOCAL_REGION))
        .credentials_provider(credentials)
}

/// What was created: names and URLs to wire the functions with.
#[derive(Debug, Clone)]
pub struct LocalStack {
    /// The name prefix of every resource.
    pub prefix: String,
    pub table_name: String,
    pub stream_arn: String,
    /// Logical id → queue URL.
    pub queue_urls: BTreeMap<String, String>,
    pub resources: Resources,
}

impl LocalStack {
    /// Create (or reuse) every data resource of the template under `prefix`.
    pub async fn create(sdk: &SdkConfig, resources: Resources, prefix: &str) -> Result<LocalStack> {
        let ddb = aws_sdk_dynamodb::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let table_name = format!("{prefix}-{}", resources.table.logical_id);
        let stream_arn = create_table(&ddb, &resources, &table_name).await?;
        let mut queue_urls: BTreeMap<String, String> = BTreeMap::new();
        for q in &resources.queues {
            let name = format!(
                "{prefix}-{}{}",
                q.logical_id,
                if q.fifo { ".fifo" } else { "" }
            );
            let mut attributes: BTreeMap<String, String> = q.attributes.clone();
            if let Some((dlq, max)) = &q.dead_letter {
                let dlq_url = queue_urls
                    .get(dlq)
                    .ok_or_else(|| anyhow!("{dlq} is not created yet"))?;
                let arn = queue_arn(&sqs, dlq_url).await?;
                attributes.insert(
                    "RedrivePolicy".into(),
                    format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":{max}}}"#),
                );
            }
            let mut req = sqs.create_queue().queue_name(&name);
            for (k, v) in attributes {
                req = req.attributes(QueueAttributeName::from(k.as_str()), v);
            }
            let out = req
                .send()
                .await
                .with_context(|| format!("creating queue {name}"))?;
            let url = out
                .queue_url()
                .ok_or_else(|| anyhow!("no URL for {name}"))?
                .to_string();
            queue_urls.insert(q.logical_id.clone(), url);
        }
        Ok(LocalStack {
            prefix: prefix.to_string(),
            table_name,
            stream_arn,
            queue_urls,
            resources,
        })
    }

    /// The dispatcher's routes, with the template's logical ids resolved to local URLs.
    pub fn dispatcher_config(&self) -> DispatcherConfig {
        let mut routes = std::collections::HashMap::new();
        for (t, targets) in &self.resources.routes {
            let kind =
                CallbackType::parse(t).expect("routes are validated when the template is read");
            routes.insert(
                kind,
                targets
                    .iter()
                    .map(|q| QueueTarget::new(&self.queue_urls[q]))
                    .collect(),
            );
        }
        DispatcherConfig {
            routes,
            table_name: self.table_name.clone(),
            parked_queue: self.parked_queue_url().map(QueueTarget::new),
        }
    }

    /// The dispatcher's parked queue, if the template has one.
    pub fn parked_queue_url(&self) -> Option<String> {
        self.resources
            .parked_queue
            .as_ref()
            .map(|q| self.queue_urls[q].clone())
    }

    /// The stream's on-failure destination: the queue the dispatcher's event source mapping
    /// sends exhausted batches to (`DestinationConfig.OnFailure`).
    pub fn failure_queue_url(&self) -> Option<String> {
        self.resources
            .on_failure_queue
            .as_ref()
            .map(|q| self.queue_urls[q].clone())
    }

    /// Consumer queues: (logical id, URL).
    pub fn consumer_queues(&self) -> Vec<(String, String)> {
        self.resources
            .consumer_queues()
            .into_iter()
            .map(|q| (q.logical_id.clone(), self.queue_urls[&q.logical_id].clone()))
            .collect()
    }
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<String> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .with_context(|| format!("reading the ARN of {url}"))?;
    out.attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or_else(|| anyhow!("{url} has no ARN"))
}

async fn create_table(
    ddb: &aws_sdk_dynamodb::Client,
    resources: &Resources,
    name: &str,
) -> Result<String> {
    let spec = &resources.table;
    if let Ok(existing) = ddb.describe_table().table_name(name).send().await {
        if let Some(arn) = existing.table().and_then(|t| t.latest_stream_arn()) {
            return Ok(arn.to_string());
        }
    }
    let out = ddb
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(&spec.hash_key)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(&spec.hash_key)
                .key_type(KeyType::Hash)
                .build()?,
        )
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(spec.stream_view_type.as_str()))
                .build()?,
        )
        .send()
        .await
        .with_context(|| format!("creating table {name}"))?;
    if let Some(attr) = &spec.ttl_attribute {
        ddb.update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attr)
                    .enabled(true)
                    .build()?,
            )
            .send()
            .await
            .with_context(|| format!("turning on TTL of {name}"))?;
    }
    out.table_description()
        .and_then(|t| t.latest_stream_arn())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("table {name} has no stream"))
}
