//! The operator's CLI (`ocen-ops`) against the local stack: redrive, replay, audit, inspect.

use crate::helpers::*;
use aws_sdk_dynamodb::types::AttributeValue;
use ocen_local::poller::{OnFailure, StreamPoller};
use ocen_ops::{Ops, Targets};
use ocen_shared::event::event_id;
use ocen_shared::testing::sample_body;
use ocen_shared::CallbackType;

const LOAN: CallbackType = ocen_shared::callbacks::loan_acceptance::TYPE;
const DISBURSEMENT: CallbackType = ocen_shared::callbacks::disbursement::TYPE;

fn ops(app: &TestApp) -> Ops {
    Ops::new(&app.sdk, Targets::from_local(&app.stack))
}

fn since_an_hour_ago() -> String {
    ocen_shared::domain::OcenTimestamp::ack_format(
        time::OffsetDateTime::now_utc() - time::Duration::hours(1),
    )
}

async fn depth(app: &TestApp, url: &str) -> usize {
    app.queue_depth(url).await
}

#[tokio::test]
async fn a_batch_the_stream_gave_up_on_is_listed_by_audit_and_brought_back_by_redrive_once() {
    let app = spawn_app().await;
    for i in 0..3 {
        app.post(
            DISBURSEMENT,
            &sample_body(DISBURSEMENT, &format!("gave-up-{i}")),
        )
        .await;
    }
    // SQS unreachable for the whole retry budget: the batch goes to the on-failure queue.
    let dead_sdk = ocen_local::stack::local_sdk_config(DEAD_ENDPOINT).await;
    let failure_url = app
        .stack
        .failure_queue_url()
        .expect("the template names one");
    let mut poller: StreamPoller = app
        .poller_with(aws_sdk_sqs::Client::new(&dead_sdk))
        .with_on_failure(OnFailure {
            sqs: app.sqs.clone(),
            queue_url: failure_url.clone(),
            max_retries: 1,
        });
    let mut given_up = 0;
    for _ in 0..3 {
        given_up += poller.poll_once().await.unwrap().given_up;
    }
    assert_eq!(given_up, 3);
    assert_eq!(depth(&app, &failure_url).await, 1);

    let ops = ops(&app);
    let audit = ops
        .audit(&since_an_hour_ago(), time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(audit.checked, 3);
    assert_eq!(audit.undispatched.len(), 3, "{audit}");
    assert_eq!(
        audit.undispatched[0].missing.len(),
        2,
        "ledger and notifications"
    );

    let dry = ops.redrive(true).await.unwrap();
    assert_eq!((dry.records, dry.delivered), (3, 0));
    assert_eq!(
        depth(&app, &failure_url).await,
        1,
        "a dry run leaves the message"
    );

    let summary = ops.redrive(false).await.unwrap();
    assert_eq!(
        (
            summary.records,
            summary.delivered,
            summary.failed,
            summary.messages_done
        ),
        (3, 3, 0, 1),
        "{summary}"
    );
    assert!(summary.ok());
    assert!(
        summary.notes.is_empty(),
        "found through the stream's sequence range: {summary}"
    );
    assert_eq!(depth(&app, &failure_url).await, 0);
    for q in app.queues_for(DISBURSEMENT) {
        let ids: Vec<_> = app
            .drain_queue(&q)
            .await
            .into_iter()
            .map(|(e, _)| e.request_id)
            .collect();
        assert_eq!(ids, vec!["gave-up-0", "gave-up-1", "gave-up-2"], "{q}");
    }
    assert!(ops
        .audit(&since_an_hour_ago(), time::Duration::ZERO)
        .await
        .unwrap()
        .undispatched
        .is_empty());
    // Safe to run twice: nothing left, nothing sent again.
    let again = ops.redrive(false).await.unwrap();
    assert_eq!((again.records, again.delivered), (0, 0));
    for q in app.queues_for(DISBURSEMENT) {
        assert!(app.drain_queue(&q).await.is_empty());
    }
}

#[tokio::test]
async fn a_parked_record_is_redriven_after_the_operator_fixes_it() {
    let app = spawn_app().await;
    // A good record to copy from, and a broken one under another key.
    app.post(LOAN, &sample_body(LOAN, "fixed")).await;
    let good = app
        .ddb
        .get_item()
        .table_name(&app.stack.table_name)
        .key(
            "pk",
            AttributeValue::S("LOAN_ACCEPTANCE_RESPONSE#LENDER-ABC#fixed".into()),
        )
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    app.ddb
        .put_item()
        .table_name(&app.stack.table_name)
        .item(
            "pk",
            AttributeValue::S("LOAN_ACCEPTANCE_RESPONSE#LENDER-ABC#broken".into()),
        )
        .item(
            "callbackType",
            AttributeValue::S("LOAN_ACCEPTANCE_RESPONSE".into()),
        )
        .item("receivedAt", good["receivedAt"].clone())
        .item("event", AttributeValue::S("{}".into()))
        .send()
        .await
        .unwrap();
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!((report.delivered, report.parked), (1, 1));
    app.drain_queue("LoanAcceptanceEventsQueue").await;

    let ops = ops(&app);
    let audit = ops
        .audit(&since_an_hour_ago(), time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(audit.undispatched.len(), 1, "{audit}");
    assert_eq!(
        audit.undispatched[0].key,
        "LOAN_ACCEPTANCE_RESPONSE#LENDER-ABC#broken"
    );
    // Unroutable, it was parked as a whole (no queue): no queue has evidence of it.
    let missing = &audit.undispatched[0].missing;
    assert!(
        missing.len() == 1 && missing[0].ends_with("LoanAcceptanceEventsQueue"),
        "{audit}"
    );

    // The operator restores the record (here: the good one's content under the broken key).
    let mut fixed = good.clone();
    fixed.insert(
        "pk".into(),
        AttributeValue::S("LOAN_ACCEPTANCE_RESPONSE#LENDER-ABC#broken".into()),
    );
    app.ddb
        .put_item()
        .table_name(&app.stack.table_name)
        .set_item(Some(fixed))
        .send()
        .await
        .unwrap();
    let summary = ops.redrive(false).await.unwrap();
    assert_eq!(
        (summary.records, summary.delivered, summary.messages_done),
        (1, 1, 1),
        "{summary}"
    );
    assert_eq!(depth(&app, &app.stack.parked_queue_url().unwrap()).await, 0);
    assert_eq!(app.drain_queue("LoanAcceptanceEventsQueue").await.len(), 1);
}

#[tokio::test]
async fn replay_publishes_recorded_callbacks_again_with_the_same_event_id_to_every_or_one_queue() {
    let app = spawn_app().await;
    for i in 0..2 {
        app.post(
            DISBURSEMENT,
            &sample_body(DISBURSEMENT, &format!("replay-{i}")),
        )
        .await;
    }
    app.post(LOAN, &sample_body(LOAN, "replay-loan")).await;
    app.poller().drain(2).await.unwrap();
    for kind in [DISBURSEMENT, LOAN] {
        for q in app.queues_for(kind) {
            app.drain_queue(&q).await;
        }
    }
    let ops = ops(&app);
    let all = ops
        .replay(
            Some(DISBURSEMENT),
            None,
            Some(&since_an_hour_ago()),
            None,
            None,
            false,
        )
        .await
        .unwrap();
    assert_eq!((all.records, all.delivered), (2, 2), "{all}");
    for q in app.queues_for(DISBURSEMENT) {
        let events = app.drain_queue(&q).await;
        let ids: Vec<_> = events.iter().map(|(e, _)| e.event_id).collect();
        assert_eq!(
            ids,
            vec![
                event_id(DISBURSEMENT, "LENDER-ABC", "replay-0"),
                event_id(DISBURSEMENT, "LENDER-ABC", "replay-1")
            ],
            "{q}"
        );
    }
    assert!(
        app.drain_queue("LoanAcceptanceEventsQueue")
            .await
            .is_empty(),
        "only the type asked for"
    );

    let ledger = app.queue_url("DisbursementLedgerQueue");
    let ledger_name = ledger.rsplit('/').next().unwrap().to_string();
    let one = ops
        .replay(
            Some(DISBURSEMENT),
            Some(("LENDER-ABC", "replay-1")),
            None,
            None,
            Some(&ledger_name),
            false,
        )
        .await
        .unwrap();
    assert_eq!(one.delivered, 1);
    // (The FIFO ledger drops a copy within its 5-minute deduplication window: README.)
    assert!(
        app.drain_queue("DisbursementNotificationsQueue")
            .await
            .is_empty(),
        "only the queue asked for"
    );
    assert!(ops
        .replay(None, None, None, None, Some("no-such-queue"), false)
        .await
        .is_err());
}

#[tokio::test]
async fn inspect_shows_the_record_and_which_queues_took_it() {
    let app = spawn_app().await;
    app.post(DISBURSEMENT, &sample_body(DISBURSEMENT, "inspect-1"))
        .await;
    let ops = ops(&app);
    let before = ops
        .inspect(DISBURSEMENT, "LENDER-ABC", "inspect-1")
        .await
        .unwrap();
    assert!(before.deliveries.values().all(Option::is_none));
    app.poller().drain(2).await.unwrap();
    let after = ops
        .inspect(DISBURSEMENT, "LENDER-ABC", "inspect-1")
        .await
        .unwrap();
    assert_eq!(after.deliveries.len(), 2);
    assert!(after
        .deliveries
        .values()
        .all(|d| d.as_ref().is_some_and(|(o, _)| o == "sent")));
    assert_eq!(
        after.record["eventId"],
        event_id(DISBURSEMENT, "LENDER-ABC", "inspect-1").to_string()
    );
    let text = after.to_string();
    assert!(
        text.contains("payloadHash") && text.contains("sent at") && text.contains("\"loanId\""),
        "{text}"
    );
    assert!(ops
        .inspect(DISBURSEMENT, "LENDER-ABC", "no-such")
        .await
        .is_err());
}

#[tokio::test]
async fn when_the_stream_no_longer_holds_a_failed_batch_redrive_finds_it_by_received_at() {
    let app = spawn_app().await;
    app.post(LOAN, &sample_body(LOAN, "trimmed-1")).await;
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    // What Lambda wrote a day ago, for records the stream has since trimmed.
    let body = serde_json::json!({"DDBStreamBatchInfo": {
        "shardId": "shardId-00000000000000000000-trimmed", "startSequenceNumber": "1", "endSequenceNumber": "2",
        "approximateArrivalOfFirstRecord": now, "approximateArrivalOfLastRecord": now, "batchSize": 1,
        "streamArn": format!("{}-trimmed", app.stack.stream_arn)}});
    let failure_url = app.stack.failure_queue_url().unwrap();
    app.sqs
        .send_message()
        .queue_url(&failure_url)
        .message_body(body.to_string())
        .send()
        .await
        .unwrap();
    let summary = ops(&app).redrive(false).await.unwrap();
    assert_eq!(
        (summary.records, summary.delivered, summary.messages_done),
        (1, 1, 1),
        "{summary}"
    );
    assert!(
        summary.notes.iter().any(|n| n.contains("receivedAt")),
        "{summary}"
    );
    let ids: Vec<_> = app
        .drain_queue("LoanAcceptanceEventsQueue")
        .await
        .into_iter()
        .map(|(e, _)| e.request_id)
        .collect();
    assert_eq!(ids, vec!["trimmed-1"]);
}

#[tokio::test]
async fn pending_lists_unanswered_requests_per_lender_and_inspect_shows_a_callbacks_request() {
    use ocen_shared::request::{IdValue, LspIds, SentRequest};
    use ocen_shared::store::dynamodb::RequestRecorded;
    let app = spawn_app().await;
    let ops = ops(&app);
    let ids = LspIds::new()
        .with("loanId", IdValue::One("LSP-LOAN-9".into()))
        .unwrap();
    let two_hours_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(2);
    for (org, id) in [
        ("LENDER-ABC", "p-answered"),
        ("LENDER-ABC", "p-waiting"),
        ("LENDER-XYZ", "p-waiting-xyz"),
    ] {
        let mut body = sample_body(DISBURSEMENT, id);
        body["metadata"]["orgId"] = org.into();
        app.sent_within(DISBURSEMENT, &body, ids.clone(), two_hours_ago, 4 * 3600)
            .await;
    }
    // Sent just now: not older than an hour.
    let fresh = SentRequest::new(
        DISBURSEMENT,
        "LENDER-ABC",
        "p-fresh",
        LspIds::new(),
        time::OffsetDateTime::now_utc(),
        std::time::Duration::from_secs(3600),
    )
    .unwrap();
    assert_eq!(
        ops.record_request(&fresh).await.unwrap(),
        RequestRecorded::Recorded
    );
    assert_eq!(
        ops.record_request(&fresh).await.unwrap(),
        RequestRecorded::AlreadyRecorded
    );
    let (status, _) = app
        .post_unsolicited(DISBURSEMENT, &sample_body(DISBURSEMENT, "p-answered"))
        .await;
    assert_eq!(status, 200);

    let pending = ops.pending(time::Duration::hours(1), None).await.unwrap();
    let waiting: Vec<&str> = pending
        .requests
        .iter()
        .map(|r| r.request_id.as_str())
        .collect();
    assert_eq!(waiting.len(), 2, "{pending}");
    assert!(waiting.contains(&"p-waiting") && waiting.contains(&"p-waiting-xyz"));
    let text = pending.to_string();
    assert!(text.contains("per lender:"), "{text}");
    let one_lender = ops
        .pending(time::Duration::hours(1), Some("LENDER-XYZ"))
        .await
        .unwrap();
    assert_eq!(one_lender.requests.len(), 1);
    assert_eq!(one_lender.requests[0].org_id, "LENDER-XYZ");

    let answered = ops
        .inspect(DISBURSEMENT, "LENDER-ABC", "p-answered")
        .await
        .unwrap()
        .to_string();
    assert!(answered.contains("sentAt"), "{answered}");
    assert!(answered.contains("LSP-LOAN-9"), "{answered}");
    let waiting = ops
        .inspect(DISBURSEMENT, "LENDER-ABC", "p-waiting")
        .await
        .unwrap()
        .to_string();
    assert!(waiting.contains("none recorded yet"), "{waiting}");
    let answered_request = SentRequest::new(
        DISBURSEMENT,
        "LENDER-ABC",
        "p-answered",
        LspIds::new(),
        time::OffsetDateTime::now_utc(),
        std::time::Duration::from_secs(60),
    )
    .unwrap();
    assert_eq!(
        ops.record_request(&answered_request).await.unwrap(),
        RequestRecorded::AlreadyAnswered
    );
}
