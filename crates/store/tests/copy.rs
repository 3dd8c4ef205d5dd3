//! Moving a store: `copy_to` between backends (for `lotrace migrate-store`) and online
//! SQLite backups.

mod common;

use std::collections::HashMap;

use common::{TestStore, document, numbered_events, object_event};
use lotrace_store::{
    AuditFilter, CaptureReport, CopyProgress, CounterStep, NewAuditEntry, NewRecallEntry, NewToken,
    OrderRow, Store, StoreError, StoredEvent, Subscription,
};
use serde_json::json;

/// A store with what real ones hold: several capture jobs, an error declaration, an event
/// captured without an eventID, and a re-capture that stored nothing.
async fn fill(store: &Store) {
    store
        .capture(numbered_events(0, 1_200, "COPY"), "bulk")
        .await
        .unwrap();
    let id = "urn:uuid:00000000-0000-4000-8000-000000000005";
    let mut declaration = object_event(
        id,
        "urn:epc:class:lgtin:4012345.012345.COPY",
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
        .capture(document(json!([declaration, anonymous])), "corrections")
        .await
        .unwrap();
    store
        .capture(numbered_events(0, 10, "COPY"), "again")
        .await
        .unwrap();
    for version in 0..3 {
        let expected = (version > 0).then_some(version);
        store
            .put_master("product", "P-1", &json!({ "v": version }), expected)
            .await
            .unwrap();
    }
    store
        .put_master("location", "L-1", &json!({ "name": "Dock" }), None)
        .await
        .unwrap();
    let step = CounterStep {
        name: "lot:P-1".into(),
        value: 1,
    };
    store
        .capture_with_counters(numbered_events(3_000, 1, "LOT"), "op", &[step])
        .await
        .unwrap();
    let coa = lotrace_store::Document::new(
        b"%PDF-1.7 certificate".to_vec(),
        "application/pdf",
        "coa.pdf",
    )
    .unwrap();
    store.put_document(&coa).await.unwrap();
    let opened = store
        .open_recall(
            lotrace_store::JournalKind::Recall,
            NewRecallEntry {
                kind: "opened",
                actor: "qa",
                body: &json!({ "reason": "test" }),
            },
        )
        .await
        .unwrap();
    store
        .append_recall_entry(
            &opened.recall_id,
            NewRecallEntry {
                kind: "closed",
                actor: "qa",
                body: &json!({ "summary": "done" }),
            },
        )
        .await
        .unwrap();
    // The EPCIS query interface's rows.
    for name in ["receipts", "shipments"] {
        store
            .create_named_query(name, &json!({ "EQ_bizStep": [name] }))
            .await
            .unwrap()
            .unwrap();
    }
    let subscription = Subscription {
        id: "0190a000-0000-7000-8000-000000000001".into(),
        query_name: "shipments".into(),
        dest: "http://127.0.0.1:9/hook".into(),
        signature_token: Some("s3cret".into()),
        report_if_empty: true,
        created_at: "2026-01-05T10:00:00Z".parse().unwrap(),
        after_seq: 0,
        delivered: 0,
        last_error: None,
    };
    store.create_subscription(&subscription).await.unwrap();
    store
        .record_delivery(&subscription.id, 1_000, 3, Some("attempt 5: refused"))
        .await
        .unwrap();
    fill_access_and_bom(store).await;
    let job = store.capture_jobs(1).await.unwrap().remove(0);
    store
        .put_capture_report(&CaptureReport {
            capture_id: job.id,
            error_behaviour: "proceed".into(),
            events_rejected: 2,
            errors: vec![json!({ "eventIndex": 1, "field": "bizStep" })],
        })
        .await
        .unwrap();
}

/// An Argon2id PHC string as the server stores it (the store does not check the hash).
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

/// The cookie hash of the copied web session.
fn session_id() -> String {
    "5e".repeat(32)
}

/// Users (one disabled), tokens (one revoked, one a partner's), a live session, audit rows,
/// two versions of a BOM and two orders (one moved on).
async fn fill_access_and_bom(store: &Store) {
    store.create_user("ada", "admin", HASH).await.unwrap();
    store.create_user("bob", "viewer", HASH).await.unwrap();
    assert!(store.set_user_disabled("bob", true).await.unwrap());
    for (id, name, scope, partner, secret) in [
        ("tok_0001", "erp", "capture", None, "ab"),
        ("tok_0002", "farm", "read", Some("SUP-1"), "cd"),
    ] {
        store
            .create_token(&NewToken {
                id,
                name,
                scope,
                partner,
                secret_sha256: &secret.repeat(32),
                created_by: "ada",
            })
            .await
            .unwrap();
    }
    store.revoke_token("erp").await.unwrap().unwrap();
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(8);
    store
        .create_session(&session_id(), "ada", later)
        .await
        .unwrap();
    for (i, path) in ["/api/v1/products", "/epcis/capture", "/recalls"]
        .iter()
        .enumerate()
    {
        store
            .append_audit(&NewAuditEntry {
                actor: "ada",
                actor_kind: "user",
                role: "admin",
                method: "POST",
                path,
                status: 200 + i as u16,
                summary: &format!("write {i}"),
                address: (i != 1).then_some("127.0.0.1"),
            })
            .await
            .unwrap();
    }
    for version in 1..=2 {
        let body = json!({ "components": [{ "product": "P-2", "per_unit": version }] });
        assert!(
            store
                .insert_bom_version("SALAD-STD", version, "P-1", &body)
                .await
                .unwrap()
        );
    }
    let now = jiff::Timestamp::now();
    for id in ["PO-1", "PO-2"] {
        let order = OrderRow {
            id: id.into(),
            product: "P-1".into(),
            bom: "SALAD-STD".into(),
            bom_version: 2,
            status: "planned".into(),
            body: json!({ "id": id, "status": "planned" }),
            created_at: now,
            updated_at: now,
        };
        assert!(store.insert_order(&order).await.unwrap());
    }
    let released = json!({ "id": "PO-1", "status": "released" });
    assert!(
        store
            .update_order_status("PO-1", "planned", "released", &released)
            .await
            .unwrap()
    );
}

async fn assert_same_access_and_bom(source: &Store, target: &Store) {
    let users = target.users().await.unwrap();
    assert_eq!(source.users().await.unwrap(), users);
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].password_hash, HASH, "password hashes are copied");
    assert!(users[1].disabled, "a disabled user stays disabled");
    let tokens = target.tokens().await.unwrap();
    assert_eq!(source.tokens().await.unwrap(), tokens);
    let erp = tokens.iter().find(|t| t.name == "erp").unwrap();
    assert!(erp.revoked_at.is_some(), "a revoked token stays revoked");
    // The secret's hash is copied: the token still authenticates by it.
    let farm = target
        .token_by_secret_sha256(&"cd".repeat(32))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(farm.partner.as_deref(), Some("SUP-1"));
    let session = target.session(&session_id()).await.unwrap();
    assert_eq!(source.session(&session_id()).await.unwrap(), session);
    assert_eq!(
        session.unwrap().user.name,
        "ada",
        "a copied session logs in"
    );
    let all = AuditFilter::default();
    let audit = target.audit_entries(&all).await.unwrap();
    assert_eq!(source.audit_entries(&all).await.unwrap(), audit);
    assert_eq!(
        audit.iter().map(|a| a.seq).collect::<Vec<_>>(),
        [1, 2, 3],
        "audit positions are kept"
    );
    let chain = target.verify_audit_chain().await.unwrap();
    assert!(chain.ok(), "{chain:?}");
    assert_eq!(
        chain,
        source.verify_audit_chain().await.unwrap(),
        "the chain is copied"
    );
    assert_eq!(chain.entries, 3);
    assert_eq!(
        source.all_bom_versions().await.unwrap(),
        target.all_bom_versions().await.unwrap()
    );
    let orders = target.orders().await.unwrap();
    assert_eq!(source.orders().await.unwrap(), orders);
    let po1 = target.order("PO-1").await.unwrap().unwrap();
    assert_eq!(po1.status, "released");
    assert_eq!(po1.body["status"], "released");
}

async fn log(store: &Store) -> Vec<StoredEvent> {
    let mut all = Vec::new();
    store
        .for_each_event(|e| {
            all.push(e);
            Ok(())
        })
        .await
        .unwrap();
    all
}

async fn assert_same_data(source: &Store, target: &Store) {
    let (a, b) = (log(source).await, log(target).await);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.seq, y.seq, "log positions are kept");
        assert_eq!(x.capture_id, y.capture_id);
        assert_eq!(x.event, y.event);
    }
    let document = source.document(&"0".repeat(64)).await.unwrap();
    assert!(document.is_none());
    let counts = source.counts().await.unwrap();
    assert_eq!(counts.documents, target.counts().await.unwrap().documents);
    assert_eq!(counts.recall_entries, 2);
    assert_eq!(
        source.recall_entries("R-00001").await.unwrap(),
        target.recall_entries("R-00001").await.unwrap()
    );
    let digest = source.log_digest(None).await.unwrap();
    assert_eq!(digest, target.log_digest(None).await.unwrap());
    assert_eq!(digest.events, a.len() as u64);
    assert_eq!(
        source.capture_jobs(100).await.unwrap(),
        target.capture_jobs(100).await.unwrap()
    );
    for kind in ["product", "location"] {
        assert_eq!(
            source.master_records(kind).await.unwrap(),
            target.master_records(kind).await.unwrap()
        );
    }
    assert_eq!(target.counter_value("lot:P-1").await.unwrap(), 1);
    assert_same_access_and_bom(source, target).await;
    assert_eq!(
        source.named_queries().await.unwrap(),
        target.named_queries().await.unwrap()
    );
    let subscriptions = target.subscriptions(None).await.unwrap();
    assert_eq!(source.subscriptions(None).await.unwrap(), subscriptions);
    assert_eq!(
        subscriptions[0].after_seq, 1_000,
        "the delivery position is kept"
    );
    assert_eq!(subscriptions[0].signature_token.as_deref(), Some("s3cret"));
    let job = source.capture_jobs(1).await.unwrap().remove(0);
    let report = target.capture_report(&job.id).await.unwrap().unwrap();
    assert_eq!(source.capture_report(&job.id).await.unwrap(), Some(report));
    for name in [
        "urn:epc:class:lgtin:4012345.012345.COPY",
        "urn:epc:class:lgtin:4012345.012345.ANON",
        "urn:epc:id:sgln:0614141.00777.0",
    ] {
        let seqs = |v: Vec<StoredEvent>| v.iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(
            seqs(source.events_naming(name, 5_000).await.unwrap()),
            seqs(target.events_naming(name, 5_000).await.unwrap()),
            "the identifier index is copied: {name}"
        );
    }
}

async fn copy_and_check(source: &TestStore, target: &TestStore) {
    fill(&source.store).await;
    let mut reports: Vec<CopyProgress> = Vec::new();
    let report = source
        .store
        .copy_to(&target.store, |p| reports.push(p))
        .await
        .unwrap();
    assert_eq!(report.source, report.target);
    assert_eq!(report.source.events, 1_203);
    assert_eq!(report.source.capture_jobs, 4);
    assert_eq!(
        (
            report.source.master_records,
            report.source.master_versions,
            report.source.counters,
            report.source.recall_entries
        ),
        (2, 4, 2, 2),
        "the recall numbering counter is copied too"
    );
    assert_eq!(
        (
            report.source.named_queries,
            report.source.subscriptions,
            report.source.capture_reports
        ),
        (2, 1, 1)
    );
    let c = &report.source;
    assert_eq!(
        (c.users, c.api_tokens, c.sessions, c.audit_entries),
        (2, 2, 1, 3)
    );
    assert_eq!((c.bom_versions, c.production_orders), (2, 2));
    let last = reports.last().unwrap();
    assert_eq!(last.copied, last.total, "progress ends at the total");
    assert_same_data(&source.store, &target.store).await;

    // The copy carries on where the source stopped.
    let next = target
        .store
        .capture(numbered_events(5_000, 1, "NEXT"), "after the move")
        .await
        .unwrap();
    assert_eq!(next.job.events_stored, 1);
    assert_eq!(
        target.store.max_seq().await.unwrap(),
        report.source.max_seq + 1
    );
    // So does the audit trail: the next entry comes after the copied ones.
    let next = target
        .store
        .append_audit(&NewAuditEntry {
            actor: "ada",
            actor_kind: "user",
            role: "admin",
            method: "POST",
            path: "/after-the-move",
            status: 200,
            summary: "first write in the copy",
            address: None,
        })
        .await
        .unwrap();
    assert_eq!(next.seq, 4);
    let chain = target.store.verify_audit_chain().await.unwrap();
    assert!(
        chain.ok() && chain.entries == 4,
        "the chain goes on: {chain:?}"
    );
}

#[tokio::test]
async fn copy_sqlite_to_postgres() {
    let Some(target) = TestStore::postgres().await else {
        return;
    };
    copy_and_check(&TestStore::sqlite().await, &target).await;
}

#[tokio::test]
async fn copy_postgres_to_sqlite() {
    let Some(source) = TestStore::postgres().await else {
        return;
    };
    copy_and_check(&source, &TestStore::sqlite().await).await;
}

#[tokio::test]
async fn copy_sqlite_to_sqlite() {
    copy_and_check(&TestStore::sqlite().await, &TestStore::sqlite().await).await;
}

async fn a_copy_into_a_store_with_data_is_refused(t: TestStore) {
    let source = TestStore::sqlite().await;
    fill(&source.store).await;
    t.store
        .capture(numbered_events(9_000, 2, "MINE"), "t")
        .await
        .unwrap();
    let e = source.store.copy_to(&t.store, |_| {}).await.unwrap_err();
    assert!(
        matches!(&e, StoreError::TargetNotEmpty { counts } if counts.events == 2),
        "{e}"
    );
    assert_eq!(
        t.store.event_count().await.unwrap(),
        2,
        "the target is untouched"
    );
}

async fn a_backup_taken_while_captures_run_is_a_consistent_store(t: TestStore) {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backup.db");
    if t.is_postgres() {
        let e = t.store.backup_sqlite(&dest).await.unwrap_err();
        assert!(e.to_string().contains("pg_dump"), "{e}");
        return;
    }
    fill(&t.store).await;
    let writer = {
        let store = t.store.clone();
        tokio::spawn(async move {
            for round in 0..40 {
                let events = numbered_events(10_000 + round * 50, 50, "LIVE");
                store.capture(events, "live").await.unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    // Back up once the writer is under way, so that the copy is taken between captures.
    while t.store.event_count().await.unwrap() <= 1_203 {
        tokio::task::yield_now().await;
    }
    let report = t.store.backup_sqlite(&dest).await.unwrap();
    writer.await.unwrap();
    eprintln!(
        "backup holds {} of {} events",
        report.counts.events,
        t.store.event_count().await.unwrap()
    );
    assert!(report.bytes > 0);

    let copy = Store::open(&lotrace_store::Location::SqliteFile(dest.clone()))
        .await
        .unwrap();
    assert_eq!(copy.counts().await.unwrap(), report.counts);
    // A snapshot: a prefix of the log, and whole captures only.
    let (source_log, copy_log) = (log(&t.store).await, log(&copy).await);
    assert!(copy_log.len() >= 1_203 && copy_log.len() <= source_log.len());
    let mut per_job: HashMap<String, u64> = HashMap::new();
    for (x, y) in source_log.iter().zip(&copy_log) {
        assert_eq!((x.seq, &x.event), (y.seq, &y.event));
        *per_job.entry(y.capture_id.clone()).or_default() += 1;
    }
    for (job, events) in per_job {
        let job = copy.capture_job(&job).await.unwrap().unwrap();
        assert_eq!(job.events_stored, events, "capture {} is whole", job.id);
    }
    copy.close().await;

    let again = t.store.backup_sqlite(&dest).await.unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
}

on_both_backends!(
    a_copy_into_a_store_with_data_is_refused,
    a_backup_taken_while_captures_run_is_a_consistent_store,
);

#[tokio::test]
async fn the_log_digest_tells_logs_apart_and_covers_a_prefix() {
    let a = TestStore::sqlite().await;
    let b = TestStore::sqlite().await;
    a.store
        .capture(numbered_events(0, 20, "DIGEST"), "x")
        .await
        .unwrap();
    let prefix = a.store.log_digest(Some(10)).await.unwrap();
    assert_eq!((prefix.events, prefix.max_seq), (10, 10));
    b.store
        .capture(numbered_events(0, 10, "DIGEST"), "x")
        .await
        .unwrap();
    let whole_b = b.store.log_digest(None).await.unwrap();
    // Same events at the same positions, but each capture has its own ID.
    assert_ne!(prefix.digest, whole_b.digest);
    assert_eq!(whole_b.events, 10);
    assert_ne!(
        a.store.log_digest(None).await.unwrap().digest,
        prefix.digest
    );
    assert_eq!(
        a.store.log_digest(Some(10)).await.unwrap(),
        prefix,
        "deterministic"
    );
}
