//! Tables to report bytes: CSV, XLSX and PDF.
//!
//! A [`Report`] is a title, a few `key: value` facts and a list of [`Table`]s. Each table
//! has typed [`Column`]s and rows of [`Cell`]s. [`to_csv`] writes one table as RFC 4180
//! CSV, [`to_xlsx`] the whole report as a workbook (a "Summary" sheet, then one sortable,
//! filterable sheet per table), [`to_pdf`] the whole report as an A4 landscape document in
//! base-14 Helvetica.
//!
//! The crate does no I/O: every function takes values and returns bytes. Every input is
//! checked against the limits below before anything is written, and a broken rule is a
//! [`ReportError`] naming the table, the row and the column, never a panic.
//!
//! Every cell of a column has the column's kind (or is [`Cell::Empty`]), so a column sorts
//! and filters as one type in a spreadsheet.
//!
//! ```
//! use lotrace_report::{Cell, Column, Report, Table, to_csv, to_pdf, to_xlsx};
//!
//! let mut lots = Table::new("Lots", vec![Column::text("Lot"), Column::number("Quantity")]);
//! lots.rows.push(vec!["L-0001".into(), Cell::Integer(120)]);
//! assert_eq!(to_csv(&lots)?, b"Lot,Quantity\r\nL-0001,120\r\n");
//!
//! let mut report = Report::new("Recall R-00001");
//! report.lines.push(("Recall".into(), "R-00001".into()));
//! report.tables.push(lots);
//! let xlsx: Vec<u8> = to_xlsx(&report)?;
//! let pdf: Vec<u8> = to_pdf(&report)?;
//! assert!(xlsx.starts_with(b"PK") && pdf.starts_with(b"%PDF"));
//! # Ok::<(), lotrace_report::ReportError>(())
//! ```

mod csv_out;
mod error;
mod helvetica;
mod pdf;
mod xlsx;

use std::fmt;

pub use csv_out::to_csv;
pub use error::ReportError;
pub use pdf::to_pdf;
pub use xlsx::{SUMMARY_SHEET, to_xlsx};

/// The most tables one report takes.
pub const MAX_TABLES: usize = 100;
/// The most `key: value` lines under a report's title.
pub const MAX_LINES: usize = 100;
/// The most columns a table takes in CSV and XLSX.
pub const MAX_COLUMNS: usize = 256;
/// The most columns a table takes in a PDF (more would not fit across an A4 landscape page).
pub const MAX_PDF_COLUMNS: usize = 20;
/// The most data rows a table takes in CSV and XLSX: an Excel sheet's 1,048,576 rows less
/// the header row.
pub const MAX_ROWS: usize = 1_048_575;
/// The most data rows a PDF takes, over all its tables (about 500 pages).
pub const MAX_PDF_ROWS: usize = 20_000;
/// The longest text of any one cell, header, title, name or line, in UTF-16 code units
/// (as Excel counts them; Excel's own limit for a cell).
pub const MAX_TEXT_LEN: usize = 32_767;
/// The largest integer magnitude that XLSX holds exactly (Excel stores numbers as f64).
pub const MAX_XLSX_INTEGER: i64 = 1 << 53;

/// A document: a title, facts under it, and tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub title: String,
    /// `key: value` facts under the title, e.g. `("Recall", "R-00001")`.
    pub lines: Vec<(String, String)>,
    pub tables: Vec<Table>,
}

/// One table: a sheet of a workbook, a section of a PDF, or a whole CSV file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The sheet name (made valid and unique) and the PDF section heading.
    pub name: String,
    pub columns: Vec<Column>,
    /// Each row has exactly one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// A column: its header and the kind of value its cells hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub kind: ColumnKind,
}

/// What a column holds. Every cell of the column is of this kind or [`Cell::Empty`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// [`Cell::Text`].
    Text,
    /// [`Cell::Number`] or [`Cell::Integer`]; right-aligned in the PDF.
    Number,
    /// [`Cell::Date`], a calendar date.
    Date,
    /// [`Cell::DateTime`], an instant, written in UTC.
    DateTime,
}

/// One value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A finite number.
    Number(f64),
    Integer(i64),
    Date(jiff::civil::Date),
    DateTime(jiff::Timestamp),
}

/// An output format, as named in errors about its limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Xlsx,
    Pdf,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "CSV",
            Format::Xlsx => "XLSX",
            Format::Pdf => "PDF",
        })
    }
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnKind::Text => "text",
            ColumnKind::Number => "number",
            ColumnKind::Date => "date",
            ColumnKind::DateTime => "date-time",
        })
    }
}

impl Report {
    /// A report with a title and nothing else yet.
    pub fn new(title: impl Into<String>) -> Report {
        Report {
            title: title.into(),
            ..Report::default()
        }
    }
}

impl Table {
    /// A table with columns and no rows yet.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Table {
        Table {
            name: name.into(),
            columns,
            rows: Vec::new(),
        }
    }
}

impl Column {
    pub fn new(header: impl Into<String>, kind: ColumnKind) -> Column {
        Column {
            header: header.into(),
            kind,
        }
    }
    pub fn text(header: impl Into<String>) -> Column {
        Column::new(header, ColumnKind::Text)
    }
    pub fn number(header: impl Into<String>) -> Column {
        Column::new(header, ColumnKind::Number)
    }
    pub fn date(header: impl Into<String>) -> Column {
        Column::new(header, ColumnKind::Date)
    }
    pub fn datetime(header: impl Into<String>) -> Column {
        Column::new(header, ColumnKind::DateTime)
    }
}

impl Cell {
    /// The name of the cell's kind, for error messages.
    fn kind_name(&self) -> &'static str {
        match self {
            Cell::Empty => "empty",
            Cell::Text(_) => "text",
            Cell::Number(_) => "number",
            Cell::Integer(_) => "integer",
            Cell::Date(_) => "date",
            Cell::DateTime(_) => "date-time",
        }
    }

    fn fits(&self, kind: ColumnKind) -> bool {
        matches!(
            (self, kind),
            (Cell::Empty, _)
                | (Cell::Text(_), ColumnKind::Text)
                | (Cell::Number(_) | Cell::Integer(_), ColumnKind::Number)
                | (Cell::Date(_), ColumnKind::Date)
                | (Cell::DateTime(_), ColumnKind::DateTime)
        )
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<f64> for Cell {
    fn from(n: f64) -> Cell {
        Cell::Number(n)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Integer(n)
    }
}
impl From<jiff::civil::Date> for Cell {
    fn from(d: jiff::civil::Date) -> Cell {
        Cell::Date(d)
    }
}
impl From<jiff::Timestamp> for Cell {
    fn from(t: jiff::Timestamp) -> Cell {
        Cell::DateTime(t)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

fn text_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn check_text(place: impl FnOnce() -> String, s: &str) -> Result<(), ReportError> {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, and at least one per byte of ASCII;
    // count exactly only when the byte length leaves doubt.
    if s.len() > MAX_TEXT_LEN && text_len(s) > MAX_TEXT_LEN {
        return Err(ReportError::TextTooLong {
            place: place(),
            len: text_len(s),
            max: MAX_TEXT_LEN,
        });
    }
    Ok(())
}

/// The report's own limits: tables, lines, title.
fn check_report_head(report: &Report) -> Result<(), ReportError> {
    if report.tables.len() > MAX_TABLES {
        return Err(ReportError::TooManyTables {
            tables: report.tables.len(),
            max: MAX_TABLES,
        });
    }
    if report.lines.len() > MAX_LINES {
        return Err(ReportError::TooManyLines {
            lines: report.lines.len(),
            max: MAX_LINES,
        });
    }
    check_text(|| "the report title".to_owned(), &report.title)?;
    for (i, (key, value)) in report.lines.iter().enumerate() {
        check_text(|| format!("the key of line {}", i + 1), key)?;
        check_text(|| format!("the value of line {} ({key:?})", i + 1), value)?;
    }
    Ok(())
}

/// Every rule a table must keep for `format`: its size, each row's length, each cell's
/// kind, finite numbers, text lengths, and (for XLSX) values Excel can hold.
fn check_table(table: &Table, format: Format) -> Result<(), ReportError> {
    check_text(|| "a table name".to_owned(), &table.name)?;
    if table.columns.is_empty() {
        return Err(ReportError::NoColumns {
            table: table.name.clone(),
        });
    }
    let max_columns = if format == Format::Pdf {
        MAX_PDF_COLUMNS
    } else {
        MAX_COLUMNS
    };
    if table.columns.len() > max_columns {
        return Err(ReportError::TooManyColumns {
            table: table.name.clone(),
            columns: table.columns.len(),
            max: max_columns,
            format,
        });
    }
    if table.rows.len() > MAX_ROWS {
        return Err(ReportError::TooManyRows {
            table: table.name.clone(),
            rows: table.rows.len(),
            max: MAX_ROWS,
            format,
        });
    }
    for (c, column) in table.columns.iter().enumerate() {
        check_text(
            || format!("table {:?}, the header of column {}", table.name, c + 1),
            &column.header,
        )?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let row_no = r + 1;
        if row.len() != table.columns.len() {
            return Err(ReportError::RowLength {
                table: table.name.clone(),
                row: row_no,
                expected: table.columns.len(),
                found: row.len(),
            });
        }
        for (cell, column) in row.iter().zip(&table.columns) {
            let at = || CellAt {
                table: table.name.clone(),
                row: row_no,
                column: column.header.clone(),
            };
            if !cell.fits(column.kind) {
                return Err(ReportError::CellKind {
                    at: at(),
                    expected: column.kind,
                    found: cell.kind_name(),
                });
            }
            match cell {
                Cell::Text(s) => check_text(|| at().to_string(), s)?,
                Cell::Number(n) if !n.is_finite() => {
                    return Err(ReportError::NotFinite {
                        at: at(),
                        value: *n,
                    });
                }
                Cell::Integer(n)
                    if format == Format::Xlsx && n.unsigned_abs() > MAX_XLSX_INTEGER as u64 =>
                {
                    return Err(ReportError::OutOfRange {
                        at: at(),
                        value: n.to_string(),
                        format,
                        reason: "Excel holds integers exactly only up to 2^53",
                    });
                }
                Cell::Date(d) if format == Format::Xlsx && d.year() < 1900 => {
                    return Err(ReportError::OutOfRange {
                        at: at(),
                        value: d.to_string(),
                        format,
                        reason: "Excel dates start at 1900-01-01",
                    });
                }
                Cell::DateTime(t) if format == Format::Xlsx && utc(*t).year() < 1900 => {
                    return Err(ReportError::OutOfRange {
                        at: at(),
                        value: t.to_string(),
                        format,
                        reason: "Excel dates start at 1900-01-01",
                    });
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Where a cell is: its table, its data row (1-based, the header not counted) and the
/// header of its column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellAt {
    pub table: String,
    pub row: usize,
    pub column: String,
}

impl fmt::Display for CellAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "table {:?}, row {}, column {:?}",
            self.table, self.row, self.column
        )
    }
}

/// The civil date and time of an instant in UTC.
fn utc(t: jiff::Timestamp) -> jiff::civil::DateTime {
    t.to_zoned(jiff::tz::TimeZone::UTC).datetime()
}

/// RFC 3339 in UTC, e.g. `2026-03-01T08:30:00Z` (fractional seconds only when present).
fn rfc3339(t: jiff::Timestamp) -> String {
    t.to_string()
}
