//! Capture throughput into both backends, at the scale of a large `lotrace import`.
//!
//!     cargo bench -p lotrace-store --bench capture
//!
//! Each measurement runs on a fresh store in a process of its own: one capture of every
//! event (a large file, parsed already), the same again (all present), captures of a batch
//! (many HTTP captures), and an import (parse and validate the document, then capture).
//!
//! Environment: `LOTRACE_BENCH_EVENTS` (default 1000000), `LOTRACE_BENCH_BATCH` (events per
//! capture, default 1000), `LOTRACE_BENCH_REPEAT` (runs per measurement; the best is shown,
//! as other work on the machine only slows a run down; default 1), `LOTRACE_BENCH_POSTGRES` or
//! `LOTRACE_TEST_POSTGRES` (a server URL, or 1 for postgres://postgres@127.0.0.1:5432/test;
//! without one only SQLite runs), `LOTRACE_BENCH_ONLY` (`sqlite` or `postgres`),
//! `LOTRACE_BENCH_KEEP` (keep the PostgreSQL schemas, to look at table sizes).
//! SQLite files go to a temporary directory under the target directory (a real disk: the
//! fsync at commit is part of the cost). PostgreSQL runs in a schema of its own, dropped after.

mod synthetic;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::str::FromStr;
use std::time::Instant;

use lotrace_epcis::Event;
use lotrace_store::{Location, Store};
use sqlx::Connection;

const DEFAULT_EVENTS: usize = 1_000_000;
const DEFAULT_BATCH: usize = 1_000;
/// Set for the child process that runs one measurement: `backend:Measure`.
const STEP_VARIABLE: &str = "LOTRACE_BENCH_STEP";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn postgres_server() -> Option<String> {
    let url = std::env::var("LOTRACE_BENCH_POSTGRES")
        .or_else(|_| std::env::var("LOTRACE_TEST_POSTGRES"))
        .ok()?;
    Some(if url == "1" {
        "postgres://postgres@127.0.0.1:5432/test".to_owned()
    } else {
        url
    })
}

/// One measurement, each in a process of its own so that no run inherits another's heap,
/// page cache or database files.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Measure {
    /// One capture of every event: an import of one large file, parsed already.
    Capture,
    /// The same capture again: every event already present.
    Present,
    /// Captures of `LOTRACE_BENCH_BATCH` events: many HTTP captures.
    Batches,
    /// What `lotrace import` does with one file: parse and validate, then capture.
    Import,
}

impl Measure {
    const ALL: [Measure; 4] = [
        Measure::Capture,
        Measure::Present,
        Measure::Batches,
        Measure::Import,
    ];

    fn label(self, batch: usize) -> String {
        match self {
            Measure::Capture => "one capture".into(),
            Measure::Present => "one capture, all present".into(),
            Measure::Batches => format!("captures of {batch}"),
            Measure::Import => "import (parse + capture)".into(),
        }
    }
}

/// Captures `events` in captures of `batch`; returns (seconds, events stored).
async fn timed(store: &Store, events: &[Event], batch: usize) -> (f64, u64) {
    let chunks: Vec<Vec<Event>> = events.chunks(batch).map(<[Event]>::to_vec).collect();
    let start = Instant::now();
    let mut stored = 0;
    for chunk in chunks {
        stored += store
            .capture(chunk, "bench")
            .await
            .unwrap()
            .job
            .events_stored;
    }
    (start.elapsed().as_secs_f64(), stored)
}

/// Parses a document of `events` as `lotrace import` does, then captures it.
async fn import(store: &Store, events: &[Event]) -> (f64, u64) {
    let bytes = serde_json::to_vec(&document(events)).unwrap();
    let start = Instant::now();
    let limits = lotrace_epcis::Limits {
        max_events: lotrace_store::MAX_EVENTS_PER_CAPTURE,
    };
    let parsed =
        lotrace_epcis::parse_document(&bytes, &limits).expect("the synthetic document is valid");
    let parsed_s = start.elapsed().as_secs_f64();
    let receipt = store.capture(parsed.events, "import").await.unwrap();
    eprintln!(
        "  import: parse and validate {parsed_s:.2} s, capture {:.2} s",
        start.elapsed().as_secs_f64() - parsed_s
    );
    (start.elapsed().as_secs_f64(), receipt.job.events_stored)
}

fn document(events: &[Event]) -> serde_json::Value {
    serde_json::json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": events },
    })
}

/// The child: one measurement on a fresh store; prints "seconds stored".
async fn measure(backend: &str, what: Measure, events: &[Event], batch: usize) {
    let (store, keep) = match backend {
        "sqlite" => open_sqlite().await,
        _ => open_postgres(&postgres_server().expect("checked by the parent")).await,
    };
    let (seconds, stored) = match what {
        Measure::Capture => timed(&store, events, events.len()).await,
        Measure::Present => {
            timed(&store, events, events.len()).await;
            timed(&store, events, events.len()).await
        }
        Measure::Batches => timed(&store, events, batch).await,
        Measure::Import => import(&store, events).await,
    };
    store.close().await;
    drop(keep);
    println!("{seconds} {stored}");
}

async fn open_sqlite() -> (Store, Box<dyn std::any::Any>) {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(base).unwrap();
    let location = Location::SqliteFile(dir.path().join("bench.db"));
    (Store::open(&location).await.unwrap(), Box::new(dir))
}

/// A schema dropped when this is dropped.
struct Schema {
    server: String,
    name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        if std::env::var_os("LOTRACE_BENCH_KEEP").is_some() {
            eprintln!("kept schema {} for inspection", self.name);
            return;
        }
        let (server, sql) = (
            self.server.clone(),
            format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let mut conn = connect(&server).await;
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await
                        .unwrap();
                })
        })
        .join()
        .unwrap();
    }
}

async fn connect(url: &str) -> sqlx::PgConnection {
    let options = sqlx::postgres::PgConnectOptions::from_str(url).unwrap();
    sqlx::PgConnection::connect_with(&options).await.unwrap()
}

async fn open_postgres(server: &str) -> (Store, Box<dyn std::any::Any>) {
    let name = format!("bench_{}", uuid::Uuid::now_v7().simple());
    let mut conn = connect(server).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let joiner = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{joiner}options[search_path]={name}");
    let store = Store::open(&Location::parse(&url).unwrap()).await.unwrap();
    let schema = Schema {
        server: server.to_owned(),
        name,
    };
    (store, Box::new(schema))
}

fn check_generator() {
    let sample = synthetic::events(0, synthetic::EVENTS_PER_CYCLE);
    lotrace_epcis::parse_document(
        &serde_json::to_vec(&document(&sample)).unwrap(),
        &lotrace_epcis::Limits::default(),
    )
    .expect("the synthetic events pass lotrace's validation");
}

fn main() {
    let count = env_usize("LOTRACE_BENCH_EVENTS", DEFAULT_EVENTS);
    let batch = env_usize("LOTRACE_BENCH_BATCH", DEFAULT_BATCH);
    if let Ok(step) = std::env::var(STEP_VARIABLE) {
        let (backend, what) = step.split_once(':').expect("backend:measure");
        let what = Measure::ALL
            .into_iter()
            .find(|m| format!("{m:?}") == what)
            .expect("a measure");
        let events = synthetic::events(0, count);
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(measure(backend, what, &events, batch));
        return;
    }

    let repeat = env_usize("LOTRACE_BENCH_REPEAT", 1).max(1);
    let only = std::env::var("LOTRACE_BENCH_ONLY").unwrap_or_default();
    check_generator();
    let sample = synthetic::events(0, 1_000);
    let body_bytes: usize = sample
        .iter()
        .map(|e| serde_json::to_string(e).unwrap().len())
        .sum();
    println!(
        "{count} synthetic events ({} bytes of JSON each on average); best of {repeat}",
        body_bytes / sample.len()
    );
    let mut backends = Vec::new();
    if only.is_empty() || only == "sqlite" {
        backends.push("sqlite");
    }
    if only.is_empty() || only == "postgres" {
        if postgres_server().is_some() {
            backends.push("postgres");
        } else {
            println!("postgres: skipped (set LOTRACE_BENCH_POSTGRES or LOTRACE_TEST_POSTGRES)");
        }
    }
    let me = std::env::current_exe().unwrap();
    for backend in backends {
        for what in Measure::ALL {
            let mut best: Option<(f64, u64)> = None;
            for _ in 0..repeat {
                let out = std::process::Command::new(&me)
                    .env(STEP_VARIABLE, format!("{backend}:{what:?}"))
                    .stderr(std::process::Stdio::inherit())
                    .output()
                    .unwrap();
                assert!(out.status.success(), "the {backend} {what:?} run failed");
                let text = String::from_utf8_lossy(&out.stdout);
                let line = text.lines().last().unwrap_or_default();
                let mut fields = line.split(' ');
                let seconds: f64 = fields.next().unwrap().parse().unwrap();
                let stored: u64 = fields.next().unwrap().parse().unwrap();
                if best.is_none_or(|(s, _)| seconds < s) {
                    best = Some((seconds, stored));
                }
            }
            let (seconds, stored) = best.unwrap();
            println!(
                "{backend:<9} {:<26} {count:>9} events {stored:>9} stored {seconds:>8.2} s {:>10.0} events/s",
                what.label(batch),
                count as f64 / seconds
            );
        }
    }
}
