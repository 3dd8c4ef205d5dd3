//! BOM versions and production orders on both backends: versions are written once, listed
//! in order, the latest per code; orders are created once and change status only from the
//! status the caller read.

mod common;

use common::TestStore;
use lotrace_store::{MAX_BOM_BODY_BYTES, OrderRow, StoreError};
use serde_json::json;

async fn bom_versions_are_written_once(t: TestStore) {
    let store = &t.store;
    let v1 = json!({ "code": "SALAD-STD", "version": 1, "components": [{ "product": "LETTUCE" }] });
    let v2 = json!({ "code": "SALAD-STD", "version": 2, "components": [{ "product": "ICEBERG" }] });
    assert!(
        store
            .insert_bom_version("SALAD-STD", 1, "SALAD", &v1)
            .await
            .unwrap()
    );
    assert!(
        !store
            .insert_bom_version("SALAD-STD", 1, "SALAD", &v2)
            .await
            .unwrap(),
        "a version is written once"
    );
    assert!(
        store
            .insert_bom_version("SALAD-STD", 2, "SALAD", &v2)
            .await
            .unwrap()
    );
    assert!(
        store
            .insert_bom_version("SLAW-STD", 1, "SLAW", &v1)
            .await
            .unwrap()
    );
    let one = store.bom_version("SALAD-STD", 1).await.unwrap().unwrap();
    assert_eq!(one.body, v1, "version 1 is as it was written");
    assert_eq!(one.product, "SALAD");
    assert!(store.bom_version("SALAD-STD", 3).await.unwrap().is_none());
    let versions: Vec<u64> = store
        .bom_versions("SALAD-STD")
        .await
        .unwrap()
        .iter()
        .map(|b| b.version)
        .collect();
    assert_eq!(versions, [1, 2]);
    assert!(store.bom_versions("NONE").await.unwrap().is_empty());
    let latest: Vec<(String, u64)> = store
        .latest_boms()
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.code, b.version))
        .collect();
    assert_eq!(
        latest,
        [("SALAD-STD".to_owned(), 2), ("SLAW-STD".to_owned(), 1)]
    );
    assert_eq!(store.all_bom_versions().await.unwrap().len(), 3);
    let huge = json!({ "description": "x".repeat(MAX_BOM_BODY_BYTES) });
    let e = store
        .insert_bom_version("BIG", 1, "SALAD", &huge)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::InvalidDocument(_)), "{e}");
    assert!(store.bom_versions("BIG").await.unwrap().is_empty());
}

async fn orders_change_status_from_what_was_read(t: TestStore) {
    let store = &t.store;
    let now = jiff::Timestamp::from_second(1_780_000_000).unwrap();
    let order = |id: &str, at: i64| OrderRow {
        id: id.to_owned(),
        product: "SALAD".into(),
        bom: "SALAD-STD".into(),
        bom_version: 1,
        status: "planned".into(),
        body: json!({ "id": id, "status": "planned" }),
        created_at: now + jiff::SignedDuration::from_secs(at),
        updated_at: now + jiff::SignedDuration::from_secs(at),
    };
    assert!(store.insert_order(&order("PO-1", 0)).await.unwrap());
    assert!(store.insert_order(&order("PO-2", 10)).await.unwrap());
    assert!(
        !store.insert_order(&order("PO-1", 20)).await.unwrap(),
        "an id is taken once"
    );
    let listed: Vec<String> = store
        .orders()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(listed, ["PO-2", "PO-1"], "newest first");
    let released = json!({ "id": "PO-1", "status": "released" });
    assert!(
        store
            .update_order_status("PO-1", "planned", "released", &released)
            .await
            .unwrap()
    );
    assert!(
        !store
            .update_order_status("PO-1", "planned", "cancelled", &released)
            .await
            .unwrap(),
        "the status is no longer planned"
    );
    assert!(
        !store
            .update_order_status("PO-9", "planned", "released", &released)
            .await
            .unwrap()
    );
    let got = store.order("PO-1").await.unwrap().unwrap();
    assert_eq!(got.status, "released");
    assert_eq!(got.body, released);
    assert_eq!(got.created_at, now);
    assert!(got.updated_at >= got.created_at);
    assert_eq!(
        store.order("PO-2").await.unwrap().unwrap().status,
        "planned"
    );
    assert!(store.order("PO-9").await.unwrap().is_none());
}

on_both_backends!(
    bom_versions_are_written_once,
    orders_change_status_from_what_was_read
);
