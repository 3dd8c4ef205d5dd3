//! Property test: an event's hash ID does not depend on how its JSON is written. Every
//! JSON-LD document of the published hash vectors (`../shared/standards/epcis-hash`, read in
//! place) is written again with the members of every object in a random order and random
//! whitespace; each event must read back with the same hash ID. Skips with a message when
//! that folder is absent.

use std::path::Path;
use std::sync::OnceLock;

use lotrace_epcis::{Limits, event_hash_id, parse_document};
use proptest::prelude::*;
use serde_json::Value;

/// (file name, document, its events' hash IDs as written), read once.
fn documents() -> &'static [(String, Value, Vec<String>)] {
    static DOCUMENTS: OnceLock<Vec<(String, Value, Vec<String>)>> = OnceLock::new();
    DOCUMENTS.get_or_init(read_documents)
}

fn read_documents() -> Vec<(String, Value, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/epcis-hash");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} is absent", dir.display());
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut paths: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        if path.extension().and_then(|e| e.to_str()) != Some("jsonld") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        // Vectors this reader refuses (on purpose, for rules the hash ignores) prove nothing here.
        let Ok(document) = parse_document(&bytes, &Limits::default()) else {
            continue;
        };
        let hashes = document.events.iter().map(event_hash_id).collect();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, serde_json::from_slice(&bytes).unwrap(), hashes));
    }
    out
}

/// SplitMix64: a small, seedable sequence, enough to pick orders.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn space(&mut self) -> &'static str {
        ["", " ", "\n", "\t ", "\r\n  "][self.below(5)]
    }
}

/// `value` as JSON text, each object's members shuffled, with random whitespace.
fn write_shuffled(value: &Value, mix: &mut Mix, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            for i in (1..members.len()).rev() {
                members.swap(i, mix.below(i + 1));
            }
            out.push('{');
            for (i, (key, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(mix.space());
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(mix.space());
                out.push(':');
                out.push_str(mix.space());
                write_shuffled(member, mix, out);
            }
            out.push_str(mix.space());
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(mix.space());
                write_shuffled(item, mix, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[test]
fn the_vectors_are_there_to_shuffle() {
    let docs = documents();
    if Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/standards/epcis-hash")
        .is_dir()
    {
        assert!(docs.len() >= 5, "only {} documents read", docs.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn hash_ids_do_not_depend_on_member_order_or_whitespace(pick in any::<usize>(), seed in any::<u64>()) {
        let docs = documents();
        if docs.is_empty() {
            return Ok(());
        }
        let (name, value, hashes) = &docs[pick % docs.len()];
        let mut text = String::new();
        write_shuffled(value, &mut Mix(seed), &mut text);
        let again = parse_document(text.as_bytes(), &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{name} reordered: {e}")))?;
        let again: Vec<String> = again.events.iter().map(event_hash_id).collect();
        prop_assert_eq!(&again, hashes, "{}", name);
    }
}
