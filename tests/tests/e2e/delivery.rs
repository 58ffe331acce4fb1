//! The delivery promise, end to end: whatever the ack path accepts reaches its queues (or
//! is refused at the door), nothing jams the outbox, and one queue's outage does not flood
//! the others. Each repro ends with a valid callback that must still get through.

use crate::helpers::*;
use ocen_shared::dispatch::Parked;
use ocen_shared::publish::limits;
use ocen_shared::testing::sample_body;
use ocen_shared::CallbackType;
use serde_json::{json, Value};
use std::collections::HashMap;

const CONSENT: CallbackType = ocen_shared::callbacks::consent_handle::TYPE;
const DISBURSEMENT: CallbackType = ocen_shared::callbacks::disbursement::TYPE;
const LOAN: CallbackType = ocen_shared::callbacks::loan_acceptance::TYPE;

fn nested(depth: usize) -> Value {
    (0..depth).fold(json!(0), |v, _| json!([v]))
}

/// Request ids per queue, in arrival order, of everything on the queues of `kinds`.
async fn arrivals(app: &TestApp, kinds: &[CallbackType]) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    for kind in kinds {
        for q in app.queues_for(*kind) {
            let ids = app
                .drain_queue(&q)
                .await
                .into_iter()
                .map(|(e, _)| e.request_id)
                .collect();
            out.insert(q, ids);
        }
    }
    out
}

#[tokio::test]
async fn the_deepest_body_the_door_accepts_is_delivered_and_does_not_block_the_next_one() {
    let app = spawn_app().await;
    // The deepest `deep` member the door accepts (the envelope nests it one level deeper).
    let mut accepted = None;
    for depth in (110..=130).rev() {
        let mut body = sample_body(CONSENT, &format!("deep-{depth}"));
        body["deep"] = nested(depth);
        let (status, ack) = app.post_v4(CONSENT, &body).await;
        if status == 200 {
            assert_eq!(ack.ack.error, "0");
            accepted = Some(depth);
            break;
        }
        assert_eq!(status, 400, "a too-deep body is a client error");
    }
    let depth = accepted.expect("some depth is accepted");
    // body { "deep": [[…]] }: 1 + depth + 1 levels.
    assert_eq!(
        depth + 1,
        ocen_shared::wire::MAX_BODY_DEPTH,
        "the door's documented limit"
    );
    app.post_v4(CONSENT, &sample_body(CONSENT, "after-deep"))
        .await;
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!((report.delivered, report.parked), (2, 0), "{report:?}");
    let ids = &arrivals(&app, &[CONSENT]).await["ConsentHandleEventsQueue"];
    assert_eq!(
        ids,
        &vec![format!("deep-{depth}"), "after-deep".to_string()]
    );
}

#[tokio::test]
async fn twelve_110_kb_consents_and_one_near_the_cap_are_all_delivered_and_the_next_one_too() {
    let app = spawn_app().await;
    let mut posted = Vec::new();
    let bodies: Vec<Value> = (0..12)
        .map(|i| {
            let mut b = sample_body(CONSENT, &format!("big-{i:02}"));
            b["consent"]["extensibleData"] = json!({"pad": "x".repeat(110_000)});
            b
        })
        .collect();
    let acks = futures::future::join_all(bodies.iter().map(|b| app.post_v4(CONSENT, b))).await;
    for (status, ack) in acks {
        assert_eq!((status, ack.ack.error.as_str()), (200, "0"));
    }
    posted.extend((0..12).map(|i| format!("big-{i:02}")));
    // The biggest body the door takes: padding grown until the next byte is refused.
    let cap = ocen_shared::config::DEFAULT_MAX_BODY_BYTES;
    let mut near = sample_body(CONSENT, "near-cap");
    near["metadata"]["orgId"] = json!("LENDER-V4");
    near["consent"]["extensibleData"] = json!({"pad": ""});
    let base = serde_json::to_vec(&near).unwrap().len();
    near["consent"]["extensibleData"]["pad"] = json!("y".repeat(cap - base));
    assert_eq!(serde_json::to_vec(&near).unwrap().len(), cap);
    let (status, ack) = app.post_v4(CONSENT, &near).await;
    assert_eq!(
        (status, ack.ack.error.as_str()),
        (200, "0"),
        "a body of exactly the cap is taken"
    );
    let mut over = near.clone();
    over["requestId"] = json!("near-cap-1");
    let (status, ack) = app.post_v4(CONSENT, &over).await;
    assert_eq!(
        (status, ack.ack.error.as_str()),
        (413, "GEN5007"),
        "one byte over the cap is refused"
    );
    posted.push("near-cap".into());
    app.post_v4(CONSENT, &sample_body(CONSENT, "after-big"))
        .await;
    posted.push("after-big".into());

    let report = app.poller().drain(2).await.unwrap();
    assert_eq!(
        (report.delivered, report.parked, report.failed.len()),
        (14, 0, 0),
        "{report:?}"
    );
    let raw = app.drain_raw("ConsentHandleEventsQueue").await;
    assert_eq!(raw.len(), 14);
    let by_ref: Vec<_> = raw
        .iter()
        .filter(|(_, a)| a.get("payload").map(String::as_str) == Some("reference"))
        .collect();
    assert_eq!(
        by_ref.len(),
        1,
        "only the near-cap envelope travels by reference"
    );
    let store = app.store();
    let mut ids = Vec::new();
    for (body, _) in &raw {
        assert!(body.len() <= limits::MAX_MESSAGE_BYTES);
        let envelope: Value = serde_json::from_str(&store.resolve(body).await.unwrap()).unwrap();
        ids.push(envelope["requestId"].as_str().unwrap().to_string());
    }
    ids.sort();
    posted.sort();
    assert_eq!(ids, posted);
}

#[tokio::test]
async fn a_128_character_loan_id_is_delivered_to_the_fifo_ledger_with_a_valid_group_id() {
    let app = spawn_app().await;
    let mut body = sample_body(DISBURSEMENT, "long-loan-1");
    body["loanId"] = json!("L".repeat(128));
    let (status, _) = app.post(DISBURSEMENT, &body).await;
    assert_eq!(status, 200);
    app.post(DISBURSEMENT, &sample_body(DISBURSEMENT, "after-long-loan"))
        .await;
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!((report.delivered, report.parked), (2, 0));
    let url = app.queue_url("DisbursementLedgerQueue");
    let out = app
        .sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .message_system_attribute_names(
            aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId,
        )
        .send()
        .await
        .unwrap();
    let groups: Vec<String> = out
        .messages()
        .iter()
        .filter_map(|m| {
            m.attributes()?
                .get(&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId)
                .cloned()
        })
        .collect();
    assert_eq!(groups.len(), 2);
    for g in &groups {
        assert!(
            limits::fifo_id_valid(g),
            "{g} is not a valid MessageGroupId (SQS's limit, not moto's)"
        );
    }
    assert_eq!(
        groups[0],
        limits::group_id(&format!("loan:{}", "L".repeat(128)))
    );
    assert_eq!(groups[1], "loan:LOAN-2024-000123");
}

#[tokio::test]
async fn a_poison_record_between_two_good_ones_is_parked_and_both_good_ones_are_delivered() {
    let app = spawn_app().await;
    app.post(LOAN, &sample_body(LOAN, "good-1")).await;
    // A record no ack path writes (an operator's hand edit): routing of an unknown type.
    app.ddb
        .put_item()
        .table_name(&app.stack.table_name)
        .item(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(
                "LOAN_ACCEPTANCE_RESPONSE#LENDER-ABC#poison".into(),
            ),
        )
        .item(
            "event",
            aws_sdk_dynamodb::types::AttributeValue::S("{\"not\": \"an envelope\"".into()),
        )
        .send()
        .await
        .unwrap();
    app.post(LOAN, &sample_body(LOAN, "good-2")).await;
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!(
        (report.delivered, report.parked, report.failed.len()),
        (2, 1, 0),
        "{report:?}"
    );
    assert_eq!(
        arrivals(&app, &[LOAN]).await["LoanAcceptanceEventsQueue"],
        vec!["good-1", "good-2"]
    );
    // The alarm's metric: the parked queue's depth.
    let parked_url = app.stack.parked_queue_url().unwrap();
    let n = app.queue_depth(&parked_url).await;
    assert_eq!(n, 1, "DispatcherParkedAlarm fires on this depth");
    let parked = app.drain_raw("DispatcherParkedQueue").await;
    let p: Parked = serde_json::from_str(&parked[0].0).unwrap();
    assert_eq!(
        p.key.as_deref(),
        Some("LOAN_ACCEPTANCE_RESPONSE#LENDER-ABC#poison")
    );
    assert!(p.reason.contains("not an envelope"), "{}", p.reason);
}

#[tokio::test]
async fn with_one_queue_gone_for_20_s_healthy_queues_get_each_event_once_and_it_gets_them_after() {
    let app = spawn_app().await;
    let notify_url = app.queue_url("DisbursementNotificationsQueue");
    app.sqs
        .delete_queue()
        .queue_url(&notify_url)
        .send()
        .await
        .unwrap();
    let mut poller = app.poller();
    let mut expected: HashMap<CallbackType, Vec<String>> = HashMap::new();
    let started = std::time::Instant::now();
    let mut i = 0;
    while started.elapsed() < std::time::Duration::from_secs(20) {
        for kind in [DISBURSEMENT, LOAN, CONSENT] {
            let id = format!("outage-{i:03}");
            let (status, _) = app.post(kind, &sample_body(kind, &id)).await;
            assert_eq!(status, 200);
            expected.entry(kind).or_default().push(id);
        }
        i += 1;
        let r = poller.poll_once().await.unwrap();
        assert_eq!(r.given_up, 0);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    // The stream holds the shard at the first record the dead queue did not take (as the
    // event source mapping does); healthy queues took what the retried batch held, once.
    let during = arrivals(&app, &[LOAN, CONSENT]).await;
    for (q, kind) in [
        ("LoanAcceptanceEventsQueue", LOAN),
        ("ConsentHandleEventsQueue", CONSENT),
    ] {
        assert!(!during[q].is_empty(), "{q} got nothing during the outage");
        assert_eq!(
            during[q],
            expected[&kind][..during[q].len()],
            "{q}: in order, once"
        );
    }
    // The queue comes back (same name, same URL).
    ocen_local::stack::LocalStack::create(&app.sdk, app.stack.resources.clone(), &app.stack.prefix)
        .await
        .unwrap();
    let report = poller.drain(3).await.unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    let after = arrivals(&app, &[LOAN, CONSENT, DISBURSEMENT]).await;
    for (q, kind) in [
        ("LoanAcceptanceEventsQueue", LOAN),
        ("ConsentHandleEventsQueue", CONSENT),
    ] {
        let all: Vec<String> = during[q].iter().chain(&after[q]).cloned().collect();
        assert_eq!(all, expected[&kind], "{q}: every event exactly once");
    }
    assert_eq!(after["DisbursementLedgerQueue"], expected[&DISBURSEMENT]);
    assert_eq!(
        after["DisbursementNotificationsQueue"], expected[&DISBURSEMENT],
        "once each, after recovery"
    );
}

/// Numbers at the edges, spelled as a lender may spell them.
const EDGE_NUMBERS: &str =
    "9007199254740993,12345678901234567890123,-98765432109876543210,1E15,1e-7,-0,0.000000000000000000000000000001,100.00,123456789.987654321";

/// `body` as text, with `extensibleData` and an unknown attribute full of edge numbers.
fn with_edge_numbers(kind: CallbackType, request_id: &str, pad_to: Option<usize>) -> String {
    let mut body = sample_body(kind, request_id);
    body["metadata"]["orgId"] = json!("LENDER-V4");
    body["extensibleData"] = json!("SLOT");
    let mut text = body.to_string().replacen(
        r#""SLOT""#,
        &format!(r#"{{"account":12345678901234567890123,"values":[{EDGE_NUMBERS}],"more":[]}},"unknownAmount":1E15"#),
        1,
    );
    if let Some(cap) = pad_to {
        // Fill "more" with numbers until the body is exactly `cap` bytes.
        let mut fill = String::new();
        while text.len() + fill.len() + 24 < cap {
            fill.push_str("12345678901234567890123,");
        }
        fill.push_str(&"9".repeat(cap - text.len() - fill.len()));
        text = text.replacen(r#""more":[]"#, &format!(r#""more":[{fill}]"#), 1);
        assert_eq!(text.len(), cap);
    }
    text
}

async fn post_v4_text(app: &TestApp, kind: CallbackType, text: &str) -> (u16, String) {
    if let Ok(body) = serde_json::from_str::<serde_json::Value>(text) {
        app.sent(kind, &body, Default::default()).await;
    }
    let signature = lender_key().sign_v4(text.as_bytes());
    let reply = app
        .service
        .handle(
            kind,
            ocen_shared::Inbound {
                method: "POST",
                content_type: Some("application/json"),
                signature: Some(&signature),
                body: text.as_bytes(),
            },
        )
        .await;
    (reply.status, reply.body)
}

#[tokio::test]
async fn numbers_at_the_edges_reach_the_queue_byte_for_byte_as_sent() {
    let app = spawn_app().await;
    for &kind in CallbackType::ALL {
        let (status, ack) =
            post_v4_text(&app, kind, &with_edge_numbers(kind, "numbers-1", None)).await;
        assert_eq!(status, 200, "{ack}");
    }
    let mut otp = sample_body(LOAN, "otp-number");
    otp["credBlock"][0]["data"]["otp"] = json!(123456);
    let (status, _) = app.post_v4(LOAN, &otp).await;
    assert_eq!(status, 200);
    app.poller().drain(2).await.unwrap();
    // Callbacks that share a queue (trigger and verify loan acceptance) are read together.
    let mut kinds_on: std::collections::BTreeMap<String, Vec<CallbackType>> = Default::default();
    for &kind in CallbackType::ALL {
        for q in app.queues_for(kind) {
            kinds_on.entry(q).or_default().push(kind);
        }
    }
    for (q, kinds) in kinds_on {
        let bodies: Vec<String> = app
            .drain_raw(&q)
            .await
            .into_iter()
            .map(|(b, _)| b)
            .collect();
        let numbers: Vec<&String> = bodies.iter().filter(|b| b.contains("numbers-1")).collect();
        assert_eq!(
            numbers.len(),
            kinds.len(),
            "{q}: one per callback type routed to it"
        );
        for numbers in numbers {
            assert!(
                numbers.contains(&format!("[{EDGE_NUMBERS}]")),
                "{q}: {numbers}"
            );
            assert!(
                numbers.contains(r#""account":12345678901234567890123"#),
                "{q}"
            );
            assert!(numbers.contains(r#""unknownAmount":1E15"#), "{q}");
        }
        if kinds.contains(&LOAN) {
            let otp = bodies.iter().find(|b| b.contains("otp-number")).unwrap();
            assert!(otp.contains(r#""otp":123456"#), "{otp}");
        }
    }
}

#[tokio::test]
async fn the_biggest_body_of_numbers_is_stored_and_delivered_exactly_and_one_byte_more_is_413() {
    let app = spawn_app().await;
    let cap = ocen_shared::config::DEFAULT_MAX_BODY_BYTES;
    let text = with_edge_numbers(DISBURSEMENT, "biggest-numbers", Some(cap));
    let (status, ack) = post_v4_text(&app, DISBURSEMENT, &text).await;
    assert_eq!(status, 200, "{ack}");
    let over = with_edge_numbers(DISBURSEMENT, "biggest-numbers-2", Some(cap + 1));
    let (status, ack) = post_v4_text(&app, DISBURSEMENT, &over).await;
    assert_eq!(status, 413, "{ack}");
    assert!(ack.contains("GEN5007"));
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!((report.delivered, report.parked), (1, 0));
    let store = app.store();
    let sent: Value = serde_json::from_str(&text).unwrap();
    for q in app.queues_for(DISBURSEMENT) {
        let raw = app.drain_raw(&q).await;
        assert_eq!(raw.len(), 1);
        let envelope = store.resolve(&raw[0].0).await.unwrap();
        let more = &sent["extensibleData"]["more"];
        let more_text = serde_json::to_string(more).unwrap();
        assert!(
            envelope.contains(&more_text),
            "{q}: the numbers arrive as sent"
        );
        assert!(envelope.contains(r#""unknownAmount":1E15"#));
    }
}

#[tokio::test]
async fn a_consent_without_consent_status_is_delivered_with_the_status_absent_and_a_warning() {
    let app = spawn_app().await;
    let mut body = sample_body(CONSENT, "no-status");
    body["consent"]
        .as_object_mut()
        .unwrap()
        .remove("consentStatus");
    let (status, ack) = app.post(CONSENT, &body).await;
    assert_eq!((status, ack.ack.error.as_str()), (200, "0"));
    app.poller().drain(2).await.unwrap();
    let raw = app.drain_raw("ConsentHandleEventsQueue").await;
    let event: Value = serde_json::from_str(&raw[0].0).unwrap();
    assert!(event["payload"]["consent"].get("consentStatus").is_none());
    assert_eq!(event["warnings"], json!(["consent.consentStatus absent"]));
}
