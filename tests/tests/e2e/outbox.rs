use crate::helpers::*;
use ocen_shared::event::event_id;
use ocen_shared::testing::sample_body;
use ocen_shared::CallbackType;
use serde_json::json;

#[tokio::test]
async fn each_callback_type_reaches_every_consumer_queue_of_its_route_as_a_versioned_envelope() {
    let app = spawn_app().await;
    for &kind in CallbackType::ALL {
        app.post(kind, &sample_body(kind, "fanout-1")).await;
    }
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!(report.delivered, CallbackType::ALL.len());
    // Callbacks that share a queue (e.g. trigger and verify loan acceptance) are read together.
    let mut kinds_on: std::collections::BTreeMap<String, Vec<CallbackType>> = Default::default();
    for &kind in CallbackType::ALL {
        for q in app.queues_for(kind) {
            kinds_on.entry(q).or_default().push(kind);
        }
    }
    for (queue, mut kinds) in kinds_on {
        let events = app.drain_queue(&queue).await;
        let mut got: Vec<CallbackType> = events.iter().map(|(e, _)| e.event_type).collect();
        got.sort_by_key(|k| k.as_str());
        kinds.sort_by_key(|k| k.as_str());
        assert_eq!(got, kinds, "one event per callback type routed to {queue}");
        for (envelope, attrs) in &events {
            let kind = envelope.event_type;
            assert_eq!(envelope.envelope_version, "1");
            assert_eq!(envelope.event_id, event_id(kind, "LENDER-ABC", "fanout-1"));
            assert_eq!(envelope.request_id, "fanout-1");
            assert_eq!(envelope.org_id, "LENDER-ABC");
            assert_eq!(envelope.payload["requestId"], "fanout-1");
            assert_eq!(attrs["type"], kind.as_str());
            assert_eq!(attrs["orgId"], "LENDER-ABC");
        }
    }
}

#[tokio::test]
async fn disbursements_fan_out_to_a_fifo_queue_grouped_by_loan_and_a_standard_queue() {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    let queues = app.queues_for(kind);
    assert!(queues.len() >= 2, "the template fans disbursements out");
    assert!(queues
        .iter()
        .any(|q| app.stack.resources.queue(q).unwrap().fifo));
    for i in 0..3 {
        app.post(kind, &sample_body(kind, &format!("loan-order-{i}")))
            .await;
    }
    app.poller().drain(2).await.unwrap();
    for q in queues {
        let events = app.drain_queue(&q).await;
        let ids: Vec<_> = events.iter().map(|(e, _)| e.request_id.clone()).collect();
        assert_eq!(
            ids,
            vec!["loan-order-0", "loan-order-1", "loan-order-2"],
            "in stream order on {q}"
        );
        assert!(events
            .iter()
            .all(|(e, _)| e.ordering_key == "loan:LOAN-2024-000123"));
    }
}

#[tokio::test]
async fn refused_and_conflicting_callbacks_produce_no_event() {
    let app = spawn_app().await;
    let kind = ocen_shared::callbacks::consent_handle::TYPE;
    let body = sample_body(kind, "quiet-1");
    app.post(kind, &body).await;
    app.post(kind, &body).await;
    app.post(
        kind,
        &with(body, "/consent/consentStatus", json!("PENDING")),
    )
    .await;
    app.post(
        kind,
        &with(
            sample_body(kind, "quiet-2"),
            "/consent/consentStatus",
            json!("NOPE"),
        ),
    )
    .await;
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(app.drain_queue(&app.queues_for(kind)[0]).await.len(), 1);
}

#[tokio::test]
async fn each_of_the_26_callbacks_signed_v4_is_acked_and_reaches_every_queue_of_its_route_once() {
    let app = spawn_app().await;
    assert_eq!(
        CallbackType::ALL.len(),
        26,
        "OCEN v3's lender-to-LSP callbacks"
    );
    for &kind in CallbackType::ALL {
        let (status, ack) = app.post_v4(kind, &sample_body(kind, "v4-all")).await;
        assert_eq!((status, ack.ack.error.as_str()), (200, "0"), "{kind}");
    }
    let report = app.poller().drain(2).await.unwrap();
    assert_eq!(report.delivered, CallbackType::ALL.len());
    let mut expected: std::collections::BTreeMap<String, usize> = Default::default();
    for &kind in CallbackType::ALL {
        for q in app.queues_for(kind) {
            *expected.entry(q).or_default() += 1;
        }
    }
    for (queue, n) in expected {
        let events = app.drain_queue(&queue).await;
        assert_eq!(events.len(), n, "{queue}");
        assert!(
            events.iter().all(|(e, _)| e.org_id == "LENDER-V4"),
            "{queue}"
        );
    }
}
