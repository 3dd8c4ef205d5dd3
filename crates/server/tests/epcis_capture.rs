//! Capture over HTTP: XML (EPCIS 2.0 and 1.2) beside JSON-LD, the capture error
//! behaviour (rollback, proceed) and the capture job's status and errors.

mod common;

use common::{TestServer, epcis_document};
use serde_json::{Value, json};

fn event(n: u32, biz_step: &str) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventID": format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
        "eventTime": "2026-03-01T08:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "OBSERVE",
        "bizStep": biz_step,
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
    })
}

fn doc(events: Value) -> Vec<u8> {
    serde_json::to_vec(&epcis_document(events)).unwrap()
}

const XML_20: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://example.com/ns/"
    schemaVersion="2.0" creationDate="2026-03-01T00:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2026-03-01T08:00:00.000+01:00</eventTime>
      <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:0614141.107346.2018</epc></epcList>
      <action>OBSERVE</action>
      <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
      <ex:temperature>4.5</ex:temperature>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>"#;

const XML_12: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2"
    creationDate="2026-03-01T00:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2026-03-02T08:00:00.000Z</eventTime>
      <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:0614141.107346.2019</epc></epcList>
      <action>ADD</action>
      <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>"#;

async fn post(
    server: &TestServer,
    path: &str,
    content_type: &str,
    behaviour: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut request = server
        .client
        .post(server.url(path))
        .header("content-type", content_type)
        .body(body);
    if let Some(b) = behaviour {
        request = request.header("GS1-Capture-Error-Behaviour", b);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn xml_documents_of_epcis_2_0_and_1_2_capture_on_both_endpoints() {
    let server = TestServer::start().await;
    for (path, content_type, body) in [
        ("/epcis/capture", "application/xml", XML_20),
        ("/epcis/events", "text/xml; charset=utf-8", XML_12),
    ] {
        let (status, job) = post(&server, path, content_type, None, body.as_bytes().to_vec()).await;
        assert_eq!(status, 202, "{path}: {job}");
        assert_eq!(job["eventsStored"], 1, "{job}");
    }
    let (status, body) = server
        .get("/epcis/events", &[("EQ_bizStep", "shipping")])
        .await;
    assert_eq!(status, 200);
    let events = &body["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
    assert_eq!(events.as_array().unwrap().len(), 1, "{body}");
    let event = &events[0];
    // No eventID was sent: the store gave the CBV 2.0 hash ID, the one the document hashes to.
    let parsed = lotrace_epcis::parse_xml_document(XML_20.as_bytes(), &Default::default()).unwrap();
    let expected = lotrace_epcis::hash::document_hash_ids(&parsed);
    assert_eq!(event["eventID"], expected[0], "{event}");
    // The extension keeps its namespace in the event's own context.
    assert_eq!(event["ex:temperature"], "4.5", "{event}");
    assert_eq!(
        event["@context"]["ex"], "https://example.com/ns/",
        "{event}"
    );
    let (_, body) = server
        .get("/epcis/events", &[("EQ_bizStep", "commissioning")])
        .await;
    assert_eq!(
        body["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["epcList"][0],
        "urn:epc:id:sgtin:0614141.107346.2019"
    );
    // Without a content type, XML is recognised by its first character.
    let response = server
        .client
        .post(server.url("/epcis/capture"))
        .body(XML_20.replace("4.5", "5.5"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    // Broken XML is refused whole, naming the document.
    let (status, problem) = post(
        &server,
        "/epcis/capture",
        "application/xml",
        None,
        b"<epcis:EPCISDocument".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["type"], "epcisException:ValidationException");
    let (status, _) = post(
        &server,
        "/epcis/capture",
        "text/plain",
        None,
        doc(json!([])),
    )
    .await;
    assert_eq!(status, 415);
    server.stop().await;
}

#[tokio::test]
async fn rollback_stores_nothing_of_a_document_with_a_bad_event() {
    let server = TestServer::start().await;
    let body = doc(json!([event(1, "shipping"), event(2, "shipingg")]));
    for behaviour in [None, Some("rollback")] {
        let (status, problem) = post(
            &server,
            "/epcis/capture",
            "application/ld+json",
            behaviour,
            body.clone(),
        )
        .await;
        assert_eq!(status, 400, "{problem}");
        assert_eq!(problem["errors"][0]["eventIndex"], 1);
        assert_eq!(problem["errors"][0]["field"], "bizStep");
    }
    assert_eq!(server.store.event_count().await.unwrap(), 0);
    let (status, problem) = post(
        &server,
        "/epcis/capture",
        "application/ld+json",
        Some("sometimes"),
        body,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("GS1-Capture-Error-Behaviour")
    );
    server.stop().await;
}

#[tokio::test]
async fn proceed_stores_the_valid_events_and_the_job_reports_the_others() {
    let server = TestServer::start().await;
    let body = doc(json!([
        event(1, "shipping"),
        event(2, "shipingg"),
        event(3, "receiving"),
        {"type": "ObjectEvent", "eventTime": "never"},
        event(5, "packing"),
    ]));
    let (status, job) = post(
        &server,
        "/epcis/capture",
        "application/ld+json",
        Some("proceed"),
        body,
    )
    .await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["captureErrorBehaviour"], "proceed");
    assert_eq!(job["success"], false);
    assert_eq!(job["eventsStored"], 3);
    assert_eq!(job["eventsRead"], 5);
    assert_eq!(server.store.event_count().await.unwrap(), 3);
    // The job, read back, keeps the errors by the events' places in the document.
    let id = job["captureID"].as_str().unwrap();
    let (status, job) = server.get(&format!("/epcis/capture/{id}"), &[]).await;
    assert_eq!(status, 200);
    let errors = job["errors"].as_array().unwrap();
    let indexes: Vec<_> = errors
        .iter()
        .map(|e| e["eventIndex"].as_u64().unwrap())
        .collect();
    assert!(indexes.contains(&1) && indexes.contains(&3), "{job}");
    assert!(indexes.iter().all(|i| *i == 1 || *i == 3), "{job}");
    assert_eq!(job["success"], false);
    // The listing shows the same.
    let (_, jobs) = server.get("/epcis/capture", &[]).await;
    assert_eq!(jobs[0]["captureErrorBehaviour"], "proceed");
    // A proceed capture of good events succeeds.
    let (status, job) = post(
        &server,
        "/epcis/capture",
        "application/ld+json",
        Some("proceed"),
        doc(json!([event(9, "shipping")])),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(job["success"], true, "{job}");
    // Nothing valid: a job that stored nothing, all errors reported.
    let (status, job) = post(
        &server,
        "/epcis/capture",
        "application/ld+json",
        Some("proceed"),
        doc(json!([event(10, "nope")])),
    )
    .await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["eventsStored"], 0);
    assert_eq!(job["errors"][0]["field"], "bizStep");
    // A document broken as a whole is refused even so.
    let (status, _) = post(
        &server,
        "/epcis/capture",
        "application/ld+json",
        Some("proceed"),
        b"{not json".to_vec(),
    )
    .await;
    assert_eq!(status, 400);
    // XML too.
    let xml = XML_12.replace("<action>ADD</action>", "<action>ADDED</action>");
    let (status, job) = post(
        &server,
        "/epcis/capture",
        "application/xml",
        Some("proceed"),
        xml.into_bytes(),
    )
    .await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["eventsStored"], 0);
    assert_eq!(job["errors"][0]["eventIndex"], 0, "{job}");
    server.stop().await;
}
