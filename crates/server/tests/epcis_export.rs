//! EPCIS documents of a trace and of a recall over HTTP (`GET /api/v1/trace/epcis`,
//! `GET /api/v1/recalls/{id}/epcis`) against a real server and SQLite file: JSON-LD or XML
//! by `Accept`, exactly the events the trace names (or that name the recall's lots), with
//! the same hash IDs in both formats.

mod common;

use common::TestServer;
use lotrace_epcis::{Limits, parse_document, parse_xml_document};
use serde_json::json;

const L1: &str = "https://id.gs1.org/01/00614141123452/10/L1";

/// L1 received, made into S1, S1 shipped; and L2 received, which neither the trace of L1
/// nor a recall of L1 touches.
async fn chain() -> TestServer {
    let server = TestServer::start().await;
    server.salad_master_data().await;
    for (name, body) in [
        (
            "receive",
            json!({ "product": "LETTUCE", "lot": "L1", "supplier": "FARM", "location": "COLD", "quantity": 100 }),
        ),
        (
            "receive",
            json!({ "product": "LETTUCE", "lot": "L2", "supplier": "FARM", "location": "COLD", "quantity": 60 }),
        ),
        (
            "produce",
            json!({ "product": "SALAD", "lot": "S1", "quantity": 20, "location": "L3",
                             "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": 25, "location": "COLD" }] }),
        ),
        (
            "ship",
            json!({ "customer": "SHOP", "location": "L3", "invoice": "INV-7",
                          "lots": [{ "product": "SALAD", "lot": "S1", "quantity": 5 }] }),
        ),
    ] {
        let (status, answer) = server.post(&format!("/api/v1/ops/{name}"), &body).await;
        assert_eq!(status, 201, "{name}: {answer}");
    }
    server
}

/// GET with an Accept header: status, content type, body.
async fn fetch(
    server: &TestServer,
    path: &str,
    query: &[(&str, &str)],
    accept: &str,
) -> (u16, String, String) {
    let url = reqwest::Url::parse_with_params(&server.url(path), query).unwrap();
    let response = server
        .client
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.text().await.unwrap())
}

/// (eventID, hash ID) of each event of a document, JSON-LD or XML.
fn events_of(body: &str) -> Vec<(String, String)> {
    let limits = Limits::default();
    let doc = if body.trim_start().starts_with('<') {
        parse_xml_document(body.as_bytes(), &limits).unwrap()
    } else {
        parse_document(body.as_bytes(), &limits).unwrap()
    };
    let hashes = lotrace_epcis::hash::document_hash_ids(&doc);
    doc.events
        .iter()
        .map(|e| e.event_id.clone().unwrap_or_default())
        .zip(hashes)
        .collect()
}

#[tokio::test]
async fn a_trace_as_json_ld_and_as_xml() {
    let server = chain().await;
    let (status, trace) = server
        .get("/api/v1/trace", &[("id", L1), ("direction", "forward")])
        .await;
    assert_eq!(status, 200, "{trace}");
    let mut named: Vec<String> = trace["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    named.sort();
    assert!(named.len() >= 2, "{trace}");

    let query = [("id", L1), ("direction", "forward")];
    let (status, media, body) = fetch(
        &server,
        "/api/v1/trace/epcis",
        &query,
        "application/ld+json",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(media, "application/ld+json");
    let json_events = events_of(&body);
    let mut ids: Vec<String> = json_events.iter().map(|(id, _)| id.clone()).collect();
    ids.sort();
    assert_eq!(
        ids, named,
        "the document holds exactly the events the trace names"
    );

    let (status, media, xml) =
        fetch(&server, "/api/v1/trace/epcis", &query, "application/xml").await;
    assert_eq!(status, 200, "{xml}");
    assert_eq!(media, "application/xml");
    assert!(xml.contains("EPCISDocument"), "{xml}");
    assert_eq!(events_of(&xml), json_events, "same events, same hash IDs");

    // The L2 receipt is in neither.
    let (_, l2) = server
        .get(
            "/epcis/events",
            &[(
                "MATCH_anyEPCClass",
                "https://id.gs1.org/01/00614141123452/10/L2",
            )],
        )
        .await;
    let l2_id = l2["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!ids.contains(&l2_id));

    // Bad requests are problems naming what is wrong.
    let (status, _, body) = fetch(&server, "/api/v1/trace/epcis", &[("id", L1)], "*/*").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("direction"), "{body}");
    let (status, _, body) = fetch(
        &server,
        "/api/v1/trace/epcis",
        &[
            ("id", "https://id.gs1.org/01/00614141123452/10/NOPE"),
            ("direction", "forward"),
        ],
        "*/*",
    )
    .await;
    assert_eq!(status, 404, "{body}");
    server.stop().await;
}

#[tokio::test]
async fn a_recall_as_json_ld_and_as_xml() {
    let server = chain().await;
    let recall = json!({ "scope": { "kind": "lots", "lots": [{ "product": "LETTUCE", "lot": "L1" }] },
                         "reason": "Listeria found in lettuce lot L1" });
    let (status, view) = server.post("/api/v1/recalls", &recall).await;
    assert_eq!(status, 201, "{view}");
    let id = view["recall"]["id"].as_str().unwrap().to_owned();
    let lots: Vec<String> = view["impact"]["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(lots.len() >= 2, "{view}");

    let path = format!("/api/v1/recalls/{id}/epcis");
    let (status, media, body) = fetch(&server, &path, &[], "application/ld+json").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(media, "application/ld+json");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let list = doc["epcisBody"]["eventList"].as_array().unwrap();
    // Receipt of L1, its picking for and the production of S1, shipment of S1; not the
    // receipt of L2.
    assert_eq!(list.len(), 4, "{body}");
    for event in list {
        let text = event.to_string();
        assert!(!text.contains("/10/L2"), "{text}");
        assert!(text.contains("/10/L1") || text.contains("/10/S1"), "{text}");
    }

    let (status, media, xml) = fetch(&server, &path, &[], "application/xml").await;
    assert_eq!(status, 200);
    assert_eq!(media, "application/xml");
    assert_eq!(events_of(&xml), events_of(&body));

    let (status, _, body) = fetch(&server, "/api/v1/recalls/R-09999/epcis", &[], "*/*").await;
    assert_eq!(status, 404, "{body}");
    server.stop().await;
}
