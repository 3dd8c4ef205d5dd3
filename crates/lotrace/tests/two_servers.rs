//! Two `lotrace serve` processes on one PostgreSQL database: what one captures, the other
//! traces within a second. Runs when `LOTRACE_TEST_POSTGRES` names a server (CI sets it).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::Connection;

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// How long the other server may take to see a capture.
const FOLLOW_DEADLINE_MS: u64 = 1_000;

fn postgres_url() -> Option<String> {
    match std::env::var("LOTRACE_TEST_POSTGRES") {
        Ok(v) if v == "1" => Some(DEFAULT_POSTGRES_URL.to_owned()),
        Ok(v) if !v.is_empty() => Some(v),
        _ => None,
    }
}

async fn execute(server: &str, sql: String) {
    let options = sqlx::postgres::PgConnectOptions::from_str(server).unwrap();
    let mut conn = sqlx::PgConnection::connect_with(&options)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {server}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// A server process, stopped with SIGTERM when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lotrace"))
            .args(["--db", db, "serve", "--addr", "127.0.0.1:0"])
            .env("LOTRACE_LOG", "warn")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the lotrace binary runs");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut base = None;
        for _ in 0..20 {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(rest) = line.split("http://").nth(1) {
                base = Some(format!("http://{}", rest.split('/').next().unwrap()));
                break;
            }
        }
        let base = base.expect("serve prints its address");
        // Keep reading stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in stderr.lines() {});
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn document(events: Value) -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": events },
    })
}

const FLOUR: &str = "urn:epc:class:lgtin:4012345.012345";
const BREAD: &str = "urn:epc:class:lgtin:4012345.054321";
const CRUMBS: &str = "urn:epc:class:lgtin:4012345.099999";

/// Lot class `input` made into lot class `output`.
fn transformation(n: u32, input: &str, output: &str) -> Value {
    json!({
        "type": "TransformationEvent",
        "eventID": format!("urn:uuid:7b000000-0000-4000-8000-{n:012}"),
        "eventTime": "2026-11-02T06:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "bizStep": "commissioning",
        "inputQuantityList": [{ "epcClass": input, "quantity": 50, "uom": "KGM" }],
        "outputQuantityList": [{ "epcClass": output, "quantity": 400, "uom": "H87" }],
    })
}

async fn capture(client: &reqwest::Client, server: &Server, doc: &Value) {
    let response = client
        .post(format!("{}/epcis/capture", server.base))
        .header("content-type", "application/ld+json")
        .body(serde_json::to_vec(doc).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202, "{}", response.text().await.unwrap());
}

/// Polls the forward trace of `origin` on `server` until it names `expected`; returns how
/// long that took. Panics past the deadline.
async fn wait_for_trace(
    client: &reqwest::Client,
    server: &Server,
    origin: &str,
    expected: &str,
) -> Duration {
    let started = Instant::now();
    let deadline = Duration::from_millis(FOLLOW_DEADLINE_MS);
    let mut last = Value::Null;
    while started.elapsed() < deadline {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/trace", server.base),
            [("id", origin), ("direction", "forward")],
        )
        .unwrap();
        let response = client.get(url).send().await.unwrap();
        if response.status() == 200 {
            last = response.json().await.unwrap();
            if last["lots"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == expected)
            {
                return started.elapsed();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{origin} was not traced to {expected} within {FOLLOW_DEADLINE_MS} ms: {last}");
}

#[tokio::test]
async fn a_capture_on_one_server_is_traceable_on_the_other_within_a_second() {
    let Some(server_url) = postgres_url() else {
        eprintln!("skipping: set LOTRACE_TEST_POSTGRES to a PostgreSQL server URL (or 1)");
        return;
    };
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    execute(&server_url, format!("CREATE SCHEMA {schema}")).await;
    let joiner = if server_url.contains('?') { '&' } else { '?' };
    let db = format!("{server_url}{joiner}options[search_path]={schema}");

    let result = tokio::spawn({
        let db = db.clone();
        async move {
            let (a, b) = (Server::start(&db), Server::start(&db));
            let client = reqwest::Client::new();
            capture(
                &client,
                &a,
                &document(json!([transformation(
                    1,
                    &format!("{FLOUR}.F1"),
                    &format!("{BREAD}.B1")
                )])),
            )
            .await;
            wait_for_trace(
                &client,
                &b,
                "https://id.gs1.org/01/04012345123456/10/F1",
                "https://id.gs1.org/01/04012345543216/10/B1",
            )
            .await;
            // And the other way round, extending the same genealogy.
            capture(
                &client,
                &b,
                &document(json!([transformation(
                    2,
                    &format!("{BREAD}.B1"),
                    &format!("{CRUMBS}.C1")
                )])),
            )
            .await;
            wait_for_trace(
                &client,
                &a,
                &format!("{FLOUR}.F1"),
                "https://id.gs1.org/01/04012345999990/10/C1",
            )
            .await;
        }
    })
    .await;
    execute(&server_url, format!("DROP SCHEMA {schema} CASCADE")).await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic.into_panic());
    }
}
