//! `ocen-ops`: the operator's CLI (docs/delivery.md and "Runbook").

use anyhow::{anyhow, bail, Context, Result};
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::stack::{local_tool_sdk_config, LocalStack};
use ocen_ops::{received_at_bound, Ops, Targets};
use ocen_shared::request::{LspIds, SentRequest};
use ocen_shared::store::dynamodb::RequestRecorded;
use ocen_shared::CallbackType;

const USAGE: &str = r#"usage: ocen-ops [--local [--endpoint URL] [--prefix ocen-local]] COMMAND
  inspect TYPE ORG_ID REQUEST_ID the request and its callback: ack, hash, envelope (as consumers
                                 get it) and which queues took it
  request TYPE ORG_ID REQUEST_ID [--ids JSON] [--answer-within-minutes 60]
                                 record a request the LSP sends, by hand (docs/idempotency.md "Correlation")
  pending --older-than 1h [--org ORG_ID]
                                 requests still waiting for their callback, with a summary per
                                 lender (the chase list); exit 1 if any
  replay  --type TYPE [--org ORG_ID --request-id ID | --since T [--until T]] [--queue NAME] [--dry-run]
                                 publish recorded callbacks again (consumers see the same eventId)
  redrive [--dry-run]            drain the parked queue and the stream's on-failure queue and
                                 re-dispatch the records they name (queues that took them skipped)
  audit   --since T [--older-than-minutes 5]
                                 recorded callbacks without evidence of dispatch; exit 1 if any

TYPE: a callback type, e.g. DISBURSEMENT_RESPONSE (README "Callbacks")
T: 2026-11-23T10:00:00+05:30 (no zone = IST)
JSON: the LSP's ids, e.g. '{"loanApplicationIds":["APP-1"],"loanId":"LOAN-1"}'
DURATION: 90s, 30m, 1h, 2d

In AWS the SDK reads the usual AWS_* environment (region, credentials, profile-free) and the
stack's names from TABLE_NAME, QUEUES_<TYPE>, PARKED_QUEUE_URL and
DISPATCHER_FAILURE_QUEUE_URL (README shows how to export them from the stack outputs).
--local works on the stack `make run` creates (moto at --endpoint, default $AWS_ENDPOINT_URL
or http://127.0.0.1:4566). Exit status: 0 done, 1 something left to do, 2 usage or failure."#;

#[derive(Default)]
struct Args {
    local: bool,
    endpoint: Option<String>,
    prefix: String,
    command: String,
    positional: Vec<String>,
    kind: Option<CallbackType>,
    request_id: Option<String>,
    org: Option<String>,
    since: Option<String>,
    until: Option<String>,
    queue: Option<String>,
    older_than: i64,
    pending_for: Option<time::Duration>,
    ids: Option<String>,
    answer_within: i64,
    dry_run: bool,
}

fn callback_type(s: &str) -> Result<CallbackType> {
    CallbackType::parse(s).ok_or_else(|| anyhow!("unknown type {s}\n\n{USAGE}"))
}

fn parse_args() -> Result<Args> {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        prefix: "ocen-local".into(),
        older_than: 5,
        answer_within: 60,
        ..Args::default()
    };
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| anyhow!("{arg} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--local" => a.local = true,
            "--endpoint" => a.endpoint = Some(value()?),
            "--prefix" => a.prefix = value()?,
            "--type" => a.kind = Some(callback_type(&value()?)?),
            "--request-id" => a.request_id = Some(value()?),
            "--org" => a.org = Some(value()?),
            "--since" => a.since = Some(received_at_bound(&value()?)?),
            "--until" => a.until = Some(received_at_bound(&value()?)?),
            "--queue" => a.queue = Some(value()?),
            "--older-than-minutes" => {
                a.older_than = value()?
                    .parse()
                    .context("--older-than-minutes must be a whole number")?
            }
            "--older-than" => a.pending_for = Some(ocen_ops::duration_arg(&value()?)?),
            "--ids" => a.ids = Some(value()?),
            "--answer-within-minutes" => {
                a.answer_within = value()?
                    .parse()
                    .ok()
                    .filter(|m| *m > 0)
                    .context("--answer-within-minutes must be a positive whole number")?
            }
            "--dry-run" => a.dry_run = true,
            "-h" | "--help" => bail!("{USAGE}"),
            s if s.starts_with('-') => bail!("unknown option {s}\n\n{USAGE}"),
            s if a.command.is_empty() => a.command = s.to_string(),
            s => a.positional.push(s.to_string()),
        }
    }
    if a.command.is_empty() {
        bail!("{USAGE}");
    }
    Ok(a)
}

async fn ops(a: &Args) -> Result<Ops> {
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

async fn run(a: Args) -> Result<bool> {
    let ops = ops(&a).await?;
    match a.command.as_str() {
        "inspect" => {
            let [kind, org, id] = a.positional.as_slice() else {
                bail!("inspect needs TYPE, ORG_ID and REQUEST_ID\n\n{USAGE}");
            };
            let inspection = ops.inspect(callback_type(kind)?, org, id).await?;
            print!("{inspection}");
            Ok(inspection
                .deliveries
                .values()
                .all(|d| d.as_ref().is_some_and(|(outcome, _)| outcome == "sent")))
        }
        "request" => {
            let [kind, org, id] = a.positional.as_slice() else {
                bail!("request needs TYPE, ORG_ID and REQUEST_ID\n\n{USAGE}");
            };
            let ids = match &a.ids {
                Some(json) => LspIds::parse(json).map_err(|why| anyhow!("--ids: {why}"))?,
                None => LspIds::new(),
            };
            let request = SentRequest::new(
                callback_type(kind)?,
                org,
                id,
                ids,
                time::OffsetDateTime::now_utc(),
                std::time::Duration::from_secs(a.answer_within as u64 * 60),
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
        "pending" => {
            let older_than = a
                .pending_for
                .ok_or_else(|| anyhow!("pending needs --older-than (e.g. 1h)\n\n{USAGE}"))?;
            let pending = ops.pending(older_than, a.org.as_deref()).await?;
            print!("{pending}");
            Ok(pending.requests.is_empty() && pending.unreadable.is_empty())
        }
        "replay" => {
            let request = match (&a.org, &a.request_id) {
                (Some(org), Some(id)) => Some((org.as_str(), id.as_str())),
                (None, Some(_)) => {
                    bail!("--request-id needs --org (keys are per lender)\n\n{USAGE}")
                }
                _ => None,
            };
            let summary = ops
                .replay(
                    a.kind,
                    request,
                    a.since.as_deref(),
                    a.until.as_deref(),
                    a.queue.as_deref(),
                    a.dry_run,
                )
                .await?;
            if a.dry_run {
                println!(
                    "dry run: {} record(s) would be published again",
                    summary.records
                );
            }
            print!("{summary}");
            Ok(summary.ok())
        }
        "redrive" => {
            let summary = ops.redrive(a.dry_run).await?;
            if a.dry_run {
                println!("dry run: nothing sent, every message put back");
            }
            print!("{summary}");
            Ok(summary.ok())
        }
        "audit" => {
            let since = a
                .since
                .as_deref()
                .ok_or_else(|| anyhow!("audit needs --since\n\n{USAGE}"))?;
            let audit = ops
                .audit(since, time::Duration::minutes(a.older_than))
                .await?;
            print!("{audit}");
            if !audit.undispatched.is_empty() {
                println!(
                    "run `ocen-ops redrive` (parked) or `ocen-ops replay --type … --org … --request-id …` (missing)"
                );
            }
            Ok(audit.undispatched.is_empty())
        }
        other => bail!("unknown command {other}\n\n{USAGE}"),
    }
}

#[tokio::main]
async fn main() {
    let code = match parse_args() {
        Err(e) => {
            eprintln!("{e:#}");
            2
        }
        Ok(a) => match run(a).await {
            Ok(true) => 0,
            Ok(false) => 1,
            Err(e) => {
                eprintln!("error: {e:#}");
                2
            }
        },
    };
    std::process::exit(code);
}
