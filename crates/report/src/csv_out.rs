//! One table as RFC 4180 CSV: UTF-8, CRLF line ends, fields quoted when they need it,
//! a header row first.

use crate::{Cell, Format, ReportError, Table, check_table, rfc3339};

/// The table as CSV bytes.
///
/// - A header row, then one record per row; an empty cell is an empty field.
/// - Numbers as Rust writes them (the shortest text that reads back to the same value),
///   dates as ISO 8601 (`2026-03-01`), instants as RFC 3339 in UTC
///   (`2026-03-01T08:30:00Z`).
/// - A text field (header or cell) starting with `=`, `+`, `-`, `@`, tab or carriage
///   return gets a leading apostrophe, so a spreadsheet that opens the file does not run
///   it as a formula (CSV injection). Number cells are written as numbers and are not
///   touched.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, ReportError> {
    check_table(table, Format::Csv)?;
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let csv_err = |e: csv::Error| ReportError::Csv(e.to_string());
    out.write_record(table.columns.iter().map(|c| guard(&c.header).into_owned()))
        .map_err(csv_err)?;
    let mut fields: Vec<String> = Vec::with_capacity(table.columns.len());
    for row in &table.rows {
        fields.clear();
        fields.extend(row.iter().map(field));
        out.write_record(&fields).map_err(csv_err)?;
    }
    out.into_inner()
        .map_err(|e| ReportError::Csv(e.error().to_string()))
}

fn field(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => guard(s).into_owned(),
        Cell::Number(n) => n.to_string(),
        Cell::Integer(n) => n.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::DateTime(t) => rfc3339(*t),
    }
}

/// Text that a spreadsheet would read as a formula, with an apostrophe in front.
pub(crate) fn guard(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}
