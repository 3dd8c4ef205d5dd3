//! The recall journal on both backends: numbering, append-only entries, errors.

mod common;

use common::TestStore;
use lotrace_store::{JournalKind, NewRecallEntry, StoreError};
use serde_json::json;

fn entry<'a>(kind: &'a str, body: &'a serde_json::Value) -> NewRecallEntry<'a> {
    NewRecallEntry {
        kind,
        actor: "quality@plant",
        body,
    }
}

async fn journal_numbers_and_appends(t: TestStore) {
    let store = &t.store;
    let body = json!({ "scope": { "kind": "lots", "lots": ["L1"] } });
    let r1 = store
        .open_recall(JournalKind::Recall, entry("opened", &body))
        .await
        .unwrap();
    let r2 = store
        .open_recall(JournalKind::Recall, entry("opened", &body))
        .await
        .unwrap();
    let d1 = store
        .open_recall(JournalKind::Drill, entry("opened", &body))
        .await
        .unwrap();
    assert_eq!(
        (
            r1.recall_id.as_str(),
            r2.recall_id.as_str(),
            d1.recall_id.as_str()
        ),
        ("R-00001", "R-00002", "D-00001")
    );
    assert_eq!(r1.seq, 1);

    let note = json!({ "customer": "SHOP", "channel": "email" });
    let appended = store
        .append_recall_entry("R-00001", entry("notification", &note))
        .await
        .unwrap();
    assert_eq!(appended.seq, 2);
    let entries = store.recall_entries("R-00001").await.unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.seq, e.kind.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "opened"), (2, "notification")]
    );
    assert_eq!(entries[1].body, note);
    assert_eq!(entries[1].actor, "quality@plant");

    // Listing recalls leaves the drills out, and pages by (id, seq).
    let page = store
        .recall_entries_after(JournalKind::Recall, ("", 0), 2)
        .await
        .unwrap();
    assert_eq!(
        page.iter()
            .map(|e| (e.recall_id.as_str(), e.seq))
            .collect::<Vec<_>>(),
        vec![("R-00001", 1), ("R-00001", 2)]
    );
    let rest = store
        .recall_entries_after(JournalKind::Recall, ("R-00001", 2), 10)
        .await
        .unwrap();
    assert_eq!(
        rest.iter()
            .map(|e| (e.recall_id.as_str(), e.seq))
            .collect::<Vec<_>>(),
        vec![("R-00002", 1)]
    );
    let drills = store
        .recall_entries_after(JournalKind::Drill, ("", 0), 10)
        .await
        .unwrap();
    assert_eq!(drills.len(), 1);

    let missing = store
        .append_recall_entry("R-09999", entry("closed", &note))
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NoSuchRecall(ref id) if id == "R-09999"),
        "{missing}"
    );
    let bad = store
        .append_recall_entry(
            "R-00001",
            NewRecallEntry {
                kind: "",
                actor: "x",
                body: &note,
            },
        )
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("kind"), "{bad}");
    assert!(store.recall_entries("R-09999").await.unwrap().is_empty());
    assert_eq!(store.counts().await.unwrap().recall_entries, 4);
}

on_both_backends!(journal_numbers_and_appends);
