//! `ocen-ops`: the operator's CLI (docs/delivery.md and "Runbook").

use anyhow::{anyhow, Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use ocen_local::cli;
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::stack::{local_tool_sdk_config, LocalStack};
use ocen_ops::{received_at_bound, Ops, Targets};
use ocen_shared::request::{LspIds, SentRequest};
use ocen_shared::store::dynamodb::RequestRecorded;
use ocen_shared::CallbackType;

const AFTER_HELP: &str = "\
In AWS the SDK reads the usual AWS_* environment (region, credentials; no profile chain) and
the stack's names from TABLE_NAME, QUEUES_<TYPE>, PARKED_QUEUE_URL and
DISPATCHER_FAILURE_QUEUE_URL (docs/operations.md shows how to export them from the stack
outputs). --local works on the stack `make run` creates.

Exit status: 0 done, 1 something left to do, 2 usage error or failure.";

/// The operator's CLI: inspect, replay, redrive and audit recorded callbacks and their
/// delivery; record and chase the LSP's requests (docs/operations.md).
#[derive(Parser)]
#[command(name = "ocen-ops", version, after_help = AFTER_HELP)]
struct Cli {
    /// Work on the local stack of `make run` (moto) instead of AWS.
    #[arg(long, global = true)]
    local: bool,
    /// The local AWS endpoint (implies --local) [default: $AWS_ENDPOINT_URL, else
    /// http://127.0.0.1:4566].
    #[arg(long, global = true, value_name = "URL")]
    endpoint: Option<String>,
    /// The local stack's name prefix.
    #[arg(long, global = true, default_value = "ocen-local")]
    prefix: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The request and its callback: ack, hash, envelope (as consumers get it) and which
    /// queues took it; exit 1 unless every queue of its route took it.
    Inspect {
        /// The callback type (listed below).
        #[arg(value_name = "TYPE", value_parser = cli::callback_type(), hide_possible_values = true)]
        kind: CallbackType,
        /// The lender (metadata.orgId).
        org_id: String,
        /// The callback's requestId (the LSP's request's).
        request_id: String,
    },
    /// Record a request the LSP sends, by hand (docs/idempotency.md "Correlation").
    Request {
        /// The callback type (listed below).
        #[arg(value_name = "TYPE", value_parser = cli::callback_type(), hide_possible_values = true)]
        kind: CallbackType,
        /// The lender (metadata.orgId).
        org_id: String,
        /// The callback's requestId (the LSP's request's).
        request_id: String,
        /// The LSP's ids, e.g. '{"loanApplicationIds":["APP-1"],"loanId":"LOAN-1"}'.
        #[arg(long, value_name = "JSON")]
        ids: Option<String>,
        /// How long the lender has to answer.
        #[arg(long, value_name = "MINUTES", default_value_t = 60,
              value_parser = clap::value_parser!(u64).range(1..))]
        answer_within_minutes: u64,
    },
    /// Requests still waiting for their callback, oldest first, with a summary per lender
    /// (the chase list); exit 1 if any.
    Pending {
        /// Sent at least this long ago: 90s, 30m, 1h, 2d.
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        older_than: time::Duration,
        /// One lender only.
        #[arg(long, value_name = "ORG_ID")]
        org: Option<String>,
    },
    /// Publish recorded callbacks again (consumers see the same eventId).
    Replay {
        /// Only this callback type.
        #[arg(long = "type", value_name = "TYPE", value_parser = cli::callback_type(), hide_possible_values = true)]
        kind: Option<CallbackType>,
        /// Only this lender's callbacks.
        #[arg(long, value_name = "ORG_ID")]
        org: Option<String>,
        /// One callback (keys are per lender: needs --org).
        #[arg(long, value_name = "ID", requires = "org")]
        request_id: Option<String>,
        /// Received at or after, e.g. 2026-11-23T10:00:00+05:30 (no zone = IST).
        #[arg(long, value_name = "TIME", value_parser = bound)]
        since: Option<String>,
        /// Received before.
        #[arg(long, value_name = "TIME", value_parser = bound, requires = "since")]
        until: Option<String>,
        /// Only to this consumer queue (its template name, e.g. DisbursementLedgerQueue).
        #[arg(long, value_name = "NAME")]
        queue: Option<String>,
        /// Say what would be published; publish nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Drain the parked queue and the stream's on-failure queue and re-dispatch the records
    /// they name (queues that took them skipped); exit 1 if any is left.
    Redrive {
        /// Read the queues and put every message back; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Recorded callbacks without evidence of dispatch; exit 1 if any. A table scan.
    Audit {
        /// Received at or after, e.g. 2026-11-23T10:00:00+05:30 (no zone = IST).
        #[arg(long, value_name = "TIME", value_parser = bound)]
        since: String,
        /// Only callbacks at least this many minutes old (younger ones may be in flight).
        #[arg(long, value_name = "MINUTES", default_value_t = 5)]
        older_than_minutes: i64,
    },
    /// Print a shell completion script, e.g. `ocen-ops completions bash > ocen-ops.bash`.
    Completions { shell: clap_complete::Shell },
}

fn duration(text: &str) -> Result<time::Duration> {
    ocen_ops::duration_arg(text)
}

fn bound(text: &str) -> Result<String> {
    received_at_bound(text)
}

async fn ops(a: &Cli) -> Result<Ops> {
    let mut ops = if a.local || a.endpoint.is_some() {
        let endpoint = a
            .endpoint
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            .unwrap_or_else(|| ocen_local::stack::DEFAULT_ENDPOINT.to_string());
        let sdk = local_tool_sdk_config(&endpoint).await;
        let resources = Resources::load(&default_template_path())?;
        let stack = LocalStack::create(&sdk, resources, &a.prefix)
            .await
            .with_context(|| format!("the local stack at {endpoint} (is `make run` up?)"))?;
        Ops::new(&sdk, Targets::from_local(&stack))
    } else {
        let sdk = ocen_shared::aws::sdk_config().await?;
        Ops::new(&sdk, Targets::from_env()?)
    };
    ops.progress = true;
    Ok(ops)
}

async fn run(args: Cli) -> Result<bool> {
    let ops = ops(&args).await?;
    match args.command {
        Command::Inspect {
            kind,
            org_id,
            request_id,
        } => {
            let inspection = ops.inspect(kind, &org_id, &request_id).await?;
            print!("{inspection}");
            Ok(inspection
                .deliveries
                .values()
                .all(|d| d.as_ref().is_some_and(|(outcome, _)| outcome == "sent")))
        }
        Command::Request {
            kind,
            org_id,
            request_id,
            ids,
            answer_within_minutes,
        } => {
            let ids = match &ids {
                Some(json) => LspIds::parse(json).map_err(|why| anyhow!("--ids: {why}"))?,
                None => LspIds::new(),
            };
            let request = SentRequest::new(
                kind,
                &org_id,
                &request_id,
                ids,
                time::OffsetDateTime::now_utc(),
                std::time::Duration::from_secs(answer_within_minutes * 60),
            )
            .map_err(|why| anyhow!("{why}"))?;
            match ops.record_request(&request).await? {
                RequestRecorded::Recorded => println!("recorded {}", request.key()),
                RequestRecorded::AlreadyRecorded => {
                    println!("already recorded {} (left as it was)", request.key())
                }
                RequestRecorded::AlreadyAnswered => {
                    println!(
                        "{} is already answered: use another requestId",
                        request.key()
                    );
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Command::Pending { older_than, org } => {
            let pending = ops.pending(older_than, org.as_deref()).await?;
            print!("{pending}");
            Ok(pending.requests.is_empty() && pending.unreadable.is_empty())
        }
        Command::Replay {
            kind,
            org,
            request_id,
            since,
            until,
            queue,
            dry_run,
        } => {
            let request = match (&org, &request_id) {
                (Some(org), Some(id)) => Some((org.as_str(), id.as_str())),
                _ => None,
            };
            let summary = ops
                .replay(
                    kind,
                    request,
                    since.as_deref(),
                    until.as_deref(),
                    queue.as_deref(),
                    dry_run,
                )
                .await?;
            if dry_run {
                println!(
                    "dry run: {} record(s) would be published again",
                    summary.records
                );
            }
            print!("{summary}");
            Ok(summary.ok())
        }
        Command::Redrive { dry_run } => {
            let summary = ops.redrive(dry_run).await?;
            if dry_run {
                println!("dry run: nothing sent, every message put back");
            }
            print!("{summary}");
            Ok(summary.ok())
        }
        Command::Audit {
            since,
            older_than_minutes,
        } => {
            let audit = ops
                .audit(&since, time::Duration::minutes(older_than_minutes))
                .await?;
            print!("{audit}");
            if !audit.undispatched.is_empty() {
                println!(
                    "run `ocen-ops redrive` (parked) or `ocen-ops replay --type … --org … --request-id …` (missing)"
                );
            }
            Ok(audit.undispatched.is_empty())
        }
        Command::Completions { .. } => unreachable!("answered before any AWS client is built"),
    }
}

#[tokio::main]
async fn main() {
    // clap answers --help and --version (exit 0) and usage errors (exit 2) itself.
    let args = Cli::from_arg_matches(&cli::with_types(Cli::command()).get_matches())
        .unwrap_or_else(|e| e.exit());
    if let Command::Completions { shell } = args.command {
        cli::print_completions(shell, Cli::command());
        return;
    }
    let code = match run(args).await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    };
    std::process::exit(code);
}
