//! The HTTP server on a real loopback port, with a real SQLite file behind it.

mod common;

use common::{TestServer, epcis_document};
use lotrace_server::Limits;
use serde_json::{Value, json};

fn good_event(n: u32) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventID": format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
        "eventTime": "2026-03-01T08:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
    })
}

async fn post_json(client: &reqwest::Client, url: &str, body: &Value) -> reqwest::Response {
    client
        .post(url)
        .header("content-type", "application/ld+json")
        .body(serde_json::to_vec(body).unwrap())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn capture_answers_202_with_a_job_and_the_event_reads_back() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let response = post_json(
        &client,
        &server.url("/epcis/capture"),
        &epcis_document(json!([good_event(1)])),
    )
    .await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/epcis/capture/"));

    let job: Value = client
        .get(server.url(&location))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(job["running"], false);
    assert_eq!(job["success"], true);
    assert_eq!(job["eventsStored"], 1);

    let id = "urn:uuid:00000000-0000-4000-8000-000000000001";
    let response = client
        .get(server.url(&format!("/epcis/events/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "EPCISQueryDocument");
    let event = &body["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0];
    assert_eq!(event["eventID"], id);
    assert_eq!(event["epcList"][0], "urn:epc:id:sgtin:0614141.107346.2018");
    assert!(event["recordTime"].is_string());

    let jobs: Value = client
        .get(server.url("/epcis/capture"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jobs.as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn unknown_event_and_unknown_job_are_404_problems() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    for path in ["/epcis/events/urn:uuid:nope", "/epcis/capture/nope"] {
        let response = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 404);
        assert!(problem["detail"].as_str().unwrap().contains("nope"));
    }
    server.stop().await;
}

/// Posts `body` and expects a 400 problem whose first error names `field`; nothing is stored.
async fn expect_rejected(
    server: &TestServer,
    body: Vec<u8>,
    event_index: Option<u64>,
    field: &str,
) -> Value {
    let client = reqwest::Client::new();
    let before = server.store.event_count().await.unwrap();
    let response = client
        .post(server.url("/epcis/capture"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    let first = &problem["errors"][0];
    assert_eq!(first["eventIndex"].as_u64(), event_index, "{problem}");
    assert!(
        first["field"].as_str().unwrap().contains(field),
        "expected field {field} in {problem}"
    );
    assert!(!first["rule"].as_str().unwrap().is_empty());
    assert_eq!(
        server.store.event_count().await.unwrap(),
        before,
        "nothing stored"
    );
    problem
}

#[tokio::test]
async fn bad_documents_are_rejected_naming_the_event_and_field() {
    let server = TestServer::start().await;
    let ok = good_event(7);

    let problem =
        expect_rejected(&server, b"{\"type\": \"EPCISDocument\",".to_vec(), None, "").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("JSON"),
        "{problem}"
    );

    let mut wrong_type = good_event(8);
    wrong_type["type"] = json!("TeleportEvent");
    expect_rejected(
        &server,
        serde_json::to_vec(&epcis_document(json!([ok.clone(), wrong_type]))).unwrap(),
        Some(1),
        "type",
    )
    .await;

    let mut bad_time = good_event(9);
    bad_time["eventTime"] = json!("yesterday");
    expect_rejected(
        &server,
        serde_json::to_vec(&epcis_document(json!([bad_time]))).unwrap(),
        Some(0),
        "eventTime",
    )
    .await;

    let mut bad_offset = good_event(10);
    bad_offset["eventTimeZoneOffset"] = json!("+25:00");
    expect_rejected(
        &server,
        serde_json::to_vec(&epcis_document(json!([bad_offset]))).unwrap(),
        Some(0),
        "eventTimeZoneOffset",
    )
    .await;

    let no_parent = json!({
        "type": "AggregationEvent",
        "eventTime": "2026-03-01T09:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "ADD",
        "childEPCs": ["urn:epc:id:sgtin:0614141.107346.2018"],
    });
    let problem = expect_rejected(
        &server,
        serde_json::to_vec(&epcis_document(json!([ok.clone(), no_parent]))).unwrap(),
        Some(1),
        "parentID",
    )
    .await;
    assert!(
        problem["errors"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("AggregationEvent"),
        "{problem}"
    );

    let mut bad_check_digit = good_event(12);
    bad_check_digit["epcList"] = json!(["https://id.gs1.org/01/09521234543214/21/7"]);
    let problem = expect_rejected(
        &server,
        serde_json::to_vec(&epcis_document(json!([bad_check_digit]))).unwrap(),
        Some(0),
        "epcList[0]",
    )
    .await;
    assert_eq!(
        problem["errors"][0]["eventID"], "urn:uuid:00000000-0000-4000-8000-000000000012",
        "{problem}"
    );
    assert!(
        problem["errors"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("check digit"),
        "{problem}"
    );

    let mut no_list = good_event(13);
    no_list.as_object_mut().unwrap().remove("epcList");
    expect_rejected(
        &server,
        serde_json::to_vec(&epcis_document(json!([no_list]))).unwrap(),
        Some(0),
        "epcList",
    )
    .await;

    let mut text_quantity = good_event(11);
    text_quantity["quantityList"] =
        json!([{ "epcClass": "urn:epc:class:lgtin:4012345.012345.1", "quantity": "twenty" }]);
    expect_rejected(
        &server,
        serde_json::to_vec(&epcis_document(json!([text_quantity]))).unwrap(),
        Some(0),
        "quantity",
    )
    .await;
    server.stop().await;
}

#[tokio::test]
async fn a_document_over_the_size_limit_is_413() {
    let limits = Limits {
        max_body_bytes: 2_000,
        ..Limits::default()
    };
    let server = TestServer::start_with(limits, lotrace_app::AppConfig::default()).await;
    let events: Vec<Value> = (0..40).map(good_event).collect();
    let client = reqwest::Client::new();
    let response = post_json(
        &client,
        &server.url("/epcis/capture"),
        &epcis_document(json!(events)),
    )
    .await;
    assert_eq!(response.status(), 413);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("2000 bytes"),
        "{problem}"
    );
    assert_eq!(server.store.event_count().await.unwrap(), 0);
    server.stop().await;
}

#[tokio::test]
async fn a_document_with_too_many_events_is_rejected() {
    let limits = Limits {
        max_capture_events: 3,
        ..Limits::default()
    };
    let server = TestServer::start_with(limits, lotrace_app::AppConfig::default()).await;
    let events: Vec<Value> = (0..4).map(good_event).collect();
    let problem = expect_rejected(
        &server,
        serde_json::to_vec(&epcis_document(json!(events))).unwrap(),
        None,
        "eventList",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("limit"),
        "{problem}"
    );
    server.stop().await;
}

#[tokio::test]
async fn other_media_types_are_415() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.url("/epcis/capture"))
        .header("content-type", "text/csv")
        .body("a,b")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    server.stop().await;
}

#[tokio::test]
async fn health_reports_the_event_count() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    post_json(
        &client,
        &server.url("/epcis/capture"),
        &epcis_document(json!([good_event(1), good_event(2)])),
    )
    .await;
    let health: Value = client
        .get(server.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["events"], 2);
    server.stop().await;
}

/// The hand-made chain of `lotrace trace`'s tests: RAW1 and RAW2 received from two suppliers,
/// transformed into FIN1, FIN1 packed on a pallet, the pallet shipped to a customer.
const TRACE_CHAIN: &str = include_str!("../../lotrace/tests/data/trace_chain.jsonld");
const RAW1_URN: &str = "urn:epc:class:lgtin:4012345.011111.RAW1";
const RAW1: &str = "https://id.gs1.org/01/04012345111118/10/RAW1";
const RAW2: &str = "https://id.gs1.org/01/04012345222227/10/RAW2";
const FIN1: &str = "https://id.gs1.org/01/04012345333336/10/FIN1";
const PALLET: &str = "https://id.gs1.org/00/040123450000000016";

/// `/api/v1/trace?id=...&direction=...`, the id percent-encoded.
fn trace_path(id: &str, direction: &str) -> String {
    let mut encoded = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("/api/v1/trace?id={encoded}&direction={direction}")
}

async fn server_with_trace_chain(config: lotrace_app::AppConfig) -> TestServer {
    let server = TestServer::start_with(Limits::default(), config).await;
    let response = reqwest::Client::new()
        .post(server.url("/epcis/capture"))
        .header("content-type", "application/ld+json")
        .body(TRACE_CHAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    server
}

async fn expect_problem(server: &TestServer, path: &str, status: u16) -> Value {
    let response = reqwest::get(server.url(path)).await.unwrap();
    assert_eq!(response.status(), status, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{path}"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], status);
    problem
}

#[tokio::test]
async fn trace_answers_the_trace_json_forward_and_backward() {
    let server = server_with_trace_chain(lotrace_app::AppConfig::default()).await;
    let response = reqwest::get(server.url(&trace_path(RAW1_URN, "forward")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let forward: Value = response.json().await.unwrap();
    // The same answer as the application service gives (and `lotrace trace --json` prints).
    let direct = server
        .app
        .trace(RAW1_URN, lotrace_trace::Direction::Forward)
        .await
        .unwrap();
    assert_eq!(forward, serde_json::to_value(&direct).unwrap());
    assert_eq!(forward["origin"], RAW1);
    assert_eq!(forward["direction"], "forward");
    assert_eq!(forward["lots"], json!([FIN1]));
    assert_eq!(forward["containers"], json!([PALLET]));
    let mut destinations: Vec<&str> = forward["shipped_to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    destinations.sort_unstable();
    assert_eq!(
        destinations,
        [
            "https://id.gs1.org/414/4011111000014",
            "https://id.gs1.org/417/4011111000014"
        ]
    );

    // FIN1 named by a Digital Link on another domain.
    let path = trace_path("https://example.com/01/04012345333336/10/FIN1", "backward");
    let backward: Value = reqwest::get(server.url(&path))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(backward["origin"], FIN1);
    assert_eq!(backward["lots"], json!([RAW1, RAW2]));
    let received: Vec<&str> = backward["received_from"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["event"].as_str().unwrap())
        .collect();
    assert!(
        received.contains(&"urn:uuid:5e1f0000-0000-4000-8000-000000000101"),
        "{backward}"
    );
    assert!(
        received.contains(&"urn:uuid:5e1f0000-0000-4000-8000-000000000102"),
        "{backward}"
    );
    server.stop().await;
}

#[tokio::test]
async fn trace_of_an_unknown_id_is_a_404_and_bad_queries_are_400() {
    let server = server_with_trace_chain(lotrace_app::AppConfig::default()).await;
    let problem = expect_problem(
        &server,
        &trace_path("urn:epc:class:lgtin:4012345.044444.NOPE", "forward"),
        404,
    )
    .await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("https://id.gs1.org/01/04012345444445/10/NOPE"),
        "{problem}"
    );
    assert!(detail.contains("is not in the store"), "{problem}");

    let problem = expect_problem(&server, &trace_path(RAW1_URN, "sideways"), 400).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("sideways") && detail.contains("forward"),
        "{problem}"
    );
    let problem = expect_problem(&server, "/api/v1/trace?direction=forward", 400).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("id"),
        "{problem}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_trace_beyond_a_limit_is_a_422_naming_the_limit() {
    let config = lotrace_app::AppConfig {
        trace_limits: lotrace_trace::Limits {
            max_depth_hops: 0,
            ..lotrace_trace::Limits::default()
        },
        ..lotrace_app::AppConfig::default()
    };
    let server = server_with_trace_chain(config).await;
    let problem = expect_problem(&server, &trace_path(RAW1_URN, "forward"), 422).await;
    assert_eq!(problem["errors"][0]["limit"], "max_depth_hops", "{problem}");
    assert_eq!(problem["errors"][0]["max"], 0, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("max_depth_hops"),
        "{problem}"
    );
    server.stop().await;
}
