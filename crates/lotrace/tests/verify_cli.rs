//! `lotrace verify`, `lotrace keys`, `lotrace trace --sign` and `lotrace verify-export`, run
//! as a user runs them: on a real SQLite file (and a PostgreSQL schema when
//! `LOTRACE_TEST_POSTGRES` names a server) edited behind lotrace's back with plain SQL.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::str::FromStr;

use common::lotrace;
use serde_json::Value;
use sqlx::Connection;

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} / {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

async fn sql(db: &str, statement: &str) {
    if db.starts_with("postgres") {
        let options = sqlx::postgres::PgConnectOptions::from_str(db).unwrap();
        let mut conn = sqlx::PgConnection::connect_with(&options).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    } else {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
}

/// The demo loaded into `db`; `verify` passes on it, in text and JSON.
fn demo_verifies(db: &str) -> Value {
    ok(&lotrace(db, &["demo"]));
    let text = ok(&lotrace(db, &["verify"]));
    assert!(
        text.starts_with("OK: 25 events verify; chain head "),
        "{text}"
    );
    let report = stdout_json(&lotrace(db, &["verify", "--json"]));
    assert_eq!(report["ok"], true);
    assert_eq!(report["chain"]["events"], 25);
    assert_eq!(report["chain"]["headSeq"], 25);
    assert_eq!(report["chain"]["head"].as_str().unwrap().len(), 64);
    report
}

/// `verify` fails, naming the event at `seq`, in text and in JSON.
fn verify_fails_at(db: &str, seq: i64) {
    let out = lotrace(db, &["verify"]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("breaks at log position {seq} (eventID urn:uuid:")),
        "{text}"
    );
    assert!(text.contains("expected chain hash"), "{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not verify"), "{stderr}");

    let out = lotrace(db, &["verify", "--json"]);
    assert!(!out.status.success());
    let report = stdout_json(&out);
    assert_eq!(report["ok"], false);
    assert_eq!(report["chain"]["broken"]["seq"], seq);
    assert_eq!(report["chain"]["events"], seq - 1);
}

async fn edits_are_found(fresh: impl Fn(&str) -> String) {
    let body = fresh("body");
    demo_verifies(&body);
    // The demo's events name quantities; one more digit in the 10th event's body.
    sql(
        &body,
        "UPDATE event SET body = replace(body, '\"quantity\":', '\"quantity\":9') WHERE seq = 10",
    )
    .await;
    verify_fails_at(&body, 10);

    let time = fresh("time");
    demo_verifies(&time);
    sql(
        &time,
        "UPDATE event SET record_time_us = record_time_us + 1000000 WHERE seq = 17",
    )
    .await;
    verify_fails_at(&time, 17);
}

#[tokio::test]
async fn verify_finds_an_edit_made_with_sql_in_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    edits_are_found(move |name| path.join(format!("{name}.db")).to_str().unwrap().to_owned()).await;
}

#[tokio::test]
async fn verify_finds_an_edit_made_with_sql_in_a_postgres_schema() {
    let server = match std::env::var("LOTRACE_TEST_POSTGRES") {
        Ok(v) if v == "1" => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
        Ok(v) if !v.is_empty() => v,
        _ => {
            eprintln!("skipping: set LOTRACE_TEST_POSTGRES to a server URL (or 1)");
            return;
        }
    };
    let prefix = format!("v_{}", uuid::Uuid::now_v7().simple());
    let mut schemas = Vec::new();
    for name in ["body", "time"] {
        let schema = format!("{prefix}_{name}");
        sql(&server, &format!("CREATE SCHEMA {schema}")).await;
        schemas.push(schema);
    }
    let joiner = if server.contains('?') { '&' } else { '?' };
    let base = server.clone();
    edits_are_found(move |name| format!("{base}{joiner}options[search_path]={prefix}_{name}"))
        .await;
    for schema in schemas {
        sql(&server, &format!("DROP SCHEMA {schema} CASCADE")).await;
    }
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_owned()
}

#[test]
fn keys_init_makes_a_private_key_file_and_never_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "site.db");
    let public = stdout_json(&lotrace(&db, &["keys", "init"]));
    assert_eq!(public["kty"], "OKP");
    assert_eq!(public["crv"], "Ed25519");
    assert!(public.get("d").is_none(), "the private key is not printed");
    let key_file = PathBuf::from(format!("{db}.signing-key.json"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = lotrace(&db, &["keys", "init"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    assert_eq!(stdout_json(&lotrace(&db, &["keys", "public"])), public);

    // A key file others can read is refused.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = lotrace(&db, &["keys", "public"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("chmod 600"));
    }
}

#[test]
fn a_signed_trace_export_verifies_and_a_flipped_byte_or_another_key_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "site.db");
    ok(&lotrace(&db, &["demo"]));
    let public = path(dir.path(), "public.json");
    std::fs::write(&public, ok(&lotrace(&db, &["keys", "init"]))).unwrap();

    let export = path(dir.path(), "trace.json");
    // A salad lot of the demo, as the inventory names it.
    let inventory = stdout_json(&lotrace(
        &db,
        &["inventory", "--product", "SALAD", "--json"],
    ));
    let lot = inventory[0]["lot"].as_str().unwrap().to_owned();
    let out = lotrace(
        &db,
        &[
            "trace",
            &lot,
            "--forward",
            "--json",
            "--output",
            &export,
            "--sign",
        ],
    );
    ok(&out);
    let signature = format!("{export}.sig");
    let trace: Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    assert!(trace["origin"].is_string(), "{trace}");
    let sig: Value = serde_json::from_slice(&std::fs::read(&signature).unwrap()).unwrap();
    assert_eq!(sig["algorithm"], "Ed25519");

    let verify = |file: &str, key: &str| {
        lotrace(
            &db,
            &[
                "verify-export",
                file,
                "--signature",
                &signature,
                "--public-key",
                key,
            ],
        )
    };
    let text = ok(&verify(&export, &public));
    assert!(text.starts_with("OK: "), "{text}");

    let mut bytes = std::fs::read(&export).unwrap();
    bytes[10] ^= 0x01;
    let flipped = path(dir.path(), "flipped.json");
    std::fs::write(&flipped, &bytes).unwrap();
    let out = verify(&flipped, &public);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does NOT verify"));

    let other_db = path(dir.path(), "other.db");
    let other = path(dir.path(), "other.json");
    std::fs::write(&other, ok(&lotrace(&other_db, &["keys", "init"]))).unwrap();
    let out = verify(&export, &other);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another key"));

    // --sign without a key says how to make one.
    let out = lotrace(
        &other_db,
        &[
            "trace",
            &lot,
            "--forward",
            "--output",
            &export,
            "--sign",
            "--key-file",
            &path(dir.path(), "absent.json"),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("keys init"));
}

/// `lotrace serve` publishes the public key at the well-known URL.
#[tokio::test]
async fn the_server_serves_the_public_key_at_the_well_known_url() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "site.db");
    let client = reqwest::Client::new();

    let server = serve(&db);
    let url = format!("{}/.well-known/lotrace/signing-key", server.1);
    let none = client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), 404);
    drop(server);

    let public = stdout_json(&lotrace(&db, &["keys", "init"]));
    let server = serve(&db);
    let url = format!("{}/.well-known/lotrace/signing-key", server.1);
    let served: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
    drop(server);
    assert_eq!(served, public);
}

/// A server process, killed (if still running) and reaped when dropped, also on a panic.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &str) -> (Server, String) {
    let mut child = Server(
        Command::new(env!("CARGO_BIN_EXE_lotrace"))
            .args(["--db", db, "serve", "--addr", "127.0.0.1:0"])
            .env("LOTRACE_LOG", "warn")
            .env_remove("LOTRACE_KEY_FILE")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap_or(0) > 0,
            "serve stopped before it printed its address"
        );
        if let Some(rest) = line.split("http://").nth(1) {
            let base = format!("http://{}", rest.split('/').next().unwrap());
            std::thread::spawn(move || for _ in stderr.lines() {});
            return (child, base);
        }
    }
}
