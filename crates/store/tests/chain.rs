//! The hash chain: every capture extends it, `verify_chain` finds a row edited behind the
//! store's back (body, record time, capture source, a removed row), `copy_to` carries it and
//! refuses a broken one, and rows stored before the chain get theirs on migration.
//! Edits are made with plain SQL on the database, as someone with access to it would.

mod common;

use std::path::{Path, PathBuf};

use common::{TestStore, document, numbered_events, object_event, tamper};
use lotrace_epcis::{Limits, parse_document};
use lotrace_store::{Store, StoreError};
use serde_json::json;

/// Three captures of 10, 2 and 5 events (an error declaration and an event without an
/// eventID among them), from different sources.
async fn fill(store: &Store) {
    store
        .capture(numbered_events(0, 10, "CHAIN"), "import:a.jsonld")
        .await
        .unwrap();
    let mut declaration = object_event(
        "urn:uuid:00000000-0000-4000-8000-000000000003",
        "urn:epc:class:lgtin:4012345.012345.CHAIN",
        "2026-01-02T10:00:00Z",
    );
    declaration["errorDeclaration"] = json!({ "declarationTime": "2026-01-03T10:00:00Z" });
    let mut anonymous = object_event(
        "x",
        "urn:epc:class:lgtin:4012345.012345.ANON",
        "2026-01-04T10:00:00Z",
    );
    anonymous.as_object_mut().unwrap().remove("eventID");
    store
        .capture(document(json!([declaration, anonymous])), "http")
        .await
        .unwrap();
    store
        .capture(numbered_events(100, 5, "CHAIN"), "demo")
        .await
        .unwrap();
}

async fn every_capture_extends_a_chain_that_verifies(t: TestStore) {
    let store = &t.store;
    let empty = store.verify_chain().await.unwrap();
    assert!(empty.ok());
    assert_eq!(
        (empty.events, empty.head_seq, empty.head.as_str()),
        (0, 0, "")
    );

    fill(store).await;
    let report = store.verify_chain().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.events, 17);
    assert_eq!(report.head_seq, store.max_seq().await.unwrap());
    assert_eq!(report.head.len(), 64);

    // A capture of nothing new leaves the head; a new event moves it.
    store
        .capture(numbered_events(0, 10, "CHAIN"), "again")
        .await
        .unwrap();
    assert_eq!(store.verify_chain().await.unwrap(), report);
    store
        .capture(numbered_events(200, 1, "CHAIN"), "http")
        .await
        .unwrap();
    let after = store.verify_chain().await.unwrap();
    assert!(after.ok());
    assert_eq!(after.events, 18);
    assert_ne!(after.head, report.head);

    // Another process appending continues the same chain.
    let other = t.open_again().await;
    other
        .capture(numbered_events(300, 3, "CHAIN"), "other")
        .await
        .unwrap();
    other.close().await;
    let report = store.verify_chain().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.events, 21);
}

/// Verifies, expecting the first bad event at `seq`.
async fn broken_at(store: &Store, seq: i64) -> lotrace_store::ChainBreak {
    let report = store.verify_chain().await.unwrap();
    let broken = report
        .broken
        .clone()
        .unwrap_or_else(|| panic!("the edit was not found: {report:?}"));
    assert_eq!(broken.seq, seq, "{broken:?}");
    // Everything before it verifies.
    assert!(
        report.events as i64 >= seq - 2 && report.head_seq < seq,
        "{report:?}"
    );
    broken
}

async fn an_edited_body_is_found(t: TestStore) {
    fill(&t.store).await;
    // Quantity 5 becomes 50 in the fourth event.
    tamper(
        &t.location,
        "UPDATE event SET body = replace(body, '\"quantity\":5', '\"quantity\":50') WHERE seq = 4",
    )
    .await;
    let broken = broken_at(&t.store, 4).await;
    assert_eq!(
        broken.event_id,
        "urn:uuid:00000000-0000-4000-8000-000000000003"
    );
    assert!(broken.reason.contains("does not match"), "{broken:?}");
    assert_ne!(broken.expected, broken.stored);
    assert!(broken.stored.is_some());
}

async fn an_edited_record_time_is_found(t: TestStore) {
    fill(&t.store).await;
    tamper(
        &t.location,
        "UPDATE event SET record_time_us = record_time_us - 3600000000 WHERE seq = 12",
    )
    .await;
    let broken = broken_at(&t.store, 12).await;
    assert!(broken.reason.contains("does not match"), "{broken:?}");
}

async fn a_record_time_edited_in_the_body_only_is_found(t: TestStore) {
    fill(&t.store).await;
    tamper(
        &t.location,
        "UPDATE event SET body = replace(body, '\"recordTime\":\"2', '\"recordTime\":\"1') \
         WHERE seq = 7",
    )
    .await;
    let broken = broken_at(&t.store, 7).await;
    assert!(broken.reason.contains("recordTime"), "{broken:?}");
}

async fn a_changed_source_a_removed_event_and_a_cleared_hash_are_found(t: TestStore) {
    fill(&t.store).await;
    // The job of the third capture claims another source: its first event is at 13.
    tamper(
        &t.location,
        "UPDATE capture_job SET source = 'import:other.jsonld' WHERE source = 'demo'",
    )
    .await;
    broken_at(&t.store, 13).await;
    tamper(
        &t.location,
        "UPDATE capture_job SET source = 'demo' WHERE source = 'import:other.jsonld'",
    )
    .await;
    assert!(t.store.verify_chain().await.unwrap().ok());

    // A removed event breaks the link of the one after it.
    let delete = if t.is_postgres() {
        "DELETE FROM event WHERE seq = 5"
    } else {
        "DELETE FROM event_identifier WHERE seq = 5; DELETE FROM event WHERE seq = 5"
    };
    tamper(&t.location, delete).await;
    let broken = broken_at(&t.store, 6).await;
    assert!(broken.reason.contains("removed"), "{broken:?}");
}

async fn a_rewritten_chain_hash_is_found(t: TestStore) {
    fill(&t.store).await;
    let set = if t.is_postgres() {
        "UPDATE event SET chain_hash = decode(repeat('ab', 32), 'hex') WHERE seq = 9"
    } else {
        "UPDATE event SET chain_hash = zeroblob(32) WHERE seq = 9"
    };
    tamper(&t.location, set).await;
    let broken = broken_at(&t.store, 9).await;
    assert!(broken.stored.is_some());
}

async fn copy_to_carries_the_chain_and_refuses_a_broken_one(t: TestStore) {
    fill(&t.store).await;
    let source = t.store.verify_chain().await.unwrap();
    let copy = TestStore::sqlite().await;
    t.store.copy_to(&copy.store, |_| {}).await.unwrap();
    assert_eq!(copy.store.verify_chain().await.unwrap(), source);
    // The copy goes on from the same head.
    copy.store
        .capture(numbered_events(500, 2, "CHAIN"), "http")
        .await
        .unwrap();
    assert!(copy.store.verify_chain().await.unwrap().ok());

    tamper(
        &t.location,
        "UPDATE event SET record_time_us = record_time_us + 1 WHERE seq = 3",
    )
    .await;
    let refused = TestStore::sqlite().await;
    let err = t.store.copy_to(&refused.store, |_| {}).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::ChainBroken(b) if b.seq == 3),
        "{err}"
    );
    assert_eq!(refused.store.event_count().await.unwrap(), 0);
}

/// A store made before the chain: the column dropped and its migration forgotten, as a store
/// of the previous release looks. Opening it again computes the chain of what it holds.
async fn rows_stored_before_the_chain_get_it_when_the_store_is_opened(t: TestStore) {
    fill(&t.store).await;
    let before = t.store.verify_chain().await.unwrap();
    t.store.close().await;
    let version = if t.is_postgres() { 7 } else { 8 };
    tamper(
        &t.location,
        &format!(
            "ALTER TABLE event DROP COLUMN chain_hash; \
             DELETE FROM schema_migration WHERE version = {version}"
        ),
    )
    .await;
    let store = t.open_again().await;
    let after = store.verify_chain().await.unwrap();
    assert!(after.ok(), "{after:?}");
    assert_eq!(after, before);
    store
        .capture(numbered_events(600, 2, "CHAIN"), "http")
        .await
        .unwrap();
    let report = store.verify_chain().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.events, before.events + 2);
    store.close().await;
}

/// Columns of `event` that a store of an earlier release has and migration 12 drops.
const UNREAD_COLUMNS: [&str; 3] = ["read_point", "biz_location", "disposition"];

async fn unread_columns_left(location: &lotrace_store::Location) -> i64 {
    use sqlx::Connection;
    use std::str::FromStr;
    let names = UNREAD_COLUMNS.map(|c| format!("'{c}'")).join(", ");
    match location {
        lotrace_store::Location::SqliteFile(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            let sql =
                format!("SELECT count(*) FROM pragma_table_info('event') WHERE name IN ({names})");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
        lotrace_store::Location::Postgres(url) => {
            let options = sqlx::postgres::PgConnectOptions::from_str(url).unwrap();
            let mut conn = sqlx::PgConnection::connect_with(&options).await.unwrap();
            let sql = format!(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name = 'event' AND column_name IN ({names})"
            );
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    }
}

/// A store of an earlier release kept read point, business location and disposition in
/// columns of their own; opening it drops them (migration 12) and keeps every event, its
/// chain and its lookups.
async fn columns_an_earlier_release_kept_are_dropped_with_the_events_intact(t: TestStore) {
    fill(&t.store).await;
    let before = t.store.verify_chain().await.unwrap();
    let counts = t.store.counts().await.unwrap();
    t.store.close().await;
    let add = UNREAD_COLUMNS
        .map(|c| format!("ALTER TABLE event ADD COLUMN {c} TEXT;"))
        .join(" ");
    tamper(
        &t.location,
        &format!(
            "{add} UPDATE event SET read_point = 'x', disposition = 'y'; \
                  DELETE FROM schema_migration WHERE version = 12"
        ),
    )
    .await;
    assert_eq!(unread_columns_left(&t.location).await, 3);

    let store = t.open_again().await;
    assert_eq!(unread_columns_left(&t.location).await, 0);
    assert_eq!(store.verify_chain().await.unwrap(), before);
    assert_eq!(store.counts().await.unwrap(), counts);
    store
        .capture(numbered_events(700, 2, "AFTER"), "http")
        .await
        .unwrap();
    assert!(store.verify_chain().await.unwrap().ok());
    store.close().await;
}
on_both_backends!(columns_an_earlier_release_kept_are_dropped_with_the_events_intact);

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

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
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

/// The standard's own examples (every event type, extensions, sensors, declarations) verify
/// once stored: the hash ID computed at capture is the one recomputed from the stored body.
async fn the_standard_examples_verify_once_stored(t: TestStore) {
    let Some(root) = examples() else { return };
    let mut files = Vec::new();
    json_files(&root.join("gs1-epcis/JSON"), &mut files);
    json_files(
        &root.join("openepcis/2.0/EPCIS/JSON/Capture/Documents"),
        &mut files,
    );
    files.sort();
    let mut stored = 0;
    for file in files {
        let Ok(doc) = parse_document(&std::fs::read(&file).unwrap(), &Limits::default()) else {
            continue;
        };
        stored += t
            .store
            .capture(doc.events, &format!("import:{}", file.display()))
            .await
            .unwrap()
            .job
            .events_stored;
    }
    assert!(stored > 20, "only {stored} example events");
    let report = t.store.verify_chain().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.events, stored);
}

on_both_backends!(
    every_capture_extends_a_chain_that_verifies,
    an_edited_body_is_found,
    an_edited_record_time_is_found,
    a_record_time_edited_in_the_body_only_is_found,
    a_changed_source_a_removed_event_and_a_cleared_hash_are_found,
    a_rewritten_chain_hash_is_found,
    copy_to_carries_the_chain_and_refuses_a_broken_one,
    rows_stored_before_the_chain_get_it_when_the_store_is_opened,
    the_standard_examples_verify_once_stored,
);
