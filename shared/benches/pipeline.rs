//! In-process cost of a callback: parse + validate + hash + envelope + ack, per callback
//! type, with a store that accepts everything in memory (its future is polled in place:
//! `testing::run_ready`; one bench shows tokio's `block_on` around the same call); and
//! signature verification per scheme. `cargo bench -p ocen-shared --features testing --bench pipeline`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ocen_shared::auth::signing::SigningKey;
use ocen_shared::auth::{AuthMode, LenderRegistry};
use ocen_shared::testing::{config, run_ready, sample_body, AcceptAll};
use ocen_shared::{CallbackService, CallbackType, Inbound};
use std::hint::black_box;
use std::sync::Arc;

fn registry(v3: &SigningKey, v4: &SigningKey) -> LenderRegistry {
    let json = serde_json::json!({"lenders": [
        {"orgId": "LENDER-ABC", "scheme": "v3", "keys": [{"kid": v3.kid, "pem": v3.public_pem().unwrap()}]},
        {"orgId": "LENDER-V4", "scheme": "v4", "keys": [{"kid": v4.kid, "pem": v4.public_pem().unwrap()}]}
    ]});
    LenderRegistry::parse(&json.to_string()).unwrap()
}

fn handler(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let service = CallbackService::new(
        Arc::new(AcceptAll),
        &config(&[("REPLAY_WINDOW_SECONDS", "0")]),
        AuthMode::Disabled,
    );
    let mut group = c.benchmark_group("handler (unsigned, in-memory store)");
    for &kind in CallbackType::ALL {
        let body = serde_json::to_vec(&sample_body(kind, "bench-1")).unwrap();
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(kind.as_str()),
            &body,
            |b, body| b.iter(|| run_ready(service.handle(kind, Inbound::post(black_box(body))))),
        );
    }
    group.finish();
    // The same callback run through tokio's `block_on`, as the figures up to 1a67197 were:
    // the difference is the runtime's entry per call, not the callback's cost.
    let kind = ocen_shared::callbacks::consent_handle::TYPE;
    let body = serde_json::to_vec(&sample_body(kind, "bench-1")).unwrap();
    c.bench_function(
        "handler via tokio block_on (CONSENT_HANDLE_RESPONSE)",
        |b| b.iter(|| rt.block_on(service.handle(kind, Inbound::post(black_box(&body))))),
    );
}

fn signatures(c: &mut Criterion) {
    let (v3, v4) = (
        SigningKey::generate("k3").unwrap(),
        SigningKey::generate("k4").unwrap(),
    );
    let registry = registry(&v3, &v4);
    let body = serde_json::to_vec(&sample_body(
        ocen_shared::callbacks::disbursement::TYPE,
        "bench-sig",
    ))
    .unwrap();
    let mut v4_body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    v4_body["metadata"]["orgId"] = "LENDER-V4".into();
    let v4_body = serde_json::to_vec(&v4_body).unwrap();
    let (v3_signed, v4_sig) = (v3.sign_v3(&body), v4.sign_v4(&v4_body));
    let mut group = c.benchmark_group("signature verification");
    group.bench_function("v3 flattened JWS RS512", |b| {
        b.iter(|| registry.verify(None, black_box(&v3_signed)).unwrap())
    });
    group.bench_function("v4 detached JWS RS256", |b| {
        b.iter(|| registry.verify(Some(&v4_sig), black_box(&v4_body)).unwrap())
    });
    group.finish();

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let service = CallbackService::new(
        Arc::new(AcceptAll),
        &config(&[]),
        AuthMode::Jws(registry.clone()),
    );
    c.bench_function("handler (v3-signed disbursement, in-memory store)", |b| {
        b.iter(|| {
            rt.block_on(service.handle(
                ocen_shared::callbacks::disbursement::TYPE,
                Inbound::post(black_box(&v3_signed)),
            ))
        })
    });
}

criterion_group!(benches, handler, signatures);
criterion_main!(benches);
