//! The `lotrace` binary, run as a user runs it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::lotrace;
use serde_json::{Value, json};

fn write_doc(dir: &Path, name: &str, events: Value) -> PathBuf {
    let path = dir.join(name);
    let doc = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T00:00:00Z",
        "epcisBody": { "eventList": events },
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    path
}

fn event(n: u32) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventID": format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
        "eventTime": "2026-03-01T08:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": ["urn:epc:id:sscc:0614141.1234567890"],
    })
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn import_reports_read_stored_and_already_present() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let a = write_doc(dir.path(), "a.jsonld", json!([event(1), event(2)]));
    let b = write_doc(dir.path(), "b.jsonld", json!([event(2), event(3)]));

    let first = stdout_json(&lotrace(&db, &["import", "--json", a.to_str().unwrap()]));
    assert_eq!(first["eventsRead"], 2);
    assert_eq!(first["eventsStored"], 2);

    let second = stdout_json(&lotrace(
        &db,
        &["import", "--json", a.to_str().unwrap(), b.to_str().unwrap()],
    ));
    assert_eq!(second["eventsRead"], 4);
    assert_eq!(second["eventsStored"], 1);
    assert_eq!(second["eventsAlreadyPresent"], 3);
    assert_eq!(second["files"].as_array().unwrap().len(), 2);

    let plain = lotrace(&db, &["import", b.to_str().unwrap()]);
    assert!(plain.status.success());
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(
        text.contains("2 events read, 0 stored, 2 already present"),
        "{text}"
    );
}

#[test]
fn an_invalid_file_is_named_with_the_event_and_field_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let good = write_doc(dir.path(), "good.jsonld", json!([event(1)]));
    let mut broken = event(5);
    broken["eventTimeZoneOffset"] = json!("25:00");
    let bad = write_doc(dir.path(), "bad.jsonld", json!([event(4), broken]));

    let output = lotrace(
        &db,
        &["import", good.to_str().unwrap(), bad.to_str().unwrap()],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("bad.jsonld"), "{stderr}");
    assert!(stderr.contains("event 1"), "{stderr}");
    assert!(stderr.contains("eventTimeZoneOffset"), "{stderr}");

    // Not even the good file went in.
    let again = stdout_json(&lotrace(&db, &["import", "--json", good.to_str().unwrap()]));
    assert_eq!(again["eventsStored"], 1);
}

#[test]
fn a_wrong_check_digit_in_any_file_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let good = write_doc(dir.path(), "good.jsonld", json!([event(1)]));
    let mut broken = event(6);
    // 09521234543213 is a valid GTIN; a last digit of 4 is a typo.
    broken["epcList"] = json!(["https://id.gs1.org/01/09521234543214/21/A1"]);
    let bad = write_doc(dir.path(), "typo.jsonld", json!([broken]));

    let output = lotrace(
        &db,
        &["import", good.to_str().unwrap(), bad.to_str().unwrap()],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("typo.jsonld"), "{stderr}");
    assert!(stderr.contains("event 0"), "{stderr}");
    assert!(stderr.contains("epcList[0]"), "{stderr}");
    assert!(stderr.contains("check digit"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");

    let again = stdout_json(&lotrace(&db, &["import", "--json", good.to_str().unwrap()]));
    assert_eq!(
        again["eventsStored"], 1,
        "the good file was not stored before"
    );
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = lotrace(
        dir.path().join("x.db"),
        &["import", "/nonexistent/file.jsonld"],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/file.jsonld"));
}

#[test]
fn demo_loads_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let first = lotrace(&db, &["demo"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8(first.stdout).unwrap();
    assert!(text.contains("demo supply chain: 25 events"), "{text}");
    let second = String::from_utf8(lotrace(&db, &["demo"]).stdout).unwrap();
    assert!(second.contains("loaded already (25 events"), "{second}");

    // FreshCut's part came from operations: master data, lots numbered by template, stock.
    let products = lotrace(&db, &["product", "list"]);
    assert!(String::from_utf8_lossy(&products.stdout).contains("Garden salad mix"));
    let stock = stdout_json(&lotrace(
        &db,
        &["inventory", "--product", "SALAD", "--json"],
    ));
    let rows = stock.as_array().unwrap();
    assert!(!rows.is_empty(), "{stock}");
    assert!(
        rows.iter()
            .all(|r| r["lot"].as_str().unwrap().contains("/10/GSM-")),
        "{stock}"
    );
    // 1000 + 1050 kg of salad made, all shipped on: 600 + 400 at two stores, 150 + 900 at the DC.
    let total: f64 = rows
        .iter()
        .map(|r| {
            r["quantity"]
                .as_str()
                .map_or_else(|| r["quantity"].as_f64().unwrap(), |s| s.parse().unwrap())
        })
        .sum();
    assert_eq!(total, 2050.0, "{stock}");
}

#[cfg(unix)]
#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lotrace"))
        .arg("--db")
        .arg(&db)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .env("LOTRACE_LOG", "warn")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut addr = None;
    for _ in 0..10 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.split("http://").nth(1) {
            addr = Some(rest.split('/').next().unwrap().to_owned());
            break;
        }
    }
    let addr = addr.expect("serve prints its address");
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"events\":25"), "{response}");

    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
}

#[test]
fn serve_refuses_limits_out_of_range_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limits.db");
    for (flag, value) in [
        ("--max-connections", "0"),
        ("--max-connections", "many"),
        ("--request-timeout-ms", "5"),
    ] {
        let out = lotrace(&db, &["serve", flag, value]);
        assert!(!out.status.success(), "{flag} {value} was taken");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
    assert!(!db.exists(), "nothing was opened, let alone served");
}
