//! Every kind of bad input is rejected with an error that names the event (index and
//! eventID), the field and the rule; and every error in a document is reported.

use lotrace_epcis::{CaptureError, Limits, parse_document};
use serde_json::{Value, json};

fn document(events: Value) -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": events },
    })
}

fn object_event() -> Value {
    json!({
        "type": "ObjectEvent",
        "eventID": "urn:uuid:3f1d0e1c-58a5-4b65-8d43-9b4a8c2f0001",
        "eventTime": "2026-11-02T08:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "quantityList": [{ "epcClass": "https://id.gs1.org/01/09521234543213/10/LOT-7", "quantity": 20, "uom": "KGM" }],
        "readPoint": { "id": "urn:epc:id:sgln:4012345.00001.0" },
    })
}

fn aggregation_event() -> Value {
    json!({
        "type": "AggregationEvent",
        "eventTime": "2026-11-02T09:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "ADD",
        "bizStep": "packing",
        "parentID": "urn:epc:id:sscc:4012345.0000000001",
        "childEPCs": ["urn:epc:id:sgtin:4012345.012345.1001"],
    })
}

fn parse(value: &Value) -> Result<lotrace_epcis::Document, CaptureError> {
    parse_document(&serde_json::to_vec(value).unwrap(), &Limits::default())
}

/// Parses a one-event document and returns its only error, which must sit on event 0.
fn only_error(event: Value) -> lotrace_epcis::FieldError {
    let error = parse(&document(json!([event]))).expect_err("the event must be rejected");
    assert_eq!(error.errors.len(), 1, "exactly one error expected: {error}");
    let e = error.errors.into_iter().next().unwrap();
    assert_eq!(e.event_index, Some(0));
    e
}

#[test]
fn a_good_document_parses() {
    let doc = parse(&document(json!([object_event(), aggregation_event()]))).unwrap();
    assert_eq!(doc.events.len(), 2);
}

#[test]
fn malformed_json_is_named_as_such() {
    let error = parse_document(b"{\"type\": \"EPCISDocument\",", &Limits::default()).unwrap_err();
    assert_eq!(error.errors[0].event_index, None);
    assert!(error.errors[0].rule.contains("malformed JSON"), "{error}");
}

#[test]
fn document_header_rules() {
    let mut no_context = document(json!([object_event()]));
    no_context.as_object_mut().unwrap().remove("@context");
    let e = parse(&no_context).unwrap_err();
    assert_eq!(e.errors[0].field, "@context", "{e}");

    let mut wrong_type = document(json!([object_event()]));
    wrong_type["type"] = json!("EPCISMasterDataDocument");
    let e = parse(&wrong_type).unwrap_err();
    assert_eq!(e.errors[0].field, "type", "{e}");

    let mut old = document(json!([object_event()]));
    old["schemaVersion"] = json!("1.2");
    let e = parse(&old).unwrap_err();
    assert_eq!(e.errors[0].field, "schemaVersion", "{e}");

    let mut no_body = document(json!([]));
    no_body.as_object_mut().unwrap().remove("epcisBody");
    let e = parse(&no_body).unwrap_err();
    assert_eq!(e.errors[0].field, "epcisBody.eventList", "{e}");
}

#[test]
fn a_query_document_gives_its_events() {
    let doc = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "queryResults": {
            "queryName": "SimpleEventQuery",
            "resultsBody": { "eventList": [object_event()] } } },
    });
    assert_eq!(parse(&doc).unwrap().events.len(), 1);
}

#[test]
fn an_unknown_event_type_names_type() {
    let mut event = object_event();
    event["type"] = json!("TeleportEvent");
    let e = only_error(event);
    assert_eq!(e.field, "type");
    assert!(e.rule.contains("TeleportEvent"), "{}", e.rule);
    assert_eq!(
        e.event_id.as_deref(),
        Some("urn:uuid:3f1d0e1c-58a5-4b65-8d43-9b4a8c2f0001")
    );
}

#[test]
fn a_wrong_json_type_names_the_field() {
    let mut event = object_event();
    event["quantityList"][0]["quantity"] = json!("twenty");
    let e = only_error(event);
    assert!(e.field.contains("quantity"), "{}", e.field);

    let mut event = object_event();
    event["epcList"] = json!("urn:epc:id:sgtin:4012345.012345.1");
    let e = only_error(event);
    assert_eq!(e.field, "epcList");
}

#[test]
fn missing_required_fields_are_named() {
    let mut event = object_event();
    event.as_object_mut().unwrap().remove("eventTime");
    let e = only_error(event);
    assert_eq!(e.field, "eventTime");
    assert!(e.rule.contains("missing"), "{}", e.rule);

    let mut event = object_event();
    event.as_object_mut().unwrap().remove("eventTimeZoneOffset");
    assert_eq!(only_error(event).field, "eventTimeZoneOffset");

    let mut event = object_event();
    event["errorDeclaration"] = json!({ "reason": "incorrect_data" });
    assert_eq!(only_error(event).field, "errorDeclaration.declarationTime");

    let mut event = object_event();
    event.as_object_mut().unwrap().remove("action");
    assert_eq!(only_error(event).field, "action");

    let mut event = object_event();
    event.as_object_mut().unwrap().remove("quantityList");
    let e = only_error(event);
    assert_eq!(e.field, "epcList");
    assert!(e.rule.contains("quantityList"), "{}", e.rule);

    let mut event = aggregation_event();
    event.as_object_mut().unwrap().remove("parentID");
    let e = only_error(event);
    assert_eq!(e.field, "parentID");
    assert!(e.rule.contains("AggregationEvent"), "{}", e.rule);

    let mut event = aggregation_event();
    event.as_object_mut().unwrap().remove("childEPCs");
    assert_eq!(only_error(event).field, "childEPCs");

    let transaction = json!({
        "type": "TransactionEvent", "eventTime": "2026-11-02T09:00:00Z",
        "eventTimeZoneOffset": "+00:00", "action": "ADD",
        "epcList": ["urn:epc:id:sgtin:4012345.012345.1001"],
    });
    assert_eq!(only_error(transaction).field, "bizTransactionList");

    let transformation = json!({
        "type": "TransformationEvent", "eventTime": "2026-11-02T09:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "inputQuantityList": [{ "epcClass": "urn:epc:class:lgtin:4012345.012345.A", "quantity": 3 }],
    });
    let e = only_error(transformation);
    assert_eq!(e.field, "outputEPCList");
    assert!(e.rule.contains("transformationID"), "{}", e.rule);
}

#[test]
fn the_rules_that_let_fields_out_hold() {
    // DELETE without children takes every child out; OBSERVE needs no parentID.
    let mut delete_all = aggregation_event();
    delete_all["action"] = json!("DELETE");
    delete_all.as_object_mut().unwrap().remove("childEPCs");
    let mut observe = aggregation_event();
    observe["action"] = json!("OBSERVE");
    observe.as_object_mut().unwrap().remove("parentID");
    // One half of a transformation, tied to the rest by its transformationID.
    let half = json!({
        "type": "TransformationEvent", "eventTime": "2026-11-02T09:00:00Z",
        "eventTimeZoneOffset": "+00:00", "transformationID": "urn:example:tx:1",
        "inputQuantityList": [{ "epcClass": "urn:epc:class:lgtin:4012345.012345.A", "quantity": 3 }],
    });
    assert_eq!(
        parse(&document(json!([delete_all, observe, half])))
            .unwrap()
            .events
            .len(),
        3
    );
}

#[test]
fn fields_of_another_event_type_are_refused() {
    let mut event = object_event();
    event["parentID"] = json!("urn:epc:id:sscc:4012345.0000000001");
    let e = only_error(event);
    assert_eq!(e.field, "parentID");
    assert!(
        e.rule.contains("ObjectEvent has no field parentID"),
        "{}",
        e.rule
    );

    let transformation = json!({
        "type": "TransformationEvent", "eventTime": "2026-11-02T09:00:00Z",
        "eventTimeZoneOffset": "+00:00", "action": "ADD", "transformationID": "urn:example:tx:1",
        "outputEPCList": ["urn:epc:id:sgtin:4012345.012345.1001"],
    });
    assert_eq!(only_error(transformation).field, "action");
}

#[test]
fn bad_times_and_offsets_are_named() {
    let mut event = object_event();
    event["eventTime"] = json!("yesterday");
    let e = only_error(event);
    assert_eq!(e.field, "eventTime");
    assert!(e.rule.contains("RFC 3339"), "{}", e.rule);

    let mut event = object_event();
    event["eventTime"] = json!("2026-11-02T08:00:00");
    assert_eq!(only_error(event).field, "eventTime");

    let mut event = object_event();
    event["eventTime"] = json!("2026-02-30T08:00:00Z");
    assert_eq!(only_error(event).field, "eventTime");

    for offset in ["+25:00", "+14:30", "0100", "+1:00", "+01:60"] {
        let mut event = object_event();
        event["eventTimeZoneOffset"] = json!(offset);
        assert_eq!(only_error(event).field, "eventTimeZoneOffset", "{offset}");
    }

    let mut event = object_event();
    event["errorDeclaration"] =
        json!({ "declarationTime": "2026-11-01T00:00:00Z", "reason": "incorrect_data" });
    assert_eq!(only_error(event).field, "errorDeclaration.declarationTime");
}

#[test]
fn a_gs1_key_with_a_wrong_check_digit_is_refused() {
    // 09521234543213 is a valid GTIN; ...214 is not.
    let mut event = object_event();
    event["quantityList"][0]["epcClass"] = json!("https://id.gs1.org/01/09521234543214/10/LOT-7");
    let e = only_error(event);
    assert_eq!(e.field, "quantityList[0].epcClass");
    assert!(e.rule.contains("check digit"), "{}", e.rule);

    // The same on a brand's own Digital Link domain.
    let mut event = aggregation_event();
    event["parentID"] = json!("https://brand.example.com/00/340123450000000019");
    let e = only_error(event);
    assert_eq!(e.field, "parentID");
    assert!(e.rule.contains("check digit"), "{}", e.rule);

    // A GLN in a Digital Link location.
    let mut event = object_event();
    event["readPoint"]["id"] = json!("https://id.gs1.org/414/4012345000010");
    let e = only_error(event);
    assert_eq!(e.field, "readPoint.id");
}

#[test]
fn identifiers_must_be_uris() {
    let mut event = aggregation_event();
    event["childEPCs"] = json!(["urn:epc:id:sgtin:4012345.012345.1001", "pallet 7"]);
    let e = only_error(event);
    assert_eq!(e.field, "childEPCs[1]");
    assert!(e.rule.contains("not a URI"), "{}", e.rule);
}

#[test]
fn vocabulary_values_are_checked() {
    let mut event = object_event();
    event["bizStep"] = json!("transforming");
    let e = only_error(event);
    assert_eq!(e.field, "bizStep");
    assert!(e.rule.contains("not a CBV business step"), "{}", e.rule);

    let mut event = object_event();
    event["disposition"] = json!("in_transport");
    assert!(
        only_error(event)
            .rule
            .contains("did you mean \"in_transit\"")
    );

    let mut event = object_event();
    event["sourceList"] = json!([{ "type": "owner", "source": "urn:epc:id:pgln:4012345.00000" }]);
    assert_eq!(only_error(event).field, "sourceList[0].type");

    // Values of one's own are URIs; CBV terms may be written as their URIs.
    let mut event = object_event();
    event["bizStep"] = json!("https://example.com/steps/blanching");
    event["disposition"] = json!("urn:epcglobal:cbv:disp:in_progress");
    parse(&document(json!([event]))).unwrap();
}

#[test]
fn quantities_and_units_are_checked() {
    let mut event = object_event();
    event["quantityList"][0]["quantity"] = json!(-3);
    assert_eq!(only_error(event).field, "quantityList[0].quantity");

    let mut event = object_event();
    event["quantityList"][0]["uom"] = json!("kg");
    let e = only_error(event);
    assert_eq!(e.field, "quantityList[0].uom");
    assert!(e.rule.contains("Recommendation 20"), "{}", e.rule);
}

#[test]
fn extensions_must_be_namespaced() {
    let mut event = object_event();
    event["temperature"] = json!(4);
    let e = only_error(event);
    assert_eq!(e.field, "temperature");
    assert!(e.rule.contains("namespaced"), "{}", e.rule);

    let mut event = object_event();
    event["action"] = json!("ADD");
    event["ilmd"] = json!({ "bestBefore": "2026-12-01" });
    assert_eq!(only_error(event).field, "ilmd.bestBefore");

    let mut event = object_event();
    event["example:temperature"] = json!(4);
    event["https://example.com/voc/humidity"] = json!(40);
    parse(&document(json!([event]))).unwrap();
}

#[test]
fn every_error_in_every_event_is_reported() {
    let mut first = object_event();
    first["bizStep"] = json!("transforming");
    first["quantityList"][0]["uom"] = json!("kg");
    let mut third = aggregation_event();
    third.as_object_mut().unwrap().remove("parentID");
    let e = parse(&document(json!([first, object_event(), third]))).unwrap_err();
    let located: Vec<(Option<usize>, &str)> = e
        .errors
        .iter()
        .map(|e| (e.event_index, e.field.as_str()))
        .collect();
    assert_eq!(
        located,
        [
            (Some(0), "bizStep"),
            (Some(0), "quantityList[0].uom"),
            (Some(2), "parentID")
        ],
        "{e}"
    );
    let text = e.to_string();
    assert!(text.contains("event 0 (urn:uuid:3f1d0e1c"), "{text}");
}

#[test]
fn the_event_limit_holds() {
    let events: Vec<Value> = (0..4).map(|_| object_event()).collect();
    let limits = Limits { max_events: 3 };
    let e = parse_document(
        &serde_json::to_vec(&document(json!(events))).unwrap(),
        &limits,
    )
    .unwrap_err();
    assert_eq!(e.errors[0].field, "epcisBody.eventList");
    assert!(e.errors[0].rule.contains("limit of 3"), "{e}");
}

#[test]
fn the_error_list_is_bounded() {
    let mut bad = object_event();
    bad["bizStep"] = json!("transforming");
    let events: Vec<Value> = (0..150).map(|_| bad.clone()).collect();
    let e = parse(&document(json!(events))).unwrap_err();
    assert_eq!(e.errors.len(), lotrace_epcis::MAX_REPORTED_ERRORS + 1);
    assert!(
        e.errors.last().unwrap().rule.contains("50 more errors"),
        "{e}"
    );
}

/// Events are read straight from the document's text; what that reading does differently
/// from a parsed tree (repeated names, members that are not objects, a list that is not a
/// list) must come out as a tree would have it.
#[test]
fn events_read_from_text_keep_the_rules_of_a_parsed_tree() {
    // A repeated member: the last one counts, as in the standard's own examples.
    let text = r#"{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:uuid:first",
        "eventID": "urn:uuid:3f1d0e1c-58a5-4b65-8d43-9b4a8c2f0009",
        "eventTime": "2026-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
        "epcList": ["urn:epc:id:sgtin:4012345.012345.1001"]}]}}"#;
    let doc = parse_document(text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(
        doc.events[0].event_id.as_deref(),
        Some("urn:uuid:3f1d0e1c-58a5-4b65-8d43-9b4a8c2f0009")
    );

    // An event that is not an object, between two good ones, and a broken one after it:
    // each is named by its index, the broken one by its eventID too.
    let mut broken = object_event();
    broken["eventID"] = json!("urn:uuid:3f1d0e1c-58a5-4b65-8d43-9b4a8c2f0003");
    broken["quantityList"][0]["quantity"] = json!("twenty");
    let e = parse(&document(json!([
        object_event(),
        "not an event",
        aggregation_event(),
        broken
    ])))
    .unwrap_err();
    let located: Vec<(Option<usize>, Option<&str>, &str)> = e
        .errors
        .iter()
        .map(|e| (e.event_index, e.event_id.as_deref(), e.field.as_str()))
        .collect();
    assert_eq!(
        located,
        [
            (Some(1), None, "(event)"),
            (
                Some(3),
                Some("urn:uuid:3f1d0e1c-58a5-4b65-8d43-9b4a8c2f0003"),
                "quantityList[0].quantity"
            )
        ],
        "{e}"
    );
    assert!(!e.errors[1].rule.contains(" at line "), "{e}");

    // A document that is not an object, and an event list that is not a list.
    let e = parse_document(b"[1, 2]", &Limits::default()).unwrap_err();
    assert_eq!(e.errors[0].rule, "expected a JSON object", "{e}");
    let e = parse(&document(json!({ "type": "ObjectEvent" }))).unwrap_err();
    assert_eq!(e.errors[0].field, "epcisBody.eventList", "{e}");
    assert_eq!(e.errors[0].rule, "expected an array of events", "{e}");
    let mut no_list = document(json!([]));
    no_list["epcisBody"] = json!("nothing here");
    let e = parse(&no_list).unwrap_err();
    assert_eq!(e.errors[0].rule, "missing", "{e}");
}

/// A document large enough to be parsed on several threads gives the answer one thread
/// would: events in document order, and errors in document order up to the limit, counted
/// past it.
#[test]
fn a_large_document_reads_as_one_thread_would() {
    const EVENTS: usize = 50_000;
    let mut bad = object_event();
    bad["bizStep"] = json!("transforming");
    // Bad events near the start and the end of the list, so that they fall in the first
    // and the last runs wherever the list is split.
    let bad_at: Vec<usize> = (0..60).chain(EVENTS - 60..EVENTS).collect();
    let events: Vec<Value> = (0..EVENTS)
        .map(|i| {
            let mut e = if bad_at.contains(&i) {
                bad.clone()
            } else {
                object_event()
            };
            e["eventID"] = json!(format!("urn:uuid:00000000-0000-4000-8000-{i:012}"));
            e
        })
        .collect();
    let e = parse(&document(json!(events))).unwrap_err();
    let located: Vec<Option<usize>> = e.errors.iter().map(|e| e.event_index).collect();
    let expected: Vec<Option<usize>> = bad_at[..lotrace_epcis::MAX_REPORTED_ERRORS]
        .iter()
        .map(|&i| Some(i))
        .chain([None])
        .collect();
    assert_eq!(located, expected);
    assert!(
        e.errors.last().unwrap().rule.contains("20 more errors"),
        "{}",
        e.errors.last().unwrap().rule
    );

    let good: Vec<Value> = (0..EVENTS)
        .map(|i| {
            let mut e = object_event();
            e["eventID"] = json!(format!("urn:uuid:00000000-0000-4000-8000-{i:012}"));
            e
        })
        .collect();
    let doc = parse(&document(json!(good))).unwrap();
    assert_eq!(doc.events.len(), EVENTS);
    for (i, event) in doc.events.iter().enumerate() {
        assert_eq!(
            event.event_id.as_deref(),
            Some(format!("urn:uuid:00000000-0000-4000-8000-{i:012}").as_str())
        );
    }
}
