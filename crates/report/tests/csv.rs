//! CSV read back with the csv crate: every field, quoting, the injection guard.

mod common;

use lotrace_report::{Cell, Column, Table, to_csv};

fn read_back(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    reader
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn every_field_reads_back() {
    let bytes = to_csv(&common::lots()).unwrap();
    let records = read_back(&bytes);
    let expected: Vec<Vec<&str>> = vec![
        vec![
            "Lot",
            "Product",
            "Quantity",
            "Best before",
            "Shipped",
            "Note",
        ],
        vec![
            "L-0001",
            "Rocket, \"wild\" salad",
            "120",
            "2026-03-01",
            "2026-02-20T08:30:00Z",
            "line one\nline two",
        ],
        vec![
            "L-0002",
            "Crème fraîche 日本 🍎",
            "-2.5",
            "",
            "2026-02-21T17:05:09.25Z",
            "'=HYPERLINK(\"http://x\")",
        ],
        vec![
            "'+31 20 555",
            "'-minus",
            "0.125",
            "2026-12-31",
            "",
            "'@SUM(A1)",
        ],
        vec![
            "'\tTabbed",
            "'\rReturn",
            "10614141000415",
            "1999-01-02",
            "1999-12-31T23:59:59Z",
            "",
        ],
    ];
    assert_eq!(records, expected);
}

#[test]
fn bytes_are_rfc_4180() {
    let bytes = to_csv(&common::lots()).unwrap();
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(!text.starts_with('\u{feff}'), "no byte order mark");
    assert!(text.starts_with("Lot,Product,Quantity,Best before,Shipped,Note\r\n"));
    // Fields with a comma, a quote or a line break are quoted, quotes doubled.
    assert!(text.contains("\"Rocket, \"\"wild\"\" salad\""), "{text}");
    assert!(text.contains("\"line one\nline two\""), "{text}");
    // Every record ends with CRLF, the last one too.
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches("\r\n").count(), 5);
}

#[test]
fn the_guard_applies_to_headers_too_and_not_to_numbers() {
    let mut t = Table::new("t", vec![Column::text("=cmd"), Column::number("n")]);
    t.rows.push(vec!["-5".into(), Cell::Integer(-5)]);
    t.rows.push(vec!["plain".into(), Cell::Number(-0.5)]);
    let records = read_back(&to_csv(&t).unwrap());
    assert_eq!(
        records,
        vec![vec!["'=cmd", "n"], vec!["'-5", "-5"], vec!["plain", "-0.5"]]
    );
}

#[test]
fn a_table_without_rows_is_its_header() {
    let t = Table::new("empty", vec![Column::text("a"), Column::date("b")]);
    assert_eq!(to_csv(&t).unwrap(), b"a,b\r\n");
}
