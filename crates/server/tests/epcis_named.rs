//! Named queries (/epcis/queries) and webhook subscriptions, delivered to a real receiver
//! (a small axum server) on 127.0.0.1.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use common::{TestServer, epcis_document};
use serde_json::{Value, json};

fn event(n: u32, biz_step: &str) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventID": format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
        "eventTime": format!("2026-03-01T08:00:{:02}Z", n % 60),
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "bizStep": biz_step,
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
    })
}

fn event_ids(body: &Value) -> Vec<String> {
    body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventID"].as_str().unwrap()[33..].to_owned())
        .collect()
}

#[tokio::test]
async fn named_queries_are_created_listed_run_and_deleted() {
    let server = TestServer::start().await;
    let events = json!([
        event(1, "shipping"),
        event(2, "receiving"),
        event(3, "shipping")
    ]);
    assert_eq!(
        server
            .post("/epcis/capture", &epcis_document(events))
            .await
            .0,
        202
    );
    let definition = json!({"name": "ships", "query": {"EQ_bizStep": ["shipping"], "orderBy": "eventTime", "orderDirection": "ASC"}});
    let (status, created) = server.post("/epcis/queries", &definition).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], "ships");
    let (status, _) = server.post("/epcis/queries", &definition).await;
    assert_eq!(status, 409, "the name is taken");
    let (status, list) = server.get("/epcis/queries", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, one) = server.get("/epcis/queries/ships", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(one["query"]["EQ_bizStep"][0], "shipping");
    let (status, body) = server.get("/epcis/queries/ships/events", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(event_ids(&body), ["000000000001", "000000000003"]);
    assert_eq!(body["epcisBody"]["queryResults"]["queryName"], "ships");
    // Paging applies to a named query's run; other parameters do not.
    let response = server
        .client
        .get(server.url("/epcis/queries/ships/events?perPage=1"))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("link").is_some());
    let (status, problem) = server
        .get("/epcis/queries/ships/events", &[("EQ_action", "ADD")])
        .await;
    assert_eq!(status, 400, "{problem}");
    // Bad definitions are refused naming the parameter.
    for (bad, needle) in [
        (
            json!({"name": "x", "query": {"EQ_bizStep": ["nope"]}}),
            "EQ_bizStep",
        ),
        (json!({"name": "x", "query": {"EQ_wat": "1"}}), "EQ_wat"),
        (json!({"name": "bad name", "query": {}}), "name"),
        (json!({"query": {}}), "name"),
        (json!({"name": "x"}), "query"),
        (
            json!({"name": "x", "query": {"nextPageToken": "a"}}),
            "nextPageToken",
        ),
    ] {
        let (status, problem) = server.post("/epcis/queries", &bad).await;
        assert_eq!(status, 400, "{bad}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(needle),
            "{problem}"
        );
    }
    let response = server
        .client
        .delete(server.url("/epcis/queries/ships"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, problem) = server.get("/epcis/queries/ships/events", &[]).await;
    assert_eq!(status, 404);
    assert_eq!(problem["type"], "epcisException:NoSuchNameException");
    server.stop().await;
}

/// What the receiver got: (headers, body) per request.
type Received = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on 127.0.0.1 that answers `fail_first` requests with 500, then 204.
async fn receiver(fail_first: usize) -> (String, Received) {
    let received: Received = Arc::default();
    let seen = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let mut seen = seen.lock().unwrap();
                seen.push((headers, body));
                if seen.len() <= fail_first {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), received)
}

async fn wait_for(received: &Received, count: usize) {
    for _ in 0..200 {
        if received.lock().unwrap().len() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the receiver got {} requests, not {count}",
        received.lock().unwrap().len()
    );
}

#[tokio::test]
async fn a_webhook_subscription_delivers_new_matching_events_signed_with_retries() {
    let server = TestServer::start().await;
    // An event before the subscription is not delivered.
    server
        .post(
            "/epcis/capture",
            &epcis_document(json!([event(1, "shipping")])),
        )
        .await;
    let (status, _) = server
        .post(
            "/epcis/queries",
            &json!({"name": "ships", "query": {"EQ_bizStep": ["shipping"]}}),
        )
        .await;
    assert_eq!(status, 201);
    // The first attempt fails: the delivery is retried.
    let (dest, received) = receiver(1).await;
    let (status, sub) = server
        .post(
            "/epcis/queries/ships/subscriptions",
            &json!({"dest": dest, "signatureToken": "s3cret", "stream": true}),
        )
        .await;
    assert_eq!(status, 201, "{sub}");
    assert!(
        sub.get("signatureToken").is_none(),
        "the secret is not shown back"
    );
    let sub_id = sub["subscriptionID"].as_str().unwrap().to_owned();

    let events = json!([
        event(2, "shipping"),
        event(3, "receiving"),
        event(4, "shipping")
    ]);
    assert_eq!(
        server
            .post("/epcis/capture", &epcis_document(events))
            .await
            .0,
        202
    );
    wait_for(&received, 2).await;
    let (headers, body) = received.lock().unwrap()[1].clone();
    let document: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(document["type"], "EPCISQueryDocument");
    assert_eq!(
        document["epcisBody"]["queryResults"]["subscriptionID"],
        sub_id
    );
    assert_eq!(event_ids(&document), ["000000000002", "000000000004"]);
    let expected = format!(
        "sha256={}",
        lotrace_server::hmac_sha256_hex(b"s3cret", body.as_bytes())
    );
    assert_eq!(headers["gs1-signature"], expected.as_str());
    // The failed attempt carried the same document.
    assert_eq!(received.lock().unwrap()[0].1, body);

    // Later events come in a later delivery; non-matching ones never.
    server
        .post(
            "/epcis/capture",
            &epcis_document(json!([event(5, "receiving")])),
        )
        .await;
    server
        .post(
            "/epcis/capture",
            &epcis_document(json!([event(6, "shipping")])),
        )
        .await;
    wait_for(&received, 3).await;
    let (_, body) = received.lock().unwrap()[2].clone();
    assert_eq!(
        event_ids(&serde_json::from_str(&body).unwrap()),
        ["000000000006"]
    );

    // The subscription reports its progress, then is deleted and delivers no more.
    let (status, state) = server
        .get(&format!("/epcis/queries/ships/subscriptions/{sub_id}"), &[])
        .await;
    assert_eq!(status, 200, "{state}");
    let (status, list) = server.get("/epcis/queries/ships/subscriptions", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let response = server
        .client
        .delete(server.url(&format!("/epcis/queries/ships/subscriptions/{sub_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    server
        .post(
            "/epcis/capture",
            &epcis_document(json!([event(7, "shipping")])),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(received.lock().unwrap().len(), 3);

    // Bad subscriptions are refused.
    for bad in [
        json!({"stream": true}),
        json!({"dest": "ftp://x", "stream": true}),
        json!({"dest": dest, "stream": false}),
        json!({"dest": dest, "schedule": {"hour": "1"}}),
    ] {
        let (status, problem) = server
            .post("/epcis/queries/ships/subscriptions", &bad)
            .await;
        assert_eq!(status, 400, "{bad}: {problem}");
    }
    let (status, _) = server
        .post(
            "/epcis/queries/nope/subscriptions",
            &json!({"dest": dest, "stream": true}),
        )
        .await;
    assert_eq!(status, 404);
    server.stop().await;
}
