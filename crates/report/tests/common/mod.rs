//! A report shaped like a recall export, shared by the tests.
#![allow(dead_code)]

use jiff::civil::date;
use lotrace_report::{Cell, Column, Report, Table};

pub fn ts(s: &str) -> jiff::Timestamp {
    s.parse().expect("a timestamp")
}

/// Lots of a recall: text, numbers, dates, instants and empty cells, with text that
/// needs quoting in CSV and text that a spreadsheet would take for a formula.
pub fn lots() -> Table {
    let mut t = Table::new(
        "Affected lots",
        vec![
            Column::text("Lot"),
            Column::text("Product"),
            Column::number("Quantity"),
            Column::date("Best before"),
            Column::datetime("Shipped"),
            Column::text("Note"),
        ],
    );
    t.rows = vec![
        vec![
            "L-0001".into(),
            "Rocket, \"wild\" salad".into(),
            Cell::Integer(120),
            date(2026, 3, 1).into(),
            ts("2026-02-20T08:30:00Z").into(),
            "line one\nline two".into(),
        ],
        vec![
            "L-0002".into(),
            "Crème fraîche 日本 🍎".into(),
            Cell::Number(-2.5),
            Cell::Empty,
            ts("2026-02-21T17:05:09.25Z").into(),
            "=HYPERLINK(\"http://x\")".into(),
        ],
        vec![
            "+31 20 555".into(),
            "-minus".into(),
            Cell::Number(0.125),
            date(2026, 12, 31).into(),
            Cell::Empty,
            "@SUM(A1)".into(),
        ],
        vec![
            "\tTabbed".into(),
            "\rReturn".into(),
            Cell::Integer(10_614_141_000_415),
            date(1999, 1, 2).into(),
            ts("1999-12-31T23:59:59Z").into(),
            Cell::Empty,
        ],
    ];
    t
}

pub fn shipments(rows: usize) -> Table {
    let mut t = Table::new(
        "Shipments: [by date]",
        vec![
            Column::text("Customer"),
            Column::text("Shipment"),
            Column::number("Cases"),
            Column::date("Date"),
        ],
    );
    for i in 0..rows {
        t.rows.push(vec![
            format!(
                "Customer {i:03}, {}end",
                "a deliberately long name that cannot fit, ".repeat(5)
            )
            .into(),
            format!("SH-{i:05}").into(),
            Cell::Integer(i as i64 * 3),
            date(2026, 1, 1 + (i % 28) as i8).into(),
        ]);
    }
    t
}

pub fn report(shipment_rows: usize) -> Report {
    Report {
        title: "Recall R-00001: Rocket salad".to_owned(),
        lines: vec![
            ("Recall".to_owned(), "R-00001".to_owned()),
            (
                "Reason".to_owned(),
                "Possible Listeria contamination".to_owned(),
            ),
            ("Opened".to_owned(), "2026-02-24T10:00:00Z".to_owned()),
        ],
        tables: vec![lots(), shipments(shipment_rows)],
    }
}
