//! `lotrace epcis hash`, run as a user runs it: on the CBV 2.0 hash vectors of
//! `../shared/standards/epcis-hash` (a JSON-LD and an XML document), its output is the
//! expected `.hashes` (and with `--prehash` the `.prehashes`) file, line for line; bad input
//! exits non-zero naming the problem. Skips the vector checks when that folder is absent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn lotrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lotrace"))
        .args(args)
        .env("LOTRACE_LOG", "warn")
        .output()
        .expect("the lotrace binary runs")
}

fn vectors() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/epcis-hash");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.trim().is_empty()).collect()
}

fn check(file: &Path) {
    let path = file.to_str().unwrap();
    let out = lotrace(&["epcis", "hash", path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = std::fs::read_to_string(file.with_extension("hashes")).unwrap();
    let got = String::from_utf8(out.stdout).unwrap();
    assert_eq!(lines(&got), lines(&want), "{path}");
    assert!(
        lines(&got).len() > 1,
        "{path}: a vector with several events"
    );

    let out = lotrace(&["epcis", "hash", path, "--prehash"]);
    assert!(out.status.success());
    let want = std::fs::read_to_string(file.with_extension("prehashes")).unwrap();
    assert_eq!(
        lines(&String::from_utf8(out.stdout).unwrap()),
        lines(&want),
        "{path}"
    );
}

#[test]
fn hash_prints_the_expected_hash_ids_of_a_json_ld_document() {
    let Some(dir) = vectors() else { return };
    check(&dir.join("epcisDocWithVariousEventTypes.jsonld"));
}

#[test]
fn hash_prints_the_expected_hash_ids_of_an_xml_document() {
    let Some(dir) = vectors() else { return };
    check(&dir.join("epcisDocWithVariousEventTypes.xml"));
}

#[test]
fn hash_rejects_what_is_not_a_valid_document() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2'>",
    )
    .unwrap();
    let out = lotrace(&["epcis", "hash", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rejected") && err.contains("malformed XML"),
        "{err}"
    );

    let missing = dir.path().join("missing.jsonld");
    let out = lotrace(&["epcis", "hash", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
