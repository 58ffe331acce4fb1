//! Any bytes, as the body of any callback: body parsing, validation and ack building must
//! never panic, and every answer is a 2xx/4xx ack (the in-memory store is always up).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocen_shared::auth::AuthMode;
use ocen_shared::testing::{config, MemoryStore};
use ocen_shared::{CallbackService, CallbackType, Inbound};
use std::sync::{Arc, OnceLock};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let kind = CallbackType::ALL[usize::from(selector) % CallbackType::ALL.len()];
    let service = CallbackService::new(Arc::new(MemoryStore::new()), &config(&[("REPLAY_WINDOW_SECONDS", "0")]), AuthMode::Disabled);
    let reply = runtime().block_on(service.handle(kind, Inbound::post(body)));
    assert!(matches!(reply.status, 200 | 400 | 409 | 413 | 415), "status {}", reply.status);
    let ack: serde_json::Value = serde_json::from_str(&reply.body).expect("every answer is JSON");
    assert!(ack["ack"]["error"].is_string() && ack["ack"]["traceId"].is_string());
});
