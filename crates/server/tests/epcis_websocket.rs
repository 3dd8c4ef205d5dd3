//! WebSocket subscriptions to named queries (`GET /epcis/queries/{name}/events?stream=true`
//! with a WebSocket handshake), with a real WebSocket client (tokio-tungstenite) against a
//! real server on 127.0.0.1 and a real SQLite file: events captured after subscribing
//! arrive, only the matching ones, in order; `initialRecordTime` sends the backlog first;
//! closing the socket (or deleting the query) ends the subscription; bad controls are
//! refused before the upgrade.

mod common;

use std::time::Duration;

use common::TestServer;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn event(n: u32, biz_step: &str) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventID": format!("urn:uuid:0b5e0000-0000-4000-8000-{n:012}"),
        "eventTime": format!("2026-03-01T08:{:02}:00Z", n % 60),
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "bizStep": biz_step,
        "epcList": [format!("urn:epc:id:sgtin:4012345.011111.{n}")],
    })
}

async fn capture(server: &TestServer, events: &[Value]) {
    let doc = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T12:00:00Z",
        "epcisBody": { "eventList": events },
    });
    let (status, answer) = server.post("/epcis/capture", &doc).await;
    assert_eq!(status, 202, "{answer}");
}

async fn named_query(server: &TestServer, name: &str, biz_step: &str) {
    let (status, answer) = server
        .post(
            "/epcis/queries",
            &json!({ "name": name, "query": { "EQ_bizStep": [biz_step] } }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
}

fn ws_url(server: &TestServer, path_and_query: &str) -> String {
    format!(
        "{}{path_and_query}",
        server.base.replacen("http://", "ws://", 1)
    )
}

async fn connect(server: &TestServer, path_and_query: &str) -> Socket {
    let (socket, response) = tokio_tungstenite::connect_async(ws_url(server, path_and_query))
        .await
        .expect("the WebSocket handshake succeeds");
    assert_eq!(response.status().as_u16(), 101);
    socket
}

/// Reads documents until `count` events have arrived (or fails after 10 s); their eventIDs
/// in arrival order, and every document's subscription ID.
async fn receive(socket: &mut Socket, count: usize) -> (Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut subscriptions = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while ids.len() < count {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("only {ids:?} arrived, expected {count} events"))
            .expect("the socket stays open")
            .expect("a message");
        let Message::Text(text) = message else {
            continue;
        };
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["type"], "EPCISQueryDocument", "{doc}");
        let results = &doc["epcisBody"]["queryResults"];
        subscriptions.push(results["subscriptionID"].as_str().unwrap().to_owned());
        for e in results["resultsBody"]["eventList"].as_array().unwrap() {
            ids.push(e["eventID"].as_str().unwrap().to_owned());
        }
    }
    (ids, subscriptions)
}

/// The WebSocket subscriptions the server lists for `name`.
async fn open_streams(server: &TestServer, name: &str) -> Vec<Value> {
    let (status, list) = server
        .get(&format!("/epcis/queries/{name}/subscriptions"), &[])
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .filter(|s| s["websocket"] == true)
        .cloned()
        .collect()
}

async fn wait_until_no_streams(server: &TestServer, name: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !open_streams(server, name).await.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the subscription outlived its socket"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn id(n: u32) -> String {
    event(n, "shipping")["eventID"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn new_matching_events_arrive_in_order_until_the_socket_closes() {
    let server = TestServer::start().await;
    named_query(&server, "shipments", "shipping").await;
    // Before subscribing: not sent to a plain stream.
    capture(&server, &[event(1, "shipping")]).await;

    let mut socket = connect(&server, "/epcis/queries/shipments/events?stream=true").await;
    let listed = open_streams(&server, "shipments").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["stream"], true);

    capture(&server, &[event(2, "shipping")]).await;
    capture(&server, &[event(3, "receiving")]).await;
    capture(&server, &[event(4, "shipping"), event(5, "receiving")]).await;
    capture(&server, &[event(6, "shipping")]).await;
    let (ids, subscriptions) = receive(&mut socket, 3).await;
    assert_eq!(ids, vec![id(2), id(4), id(6)]);
    assert!(
        subscriptions
            .iter()
            .all(|s| *s == listed[0]["subscriptionID"]),
        "{subscriptions:?}"
    );

    // Nothing else is pending: the next document holds the next match only.
    capture(&server, &[event(7, "receiving"), event(8, "shipping")]).await;
    let (ids, _) = receive(&mut socket, 1).await;
    assert_eq!(ids, vec![id(8)]);

    socket.close(None).await.unwrap();
    wait_until_no_streams(&server, "shipments").await;
    server.stop().await;
}

#[tokio::test]
async fn initial_record_time_sends_the_backlog_first() {
    let server = TestServer::start().await;
    named_query(&server, "shipments", "shipping").await;
    capture(&server, &[event(11, "shipping"), event(12, "receiving")]).await;
    let mut socket = connect(
        &server,
        "/epcis/queries/shipments/events?stream=true&initialRecordTime=2000-01-01T00:00:00Z",
    )
    .await;
    capture(&server, &[event(13, "shipping")]).await;
    let (ids, _) = receive(&mut socket, 2).await;
    assert_eq!(ids, vec![id(11), id(13)]);
    socket.close(None).await.unwrap();
    wait_until_no_streams(&server, "shipments").await;
    server.stop().await;
}

#[tokio::test]
async fn deleting_the_query_or_the_subscription_closes_the_socket() {
    let server = TestServer::start().await;
    named_query(&server, "shipments", "shipping").await;
    let mut socket = connect(&server, "/epcis/queries/shipments/events?stream=true").await;
    let response = server
        .client
        .delete(server.url("/epcis/queries/shipments"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the socket stayed open after the query was deleted"
    );

    named_query(&server, "receipts", "receiving").await;
    let mut socket = connect(&server, "/epcis/queries/receipts/events?stream=true").await;
    let listed = open_streams(&server, "receipts").await;
    let sub = listed[0]["subscriptionID"].as_str().unwrap();
    let response = server
        .client
        .delete(server.url(&format!("/epcis/queries/receipts/subscriptions/{sub}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the socket stayed open after its subscription was deleted"
    );
    assert!(open_streams(&server, "receipts").await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn bad_subscriptions_are_refused_before_the_upgrade() {
    let server = TestServer::start().await;
    named_query(&server, "shipments", "shipping").await;
    for (query, needle) in [
        ("", "stream"),
        ("?stream=false", "stream"),
        ("?stream=true&minute=5&hour=1", "minute"),
        ("?stream=true&EQ_bizStep=receiving", "EQ_bizStep"),
    ] {
        let url = ws_url(&server, &format!("/epcis/queries/shipments/events{query}"));
        match tokio_tungstenite::connect_async(url).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status().as_u16(), 400, "{query}");
                let body =
                    String::from_utf8_lossy(response.body().as_deref().unwrap_or(&[])).into_owned();
                assert!(
                    body.contains("SubscriptionControlsException"),
                    "{query}: {body}"
                );
                assert!(body.contains(needle), "{query}: {body}");
            }
            other => panic!("{query}: expected a refusal, got {:?}", other.map(|_| ())),
        }
    }
    // No such query: 404 before any upgrade.
    let url = ws_url(&server, "/epcis/queries/nope/events?stream=true");
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 404)
        }
        other => panic!("expected 404, got {:?}", other.map(|_| ())),
    }
    // stream=true without a handshake names what is missing.
    let (status, problem) = server
        .get("/epcis/queries/shipments/events", &[("stream", "true")])
        .await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("WebSocket"),
        "{problem}"
    );
    assert!(open_streams(&server, "shipments").await.is_empty());
    server.stop().await;
}
