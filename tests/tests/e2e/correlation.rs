//! Correlation through the local stack: a callback answers a request the LSP recorded, or
//! it is refused (`require`) or flagged (`flag`); the event carries the LSP's ids, and one
//! loan's callbacks keep their order on the FIFO ledger even when their bodies name no
//! loan.

use crate::helpers::*;
use ocen_shared::request::{IdValue, LspIds};
use ocen_shared::testing::sample_body;
use ocen_shared::CallbackType;
use serde_json::Value;

const STATUS: CallbackType = ocen_shared::callbacks::disbursement_status::TYPE;
const DISBURSEMENT: CallbackType = ocen_shared::callbacks::disbursement::TYPE;
const LEDGER: &str = "DisbursementLedgerQueue";

fn loan_ids(loan: &str, application: &str) -> LspIds {
    LspIds::new()
        .with("loanId", IdValue::One(loan.into()))
        .unwrap()
        .with(
            "loanApplicationIds",
            IdValue::Many(vec![application.into()]),
        )
        .unwrap()
}

/// A Trigger Disbursement Status Response without `loanId` (as v3's schema has it).
fn status_without_loan(request_id: &str) -> Value {
    let mut body = sample_body(STATUS, request_id);
    body.as_object_mut().unwrap().remove("loanId");
    body
}

/// The four ways a callback answers no request it may answer, set up on `app`: the
/// request ids to post (as LENDER-ABC, a Trigger Disbursement Status Response) and the
/// code each gets in mode `require`.
async fn unanswerable(app: &TestApp) -> Vec<(&'static str, &'static str)> {
    let other_lender = status_without_loan("c-other-lender");
    let mut theirs = other_lender.clone();
    theirs["metadata"]["orgId"] = Value::from("LENDER-XYZ");
    app.sent(STATUS, &theirs, LspIds::new()).await;
    app.sent(
        DISBURSEMENT,
        &status_without_loan("c-other-type"),
        LspIds::new(),
    )
    .await;
    let two_hours_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(2);
    app.sent_within(
        STATUS,
        &status_without_loan("c-expired"),
        LspIds::new(),
        two_hours_ago,
        3600,
    )
    .await;
    vec![
        ("c-never-sent", "LSP4011"),
        ("c-other-lender", "LSP4011"),
        ("c-other-type", "LSP4011"),
        ("c-expired", "LSP4012"),
    ]
}

#[tokio::test]
async fn a_recorded_requests_callback_is_acked_in_one_call_and_its_event_carries_the_lsps_ids() {
    let app = spawn_app().await;
    let body = status_without_loan("c-answer-1");
    app.sent(STATUS, &body, loan_ids("LSP-LOAN-1", "LSP-APP-1"))
        .await;
    let calls = app.store_calls.get();
    let (status, ack) = app.post_unsolicited(STATUS, &body).await;
    assert_eq!((status, ack.ack.error.as_str()), (200, "0"));
    assert_eq!(
        app.store_calls.get() - calls,
        1,
        "one AWS call on the ack path"
    );
    app.poller().drain(2).await.unwrap();
    let events = app.drain_queue(LEDGER).await;
    assert_eq!(events.len(), 1);
    let (event, _) = &events[0];
    let request = event
        .request
        .as_ref()
        .expect("the event carries the request");
    assert_eq!(request["loanId"], "LSP-LOAN-1");
    assert_eq!(
        request["loanApplicationIds"],
        serde_json::json!(["LSP-APP-1"])
    );
    assert!(request["sentAt"].is_string());
    assert_eq!(event.ordering_key, "loan:LSP-LOAN-1");
    assert!(event.warnings.is_empty(), "{:?}", event.warnings);
}

#[tokio::test]
async fn in_mode_require_unsolicited_other_lender_other_type_and_expired_callbacks_are_refused_and_reach_no_one(
) {
    let app = spawn_app().await;
    for (request_id, code) in unanswerable(&app).await {
        let calls = app.store_calls.get();
        let (status, ack) = app
            .post_unsolicited(STATUS, &status_without_loan(request_id))
            .await;
        assert_eq!(
            (status, ack.ack.error.as_str()),
            (422, code),
            "{request_id}"
        );
        assert_eq!(app.store_calls.get() - calls, 1, "{request_id}: one call");
    }
    assert_eq!(app.item_count().await, 0, "nothing stored");
    app.poller().drain(2).await.unwrap();
    for queue in app.queues_for(STATUS) {
        assert!(
            app.drain_raw(&queue).await.is_empty(),
            "no event on {queue}"
        );
    }
}

#[tokio::test]
async fn in_mode_flag_they_are_recorded_and_their_events_carry_the_warning_unsolicited() {
    let app = spawn_app().await;
    let flag = service_in_mode(app.ddb.clone(), &app.stack.table_name, "flag");
    let cases = unanswerable(&app).await;
    for (request_id, _) in &cases {
        let (status, ack) = post_with(&flag, STATUS, &status_without_loan(request_id)).await;
        assert_eq!((status, ack.ack.error.as_str()), (200, "0"), "{request_id}");
    }
    assert_eq!(app.item_count().await, cases.len());
    app.poller().drain(2).await.unwrap();
    let events = app.drain_queue(LEDGER).await;
    assert_eq!(events.len(), cases.len());
    for (event, _) in events {
        assert!(
            event.warnings.iter().any(|w| w.starts_with("unsolicited:")),
            "{}: {:?}",
            event.request_id,
            event.warnings
        );
    }
}

#[tokio::test]
async fn an_answers_duplicate_gets_the_first_ack_and_another_body_is_a_conflict() {
    let app = spawn_app().await;
    let body = status_without_loan("c-dup-1");
    let (_, first) = app.post(STATUS, &body).await;
    let (status, again) = app.post(STATUS, &body).await;
    assert_eq!((status, &again), (200, &first));
    let mut other = body.clone();
    other["response"]["error"] = Value::from("E42");
    let (status, ack) = app.post(STATUS, &other).await;
    assert_eq!((status, ack.ack.error.as_str()), (409, "LSP4009"));
    assert_eq!(app.item_count().await, 1);
}

#[tokio::test]
async fn five_status_responses_of_one_loan_without_loan_id_leave_the_ledger_in_order_among_other_loans(
) {
    let app = spawn_app().await;
    let mut expected = Vec::new();
    for i in 0..5 {
        for (loan, app_id) in [
            ("LSP-LOAN-A", "APP-A"),
            ("LSP-LOAN-B", "APP-B"),
            ("LSP-LOAN-C", "APP-C"),
        ] {
            let request_id = format!("{loan}-status-{i}");
            let body = status_without_loan(&request_id);
            app.sent(STATUS, &body, loan_ids(loan, app_id)).await;
            let (status, _) = app.post_unsolicited(STATUS, &body).await;
            assert_eq!(status, 200);
            if loan == "LSP-LOAN-A" {
                expected.push(request_id);
            }
        }
    }
    app.poller().drain(2).await.unwrap();
    let events = app.drain_queue(LEDGER).await;
    assert_eq!(events.len(), 15);
    let mut groups = std::collections::HashSet::new();
    let loan_a: Vec<String> = events
        .into_iter()
        .inspect(|(e, _)| {
            groups.insert(e.ordering_key.clone());
        })
        .filter(|(e, _)| e.ordering_key == "loan:LSP-LOAN-A")
        .map(|(e, _)| e.request_id)
        .collect();
    assert_eq!(
        loan_a, expected,
        "one loan's callbacks in the order they were recorded"
    );
    assert_eq!(groups.len(), 3, "one FIFO group per loan: {groups:?}");
}
