//! XLSX read back with calamine (values, types, styles) and, for what calamine does not
//! expose (autofilter, frozen pane, column widths), the sheet XML inside the zip.

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use lotrace_report::{Column, Report, Table, to_xlsx};

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook")
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn s(text: &str) -> Data {
    Data::String(text.to_owned())
}

/// A date cell as calamine decodes it: (y, m, d, h, min, s, ms).
fn when(cell: &Data) -> (u16, u8, u8, u8, u8, u8, u16) {
    match cell {
        Data::DateTime(dt) => {
            assert!(dt.is_datetime(), "{cell:?} is a date");
            dt.to_ymd_hms_milli()
        }
        other => panic!("expected a date cell, found {other:?}"),
    }
}

#[test]
fn sheets_values_and_types_read_back() {
    let bytes = to_xlsx(&common::report(3)).unwrap();
    let mut book = open(&bytes);
    assert_eq!(
        book.sheet_names(),
        vec!["Summary", "Affected lots", "Shipments_ _by date_"]
    );

    let summary = book.worksheet_range("Summary").unwrap();
    assert_eq!(
        summary.get_value((0, 0)),
        Some(&s("Recall R-00001: Rocket salad"))
    );
    assert_eq!(summary.get_value((2, 0)), Some(&s("Recall")));
    assert_eq!(summary.get_value((2, 1)), Some(&s("R-00001")));
    assert_eq!(summary.get_value((4, 1)), Some(&s("2026-02-24T10:00:00Z")));
    assert_eq!(summary.get_value((6, 0)), Some(&s("Sheet")));
    assert_eq!(summary.get_value((7, 0)), Some(&s("Affected lots")));
    assert_eq!(summary.get_value((7, 1)), Some(&Data::Float(4.0)));
    assert_eq!(summary.get_value((8, 0)), Some(&s("Shipments_ _by date_")));
    assert_eq!(summary.get_value((8, 1)), Some(&Data::Float(3.0)));

    let lots = book.worksheet_range("Affected lots").unwrap();
    assert_eq!(lots.start(), Some((0, 0)));
    assert_eq!(lots.end(), Some((4, 5)));
    let header: Vec<&Data> = (0..6).map(|c| lots.get_value((0, c)).unwrap()).collect();
    assert_eq!(
        header,
        [
            "Lot",
            "Product",
            "Quantity",
            "Best before",
            "Shipped",
            "Note"
        ]
        .map(s)
        .iter()
        .collect::<Vec<_>>()
    );
    let at = |r: u32, c: u32| lots.get_value((r, c)).unwrap().clone();

    // Row 1.
    assert_eq!(at(1, 0), s("L-0001"));
    assert_eq!(at(1, 1), s("Rocket, \"wild\" salad"));
    assert_eq!(at(1, 2), Data::Float(120.0));
    assert_eq!(when(&at(1, 3)), (2026, 3, 1, 0, 0, 0, 0));
    assert_eq!(when(&at(1, 4)), (2026, 2, 20, 8, 30, 0, 0));
    assert_eq!(at(1, 5), s("line one\nline two"));
    // Row 2: unicode, a negative number, an empty date, milliseconds, formula-like text
    // kept as text (an XLSX string cell is never a formula, so it needs no apostrophe).
    assert_eq!(at(2, 1), s("Crème fraîche 日本 🍎"));
    assert_eq!(at(2, 2), Data::Float(-2.5));
    assert_eq!(at(2, 3), Data::Empty);
    assert_eq!(when(&at(2, 4)), (2026, 2, 21, 17, 5, 9, 250));
    assert_eq!(at(2, 5), s("=HYPERLINK(\"http://x\")"));
    // Row 3.
    assert_eq!(at(3, 0), s("+31 20 555"));
    assert_eq!(at(3, 2), Data::Float(0.125));
    assert_eq!(when(&at(3, 3)), (2026, 12, 31, 0, 0, 0, 0));
    assert_eq!(at(3, 4), Data::Empty);
    assert_eq!(at(3, 5), s("@SUM(A1)"));
    // Row 4: a 14-digit integer is exact.
    assert_eq!(at(4, 0), s("\tTabbed"));
    assert_eq!(at(4, 2), Data::Float(10_614_141_000_415.0));
    assert_eq!(when(&at(4, 3)), (1999, 1, 2, 0, 0, 0, 0));
    assert_eq!(when(&at(4, 4)), (1999, 12, 31, 23, 59, 59, 0));
    assert_eq!(at(4, 5), Data::Empty);

    // No cell is a formula.
    let formulas = book.worksheet_formula("Affected lots").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

    let shipments = book.worksheet_range("Shipments_ _by date_").unwrap();
    assert_eq!(shipments.end(), Some((3, 3)));
    assert_eq!(shipments.get_value((2, 1)), Some(&s("SH-00001")));
    assert_eq!(shipments.get_value((3, 2)), Some(&Data::Float(6.0)));
}

#[test]
fn headers_are_bold_and_dates_have_date_formats() {
    let bytes = to_xlsx(&common::report(3)).unwrap();
    let mut book = open(&bytes);
    let styles = book.worksheet_style("Affected lots").unwrap();
    for c in 0..6 {
        let style = styles.get((0, c)).expect("a header style");
        assert!(
            style.font.as_ref().is_some_and(|f| f.is_bold()),
            "header {c} is bold"
        );
    }
    let format = |r: u32, c: u32| {
        styles
            .get((r, c))
            .and_then(|st| st.number_format.as_ref())
            .map(|f| f.format_code.clone())
    };
    assert_eq!(format(1, 3).as_deref(), Some("yyyy-mm-dd"));
    assert_eq!(format(1, 4).as_deref(), Some("yyyy-mm-dd hh:mm:ss"));
    assert_eq!(
        format(1, 2).as_deref(),
        Some("0"),
        "integers show every digit"
    );
    let body = styles.get((1, 0));
    assert!(
        body.is_none_or(|st| !st.font.as_ref().is_some_and(|f| f.is_bold())),
        "body cells are not bold"
    );
}

#[test]
fn every_table_sheet_has_an_autofilter_a_frozen_header_and_widths() {
    let bytes = to_xlsx(&common::report(40)).unwrap();
    let lots = part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(lots.contains(r#"<autoFilter ref="A1:F5"/>"#), "{lots}");
    assert!(
        lots.contains(r#"ySplit="1""#) && lots.contains(r#"state="frozen""#),
        "{lots}"
    );
    assert!(lots.contains("<cols>"), "column widths are set: {lots}");
    let shipments = part(&bytes, "xl/worksheets/sheet3.xml");
    assert!(
        shipments.contains(r#"<autoFilter ref="A1:D41"/>"#),
        "{shipments}"
    );
    // Excel needs the filter's defined name in the workbook too.
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm._FilterDatabase"), "{workbook}");
    // The summary sheet is no table: no filter there.
    assert!(!part(&bytes, "xl/worksheets/sheet1.xml").contains("autoFilter"));
}

#[test]
fn sheet_names_are_made_valid_and_unique() {
    let t = |name: &str| Table::new(name, vec![Column::text("a")]);
    let report = Report {
        title: "names".into(),
        lines: vec![],
        tables: vec![
            t("Summary"),
            t("Lots"),
            t("LOTS"),
            t("A table name well over thirty-one characters long"),
            t("a/b\\c?d*e:f[g]"),
            t(""),
        ],
    };
    let bytes = to_xlsx(&report).unwrap();
    assert_eq!(
        open(&bytes).sheet_names(),
        vec![
            "Summary",
            "Summary (2)",
            "Lots",
            "LOTS (2)",
            "A table name well over thirty-o",
            "a_b_c_d_e_f_g_",
            "Table 6"
        ]
    );
}

#[test]
fn an_empty_report_is_a_summary() {
    let bytes = to_xlsx(&Report::new("Nothing")).unwrap();
    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), vec!["Summary"]);
    let summary = book.worksheet_range("Summary").unwrap();
    assert_eq!(summary.get_value((0, 0)), Some(&s("Nothing")));
}
