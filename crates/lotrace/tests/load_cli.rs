//! `lotrace bench --load`, bounded: a few clients for a few seconds against a real server
//! on 127.0.0.1, on a fresh SQLite file and (when `LOTRACE_TEST_POSTGRES` names a server) a
//! PostgreSQL schema of its own. Correctness only: nothing acknowledged is lost or stored
//! twice, no 5xx, every query and trace finds what its client captured. The timings the
//! run prints are not checked: figures come from benchmarks, not tests.

use std::process::{Command, Output};
use std::str::FromStr;

use serde_json::Value;
use sqlx::Connection;

fn load(db: Option<&str>, clients: &str, duration_s: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lotrace"));
    if let Some(db) = db {
        command.args(["--db", db]);
    }
    command
        .args([
            "bench",
            "--load",
            "--clients",
            clients,
            "--duration-s",
            duration_s,
            "--json",
        ])
        .env("LOTRACE_LOG", "warn")
        .env_remove("LOTRACE_DB")
        .output()
        .expect("the lotrace binary runs")
}

/// The report of a run that must pass, checked for what a pass means.
fn passed(output: &Output, clients: u64) -> Value {
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} / {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(output.status.success(), "{report:#}");
    assert_eq!(report["passed"], true, "{report:#}");
    assert_eq!(report["clients"], clients);
    for field in [
        "server_errors_5xx",
        "unexpected_statuses",
        "transport_errors",
        "wrong_answers",
        "lost_events",
        "duplicated_events",
    ] {
        assert_eq!(report[field], 0, "{field}: {report:#}");
    }
    let acknowledged = report["events_acknowledged"].as_u64().unwrap();
    let per_capture = report["events_per_capture"].as_u64().unwrap();
    let kinds = report["kinds"].as_array().unwrap();
    let count = |kind: &str| {
        kinds.iter().find(|k| k["kind"] == kind).unwrap()["requests"]
            .as_u64()
            .unwrap()
    };
    // Every client captured at least once, and each acknowledged capture was followed by
    // one query and one trace (the deadline is checked only before a capture, so every
    // round is whole).
    assert!(count("capture") >= clients, "{report:#}");
    assert_eq!(acknowledged, count("capture") * per_capture, "{report:#}");
    assert_eq!(count("query"), count("capture"), "{report:#}");
    assert_eq!(count("trace"), count("capture"), "{report:#}");
    report
}

#[test]
fn eight_clients_lose_nothing_on_sqlite() {
    let report = passed(&load(None, "8", "3"), 8);
    assert_eq!(report["backend"], "sqlite");
}

#[test]
fn bad_options_are_refused_by_name() {
    for (clients, duration, name) in [("0", "3", "--clients"), ("8", "0", "--duration-s")] {
        let out = load(None, clients, duration);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(name), "{stderr}");
    }
}

#[tokio::test]
async fn eight_clients_lose_nothing_on_postgres() {
    let server = match std::env::var("LOTRACE_TEST_POSTGRES") {
        Ok(v) if v == "1" => "postgres://postgres@127.0.0.1:5432/test".to_owned(),
        Ok(v) if !v.is_empty() => v,
        _ => {
            eprintln!("skipping: set LOTRACE_TEST_POSTGRES to a server URL (or 1)");
            return;
        }
    };
    let schema = format!("l_{}", uuid::Uuid::now_v7().simple());
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
    let db = format!("{server}{joiner}options[search_path]={schema}");
    let output = tokio::task::spawn_blocking(move || load(Some(&db), "8", "3"))
        .await
        .unwrap();
    execute(format!("DROP SCHEMA {schema} CASCADE")).await;
    let report = passed(&output, 8);
    assert_eq!(report["backend"], "postgres");
}
