//! Instructions per callback: a count that does not move with the machine's load, where
//! wall-clock figures on a shared 2-core VM vary by ±20 % from run to run. Answers one
//! callback type N times through the same pipeline as the `pipeline` bench (unsigned,
//! in-memory store); `make bench STEPS=instructions` runs it under callgrind for N and 3N
//! callbacks and divides the difference by 2N.
//!
//! `instructions TYPE N` (TYPE as in `CallbackType::as_str`, e.g. DISBURSEMENT_RESPONSE);
//! `instructions --list` prints the types.

use ocen_shared::auth::AuthMode;
use ocen_shared::testing::{config, run_ready, sample_body, AcceptAll};
use ocen_shared::{CallbackService, CallbackType, Inbound};
use std::hint::black_box;
use std::sync::Arc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        names().iter().for_each(|n| println!("{n}"));
        return;
    }
    let (Some(name), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<u32>().ok()),
    ) else {
        eprintln!("usage: instructions TYPE N (TYPE one of {:?})", names());
        std::process::exit(2);
    };
    let Some(&kind) = CallbackType::ALL.iter().find(|k| k.as_str() == name) else {
        eprintln!("unknown callback type {name}; one of {:?}", names());
        std::process::exit(2);
    };
    let service = CallbackService::new(
        Arc::new(AcceptAll),
        &config(&[("REPLAY_WINDOW_SECONDS", "0")]),
        AuthMode::Disabled,
    );
    let body = serde_json::to_vec(&sample_body(kind, "bench-1")).expect("a sample body");
    for _ in 0..n {
        let reply = run_ready(service.handle(kind, Inbound::post(black_box(&body))));
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
}

fn names() -> Vec<&'static str> {
    CallbackType::ALL.iter().map(|k| k.as_str()).collect()
}
