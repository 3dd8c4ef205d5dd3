//! `lotrace import` of spreadsheets and `lotrace import template`, run as a user runs them:
//! every template written by the CLI imports and reads back (through `lotrace ... show`,
//! `lotrace lot`) equal to its rows; a bad file exits non-zero listing each error by row
//! and column and changes nothing; EPCIS documents still import as before.

mod common;

use std::path::Path;
use std::process::Output;

use common::lotrace;
use lotrace_sheet::{Format, Kind, Limits};
use serde_json::{Value, json};

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// Events and master records in the store.
fn counts(db: &Path) -> (Value, usize) {
    let health = json_of(&lotrace(db, &["verify", "--json"]));
    let mut records = 0;
    for kind in ["product", "location", "party"] {
        let list = json_of(&lotrace(db, &[kind, "list", "--json"]));
        records += list.as_array().map_or(0, Vec::len);
    }
    (health["chain"].clone(), records)
}

#[test]
fn every_cli_template_imports_and_reads_back_equal_to_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for (i, kind) in Kind::ALL.into_iter().enumerate() {
        // Alternate formats: each kind once as XLSX or CSV written by the CLI.
        let format = if i % 2 == 0 {
            Format::Xlsx
        } else {
            Format::Csv
        };
        let file = dir.path().join(format!("{kind}.{}", format.extension()));
        let out = lotrace(
            &db,
            &[
                "import",
                "template",
                kind.as_str(),
                "--format",
                format.extension(),
                "--output",
                file.to_str().unwrap(),
            ],
        );
        ok(&out);
        let bytes = std::fs::read(&file).unwrap();
        let expected = match format {
            Format::Csv => lotrace_sheet::template_csv(kind),
            Format::Xlsx => {
                // XLSX files carry a creation time; compare what they hold.
                assert!(bytes.starts_with(b"PK\x03\x04"));
                bytes.clone()
            }
        };
        assert_eq!(bytes, expected);
        let rows = lotrace_sheet::read(&bytes, format, None, &Limits::default())
            .unwrap()
            .remove(0)
            .rows;

        // The kind is inferred (sheet name or header row) unless given.
        let mut args = vec!["import", file.to_str().unwrap(), "--json"];
        if i % 3 == 0 {
            args.extend(["--kind", kind.as_str()]);
        }
        let summary = json_of(&lotrace(&db, &args));
        assert_eq!(summary["rows"], json!(rows.len()), "{summary}");

        for row in &rows {
            let b = &row.body;
            let s = |f: &str| b[f].as_str().unwrap().to_owned();
            match kind.master() {
                Some(master) => {
                    let record = json_of(&lotrace(&db, &[master, "show", &s("code"), "--json"]));
                    for (field, value) in b.as_object().unwrap() {
                        assert_eq!(&record[field], value, "{kind} {field}: {record}");
                    }
                }
                None => {
                    let (product, lot, field, quantity) = match kind {
                        Kind::Receipts => {
                            (s("product"), s("lot"), "received", b["quantity"].clone())
                        }
                        Kind::Productions => {
                            (s("product"), s("lot"), "produced", b["quantity"].clone())
                        }
                        _ => {
                            let line = &b["lots"][0];
                            (
                                line["product"].as_str().unwrap().to_owned(),
                                line["lot"].as_str().unwrap().to_owned(),
                                "shipped",
                                line["quantity"].clone(),
                            )
                        }
                    };
                    let view = json_of(&lotrace(&db, &["lot", &product, &lot, "--json"]));
                    let got = view[field].to_string();
                    assert_eq!(
                        got.trim_matches('"'),
                        quantity.as_str().unwrap(),
                        "{kind} {field}: {view}"
                    );
                }
            }
        }
    }
    // The template to stdout, as CSV.
    let out = ok(&lotrace(&db, &["import", "template", "shipments"]));
    assert_eq!(out.as_bytes(), lotrace_sheet::template_csv(Kind::Shipments));
}

#[test]
fn a_bad_file_is_refused_by_row_and_column_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for kind in [Kind::Locations, Kind::Parties, Kind::Products] {
        let file = dir.path().join(format!("{kind}.csv"));
        std::fs::write(&file, lotrace_sheet::template_csv(kind)).unwrap();
        ok(&lotrace(&db, &["import", file.to_str().unwrap()]));
    }
    let before = counts(&db);
    let bad = dir.path().join("receipts.csv");
    std::fs::write(
        &bad,
        "product,lot,supplier,location,quantity,expiry,supplier_lot,purchase_order,harvest_date\n\
         LETTUCE,A1,FARM,COLD,10,2030-01-01,S1,PO-1,2026-11-20\n\
         LETTUCE,A2,SHOP,COLD,10,2030-01-01,S2,PO-1,2026-11-20\n\
         LETTUCE,A3,FARM,COLD,ten,2030-01-01,S3,PO-1,2026-11-20\n",
    )
    .unwrap();
    let out = lotrace(&db, &["import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    let out = lotrace(&db, &["import", bad.to_str().unwrap(), "--json"]);
    assert!(!out.status.success());
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let places: Vec<(u64, &str)> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(places, [(3, "supplier"), (4, "quantity")], "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is not a supplier"),
        "{answer}"
    );
    assert_eq!(counts(&db), before, "nothing was written");

    // Unknown kind, mixed EPCIS and spreadsheets, a template of nothing.
    let out = lotrace(&db, &["import", bad.to_str().unwrap(), "--kind", "recipes"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a kind"));
    let out = lotrace(&db, &["import", bad.to_str().unwrap(), "doc.json"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("separate commands"));
    let out = lotrace(&db, &["import", "template", "recipes"]);
    assert!(!out.status.success());
    assert_eq!(counts(&db), before);
}
