//! Test stores on both backends: a SQLite file in a temporary directory always, and a
//! PostgreSQL schema of its own (`t_<uuid>`, dropped afterwards) when `LOTRACE_TEST_POSTGRES`
//! names a server (`1` means `postgres://postgres@127.0.0.1:5432/test`).
//!
//! `on_both_backends!(name, ...)` turns `async fn name(t: TestStore)` into two tests,
//! `name::sqlite` and `name::postgres`.

#![allow(dead_code)] // each test file uses part of this module

use std::str::FromStr;

use lotrace_epcis::{Event, Limits, parse_document};
use lotrace_store::{Location, Store};
use serde_json::json;
use sqlx::Connection;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::common::TestStore::sqlite().await).await
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(store) = $crate::common::TestStore::postgres().await {
                    super::$name(store).await
                }
            }
        }
    )*};
}

/// A store of its own for one test, removed when dropped.
pub struct TestStore {
    pub store: Store,
    pub location: Location,
    _place: Place,
}

enum Place {
    Sqlite(tempfile::TempDir),
    Postgres(Schema),
}

impl TestStore {
    pub async fn sqlite() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::parse(dir.path().join("t.db").to_str().unwrap()).unwrap();
        let store = Store::open(&location).await.unwrap();
        TestStore {
            store,
            location,
            _place: Place::Sqlite(dir),
        }
    }

    /// None, with a message, when `LOTRACE_TEST_POSTGRES` is unset.
    pub async fn postgres() -> Option<TestStore> {
        let schema = Schema::create().await?;
        let location = Location::parse(&schema.url).unwrap();
        let store = Store::open(&location).await.unwrap();
        Some(TestStore {
            store,
            location,
            _place: Place::Postgres(schema),
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self._place, Place::Postgres(_))
    }

    /// The PostgreSQL schema's URL and name (its connections' application name too).
    pub fn postgres_schema(&self) -> Option<(&str, &str)> {
        match &self._place {
            Place::Postgres(schema) => Some((&schema.url, &schema.name)),
            Place::Sqlite(_) => None,
        }
    }

    /// A second, independent `Store` on the same database: another process, in effect.
    pub async fn open_again(&self) -> Store {
        Store::open(&self.location).await.unwrap()
    }
}

pub fn postgres_url() -> Option<String> {
    match std::env::var("LOTRACE_TEST_POSTGRES") {
        Ok(v) if v == "1" => Some(DEFAULT_POSTGRES_URL.to_owned()),
        Ok(v) if !v.is_empty() => Some(v),
        _ => None,
    }
}

/// A PostgreSQL schema created for one test and dropped (with everything in it) after.
pub struct Schema {
    pub name: String,
    /// The server URL with `search_path` set to the schema.
    pub url: String,
    server: String,
}

impl Schema {
    pub async fn create() -> Option<Schema> {
        let Some(server) = postgres_url() else {
            eprintln!(
                "skipping the PostgreSQL run: set LOTRACE_TEST_POSTGRES to a server URL (or 1)"
            );
            return None;
        };
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        let mut conn = connect(&server).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let joiner = if server.contains('?') { '&' } else { '?' };
        // The application name marks this test's connections, so that the cleanup can end
        // any the test left behind (see Drop).
        let url = format!("{server}{joiner}options[search_path]={name}&application_name={name}");
        Some(Schema { name, url, server })
    }
}

async fn connect(url: &str) -> sqlx::PgConnection {
    let options = sqlx::postgres::PgConnectOptions::from_str(url).unwrap();
    sqlx::PgConnection::connect_with(&options)
        .await
        .unwrap_or_else(|e| panic!("LOTRACE_TEST_POSTGRES={url}: cannot connect: {e}"))
}

impl Drop for Schema {
    fn drop(&mut self) {
        // Drop runs outside async; a thread with its own runtime does the async cleanup,
        // also when the test panicked.
        let server = self.server.clone();
        // Drop runs on the test's runtime thread and blocks it: a connection of the test
        // that still holds locks (a transaction whose rollback the runtime was yet to send)
        // would never let go. End the test's own connections first.
        let sql = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{0}' AND pid <> pg_backend_pid(); \
             DROP SCHEMA IF EXISTS {0} CASCADE",
            self.name
        );
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut conn = connect(&server).await;
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            });
        });
        let _ = done.join();
    }
}

/// Events parsed from an EPCISDocument holding `events`, as `lotrace import` gets them.
pub fn document(events: serde_json::Value) -> Vec<Event> {
    let doc = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": events },
    });
    parse_document(&serde_json::to_vec(&doc).unwrap(), &Limits::default())
        .expect("test document is valid")
        .events
}

pub fn object_event(id: &str, epc_class: &str, time: &str) -> serde_json::Value {
    json!({
        "type": "ObjectEvent",
        "eventID": id,
        "eventTime": time,
        "eventTimeZoneOffset": "+01:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "readPoint": { "id": "urn:epc:id:sgln:0614141.00777.0" },
        "quantityList": [{ "epcClass": epc_class, "quantity": 5, "uom": "KGM" }],
    })
}

/// `count` object events with eventIDs numbered from `first`.
pub fn numbered_events(first: usize, count: usize, lot: &str) -> Vec<Event> {
    let events: Vec<_> = (first..first + count)
        .map(|i| {
            object_event(
                &format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
                &format!("urn:epc:class:lgtin:4012345.012345.{lot}"),
                "2026-01-02T10:00:00Z",
            )
        })
        .collect();
    document(json!(events))
}

/// Runs `sql` on the store's database over a connection of its own.
pub async fn tamper(location: &Location, sql: &str) {
    match location {
        Location::SqliteFile(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
        Location::Postgres(url) => {
            let options = sqlx::postgres::PgConnectOptions::from_str(url).unwrap();
            let mut conn = sqlx::PgConnection::connect_with(&options).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    }
}
