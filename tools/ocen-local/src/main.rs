//! `ocen-local up` serves the callbacks locally; `ocen-local tail` prints the events.
//! Both expect a local AWS endpoint (moto's server); `make run` / `make tail` start one.

use anyhow::{bail, Context, Result};
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::poller::StreamPoller;
use ocen_local::stack::{local_sdk_config, LocalStack, DEFAULT_ENDPOINT};
use ocen_shared::config::CallbackConfig;
use ocen_shared::dispatch::Dispatcher;
use ocen_shared::publish::sqs::SqsPublisher;
use ocen_shared::store::dynamodb::DynamoStore;
use ocen_shared::{CallbackService, CallbackType};
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "usage: ocen-local up [--port 3000] [--endpoint URL] [--prefix ocen-local]
       ocen-local tail [--endpoint URL] [--prefix ocen-local]
       ocen-local env [--endpoint URL] [--prefix ocen-local]   (creates the resources, prints the
                      functions' environment for `cargo lambda watch --env-file`)

The endpoint defaults to $AWS_ENDPOINT_URL, else http://127.0.0.1:4566 (moto_server).";

struct Args {
    command: String,
    port: u16,
    endpoint: String,
    prefix: String,
}

fn parse_args() -> Result<Args> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let mut parsed = Args {
        command,
        port: 3000,
        endpoint: std::env::var("AWS_ENDPOINT_URL")
            .unwrap_or_else(|_| DEFAULT_ENDPOINT.to_string()),
        prefix: "ocen-local".to_string(),
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
            print!("{}", lambda_env(&stack, &args.endpoint));
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

async fn stack(args: &Args) -> Result<(aws_config::SdkConfig, LocalStack)> {
    let sdk = local_sdk_config(&args.endpoint).await;
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

/// The environment the Lambda functions need to run against the local stack.
fn lambda_env(stack: &LocalStack, endpoint: &str) -> String {
    let mut env = format!(
        "AWS_ENDPOINT_URL={endpoint}\nAWS_REGION={}\nAWS_ACCESS_KEY_ID=test\nAWS_SECRET_ACCESS_KEY=test\nTABLE_NAME={}\n",
        ocen_local::stack::LOCAL_REGION,
        stack.table_name
    );
    let routes = stack.dispatcher_config().routes;
    for t in CallbackType::ALL {
        let urls: Vec<&str> = routes[&t].iter().map(|q| q.url.as_str()).collect();
        env.push_str(&format!("QUEUES_{}={}\n", t.as_str(), urls.join(",")));
    }
    env
}

async fn up(args: Args) -> Result<()> {
    let (sdk, stack) = stack(&args).await?;
    std::fs::create_dir_all(".local").context("creating .local")?;
    std::fs::write(".local/lambda.env", lambda_env(&stack, &args.endpoint))
        .context("writing .local/lambda.env")?;
    println!("local AWS endpoint   {}", args.endpoint);
    println!(
        "table                {} (stream {})",
        stack.table_name, stack.stream_arn
    );
    for (name, url) in stack.consumer_queues() {
        println!("consumer queue       {name}: {url}");
    }

    let config = CallbackConfig::from_lookup(|k| match k {
        "TABLE_NAME" => Some(stack.table_name.clone()),
        other => std::env::var(other).ok(),
    })?;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &config.table_name);
    let service = CallbackService::new(Arc::new(store), &config);

    let dispatcher = Dispatcher::new(
        Arc::new(SqsPublisher::new(aws_sdk_sqs::Client::new(&sdk))),
        stack.dispatcher_config(),
    );
    let mut poller = StreamPoller::new(
        aws_sdk_dynamodbstreams::Client::new(&sdk),
        &stack.stream_arn,
        dispatcher,
    );
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
    for t in CallbackType::ALL {
        println!("  POST {base}{}", t.path());
    }
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
