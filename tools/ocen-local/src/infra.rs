//! Reads the data resources from `infra/template.yaml`, the single source of truth: the
//! table (key, stream, TTL), the queues (FIFO, attributes, redrive) and the dispatcher's
//! routes. The local stack and the integration tests create exactly these.

use anyhow::{anyhow, bail, Context, Result};
use ocen_shared::CallbackType;
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The template beside this crate's workspace root.
pub fn default_template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub logical_id: String,
    pub hash_key: String,
    pub stream_view_type: String,
    pub ttl_attribute: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSpec {
    pub logical_id: String,
    pub fifo: bool,
    /// SQS attributes to create the queue with (without the redrive policy).
    pub attributes: BTreeMap<String, String>,
    /// Dead-letter queue (logical id) and maxReceiveCount.
    pub dead_letter: Option<(String, i64)>,
}

#[derive(Debug, Clone)]
pub struct Resources {
    pub table: TableSpec,
    /// DLQs first, so redrive policies can name them.
    pub queues: Vec<QueueSpec>,
    /// Callback type → consumer queues (logical ids), from the dispatcher's environment.
    pub routes: BTreeMap<String, Vec<String>>,
    /// The dispatcher's parked queue (logical id), from its `PARKED_QUEUE_URL`.
    pub parked_queue: Option<String>,
    /// The stream event source mapping's on-failure destination (logical id).
    pub on_failure_queue: Option<String>,
    /// The stream event source mapping's `MaximumRetryAttempts`.
    pub stream_max_retries: Option<i64>,
    /// Function logical id → the HTTP API paths it serves.
    pub paths: BTreeMap<String, Vec<String>>,
    /// Function logical id → its Timeout (seconds), after Globals.
    pub timeouts: BTreeMap<String, i64>,
    /// The parsed template, for checks that read more.
    pub raw: Value,
}

impl Resources {
    pub fn load(path: &Path) -> Result<Resources> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Resources> {
        let raw: Value = serde_yaml::from_str(text).context("template is not YAML")?;
        let resources = raw
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| anyhow!("no Resources"))?;
        let mut table = None;
        let mut queues = Vec::new();
        let mut routes = BTreeMap::new();
        let mut parked_queue = None;
        let mut on_failure_queue = None;
        let mut stream_max_retries = None;
        let mut paths = BTreeMap::new();
        let mut timeouts = BTreeMap::new();
        let global_timeout = raw
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .and_then(|f| f.get("Timeout"))
            .and_then(Value::as_i64);
        for (id, res) in resources {
            let id = id
                .as_str()
                .ok_or_else(|| anyhow!("resource id is not a string"))?
                .to_string();
            let props = res.get("Properties").cloned().unwrap_or(Value::Null);
            match res.get("Type").and_then(Value::as_str) {
                Some("AWS::DynamoDB::Table") => {
                    if table.is_some() {
                        bail!("more than one table");
                    }
                    table = Some(table_spec(&id, &props)?);
                }
                Some("AWS::SQS::Queue") => queues.push(queue_spec(&id, &props)?),
                Some("AWS::Serverless::Function") => {
                    if let Some(t) = props
                        .get("Timeout")
                        .and_then(Value::as_i64)
                        .or(global_timeout)
                    {
                        timeouts.insert(id.clone(), t);
                    }
                    let vars = props
                        .get("Environment")
                        .and_then(|e| e.get("Variables"))
                        .and_then(Value::as_mapping);
                    for (k, v) in vars.into_iter().flatten() {
                        if k.as_str() == Some("PARKED_QUEUE_URL") {
                            parked_queue = refs(v)
                                .with_context(|| format!("{id}: PARKED_QUEUE_URL"))?
                                .into_iter()
                                .next();
                            continue;
                        }
                        let Some(name) = k.as_str().and_then(|k| k.strip_prefix("QUEUES_")) else {
                            continue;
                        };
                        if CallbackType::parse(name).is_none() {
                            bail!("{id}: QUEUES_{name} names no callback type");
                        }
                        routes.insert(
                            name.to_string(),
                            refs(v).with_context(|| format!("{id}: QUEUES_{name}"))?,
                        );
                    }
                    let events = props.get("Events").and_then(Value::as_mapping);
                    for (_, ev) in events.into_iter().flatten() {
                        if ev.get("Type").and_then(Value::as_str) == Some("DynamoDB") {
                            let props = ev.get("Properties");
                            stream_max_retries = props
                                .and_then(|p| p.get("MaximumRetryAttempts"))
                                .and_then(Value::as_i64);
                            on_failure_queue = props
                                .and_then(|p| p.get("DestinationConfig"))
                                .and_then(|d| d.get("OnFailure"))
                                .and_then(|o| o.get("Destination"))
                                .and_then(get_att_resource);
                        }
                        if ev.get("Type").and_then(Value::as_str) == Some("HttpApi") {
                            if let Some(p) = ev
                                .get("Properties")
                                .and_then(|p| p.get("Path"))
                                .and_then(Value::as_str)
                            {
                                paths
                                    .entry(id.clone())
                                    .or_insert_with(Vec::new)
                                    .push(p.to_string());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        // DLQs (no redrive) before the queues that redrive into them.
        queues.sort_by_key(|q| q.dead_letter.is_some());
        let table = table.ok_or_else(|| anyhow!("no AWS::DynamoDB::Table"))?;
        for (t, targets) in &routes {
            for q in targets {
                if !queues.iter().any(|s| &s.logical_id == q) {
                    bail!("QUEUES_{t} refers to {q}, which is not a queue");
                }
            }
        }
        if let Some(q) = &parked_queue {
            if !queues.iter().any(|s| &s.logical_id == q) {
                bail!("PARKED_QUEUE_URL refers to {q}, which is not a queue");
            }
        }
        Ok(Resources {
            table,
            queues,
            routes,
            parked_queue,
            on_failure_queue,
            stream_max_retries,
            paths,
            timeouts,
            raw,
        })
    }

    pub fn queue(&self, logical_id: &str) -> Option<&QueueSpec> {
        self.queues.iter().find(|q| q.logical_id == logical_id)
    }

    /// Consumer queues: those some route sends to.
    pub fn consumer_queues(&self) -> Vec<&QueueSpec> {
        self.queues
            .iter()
            .filter(|q| self.routes.values().flatten().any(|r| r == &q.logical_id))
            .collect()
    }
}

/// `!GetAtt X.Arn` (or `{"Fn::GetAtt": [X, Arn]}`) → `X`.
fn get_att_resource(v: &Value) -> Option<String> {
    match tagged(v)? {
        (t, Value::String(s)) if t == "GetAtt" => s.split('.').next().map(str::to_string),
        (t, Value::Sequence(parts)) if t == "GetAtt" => parts.first()?.as_str().map(str::to_string),
        _ => None,
    }
}

/// `!Ref X` → `[X]`; `!Join [",", [!Ref A, !Ref B]]` → `[A, B]`.
fn refs(v: &Value) -> Result<Vec<String>> {
    match tagged(v).as_ref().map(|(t, v)| (t.as_str(), *v)) {
        Some(("Ref", Value::String(s))) => Ok(vec![s.clone()]),
        Some(("Join", Value::Sequence(args)))
            if args.len() == 2 && args[0].as_str() == Some(",") =>
        {
            let items = args[1]
                .as_sequence()
                .ok_or_else(|| anyhow!("!Join needs a list"))?;
            items
                .iter()
                .map(|i| refs(i).map(|mut r| r.remove(0)))
                .collect()
        }
        _ => bail!("expected !Ref or !Join of !Refs"),
    }
}

/// `!Tag value` (YAML short form) or `{"Fn::Tag": value}` / `{"Ref": value}` (long form).
fn tagged(v: &Value) -> Option<(String, &Value)> {
    match v {
        Value::Tagged(t) => Some((
            t.tag.to_string().trim_start_matches('!').to_string(),
            &t.value,
        )),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, val) = m.iter().next()?;
            let k = k.as_str()?;
            Some((k.strip_prefix("Fn::").unwrap_or(k).to_string(), val))
        }
        _ => None,
    }
}

fn table_spec(id: &str, props: &Value) -> Result<TableSpec> {
    let keys = props
        .get("KeySchema")
        .and_then(Value::as_sequence)
        .ok_or_else(|| anyhow!("{id}: no KeySchema"))?;
    let hash_key = keys
        .iter()
        .find(|k| k.get("KeyType").and_then(Value::as_str) == Some("HASH"))
        .and_then(|k| k.get("AttributeName").and_then(Value::as_str))
        .ok_or_else(|| anyhow!("{id}: no HASH key"))?
        .to_string();
    if keys.len() != 1 {
        bail!("{id}: the store expects a hash key only");
    }
    let stream_view_type = props
        .get("StreamSpecification")
        .and_then(|s| s.get("StreamViewType"))
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{id}: no stream"))?
        .to_string();
    let ttl = props.get("TimeToLiveSpecification");
    let ttl_attribute = match ttl {
        Some(t) if t.get("Enabled").and_then(Value::as_bool) == Some(true) => t
            .get("AttributeName")
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    };
    Ok(TableSpec {
        logical_id: id.to_string(),
        hash_key,
        stream_view_type,
        ttl_attribute,
    })
}

fn queue_spec(id: &str, props: &Value) -> Result<QueueSpec> {
    let mut attributes = BTreeMap::new();
    let fifo = props
        .get("FifoQueue")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if fifo {
        attributes.insert("FifoQueue".to_string(), "true".to_string());
    }
    for (prop, attr) in [
        ("ContentBasedDeduplication", "ContentBasedDeduplication"),
        ("VisibilityTimeout", "VisibilityTimeout"),
        ("MessageRetentionPeriod", "MessageRetentionPeriod"),
        ("DeduplicationScope", "DeduplicationScope"),
        ("FifoThroughputLimit", "FifoThroughputLimit"),
    ] {
        match props.get(prop) {
            Some(Value::Bool(b)) => {
                attributes.insert(attr.to_string(), b.to_string());
            }
            Some(Value::Number(n)) => {
                attributes.insert(attr.to_string(), n.to_string());
            }
            Some(Value::String(s)) => {
                attributes.insert(attr.to_string(), s.clone());
            }
            _ => {}
        }
    }
    let dead_letter = match props.get("RedrivePolicy") {
        None => None,
        Some(r) => {
            let target = r
                .get("deadLetterTargetArn")
                .ok_or_else(|| anyhow!("{id}: redrive without target"))?;
            let dlq = match tagged(target).as_ref().map(|(t, v)| (t.as_str(), *v)) {
                Some(("GetAtt", Value::String(s))) => s.strip_suffix(".Arn").map(str::to_string),
                Some(("GetAtt", Value::Sequence(parts)))
                    if parts.len() == 2 && parts[1].as_str() == Some("Arn") =>
                {
                    parts[0].as_str().map(str::to_string)
                }
                _ => None,
            }
            .ok_or_else(|| anyhow!("{id}: deadLetterTargetArn must be !GetAtt <Queue>.Arn"))?;
            let max = r
                .get("maxReceiveCount")
                .and_then(Value::as_i64)
                .ok_or_else(|| anyhow!("{id}: no maxReceiveCount"))?;
            Some((dlq, max))
        }
    };
    Ok(QueueSpec {
        logical_id: id.to_string(),
        fifo,
        attributes,
        dead_letter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_declares_the_table_queues_and_routes_the_code_expects() {
        let r = Resources::load(&default_template_path()).unwrap();
        assert_eq!(r.table.hash_key, ocen_shared::store::attr::KEY);
        assert_eq!(r.table.stream_view_type, "NEW_IMAGE");
        assert_eq!(
            r.table.ttl_attribute.as_deref(),
            Some(ocen_shared::store::attr::EXPIRES_AT)
        );
        for &t in CallbackType::ALL {
            assert!(!r.routes[t.as_str()].is_empty(), "{t} has a route");
        }
        assert!(r.queue("DisbursementLedgerQueue").unwrap().fifo);
    }

    #[test]
    fn dead_letter_queues_come_before_the_queues_that_use_them() {
        let r = Resources::load(&default_template_path()).unwrap();
        for (i, q) in r.queues.iter().enumerate() {
            if let Some((dlq, _)) = &q.dead_letter {
                let j = r
                    .queues
                    .iter()
                    .position(|x| &x.logical_id == dlq)
                    .expect("the DLQ exists");
                assert!(j < i, "{dlq} before {}", q.logical_id);
            }
        }
    }

    #[test]
    fn a_route_to_an_undeclared_queue_is_an_error() {
        let text = "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n      StreamSpecification: {StreamViewType: NEW_IMAGE}\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          QUEUES_DISBURSEMENT_RESPONSE: !Ref Nowhere\n";
        let err = Resources::parse(text).unwrap_err();
        assert!(format!("{err:#}").contains("Nowhere"), "{err:#}");
    }
}
