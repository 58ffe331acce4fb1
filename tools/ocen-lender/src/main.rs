//! `ocen-lender`: the lender simulator. Generates valid callbacks (randomised, seedable),
//! signs them as a registered lender (v3 or v4 scheme) and sends them to a base URL
//! (default: the local stack of `make run`).
//!
//! `ocen-lender --help` lists the commands; `ocen-lender load --help` the load run's options.
//!
//! As an LSP would, the simulator records each callback's request (docs/idempotency.md "Correlation")
//! before it sends the callback; `--unsolicited` callbacks answer no recorded request and
//! must be refused (`LSP4011`, `--correlation require`, the default) or recorded with the
//! warning `unsolicited` (`--correlation flag`); `--verify` checks which.

mod gen;
mod report;
mod verify;

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use futures::StreamExt;
use gen::Rng;
use indicatif::{ProgressBar, ProgressStyle};
use ocen_local::cli;
use ocen_local::devlender;
use ocen_shared::auth::signing::SigningKey;
use ocen_shared::request::{IdValue, LspIds, SentRequest};
use ocen_shared::store::dynamodb::DynamoStore;
use ocen_shared::CallbackType;
use report::{Outcome, Report};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The lender simulator: generates valid callbacks (randomised, seedable), signs them as
/// the local dev lender of a scheme and sends them, recording each one's request first as
/// the LSP would.
#[derive(Parser)]
#[command(name = "ocen-lender", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Common {
    /// The service's base URL.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    /// The signing scheme (the dev lender LENDER-ABC signs v3, LENDER-V4 v4).
    #[arg(long, value_parser = ["v3", "v4"], default_value = "v3")]
    scheme: String,
    /// The generator's seed: the same seed, the same callbacks.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// The local stack's AWS endpoint (requests are recorded in its table; --verify reads
    /// its queues).
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL",
          default_value = ocen_local::stack::DEFAULT_ENDPOINT)]
    endpoint: String,
    /// The local stack's name prefix.
    #[arg(long, default_value = "ocen-local")]
    prefix: String,
    /// Record requests in this table with the ambient AWS credentials instead.
    #[arg(long, value_name = "NAME", conflicts_with = "no_requests")]
    table: Option<String>,
    /// Record no requests (a target in CORRELATION=off).
    #[arg(long)]
    no_requests: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Send one callback (generated, or FILE's body re-stamped), signed; print the answer.
    Send {
        /// The callback type (listed below) [default: DISBURSEMENT_RESPONSE].
        #[arg(long = "type", value_name = "TYPE", value_parser = cli::callback_type(), hide_possible_values = true)]
        kind: Option<CallbackType>,
        /// The body to send (its metadata.timestamp is renewed).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Send many callbacks concurrently, in the journey's proportions of every type; report
    /// the acks, latencies and (--verify) the events on the consumer queues. Exit 1 on any
    /// unexpected answer or event.
    Load {
        /// How many callbacks.
        #[arg(short = 'n', long = "count", default_value_t = 1000)]
        n: u64,
        /// How many in flight.
        #[arg(short = 'c', long, default_value_t = 16,
              value_parser = clap::value_parser!(u64).range(1..))]
        concurrency: u64,
        /// The fraction sent again (expect the first ack).
        #[arg(long, value_name = "FRACTION", default_value_t = 0.0, value_parser = fraction)]
        duplicates: f64,
        /// The fraction spoiled (expect the spec's refusal code).
        #[arg(long, value_name = "FRACTION", default_value_t = 0.0, value_parser = fraction)]
        invalid: f64,
        /// The fraction answering no recorded request.
        #[arg(long, value_name = "FRACTION", default_value_t = 0.0, value_parser = fraction)]
        unsolicited: f64,
        /// The target's CORRELATION: unsolicited callbacks are refused (require) or recorded
        /// with a warning (flag).
        #[arg(long, value_parser = ["require", "flag"], default_value = "require")]
        correlation: String,
        /// Read the consumer queues and check every accepted callback's event arrived once.
        #[arg(long)]
        verify: bool,
        /// Only this callback type (listed below) [default: the journey's mix].
        #[arg(long = "type", value_name = "TYPE", value_parser = cli::callback_type(), hide_possible_values = true)]
        kind: Option<CallbackType>,
        #[command(flatten)]
        common: Common,
    },
    /// Send the callbacks of FILE, one JSON object per line: {"type": "...", "body": {...}}.
    Replay {
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Print a shell completion script, e.g. `ocen-lender completions bash`.
    Completions { shell: clap_complete::Shell },
}

fn fraction(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| format!("{text} is not a fraction between 0 and 1"))
}

/// What a run needs, from any command.
struct Args {
    command: &'static str,
    url: String,
    scheme: String,
    seed: u64,
    json: bool,
    n: u64,
    concurrency: usize,
    duplicates: f64,
    invalid: f64,
    unsolicited: f64,
    flag: bool,
    record_requests: bool,
    table: Option<String>,
    verify: bool,
    endpoint: String,
    prefix: String,
    kind: Option<CallbackType>,
    file: Option<PathBuf>,
}

impl Args {
    fn new(command: &'static str, c: Common) -> Args {
        Args {
            command,
            url: c.url.trim_end_matches('/').to_string(),
            scheme: c.scheme,
            seed: c.seed,
            json: c.json,
            n: 1,
            concurrency: 1,
            duplicates: 0.0,
            invalid: 0.0,
            unsolicited: 0.0,
            flag: false,
            record_requests: !c.no_requests,
            table: c.table,
            verify: false,
            endpoint: c.endpoint,
            prefix: c.prefix,
            kind: None,
            file: None,
        }
    }
}

fn parse_args() -> Result<Option<Args>> {
    let cli = Cli::from_arg_matches(&cli::with_types(Cli::command()).get_matches())
        .unwrap_or_else(|e| e.exit());
    let a = match cli.command {
        Command::Send { kind, file, common } => Args {
            kind,
            file,
            ..Args::new("send", common)
        },
        Command::Load {
            n,
            concurrency,
            duplicates,
            invalid,
            unsolicited,
            correlation,
            verify,
            kind,
            common,
        } => Args {
            n,
            concurrency: concurrency as usize,
            duplicates,
            invalid,
            unsolicited,
            flag: correlation == "flag",
            verify,
            kind,
            ..Args::new("load", common)
        },
        Command::Replay { file, common } => Args {
            file: Some(file),
            ..Args::new("replay", common)
        },
        Command::Completions { shell } => {
            cli::print_completions(shell, Cli::command());
            return Ok(None);
        }
    };
    if a.duplicates + a.invalid + a.unsolicited > 1.0 {
        bail!("--duplicates, --invalid and --unsolicited add up to more than 1");
    }
    if a.unsolicited > 0.0 && !a.record_requests {
        bail!("--unsolicited needs the other callbacks' requests recorded (not --no-requests)");
    }
    Ok(Some(a))
}

/// The signing lender: the local dev lender of the chosen scheme.
struct Lender {
    org: &'static str,
    key: SigningKey,
    v4: bool,
}

fn lender(scheme: &str) -> Result<Lender> {
    let lenders = devlender::ensure(Path::new(".local/dev-lenders"))?;
    Ok(match scheme {
        "v3" => Lender {
            org: devlender::V3_ORG,
            key: lenders.v3,
            v4: false,
        },
        "v4" => Lender {
            org: devlender::V4_ORG,
            key: lenders.v4,
            v4: true,
        },
        other => bail!("--scheme must be v3 or v4, not {other}"),
    })
}

/// One request to send: what it is and what the simulator expects back.
#[derive(Clone)]
struct Planned {
    kind: CallbackType,
    body: Vec<u8>,
    signature: Option<String>,
    expect: Outcome,
    request_id: Option<String>,
    /// The LSP's request it answers, recorded before it is sent (none: unsolicited, or a
    /// body without valid ids).
    request: Option<SentRequest>,
}

/// The LSP's request `body` answers: sent now, to be answered within an hour, about one
/// loan application. `None` when the body names no valid lender or requestId.
fn request_of(kind: CallbackType, body: &Value) -> Option<SentRequest> {
    let request_id = body["requestId"].as_str()?;
    let ids = LspIds::new()
        .with(
            "loanApplicationIds",
            IdValue::Many(vec![format!("APP-{request_id}")]),
        )
        .ok()?;
    SentRequest::new(
        kind,
        body["metadata"]["orgId"].as_str()?,
        request_id,
        ids,
        time::OffsetDateTime::now_utc(),
        Duration::from_secs(3600),
    )
    .ok()
}

/// Where requests are recorded: the local stack's table, or `--table` in AWS.
async fn requests_store(args: &Args) -> Result<Option<DynamoStore>> {
    if !args.record_requests {
        return Ok(None);
    }
    Ok(Some(match &args.table {
        Some(table) => {
            let sdk = ocen_shared::aws::sdk_config().await?;
            DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table)
        }
        None => {
            let sdk = ocen_local::stack::local_tool_sdk_config(&args.endpoint).await;
            let resources =
                ocen_local::infra::Resources::load(&ocen_local::infra::default_template_path())?;
            let stack = ocen_local::stack::LocalStack::create(&sdk, resources, &args.prefix)
                .await
                .with_context(|| format!("the local stack {} at {} (is `make run` up? else --table or --no-requests)", args.prefix, args.endpoint))?;
            DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &stack.table_name)
        }
    }))
}

fn sign(lender: &Lender, body: &Value) -> (Vec<u8>, Option<String>) {
    let raw = serde_json::to_vec(body).expect("a value serialises");
    if lender.v4 {
        let sig = lender.key.sign_v4(&raw);
        (raw, Some(sig))
    } else {
        (lender.key.sign_v3(&raw), None)
    }
}

async fn send_one(
    client: &reqwest::Client,
    url: &str,
    p: &Planned,
) -> (Duration, Result<(u16, String)>) {
    let started = Instant::now();
    let mut req = client
        .post(format!("{url}{}", p.kind.path()))
        .header("content-type", "application/json")
        .body(p.body.clone());
    if let Some(sig) = &p.signature {
        req = req.header(ocen_shared::auth::SIGNATURE_HEADER, sig);
    }
    let result = async {
        let resp = req.send().await.context("sending")?;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.context("the answer is not JSON")?;
        Ok((
            status,
            body["ack"]["error"].as_str().unwrap_or("?").to_string(),
        ))
    }
    .await;
    (started.elapsed(), result)
}

async fn run(plan: Vec<Planned>, args: &Args, requests: Option<DynamoStore>) -> Result<Report> {
    let requests = requests.map(Arc::new);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let bar = if args.json || plan.len() < 2 {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(plan.len() as u64).with_style(
            ProgressStyle::with_template(
                "{spinner} {bar:40} {pos}/{len} callbacks  {per_sec}  eta {eta}",
            )
            .expect("a valid template"),
        )
    };
    let started = Instant::now();
    let url = Arc::new(args.url.clone());
    let results: Vec<_> = futures::stream::iter(plan.into_iter().map(|p| {
        let (client, url, bar) = (client.clone(), url.clone(), bar.clone());
        let requests = requests.clone();
        async move {
            // Record first, then send (not timed: the LSP's cost, not the callback's).
            if let (Some(store), Some(request)) = (&requests, &p.request) {
                if let Err(e) = store.record_request(request).await {
                    bar.inc(1);
                    let e = anyhow::anyhow!("the request was not recorded: {e}");
                    return (p, Duration::ZERO, Err(e));
                }
            }
            let (latency, result) = send_one(&client, &url, &p).await;
            bar.inc(1);
            (p, latency, result)
        }
    }))
    .buffered(args.concurrency)
    .collect()
    .await;
    bar.finish_and_clear();
    let mut report = Report::new(started.elapsed(), args.flag);
    for (p, latency, result) in results {
        report.record(p.expect, p.request_id.map(|r| (p.kind, r)), latency, result);
    }
    Ok(report)
}

/// `body` as given (`send --file`, `replay`), with a fresh `metadata.timestamp`, signed; any
/// answer is as expected.
fn planned_as_is(lender: &Lender, kind: CallbackType, body: &Value) -> Result<Planned> {
    let body: Value = serde_json::from_slice(&devlender::fresh(&serde_json::to_vec(body)?))?;
    let (raw, signature) = sign(lender, &body);
    Ok(Planned {
        kind,
        body: raw,
        signature,
        expect: Outcome::Any,
        request_id: None,
        request: request_of(kind, &body),
    })
}

fn plan_load(args: &Args, lender: &Lender) -> Vec<Planned> {
    let mut rng = Rng::new(args.seed);
    let mut sent: Vec<Planned> = Vec::new();
    let mut plan = Vec::with_capacity(args.n as usize);
    for i in 0..args.n {
        let kind = args.kind.unwrap_or_else(|| gen::kind_for(i));
        if !sent.is_empty() && rng.chance(args.duplicates) {
            let mut dup = rng.pick(&sent).clone();
            dup.expect = Outcome::Duplicate;
            plan.push(dup);
            continue;
        }
        let mut body = gen::callback(&mut rng, kind, lender.org, i);
        let request_id = body["requestId"].as_str().map(str::to_string);
        let rest = (1.0 - args.duplicates).max(f64::EPSILON);
        if rng.chance(args.invalid / rest) {
            let code = gen::spoil(&mut rng, &mut body);
            let request = request_of(kind, &body);
            let (body, signature) = sign(lender, &body);
            plan.push(Planned {
                kind,
                body,
                signature,
                expect: Outcome::Rejected(code),
                request_id: None,
                request,
            });
            continue;
        }
        // A lender-initiated callback answers no request: it cannot be unsolicited.
        if kind.def().answers_request
            && rng.chance(args.unsolicited / (rest - args.invalid).max(f64::EPSILON))
        {
            let (raw, signature) = sign(lender, &body);
            plan.push(Planned {
                kind,
                body: raw,
                signature,
                expect: Outcome::Unsolicited,
                request_id,
                request: None,
            });
            continue;
        }
        let request = request_of(kind, &body);
        let (raw, signature) = sign(lender, &body);
        let p = Planned {
            kind,
            body: raw,
            signature,
            expect: Outcome::Accepted,
            request_id,
            request,
        };
        sent.push(p.clone());
        plan.push(p);
    }
    plan
}

#[tokio::main]
async fn main() -> Result<()> {
    let Some(args) = parse_args()? else {
        return Ok(());
    };
    let lender = lender(&args.scheme)?;
    let plan = match args.command {
        "send" => {
            let kind = args
                .kind
                .unwrap_or(ocen_shared::callbacks::disbursement::TYPE);
            let body: Value = match &args.file {
                Some(f) => serde_json::from_str(
                    &std::fs::read_to_string(f)
                        .with_context(|| format!("reading {}", f.display()))?,
                )?,
                None => gen::callback(&mut Rng::new(args.seed), kind, lender.org, 0),
            };
            vec![planned_as_is(&lender, kind, &body)?]
        }
        "load" => plan_load(&args, &lender),
        "replay" => {
            let file = args
                .file
                .as_deref()
                .context("replay needs a FILE")?
                .display()
                .to_string();
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?;
            let mut plan = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let v: Value =
                    serde_json::from_str(line).with_context(|| format!("{file}:{}", i + 1))?;
                let kind = v["type"]
                    .as_str()
                    .and_then(CallbackType::parse)
                    .with_context(|| format!("{file}:{}: type", i + 1))?;
                plan.push(planned_as_is(&lender, kind, &v["body"])?);
            }
            plan
        }
        other => unreachable!("no command {other}"),
    };
    // With --verify the queue readers start first and keep the queues drained during the run.
    let collector = if args.verify {
        Some(verify::Collector::start(&args.endpoint, &args.prefix).await?)
    } else {
        None
    };
    let requests = requests_store(&args).await?;
    let mut report = run(plan, &args, requests).await?;
    if let Some(collector) = collector {
        let progress = if args.json {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0).with_style(
                ProgressStyle::with_template(
                    "{spinner} verifying {bar:40} {pos}/{len} events on the consumer queues",
                )
                .expect("a valid template"),
            )
        };
        report.verification = Some(
            collector
                .finish(
                    &report.accepted,
                    &report.unsolicited_refused,
                    &report.unsolicited_flagged,
                    lender.org,
                    Duration::from_secs(60),
                    &progress,
                )
                .await,
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.to_table());
    }
    if !report.ok() {
        std::process::exit(1);
    }
    Ok(())
}
