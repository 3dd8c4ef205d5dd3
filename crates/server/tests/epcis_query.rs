//! `GET /epcis/events` with every standard query parameter, paging, ordering, limits,
//! content negotiation and the resource endpoints, against a real server with a real SQLite
//! file. The fixture names its events E1..E7 (E1d: the error declaration of E1); each case
//! asserts exactly which come back.

mod common;

use common::TestServer;
use serde_json::{Value, json};

fn id(n: u32) -> String {
    format!("urn:uuid:00000000-0000-4000-8000-{n:012}")
}

const SGTIN_2018: &str = "urn:epc:id:sgtin:0614141.107346.2018";
const SITE: &str = "urn:epc:id:sgln:0614141.00777.0";
const DOCK: &str = "urn:epc:id:sgln:0614141.00777.5";
const STORE_LOC: &str = "urn:epc:id:sgln:0614141.00888.0";

fn fixture() -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-11T00:00:00Z",
        "epcisBody": { "eventList": [
            {
                "type": "ObjectEvent", "eventID": id(1),
                "eventTime": "2026-03-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
                "action": "ADD", "bizStep": "commissioning", "disposition": "active",
                "epcList": [SGTIN_2018],
                "readPoint": {"id": SITE}, "bizLocation": {"id": STORE_LOC},
                "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:PO1"}]
            },
            {
                "type": "ObjectEvent", "eventID": id(2),
                "eventTime": "2026-03-02T08:00:00+01:00", "eventTimeZoneOffset": "+01:00",
                "action": "OBSERVE", "bizStep": "urn:epcglobal:cbv:bizstep:shipping",
                "disposition": "https://ref.gs1.org/cbv/Disp-in_transit",
                "persistentDisposition": {"set": ["completeness_verified"], "unset": ["completeness_inferred"]},
                "epcList": ["https://id.gs1.org/01/10614141073464/21/2019"],
                "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.LOT1", "quantity": 10, "uom": "KGM"}],
                "readPoint": {"id": DOCK},
                "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00001"}],
                "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:0614142.00001"}]
            },
            {
                "type": "AggregationEvent", "eventID": id(3),
                "eventTime": "2026-03-03T08:00:00Z", "eventTimeZoneOffset": "+00:00",
                "action": "ADD", "bizStep": "packing",
                "parentID": "urn:epc:id:sscc:0614141.1234567890",
                "childEPCs": [SGTIN_2018],
                "childQuantityList": [{"epcClass": "urn:epc:class:lgtin:0614141.107346.LOTX", "quantity": 3}],
                "bizLocation": {"id": STORE_LOC}
            },
            {
                "type": "TransformationEvent", "eventID": id(4),
                "eventTime": "2026-03-04T08:00:00Z", "eventTimeZoneOffset": "+00:00",
                "bizStep": "https://example.com/steps/mix",
                "transformationID": "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001",
                "inputEPCList": ["urn:epc:id:sgtin:0614141.107346.2020"],
                "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.LOT1", "quantity": 10, "uom": "KGM"}],
                "outputEPCList": ["urn:epc:id:sgtin:4012345.011111.1"],
                "outputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.OUT1", "quantity": 8.5, "uom": "KGM"}]
            },
            {
                "type": "TransactionEvent", "eventID": id(5),
                "eventTime": "2026-03-05T08:00:00Z", "eventTimeZoneOffset": "+00:00",
                "action": "ADD", "bizStep": "receiving",
                "epcList": [SGTIN_2018],
                "bizTransactionList": [{"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:INV9"}]
            },
            {
                "type": "AssociationEvent", "eventID": id(6),
                "eventTime": "2026-03-06T08:00:00Z", "eventTimeZoneOffset": "+00:00",
                "action": "ADD", "bizStep": "assembling",
                "parentID": "urn:epc:id:grai:4012345.55555.987",
                "childEPCs": ["urn:epc:id:giai:4000001.12345"]
            },
            {
                "type": "ObjectEvent", "eventID": id(1),
                "eventTime": "2026-03-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
                "action": "ADD", "bizStep": "commissioning", "disposition": "active",
                "epcList": [SGTIN_2018],
                "readPoint": {"id": SITE}, "bizLocation": {"id": STORE_LOC},
                "errorDeclaration": {
                    "declarationTime": "2026-03-10T00:00:00Z",
                    "reason": "incorrect_data",
                    "correctiveEventIDs": [id(7)]
                }
            },
            {
                "type": "ObjectEvent", "eventID": id(7),
                "eventTime": "2026-03-07T08:00:00Z", "eventTimeZoneOffset": "+00:00",
                "action": "DELETE", "bizStep": "decommissioning",
                "epcList": ["urn:epc:id:sgtin:0614142.107346.1"]
            }
        ]}
    })
}

async fn server_with_fixture() -> TestServer {
    let server = TestServer::start().await;
    let (status, job) = server.post("/epcis/capture", &fixture()).await;
    assert_eq!(status, 202, "{job}");
    server
}

/// The short names (E1.., E1d) of the events a query answers, in answer order.
fn names(body: &Value) -> Vec<String> {
    body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        .as_array()
        .unwrap_or_else(|| panic!("no event list in {body}"))
        .iter()
        .map(|e| {
            let n: u32 = e["eventID"].as_str().unwrap()[33..].parse().unwrap();
            let d = if e.get("errorDeclaration").is_some() {
                "d"
            } else {
                ""
            };
            format!("E{n}{d}")
        })
        .collect()
}

async fn query(server: &TestServer, params: &[(&str, &str)]) -> Vec<String> {
    let (status, body) = server.get("/epcis/events", params).await;
    assert_eq!(status, 200, "{params:?}: {body}");
    let mut got = names(&body);
    got.sort();
    got
}

fn set(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

/// Query parameters and the events they must select.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);

#[tokio::test]
async fn every_query_parameter_selects_exactly_its_events() {
    let server = server_with_fixture().await;
    let all = ["E1", "E1d", "E2", "E3", "E4", "E5", "E6", "E7"];
    let cases: &[Case] = &[
        (&[], &all),
        (
            &[("eventType", "AggregationEvent|TransformationEvent")],
            &["E3", "E4"],
        ),
        (&[("eventType", "AssociationEvent")], &["E6"]),
        (
            &[("GE_eventTime", "2026-03-05T08:00:00Z")],
            &["E5", "E6", "E7"],
        ),
        // E2 is 07:00Z; its offset is kept but times compare as instants.
        (
            &[("LT_eventTime", "2026-03-02T07:00:01Z")],
            &["E1", "E1d", "E2"],
        ),
        (&[("GE_recordTime", "2000-01-01T00:00:00Z")], &all),
        (&[("LT_recordTime", "2000-01-01T00:00:00Z")], &[]),
        (&[("EQ_action", "ADD")], &["E1", "E1d", "E3", "E5", "E6"]),
        (&[("EQ_action", "OBSERVE|DELETE")], &["E2", "E7"]),
        (&[("EQ_bizStep", "shipping")], &["E2"]),
        (
            &[(
                "EQ_bizStep",
                "https://ref.gs1.org/cbv/BizStep-packing|receiving",
            )],
            &["E3", "E5"],
        ),
        (&[("EQ_bizStep", "https://example.com/steps/mix")], &["E4"]),
        (&[("EQ_disposition", "in_transit")], &["E2"]),
        (
            &[("EQ_disposition", "urn:epcglobal:cbv:disp:active")],
            &["E1", "E1d"],
        ),
        (
            &[("EQ_persistentDisposition", "completeness_verified")],
            &["E2"],
        ),
        (
            &[("EQ_persistentDisposition_set", "completeness_verified")],
            &["E2"],
        ),
        (
            &[("EQ_persistentDisposition_unset", "completeness_inferred")],
            &["E2"],
        ),
        (
            &[("EQ_persistentDisposition_set", "completeness_inferred")],
            &[],
        ),
        (&[("EQ_readPoint", SITE)], &["E1", "E1d"]),
        (
            &[("EQ_readPoint", "https://id.gs1.org/414/0614141007776/254/5")],
            &["E2"],
        ),
        (&[("WD_readPoint", SITE)], &["E1", "E1d", "E2"]),
        (&[("WD_readPoint", DOCK)], &["E2"]),
        (&[("EQ_bizLocation", STORE_LOC)], &["E1", "E1d", "E3"]),
        (&[("WD_bizLocation", STORE_LOC)], &["E1", "E1d", "E3"]),
        (&[("WD_bizLocation", SITE)], &[]),
        (
            &[(
                "EQ_transformationID",
                "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001",
            )],
            &["E4"],
        ),
        (&[("MATCH_epc", SGTIN_2018)], &["E1", "E1d", "E3", "E5"]),
        (
            &[("MATCH_epc", "https://id.gs1.org/01/10614141073464/21/2018")],
            &["E1", "E1d", "E3", "E5"],
        ),
        (
            &[("MATCH_epc", "urn:epc:idpat:sgtin:0614141.107346.*")],
            &["E1", "E1d", "E2", "E3", "E5"],
        ),
        (&[("MATCH_epc", "urn:epc:idpat:sgtin:0614142.*.*")], &["E7"]),
        (
            &[("MATCH_epc", "https://id.gs1.org/01/10614141073464/21/*")],
            &["E1", "E1d", "E2", "E3", "E5"],
        ),
        (
            &[("MATCH_parentID", "urn:epc:id:sscc:0614141.1234567890")],
            &["E3"],
        ),
        (
            &[("MATCH_parentID", "urn:epc:idpat:grai:4012345.55555.*")],
            &["E6"],
        ),
        (
            &[("MATCH_inputEPC", "urn:epc:id:sgtin:0614141.107346.2020")],
            &["E4"],
        ),
        (
            &[("MATCH_outputEPC", "urn:epc:idpat:sgtin:4012345.011111.*")],
            &["E4"],
        ),
        (
            &[(
                "MATCH_anyEPC",
                "urn:epc:id:sgtin:0614141.107346.2020|urn:epc:id:sscc:0614141.1234567890",
            )],
            &["E3", "E4"],
        ),
        (
            &[("MATCH_anyEPC", "urn:epc:id:giai:4000001.12345")],
            &["E6"],
        ),
        (
            &[("MATCH_epcClass", "urn:epc:class:lgtin:4012345.012345.LOT1")],
            &["E2"],
        ),
        (
            &[("MATCH_epcClass", "urn:epc:idpat:sgtin:0614141.107346.*")],
            &["E3"],
        ),
        (
            &[(
                "MATCH_inputEPCClass",
                "urn:epc:class:lgtin:4012345.012345.LOT1",
            )],
            &["E4"],
        ),
        (
            &[(
                "MATCH_outputEPCClass",
                "https://id.gs1.org/01/04012345111118",
            )],
            &["E4"],
        ),
        (
            &[(
                "MATCH_anyEPCClass",
                "urn:epc:class:lgtin:4012345.012345.LOT1",
            )],
            &["E2", "E4"],
        ),
        (&[("EQ_quantity", "3")], &["E3"]),
        (&[("GT_quantity", "8.5")], &["E2", "E4"]),
        (&[("GE_quantity", "8.5")], &["E2", "E4"]),
        (&[("LT_quantity", "8.5")], &["E3"]),
        (&[("LE_quantity", "8.5")], &["E3", "E4"]),
        (&[("GE_quantity", "4"), ("LE_quantity", "9")], &["E4"]),
        (
            &[(
                "EQ_bizTransaction_po",
                "urn:epcglobal:cbv:bt:0614141073467:PO1",
            )],
            &["E1"],
        ),
        (
            &[(
                "EQ_bizTransaction_urn:epcglobal:cbv:btt:inv",
                "urn:epcglobal:cbv:bt:0614141073467:INV9",
            )],
            &["E5"],
        ),
        (
            &[(
                "EQ_bizTransaction_inv",
                "urn:epcglobal:cbv:bt:0614141073467:PO1",
            )],
            &[],
        ),
        (
            &[("EQ_source_owning_party", "urn:epc:id:pgln:0614141.00001")],
            &["E2"],
        ),
        (
            &[(
                "EQ_destination_owning_party",
                "https://id.gs1.org/417/0614142000011",
            )],
            &["E2"],
        ),
        (
            &[("EQ_destination_location", "urn:epc:id:pgln:0614142.00001")],
            &[],
        ),
        (&[("EQ_eventID", &id(5))], &["E5"]),
        (
            &[("EQ_eventID", &format!("{}|{}", id(1), id(6)))],
            &["E1", "E1d", "E6"],
        ),
        (&[("EXISTS_errorDeclaration", "true")], &["E1d"]),
        (&[("EXISTS_errorDeclaration", "false")], &all),
        (
            &[("GE_errorDeclarationTime", "2026-03-10T00:00:00Z")],
            &["E1d"],
        ),
        (&[("LT_errorDeclarationTime", "2026-03-10T00:00:00Z")], &[]),
        (&[("EQ_errorReason", "incorrect_data")], &["E1d"]),
        (&[("EQ_correctiveEventID", &id(7))], &["E1d"]),
        (&[("eventCountLimit", "3")], &["E1", "E1d", "E2"]),
        (&[("maxEventCount", "8")], &all),
        // Combined conditions all hold.
        (
            &[
                ("eventType", "ObjectEvent"),
                ("MATCH_epc", SGTIN_2018),
                ("EXISTS_errorDeclaration", "false"),
            ],
            &["E1", "E1d"],
        ),
    ];
    let mut failures = Vec::new();
    for (params, expected) in cases {
        let got = query(&server, params).await;
        if got != set(expected) {
            failures.push(format!("{params:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    server.stop().await;
}

#[tokio::test]
async fn order_by_and_direction() {
    let server = server_with_fixture().await;
    let ordered = |params: &'static [(&'static str, &'static str)]| {
        let server = &server;
        async move {
            let (status, body) = server.get("/epcis/events", params).await;
            assert_eq!(status, 200, "{body}");
            names(&body)
        }
    };
    let asc = ordered(&[("orderBy", "eventTime"), ("orderDirection", "ASC")]).await;
    assert_eq!(asc, ["E1", "E1d", "E2", "E3", "E4", "E5", "E6", "E7"]);
    // DESC is the standard's default direction.
    let desc = ordered(&[("orderBy", "eventTime")]).await;
    assert_eq!(desc, ["E7", "E6", "E5", "E4", "E3", "E2", "E1d", "E1"]);
    // One capture: one recordTime, so log order decides, backwards.
    let by_record = ordered(&[("orderBy", "recordTime"), ("orderDirection", "DESC")]).await;
    assert_eq!(by_record[0], "E7");
    let limited = ordered(&[
        ("orderBy", "eventTime"),
        ("orderDirection", "DESC"),
        ("eventCountLimit", "2"),
    ])
    .await;
    assert_eq!(limited, ["E7", "E6"]);
    server.stop().await;
}

/// Follows `Link: <…>; rel="next"` to the end; the names per page.
async fn pages(server: &TestServer, first: &str) -> Vec<Vec<String>> {
    let mut url = server.url(first);
    let mut out = Vec::new();
    loop {
        let response = server.client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap();
        out.push(names(&body));
        let Some(link) = link else { return out };
        assert!(link.ends_with(">; rel=\"next\""), "{link}");
        let target = &link[1..link.find('>').unwrap()];
        assert!(target.starts_with('/'), "{target}");
        url = server.url(target);
        assert!(out.len() < 20, "paging does not end");
    }
}

#[tokio::test]
async fn per_page_and_next_page_token_walk_every_event_once() {
    let server = server_with_fixture().await;
    let got = pages(
        &server,
        "/epcis/events?perPage=3&orderBy=eventTime&orderDirection=ASC",
    )
    .await;
    assert_eq!(
        got,
        [
            vec!["E1", "E1d", "E2"],
            vec!["E3", "E4", "E5"],
            vec!["E6", "E7"]
        ]
    );
    // With a filter and descending order, and eventCountLimit across pages.
    let got = pages(
        &server,
        "/epcis/events?perPage=2&EQ_action=ADD&orderBy=eventTime&eventCountLimit=3",
    )
    .await;
    assert_eq!(got, [vec!["E6", "E5"], vec!["E3"]]);
    // Exactly a page's worth: no empty last page.
    let got = pages(
        &server,
        "/epcis/events?perPage=2&eventType=AggregationEvent|TransformationEvent",
    )
    .await;
    assert_eq!(got, [vec!["E3", "E4"]]);
    // A token only serves the query that made it.
    let response = server
        .client
        .get(server.url("/epcis/events?perPage=1"))
        .send()
        .await
        .unwrap();
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    let token = link
        .split("nextPageToken=")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    let (status, body) = server
        .get(
            "/epcis/events",
            &[
                ("perPage", "1"),
                ("EQ_action", "ADD"),
                ("nextPageToken", token),
            ],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["type"], "epcisException:QueryParameterException");
    let (status, _) = server
        .get("/epcis/events", &[("nextPageToken", "x.y")])
        .await;
    assert_eq!(status, 400);
    server.stop().await;
}

#[tokio::test]
async fn max_event_count_raises_query_too_large() {
    let server = server_with_fixture().await;
    let (status, body) = server.get("/epcis/events", &[("maxEventCount", "7")]).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["type"], "epcisException:QueryTooLargeException");
    let (status, _) = server
        .get(
            "/epcis/events",
            &[("maxEventCount", "1"), ("eventType", "TransactionEvent")],
        )
        .await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test]
async fn unknown_parameters_and_bad_values_are_query_parameter_exceptions() {
    let server = server_with_fixture().await;
    let bad: &[(&str, &str)] = &[
        ("EQ_nonsense", "1"),
        ("eventType", "Event"),
        ("GE_eventTime", "last tuesday"),
        ("LT_recordTime", "2026-13-01T00:00:00Z"),
        ("EQ_action", "MOVE"),
        ("EQ_bizStep", "shippping"),
        ("EQ_disposition", "lost"),
        ("EQ_readPoint", "urn:epc:id:sgln:0614141.0077.0"),
        ("MATCH_epc", "urn:epc:idpat:sgtin:0614141.*.2018"),
        ("MATCH_anyEPC", "urn:epc:id:sgtin:0614141.107346"),
        ("GT_quantity", "NaN"),
        ("eventCountLimit", "1.5"),
        ("maxEventCount", "-1"),
        ("orderBy", "quantity"),
        ("orderDirection", "up"),
        ("EXISTS_errorDeclaration", "yes"),
        ("perPage", "0"),
        ("EQ_source_", "urn:epc:id:pgln:0614141.00001"),
        ("GE_startTime", "2026-01-01T00:00:00Z"),
    ];
    for (name, value) in bad {
        let (status, body) = server.get("/epcis/events", &[(name, value)]).await;
        assert_eq!(status, 400, "{name}={value}: {body}");
        assert_eq!(
            body["type"], "epcisException:QueryParameterException",
            "{body}"
        );
        assert!(
            body["detail"].as_str().unwrap().contains(name),
            "{name}: the detail names the parameter: {body}"
        );
        assert_eq!(body["errors"][0]["parameter"], *name);
    }
    let (status, body) = server
        .get(
            "/epcis/events",
            &[("eventCountLimit", "1"), ("maxEventCount", "1")],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = server
        .get(
            "/epcis/events",
            &[("EQ_action", "ADD"), ("EQ_action", "OBSERVE")],
        )
        .await;
    assert_eq!(status, 200, "a repeated list parameter adds values");
    server.stop().await;
}

#[tokio::test]
async fn resource_endpoints_are_queries_with_one_parameter_from_the_path() {
    let server = server_with_fixture().await;
    let enc = |s: &str| s.replace(':', "%3A").replace('/', "%2F");
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "/epcis/eventTypes/AggregationEvent/events".into(),
            vec!["E3"],
        ),
        (
            format!("/epcis/epcs/{}/events", enc(SGTIN_2018)),
            vec!["E1", "E1d", "E3", "E5"],
        ),
        ("/epcis/bizSteps/receiving/events".into(), vec!["E5"]),
        (
            format!("/epcis/bizLocations/{}/events", enc(STORE_LOC)),
            vec!["E1", "E1d", "E3"],
        ),
        (
            format!("/epcis/readPoints/{}/events", enc(DOCK)),
            vec!["E2"],
        ),
        ("/epcis/dispositions/in_transit/events".into(), vec!["E2"]),
        (format!("/epcis/events/{}", enc(&id(1))), vec!["E1", "E1d"]),
    ];
    for (path, expected) in cases {
        let (status, body) = server.get(&path, &[]).await;
        assert_eq!(status, 200, "{path}: {body}");
        let mut got = names(&body);
        got.sort();
        assert_eq!(got, set(&expected), "{path}");
    }
    // Query parameters narrow a resource.
    let (_, body) = server
        .get(
            &format!("/epcis/epcs/{}/events", enc(SGTIN_2018)),
            &[("eventType", "TransactionEvent")],
        )
        .await;
    assert_eq!(names(&body), ["E5"]);
    let (status, body) = server
        .get(
            "/epcis/bizSteps/receiving/events",
            &[("EQ_bizStep", "shipping")],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server.get("/epcis/eventTypes", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body["type"], "Collection");
    assert_eq!(body["member"].as_array().unwrap().len(), 5);
    let (status, body) = server.get("/epcis/bizSteps/shipingg/events", &[]).await;
    assert_eq!(status, 400, "{body}");
    server.stop().await;
}

#[tokio::test]
async fn accept_xml_answers_an_epcis_query_document_in_xml() {
    let server = server_with_fixture().await;
    let response = server
        .client
        .get(server.url("/epcis/events?EQ_bizStep=shipping|packing"))
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = response.text().await.unwrap();
    assert!(xml.contains("EPCISQueryDocument"), "{xml}");
    assert!(
        xml.contains("<queryName>SimpleEventQuery</queryName>"),
        "{xml}"
    );
    let doc = lotrace_epcis::parse_xml_document(xml.as_bytes(), &Default::default()).unwrap();
    let mut ids: Vec<_> = doc
        .events
        .iter()
        .map(|e| e.event_id.clone().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, [id(2), id(3)]);
    // JSON-LD by default, and when JSON is preferred.
    let response = server
        .client
        .get(server.url("/epcis/events?EQ_bizStep=shipping"))
        .header("accept", "application/ld+json, application/xml;q=0.5")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(names(&body), ["E2"]);
    server.stop().await;
}
