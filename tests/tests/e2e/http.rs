//! The local stack over HTTP: the callbacks on their production paths, a POST becoming an
//! event on the consumer queue.

use crate::helpers::*;
use ocen_shared::testing::{ack_validator, sample_body};
use ocen_shared::CallbackType;
use serde_json::Value;
use std::time::{Duration, Instant};

async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = ocen_local::server::router(app.service.clone(), 256 * 1024);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let mut poller = app.poller();
    tokio::spawn(async move {
        loop {
            let _ = poller.poll_once().await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    base
}

#[tokio::test]
async fn a_post_to_each_production_path_becomes_an_envelope_on_the_consumer_queue_within_seconds() {
    let app = spawn_app().await;
    let base = serve(&app).await;
    let client = reqwest::Client::new();
    for &kind in CallbackType::ALL {
        app.sent(kind, &sample_body(kind, "http-1"), Default::default())
            .await;
        let posted = Instant::now();
        let resp = client
            .post(format!("{base}{}", kind.path()))
            .header("content-type", "application/json")
            .body(lender_key().sign_v3(sample_body(kind, "http-1").to_string().as_bytes()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let ack: Value = resp.json().await.unwrap();
        assert!(ack_validator().is_valid(&ack));
        assert_eq!(ack["ack"]["error"], "0");
        let queue = &app.queues_for(kind)[0];
        let mut events = Vec::new();
        while events.is_empty() && posted.elapsed() < Duration::from_secs(10) {
            events = app.drain_queue(queue).await;
        }
        assert_eq!(events.len(), 1, "{kind} reached {queue}");
        assert_eq!(events[0].0.request_id, "http-1");
        assert!(posted.elapsed() < Duration::from_secs(10));
    }
}

#[tokio::test]
async fn the_capitalised_disbursement_path_is_served() {
    let app = spawn_app().await;
    let base = serve(&app).await;
    let kind = ocen_shared::callbacks::disbursement::TYPE;
    app.sent(kind, &sample_body(kind, "caps-1"), Default::default())
        .await;
    let resp = reqwest::Client::new()
        .post(format!(
            "{base}/v3/disbursement/TriggerDisbursementResponse"
        ))
        .header("content-type", "application/json")
        .body(lender_key().sign_v3(sample_body(kind, "caps-1").to_string().as_bytes()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn an_unknown_path_is_404_and_a_get_is_405_both_with_acks() {
    let app = spawn_app().await;
    let base = serve(&app).await;
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("{base}/v3/loan/nothingHere"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let ack: Value = resp.json().await.unwrap();
    assert_eq!(ack["ack"]["error"], "LSP4004");
    let resp = client
        .get(format!(
            "{base}{}",
            ocen_shared::callbacks::consent_handle::TYPE.path()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["x-ocen-trace-id-generated"], "true");
    let ack: Value = resp.json().await.unwrap();
    assert!(ack_validator().is_valid(&ack));
    assert_eq!(ack["ack"]["error"], "GEN5003");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_with_an_ack() {
    let app = spawn_app().await;
    let base = serve(&app).await;
    let resp = reqwest::Client::new()
        .post(format!(
            "{base}{}",
            ocen_shared::callbacks::consent_handle::TYPE.path()
        ))
        .header("content-type", "application/json")
        .body(vec![b' '; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let ack: Value = resp.json().await.unwrap();
    assert_eq!(ack["ack"]["error"], "GEN5007");
}
