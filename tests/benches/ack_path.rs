//! Ack-path efficiency against the local AWS endpoint, in one run: the end-to-end ack
//! latency of the pipeline (v3-signed body → verify → validate → one conditional UpdateItem
//! onto the LSP's request record, mode `require` → ack) divided by the latency of a bare
//! conditional PutItem of the same item to the same endpoint. Target ≤ 1.2×. The requests
//! are recorded before the timed loop (the LSP's cost, not the ack path's).
//!
//!   OCEN_TEST_ENDPOINT=http://127.0.0.1:4566 cargo bench -p ocen-tests --bench ack_path
//!   (ACK_PATH_N=2000 sets the number of samples; `make bench` starts moto for you)

use aws_sdk_dynamodb::types::AttributeValue;
use ocen_local::infra::{default_template_path, Resources};
use ocen_local::stack::{local_sdk_config, LocalStack};
use ocen_shared::auth::signing::SigningKey;
use ocen_shared::auth::{AuthMode, LenderRegistry};
use ocen_shared::request::{IdValue, LspIds, SentRequest};
use ocen_shared::store::dynamodb::DynamoStore;
use ocen_shared::testing::{config, sample_body};
use ocen_shared::{CallbackService, Inbound};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn percentile(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` / `--no-run` probes
    }
    let Ok(endpoint) = std::env::var("OCEN_TEST_ENDPOINT") else {
        eprintln!("ack_path: set OCEN_TEST_ENDPOINT to a local AWS endpoint (make bench does)");
        std::process::exit(2);
    };
    let n: usize = std::env::var("ACK_PATH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let sdk = local_sdk_config(&endpoint).await;
    let prefix = format!("bench{}", std::process::id());
    let stack = LocalStack::create(
        &sdk,
        Resources::load(&default_template_path()).unwrap(),
        &prefix,
    )
    .await
    .unwrap();
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);

    let key = SigningKey::generate("bench").unwrap();
    let registry = LenderRegistry::parse(
        &serde_json::json!({"lenders": [{"orgId": "LENDER-ABC", "scheme": "v3", "keys": [{"kid": "bench", "pem": key.public_pem().unwrap()}]}]}).to_string(),
    )
    .unwrap();
    let service = CallbackService::new(
        Arc::new(DynamoStore::new(ddb.clone(), &stack.table_name)),
        &config(&[("TABLE_NAME", &stack.table_name)]),
        AuthMode::Jws(registry),
    );
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    // Signed bodies prepared up front: the lender's signing is not the LSP's cost.
    let bodies: Vec<Vec<u8>> = (0..2 * n + 50)
        .map(|i| key.sign_v3(&serde_json::to_vec(&sample_body(kind, &format!("ack-{i}"))).unwrap()))
        .collect();
    // The LSP's requests, recorded before their callbacks, with its ids.
    let store = DynamoStore::new(ddb.clone(), &stack.table_name);
    let ids = LspIds::new()
        .with("loanId", IdValue::One("LOAN-2024-000123".into()))
        .unwrap()
        .with("loanApplicationIds", IdValue::Many(vec!["APP-1".into()]))
        .unwrap();
    for i in 0..2 * n + 50 {
        let request = SentRequest::new(
            kind,
            "LENDER-ABC",
            &format!("ack-{i}"),
            ids.clone(),
            time::OffsetDateTime::now_utc(),
            Duration::from_secs(3600),
        )
        .unwrap();
        store.record_request(&request).await.unwrap();
    }
    let item_of = |i: usize| {
        // A stored record of the same shape and size as the pipeline writes.
        let event = serde_json::to_string(&sample_body(kind, "x"))
            .unwrap()
            .repeat(2);
        [
            ("pk", AttributeValue::S(format!("RAW#{i}"))),
            ("callbackType", AttributeValue::S(kind.as_str().into())),
            ("requestId", AttributeValue::S(format!("raw-{i}"))),
            ("orgId", AttributeValue::S("LENDER-ABC".into())),
            ("payloadHash", AttributeValue::S("0".repeat(64))),
            ("event", AttributeValue::S(event)),
            ("ack", AttributeValue::S("{\"ack\":{}}".into())),
            (
                "receivedAt",
                AttributeValue::S("2024-01-01T00:00:00.000+05:30".into()),
            ),
            ("expiresAt", AttributeValue::N("1900000000".into())),
            (
                "eventId",
                AttributeValue::S("746abe19-5658-58b1-880a-9a11f991b50e".into()),
            ),
            (
                "orderingKey",
                AttributeValue::S("loan:LOAN-2024-000123".into()),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect::<std::collections::HashMap<_, _>>()
    };
    let bare_put = |i: usize| {
        ddb.put_item()
            .table_name(&stack.table_name)
            .set_item(Some(item_of(i)))
            .condition_expression("attribute_not_exists(pk)")
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
            .send()
    };
    // The same write as an UpdateItem onto a recorded request under the same condition as
    // the ack path's (mode require): what the ack path's one call costs on this endpoint.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for i in 0..n + 25 {
        ddb.put_item()
            .table_name(&stack.table_name)
            .item("pk", AttributeValue::S(format!("RAWU#{i}")))
            .item("sentAt", AttributeValue::S("2024-01-01T00:00:00Z".into()))
            .item("answerBy", AttributeValue::N((now + 3600).to_string()))
            .item("lspIds", AttributeValue::S(ids.to_json()))
            .send()
            .await
            .unwrap();
    }
    let bare_update = |i: usize| {
        let mut update = ddb
            .update_item()
            .table_name(&stack.table_name)
            .key("pk", AttributeValue::S(format!("RAWU#{i}")))
            .condition_expression(
                "attribute_exists(#sent) AND attribute_not_exists(#ev) AND #by > :now",
            )
            .expression_attribute_names("#sent", "sentAt")
            .expression_attribute_names("#ev", "event")
            .expression_attribute_names("#by", "answerBy")
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            );
        let mut sets = Vec::new();
        for (j, (name, value)) in item_of(i)
            .into_iter()
            .filter(|(name, _)| name != "pk")
            .enumerate()
        {
            sets.push(format!("#a{j} = :a{j}"));
            update = update
                .expression_attribute_names(format!("#a{j}"), name)
                .expression_attribute_values(format!(":a{j}"), value);
        }
        update
            .update_expression(format!("SET {}", sets.join(", ")))
            .send()
    };
    // Warm up the paths (connections, caches).
    for i in 0..25 {
        bare_put(1_000_000 + i).await.unwrap();
        bare_update(n + i).await.unwrap();
        assert_eq!(
            service
                .handle(kind, Inbound::post(&bodies[2 * n + i]))
                .await
                .status,
            200
        );
    }
    // Interleave the three so drift in the endpoint affects them alike.
    let (mut raw, mut ack) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut raw_update = Vec::with_capacity(n);
    for (i, body) in bodies.iter().enumerate().take(n) {
        let t = Instant::now();
        bare_put(i).await.unwrap();
        raw.push(t.elapsed());
        let t = Instant::now();
        bare_update(i).await.unwrap();
        raw_update.push(t.elapsed());
        let t = Instant::now();
        let reply = service.handle(kind, Inbound::post(body)).await;
        ack.push(t.elapsed());
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let (r50, r99) = (percentile(&mut raw, 0.5), percentile(&mut raw, 0.99));
    let (u50, u99) = (
        percentile(&mut raw_update, 0.5),
        percentile(&mut raw_update, 0.99),
    );
    let (a50, a99) = (percentile(&mut ack, 0.5), percentile(&mut ack, 0.99));
    println!("ack path (CORRELATION=require) vs bare conditional writes, {n} samples each, endpoint {endpoint}");
    println!("  bare PutItem           p50 {r50:.3} ms   p99 {r99:.3} ms");
    println!("  bare UpdateItem        p50 {u50:.3} ms   p99 {u99:.3} ms   (the ack path's write, alone)");
    println!("  ack path               p50 {a50:.3} ms   p99 {a99:.3} ms");
    println!(
        "  ratio to UpdateItem    p50 {:.3}x      p99 {:.3}x   (target <= 1.2x)",
        a50 / u50,
        a99 / u99
    );
    println!(
        "  ratio to PutItem       p50 {:.3}x      p99 {:.3}x   (the endpoint's UpdateItem vs PutItem, plus the pipeline)",
        a50 / r50,
        a99 / r99
    );
}
