//! `ocen-generate`: writes what the callback registry determines (`make generate`).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use ocen_generate::{docs, events, root, template};

/// Writes events/, docs/openapi.json, the README's tables and infra/template.yaml's
/// per-callback blocks from the callback registry.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Write every generated file (the default).
    All,
    /// List each event file with its function package and the status and ack code it must
    /// get when signed by the dev lender (tab-separated).
    Events,
    /// Print infra/template.yaml with scratch callbacks added up to FUNCTIONS callback
    /// functions (what the alarms and routes must hold for).
    ScratchTemplate { functions: usize },
}

fn main() -> Result<()> {
    match Cli::parse().command.unwrap_or(Command::All) {
        Command::All => {
            let n = events::write(&root().join("events")).context("writing events/")?;
            eprintln!("wrote {n} events to events/ (from the callback registry)");
            for (path, text) in docs::generate().map_err(anyhow::Error::msg)? {
                let changed = std::fs::read_to_string(&path).ok().as_ref() != Some(&text);
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                let what = if changed { "updated" } else { "unchanged" };
                eprintln!("{what} {} (from the callback registry)", path.display());
            }
        }
        Command::Events => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for (name, e) in events::generate() {
                let (status, code) = e.signed();
                writeln!(out, "{name}\t{}\t{status}\t{code}", e.kind.def().package)?;
            }
        }
        Command::ScratchTemplate { functions } => {
            let path = root().join("infra/template.yaml");
            let current = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            print!(
                "{}",
                template::scratch(&current, functions).map_err(anyhow::Error::msg)?
            );
        }
    }
    Ok(())
}
