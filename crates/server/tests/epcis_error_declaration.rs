//! An EPCIS error declaration retracts the event it names in the views (forward trace, the
//! lot's shipped quantity) while both events stay in the log and in query results.

mod common;

use common::{TestServer, epcis_document};
use serde_json::{Value, json};

const LOT: &str = "urn:epc:class:lgtin:4012345.012345.LOT7";
const CUSTOMER: &str = "urn:epc:id:pgln:0614142.00001";
const SHIP_ID: &str = "urn:uuid:00000000-0000-4000-8000-000000000002";

fn shipment() -> Value {
    json!({
        "type": "ObjectEvent", "eventID": SHIP_ID,
        "eventTime": "2026-03-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"},
        "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"},
        "quantityList": [{"epcClass": LOT, "quantity": 40, "uom": "KGM"}],
        "destinationList": [{"type": "owning_party", "destination": CUSTOMER}]
    })
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

#[tokio::test]
async fn a_declared_erroneous_shipment_leaves_the_views_but_not_the_log() {
    let server = TestServer::start().await;
    let commissioning = json!({
        "type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "eventTime": "2026-03-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
        "action": "ADD", "bizStep": "commissioning", "disposition": "active",
        "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"},
        "quantityList": [{"epcClass": LOT, "quantity": 100, "uom": "KGM"}]
    });
    let (status, job) = server
        .post(
            "/epcis/capture",
            &epcis_document(json!([commissioning, shipment()])),
        )
        .await;
    assert_eq!(status, 202, "{job}");
    let lot_id = lotrace_gs1::canonicalize(LOT).unwrap().canonical;
    let customer = lotrace_gs1::canonicalize(CUSTOMER).unwrap().canonical;

    let (status, lot) = server.get("/api/v1/lot", &[("id", LOT)]).await;
    assert_eq!(status, 200, "{lot}");
    assert_eq!(number(&lot["shipped"]), 40.0, "{lot}");
    let (status, trace) = server
        .get("/api/v1/trace", &[("id", LOT), ("direction", "forward")])
        .await;
    assert_eq!(status, 200, "{trace}");
    let text = trace.to_string();
    assert!(
        text.contains(SHIP_ID) && text.contains(&customer),
        "the trace reaches the shipment: {trace}"
    );

    // The declaration: the same event, with errorDeclaration.
    let mut declaration = shipment();
    declaration["errorDeclaration"] = json!({
        "declarationTime": "2026-03-03T00:00:00Z", "reason": "incorrect_data"
    });
    let (status, job) = server
        .post("/epcis/capture", &epcis_document(json!([declaration])))
        .await;
    assert_eq!(status, 202, "{job}");

    let (_, lot) = server.get("/api/v1/lot", &[("id", &lot_id)]).await;
    assert_eq!(
        number(&lot["shipped"]),
        0.0,
        "the shipment is retracted: {lot}"
    );
    let (_, trace) = server
        .get("/api/v1/trace", &[("id", LOT), ("direction", "forward")])
        .await;
    let text = trace.to_string();
    assert!(
        !text.contains(&customer),
        "the customer left the trace: {trace}"
    );
    assert!(
        trace["shipped_to"].as_array().is_none_or(|s| s.is_empty()),
        "{trace}"
    );

    // Both stay in the log and in query results.
    assert_eq!(server.store.event_count().await.unwrap(), 3);
    let (status, body) = server
        .get("/epcis/events", &[("EQ_eventID", SHIP_ID)])
        .await;
    assert_eq!(status, 200);
    let events = body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        .as_array()
        .unwrap();
    assert_eq!(events.len(), 2, "{body}");
    assert_eq!(
        events
            .iter()
            .filter(|e| e.get("errorDeclaration").is_some())
            .count(),
        1
    );
    let (_, body) = server
        .get("/epcis/events", &[("EXISTS_errorDeclaration", "true")])
        .await;
    assert_eq!(
        body["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"],
        SHIP_ID
    );
    server.stop().await;
}
