//! Cold start of a callback function under a local Lambda Runtime API emulator: the time
//! from process start to (a) its first `next` request (init done) and (b) the first answered
//! invocation (a valid, signed callback answering a recorded request, stored in the local
//! endpoint). Median and max of repeated runs, each a fresh process of the release binary.
//! Target ≤ 10 ms for the largest function.
//!
//!   cargo build --release -p create-loan-applications-response
//!   OCEN_TEST_ENDPOINT=http://127.0.0.1:4566 COLD_START_CALLBACK=create-loan-applications-response \
//!     cargo bench -p ocen-tests --bench cold_start
//!   (COLD_START_CALLBACK is the function's package, default disbursement-response;
//!   COLD_START_RUNS=20; `make bench STEPS=cold` builds and measures the largest callback
//!   function. COLD_START_ENV="K=V K2=V2" adds variables to the function's environment, for
//!   experiments: e.g. SSL_CERT_FILE=/dev/null shows what loading the system's CA bundle
//!   costs. COLD_START_BINARY names another build of the function, to compare two.)

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::stack::{local_sdk_config, LocalStack};
use ocen_shared::auth::signing::SigningKey;
use ocen_shared::request::{LspIds, SentRequest};
use ocen_shared::store::dynamodb::DynamoStore;
use ocen_shared::testing::sample_body;
use ocen_shared::CallbackType;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

#[derive(Debug)]
enum Signal {
    Next(Instant),
    Response(Instant, String),
    Error(String),
}

struct Emulator {
    event: Mutex<Option<String>>,
    tx: mpsc::UnboundedSender<Signal>,
}

async fn next(State(e): State<Arc<Emulator>>) -> (HeaderMap, String) {
    let _ = e.tx.send(Signal::Next(Instant::now()));
    let event = e.event.lock().unwrap().take();
    match event {
        Some(body) => {
            let mut h = HeaderMap::new();
            h.insert("lambda-runtime-aws-request-id", "req-1".parse().unwrap());
            h.insert(
                "lambda-runtime-deadline-ms",
                (now_ms() + 10_000).to_string().parse().unwrap(),
            );
            h.insert(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:ap-south-1:123456789012:function:bench"
                    .parse()
                    .unwrap(),
            );
            h.insert(
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000;Sampled=0"
                    .parse()
                    .unwrap(),
            );
            (h, body)
        }
        None => std::future::pending().await,
    }
}

async fn response(
    State(e): State<Arc<Emulator>>,
    Path(_id): Path<String>,
    body: String,
) -> &'static str {
    let _ = e.tx.send(Signal::Response(Instant::now(), body));
    "{}"
}

async fn error(State(e): State<Arc<Emulator>>, body: String) -> &'static str {
    let _ = e.tx.send(Signal::Error(body));
    "{}"
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let Ok(endpoint) = std::env::var("OCEN_TEST_ENDPOINT") else {
        eprintln!("cold_start: set OCEN_TEST_ENDPOINT to a local AWS endpoint (make bench does)");
        std::process::exit(2);
    };
    let package =
        std::env::var("COLD_START_CALLBACK").unwrap_or_else(|_| "disbursement-response".into());
    let Some(kind) = CallbackType::ALL
        .iter()
        .copied()
        .find(|k| k.def().package == package)
    else {
        eprintln!("cold_start: COLD_START_CALLBACK={package} is no callback function's package");
        std::process::exit(2);
    };
    // `make bench` names the binary it built (its target dir may be `CARGO_TARGET_DIR`'s);
    // any other binary may be named to compare two builds.
    let binary = std::env::var_os("COLD_START_BINARY")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../target/release")
                .join(&package)
        });
    if !binary.exists() {
        eprintln!("cold_start: build the function first: cargo build --release -p {package}");
        std::process::exit(2);
    }
    let runs: usize = std::env::var("COLD_START_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let sdk = local_sdk_config(&endpoint).await;
    let stack = LocalStack::create(
        &sdk,
        Resources::load(&default_template_path()).unwrap(),
        &format!("cold{}", std::process::id()),
    )
    .await
    .unwrap();
    let key = SigningKey::generate("cold").unwrap();
    let registry = serde_json::json!({"lenders": [{"orgId": "LENDER-ABC", "scheme": "v3", "keys": [{"kid": "cold", "pem": key.public_pem().unwrap()}]}]}).to_string();
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        stack.table_name.clone(),
    );
    let path = kind.path();
    let route = format!("POST {path}");
    // The callback answers a request the LSP recorded first (CORRELATION's default, require).
    let api_event = |i: usize| {
        let body = sample_body(kind, &format!("cold-{i}"));
        let request = SentRequest::new(
            kind,
            body["metadata"]["orgId"].as_str().unwrap(),
            body["requestId"].as_str().unwrap(),
            LspIds::new(),
            time::OffsetDateTime::now_utc(),
            Duration::from_secs(3600),
        )
        .unwrap();
        let body = key.sign_v3(&serde_json::to_vec(&body).unwrap());
        let event = serde_json::json!({
            "version": "2.0", "routeKey": route,
            "rawPath": path, "rawQueryString": "",
            "headers": {"content-type": "application/json"},
            "requestContext": {"accountId": "123456789012", "apiId": "bench", "domainName": "localhost", "domainPrefix": "localhost",
                "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"},
                "requestId": "r", "routeKey": route, "stage": "$default", "time": "01/Jan/2024:00:00:00 +0000", "timeEpoch": 0},
            "body": String::from_utf8(body).unwrap(), "isBase64Encoded": false
        })
        .to_string();
        (request, event)
    };

    let (mut init, mut first) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let (request, event) = api_event(i);
        if kind.def().answers_request {
            store
                .record_request(&request)
                .await
                .expect("the request is recorded");
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let emulator = Arc::new(Emulator {
            event: Mutex::new(Some(event)),
            tx,
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(error))
            .with_state(emulator);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let started = Instant::now();
        let mut child = std::process::Command::new(&binary)
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .env("AWS_REGION", "ap-south-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("TABLE_NAME", &stack.table_name)
            .env("LENDER_REGISTRY_JSON", &registry)
            .env("RUST_LOG", "error")
            .envs(extra_env())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the function binary starts");
        let mut got_init = None;
        let deadline = tokio::time::sleep(Duration::from_secs(10));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                s = rx.recv() => match s {
                    Some(Signal::Next(t)) if got_init.is_none() => got_init = Some(t - started),
                    Some(Signal::Next(_)) => {}
                    Some(Signal::Response(t, body)) => {
                        assert!(body.contains("\\\"error\\\":\\\"0\\\""), "first invocation answered {body}");
                        first.push((t - started).as_secs_f64() * 1000.0);
                        break;
                    }
                    Some(Signal::Error(e)) => panic!("the function reported an error: {e}"),
                    None => panic!("emulator stopped"),
                },
                _ = &mut deadline => panic!("no answer within 10 s"),
            }
        }
        init.push(got_init.expect("next before response").as_secs_f64() * 1000.0);
        let _ = child.kill();
        let _ = child.wait();
        server.abort();
    }
    let (init_max, first_max) = (
        init.iter().cloned().fold(0.0, f64::max),
        first.iter().cloned().fold(0.0, f64::max),
    );
    println!("cold start of {}, {runs} fresh processes", binary.display());
    println!(
        "  process start → init done (first next)     median {:.1} ms   max {init_max:.1} ms",
        median(&mut init)
    );
    println!("  process start → first answered invocation  median {:.1} ms   max {first_max:.1} ms   (target <= 10 ms)", median(&mut first));
}

/// `COLD_START_ENV="K=V K2=V2"`: extra variables for the function's environment.
fn extra_env() -> Vec<(String, String)> {
    std::env::var("COLD_START_ENV")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
