//! `lotrace migrate-store` and `lotrace backup`, run as an administrator runs them, on real
//! SQLite files and (when `LOTRACE_TEST_POSTGRES` names a server) a real PostgreSQL schema.

mod common;

use std::path::Path;
use std::process::Output;
use std::str::FromStr;

use common::lotrace;
use serde_json::Value;
use sqlx::Connection;

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn sqlite(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_owned()
}

fn health_events(db: &str) -> u64 {
    // `lotrace inventory` opens the store read-write; counting through a demo reload is a
    // read: the second load reports the events already there.
    let text = String::from_utf8(lotrace(db, &["demo"]).stdout).unwrap();
    let count = text
        .split("loaded already (")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("unexpected demo output: {text}"));
    count.parse().unwrap()
}

#[test]
fn migrate_store_copies_and_verifies_and_refuses_a_full_target() {
    let dir = tempfile::tempdir().unwrap();
    let from = sqlite(dir.path(), "from.db");
    let to = sqlite(dir.path(), "to.db");
    assert!(lotrace(&from, &["demo"]).status.success());
    let report = stdout_json(&lotrace(
        &from,
        &["migrate-store", "--from", &from, "--to", &to, "--json"],
    ));
    assert_eq!(report["source"]["events"], report["target"]["events"]);
    assert_eq!(report["logDigest"]["events"], 25);
    assert_eq!(report["logDigest"]["digest"].as_str().unwrap().len(), 64);
    assert_eq!(health_events(&to), 25);

    // The copy is a working store: its views rebuild from the copied log.
    let lots = stdout_json(&lotrace(
        &to,
        &["inventory", "--product", "SALAD", "--json"],
    ));
    assert!(!lots.as_array().unwrap().is_empty());

    let again = lotrace(&from, &["migrate-store", "--from", &from, "--to", &to]);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("not empty"), "{stderr}");

    let same = lotrace(&from, &["migrate-store", "--from", &from, "--to", &from]);
    assert!(!same.status.success());
}

#[test]
fn backup_writes_a_verified_copy_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path(), "live.db");
    assert!(lotrace(&db, &["demo"]).status.success());
    let dest = dir.path().join("backup.db");
    let report = stdout_json(&lotrace(&db, &["backup", dest.to_str().unwrap(), "--json"]));
    assert_eq!(report["backup"]["counts"]["events"], 25);
    assert_eq!(report["logDigest"]["events"], 25);
    assert_eq!(health_events(dest.to_str().unwrap()), 25);

    let twice = lotrace(&db, &["backup", dest.to_str().unwrap()]);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"));
}

type QueryRows = (
    Vec<lotrace_store::NamedQuery>,
    Vec<lotrace_store::Subscription>,
    Option<lotrace_store::CaptureReport>,
);

/// Named queries, a subscription part way through the log, a capture report: the EPCIS
/// query interface's rows, which `migrate-store` must carry too.
async fn add_query_rows(db: &str) {
    let store = lotrace_store::Store::open(&lotrace_store::Location::parse(db).unwrap())
        .await
        .unwrap();
    for name in ["receipts", "shipments"] {
        let query = serde_json::json!({ "EQ_bizStep": [name] });
        store
            .create_named_query(name, &query)
            .await
            .unwrap()
            .unwrap();
    }
    let subscription = lotrace_store::Subscription {
        id: "0190a000-0000-7000-8000-000000000002".into(),
        query_name: "shipments".into(),
        dest: "http://127.0.0.1:9/hook".into(),
        signature_token: Some("token".into()),
        report_if_empty: false,
        created_at: "2026-01-05T10:00:00Z".parse().unwrap(),
        after_seq: 7,
        delivered: 2,
        last_error: Some("attempt 5: refused".into()),
    };
    store.create_subscription(&subscription).await.unwrap();
    let job = store.capture_jobs(1).await.unwrap().remove(0);
    let report = lotrace_store::CaptureReport {
        capture_id: job.id,
        error_behaviour: "proceed".into(),
        events_rejected: 1,
        errors: vec![serde_json::json!({ "eventIndex": 0, "field": "eventTime" })],
    };
    store.put_capture_report(&report).await.unwrap();
    store.close().await;
}

async fn query_rows(db: &str) -> QueryRows {
    let store = lotrace_store::Store::open(&lotrace_store::Location::parse(db).unwrap())
        .await
        .unwrap();
    let job = store.capture_jobs(1).await.unwrap().remove(0);
    let rows = (
        store.named_queries().await.unwrap(),
        store.subscriptions(None).await.unwrap(),
        store.capture_report(&job.id).await.unwrap(),
    );
    store.close().await;
    rows
}

#[tokio::test]
async fn migrate_store_from_sqlite_to_postgres() {
    let Ok(server) = std::env::var("LOTRACE_TEST_POSTGRES") else {
        eprintln!("skipping: set LOTRACE_TEST_POSTGRES to a PostgreSQL server URL");
        return;
    };
    let server = if server == "1" {
        "postgres://postgres@127.0.0.1:5432/test".to_owned()
    } else {
        server
    };
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let execute = |sql: String| {
        let server = server.clone();
        async move {
            let options = sqlx::postgres::PgConnectOptions::from_str(&server).unwrap();
            let mut conn = sqlx::PgConnection::connect_with(&options).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    };
    execute(format!("CREATE SCHEMA {schema}")).await;
    let joiner = if server.contains('?') { '&' } else { '?' };
    let pg = format!("{server}{joiner}options[search_path]={schema}");
    let dir = tempfile::tempdir().unwrap();
    let from = sqlite(dir.path(), "from.db");
    let result = tokio::task::spawn_blocking({
        let from = from.clone();
        move || assert!(lotrace(&from, &["demo"]).status.success())
    })
    .await;
    if result.is_ok() {
        add_query_rows(&from).await;
    }
    let result = match result {
        Err(e) => Err(e),
        Ok(()) => {
            tokio::task::spawn_blocking({
                let (from, pg) = (from.clone(), pg.clone());
                let dir = dir.path().to_owned();
                move || {
                    let report = stdout_json(&lotrace(
                        &from,
                        &["migrate-store", "--from", &from, "--to", &pg, "--json"],
                    ));
                    assert_eq!(report["logDigest"]["events"], 25);
                    assert!(!report["to"].as_str().unwrap().contains("password"));
                    assert_eq!(health_events(&pg), 25);
                    // And back into a new SQLite file: the same log, by digest.
                    let back = sqlite(&dir, "back.db");
                    let round = stdout_json(&lotrace(
                        &pg,
                        &["migrate-store", "--from", &pg, "--to", &back, "--json"],
                    ));
                    assert_eq!(round["logDigest"], report["logDigest"]);
                }
            })
            .await
        }
    };
    let copied = match result {
        Ok(()) => Some((query_rows(&from).await, query_rows(&pg).await)),
        Err(_) => None,
    };
    execute(format!("DROP SCHEMA {schema} CASCADE")).await;
    if let Some((source, copy)) = copied {
        assert_eq!(source.0.len(), 2, "named queries");
        assert_eq!(source.1.len(), 1, "subscriptions");
        assert!(source.2.is_some(), "the capture report");
        assert_eq!(
            source, copy,
            "named queries, subscriptions, capture reports copied"
        );
    }
    if let Err(panic) = result {
        std::panic::resume_unwind(panic.into_panic());
    }
}
