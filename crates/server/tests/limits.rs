//! Every limit of the server, hit on purpose against a real server on 127.0.0.1: each
//! answer is a problem (`application/problem+json`) that names the limit, and a refused
//! request stores nothing. The limits themselves are listed in the README ("Limits").

mod common;

use common::{TestServer, epcis_document};
use lotrace_server::Limits;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TRACE_CHAIN: &str = include_str!("../../lotrace/tests/data/trace_chain.jsonld");
const RAW1_URN: &str = "urn:epc:class:lgtin:4012345.011111.RAW1";

fn event(n: u32) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventID": format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
        "eventTime": "2026-03-01T08:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "epcList": [format!("urn:epc:id:sgtin:0614141.107346.{n}")],
    })
}

async fn start(limits: Limits) -> TestServer {
    TestServer::start_with(limits, lotrace_app::AppConfig::default()).await
}

/// Sends `request` and reads a problem answer with `status`: the problem's JSON.
async fn problem(request: reqwest::RequestBuilder, status: u16) -> Value {
    let response = request.send().await.unwrap();
    let got = response.status();
    if got != status {
        panic!(
            "expected {status}, got {got}: {}",
            response.text().await.unwrap()
        );
    }
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], status, "{problem}");
    problem
}

fn detail(problem: &Value) -> &str {
    problem["detail"].as_str().unwrap()
}

fn capture(server: &TestServer, body: Vec<u8>) -> reqwest::RequestBuilder {
    server
        .client
        .post(server.url("/epcis/capture"))
        .header("content-type", "application/ld+json")
        .body(body)
}

#[tokio::test]
async fn a_body_over_max_body_bytes_is_413_naming_the_limit_and_stores_nothing() {
    let server = start(Limits {
        max_body_bytes: 4_096,
        ..Limits::default()
    })
    .await;
    let big = serde_json::to_vec(&epcis_document((0..60).map(event).collect())).unwrap();
    assert!(big.len() > 4_096);

    // A capture says so in the EPCIS REST binding's own words.
    let p = problem(capture(&server, big), 413).await;
    assert_eq!(p["type"], "epcisException:CaptureLimitExceededException");
    assert!(detail(&p).contains("4096 bytes (max_body_bytes)"), "{p}");
    assert_eq!(server.store.event_count().await.unwrap(), 0);

    // Any other JSON endpoint: a problem naming the limit, not the extractor's plain text.
    let product = json!({
        "code": "BIG", "name": "x".repeat(5_000), "uom": "KGM", "gtin": "00614141123452"
    });
    let p = problem(
        server
            .client
            .post(server.url("/api/v1/master/products"))
            .json(&product),
        413,
    )
    .await;
    assert_eq!(p["type"], "urn:lotrace:problem:body-too-large");
    assert!(detail(&p).contains("4096 bytes (max_body_bytes)"), "{p}");
    let (status, products) = server.get("/api/v1/master/products", &[]).await;
    assert_eq!(status, 200);
    assert!(
        !products.to_string().contains("BIG"),
        "nothing was created: {products}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_document_over_max_capture_events_is_refused_whole() {
    let server = start(Limits {
        max_capture_events: 3,
        ..Limits::default()
    })
    .await;
    let body = serde_json::to_vec(&epcis_document((0..4).map(event).collect())).unwrap();
    let p = problem(capture(&server, body), 400).await;
    assert_eq!(p["type"], "epcisException:ValidationException");
    assert!(
        detail(&p).contains("4 events exceed the limit of 3 per document"),
        "{p}"
    );
    assert_eq!(server.store.event_count().await.unwrap(), 0);

    // At the limit it is taken.
    let body = serde_json::to_vec(&epcis_document((0..3).map(event).collect())).unwrap();
    assert_eq!(capture(&server, body).send().await.unwrap().status(), 202);
    assert_eq!(server.store.event_count().await.unwrap(), 3);
    server.stop().await;
}

#[tokio::test]
async fn query_limits_are_query_parameter_errors_naming_the_limit() {
    let server = TestServer::start().await;
    let body = serde_json::to_vec(&epcis_document((0..3).map(event).collect())).unwrap();
    assert_eq!(capture(&server, body).send().await.unwrap().status(), 202);
    let events = |query: &[(String, String)]| {
        let url = reqwest::Url::parse_with_params(&server.url("/epcis/events"), query).unwrap();
        server.client.get(url)
    };
    let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());

    // A page over the largest page.
    let max = lotrace_server::epcis_query::MAX_PER_PAGE;
    let p = problem(events(&[pair("perPage", &(max + 1).to_string())]), 400).await;
    assert_eq!(p["type"], "epcisException:QueryParameterException");
    assert_eq!(p["errors"][0]["parameter"], "perPage");
    assert!(
        detail(&p).contains(&format!("1 to {max} events per page")),
        "{p}"
    );
    let ok = events(&[pair("perPage", &max.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);

    // More parameters than a query takes.
    let too_many: Vec<(String, String)> = (0..=lotrace_server::epcis_params::MAX_PARAMS)
        .map(|i| pair(&format!("EQ_ILMD_f{i}"), "x"))
        .collect();
    let p = problem(events(&too_many), 400).await;
    assert!(
        detail(&p).contains(&format!(
            "at most {} parameters",
            lotrace_server::epcis_params::MAX_PARAMS
        )),
        "{p}"
    );

    // More values of one parameter than it takes.
    let values = vec!["shipping"; lotrace_server::epcis_params::MAX_VALUES + 1].join("|");
    let p = problem(events(&[pair("EQ_bizStep", &values)]), 400).await;
    assert_eq!(p["errors"][0]["parameter"], "EQ_bizStep");
    assert!(
        detail(&p).contains(&format!(
            "at most {} values",
            lotrace_server::epcis_params::MAX_VALUES
        )),
        "{p}"
    );

    // A value longer than a value may be.
    let long = "x".repeat(lotrace_server::epcis_params::MAX_VALUE_BYTES + 1);
    let p = problem(events(&[pair("EQ_bizStep", &long)]), 400).await;
    assert!(
        detail(&p).contains(&format!(
            "at most {} bytes",
            lotrace_server::epcis_params::MAX_VALUE_BYTES
        )),
        "{p}"
    );

    // A result larger than the client said it would take.
    let p = problem(events(&[pair("maxEventCount", "2")]), 413).await;
    assert_eq!(p["type"], "epcisException:QueryTooLargeException");
    assert!(detail(&p).contains("maxEventCount = 2"), "{p}");
    server.stop().await;
}

#[tokio::test]
async fn a_trace_over_a_trace_limit_is_422_naming_it() {
    for (limits, name) in [
        (
            lotrace_trace::Limits {
                max_depth_hops: 0,
                ..lotrace_trace::Limits::default()
            },
            "max_depth_hops",
        ),
        (
            lotrace_trace::Limits {
                max_result_items: 2,
                ..lotrace_trace::Limits::default()
            },
            "max_result_items",
        ),
    ] {
        let config = lotrace_app::AppConfig {
            trace_limits: limits,
            ..lotrace_app::AppConfig::default()
        };
        let server = TestServer::start_with(Limits::default(), config).await;
        let captured = capture(&server, TRACE_CHAIN.as_bytes().to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(captured.status(), 202);
        let url = reqwest::Url::parse_with_params(
            &server.url("/api/v1/trace"),
            &[("id", RAW1_URN), ("direction", "forward")],
        )
        .unwrap();
        let p = problem(server.client.get(url), 422).await;
        assert_eq!(p["type"], "urn:lotrace:problem:trace-limit");
        assert_eq!(p["errors"][0]["limit"], name, "{p}");
        assert!(detail(&p).contains(name), "{p}");
        server.stop().await;
    }
}

/// A capture whose body never finishes arriving (the client sends half and waits for the
/// answer) is abandoned at `request_timeout_ms`: no clock in the test, and the request
/// cannot finish first.
#[tokio::test]
async fn a_request_over_request_timeout_ms_is_503_naming_the_limit_and_stores_nothing() {
    let server = start(Limits {
        request_timeout_ms: 100,
        ..Limits::default()
    })
    .await;
    let body = serde_json::to_vec(&epcis_document(json!([event(1)]))).unwrap();
    let addr = server.base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /epcis/capture HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/ld+json\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..body.len() / 2]).await.unwrap();
    let answer = read_answer(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    let p: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(p["type"], "urn:lotrace:problem:request-timeout");
    assert!(detail(&p).contains("100 ms (request_timeout_ms)"), "{p}");
    assert_eq!(server.store.event_count().await.unwrap(), 0);
    server.stop().await;
}

/// Reads one HTTP/1.1 answer with a `content-length`: the head and the body as text.
async fn read_answer(stream: &mut tokio::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        bytes.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
        assert!(
            n > 0,
            "the connection closed before the answer was whole: {text}"
        );
    }
}

/// Opens a connection and waits until the server has taken it: an answered request.
async fn served_connection(addr: &str) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    stream
}

/// Sends one request on a new connection and reads the whole answer (the server closes it).
async fn one_request(addr: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn a_connection_over_max_connections_is_answered_503_and_closed() {
    let server = start(Limits {
        max_connections: 2,
        ..Limits::default()
    })
    .await;
    let addr = server.base.strip_prefix("http://").unwrap().to_owned();
    let first = served_connection(&addr).await;
    let second = served_connection(&addr).await;

    let answer = one_request(&addr).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(answer.contains("retry-after: 1"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["type"], "urn:lotrace:problem:too-many-connections");
    assert!(
        detail(&body).contains("2 connections open, its limit (max_connections)"),
        "{body}"
    );

    // A closed connection frees its place. The server notices the close on its own task,
    // so the next connection may still come too early; a few tries, no clock asserted.
    drop(first);
    let mut answer = String::new();
    for _ in 0..100 {
        answer = one_request(&addr).await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(second);
    server.stop().await;
}
