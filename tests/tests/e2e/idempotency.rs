use crate::helpers::*;
use aws_sdk_dynamodb::types::AttributeValue;
use ocen_shared::testing::sample_body;
use ocen_shared::CallbackType;
use serde_json::json;

#[tokio::test]
async fn a_first_callback_of_each_type_is_stored_once_with_its_ack_hash_and_expiry() {
    let app = spawn_app().await;
    for &kind in CallbackType::ALL {
        let (status, ack) = app.post(kind, &sample_body(kind, "first-1")).await;
        assert_eq!((status, ack.ack.error.as_str()), (200, "0"), "{kind}");
        let item = app
            .ddb
            .get_item()
            .table_name(&app.stack.table_name)
            .key(
                "pk",
                AttributeValue::S(format!("{}#LENDER-ABC#first-1", kind.as_str())),
            )
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
            .expect("the item is stored");
        assert_eq!(item["orgId"].as_s().unwrap(), "LENDER-ABC");
        assert_eq!(item["payloadHash"].as_s().unwrap().len(), 64);
        assert_eq!(item["ack"].as_s().unwrap(), &ack_json(&ack));
        let expires: i64 = item["expiresAt"].as_n().unwrap().parse().unwrap();
        assert!(expires > 1_700_000_000 + 29 * 86_400);
    }
    assert_eq!(app.item_count().await, CallbackType::ALL.len());
}

fn ack_json(ack: &ocen_shared::ack::AckBody) -> String {
    serde_json::to_string(ack).unwrap()
}

#[tokio::test]
async fn a_duplicate_of_each_type_gets_the_first_ack_and_stores_nothing_new() {
    let app = spawn_app().await;
    for &kind in CallbackType::ALL {
        let body = sample_body(kind, "dup-1");
        let (_, first) = app.post(kind, &body).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let (status, again) = app.post(kind, &body).await;
        assert_eq!(status, 200);
        assert_eq!(
            first, again,
            "{kind}: same traceId and timestamp as the first answer"
        );
    }
    assert_eq!(app.item_count().await, CallbackType::ALL.len());
}

#[tokio::test]
async fn a_conflicting_payload_of_each_type_is_409_and_the_stored_item_is_untouched() {
    let app = spawn_app().await;
    // A revisable callback's new body is its next revision (tested below), not a conflict.
    for &kind in CallbackType::ALL.iter().filter(|k| !k.def().revisable) {
        let body = sample_body(kind, "conflict-1");
        app.post(kind, &body).await;
        let key = AttributeValue::S(format!("{}#LENDER-ABC#conflict-1", kind.as_str()));
        let before = app
            .ddb
            .get_item()
            .table_name(&app.stack.table_name)
            .key("pk", key.clone())
            .send()
            .await
            .unwrap()
            .item;
        let mut changed = body;
        changed["lenderNote"] = json!("a different body under the same requestId");
        let (status, ack) = app.post(kind, &changed).await;
        assert_eq!((status, ack.ack.error.as_str()), (409, "LSP4009"), "{kind}");
        let after = app
            .ddb
            .get_item()
            .table_name(&app.stack.table_name)
            .key("pk", key)
            .send()
            .await
            .unwrap()
            .item;
        assert_eq!(before, after);
    }
}

#[tokio::test]
async fn another_lender_cannot_take_a_request_id_each_lenders_callback_is_its_own() {
    let app = spawn_app().await;
    for &kind in CallbackType::ALL {
        // LENDER-XYZ posts first a requestId the LSP sent to LENDER-ABC.
        let body = sample_body(kind, "org-1");
        let (status, _) = app
            .post(
                kind,
                &with(body.clone(), "/metadata/orgId", json!("LENDER-XYZ")),
            )
            .await;
        assert_eq!(status, 200, "{kind}");
        let (status, ack) = app.post(kind, &body).await;
        assert_eq!(
            (status, ack.ack.error.as_str()),
            (200, "0"),
            "{kind}: LENDER-ABC's own callback is recorded"
        );
    }
    assert_eq!(app.item_count().await, 2 * CallbackType::ALL.len());
    app.poller().drain(2).await.unwrap();
    let kind = ocen_shared::callbacks::consent_handle::TYPE;
    let events = app.drain_queue(&app.queues_for(kind)[0]).await;
    let ids: std::collections::HashSet<_> = events
        .iter()
        .filter(|(e, _)| e.event_type == kind)
        .map(|(e, _)| (e.org_id.clone(), e.event_id))
        .collect();
    assert_eq!(ids.len(), 2, "two callbacks, two eventIds");
    assert!(ids.contains(&(
        "LENDER-ABC".to_string(),
        ocen_shared::event::event_id(kind, "LENDER-ABC", "org-1")
    )));
}

#[tokio::test]
async fn fifty_concurrent_identical_callbacks_store_one_item_send_one_message_and_get_fifty_identical_acks(
) {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::consent_handle::TYPE;
    let body = sample_body(kind, "concurrent-1");
    let answers = futures::future::join_all((0..50).map(|_| app.post(kind, &body))).await;
    assert!(answers.iter().all(|(s, _)| *s == 200));
    let first = &answers[0].1;
    assert!(
        answers.iter().all(|(_, a)| a == first),
        "every answer is the first ack"
    );
    assert_eq!(app.item_count().await, 1);
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!(report.delivered, 1);
    let queue = &app.queues_for(kind)[0];
    assert_eq!(app.drain_queue(queue).await.len(), 1);
}

#[tokio::test]
async fn the_ack_path_makes_exactly_one_aws_call_for_a_new_and_for_a_duplicate_callback() {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    let body = sample_body(kind, "calls-1");
    let before = app.store_calls.get();
    app.post(kind, &body).await;
    assert_eq!(app.store_calls.get() - before, 1, "new callback");
    let before = app.store_calls.get();
    app.post(kind, &body).await;
    assert_eq!(app.store_calls.get() - before, 1, "duplicate callback");
    let before = app.store_calls.get();
    app.post(kind, &with(body, "/payment/totalAmount", json!("1.00")))
        .await;
    assert_eq!(app.store_calls.get() - before, 1, "conflicting callback");
}

#[tokio::test]
async fn a_refused_callback_makes_no_aws_call() {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    let (status, _) = app
        .post(
            kind,
            &with(sample_body(kind, "bad-1"), "/payment/status", json!("DONE")),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(app.store_calls.get(), 0);
    assert_eq!(app.item_count().await, 0);
}

#[tokio::test]
async fn a_signed_body_naming_request_id_twice_is_refused_not_recorded_under_either() {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    let text =
        sample_body(kind, "R-second")
            .to_string()
            .replacen('{', r#"{"requestId":"A-first","#, 1);
    let signed = lender_key().sign_v3(text.as_bytes());
    let reply = app
        .service
        .handle(kind, ocen_shared::Inbound::post(&signed))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.contains("LSP4000"));
    assert_eq!(app.item_count().await, 0);
}

#[tokio::test]
async fn a_late_retry_of_a_recorded_callback_is_answered_from_the_table_and_a_new_late_one_is_lsp4010(
) {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    let now = time::OffsetDateTime::now_utc();
    let stamp = ocen_shared::domain::OcenTimestamp::ack_format(now - time::Duration::seconds(200));
    let body = with(
        sample_body(kind, "late-e2e"),
        "/metadata/timestamp",
        json!(stamp),
    );
    let (status, first) = app.post(kind, &body).await;
    assert_eq!(status, 200);
    // The same signed bytes, 400 s after their timestamp (the service's clock moved on).
    let later = service_with(app.ddb.clone(), &app.stack.table_name).with_clock(
        std::sync::Arc::new(move || now + time::Duration::seconds(200)),
    );
    let (status, again) = post_with(&later, kind, &body).await;
    assert_eq!((status, &again), (200, &first));
    let other = with(
        sample_body(kind, "late-e2e-new"),
        "/metadata/timestamp",
        json!(stamp),
    );
    let (status, ack) = post_with(&later, kind, &other).await;
    assert_eq!((status, ack.ack.error.as_str()), (400, "LSP4010"));
    assert_eq!(app.item_count().await, 1);
}

#[tokio::test]
async fn a_plan_status_moving_on_under_one_request_id_reaches_the_ledger_as_two_events_in_order() {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::set_repayment_plan_status::TYPE;
    let mut body = sample_body(kind, "plan-status-1");
    body["plan"]["status"] = json!("PENDING_AUTH");
    let (status, pending) = app.post(kind, &body).await;
    assert_eq!(status, 200);
    let mut active = body.clone();
    active["plan"]["status"] = json!("ACTIVE");
    let calls = app.store_calls.get();
    let (status, activated) = app.post(kind, &active).await;
    assert_eq!((status, activated.ack.error.as_str()), (200, "0"));
    assert_eq!(
        app.store_calls.get() - calls,
        2,
        "the refused first write, then the revision"
    );
    // Retries of each revision get that revision's first ack.
    assert_eq!(app.post(kind, &body).await.1, pending);
    assert_eq!(app.post(kind, &active).await.1, activated);
    assert_eq!(app.item_count().await, 1, "one record, revised");
    app.poller().drain(2).await.unwrap();
    let events = app.drain_queue("RepaymentLedgerQueue").await;
    let statuses: Vec<(Option<u32>, String)> = events
        .iter()
        .map(|(e, _)| {
            (
                e.revision,
                e.payload["plan"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (None, "PENDING_AUTH".to_string()),
            (Some(2), "ACTIVE".to_string())
        ]
    );
    assert_ne!(events[0].0.event_id, events[1].0.event_id);
}
