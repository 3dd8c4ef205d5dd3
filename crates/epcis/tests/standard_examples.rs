//! The example documents of the standard, read in place from `../shared/standards`: every
//! valid one parses, every negative test is rejected with an error naming the field.
//! Skips with a message when that folder is absent.

use std::path::{Path, PathBuf};

use lotrace_epcis::{Limits, parse_document};

fn examples() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/epcis/examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "jsonld")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_valid_example_document_parses() {
    let Some(root) = examples() else { return };
    let mut files = json_files(&root.join("gs1-epcis/JSON"));
    files.extend(json_files(
        &root.join("openepcis/2.0/EPCIS/JSON/Capture/Documents"),
    ));
    let query_dir = root.join("openepcis/2.0/EPCIS/JSON/Query");
    files.extend(
        json_files(&query_dir)
            .into_iter()
            .filter(|p| !p.starts_with(query_dir.join("Invalid")))
            .filter(|p| !p.starts_with(query_dir.join("Queries"))),
    );
    assert!(files.len() > 50, "found only {} documents", files.len());
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| !KNOWN_INVALID.iter().any(|(name, _, _)| f.ends_with(name)))
        .collect();
    let mut failures = Vec::new();
    let mut events = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        match parse_document(&bytes, &Limits::default()) {
            Ok(document) => {
                events += document.events.len();
                let original: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                let written = event_list(&original);
                assert_eq!(written.len(), document.events.len());
                for (i, (event, raw)) in document.events.iter().zip(written).enumerate() {
                    // Lossless: the event serialises back to exactly what was written.
                    let back = serde_json::to_value(event).unwrap();
                    assert_eq!(&back, raw, "{}: event {i} changed", file.display());
                }
            }
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} valid documents rejected:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(events > 70, "only {events} events parsed");
}

fn event_list(document: &serde_json::Value) -> &Vec<serde_json::Value> {
    let body = &document["epcisBody"];
    let list = if body.get("queryResults").is_some() {
        &body["queryResults"]["resultsBody"]["eventList"]
    } else {
        &body["eventList"]
    };
    list.as_array().unwrap()
}

/// Documents of the OpenEPCIS suite that are filed as valid but break a GS1 rule, each with
/// the field an error must name and why. GS1 keys are checked against the GS1 General
/// Specifications; bare sensor measurement types against the EPCIS JSON Schema's list.
const KNOWN_INVALID: &[(&str, &str, &str)] = &[
    (
        "Capture/Documents/Combination_of_different_event.json",
        "epcList[0]",
        "GRAI 3001345000771 has check digit 1, not 6",
    ),
    (
        "Capture/Documents/TransactionEvent_with_userExtensions.json",
        "sensorReport[0].type",
        "EffectiveDoseRate is not a GS1 measurement type",
    ),
    (
        "Query/Combination_of_different_event.json",
        "epcList[0]",
        "GRAI 3001345000771 has check digit 1, not 6",
    ),
    (
        "Query/SensorData_with_combined_events.json",
        "sensorReport[1].type",
        "Molar_concentration is not a GS1 measurement type",
    ),
    (
        "Query/TransactionEvent_with_userExtensions.json",
        "sensorReport[0].type",
        "EffectiveDoseRate is not a GS1 measurement type",
    ),
    (
        "Query/queryDocument.json",
        "epcList[0]",
        "GRAI 3001345000771 has check digit 1, not 6",
    ),
];

#[test]
fn example_documents_breaking_gs1_rules_are_rejected_for_the_stated_reason() {
    let Some(root) = examples() else { return };
    let dir = root.join("openepcis/2.0/EPCIS/JSON");
    for (name, field, why) in KNOWN_INVALID {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let error = parse_document(&bytes, &Limits::default())
            .err()
            .unwrap_or_else(|| panic!("{name} was accepted, yet {why}"));
        assert!(
            error.errors.iter().any(|e| e.field.ends_with(field)),
            "{name}: expected an error at {field} ({why}), got {error}"
        );
    }
}

/// Each negative test of the OpenEPCIS suite, with the field its error must name.
const INVALID: &[(&str, &str)] = &[
    (
        "Combination_of_events_with_missing_mandatory_fields.json",
        "",
    ),
    (
        "Combination_of_non_standard_bizStep_and_disposition.json",
        "bizStep",
    ),
    ("EPCISDocument_without_context.json", "@context"),
    (
        "ObjectEvent_with_ilmd_field_without_namespace.json",
        "ilmd.materialType",
    ),
    ("ObjectEvent_with_invalid_action.json", "action"),
    (
        "ObjectEvent_with_invalid_certificationInfo.json",
        "certificationInfo",
    ),
    ("ObjectEvent_with_non_standard_bizStep.json", "bizStep"),
    (
        "ObjectEvent_with_non_standard_bizStep_in_second_event.json",
        "bizStep",
    ),
    (
        "ObjectEvent_with_non_standard_disposition.json",
        "disposition",
    ),
    ("ObjectEvent_with_quantity_as_text.json", "quantity"),
    ("ObjectEvent_without_action_and_eventTime.json", ""),
];

#[test]
fn every_invalid_example_is_rejected_naming_the_field() {
    let Some(root) = examples() else { return };
    let dir = root.join("openepcis/2.0/EPCIS/JSON/Capture/Invalid");
    let files = json_files(&dir);
    assert_eq!(
        files.len(),
        INVALID.len(),
        "the negative tests changed: {files:?}"
    );
    for (name, field) in INVALID {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let error = match parse_document(&bytes, &Limits::default()) {
            Ok(_) => panic!("{name} was accepted"),
            Err(e) => e,
        };
        assert!(
            error.errors.iter().any(|e| e.field.contains(field)),
            "{name}: expected an error naming {field:?}, got {error}"
        );
        assert!(error.errors.iter().all(|e| !e.rule.is_empty()));
    }
}

#[test]
fn the_non_standard_bizstep_in_the_second_event_is_located() {
    let Some(root) = examples() else { return };
    let path = root.join(
        "openepcis/2.0/EPCIS/JSON/Capture/Invalid/ObjectEvent_with_non_standard_bizStep_in_second_event.json",
    );
    let error = parse_document(&std::fs::read(path).unwrap(), &Limits::default()).unwrap_err();
    assert_eq!(error.errors.len(), 1, "{error}");
    assert_eq!(error.errors[0].event_index, Some(1), "{error}");
    assert_eq!(error.errors[0].field, "bizStep");
}
