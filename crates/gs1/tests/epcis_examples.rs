//! Every identifier in the public EPCIS example documents canonicalises, except the few that
//! break GS1 rules (listed below with the reason). Reads `shared/standards` in place and
//! skips when it is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lotrace_gs1::{IdKind, canonicalize};

fn examples_dir() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/epcis/examples");
    dir.is_dir().then_some(dir)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // Documents under `Invalid/` are negative tests of EPCIS, not of identifiers.
            if path.file_name().is_some_and(|n| n == "Invalid") {
                continue;
            }
            files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "jsonld" | "xml")
        ) {
            out.push(path);
        }
    }
}

/// The URIs that start with `urn:epc:` or `http` in a document's text, up to the first
/// character that ends a value in JSON or XML.
fn candidate_uris(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for start in ["urn:epc:", "http://", "https://"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let begin = from + i;
            let end = text[begin..]
                .find(|c: char| c == '"' || c == '<' || c == '>' || c == '\'' || c.is_whitespace())
                .map_or(text.len(), |e| begin + e);
            out.push(text[begin..end].to_owned());
            from = end.max(begin + 1);
        }
    }
    out
}

/// Identifiers in the examples that are not valid GS1 identifiers, and why.
const KNOWN_BAD: &[(&str, &str)] = &[
    (
        "https://id.example.com/8003/952012200000001004",
        "AI (8003) starts with a zero digit; this value starts with 9",
    ),
    (
        "https://id.example.com/8003/039123450007718765",
        "the GRAI 3912345000771 should have check digit 5, not 1",
    ),
    (
        "https://id.example.com/8003/030013450007718765",
        "the GRAI 3001345000771 should have check digit 6, not 1",
    ),
    (
        "https://id.gs1.org/8003/030013450007718765",
        "the GRAI 3001345000771 should have check digit 6, not 1",
    ),
    (
        "https://id.gs1.org/414/9521141123452",
        "the GLN 952114112345 should have check digit 4, not 2 (a query parameter value)",
    ),
];

#[test]
fn every_identifier_in_the_examples_canonicalises() {
    let Some(dir) = examples_dir() else {
        println!("skipped: shared/standards/epcis/examples not found");
        return;
    };
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    assert!(
        paths.len() > 50,
        "expected the example documents in {dir:?}"
    );
    let mut seen = BTreeSet::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        for uri in candidate_uris(&text) {
            seen.insert(uri);
        }
    }
    let mut gs1 = 0;
    let mut bad_seen = BTreeSet::new();
    let mut unexpected = Vec::new();
    for uri in &seen {
        match canonicalize(uri) {
            Ok(id) => {
                if id.kind != IdKind::Other {
                    gs1 += 1;
                    // The canonical form is stable.
                    assert_eq!(canonicalize(&id.canonical).unwrap(), id, "{uri}");
                }
            }
            Err(e) => {
                if KNOWN_BAD.iter().any(|(bad, _)| bad == uri) {
                    bad_seen.insert(uri.clone());
                } else {
                    unexpected.push(format!("{uri}: {e}"));
                }
            }
        }
    }
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
    assert_eq!(
        bad_seen.len(),
        KNOWN_BAD.len(),
        "every known-bad URI still appears"
    );
    assert!(gs1 > 150, "only {gs1} GS1 identifiers found");
}

#[test]
fn known_bad_example_identifiers_are_rejected_for_the_stated_reason() {
    for (uri, _) in KNOWN_BAD {
        let err = canonicalize(uri).unwrap_err().to_string();
        assert!(
            err.starts_with("AI (8003) GRAI") || err.starts_with("AI (414) LOC No."),
            "{uri}: {err}"
        );
    }
}

#[test]
fn urn_and_digital_link_spellings_in_the_examples_agree() {
    // Both spellings of this lot appear in the examples.
    let urn = canonicalize("urn:epc:class:lgtin:4012345.012345.998877").unwrap();
    let dl = canonicalize("https://id.gs1.org/01/04012345123456/10/998877").unwrap();
    assert_eq!(urn, dl);
    let urn = canonicalize("urn:epc:idpat:sgtin:4012345.098765.*").unwrap();
    let dl = canonicalize("https://id.gs1.org/01/04012345987652").unwrap();
    assert_eq!(urn, dl);
}
