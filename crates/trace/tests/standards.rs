//! The GS1 and OpenEPCIS example documents in ../shared/standards: every one that parses is
//! indexed and every object traced both ways; one example's answer is checked by hand.
//! Skips with a message when the folder is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lotrace_epcis::{Event, Limits as DocumentLimits, parse_document};
use lotrace_trace::{Direction, Limits, TraceError, TraceIndex, canonical};

fn standards() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/epcis/examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "jsonld" || e == "json")
        {
            out.push(path);
        }
    }
}

/// The document's events, each with an eventID (the store assigns one when missing).
fn events_of(path: &Path) -> Option<Vec<Event>> {
    let bytes = std::fs::read(path).ok()?;
    let document = parse_document(&bytes, &DocumentLimits::default()).ok()?;
    let mut events = document.events;
    for (i, e) in events.iter_mut().enumerate() {
        if e.event_id.is_none() {
            e.event_id = Some(format!("urn:test:{}:{i}", path.display()));
        }
    }
    Some(events)
}

/// The objects the events name (error declarations add nothing to the index).
fn object_ids(events: &[Event]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for e in events.iter().filter(|e| e.error_declaration.is_none()) {
        let lists = [
            &e.epc_list,
            &e.child_epcs,
            &e.input_epc_list,
            &e.output_epc_list,
        ];
        ids.extend(lists.into_iter().flatten().flatten().cloned());
        let quantities = [
            &e.quantity_list,
            &e.child_quantity_list,
            &e.input_quantity_list,
            &e.output_quantity_list,
        ];
        for q in quantities.into_iter().flatten().flatten() {
            ids.insert(q.epc_class.clone());
        }
        ids.extend(e.parent_id.clone());
    }
    ids
}

#[test]
fn every_example_indexes_and_traces() {
    let Some(dir) = standards() else { return };
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();
    let mut indexed = 0;
    for path in &files {
        let Some(events) = events_of(path) else {
            continue; // not an EPCISDocument this parser accepts: the epcis crate's concern
        };
        indexed += 1;
        let mut ix = TraceIndex::new(Limits::default());
        for e in &events {
            ix.insert(e).unwrap();
        }
        let known_events: BTreeSet<String> =
            events.iter().filter_map(|e| e.event_id.clone()).collect();
        for id in object_ids(&events) {
            for direction in [Direction::Forward, Direction::Backward] {
                let t = match ix.trace(&id, direction) {
                    Ok(t) => t,
                    Err(TraceError::Limit { .. }) => continue,
                    Err(e) => panic!("{}: {id}: {e}", path.display()),
                };
                assert_eq!(t.origin, canonical(&id));
                assert!(
                    t.lots.windows(2).all(|w| w[0] < w[1]),
                    "lots sorted, unique"
                );
                assert!(
                    t.events.windows(2).all(|w| w[0] < w[1]),
                    "events sorted, unique"
                );
                assert!(!t.lots.contains(&t.origin));
                for e in &t.events {
                    assert!(
                        known_events.contains(e),
                        "{}: cites unknown {e}",
                        path.display()
                    );
                }
                assert_eq!(ix.reach(&id, direction).unwrap(), t.lots);
            }
        }
    }
    assert!(indexed > 0, "no example document parsed");
    eprintln!("{indexed} of {} example documents indexed", files.len());
}

#[test]
fn example_9_6_4_transformation() {
    let Some(dir) = standards() else { return };
    let path = dir.join("gs1-epcis/JSON/Example_9.6.4-TransformationEvent.jsonld");
    let Some(events) = events_of(&path) else {
        eprintln!("skipped: {} does not parse yet", path.display());
        return;
    };
    let mut ix = TraceIndex::new(Limits::default());
    ix.insert_many(&events).unwrap();
    // One TransformationEvent: two input EPCs and three input classes make four output EPCs.
    let outputs: Vec<String> = (25..=28)
        .map(|n| canonical(&format!("urn:epc:id:sgtin:4012345.077889.{n}")).into_owned())
        .collect();
    let mut expected = outputs.clone();
    expected.sort();
    assert_eq!(
        ix.reach(
            "urn:epc:class:lgtin:4012345.011111.4444",
            Direction::Forward
        )
        .unwrap(),
        expected
    );
    let mut inputs: Vec<String> = [
        "urn:epc:id:sgtin:4012345.011122.25",
        "urn:epc:id:sgtin:4000001.065432.99886655",
        "urn:epc:class:lgtin:4012345.011111.4444",
        "urn:epc:class:lgtin:0614141.077777.987",
        "urn:epc:idpat:sgtin:4012345.066666.*",
    ]
    .iter()
    .map(|s| canonical(s).into_owned())
    .collect();
    inputs.sort();
    let t = ix.trace(&outputs[0], Direction::Backward).unwrap();
    assert_eq!(t.lots, inputs);
    assert_eq!(t.edges.len(), 5);
    assert_eq!(
        t.events,
        vec![events[0].event_id.clone().unwrap()],
        "the one TransformationEvent"
    );
}
