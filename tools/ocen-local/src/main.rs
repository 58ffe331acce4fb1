//! `ocen-local up` serves the callbacks locally; `ocen-local tail` prints the events.
//! Both expect a local AWS endpoint (moto's server); `make run` / `make tail` start one.

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use ocen_local::cli;
use ocen_local::devlender;
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::stack::{local_sdk_config, local_tool_sdk_config, LocalStack, DEFAULT_ENDPOINT};
use ocen_shared::auth::{registry, AuthMode};
use ocen_shared::config::{AuthConfig, CallbackConfig};
use ocen_shared::store::dynamodb::DynamoStore;
use ocen_shared::{CallbackService, CallbackType};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The system on this machine, against a local AWS endpoint (moto's server; `make run` starts
/// one): the callbacks on their production paths, the dispatcher, the consumer queues.
#[derive(Parser)]
#[command(name = "ocen-local", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the local stack is.
#[derive(clap::Args)]
struct StackArgs {
    /// The local AWS endpoint.
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL", default_value = DEFAULT_ENDPOINT)]
    endpoint: String,
    /// The local stack's name prefix.
    #[arg(long, default_value = "ocen-local")]
    prefix: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every callback on its production path, with the dispatcher feeding the consumer
    /// queues (creates the table, stream and queues of infra/template.yaml first).
    Up {
        #[command(flatten)]
        stack: StackArgs,
        /// The port callbacks are served on (127.0.0.1).
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Print events as they reach the consumer queues.
    Tail {
        #[command(flatten)]
        stack: StackArgs,
    },
    /// Create the resources and print the functions' environment, for
    /// `cargo lambda watch --env-file`.
    Env {
        #[command(flatten)]
        stack: StackArgs,
    },
    /// Print FILE's callback with a fresh metadata.timestamp, signed by the dev lender
    /// LENDER-ABC (v3 flattened JWS), for `curl -d @-`.
    Sign { file: PathBuf },
    /// Sign every events/*.json the same way into DIR.
    SignEvents {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Record in the local stack the LSP's request each events/*.json answers (in CORRELATION
    /// require, a callback without its request is refused: docs/idempotency.md).
    RequestEvents {
        #[command(flatten)]
        stack: StackArgs,
    },
    /// The callback registry: name, function package, template resource, paths, simulator
    /// weight, consumer queues (tab-separated, registry order).
    Callbacks,
    /// Print a shell completion script, e.g. `ocen-local completions bash`.
    Completions { shell: clap_complete::Shell },
}

const DEV_LENDERS_DIR: &str = ".local/dev-lenders";

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::from_arg_matches(&cli::with_types(Cli::command()).get_matches())
        .unwrap_or_else(|e| e.exit());
    ocen_shared::telemetry::init();
    match cli.command {
        Command::Up { stack, port } => up(stack, port).await,
        Command::Tail { stack } => tail(stack).await,
        Command::Env { stack: args } => {
            let (_, stack) = stack_of(&args).await?;
            let lenders = devlender::ensure(Path::new(DEV_LENDERS_DIR))?;
            print!("{}", lambda_env(&stack, &args.endpoint, &lenders));
            Ok(())
        }
        Command::Sign { file } => {
            let body =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let lenders = devlender::ensure(Path::new(DEV_LENDERS_DIR))?;
            println!(
                "{}",
                String::from_utf8(lenders.v3.sign_v3(&devlender::fresh(&body)))?
            );
            Ok(())
        }
        Command::Callbacks => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for t in CallbackType::ALL {
                let d = t.def();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    d.name,
                    d.package,
                    d.function,
                    d.paths.join(","),
                    d.weight,
                    d.queues.join(",")
                )?;
            }
            Ok(())
        }
        Command::SignEvents { out } => {
            let lenders = devlender::ensure(Path::new(DEV_LENDERS_DIR))?;
            let n = devlender::sign_events(&events_dir(), &out, &lenders.v3)?;
            eprintln!("signed {n} events into {}", out.display());
            Ok(())
        }
        Command::RequestEvents { stack } => {
            let (sdk, stack) = stack_of(&stack).await?;
            let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &stack.table_name);
            let n = request_events(&store).await?;
            eprintln!(
                "recorded the requests of {n} events in {}",
                stack.table_name
            );
            Ok(())
        }
        Command::Completions { shell } => {
            cli::print_completions(shell, Cli::command());
            Ok(())
        }
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

async fn stack_of(args: &StackArgs) -> Result<(aws_config::SdkConfig, LocalStack)> {
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

async fn up(args: StackArgs, port: u16) -> Result<()> {
    let (sdk, stack) = stack_of(&args).await?;
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

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{port} (use --port)"))?;
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

async fn tail(args: StackArgs) -> Result<()> {
    let (sdk, stack) = stack_of(&args).await?;
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
