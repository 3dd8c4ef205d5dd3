//! `POST /api/v1/scan` on a real loopback server with a real SQLite file behind it.

mod common;

use common::TestServer;
use serde_json::{Value, json};

async fn scan(client: &reqwest::Client, server: &TestServer, body: Value) -> (u16, Value) {
    let response = client
        .post(server.url("/api/v1/scan"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_valid_scan_answers_200_with_the_ais_and_outputs() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let (status, body) = scan(
        &client,
        &server,
        json!({ "input": "]d2010952012345678810ABC123\u{1d}17251231" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["valid"], true);
    assert_eq!(body["symbology"]["identifier"], "]d2");
    assert_eq!(
        body["ais"],
        json!([
            { "ai": "01", "value": "09520123456788", "title": "GTIN" },
            { "ai": "10", "value": "ABC123", "title": "BATCH/LOT" },
            { "ai": "17", "value": "251231", "title": "USE BY or EXPIRY" },
        ])
    );
    assert_eq!(
        body["hri"],
        json!(["(01) 09520123456788", "(10) ABC123", "(17) 251231"])
    );
    assert_eq!(
        body["element_string"],
        "010952012345678810ABC123\u{1d}17251231"
    );
    assert_eq!(
        body["digital_link"],
        "https://id.gs1.org/01/09520123456788/10/ABC123?17=251231"
    );
    let lot = "https://id.gs1.org/01/09520123456788/10/ABC123";
    assert_eq!(
        body["identifiers"],
        json!([{ "kind": "lgtin", "canonical": lot }])
    );
    // Not in the store.
    assert_eq!(body["lots"], json!([{ "id": lot, "known": false }]));
    server.stop().await;
}

#[tokio::test]
async fn an_invalid_scan_answers_422_naming_the_ai_rule_and_position() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let (status, body) = scan(
        &client,
        &server,
        json!({ "input": "(01)09520123456789(10)A" }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["valid"], false);
    assert_eq!(body["error"]["ai"], "01");
    assert_eq!(body["error"]["rule"], "INCORRECT_CHECK_DIGIT");
    assert_eq!(body["error"]["position"], 14);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("check digit")
    );

    // A missing required AI; relaxed by the options.
    let (status, body) = scan(&client, &server, json!({ "input": "(10)ABC" })).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["rule"], "REQUIRED_AI_MISSING");
    let (status, body) = scan(
        &client,
        &server,
        json!({ "input": "(10)ABC", "options": { "validate_requisites": false } }),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Not JSON of the right shape: 400 problem details.
    let (status, body) = scan(&client, &server, json!({ "inptu": "x" })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["type"], "urn:lotrace:problem:invalid-body");
    let (status, _) = scan(
        &client,
        &server,
        json!({ "input": "(01)09520123456788", "options": { "nope": true } }),
    )
    .await;
    assert_eq!(status, 400);
    server.stop().await;
}

#[tokio::test]
async fn a_scan_of_a_known_lot_says_what_the_store_knows() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let class = "urn:epc:class:lgtin:0614141.107346.LOT1";
    let document = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": [{
            "type": "ObjectEvent",
            "eventID": "urn:uuid:00000000-0000-4000-8000-000000000001",
            "eventTime": "2026-03-01T08:00:00+01:00",
            "eventTimeZoneOffset": "+01:00",
            "action": "ADD",
            "bizStep": "commissioning",
            "bizLocation": { "id": "urn:epc:id:sgln:0614141.00777.0" },
            "quantityList": [{ "epcClass": class, "quantity": 40, "uom": "KGM" }],
        }]},
    });
    let response = client
        .post(server.url("/epcis/capture"))
        .header("content-type", "application/ld+json")
        .json(&document)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        202,
        "{}",
        response.text().await.unwrap()
    );
    let canonical = lotrace_label::gs1::canonicalize(class).unwrap().canonical;
    let (status, body) = scan(&client, &server, json!({ "input": canonical })).await;
    assert_eq!(status, 200, "{body}");
    let lots = body["lots"].as_array().unwrap();
    assert_eq!(lots.len(), 1, "{body}");
    assert_eq!(lots[0]["known"], true, "{body}");
    assert_eq!(lots[0]["id"], canonical);
    assert_eq!(lots[0]["on_hand"], 40, "{body}");
    assert_eq!(lots[0]["status"], "released", "{body}");
    server.stop().await;
}
