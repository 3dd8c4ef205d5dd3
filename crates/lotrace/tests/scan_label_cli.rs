//! `lotrace scan` and `lotrace label`, run as a user runs them.

use std::process::{Command, Output};

use serde_json::{Value, json};

fn lotrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lotrace"))
        .args(args)
        .env("LOTRACE_LOG", "warn")
        .output()
        .expect("the lotrace binary runs")
}

#[test]
fn scan_json_prints_one_object_and_exits_0() {
    let out = lotrace(&["scan", "(01)09520123456788(10)ABC123(17)251231", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(
        v["ais"],
        json!([
            { "ai": "01", "value": "09520123456788", "title": "GTIN" },
            { "ai": "10", "value": "ABC123", "title": "BATCH/LOT" },
            { "ai": "17", "value": "251231", "title": "USE BY or EXPIRY" },
        ])
    );
    assert_eq!(
        v["element_string"],
        "010952012345678810ABC123\u{1d}17251231"
    );
    assert_eq!(
        v["identifiers"][0]["canonical"],
        "https://id.gs1.org/01/09520123456788/10/ABC123"
    );
}

#[test]
fn scan_of_scanner_output_with_gs() {
    let out = lotrace(&["scan", "]d2010952012345678810ABC123{GS}17251231", "--json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["symbology"]["identifier"], "]d2");
    assert_eq!(v["ais"][2]["ai"], "17");
}

#[test]
fn invalid_scan_exits_1_naming_the_ai_rule_and_position() {
    let out = lotrace(&["scan", "(01)09520123456789", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"]["ai"], "01");
    assert_eq!(v["error"]["rule"], "INCORRECT_CHECK_DIGIT");
    assert_eq!(v["error"]["position"], 14);
    let out = lotrace(&["scan", "(01)09520123456789"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("invalid:"), "{text}");
    assert!(text.contains("INCORRECT_CHECK_DIGIT"), "{text}");
}

#[test]
fn label_writes_each_format() {
    let dir = tempfile::tempdir().unwrap();
    for (format, magic) in [
        ("pdf", &b"%PDF-"[..]),
        ("png", &b"\x89PNG"[..]),
        ("svg", &b"<?xml"[..]),
        ("zpl", &b"^XA"[..]),
    ] {
        let path = dir.path().join(format!("label.{format}"));
        let out = lotrace(&[
            "label",
            "--format",
            format,
            "--symbol",
            "datamatrix",
            "--gtin",
            "09520123456788",
            "--lot",
            "L24-117",
            "--expiry",
            "2025-12-31",
            "--quantity",
            "12 x 500 g",
            "--name",
            "Tomatoes",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(magic), "{format}");
    }
    // A pallet label, on A4 sheets, two copies.
    let path = dir.path().join("pallet.pdf");
    let out = lotrace(&[
        "label",
        "--sscc",
        "952012345678912345",
        "--gtin",
        "09520123456788",
        "--quantity",
        "80",
        "--lot",
        "L1",
        "--symbol",
        "gs1-128",
        "--sheet",
        "a4",
        "--copies",
        "2",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A bad check digit: nothing written, the field and rule named, exit non-zero.
    let path = dir.path().join("bad.pdf");
    let out = lotrace(&[
        "label",
        "--gtin",
        "09520123456789",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gtin") && err.contains("check digit"), "{err}");
    assert!(!path.exists());
}

#[test]
fn a_scan_with_a_database_says_what_lotrace_knows_of_the_lot() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("scan.db");
    let db = db.to_str().unwrap();
    let demo = lotrace(&["--db", db, "demo"]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    // The demo's carrots: 1,500 kg received, 1,300 kg used, and 500 kg still at the farm.
    let out = lotrace(&[
        "--db",
        db,
        "scan",
        "(01)00012345444449(10)CAR-2611-07",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lot = &v["lots"][0];
    assert_eq!(
        lot["id"], "https://id.gs1.org/01/00012345444449/10/CAR-2611-07",
        "{v}"
    );
    assert_eq!(lot["known"], true, "{v}");
    assert_eq!(lot["status"], "released", "{v}");
    assert_eq!(lot["uom"], "KGM", "{v}");
    let unknown = lotrace(&["--db", db, "scan", "(01)00012345444449(10)NOPE"]);
    let text = String::from_utf8(unknown.stdout).unwrap();
    assert!(text.contains("not in the store"), "{text}");
    // Without a database a scan still works, and creates none.
    let elsewhere = dir.path().join("absent.db");
    let out = lotrace(&[
        "--db",
        elsewhere.to_str().unwrap(),
        "scan",
        "(01)00012345444449(10)X",
        "--json",
    ]);
    assert!(out.status.success());
    assert!(!elsewhere.exists());
}
