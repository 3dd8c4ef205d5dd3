//! The audit trail's hash chain: every append extends it (from another process too),
//! `verify_audit_chain` names the first row edited, removed or unlinked behind the store's
//! back, and rows stored before the chain existed get their links when the migration runs.
//! Edits are made with plain SQL on the database, as someone with access to it would.

mod common;

use common::{TestStore, tamper};
use lotrace_store::{NewAuditEntry, Store};

async fn append(store: &Store, n: usize) {
    for i in 0..n {
        store
            .append_audit(&NewAuditEntry {
                actor: "alice",
                actor_kind: "user",
                role: "operator",
                method: "POST",
                path: &format!("/api/v1/ops/receive/{i}"),
                status: 201,
                summary: &format!("capture {i}"),
                address: (i % 2 == 0).then_some("127.0.0.1"),
            })
            .await
            .unwrap();
    }
}

/// Five rows; the chain holds, from another process too, and follows each append.
async fn appends_extend_the_chain(t: TestStore) {
    assert_eq!(t.store.verify_audit_chain().await.unwrap().entries, 0);
    append(&t.store, 3).await;
    let first = t.store.verify_audit_chain().await.unwrap();
    assert!(first.ok(), "{first:?}");
    assert_eq!((first.entries, first.head_seq), (3, 3));
    assert_eq!(first.head.len(), 64);
    let other = t.open_again().await;
    append(&other, 2).await;
    other.close().await;
    let report = t.store.verify_audit_chain().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!((report.entries, report.head_seq), (5, 5));
    assert_ne!(report.head, first.head);
}

/// `sql` applied to a five-row trail makes `verify_audit_chain` name row `seq`.
async fn found_at(t: &TestStore, sql: &str, seq: i64) {
    append(&t.store, 5).await;
    tamper(&t.location, sql).await;
    let report = t.store.verify_audit_chain().await.unwrap();
    let broken = report
        .broken
        .clone()
        .unwrap_or_else(|| panic!("{sql}: not found: {report:?}"));
    assert_eq!(broken.seq, seq, "{sql}: {broken:?}");
    assert!(
        report.head_seq < seq && report.entries as i64 >= seq - 2,
        "{report:?}"
    );
}

async fn an_edited_summary_is_found(t: TestStore) {
    found_at(
        &t,
        "UPDATE audit_entry SET summary = 'nothing happened' WHERE seq = 3",
        3,
    )
    .await;
}

async fn an_edited_actor_time_or_status_is_found(t: TestStore) {
    found_at(&t, "UPDATE audit_entry SET actor = 'bob' WHERE seq = 2", 2).await;
    let t = match t.is_postgres() {
        true => TestStore::postgres().await.unwrap(),
        false => TestStore::sqlite().await,
    };
    found_at(
        &t,
        "UPDATE audit_entry SET at_us = at_us + 1 WHERE seq = 4",
        4,
    )
    .await;
    let t = match t.is_postgres() {
        true => TestStore::postgres().await.unwrap(),
        false => TestStore::sqlite().await,
    };
    found_at(&t, "UPDATE audit_entry SET status = 200 WHERE seq = 1", 1).await;
}

async fn a_removed_row_or_a_cleared_hash_is_found(t: TestStore) {
    // The row after a removed one no longer links to its predecessor.
    found_at(&t, "DELETE FROM audit_entry WHERE seq = 2", 3).await;
    let t = match t.is_postgres() {
        true => TestStore::postgres().await.unwrap(),
        false => TestStore::sqlite().await,
    };
    found_at(
        &t,
        "UPDATE audit_entry SET chain_hash = NULL WHERE seq = 5",
        5,
    )
    .await;
    let broken = t.store.verify_audit_chain().await.unwrap().broken.unwrap();
    assert!(broken.reason.contains("no chain hash"), "{broken:?}");
    assert_eq!(broken.stored, None);
}

/// Rows stored before the chain existed: the migration links them.
async fn the_migration_links_rows_stored_before_it(t: TestStore) {
    append(&t.store, 4).await;
    let linked = t.store.verify_audit_chain().await.unwrap();
    t.store.close().await;
    let version = if t.is_postgres() { 10 } else { 11 };
    tamper(
        &t.location,
        &format!(
            "ALTER TABLE audit_entry DROP COLUMN chain_hash; \
             DELETE FROM schema_migration WHERE version = {version}"
        ),
    )
    .await;
    let reopened = t.open_again().await;
    let report = reopened.verify_audit_chain().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report, linked, "the same links as appends make");
    reopened.close().await;
}

on_both_backends!(
    appends_extend_the_chain,
    an_edited_summary_is_found,
    an_edited_actor_time_or_status_is_found,
    a_removed_row_or_a_cleared_hash_is_found,
    the_migration_links_rows_stored_before_it,
);
