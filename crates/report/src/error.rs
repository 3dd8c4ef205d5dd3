use crate::{CellAt, ColumnKind, Format};

/// Why a report could not be written. Rows are numbered from 1, the header not counted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ReportError {
    #[error("{tables} tables, more than the {max} a report takes")]
    TooManyTables { tables: usize, max: usize },
    #[error("{lines} lines under the title, more than the {max} a report takes")]
    TooManyLines { lines: usize, max: usize },
    #[error("table {table:?} has no columns")]
    NoColumns { table: String },
    #[error("table {table:?} has {columns} columns, more than the {max} a {format} table takes")]
    TooManyColumns {
        table: String,
        columns: usize,
        max: usize,
        format: Format,
    },
    #[error("table {table:?} has {rows} rows, more than the {max} a {format} table takes")]
    TooManyRows {
        table: String,
        rows: usize,
        max: usize,
        format: Format,
    },
    #[error("the report has {rows} rows in all its tables, more than the {max} a PDF takes")]
    TooManyPdfRows { rows: usize, max: usize },
    #[error("table {table:?}, row {row}: {found} cells, but the table has {expected} columns")]
    RowLength {
        table: String,
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("{at}: a {found} cell in a {expected} column")]
    CellKind {
        at: CellAt,
        expected: ColumnKind,
        found: &'static str,
    },
    #[error("{at}: {value} is not a finite number")]
    NotFinite { at: CellAt, value: f64 },
    #[error("{at}: {value} cannot be written to {format}: {reason}")]
    OutOfRange {
        at: CellAt,
        value: String,
        format: Format,
        reason: &'static str,
    },
    #[error("{place}: {len} characters of text, more than the {max} allowed")]
    TextTooLong {
        place: String,
        len: usize,
        max: usize,
    },
    /// The XLSX writer refused something the checks above let through (a bug here).
    #[error("XLSX writer: {0}")]
    Xlsx(String),
    /// The CSV writer failed (a bug here: it writes to memory).
    #[error("CSV writer: {0}")]
    Csv(String),
}
