//! The event store's behaviour, on a real SQLite file and on the real PostgreSQL server.

mod common;

use common::{TestStore, document, object_event};
use lotrace_epcis::Role;
use lotrace_store::{Location, Store};
use serde_json::json;

async fn capture_stores_events_and_reads_them_back_unchanged(t: TestStore) {
    let store = &t.store;
    let events = document(json!([
        object_event(
            "urn:uuid:00000000-0000-4000-8000-000000000001",
            "urn:epc:class:lgtin:4012345.012345.998877",
            "2026-01-02T10:00:00+01:00"
        ),
        object_event(
            "urn:uuid:00000000-0000-4000-8000-000000000002",
            "urn:epc:class:lgtin:4012345.012345.998878",
            "2026-01-02T11:00:00+01:00"
        ),
    ]));
    let receipt = store.capture(events.clone(), "test").await.unwrap();
    assert_eq!(receipt.job.events_read, 2);
    assert_eq!(receipt.job.events_stored, 2);
    assert_eq!(receipt.job.events_already_present, 0);
    assert!(receipt.job.success && !receipt.job.running);

    for original in &events {
        let id = original.event_id.as_deref().unwrap();
        let back = store.events_by_id(id).await.unwrap();
        assert_eq!(back.len(), 1);
        let mut stored = back[0].event.clone();
        assert!(stored.record_time.is_some(), "the store sets recordTime");
        stored.record_time = None;
        assert_eq!(&stored, original);
    }
    let job = store.capture_job(&receipt.job.id).await.unwrap().unwrap();
    assert_eq!(job, receipt.job);
    assert_eq!(store.event_count().await.unwrap(), 2);
}

async fn capture_is_idempotent_by_event_id(t: TestStore) {
    let store = &t.store;
    let events = document(json!([object_event(
        "urn:uuid:00000000-0000-4000-8000-000000000011",
        "urn:epc:class:lgtin:4012345.012345.1",
        "2026-01-02T10:00:00+01:00"
    )]));
    store.capture(events.clone(), "first").await.unwrap();
    let second = store.capture(events, "second").await.unwrap();
    assert_eq!(second.job.events_stored, 0);
    assert_eq!(second.job.events_already_present, 1);
    assert!(second.stored.is_empty());
    assert_eq!(store.event_count().await.unwrap(), 1);
}

async fn events_without_event_id_get_a_deterministic_one(t: TestStore) {
    let store = &t.store;
    let mut event = object_event(
        "x",
        "urn:epc:class:lgtin:4012345.012345.2",
        "2026-01-02T10:00:00Z",
    );
    event.as_object_mut().unwrap().remove("eventID");
    let events = document(json!([event]));
    let first = store.capture(events.clone(), "a").await.unwrap();
    let assigned = first.stored[0]
        .event_id
        .clone()
        .expect("an eventID is assigned");
    let second = store.capture(events, "b").await.unwrap();
    assert_eq!(
        second.job.events_already_present, 1,
        "same content, same id: stored once"
    );
    assert_eq!(store.events_by_id(&assigned).await.unwrap().len(), 1);
}

async fn events_are_indexed_by_every_identifier_they_name(t: TestStore) {
    let store = &t.store;
    let events = document(json!([
        object_event(
            "urn:uuid:00000000-0000-4000-8000-000000000021",
            "urn:epc:class:lgtin:4012345.012345.LOT9",
            "2026-01-02T12:00:00Z"
        ),
        object_event(
            "urn:uuid:00000000-0000-4000-8000-000000000022",
            "urn:epc:class:lgtin:4012345.012345.LOT9",
            "2026-01-02T09:00:00Z"
        ),
        object_event(
            "urn:uuid:00000000-0000-4000-8000-000000000023",
            "urn:epc:class:lgtin:4012345.012345.OTHER",
            "2026-01-02T10:00:00Z"
        ),
    ]));
    store.capture(events, "t").await.unwrap();
    let found = store
        .events_naming("urn:epc:class:lgtin:4012345.012345.LOT9", 100)
        .await
        .unwrap();
    let ids: Vec<_> = found
        .iter()
        .map(|s| s.event.event_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            "urn:uuid:00000000-0000-4000-8000-000000000022",
            "urn:uuid:00000000-0000-4000-8000-000000000021"
        ],
        "events naming the lot, in eventTime order"
    );
    let at_location = store
        .events_naming("urn:epc:id:sgln:0614141.00777.0", 100)
        .await
        .unwrap();
    assert_eq!(at_location.len(), 3);
    assert!(
        found[0]
            .event
            .identifiers()
            .iter()
            .any(|r| r.role == Role::EpcClass)
    );
}

async fn the_same_lot_by_urn_and_by_digital_link_is_one_lot(t: TestStore) {
    let store = &t.store;
    let events = document(json!([
        object_event(
            "urn:uuid:00000000-0000-4000-8000-000000000031",
            "urn:epc:class:lgtin:4012345.012345.998877",
            "2026-01-02T10:00:00Z"
        ),
        object_event(
            "urn:uuid:00000000-0000-4000-8000-000000000032",
            "https://example.com/01/04012345123456/10/998877",
            "2026-01-02T11:00:00Z"
        ),
    ]));
    store.capture(events, "t").await.unwrap();
    for name in [
        "urn:epc:class:lgtin:4012345.012345.998877",
        "https://id.gs1.org/01/04012345123456/10/998877",
        "https://example.com/01/04012345123456/10/998877",
    ] {
        let found = store.events_naming(name, 100).await.unwrap();
        assert_eq!(found.len(), 2, "both events name the lot {name}");
    }
}

async fn acknowledged_captures_survive_closing_and_reopening(t: TestStore) {
    let store = &t.store;
    let events = document(json!([object_event(
        "urn:uuid:00000000-0000-4000-8000-000000000041",
        "urn:epc:class:lgtin:4012345.012345.3",
        "2026-01-02T10:00:00Z"
    )]));
    store.capture(events, "t").await.unwrap();
    store.close().await;
    let reopened = Store::open(&t.location).await.unwrap();
    assert_eq!(reopened.event_count().await.unwrap(), 1);
    let mut seen = Vec::new();
    reopened
        .for_each_event(|e| {
            seen.push(e.event.event_id.unwrap());
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(seen, vec!["urn:uuid:00000000-0000-4000-8000-000000000041"]);
}

async fn for_each_event_visits_the_log_in_order_across_batches(t: TestStore) {
    let store = &t.store;
    let count = lotrace_store::BATCH_EVENTS * 5 + 7;
    let events: Vec<_> = (0..count)
        .map(|i| {
            object_event(
                &format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
                "urn:epc:class:lgtin:4012345.012345.BULK",
                "2026-01-02T10:00:00Z",
            )
        })
        .collect();
    store
        .capture(document(json!(events)), "bulk")
        .await
        .unwrap();
    let mut last_seq = 0;
    let mut visited = 0;
    store
        .for_each_event(|e| {
            assert!(e.seq > last_seq, "log order");
            last_seq = e.seq;
            visited += 1;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(visited, count);
}

async fn a_document_naming_an_event_twice_stores_it_once_the_first_time(t: TestStore) {
    let store = &t.store;
    let id = "urn:uuid:00000000-0000-4000-8000-000000000051";
    let events = document(json!([
        object_event(
            id,
            "urn:epc:class:lgtin:4012345.012345.FIRST",
            "2026-01-02T10:00:00Z"
        ),
        object_event(
            id,
            "urn:epc:class:lgtin:4012345.012345.SECOND",
            "2026-01-02T11:00:00Z"
        ),
    ]));
    let receipt = store.capture(events.clone(), "t").await.unwrap();
    assert_eq!(receipt.job.events_read, 2);
    assert_eq!(receipt.job.events_stored, 1);
    assert_eq!(receipt.job.events_already_present, 1);
    assert_eq!(receipt.stored.len(), 1);
    let back = store.events_by_id(id).await.unwrap();
    assert_eq!(back.len(), 1);
    let mut stored = back[0].event.clone();
    stored.record_time = None;
    assert_eq!(stored, events[0], "the first of the two is kept");
    assert!(
        store
            .events_naming("urn:epc:class:lgtin:4012345.012345.SECOND", 10)
            .await
            .unwrap()
            .is_empty(),
        "the skipped duplicate is not indexed"
    );
}

async fn an_error_declaration_is_stored_beside_the_event_it_retracts(t: TestStore) {
    let store = &t.store;
    let id = "urn:uuid:00000000-0000-4000-8000-000000000061";
    let event = object_event(
        id,
        "urn:epc:class:lgtin:4012345.012345.E",
        "2026-01-02T10:00:00Z",
    );
    let mut declaration = event.clone();
    declaration["errorDeclaration"] = json!({
        "declarationTime": "2026-01-03T10:00:00Z",
        "reason": "urn:epcglobal:cbv:er:incorrect_data"
    });
    store.capture(document(json!([event])), "t").await.unwrap();
    let receipt = store
        .capture(document(json!([declaration.clone(), declaration])), "t")
        .await
        .unwrap();
    assert_eq!(receipt.job.events_stored, 1, "one declaration, stored once");
    let back = store.events_by_id(id).await.unwrap();
    assert_eq!(back.len(), 2);
    assert!(back[0].event.error_declaration.is_none(), "the event first");
    assert!(
        back[1].event.error_declaration.is_some(),
        "then its declaration"
    );
    assert!(back[0].seq < back[1].seq);
}

async fn a_large_capture_spanning_many_batches_is_numbered_in_document_order(t: TestStore) {
    let store = &t.store;
    // More than one batch on either backend, with a repeat that falls in a later batch.
    let first = common::numbered_events(0, 6_000, "A");
    store.capture(first[..100].to_vec(), "some").await.unwrap();
    let mut events = first.clone();
    events.extend(common::numbered_events(6_000, 6_000, "B"));
    events.push(first[5_999].clone());
    let receipt = store.capture(events, "all").await.unwrap();
    assert_eq!(receipt.job.events_read, 12_001);
    assert_eq!(receipt.job.events_stored, 11_900);
    assert_eq!(receipt.job.events_already_present, 101);
    assert_eq!(store.event_count().await.unwrap(), 12_000);

    let mut expected = 0;
    let mut last_seq = 0;
    store
        .for_each_event(|e| {
            let id = format!("urn:uuid:00000000-0000-4000-8000-{expected:012}");
            assert_eq!(
                e.event.event_id.as_deref(),
                Some(id.as_str()),
                "document order"
            );
            assert!(e.seq > last_seq);
            last_seq = e.seq;
            expected += 1;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(expected, 12_000);
    let stored_ids: Vec<_> = receipt
        .stored
        .iter()
        .map(|e| e.event_id.clone().unwrap())
        .collect();
    assert_eq!(stored_ids.len(), 11_900);
    assert_eq!(
        stored_ids[0],
        "urn:uuid:00000000-0000-4000-8000-000000000100"
    );
}

async fn events_after_pages_through_the_log_and_max_seq_is_its_end(t: TestStore) {
    let store = &t.store;
    assert_eq!(store.max_seq().await.unwrap(), 0, "an empty log ends at 0");
    assert!(store.events_after(0, 10).await.unwrap().is_empty());
    store
        .capture(common::numbered_events(0, 25, "P"), "t")
        .await
        .unwrap();
    store
        .capture(common::numbered_events(25, 5, "P"), "t")
        .await
        .unwrap();
    let max = store.max_seq().await.unwrap();
    let mut cursor = 0;
    let mut pages = 0;
    let mut seen = Vec::new();
    loop {
        let page = store.events_after(cursor, 7).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 7);
        pages += 1;
        cursor = page.last().unwrap().seq;
        seen.extend(page.into_iter().map(|e| e.event.event_id.unwrap()));
    }
    assert_eq!(pages, 5);
    assert_eq!(cursor, max);
    let expected: Vec<_> = (0..30)
        .map(|i| format!("urn:uuid:00000000-0000-4000-8000-{i:012}"))
        .collect();
    assert_eq!(seen, expected);
}

async fn concurrent_captures_store_each_event_once_in_commit_order(t: TestStore) {
    // Two writers (two Store handles, as two servers would have) capture overlapping
    // documents at once; a follower reading by position sees every event exactly once.
    let other = t.open_again().await;
    let mut tasks = Vec::new();
    for (i, store) in [t.store.clone(), other.clone()].into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let mut stored = 0;
            for round in 0..10 {
                // Writer 0 and 1 both capture events round*30 .. round*30+40: a 10-event overlap.
                let first = round * 30 + i * 10;
                let events = common::numbered_events(first, 30, "C");
                stored += store
                    .capture(events, "race")
                    .await
                    .unwrap()
                    .job
                    .events_stored;
            }
            stored
        }));
    }
    let mut stored = 0;
    for task in tasks {
        stored += task.await.unwrap();
    }
    assert_eq!(stored, 310, "events 0..310, each stored once");
    assert_eq!(t.store.event_count().await.unwrap(), 310);
    let mut seqs = Vec::new();
    let mut ids = std::collections::HashSet::new();
    t.store
        .for_each_event(|e| {
            seqs.push(e.seq);
            assert!(ids.insert(e.event.event_id.unwrap()), "each event once");
            Ok(())
        })
        .await
        .unwrap();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    other.close().await;
}

async fn capture_jobs_are_listed_newest_first(t: TestStore) {
    let store = &t.store;
    let mut ids = Vec::new();
    for i in 0..3 {
        let receipt = store
            .capture(common::numbered_events(i, 1, "J"), &format!("job {i}"))
            .await
            .unwrap();
        ids.push(receipt.job.id);
    }
    let jobs = store.capture_jobs(2).await.unwrap();
    let listed: Vec<_> = jobs.iter().map(|j| j.id.clone()).collect();
    assert_eq!(listed, vec![ids[2].clone(), ids[1].clone()]);
    assert_eq!(jobs[0].source, "job 2");
    assert!(store.capture_job("no such job").await.unwrap().is_none());
}

async fn counts_cover_events_identifiers_and_jobs(t: TestStore) {
    let store = &t.store;
    store
        .capture(common::numbered_events(0, 3, "N"), "t")
        .await
        .unwrap();
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.events, 3);
    assert_eq!(counts.capture_jobs, 1);
    // Each event names its lot and its read point.
    assert_eq!(counts.identifiers, 6);
    assert_eq!(counts.max_seq, store.max_seq().await.unwrap());
}

async fn two_stores_opening_a_new_database_at_once_both_work(t: TestStore) {
    // The schema is already migrated by `t`; open more at once against a fresh database.
    let fresh = if t.is_postgres() {
        common::TestStore::postgres().await.unwrap()
    } else {
        common::TestStore::sqlite().await
    };
    let (a, b, c) = tokio::join!(
        Store::open(&fresh.location),
        Store::open(&fresh.location),
        Store::open(&fresh.location)
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    a.capture(common::numbered_events(0, 1, "M"), "a")
        .await
        .unwrap();
    assert_eq!(b.event_count().await.unwrap(), 1);
    for s in [a, b, c] {
        s.close().await;
    }
}

#[test]
fn locations_parse_and_reject_clearly() {
    assert!(matches!(Location::parse("a.db"), Ok(Location::SqliteFile(p)) if p.ends_with("a.db")));
    assert!(
        matches!(Location::parse("sqlite:x/a.db"), Ok(Location::SqliteFile(p)) if p.ends_with("x/a.db"))
    );
    assert!(
        Location::parse("")
            .unwrap_err()
            .to_string()
            .contains("empty")
    );
    assert!(Location::parse("sqlite:").is_err());
    assert!(matches!(
        Location::parse("postgres://u@localhost:5432/lotrace"),
        Ok(Location::Postgres(_))
    ));
    assert!(matches!(
        Location::parse("postgresql://localhost/lotrace"),
        Ok(Location::Postgres(_))
    ));
    let bad = Location::parse("postgres://u:pw@localhost:notaport/db").unwrap_err();
    assert!(
        bad.to_string().contains("not a valid PostgreSQL URL"),
        "{bad}"
    );
    assert!(
        !bad.to_string().contains("pw"),
        "no password in messages: {bad}"
    );
}

#[tokio::test]
async fn an_unreachable_postgres_server_is_a_clear_error() {
    // Port 1 on loopback: nothing listens there.
    let location = Location::parse("postgres://u:pw@127.0.0.1:1/db").unwrap();
    let e = Store::open(&location).await.unwrap_err().to_string();
    assert!(
        e.contains("cannot connect") && e.contains("127.0.0.1:1"),
        "{e}"
    );
    assert!(!e.contains("pw"), "{e}");
}

on_both_backends!(
    capture_stores_events_and_reads_them_back_unchanged,
    capture_is_idempotent_by_event_id,
    events_without_event_id_get_a_deterministic_one,
    events_are_indexed_by_every_identifier_they_name,
    the_same_lot_by_urn_and_by_digital_link_is_one_lot,
    acknowledged_captures_survive_closing_and_reopening,
    for_each_event_visits_the_log_in_order_across_batches,
    a_document_naming_an_event_twice_stores_it_once_the_first_time,
    an_error_declaration_is_stored_beside_the_event_it_retracts,
    a_large_capture_spanning_many_batches_is_numbered_in_document_order,
    events_after_pages_through_the_log_and_max_seq_is_its_end,
    concurrent_captures_store_each_event_once_in_commit_order,
    capture_jobs_are_listed_newest_first,
    counts_cover_events_identifiers_and_jobs,
    two_stores_opening_a_new_database_at_once_both_work,
);

async fn events_match_by_type_business_step_and_time(t: TestStore) {
    let store = &t.store;
    let id = |n: u32| format!("urn:uuid:00000000-0000-4000-8000-{n:012}");
    let mut shipped_urn = object_event(
        &id(1),
        "urn:epc:class:lgtin:4012345.012345.Q1",
        "2026-01-02T10:00:00Z",
    );
    shipped_urn["bizStep"] = json!("urn:epcglobal:cbv:bizstep:shipping");
    let shipped_bare = object_event(
        &id(2),
        "urn:epc:class:lgtin:4012345.012345.Q1",
        "2026-01-03T10:00:00Z",
    );
    let mut received = object_event(
        &id(3),
        "urn:epc:class:lgtin:4012345.012345.Q1",
        "2026-01-01T10:00:00Z",
    );
    received["bizStep"] = json!("https://ref.gs1.org/cbv/BizStep-receiving");
    let packed = json!({
        "type": "AggregationEvent", "eventID": id(4), "eventTime": "2026-01-02T12:00:00Z",
        "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
        "parentID": "urn:epc:id:sscc:4012345.0000000001",
        "childQuantityList": [{ "epcClass": "urn:epc:class:lgtin:4012345.012345.Q1", "quantity": 1 }],
    });
    store
        .capture(
            document(json!([shipped_urn, shipped_bare, received, packed])),
            "t",
        )
        .await
        .unwrap();
    let ids = |events: Vec<lotrace_store::StoredEvent>| -> Vec<String> {
        events
            .into_iter()
            .map(|e| e.event.event_id.unwrap())
            .collect()
    };
    let filter = |f: lotrace_store::EventFilter| async move {
        ids(store.events_matching(&f).await.unwrap())
    };
    let all = lotrace_store::EventFilter {
        limit: 100,
        ..Default::default()
    };
    // eventTime order, whatever the capture order.
    assert_eq!(filter(all.clone()).await, [id(3), id(1), id(4), id(2)]);
    // A business step in any spelling finds every spelling.
    let shipping = lotrace_store::EventFilter {
        biz_step: Some("https://ref.gs1.org/cbv/BizStep-shipping".into()),
        ..all.clone()
    };
    assert_eq!(filter(shipping.clone()).await, [id(1), id(2)]);
    let receiving = lotrace_store::EventFilter {
        biz_step: Some("receiving".into()),
        ..all.clone()
    };
    assert_eq!(filter(receiving).await, [id(3)]);
    let aggregations = lotrace_store::EventFilter {
        event_type: Some(lotrace_epcis::EventType::AggregationEvent),
        ..all.clone()
    };
    assert_eq!(filter(aggregations).await, [id(4)]);
    let window = lotrace_store::EventFilter {
        from: Some("2026-01-02T00:00:00Z".parse().unwrap()),
        until: Some("2026-01-03T00:00:00Z".parse().unwrap()),
        ..all.clone()
    };
    assert_eq!(filter(window).await, [id(1), id(4)]);
    let first = lotrace_store::EventFilter {
        limit: 1,
        ..shipping
    };
    assert_eq!(filter(first).await, [id(1)]);
}

on_both_backends!(events_match_by_type_business_step_and_time);

async fn documents_are_kept_by_their_hash_and_read_back(t: TestStore) {
    use lotrace_store::{Document, MAX_DOCUMENT_BYTES, StoreError};
    let store = &t.store;
    let bytes = b"%PDF-1.7\nCertificate of analysis, lot L1: Listeria not detected".to_vec();
    let coa = Document::new(bytes.clone(), "application/pdf", "coa-L1.pdf").unwrap();
    let stored = store.put_document(&coa).await.unwrap();
    assert_eq!(stored.sha256.len(), 64);
    assert_eq!(
        stored.uri,
        format!("urn:lotrace:document:sha256:{}", stored.sha256)
    );
    assert_eq!(stored.size_bytes, bytes.len() as u64);
    // The same bytes again are the same document.
    let again = Document::new(bytes.clone(), "application/pdf", "copy.pdf").unwrap();
    assert_eq!(store.put_document(&again).await.unwrap(), stored);
    assert_eq!(store.counts().await.unwrap().documents, 1);
    for name in [stored.uri.as_str(), stored.sha256.as_str()] {
        let back = store.document(name).await.unwrap().unwrap();
        assert_eq!(back.body, bytes);
        assert_eq!(back.meta, stored);
    }
    assert!(
        store
            .document("urn:lotrace:document:sha256:nothex")
            .await
            .unwrap()
            .is_none()
    );
    let empty = Document::new(Vec::new(), "application/pdf", "x.pdf");
    assert!(matches!(empty, Err(StoreError::InvalidDocument(_))));
    let huge = Document::new(vec![0; MAX_DOCUMENT_BYTES + 1], "application/pdf", "x.pdf");
    assert!(matches!(huge, Err(StoreError::InvalidDocument(_))));
    let bad_name = Document::new(vec![1], "application/pdf", "a\nb");
    assert!(matches!(bad_name, Err(StoreError::InvalidDocument(_))));
}

on_both_backends!(documents_are_kept_by_their_hash_and_read_back);

async fn events_are_found_by_many_identifiers_at_once_with_their_declarations(t: TestStore) {
    let store = &t.store;
    let lot = |n: u32| format!("https://id.gs1.org/01/04012345123456/10/M{n}");
    // Ten events naming lot M0..M9; captured out of time order.
    let events: Vec<_> = (0..10u32)
        .map(|i| {
            object_event(
                &format!("urn:uuid:00000000-0000-4000-8000-0000000007{i:02}"),
                &lot(i),
                &format!("2026-01-02T{:02}:00:00Z", 20 - i),
            )
        })
        .collect();
    store.capture(document(json!(events)), "t").await.unwrap();
    let asked: Vec<String> = [1, 3, 5, 42].map(lot).to_vec();
    let seqs = store.positions_naming(&asked, 100).await.unwrap();
    assert_eq!(seqs.len(), 3, "three of the four lots are named: {seqs:?}");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "ascending: {seqs:?}");
    assert_eq!(
        store.positions_naming(&asked, 2).await.unwrap(),
        seqs[..2].to_vec(),
        "at most the limit, the first positions"
    );
    // Many identifiers at once (PostgreSQL looks them up a few dozen at a time), the lots
    // that are named last in the list and first in the log: still the lowest positions.
    let mut many: Vec<String> = (100..300).map(lot).collect();
    many.extend([9, 8, 7, 2].map(lot));
    let all = store.positions_naming(&many, 100).await.unwrap();
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(all.windows(2).all(|w| w[0] < w[1]), "ascending: {all:?}");
    assert_eq!(
        store.positions_naming(&many, 3).await.unwrap(),
        all[..3].to_vec()
    );
    let read_point = vec!["urn:epc:id:sgln:0614141.00777.0".to_owned()];
    assert_eq!(
        store
            .positions_naming(&read_point, 100)
            .await
            .unwrap()
            .len(),
        10
    );

    let mut at = store.events_at(&seqs).await.unwrap();
    let times: Vec<String> = at
        .iter()
        .map(|s| s.event.event_time.instant.to_string())
        .collect();
    assert_eq!(
        times,
        [
            "2026-01-02T15:00:00Z",
            "2026-01-02T17:00:00Z",
            "2026-01-02T19:00:00Z"
        ],
        "in eventTime order, not log order"
    );
    assert!(store.events_at(&[999_999]).await.unwrap().is_empty());

    // A declaration that names none of the identifiers of the event it retracts is found
    // by eventID.
    let retracted = at.remove(0).event.event_id.unwrap();
    let declaration = json!({
        "type": "ObjectEvent", "eventID": retracted, "eventTime": "2026-01-02T15:00:00Z",
        "eventTimeZoneOffset": "+01:00", "action": "OBSERVE",
        "epcList": ["urn:epc:id:sgtin:4012345.012345.X1"],
        "errorDeclaration": { "declarationTime": "2026-01-03T10:00:00Z" }
    });
    store
        .capture(document(json!([declaration])), "t")
        .await
        .unwrap();
    let ids = vec![retracted.clone(), "urn:uuid:none".to_owned()];
    let declarations = store.declarations_of(&ids).await.unwrap();
    assert_eq!(declarations.len(), 1);
    assert_eq!(
        declarations[0].event.event_id.as_deref(),
        Some(retracted.as_str())
    );
    assert!(declarations[0].event.error_declaration.is_some());
    assert!(
        !store
            .positions_naming(&asked, 100)
            .await
            .unwrap()
            .contains(&declarations[0].seq)
    );
}

on_both_backends!(events_are_found_by_many_identifiers_at_once_with_their_declarations);

/// Captures waiting for the schema's capture lock (another process holds it) must not hold
/// the store's pooled connections: at most one of them waits on the lock, and reads answer
/// meanwhile. Before the write gate, every waiting capture held a connection and a read
/// queued behind them until the lock was released.
#[tokio::test]
async fn captures_waiting_for_the_lock_leave_connections_to_reads() {
    use sqlx::Connection;
    let Some(t) = TestStore::postgres().await else {
        return;
    };
    let (url, application) = t.postgres_schema().unwrap();
    let mut holder = sqlx::PgConnection::connect(url).await.unwrap();
    // Another process's capture, in effect: the lock the store takes (migrate.rs,
    // LOCK_CLASS_CAPTURE), held in an open transaction.
    sqlx::raw_sql("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
        .bind(0x6c6f_7402_i32)
        .execute(&mut holder)
        .await
        .unwrap();

    // More captures than the store has connections (8).
    let captures: Vec<_> = (0..12)
        .map(|i| {
            let store = t.store.clone();
            let events = common::numbered_events(i, 1, "GATE");
            tokio::spawn(async move { store.capture(events, "test").await })
        })
        .collect();
    let waiting_on_the_lock = async |holder: &mut sqlx::PgConnection| -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = $1",
        )
        .bind(application)
        .fetch_one(holder)
        .await
        .unwrap()
    };
    // Bounded wait for the first capture to reach the lock.
    let mut rounds = 0;
    while waiting_on_the_lock(&mut holder).await == 0 {
        rounds += 1;
        assert!(rounds < 400, "no capture reached the capture lock in 20 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Give the others every chance to pile up on the lock, as they did before the gate.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(waiting_on_the_lock(&mut holder).await, 1);
    let counts = tokio::time::timeout(std::time::Duration::from_secs(20), t.store.counts())
        .await
        .expect("a read answers while captures wait for the lock")
        .unwrap();
    assert_eq!(counts.events, 0);
    assert!(captures.iter().all(|c| !c.is_finished()));

    sqlx::raw_sql("COMMIT").execute(&mut holder).await.unwrap();
    for capture in captures {
        assert_eq!(capture.await.unwrap().unwrap().job.events_stored, 1);
    }
    assert_eq!(t.store.counts().await.unwrap().events, 12);
}

/// A capture the database refuses part-way (here a row past several batches breaks a
/// constraint, as a full disk or a broken server would break a write) stores nothing, and
/// the store goes on: on PostgreSQL the refusal arrives while the rows are still streaming
/// into one COPY, which the capture must abandon before the transaction rolls back.
async fn a_capture_refused_part_way_stores_nothing_and_the_store_goes_on(t: TestStore) {
    let store = &t.store;
    store
        .capture(common::numbered_events(0, 3, "BEFORE"), "test")
        .await
        .unwrap();
    let refused = "urn:uuid:00000000-0000-4000-8000-000000012002";
    let refuse = if t.postgres_schema().is_some() {
        format!(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused'; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON event FOR EACH ROW \
             WHEN (NEW.event_id = '{refused}') EXECUTE FUNCTION refuse()"
        )
    } else {
        format!(
            "CREATE TRIGGER refuse BEFORE INSERT ON event FOR EACH ROW \
             WHEN NEW.event_id = '{refused}' BEGIN SELECT RAISE(FAIL, 'refused'); END"
        )
    };
    common::tamper(&t.location, &refuse).await;
    // 12,000 events: 24 SQLite batches, 3 PostgreSQL batches; the refused one is near the end.
    let result = store
        .capture(common::numbered_events(10, 12_000, "BULK"), "test")
        .await;
    assert!(result.is_err(), "the refused row fails the capture");
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.events, 3, "nothing of the refused capture is stored");
    assert_eq!(counts.capture_jobs, 1, "nor its job");

    let after = store
        .capture(common::numbered_events(20_000, 2, "AFTER"), "test")
        .await
        .unwrap();
    assert_eq!(after.job.events_stored, 2);
    assert_eq!(store.counts().await.unwrap().events, 5);
    assert!(store.verify_chain().await.unwrap().ok());
}
on_both_backends!(a_capture_refused_part_way_stores_nothing_and_the_store_goes_on);

/// A PostgreSQL store of the previous release hashed each identifier with its role.
/// Opening it rekeys every event from its body (migration 11): here the keys are wiped and
/// the migration forgotten, and lookups by identifier find the events again.
#[tokio::test]
async fn events_stored_before_the_rekey_are_found_after_it() {
    let Some(t) = TestStore::postgres().await else {
        return;
    };
    t.store
        .capture(common::numbered_events(0, 3, "REKEY"), "test")
        .await
        .unwrap();
    t.store
        .capture(common::numbered_events(3, 2, "OTHER"), "test")
        .await
        .unwrap();
    let lot_of = |name: &str| {
        let event = &common::numbered_events(0, 1, name)[0];
        let ids = event.identifiers();
        let lot = ids.iter().find(|r| r.id.ends_with(name)).expect("the lot");
        lot.id.clone()
    };
    let lot = lot_of("REKEY");
    let found = t.store.events_naming(&lot, 100).await.unwrap();
    assert_eq!(found.len(), 3);
    let identifiers = t.store.counts().await.unwrap().identifiers;
    t.store.close().await;
    common::tamper(
        &t.location,
        "UPDATE event SET identifier_keys = '{}'; DELETE FROM schema_migration WHERE version = 11",
    )
    .await;

    let store = t.open_again().await;
    let again = store.events_naming(&lot, 100).await.unwrap();
    assert_eq!(
        again.iter().map(|e| e.seq).collect::<Vec<_>>(),
        found.iter().map(|e| e.seq).collect::<Vec<_>>()
    );
    let positions = store
        .positions_naming(&[lot_of("OTHER"), "urn:example:unknown".to_owned()], 100)
        .await
        .unwrap();
    assert_eq!(positions, vec![4, 5]);
    assert_eq!(store.counts().await.unwrap().identifiers, identifiers);
    store.close().await;
}
