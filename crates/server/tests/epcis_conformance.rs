//! Every example document of the standard (`../shared/standards/epcis/examples`, JSON-LD
//! and XML, EPCIS 2.0 and 1.2) through the HTTP interface: a valid one captures (202) and
//! queries back, as JSON-LD and as XML, with the same CBV 2.0 event hash IDs it had as
//! written; an invalid one is refused (400) naming a field. "Valid" is what the epcis crate
//! accepts (its own tests hold it to the standard); here the server must agree with it.
//! Skips with a message when the folder is absent.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::TestServer;
use lotrace_epcis::hash::document_hash_ids;
use lotrace_epcis::{Document, Limits, parse_document, parse_xml_document};
use serde_json::Value;

fn examples() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/epcis/examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "jsonld" | "xml")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Event documents and negative tests; not stored queries, capture job answers, bare
/// events or master data.
fn is_candidate(path: &Path) -> bool {
    let text = path.to_string_lossy();
    let excluded = [
        "/Queries/",
        "/CaptureJob/",
        "/Events/",
        "masterData",
        "masterdata",
    ];
    !excluded.iter().any(|p| text.contains(p))
        && !std::fs::read_to_string(path)
            .unwrap_or_default()
            .contains("EPCISMasterDataDocument")
}

fn is_xml(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("xml")
}

fn parse(bytes: &[u8], xml: bool) -> Result<Document, String> {
    let limits = Limits::default();
    if xml {
        parse_xml_document(bytes, &limits).map_err(|e| e.to_string())
    } else {
        parse_document(bytes, &limits).map_err(|e| e.to_string())
    }
}

fn hash_set(document: &Document) -> BTreeSet<String> {
    document_hash_ids(document).into_iter().collect()
}

async fn query_back(server: &TestServer, accept: &str) -> Result<Document, String> {
    let response = server
        .client
        .get(server.url("/epcis/events?perPage=1000"))
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    if response.status() != 200 {
        return Err(format!("query answered {}", response.status()));
    }
    if response.headers().get("link").is_some() {
        return Err("more than one page".into());
    }
    let bytes = response.bytes().await.unwrap();
    parse(&bytes, accept.contains("xml")).map_err(|e| format!("{accept} answer: {e}"))
}

#[tokio::test]
async fn every_example_captures_and_queries_back_with_equal_hash_ids() {
    let Some(root) = examples() else { return };
    let files: Vec<_> = files(&root)
        .into_iter()
        .filter(|p| is_candidate(p))
        .collect();
    let mut failures = Vec::new();
    let (mut valid, mut invalid, mut events) = (0, 0, 0);
    for file in &files {
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        let bytes = std::fs::read(file).unwrap();
        let xml = is_xml(file);
        let content_type = if xml {
            "application/xml"
        } else {
            "application/ld+json"
        };
        let server = TestServer::start().await;
        let response = server
            .client
            .post(server.url("/epcis/capture"))
            .header("content-type", content_type)
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        match parse(&bytes, xml) {
            Err(_) => {
                invalid += 1;
                let named = answer["errors"][0]["field"]
                    .as_str()
                    .is_some_and(|f| !f.is_empty());
                if status != 400 || !named {
                    failures.push(format!("{name}: invalid, but answered {status} {answer}"));
                }
            }
            Ok(document) => {
                valid += 1;
                if status != 202 {
                    failures.push(format!("{name}: valid, but answered {status} {answer}"));
                    server.stop().await;
                    continue;
                }
                let expected = hash_set(&document);
                events += expected.len();
                for accept in ["application/ld+json", "application/xml"] {
                    match query_back(&server, accept).await {
                        Ok(back) => {
                            let got = hash_set(&back);
                            if got != expected {
                                failures.push(format!(
                                    "{name} ({accept}): hash IDs differ\n  missing {:?}\n  extra {:?}",
                                    expected.difference(&got).collect::<Vec<_>>(),
                                    got.difference(&expected).collect::<Vec<_>>()
                                ));
                            }
                        }
                        Err(e) => failures.push(format!("{name}: {e}")),
                    }
                }
            }
        }
        server.stop().await;
    }
    eprintln!("{valid} valid documents ({events} events), {invalid} invalid");
    assert!(
        failures.is_empty(),
        "{} of {} documents failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    assert!(valid > 100, "only {valid} valid documents found");
    assert!(invalid > 10, "only {invalid} invalid documents found");
    assert!(events > 150, "only {events} events");
}
