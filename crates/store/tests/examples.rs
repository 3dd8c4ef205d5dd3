//! Every valid EPCIS example document of the standard imports into a real store (SQLite,
//! and PostgreSQL when configured) and reads back with the same meaning. Reads
//! `../shared/standards` in place; skips without it.

mod common;

use std::path::{Path, PathBuf};

use common::TestStore;
use lotrace_epcis::{Limits, parse_document};

fn standards() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/epcis/examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "jsonld")
        ) {
            out.push(path);
        }
    }
}

/// The valid JSON documents: every JSON example except the negative tests, the bare events
/// (not documents) and the query definitions (not documents either).
fn valid_documents(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    json_files(&root.join("gs1-epcis/JSON"), &mut files);
    json_files(
        &root.join("openepcis/2.0/EPCIS/JSON/Capture/Documents"),
        &mut files,
    );
    files.sort();
    files
}

async fn every_valid_example_document_imports_and_reads_back(t: TestStore) {
    let Some(root) = standards() else { return };
    let store = &t.store;
    let files = valid_documents(&root);
    assert!(
        files.len() > 40,
        "found only {} example documents",
        files.len()
    );
    let mut imported = 0;
    let mut events_checked = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        // Which documents are valid is the epcis crate's to test (its standard_examples
        // test names each rejected one and why); here every valid one must store.
        let Ok(document) = parse_document(&bytes, &Limits::default()) else {
            continue;
        };
        imported += 1;
        let source = file.display().to_string();
        let receipt = store
            .capture(document.events.clone(), &source)
            .await
            .unwrap();
        assert_eq!(receipt.job.events_read as usize, document.events.len());
        // Events named in earlier documents may already be present (examples reuse eventIDs).
        for stored in &receipt.stored {
            let id = stored.event_id.as_deref().unwrap();
            let declared = stored.error_declaration.is_some();
            let back = store.events_by_id(id).await.unwrap();
            let back = back
                .iter()
                .find(|b| b.event.error_declaration.is_some() == declared)
                .unwrap_or_else(|| panic!("{source}: event {id} not found"));
            assert_eq!(
                &back.event, stored,
                "{source}: event {id} changed in the store"
            );
            events_checked += 1;
        }
        for original in document.events.iter().filter(|e| e.event_id.is_some()) {
            let same = |s: &&lotrace_epcis::Event| {
                s.event_id == original.event_id
                    && s.error_declaration.is_some() == original.error_declaration.is_some()
            };
            if let Some(stored) = receipt.stored.iter().find(same) {
                let mut expected = original.clone();
                expected.record_time = stored.record_time.clone();
                assert_eq!(&expected, stored, "{source}: only recordTime may change");
            }
        }
    }
    assert!(imported > 40, "only {imported} documents imported");
    assert!(events_checked > 50, "only {events_checked} events checked");
}

on_both_backends!(every_valid_example_document_imports_and_reads_back);
