//! Broken input is a typed error naming the table, the row and the column; never a panic.

mod common;

use jiff::civil::date;
use lotrace_report::{
    Cell, Column, MAX_PDF_COLUMNS, MAX_TABLES, MAX_TEXT_LEN, Report, ReportError, Table, to_csv,
    to_pdf, to_xlsx,
};

fn in_report(table: Table) -> Report {
    Report {
        title: "t".into(),
        lines: vec![],
        tables: vec![table],
    }
}

#[test]
fn a_short_row_names_the_table_and_the_row_in_every_format() {
    let mut t = common::lots();
    t.rows[2].pop();
    let expected = ReportError::RowLength {
        table: "Affected lots".into(),
        row: 3,
        expected: 6,
        found: 5,
    };
    assert_eq!(to_csv(&t).unwrap_err(), expected);
    let r = in_report(t);
    assert_eq!(to_xlsx(&r).unwrap_err(), expected);
    assert_eq!(to_pdf(&r).unwrap_err(), expected);
    assert_eq!(
        expected.to_string(),
        "table \"Affected lots\", row 3: 5 cells, but the table has 6 columns"
    );
}

#[test]
fn a_cell_of_another_kind_is_refused() {
    let mut t = common::lots();
    t.rows[1][2] = "12".into();
    let err = to_csv(&t).unwrap_err();
    assert_eq!(
        err.to_string(),
        "table \"Affected lots\", row 2, column \"Quantity\": a text cell in a number column"
    );
    let mut t = common::lots();
    t.rows[0][3] = Cell::DateTime(common::ts("2026-01-01T00:00:00Z"));
    assert!(matches!(
        to_xlsx(&in_report(t)).unwrap_err(),
        ReportError::CellKind { .. }
    ));
}

#[test]
fn numbers_must_be_finite() {
    for n in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut t = common::lots();
        t.rows[0][2] = Cell::Number(n);
        let err = to_csv(&t).unwrap_err();
        assert!(
            matches!(err, ReportError::NotFinite { ref at, .. } if at.row == 1 && at.column == "Quantity"),
            "{err}"
        );
    }
}

#[test]
fn xlsx_refuses_what_excel_cannot_hold() {
    let mut t = common::lots();
    t.rows[0][3] = date(1899, 12, 31).into();
    let err = to_xlsx(&in_report(t.clone())).unwrap_err();
    assert!(matches!(err, ReportError::OutOfRange { .. }), "{err}");
    // CSV has no such limit.
    assert!(to_csv(&t).is_ok());

    let mut t = common::lots();
    t.rows[0][2] = Cell::Integer((1 << 53) + 1);
    assert!(matches!(
        to_xlsx(&in_report(t)).unwrap_err(),
        ReportError::OutOfRange { .. }
    ));
}

#[test]
fn counts_and_lengths_have_limits() {
    let r = Report {
        title: "t".into(),
        lines: vec![],
        tables: vec![Table::new("x", vec![Column::text("a")]); MAX_TABLES + 1],
    };
    assert_eq!(
        to_xlsx(&r).unwrap_err(),
        ReportError::TooManyTables {
            tables: MAX_TABLES + 1,
            max: MAX_TABLES
        }
    );

    let mut t = common::lots();
    t.rows[0][0] = "x".repeat(MAX_TEXT_LEN + 1).into();
    assert!(matches!(
        to_csv(&t).unwrap_err(),
        ReportError::TextTooLong { len, .. } if len == MAX_TEXT_LEN + 1
    ));
    // Excel counts UTF-16 code units: 16,384 emoji are 32,768 of them.
    let mut t = common::lots();
    t.rows[0][0] = "🍎".repeat(16_384).into();
    assert!(to_xlsx(&in_report(t)).is_err());
    let mut t = common::lots();
    t.rows[0][0] = "x".repeat(MAX_TEXT_LEN).into();
    assert!(to_xlsx(&in_report(t)).is_ok());

    let wide = Table::new("wide", vec![Column::text("c"); MAX_PDF_COLUMNS + 1]);
    assert!(matches!(
        to_pdf(&in_report(wide.clone())).unwrap_err(),
        ReportError::TooManyColumns { .. }
    ));
    assert!(to_xlsx(&in_report(wide)).is_ok());
    assert_eq!(
        to_csv(&Table::new("none", vec![])).unwrap_err(),
        ReportError::NoColumns {
            table: "none".into()
        }
    );
}
