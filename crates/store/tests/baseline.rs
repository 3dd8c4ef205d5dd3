//! The recursive SQL trace (`Store::trace_baseline_sql`, the benchmark's baseline) answers the
//! same lots as the trace index, on hand-made transformations and on a synthetic supply chain.

mod common;

use common::{TestStore, document};
use lotrace_epcis::Event;
use lotrace_store::StoreError;
use lotrace_trace::synth::{self, Config, Generator, Rng};
use lotrace_trace::{Direction, Limits, TraceIndex};
use serde_json::{Value, json};

const GTIN: &str = "04012345123456"; // 0 4012345 12345, check digit 6

fn urn(lot: &str) -> String {
    format!("urn:epc:class:lgtin:4012345.012345.{lot}")
}

fn canonical(lot: &str) -> String {
    format!("https://id.gs1.org/01/{GTIN}/10/{lot}")
}

fn transformation(n: u32, inputs: &[&str], outputs: &[&str], tid: Option<&str>) -> Value {
    let list = |ids: &[&str]| -> Value {
        ids.iter()
            .map(|id| json!({ "epcClass": id, "quantity": 10, "uom": "KGM" }))
            .collect()
    };
    let mut e = json!({
        "type": "TransformationEvent",
        "eventID": format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
        "eventTime": format!("2026-03-01T{:02}:00:00Z", 6 + n),
        "eventTimeZoneOffset": "+00:00",
        "bizStep": "commissioning",
    });
    if !inputs.is_empty() {
        e["inputQuantityList"] = list(inputs);
    }
    if !outputs.is_empty() {
        e["outputQuantityList"] = list(outputs);
    }
    if let Some(t) = tid {
        e["transformationID"] = json!(t);
    }
    e
}

/// A and B make C; C goes into a transformation recorded as two events sharing a
/// transformationID (inputs in one, outputs D and E in the other); D makes F, but that event
/// is retracted by an error declaration; E makes G (named by a Digital Link on another domain).
fn hand_made() -> Vec<Event> {
    let (a, b, c, d, e, f) = (urn("A"), urn("B"), urn("C"), urn("D"), urn("E"), urn("F"));
    let g = format!("https://example.com/01/{GTIN}/10/G");
    let tid = "urn:uuid:7a000000-0000-4000-8000-000000000001";
    let retracted = transformation(4, &[&d], &[&f], None);
    let mut declaration = retracted.clone();
    declaration["errorDeclaration"] =
        json!({ "declarationTime": "2026-03-02T08:00:00Z", "reason": "incorrect_data" });
    document(json!([
        transformation(1, &[&a, &b], &[&c], None),
        transformation(2, &[&c], &[], Some(tid)),
        transformation(3, &[], &[&d, &e], Some(tid)),
        retracted,
        declaration,
        transformation(5, &[&e], &[&g], None),
    ]))
}

fn index_of(events: &[Event]) -> TraceIndex {
    let mut index = TraceIndex::new(Limits::default());
    index.insert_many(events).unwrap();
    index
}

async fn check_hand_made(t: &TestStore, index: &TraceIndex) {
    let lots = |names: &[&str]| -> Vec<String> { names.iter().map(|n| canonical(n)).collect() };
    let cases: [(String, bool, Vec<String>); 6] = [
        (urn("A"), true, lots(&["C", "D", "E", "G"])),
        (canonical("C"), true, lots(&["D", "E", "G"])),
        (urn("D"), true, vec![]),
        (
            format!("https://example.com/01/{GTIN}/10/G"),
            false,
            lots(&["A", "B", "C", "E"]),
        ),
        (urn("D"), false, lots(&["A", "B", "C"])),
        (urn("F"), false, vec![]),
    ];
    for (origin, forward, expected) in cases {
        let sql = t.store.trace_baseline_sql(&origin, forward).await.unwrap();
        assert_eq!(sql, expected, "SQL, {origin} forward={forward}");
        let direction = if forward {
            Direction::Forward
        } else {
            Direction::Backward
        };
        assert_eq!(
            index.reach(&origin, direction).unwrap(),
            expected,
            "index, {origin}"
        );
    }
}

#[tokio::test]
async fn sql_baseline_follows_transformations_like_the_index() {
    let t = TestStore::sqlite().await;
    let events = hand_made();
    t.store.capture(events.clone(), "test").await.unwrap();
    let index = index_of(&events);
    check_hand_made(&t, &index).await;
    // The same answers with the baseline's indexes; preparing twice is harmless.
    t.store.prepare_trace_baseline().await.unwrap();
    t.store.prepare_trace_baseline().await.unwrap();
    check_hand_made(&t, &index).await;
    // An id no event names reaches nothing.
    assert!(
        t.store
            .trace_baseline_sql(&urn("NOPE"), true)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn sql_baseline_agrees_with_the_index_on_a_synthetic_chain() {
    let t = TestStore::sqlite().await;
    let config = Config::for_events(20_000, 11);
    let events: Vec<Event> = Generator::new(config.clone()).collect();
    for batch in events.chunks(5_000) {
        t.store.capture(batch.to_vec(), "synthetic").await.unwrap();
    }
    t.store.prepare_trace_baseline().await.unwrap();
    let index = index_of(&events);
    let lots: Vec<String> = index.object_ids().filter(|id| synth::is_lot(id)).collect();
    let mut rng = Rng::new(3);
    let (mut compared, mut non_empty, mut with_transformation_id) = (0, 0, 0);
    for _ in 0..150 {
        let origin = &lots[rng.below(lots.len() as u64) as usize];
        for direction in [Direction::Forward, Direction::Backward] {
            let forward = direction == Direction::Forward;
            let sql = t.store.trace_baseline_sql(origin, forward).await.unwrap();
            let trace = index.trace(origin, direction).unwrap();
            assert_eq!(sql, trace.lots, "{origin} {direction}");
            compared += 1;
            non_empty += usize::from(!sql.is_empty());
            let grouped = trace.events.iter().any(|id| {
                events
                    .iter()
                    .any(|e| e.event_id.as_deref() == Some(id) && e.transformation_id.is_some())
            });
            with_transformation_id += usize::from(grouped);
        }
    }
    assert_eq!(compared, 300);
    assert!(non_empty > 100, "only {non_empty} traces reached anything");
    assert!(
        with_transformation_id > 0,
        "no trace went through a transformationID"
    );
}

#[tokio::test]
async fn sql_baseline_is_unsupported_on_postgres() {
    let Some(t) = TestStore::postgres().await else {
        return;
    };
    for result in [
        t.store
            .trace_baseline_sql(&urn("A"), true)
            .await
            .map(|_| ()),
        t.store.prepare_trace_baseline().await,
    ] {
        match result {
            Err(e @ StoreError::Unsupported { .. }) => {
                assert!(e.to_string().contains("SQLite"), "{e}")
            }
            other => panic!("expected Unsupported, got {other:?}"),
        }
    }
}
