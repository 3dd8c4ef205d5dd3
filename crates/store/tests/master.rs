//! Master data records and counters, kept by the store beside the event log.

mod common;

use common::{TestStore, document, numbered_events, object_event};
use lotrace_store::{CounterStep, StoreError};
use serde_json::json;

async fn records_are_created_versioned_and_listed_by_code(t: TestStore) {
    let store = &t.store;
    let first = store
        .put_master(
            "product",
            "P-2",
            &json!({ "code": "P-2", "name": "Flour" }),
            None,
        )
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    store
        .put_master(
            "product",
            "P-1",
            &json!({ "code": "P-1", "name": "Salt" }),
            None,
        )
        .await
        .unwrap();
    store
        .put_master("location", "L-1", &json!({ "code": "L-1" }), None)
        .await
        .unwrap();
    let updated = store
        .put_master(
            "product",
            "P-2",
            &json!({ "code": "P-2", "name": "Rye flour" }),
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(updated.version, 2);

    let products = store.master_records("product").await.unwrap();
    let codes: Vec<_> = products.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["P-1", "P-2"], "by code, current versions only");
    assert_eq!(products[1].body["name"], "Rye flour");
    assert_eq!(products[1], updated);
    assert_eq!(
        store.master_record("product", "P-2").await.unwrap(),
        Some(updated)
    );
    assert_eq!(store.master_record("party", "P-2").await.unwrap(), None);
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.master_records, counts.master_versions), (3, 4));
}

async fn a_taken_code_and_a_stale_version_are_refused(t: TestStore) {
    let store = &t.store;
    store
        .put_master("party", "ACME", &json!({ "v": 1 }), None)
        .await
        .unwrap();
    let taken = store
        .put_master("party", "ACME", &json!({ "v": 2 }), None)
        .await
        .unwrap_err();
    assert!(matches!(taken, StoreError::MasterExists { .. }), "{taken}");
    store
        .put_master("party", "ACME", &json!({ "v": 2 }), Some(1))
        .await
        .unwrap();
    let stale = store
        .put_master("party", "ACME", &json!({ "v": 3 }), Some(1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            stale,
            StoreError::MasterConflict {
                expected: 1,
                found: Some(2),
                ..
            }
        ),
        "{stale}"
    );
    let missing = store
        .put_master("party", "NOBODY", &json!({}), Some(1))
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::MasterConflict { found: None, .. }),
        "{missing}"
    );
    let current = store.master_record("party", "ACME").await.unwrap().unwrap();
    assert_eq!((current.version, current.body["v"].as_i64()), (2, Some(2)));
}

async fn counters_advance_with_the_events_that_use_them(t: TestStore) {
    let store = &t.store;
    assert_eq!(store.counter_value("lot:P-1").await.unwrap(), 0);
    let steps = [
        CounterStep {
            name: "lot:P-1".into(),
            value: 1,
        },
        CounterStep {
            name: "sscc".into(),
            value: 1,
        },
    ];
    let receipt = store
        .capture_with_counters(numbered_events(0, 2, "C1"), "op", &steps)
        .await
        .unwrap();
    assert_eq!(receipt.job.events_stored, 2);
    assert_eq!(store.counter_value("lot:P-1").await.unwrap(), 1);
    assert_eq!(store.counter_value("sscc").await.unwrap(), 1);

    // Another writer drew lot 2 first: this capture, drawing 2 as well, stores nothing.
    store
        .capture_with_counters(
            numbered_events(10, 1, "C2"),
            "other",
            &[CounterStep {
                name: "lot:P-1".into(),
                value: 2,
            }],
        )
        .await
        .unwrap();
    let late = store
        .capture_with_counters(
            numbered_events(20, 1, "C3"),
            "late",
            &[
                CounterStep {
                    name: "sscc".into(),
                    value: 2,
                },
                CounterStep {
                    name: "lot:P-1".into(),
                    value: 2,
                },
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&late, StoreError::CounterConflict { name, expected: 1, found: 2 } if name == "lot:P-1"),
        "{late}"
    );
    assert_eq!(
        store.event_count().await.unwrap(),
        3,
        "the refused capture stored nothing"
    );
    assert_eq!(
        store.counter_value("sscc").await.unwrap(),
        1,
        "and advanced no counter"
    );
    assert_eq!(store.capture_jobs(10).await.unwrap().len(), 2);
}

async fn events_are_visited_in_event_time_order(t: TestStore) {
    let store = &t.store;
    // Captured late, happened early; and more than one read batch of the same time.
    let mut events = numbered_events(0, 2_100, "SAME");
    events.push(
        document(json!([object_event(
            "urn:uuid:00000000-0000-4000-8000-100000000001",
            "urn:epc:class:lgtin:4012345.012345.EARLY",
            "2025-12-31T23:00:00Z"
        )]))
        .remove(0),
    );
    store.capture(events, "t").await.unwrap();
    store
        .capture(
            document(json!([object_event(
                "urn:uuid:00000000-0000-4000-8000-100000000002",
                "urn:epc:class:lgtin:4012345.012345.LATE",
                "2027-01-01T00:00:00Z"
            )])),
            "t",
        )
        .await
        .unwrap();
    let mut visited = Vec::new();
    store
        .for_each_event_by_time(|e| {
            visited.push((e.event.event_time.instant, e.seq));
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(visited.len(), 2_102);
    assert!(
        visited.windows(2).all(|w| w[0] < w[1]),
        "time, then log order"
    );
    assert_eq!(
        visited[0].1, 2_101,
        "the early event, captured last of its batch, comes first"
    );
}

on_both_backends!(
    records_are_created_versioned_and_listed_by_code,
    a_taken_code_and_a_stale_version_are_refused,
    counters_advance_with_the_events_that_use_them,
    events_are_visited_in_event_time_order,
);

/// A refused write gives its lock back at once: another process (another `Store` on the same
/// database) can write right after, without waiting for the refused one's connection to be
/// used again.
async fn a_refused_write_releases_the_write_lock_at_once(t: TestStore) {
    let store = &t.store;
    store
        .put_master("party", "ACME", &json!({ "v": 1 }), None)
        .await
        .unwrap();
    let refused = store
        .put_master("party", "ACME", &json!({ "v": 2 }), Some(7))
        .await;
    assert!(refused.is_err());
    let other = t.open_again().await;
    let written = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        other.put_master("party", "OTHER", &json!({ "v": 1 }), None),
    )
    .await
    .expect("the other writer waited on the refused write's lock");
    written.unwrap();
    let capture = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        other.capture(common::numbered_events(0, 3, "AFTER"), "t"),
    )
    .await
    .expect("a capture waited on the refused write's lock");
    assert_eq!(capture.unwrap().job.events_stored, 3);
    other.close().await;
}

on_both_backends!(a_refused_write_releases_the_write_lock_at_once);
