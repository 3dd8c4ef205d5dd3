//! `lotrace verify` checks the audit trail's hash chain too, as a user runs it: on a real
//! SQLite file whose audit rows were written by the store (as the server writes them) and
//! then edited behind lotrace's back with plain SQL.

mod common;

use common::lotrace;
use lotrace_store::{Location, NewAuditEntry, Store};
use serde_json::Value;
use sqlx::Connection;

fn verify_json(db: &str) -> (bool, Value) {
    let out = lotrace(db, &["verify", "--json"]);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), report)
}

#[tokio::test]
async fn verify_names_the_first_audit_row_edited_with_sql() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("site.db").to_str().unwrap().to_owned();
    assert!(lotrace(&db, &["demo"]).status.success());
    let store = Store::open(&Location::parse(&db).unwrap()).await.unwrap();
    for path in ["/api/v1/products", "/epcis/capture", "/api/v1/recalls"] {
        store
            .append_audit(&NewAuditEntry {
                actor: "alice",
                actor_kind: "user",
                role: "quality",
                method: "POST",
                path,
                status: 201,
                summary: "a write",
                address: Some("127.0.0.1"),
            })
            .await
            .unwrap();
    }
    store.close().await;

    let out = lotrace(&db, &["verify"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(text.starts_with("OK: 25 events verify"), "{text}");
    assert!(
        text.contains("OK: 3 audit entries verify; audit chain head "),
        "{text}"
    );
    let (ok, report) = verify_json(&db);
    assert!(ok);
    assert_eq!(report["ok"], true);
    assert_eq!(report["audit"]["entries"], 3);
    assert_eq!(report["chain"]["events"], 25);

    // Someone with the file rewrites who made the second write.
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&db);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 2")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let out = lotrace(&db, &["verify"]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("OK: 25 events verify"),
        "the event log is intact: {text}"
    );
    assert!(
        text.contains("breaks at audit entry 2 (actor mallory, path /epcis/capture)"),
        "{text}"
    );
    assert!(
        text.contains("the 1 audit entries before it verify"),
        "{text}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the audit trail does not verify"),
        "{stderr}"
    );
    let (ok, report) = verify_json(&db);
    assert!(!ok);
    assert_eq!(report["ok"], false);
    assert_eq!(report["chain"]["broken"], Value::Null);
    assert_eq!(report["audit"]["broken"]["seq"], 2);
    assert_eq!(report["audit"]["entries"], 1);
}
