//! `ocen-local up` serves the callbacks locally; `ocen-local tail` prints the events.
//! Both expect a local AWS endpoint (moto's server); `make run` / `make tail` start one.

use anyhow::{bail, Context, Result};
use ocen_local::devlender;
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::stack::{local_sdk_config, local_tool_sdk_config, LocalStack, DEFAULT_ENDPOINT};
use ocen_shared::auth::{registry, AuthMode};
use ocen_shared::config::{AuthConfig, CallbackConfig};
use ocen_shared::store::dynamodb::DynamoStore;
use ocen_shared::{CallbackService, CallbackType};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "usage: ocen-local up [--port 3000] [--endpoint URL] [--prefix ocen-local]
       ocen-local tail [--endpoint URL] [--prefix ocen-local]
       ocen-local env [--endpoint URL] [--prefix ocen-local]   (creates the resources, prints the
                      functions' environment for `cargo lambda watch --env-file`)
       ocen-local sign FILE          prints FILE's callback with a fresh metadata.timestamp, signed
                                     by the dev lender LENDER-ABC (v3 flattened JWS), for curl -d @-
       ocen-local sign-events --out DIR   signs every events/*.json the same way into DIR
       ocen-local request-events [--endpoint URL] [--prefix ocen-local]
                                     records in the local stack the LSP's request that each
                                     events/*.json answers (README Correlation: in mode
                                     require, a callback without its request is refused)
       ocen-local callbacks          the callback registry: name, function package, template
                                     resource, paths (tab-separated, registry order)

The endpoint defaults to $AWS_ENDPOINT_URL, else http://127.0.0.1:4566 (moto_server).";

struct Args {
    command: String,
    port: u16,
    endpoint: String,
    prefix: String,
    out: Option<String>,
    file: Option<String>,
}

const DEV_LENDERS_DIR: &str = ".local/dev-lenders";

fn parse_args() -> Result<Args> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let mut parsed = Args {
        command,
        port: 3000,
        endpoint: std::env::var("AWS_ENDPOINT_URL")
            .unwrap_or_else(|_| DEFAULT_ENDPOINT.to_string()),
        prefix: "ocen-local".to_string(),
        out: None,
        file: None,
    };
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--port" => parsed.port = value()?.parse().context("--port must be a number")?,
            "--endpoint" => parsed.endpoint = value()?,
            "--prefix" => parsed.prefix = value()?,
            "--out" => parsed.out = Some(value()?),
            other if !other.starts_with('-') && parsed.file.is_none() => {
                parsed.file = Some(other.to_string())
            }
            "-h" | "--help" => bail!("{USAGE}"),
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    ocen_shared::telemetry::init();
    match args.command.as_str() {
        "up" => up(args).await,
        "tail" => tail(args).await,
        "env" => {
            let (_, stack) = stack(&args).await?;
            let lenders = devlender::ensure(Path::new(DEV_LENDERS_DIR))?;
            print!("{}", lambda_env(&stack, &args.endpoint, &lenders));
            Ok(())
        }
        "sign" => {
            let file = args.file.as_deref().context("sign needs a FILE")?;
            let body = std::fs::read(file).with_context(|| format!("reading {file}"))?;
            let lenders = devlender::ensure(Path::new(DEV_LENDERS_DIR))?;
            println!(
                "{}",
                String::from_utf8(lenders.v3.sign_v3(&devlender::fresh(&body)))?
            );
            Ok(())
        }
        "callbacks" => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for t in CallbackType::ALL {
                let d = t.def();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    d.name,
                    d.package,
                    d.function,
                    d.paths.join(",")
                )?;
            }
            Ok(())
        }
        "sign-events" => {
            let out = args.out.as_deref().context("sign-events needs --out DIR")?;
            let lenders = devlender::ensure(Path::new(DEV_LENDERS_DIR))?;
            let n = devlender::sign_events(&events_dir(), Path::new(out), &lenders.v3)?;
            eprintln!("signed {n} events into {out}");
            Ok(())
        }
        "request-events" => {
            let (sdk, stack) = stack(&args).await?;
            let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &stack.table_name);
            let n = request_events(&store).await?;
            eprintln!(
                "recorded the requests of {n} events in {}",
                stack.table_name
            );
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

/// Record the request each committed event answers (its path's callback, its body's
/// `metadata.orgId` and `requestId`; sent now, to be answered within a day). Events whose
/// body names no valid ids are refused before the write anyway, and are passed over.
async fn request_events(store: &DynamoStore) -> Result<usize> {
    use ocen_shared::request::{LspIds, SentRequest};
    let mut recorded = 0;
    for entry in std::fs::read_dir(events_dir())? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let event: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
            .with_context(|| format!("{}", path.display()))?;
        let kind = event["rawPath"].as_str().and_then(CallbackType::from_path);
        let body: Option<serde_json::Value> = event["body"]
            .as_str()
            .and_then(|b| serde_json::from_str(b).ok());
        let (Some(kind), Some(body)) = (kind, body) else {
            continue;
        };
        let (Some(org), Some(request_id)) = (
            body["metadata"]["orgId"].as_str(),
            body["requestId"].as_str(),
        ) else {
            continue;
        };
        let now = time::OffsetDateTime::now_utc();
        let day = Duration::from_secs(86_400);
        if let Ok(request) = SentRequest::new(kind, org, request_id, LspIds::new(), now, day) {
            store.record_request(&request).await?;
            recorded += 1;
        }
    }
    Ok(recorded)
}

async fn stack(args: &Args) -> Result<(aws_config::SdkConfig, LocalStack)> {
    let sdk = local_tool_sdk_config(&args.endpoint).await;
    let resources = Resources::load(&default_template_path())?;
    let stack = LocalStack::create(&sdk, resources, &args.prefix)
        .await
        .with_context(|| {
            format!(
                "creating the local resources at {} (is moto_server running? `make run` starts it)",
                args.endpoint
            )
        })?;
    Ok((sdk, stack))
}

fn events_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

/// The environment the Lambda functions need to run against the local stack.
fn lambda_env(stack: &LocalStack, endpoint: &str, lenders: &devlender::DevLenders) -> String {
    let mut env = format!(
        "AWS_ENDPOINT_URL={endpoint}\nAWS_REGION={}\nAWS_ACCESS_KEY_ID=test\nAWS_SECRET_ACCESS_KEY=test\nTABLE_NAME={}\nLENDER_REGISTRY_FILE={}\n",
        ocen_local::stack::LOCAL_REGION,
        stack.table_name,
        lenders.registry_path.display()
    );
    let routes = stack.dispatcher_config().routes;
    for &t in CallbackType::ALL {
        let urls: Vec<&str> = routes[&t].iter().map(|q| q.url.as_str()).collect();
        env.push_str(&format!("QUEUES_{}={}\n", t.as_str(), urls.join(",")));
    }
    if let Some(url) = stack.parked_queue_url() {
        env.push_str(&format!("PARKED_QUEUE_URL={url}\n"));
    }
    env
}

async fn up(args: Args) -> Result<()> {
    let (sdk, stack) = stack(&args).await?;
    let lenders = devlender::ensure(Path::new(DEV_LENDERS_DIR))?;
    std::fs::write(
        ".local/lambda.env",
        lambda_env(&stack, &args.endpoint, &lenders),
    )
    .context("writing .local/lambda.env")?;
    devlender::sign_events(&events_dir(), Path::new(".local/events"), &lenders.v3)?;
    println!("local AWS endpoint   {}", args.endpoint);
    println!(
        "table                {} (stream {})",
        stack.table_name, stack.stream_arn
    );
    for (name, url) in stack.consumer_queues() {
        println!("consumer queue       {name}: {url}");
    }

    let registry_file = lenders.registry_path.display().to_string();
    let config = CallbackConfig::from_lookup(|k| match k {
        "TABLE_NAME" => Some(stack.table_name.clone()),
        "LENDER_REGISTRY_FILE" => Some(registry_file.clone()),
        other => std::env::var(other).ok(),
    })?;
    let auth = match &config.auth {
        AuthConfig::Disabled => AuthMode::Disabled,
        AuthConfig::Jws(source) => AuthMode::Jws(registry::load(source, &sdk).await?),
    };
    println!(
        "lenders              {} (v3) and {} (v4), registry {}",
        devlender::V3_ORG,
        devlender::V4_ORG,
        lenders.registry_path.display()
    );
    // The callbacks get the Lambda's own (tight) SDK budget; the poller keeps the lenient one.
    let lambda_sdk = local_sdk_config(&args.endpoint).await;
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&lambda_sdk),
        &config.table_name,
    );
    println!(
        "correlation          {} (CORRELATION; README \"Correlation\": record a request before its callback)",
        config.correlation.as_str()
    );
    let service = CallbackService::new(Arc::new(store), &config, auth);

    let mut poller = ocen_local::poller::for_stack(&sdk, &stack);
    let poll_task = tokio::spawn(async move {
        loop {
            match poller.poll_once().await {
                Ok(r) if !r.failed.is_empty() => {
                    tracing::warn!(
                        failed = r.failed.len(),
                        "dispatch failed; retrying from the first failed record"
                    );
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Ok(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                Err(e) => {
                    tracing::error!(error = format!("{e:#}"), "stream poll failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{} (use --port)", args.port))?;
    let base = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    println!("\ncallbacks served at  {base}");
    for &t in CallbackType::ALL {
        println!("  POST {base}{}", t.path());
    }
    println!("\nsign a callback as the dev lender and post it:");
    println!(
        "  ./target/debug/ocen-local sign body.json | curl -s {base}{} -H 'content-type: application/json' -d @-",
        ocen_shared::callbacks::disbursement::TYPE.path()
    );
    println!("\nevents: `make tail` in another terminal. Ctrl-C stops.");
    println!(
        "the Lambda binaries against this stack: cargo lambda watch --env-file .local/lambda.env\n"
    );
    let app = ocen_local::server::router(service, config.max_body_bytes);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    poll_task.abort();
    println!("stopped");
    Ok(())
}

async fn tail(args: Args) -> Result<()> {
    let (sdk, stack) = stack(&args).await?;
    let queues = stack.consumer_queues();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    println!(
        "tailing {} queue(s) at {}; Ctrl-C stops",
        queues.len(),
        args.endpoint
    );
    let mut stdout = std::io::stdout();
    loop {
        tokio::select! {
            r = ocen_local::tail::tail_once(&sqs, &queues, 1, &mut stdout) => { r?; }
            _ = tokio::signal::ctrl_c() => { println!("stopped"); return Ok(()); }
        }
    }
}
