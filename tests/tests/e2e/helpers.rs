use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::poller::StreamPoller;
use ocen_local::stack::{local_sdk_config, LocalStack};
use ocen_shared::ack::AckBody;
use ocen_shared::auth::signing::SigningKey;
use ocen_shared::auth::{AuthMode, LenderRegistry};
use ocen_shared::dispatch::Dispatcher;
use ocen_shared::event::Envelope;
use ocen_shared::publish::sqs::SqsPublisher;
use ocen_shared::publish::EventPublisher;
use ocen_shared::request::{LspIds, SentRequest};
use ocen_shared::store::dynamodb::DynamoStore;
use ocen_shared::{CallbackService, CallbackType, Inbound};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// An address nothing listens on: connections are refused at once.
pub const DEAD_ENDPOINT: &str = "http://127.0.0.1:9";

/// The local AWS endpoint the end-to-end tests run against. Without one, every test fails
/// with how to run them (said once, not per test).
pub fn endpoint() -> String {
    static TOLD: std::sync::Once = std::sync::Once::new();
    match std::env::var("OCEN_TEST_ENDPOINT") {
        Ok(endpoint) => endpoint,
        Err(_) => {
            TOLD.call_once(|| {
                eprintln!(
                    "\nThe end-to-end tests need a local AWS endpoint (moto_server). Either run \
                     every test with `make test` (it starts one), or start one and name it:\n\n    \
                     .tools/venv/bin/python3 scripts/moto_server.py -p 4566 &   # installed by `make test` or `make run`\n    \
                     OCEN_TEST_ENDPOINT=http://127.0.0.1:4566 cargo test -p ocen-tests --test e2e\n"
                )
            });
            panic!("OCEN_TEST_ENDPOINT is not set (see above)")
        }
    }
}

/// Counts every HTTP request an SDK client sends (each attempt).
#[derive(Debug, Clone, Default)]
pub struct CallCounter(pub Arc<AtomicUsize>);

impl CallCounter {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

pub struct TestApp {
    pub sdk: aws_config::SdkConfig,
    pub stack: LocalStack,
    pub service: CallbackService,
    pub ddb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    /// AWS calls made by the callback service's DynamoDB client.
    pub store_calls: CallCounter,
}

pub async fn spawn_app() -> TestApp {
    let sdk = local_sdk_config(&endpoint()).await;
    let prefix = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let resources = Resources::load(&default_template_path()).expect("the template parses");
    let stack = LocalStack::create(&sdk, resources, &prefix)
        .await
        .expect("local resources are created");
    let store_calls = CallCounter::default();
    let counted = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .interceptor(store_calls.clone())
        .build();
    let service = service_with(
        aws_sdk_dynamodb::Client::from_conf(counted),
        &stack.table_name,
    );
    TestApp {
        ddb: aws_sdk_dynamodb::Client::new(&sdk),
        sqs: aws_sdk_sqs::Client::new(&sdk),
        sdk,
        stack,
        service,
        store_calls,
    }
}

/// The lender key the tests sign with (generated once per test run; never committed).
pub fn lender_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate("e2e-key-1").expect("an RSA key"))
}

/// Two v3 lenders (the sample's LENDER-ABC and LENDER-XYZ) and a v4 lender (LENDER-V4),
/// all signing with [`lender_key`].
pub fn registry() -> LenderRegistry {
    let pem = lender_key().public_pem().unwrap();
    let entry = |org: &str, scheme: &str| serde_json::json!({"orgId": org, "scheme": scheme, "keys": [{"kid": "e2e-key-1", "pem": pem}]});
    let json = serde_json::json!({"lenders": [entry("LENDER-ABC", "v3"), entry("LENDER-XYZ", "v3"), entry("LENDER-V4", "v4")]});
    LenderRegistry::parse(&json.to_string()).expect("a valid registry")
}

/// The production pipeline: signatures verified, default replay window.
pub fn service_with(client: aws_sdk_dynamodb::Client, table: &str) -> CallbackService {
    service_in_mode(client, table, "require")
}

/// [`service_with`] in correlation mode `mode` (`require`, `flag`, `off`).
pub fn service_in_mode(
    client: aws_sdk_dynamodb::Client,
    table: &str,
    mode: &str,
) -> CallbackService {
    let config = ocen_shared::testing::config(&[("TABLE_NAME", table), ("CORRELATION", mode)]);
    CallbackService::new(
        Arc::new(DynamoStore::new(client, table)),
        &config,
        AuthMode::Jws(registry()),
    )
}

impl TestApp {
    /// Post `body` signed (v3) as the lender in its `metadata.orgId`, after the LSP recorded
    /// the request it answers (docs/idempotency.md "Correlation": record first, then send).
    pub async fn post(&self, kind: CallbackType, body: &Value) -> (u16, AckBody) {
        self.sent(kind, body, LspIds::new()).await;
        post_with(&self.service, kind, body).await
    }

    /// [`post_v4`] after the LSP recorded the request it answers.
    pub async fn post_v4(&self, kind: CallbackType, body: &Value) -> (u16, AckBody) {
        let mut sent = body.clone();
        sent["metadata"]["orgId"] = Value::from("LENDER-V4");
        self.sent(kind, &sent, LspIds::new()).await;
        post_v4(&self.service, kind, body).await
    }

    /// Post `body` signed (v3) without recording a request: an unsolicited callback.
    pub async fn post_unsolicited(&self, kind: CallbackType, body: &Value) -> (u16, AckBody) {
        post_with(&self.service, kind, body).await
    }

    /// Record the request `body` answers (its `metadata.orgId` and `requestId`), sent now
    /// and to be answered within an hour, with the LSP's `ids`, as the LSP does before
    /// sending it. Nothing when the body names no valid lender or requestId (it is refused
    /// before the write anyway); a request already recorded or answered is left as it is.
    pub async fn sent(&self, kind: CallbackType, body: &Value, ids: LspIds) {
        self.sent_within(kind, body, ids, time::OffsetDateTime::now_utc(), 3600)
            .await
    }

    /// [`TestApp::sent`] at `sent_at`, to be answered within `seconds`.
    pub async fn sent_within(
        &self,
        kind: CallbackType,
        body: &Value,
        ids: LspIds,
        sent_at: time::OffsetDateTime,
        seconds: u64,
    ) {
        let (Some(org), Some(request_id)) = (
            body["metadata"]["orgId"].as_str(),
            body["requestId"].as_str(),
        ) else {
            return;
        };
        let Ok(request) = SentRequest::new(
            kind,
            org,
            request_id,
            ids,
            sent_at,
            std::time::Duration::from_secs(seconds),
        ) else {
            return;
        };
        self.store()
            .record_request(&request)
            .await
            .expect("the request is recorded");
    }

    /// A poller feeding the real dispatcher (with its delivery log) with the given SQS client.
    pub fn poller_with(&self, sqs: aws_sdk_sqs::Client) -> StreamPoller {
        StreamPoller::new(
            aws_sdk_dynamodbstreams::Client::new(&self.sdk),
            &self.stack.stream_arn,
            self.dispatcher_with(Arc::new(SqsPublisher::new(sqs))),
        )
    }

    /// The dispatcher as the template wires it, sending through `publisher`.
    pub fn dispatcher_with(&self, publisher: Arc<dyn EventPublisher>) -> Dispatcher {
        Dispatcher::new(
            publisher,
            Arc::new(self.store()),
            self.stack.dispatcher_config(),
        )
    }

    /// The local stand-in of the event source mapping, as the template configures it
    /// (retries, on-failure destination).
    pub fn poller(&self) -> StreamPoller {
        ocen_local::poller::for_stack(&self.sdk, &self.stack)
    }

    pub fn store(&self) -> DynamoStore {
        DynamoStore::new(self.ddb.clone(), &self.stack.table_name)
    }

    /// Callback records in the table (request records and delivery markers not counted).
    pub async fn item_count(&self) -> usize {
        let out = self
            .ddb
            .scan()
            .table_name(&self.stack.table_name)
            .filter_expression("attribute_exists(#e)")
            .expression_attribute_names("#e", ocen_shared::store::attr::EVENT)
            .send()
            .await
            .expect("scan");
        out.items().len()
    }

    pub fn queue_url(&self, logical_id: &str) -> String {
        self.stack.queue_urls[logical_id].clone()
    }

    /// Receive (and delete) everything on a queue until it stays empty; a message that
    /// travelled by reference is resolved from the table, as a consumer does.
    pub async fn drain_queue(
        &self,
        logical_id: &str,
    ) -> Vec<(Envelope, std::collections::HashMap<String, String>)> {
        let store = self.store();
        let mut out = Vec::new();
        for (body, attrs) in self.drain_raw(logical_id).await {
            let body = store.resolve(&body).await.expect("a resolvable message");
            out.push((serde_json::from_str(&body).expect("an envelope"), attrs));
        }
        out
    }

    /// Receive (and delete) every message body on a queue until it stays empty.
    pub async fn drain_raw(
        &self,
        logical_id: &str,
    ) -> Vec<(String, std::collections::HashMap<String, String>)> {
        let url = self.queue_url(logical_id);
        let mut out = Vec::new();
        let mut empty_rounds = 0;
        while empty_rounds < 2 {
            let r = self
                .sqs
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .message_attribute_names("All")
                .send()
                .await
                .expect("receive");
            if r.messages().is_empty() {
                empty_rounds += 1;
                continue;
            }
            empty_rounds = 0;
            for m in r.messages() {
                let body = m.body().unwrap().to_string();
                let attrs = m
                    .message_attributes()
                    .map(|a| {
                        a.iter()
                            .map(|(k, v)| {
                                (k.clone(), v.string_value().unwrap_or_default().to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.push((body, attrs));
                self.sqs
                    .delete_message()
                    .queue_url(&url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .expect("delete");
            }
        }
        out
    }

    /// `ApproximateNumberOfMessages` of the queue with this URL (what the DLQ and parked
    /// queue alarms watch).
    pub async fn queue_depth(&self, url: &str) -> usize {
        use aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages;
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(ApproximateNumberOfMessages)
            .send()
            .await
            .expect("queue attributes");
        out.attributes()
            .and_then(|a| a.get(&ApproximateNumberOfMessages))
            .and_then(|v| v.parse().ok())
            .expect("a depth")
    }

    /// Consumer queue logical ids for a callback type.
    pub fn queues_for(&self, kind: CallbackType) -> Vec<String> {
        self.stack.resources.routes[kind.as_str()].clone()
    }
}

pub async fn post_with(
    service: &CallbackService,
    kind: CallbackType,
    body: &Value,
) -> (u16, AckBody) {
    let signed = lender_key().sign_v3(&serde_json::to_vec(body).unwrap());
    let reply = service.handle(kind, Inbound::post(&signed)).await;
    (
        reply.status,
        serde_json::from_str(&reply.body).expect("every answer is an ack"),
    )
}

/// Post `body` as the v4 lender LENDER-V4 would: the raw bytes, a detached signature.
pub async fn post_v4(
    service: &CallbackService,
    kind: CallbackType,
    body: &Value,
) -> (u16, AckBody) {
    let mut body = body.clone();
    body["metadata"]["orgId"] = Value::from("LENDER-V4");
    let bytes = serde_json::to_vec(&body).unwrap();
    let signature = lender_key().sign_v4(&bytes);
    let reply = service
        .handle(
            kind,
            Inbound {
                method: "POST",
                content_type: Some("application/json"),
                signature: Some(&signature),
                body: &bytes,
            },
        )
        .await;
    (
        reply.status,
        serde_json::from_str(&reply.body).expect("every answer is an ack"),
    )
}

pub fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    *body.pointer_mut(pointer).expect("the pointer exists") = value;
    body
}
