//! Bytes to grids of cells: CSV (UTF-8, `,` or `;`) with the csv crate, XLSX with
//! calamine's streaming cell reader, each under the limits.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};

use crate::{Limits, Rejected, RowError, cell_ref};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl Format {
    /// By the file name's extension (`.csv`, `.xlsx`, any case).
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }

    /// By a Content-Type (parameters ignored).
    pub fn from_content_type(content_type: &str) -> Option<Format> {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        match essence.to_ascii_lowercase().as_str() {
            "text/csv" | "application/csv" => Some(Format::Csv),
            XLSX_TYPE => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// By the content: an XLSX is a zip file (`PK\x03\x04`); anything else is read as CSV.
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }

    pub fn from_extension(text: &str) -> Option<Format> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => XLSX_TYPE,
        }
    }
}

/// What a cell held, which decides how a column type may read it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number cell, as the shortest text that reads back to it (`12`, `0.25`).
    Number(String),
    Bool(bool),
    /// An XLSX date cell without a time of day, as `YYYY-MM-DD`.
    Date(String),
    /// An XLSX date-time cell, as `YYYY-MM-DDTHH:MM:SS` (a spreadsheet keeps no offset).
    DateTime(String),
    /// An error value such as `#N/A`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// One sheet's cells: rows with the number the spreadsheet shows (1-based).
#[derive(Clone, Debug)]
pub struct Grid {
    /// The worksheet's name (XLSX); None for CSV.
    pub name: Option<String>,
    pub rows: Vec<(u32, Vec<Cell>)>,
}

/// Reads every sheet of the file (CSV: one), skipping nothing but empty rows.
pub fn read_grids(bytes: &[u8], format: Format, limits: &Limits) -> Result<Vec<Grid>, Rejected> {
    if bytes.len() > limits.max_file_bytes {
        return Err(Rejected::one(RowError::file(format!(
            "the file has {} bytes; the limit is {} bytes",
            bytes.len(),
            limits.max_file_bytes
        ))));
    }
    match format {
        Format::Csv => read_csv(bytes, limits).map(|g| vec![g]),
        Format::Xlsx => read_xlsx(bytes, limits),
    }
}

fn too_many_rows(limits: &Limits, sheet: Option<&str>) -> Rejected {
    Rejected::one(RowError {
        sheet: sheet.map(str::to_owned),
        row: Some(limits.max_rows as u32 + 2),
        column: None,
        cell: None,
        message: format!(
            "more than {} data rows; split the file (the limit is {} rows after the header)",
            limits.max_rows, limits.max_rows
        ),
    })
}

fn check_cell(
    limits: &Limits,
    sheet: Option<&str>,
    row: u32,
    column: usize,
    text: &str,
) -> Result<(), RowError> {
    if column >= limits.max_columns {
        return Err(RowError {
            sheet: sheet.map(str::to_owned),
            row: Some(row),
            column: None,
            cell: Some(cell_ref(column, row)),
            message: format!("more than {} columns", limits.max_columns),
        });
    }
    let chars = text.chars().count();
    if chars > limits.max_cell_chars {
        return Err(RowError {
            sheet: sheet.map(str::to_owned),
            row: Some(row),
            column: None,
            cell: Some(cell_ref(column, row)),
            message: format!(
                "the cell has {chars} characters; the limit is {}",
                limits.max_cell_chars
            ),
        });
    }
    Ok(())
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Grid, Rejected> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // Spreadsheets in locales with a decimal comma save CSV with ';' between cells.
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if !first_line.contains(&b',') && first_line.contains(&b';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut number: u32 = 0;
    // The csv crate skips blank lines, which a spreadsheet shows as rows: count them from
    // the line each record starts on (a quoted cell may span lines).
    let mut next_line: u64 = 1;
    let mut errors = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(Rejected::one(RowError {
                    sheet: None,
                    row: Some(number + 1),
                    column: None,
                    cell: None,
                    message: format!("not readable as CSV: {e}"),
                }));
            }
        }
        // The position is where the reader stood, before the blank lines it skipped.
        let line = record.position().map_or(next_line, |p| {
            let skipped = bytes
                .get(p.byte() as usize..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .filter(|b| **b == b'\n')
                .count();
            p.line() + skipped as u64
        });
        number += 1 + line.saturating_sub(next_line) as u32;
        let breaks = record
            .iter()
            .map(|f| f.iter().filter(|b| **b == b'\n').count() as u64)
            .sum::<u64>();
        next_line = line + breaks + 1;
        if number as usize > limits.max_rows + 1 {
            return Err(too_many_rows(limits, None));
        }
        let mut cells = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            let text = match std::str::from_utf8(field) {
                Ok(t) => t,
                Err(_) => {
                    errors.push(RowError {
                        sheet: None,
                        row: Some(number),
                        column: None,
                        cell: Some(cell_ref(i, number)),
                        message: "the text is not UTF-8; save the file as \"CSV UTF-8\"".into(),
                    });
                    ""
                }
            };
            if let Err(e) = check_cell(limits, None, number, i, text) {
                return Err(Rejected::one(e));
            }
            cells.push(if text.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text.to_owned())
            });
        }
        if !cells.iter().all(Cell::is_empty) {
            rows.push((number, cells));
        }
    }
    if !errors.is_empty() {
        return Err(Rejected::capped(errors));
    }
    Ok(Grid { name: None, rows })
}

/// The shortest text of a number cell: whole numbers without `.0`, others as Rust prints
/// the f64 (the shortest text that reads back to the same value).
fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

fn xlsx_cell(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Int(i) => Cell::Number(i.to_string()),
        DataRef::Float(f) => Cell::Number(number_text(*f)),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => {
            if dt.is_duration() {
                return Cell::Number(number_text(dt.as_f64()));
            }
            let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
            if dt.as_f64().fract() == 0.0 {
                Cell::Date(format!("{y:04}-{mo:02}-{d:02}"))
            } else {
                Cell::DateTime(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"))
            }
        }
        DataRef::DateTimeIso(s) => {
            if s.contains('T') {
                Cell::DateTime(s.clone())
            } else {
                Cell::Date(s.clone())
            }
        }
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn cell_text(cell: &Cell) -> &str {
    match cell {
        Cell::Text(t) | Cell::Number(t) | Cell::Date(t) | Cell::DateTime(t) | Cell::Error(t) => t,
        Cell::Empty | Cell::Bool(_) => "",
    }
}

fn not_xlsx(e: impl std::fmt::Display) -> Rejected {
    Rejected::one(RowError::file(format!("not a readable XLSX workbook: {e}")))
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>, Rejected> {
    // Before anything is inflated: the sizes the zip declares for its parts.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(not_xlsx)?;
        declared = declared.saturating_add(part.size());
    }
    if declared > limits.max_unzipped_bytes {
        return Err(Rejected::one(RowError::file(format!(
            "the workbook inflates to {declared} bytes; the limit is {} bytes",
            limits.max_unzipped_bytes
        ))));
    }
    drop(zip);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    let names = book.sheet_names();
    if names.len() > limits.max_sheets {
        return Err(Rejected::one(RowError::file(format!(
            "the workbook has {} sheets; the limit is {}",
            names.len(),
            limits.max_sheets
        ))));
    }
    let mut grids = Vec::new();
    let mut total_rows = 0usize;
    for name in names {
        let mut reader = book.worksheet_cells_reader(&name).map_err(not_xlsx)?;
        let mut rows: Vec<(u32, Vec<Cell>)> = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(not_xlsx)? {
            let (r, c) = cell.get_position();
            let value = xlsx_cell(cell.get_value());
            if value.is_empty() {
                continue;
            }
            let number = r + 1;
            check_cell(limits, Some(&name), number, c as usize, cell_text(&value))
                .map_err(Rejected::one)?;
            if rows.last().map(|(n, _)| *n) != Some(number) {
                total_rows += 1;
                // The header row of each sheet is not counted.
                if total_rows > limits.max_rows + grids.len() + 1 {
                    return Err(too_many_rows(limits, Some(&name)));
                }
                rows.push((number, Vec::new()));
            }
            let cells = &mut rows.last_mut().expect("pushed above").1;
            let c = c as usize;
            if cells.len() <= c {
                cells.resize(c + 1, Cell::Empty);
            }
            cells[c] = value;
        }
        grids.push(Grid {
            name: Some(name),
            rows,
        });
    }
    Ok(grids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_type_and_content() {
        assert_eq!(Format::from_name("Receipts.XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::from_name("a.csv"), Some(Format::Csv));
        assert_eq!(Format::from_name("a.json"), None);
        assert_eq!(
            Format::from_content_type("text/csv; charset=utf-8"),
            Some(Format::Csv)
        );
        assert_eq!(Format::sniff(b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(Format::sniff(b"code,name"), Format::Csv);
    }

    #[test]
    fn number_cells_read_as_short_text() {
        assert_eq!(number_text(4012345111118.0), "4012345111118");
        assert_eq!(number_text(0.25), "0.25");
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn csv_rows_keep_their_numbers_and_skip_blank_lines() {
        let text = "\u{feff}code;name\n\nA;Apple\n;\nB;\"Be;an\"\n";
        let grids = read_grids(text.as_bytes(), Format::Csv, &Limits::default()).unwrap();
        let rows = &grids[0].rows;
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, 1);
        assert_eq!(rows[1].0, 3, "the blank record 2 is still counted");
        assert_eq!(rows[2].0, 5);
        assert_eq!(rows[2].1[1], Cell::Text("Be;an".into()));
    }

    #[test]
    fn limits_are_enforced_with_the_place() {
        let limits = Limits {
            max_rows: 2,
            max_cell_chars: 5,
            max_columns: 3,
            max_file_bytes: 100,
            ..Limits::default()
        };
        let e = read_grids(b"a\n1\n2\n3\n", Format::Csv, &limits).unwrap_err();
        assert!(e.errors[0].message.contains("more than 2 data rows"), "{e}");
        let e = read_grids(b"a\n123456\n", Format::Csv, &limits).unwrap_err();
        assert_eq!(e.errors[0].cell.as_deref(), Some("A2"));
        let e = read_grids(b"a,b,c,d\n", Format::Csv, &limits).unwrap_err();
        assert_eq!(e.errors[0].cell.as_deref(), Some("D1"));
        let e = read_grids(&[b'a'; 101], Format::Csv, &limits).unwrap_err();
        assert!(e.errors[0].message.contains("101 bytes"), "{e}");
        let e = read_grids(b"a\n\xff\n", Format::Csv, &Limits::default()).unwrap_err();
        assert!(e.errors[0].message.contains("UTF-8"), "{e}");
        let e = read_grids(b"PK\x03\x04junk", Format::Xlsx, &Limits::default()).unwrap_err();
        assert!(e.errors[0].message.contains("not a readable XLSX"), "{e}");
    }
}
