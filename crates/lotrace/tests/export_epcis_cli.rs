//! `lotrace export epcis`, run as a user runs it, on real SQLite files: a trace exported as
//! XML (and as JSON-LD) holds exactly the events the trace names, with the hash IDs of the
//! originals (`lotrace epcis hash`); imported with `lotrace import` into a fresh store and
//! exported again, the events keep those hash IDs and their extension's namespace prefix.
//! Queries by `--param` and the friendly flags; bad input names the problem and writes
//! nothing.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::lotrace;
use serde_json::Value;

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const RAW: &str = "urn:epc:class:lgtin:4012345.011111.RAW1";

/// A receipt of RAW1 carrying an extension (`ex:temperature`, prefix bound in the
/// document's `@context`), RAW1 made into PROD1, PROD1 shipped (an event without eventID:
/// stored under its hash ID), and an unrelated receipt of RAW9.
const DOC: &str = r#"{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
               {"ex": "https://example.com/lotrace-test/"}],
  "type": "EPCISDocument",
  "schemaVersion": "2.0",
  "creationDate": "2026-03-02T12:00:00Z",
  "epcisBody": { "eventList": [
    { "type": "ObjectEvent", "eventID": "urn:uuid:7e1f0000-0000-4000-8000-000000000001",
      "eventTime": "2026-03-01T08:00:00+01:00", "eventTimeZoneOffset": "+01:00",
      "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
      "readPoint": { "id": "urn:epc:id:sgln:4012345.00001.0" },
      "bizLocation": { "id": "urn:epc:id:sgln:4012345.00001.0" },
      "quantityList": [{ "epcClass": "urn:epc:class:lgtin:4012345.011111.RAW1", "quantity": 500, "uom": "KGM" }],
      "ex:temperature": { "ex:celsius": "4.5", "ex:probe": "P-7" } },
    { "type": "TransformationEvent", "eventID": "urn:uuid:7e1f0000-0000-4000-8000-000000000002",
      "eventTime": "2026-03-01T10:00:00+01:00", "eventTimeZoneOffset": "+01:00",
      "bizStep": "commissioning", "disposition": "active",
      "readPoint": { "id": "urn:epc:id:sgln:4012345.00001.0" },
      "bizLocation": { "id": "urn:epc:id:sgln:4012345.00001.0" },
      "inputQuantityList": [{ "epcClass": "urn:epc:class:lgtin:4012345.011111.RAW1", "quantity": 100, "uom": "KGM" }],
      "outputQuantityList": [{ "epcClass": "urn:epc:class:lgtin:4012345.033333.PROD1", "quantity": 90, "uom": "KGM" }] },
    { "type": "ObjectEvent",
      "eventTime": "2026-03-01T15:00:00+01:00", "eventTimeZoneOffset": "+01:00",
      "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
      "readPoint": { "id": "urn:epc:id:sgln:4012345.00001.0" },
      "quantityList": [{ "epcClass": "urn:epc:class:lgtin:4012345.033333.PROD1", "quantity": 40, "uom": "KGM" }],
      "destinationList": [{ "type": "owning_party", "destination": "urn:epc:id:pgln:4077777.00001" }] },
    { "type": "ObjectEvent", "eventID": "urn:uuid:7e1f0000-0000-4000-8000-000000000009",
      "eventTime": "2026-03-01T09:00:00+01:00", "eventTimeZoneOffset": "+01:00",
      "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
      "readPoint": { "id": "urn:epc:id:sgln:4012345.00001.0" },
      "quantityList": [{ "epcClass": "urn:epc:class:lgtin:4012345.011111.RAW9", "quantity": 50, "uom": "KGM" }] }
  ] }
}"#;

fn hashes(file: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_lotrace"))
        .args(["epcis", "hash"])
        .arg(file)
        .output()
        .unwrap();
    ok(out).lines().map(str::to_owned).collect()
}

/// The eventIDs of a JSON-LD document's events, in order.
fn event_ids(text: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(text).unwrap();
    doc["epcisBody"]["eventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventID"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_trace_exported_as_xml_or_json_ld_imports_elsewhere_with_the_same_hash_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a.db"),
        dir.path().join("b.db"),
        dir.path().join("c.db"),
    );
    let doc = dir.path().join("doc.jsonld");
    std::fs::write(&doc, DOC).unwrap();
    ok(lotrace(&a, &["import", doc.to_str().unwrap()]));

    // The original hash IDs, by eventID (the shipment is stored under its hash ID).
    let original = hashes(&doc);
    assert_eq!(original.len(), 4);
    let mut ids = event_ids(DOC);
    ids[2] = original[2].clone();
    let trace: Value =
        serde_json::from_str(&ok(lotrace(&a, &["trace", RAW, "--forward", "--json"]))).unwrap();
    let named: Vec<&str> = trace["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(named.contains(&ids[1].as_str()), "{named:?}");
    assert!(named.contains(&ids[2].as_str()), "{named:?}");
    assert!(!named.contains(&ids[3].as_str()), "{named:?}");
    // What the export must hold: the named events, in log order (here document order).
    let expected: Vec<String> = ids
        .iter()
        .zip(&original)
        .filter(|(id, _)| named.contains(&id.as_str()))
        .map(|(_, h)| h.clone())
        .collect();

    for (format, first, second) in [("xml", &b, "jsonld"), ("jsonld", &c, "xml")] {
        let exported = dir.path().join(format!("trace.{format}"));
        ok(lotrace(
            &a,
            &[
                "export",
                "epcis",
                "--trace",
                RAW,
                "--forward",
                "--format",
                format,
                "--output",
                exported.to_str().unwrap(),
            ],
        ));
        let text = std::fs::read_to_string(&exported).unwrap();
        if format == "xml" {
            assert!(text.trim_start().starts_with('<'), "{text}");
        } else {
            assert_eq!(event_ids(&text).len(), expected.len());
        }
        assert_eq!(hashes(&exported), expected, "{format} export");

        // Into a fresh store, and out again in the other format: the same events.
        ok(lotrace(first, &["import", exported.to_str().unwrap()]));
        let again = dir.path().join(format!("again-from-{format}.{second}"));
        ok(lotrace(
            first,
            &[
                "export",
                "epcis",
                "--format",
                second,
                "--output",
                again.to_str().unwrap(),
            ],
        ));
        assert_eq!(
            hashes(&again),
            expected,
            "{format} imported, {second} exported"
        );
        // The extension kept its namespace through the import (JSON-LD shows it plainly).
        if second == "jsonld" {
            let text = std::fs::read_to_string(&again).unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap();
            let receipt = doc["epcisBody"]["eventList"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e.get("ex:temperature").is_some());
            if named.contains(&ids[0].as_str()) {
                let receipt = receipt.expect("the receipt with its extension");
                assert_eq!(receipt["ex:temperature"]["ex:celsius"], "4.5");
                assert_eq!(
                    receipt["@context"]["ex"], "https://example.com/lotrace-test/",
                    "{receipt}"
                );
            }
        }
    }
}

#[test]
fn import_keeps_the_documents_namespace_prefixes_for_xml_and_json_ld() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let doc = dir.path().join("doc.jsonld");
    std::fs::write(&doc, DOC).unwrap();
    ok(lotrace(&a, &["import", doc.to_str().unwrap()]));
    let xml = dir.path().join("all.xml");
    ok(lotrace(
        &a,
        &[
            "export",
            "epcis",
            "--format",
            "xml",
            "--output",
            xml.to_str().unwrap(),
        ],
    ));
    assert!(
        std::fs::read_to_string(&xml)
            .unwrap()
            .contains("https://example.com/lotrace-test/")
    );
    ok(lotrace(&b, &["import", xml.to_str().unwrap()]));
    for db in [&a, &b] {
        let text = ok(lotrace(
            db,
            &[
                "export",
                "epcis",
                "--param",
                "eventType=ObjectEvent",
                "--biz-step",
                "receiving",
            ],
        ));
        let doc: Value = serde_json::from_str(&text).unwrap();
        let events = doc["epcisBody"]["eventList"].as_array().unwrap();
        assert_eq!(events.len(), 2, "{text}");
        let receipt = &events[0];
        assert_eq!(receipt["ex:temperature"]["ex:probe"], "P-7", "{text}");
        assert_eq!(
            receipt["@context"]["ex"],
            "https://example.com/lotrace-test/"
        );
    }
    // Same hash IDs in both stores.
    let out = |db: &Path, name: &str| {
        let path = dir.path().join(name);
        ok(lotrace(
            db,
            &["export", "epcis", "--output", path.to_str().unwrap()],
        ));
        hashes(&path)
    };
    let (from_a, from_b) = (out(&a, "a.jsonld"), out(&b, "b.jsonld"));
    assert_eq!(from_a.len(), 4);
    assert_eq!(from_a, from_b);
    // A query answers in eventTime order, the document is in log order: the same set.
    let (mut got, mut want) = (from_a, hashes(&doc));
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn queries_recalls_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let doc = dir.path().join("doc.jsonld");
    std::fs::write(&doc, DOC).unwrap();
    ok(lotrace(&a, &["import", doc.to_str().unwrap()]));

    let text = ok(lotrace(
        &a,
        &["export", "epcis", "--param", "EQ_bizStep=shipping"],
    ));
    let doc_value: Value = serde_json::from_str(&text).unwrap();
    let events = doc_value["epcisBody"]["eventList"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["bizStep"], "shipping");
    assert_eq!(doc_value["type"], "EPCISDocument");

    let text = ok(lotrace(
        &a,
        &[
            "export",
            "epcis",
            "--since",
            "2026-03-01T08:30:00+01:00",
            "--until",
            "2026-03-01T12:00:00+01:00",
            "--epc",
            "urn:epc:idpat:sgtin:4012345.011111.*",
        ],
    ));
    // Between 08:30 and 12:00 only the RAW9 receipt and the transformation happened; the
    // pattern names GTIN 4012345.011111 as an instance (MATCH_anyEPC), which no event has.
    assert!(event_ids(&text).is_empty(), "{text}");

    let text = ok(lotrace(
        &a,
        &[
            "export",
            "epcis",
            "--since",
            "2026-03-01T08:30:00+01:00",
            "--until",
            "2026-03-01T12:00:00+01:00",
            "--format",
            "xml",
        ],
    ));
    assert_eq!(text.matches("<eventID>").count(), 2, "{text}");

    let output = dir.path().join("never.jsonld");
    for (args, needle) in [
        (vec!["--param", "EQ_bizStep=shipingg"], "EQ_bizStep"),
        (vec!["--param", "nonsense"], "NAME=VALUE"),
        (vec!["--param", "perPage=3"], "perPage"),
        (vec!["--since", "yesterday"], "GE_eventTime"),
        (vec!["--trace", RAW], "--forward or --backward"),
        (
            vec![
                "--trace",
                "urn:epc:class:lgtin:4012345.099999.NONE",
                "--forward",
            ],
            "not in the store",
        ),
        (vec!["--recall", "R-00042"], "R-00042"),
    ] {
        let mut full = vec!["export", "epcis", "--output", output.to_str().unwrap()];
        full.extend(args.iter().copied());
        let out = lotrace(&a, &full);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!output.exists(), "{args:?} wrote a file");
    }
    // --trace with --param is refused by the argument parser.
    let out = lotrace(
        &a,
        &[
            "export",
            "epcis",
            "--trace",
            RAW,
            "--forward",
            "--param",
            "eventType=ObjectEvent",
        ],
    );
    assert!(!out.status.success());
}
