//! No handler path logs OTPs, session keys, tokens, phone numbers, payment references or
//! bodies. Its own test binary, so the captured subscriber is the process's global one and
//! every log line of every path reaches it.

use ocen_shared::auth::AuthMode;
use ocen_shared::testing::{sample_body, MemoryStore};
use ocen_shared::{CallbackService, CallbackType, Inbound};
use serde_json::{json, Value};
use std::sync::Arc;

fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    *body.pointer_mut(pointer).unwrap() = value;
    body
}

fn without(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    body.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
    body
}
use ocen_shared::auth::signing::SigningKey;
use ocen_shared::auth::LenderRegistry;
use ocen_shared::testing::{SAMPLE_APP_TOKEN, SAMPLE_OTP_SESSION_KEY, SAMPLE_TXN_REF};
use std::io::Write;
use std::sync::Mutex;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

const SECRETS: &[&str] = &[
    SAMPLE_OTP_SESSION_KEY,
    SAMPLE_APP_TOKEN,
    SAMPLE_TXN_REF,
    "856429",
    "XXXXXXX775",
    "9876543210",
    "98765.43",
    "user@aa.in",
    "39e108fe-9243-11e8-b9f2-0256d88baae8",
    "UTR123",
    // The borrower of the loan application samples (PAN, name, mobile, e-mail).
    "ABCPD1234K",
    "Asha Devi",
    "9123456780",
    "asha.devi@example.in",
    // The account number of the disbursement account samples.
    "11250789101486249090",
];

fn secret_body(kind: CallbackType, request_id: &str) -> Value {
    let mut b = sample_body(kind, request_id);
    if kind == ocen_shared::callbacks::loan_acceptance::TYPE {
        b["credBlock"][0]["data"]["otp"] = json!("856429");
    }
    b
}

#[tokio::test]
async fn no_handler_path_logs_otps_session_keys_tokens_phone_numbers_references_or_bodies() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber of this test binary");

    let key = SigningKey::generate("k").unwrap();
    let impostor = SigningKey::generate("k").unwrap();
    let registry = LenderRegistry::parse(
        &json!({"lenders": [{"orgId": "LENDER-ABC", "scheme": "v3", "keys": [{"kid": "k", "pem": key.public_pem().unwrap()}]}]}).to_string(),
    )
    .unwrap();
    let store = Arc::new(MemoryStore::new());
    let svc = CallbackService::new(
        store.clone(),
        &ocen_shared::testing::config(&[]),
        AuthMode::Jws(registry),
    );
    let send = |body: Vec<u8>| body;
    let mut requests: Vec<(CallbackType, Vec<u8>)> = Vec::new();
    for &kind in CallbackType::ALL {
        let body = serde_json::to_vec(&secret_body(kind, "pii-1")).unwrap();
        requests.push((kind, key.sign_v3(&body))); // recorded
        requests.push((kind, key.sign_v3(&body))); // duplicate
        let mut changed = secret_body(kind, "pii-1");
        changed["note"] = json!("changed");
        requests.push((kind, key.sign_v3(&serde_json::to_vec(&changed).unwrap()))); // conflict
        requests.push((kind, impostor.sign_v3(&body))); // auth failure
        requests.push((kind, send(body.clone()))); // unsigned
        requests.push((
            kind,
            format!("{{\"otp\": \"856429\", \"x\": {}", SAMPLE_APP_TOKEN).into_bytes(),
        )); // malformed
    }
    let l = ocen_shared::callbacks::loan_acceptance::TYPE;
    let unmasked = with(
        secret_body(l, "pii-2"),
        "/credBlock/0/data/maskedPhoneNumber",
        json!("9876543210"),
    );
    requests.push((l, key.sign_v3(&serde_json::to_vec(&unmasked).unwrap())));
    let d = ocen_shared::callbacks::disbursement::TYPE;
    let typed = with(
        secret_body(d, "pii-3"),
        "/payment/totalAmount",
        json!(98765.43),
    );
    requests.push((d, key.sign_v3(&serde_json::to_vec(&typed).unwrap())));
    let no_txn = without(secret_body(d, "pii-4"), "/payment/txnRefNo");
    requests.push((d, key.sign_v3(&serde_json::to_vec(&no_txn).unwrap())));

    let mut statuses = std::collections::BTreeSet::new();
    for (kind, body) in &requests {
        statuses.insert(svc.handle(*kind, Inbound::post(body)).await.status);
    }
    store.set_unavailable(true);
    let body = serde_json::to_vec(&secret_body(d, "pii-5")).unwrap();
    statuses.insert(
        svc.handle(d, Inbound::post(&key.sign_v3(&body)))
            .await
            .status,
    );
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        vec![200, 400, 401, 409, 503],
        "every kind of answer was exercised"
    );

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.lines().count() >= requests.len(),
        "one line per callback at least:\n{logs}"
    );
    for secret in SECRETS {
        assert!(
            !logs.contains(secret),
            "{secret} appears in the logs:\n{logs}"
        );
    }
    assert!(
        logs.contains("\"outcome\":\"auth_failed\"") && logs.contains("signature does not verify")
    );
}
