//! Signed recall exports, as a site and its partner use them: `lotrace recall export ...
//! --sign` (CSV, XLSX, PDF) and `lotrace export epcis --recall ... --sign` write a detached
//! signature beside the file; `lotrace verify-export` accepts the file as written and refuses
//! it with one byte changed. A real SQLite file with the demo data, the real binary.

mod common;

use std::path::Path;
use std::process::Output;

use common::lotrace;
use serde_json::Value;

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_owned()
}

/// The demo in `db`, a site key, and recall R-00001 of a salad lot; the public key's file.
fn site_with_a_recall(dir: &Path, db: &str) -> String {
    ok(&lotrace(db, &["demo"]));
    let public = path(dir, "public.json");
    std::fs::write(&public, ok(&lotrace(db, &["keys", "init"]))).unwrap();
    let inventory: Value = serde_json::from_str(&ok(&lotrace(
        db,
        &["inventory", "--product", "SALAD", "--json"],
    )))
    .unwrap();
    let lot = inventory[0]["lot"].as_str().unwrap().to_owned();
    let view: Value = serde_json::from_str(&ok(&lotrace(
        db,
        &[
            "recall", "start", "--lot", &lot, "--reason", "listeria", "--json",
        ],
    )))
    .unwrap();
    assert_eq!(view["recall"]["id"], "R-00001", "{view}");
    public
}

/// `file` verifies against `public` with its `.sig`; with one byte changed it does not.
fn verifies_and_a_changed_byte_does_not(db: &str, dir: &Path, file: &str, public: &str) {
    let signature = format!("{file}.sig");
    let sig: Value = serde_json::from_slice(&std::fs::read(&signature).unwrap()).unwrap();
    assert_eq!(sig["algorithm"], "Ed25519");
    let bytes = std::fs::read(file).unwrap();
    assert_eq!(sig["bytes"], bytes.len());
    let verify = |file: &str| {
        lotrace(
            db,
            &[
                "verify-export",
                file,
                "--signature",
                &signature,
                "--public-key",
                public,
            ],
        )
    };
    let text = ok(&verify(file));
    assert!(text.starts_with("OK: "), "{text}");

    let mut changed = bytes.clone();
    let at = changed.len() / 2;
    changed[at] ^= 0x01;
    let name = Path::new(file).file_name().unwrap().to_str().unwrap();
    let tampered = path(dir, &format!("tampered-{name}"));
    std::fs::write(&tampered, &changed).unwrap();
    let out = verify(&tampered);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{file}: a changed byte must fail"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does NOT verify"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn signed_recall_exports_verify_and_a_changed_byte_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "site.db");
    let public = site_with_a_recall(dir.path(), &db);

    for format in ["csv", "xlsx", "pdf"] {
        let file = path(dir.path(), &format!("recall.{format}"));
        let text = ok(&lotrace(
            &db,
            &[
                "recall", "export", "R-00001", "--format", format, "-o", &file, "--sign",
            ],
        ));
        assert!(text.contains("signed it in"), "{text}");
        verifies_and_a_changed_byte_does_not(&db, dir.path(), &file, &public);
    }

    let epcis = path(dir.path(), "recall-epcis.json");
    ok(&lotrace(
        &db,
        &[
            "export", "epcis", "--recall", "R-00001", "--output", &epcis, "--sign",
        ],
    ));
    let document: Value = serde_json::from_slice(&std::fs::read(&epcis).unwrap()).unwrap();
    assert_eq!(document["type"], "EPCISDocument", "{document}");
    verifies_and_a_changed_byte_does_not(&db, dir.path(), &epcis, &public);
}

#[test]
fn an_unsigned_recall_export_writes_no_signature_and_a_missing_key_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(dir.path(), "site.db");
    site_with_a_recall(dir.path(), &db);

    let plain = path(dir.path(), "plain.csv");
    ok(&lotrace(
        &db,
        &[
            "recall", "export", "R-00001", "--format", "csv", "-o", &plain,
        ],
    ));
    assert!(Path::new(&plain).exists());
    assert!(!Path::new(&format!("{plain}.sig")).exists());

    // --sign with a key file that is not there fails before anything is written.
    let absent = path(dir.path(), "absent.json");
    for args in [
        vec![
            "recall",
            "export",
            "R-00001",
            "--format",
            "csv",
            "-o",
            "OUT",
            "--sign",
            "--key-file",
            &absent,
        ],
        vec![
            "export",
            "epcis",
            "--recall",
            "R-00001",
            "--output",
            "OUT",
            "--sign",
            "--key-file",
            &absent,
        ],
    ] {
        let out_file = path(dir.path(), "never.out");
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "OUT" { out_file.as_str() } else { a })
            .collect();
        let out = lotrace(&db, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("keys init"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!Path::new(&out_file).exists(), "{args:?} wrote a file");
    }

    // export epcis --sign needs a file to sign.
    let out = lotrace(&db, &["export", "epcis", "--recall", "R-00001", "--sign"]);
    assert!(!out.status.success());
}
