//! Spreadsheet import: CSV and XLSX files of products, locations, parties, receipts,
//! productions and shipments, read under explicit limits and turned, cell by cell, into the
//! same JSON bodies the REST API takes (`POST /api/v1/master/{kind}`, `/api/v1/ops/{op}`),
//! so that the rules and their messages are the API's. Templates to fill in come from the
//! same column lists.
//!
//! What this crate checks is what a cell alone can say: a known, unique header, required
//! cells present, whole numbers, booleans, dates, lists and lot lines well formed, limits.
//! The rules that need the catalog and the inventory (a product that exists, stock on hand)
//! are the application's (`lotrace_app` `import`), which reports them through
//! [`RowError::from_domain`] so they name the same row and column.
//!
//! No I/O: bytes in, rows (or a list of errors) out.

mod columns;
mod read;
mod rows;
mod template;

use serde::Serialize;

pub use columns::{ColType, Column, example_rows};
pub use read::{Format, read_grids};
pub use rows::{Row, Sheet, read};
pub use template::{template_csv, template_xlsx};

/// The most errors one rejection lists; the rest are counted in a last line.
pub const MAX_REPORTED_ERRORS: usize = 1_000;

/// What a spreadsheet holds: master records or operations, one row each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Locations,
    Parties,
    Products,
    Receipts,
    Productions,
    Shipments,
}

impl Kind {
    /// In the order they are applied: master data (locations before what names them), then
    /// operations (receipts before the productions that consume them, then shipments).
    pub const ALL: [Kind; 6] = [
        Kind::Locations,
        Kind::Parties,
        Kind::Products,
        Kind::Receipts,
        Kind::Productions,
        Kind::Shipments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Products => "products",
            Kind::Locations => "locations",
            Kind::Parties => "parties",
            Kind::Receipts => "receipts",
            Kind::Productions => "productions",
            Kind::Shipments => "shipments",
        }
    }

    /// Accepts the plural, the singular and the operation's name, in any case, with
    /// surrounding spaces (a sheet named "Receipts " or "receive").
    pub fn parse(text: &str) -> Option<Kind> {
        let t = text.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "products" | "product" => Kind::Products,
            "locations" | "location" => Kind::Locations,
            "parties" | "party" => Kind::Parties,
            "receipts" | "receipt" | "receive" | "receiving" => Kind::Receipts,
            "productions" | "production" | "produce" => Kind::Productions,
            "shipments" | "shipment" | "ship" | "shipping" => Kind::Shipments,
            _ => return None,
        })
    }

    /// The master-data kind (`product`, `location`, `party`), for master kinds.
    pub fn master(self) -> Option<&'static str> {
        match self {
            Kind::Products => Some("product"),
            Kind::Locations => Some("location"),
            Kind::Parties => Some("party"),
            _ => None,
        }
    }

    /// The operation's name (`receive`, `produce`, `ship`), for operation kinds.
    pub fn operation(self) -> Option<&'static str> {
        match self {
            Kind::Receipts => Some("receive"),
            Kind::Productions => Some("produce"),
            Kind::Shipments => Some("ship"),
            _ => None,
        }
    }

    pub fn columns(self) -> &'static [Column] {
        columns::of(self)
    }

    /// The kind whose columns a header row names: the one kind whose required columns are
    /// all there and that knows every header. None when no kind or more than one fits.
    pub fn infer(headers: &[String]) -> Option<Kind> {
        let names: Vec<String> = headers.iter().map(|h| columns::normalise(h)).collect();
        let fits: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|k| {
                let cols = k.columns();
                names
                    .iter()
                    .filter(|n| !n.is_empty())
                    .all(|n| cols.iter().any(|c| c.name == n))
                    && cols
                        .iter()
                        .filter(|c| c.required)
                        .all(|c| names.iter().any(|n| n == c.name))
            })
            .collect();
        match fits.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Explicit limits on what one import may ask.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Size of the uploaded file.
    pub max_file_bytes: usize,
    /// Sum of the sizes the XLSX (zip) declares for its parts once inflated.
    pub max_unzipped_bytes: u64,
    /// Data rows (the header row not counted), over all sheets.
    pub max_rows: usize,
    pub max_columns: usize,
    pub max_cell_chars: usize,
    /// Sheets of a workbook that are read.
    pub max_sheets: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_unzipped_bytes: 256 * 1024 * 1024,
            max_rows: 10_000,
            max_columns: 64,
            max_cell_chars: 10_000,
            max_sheets: 16,
        }
    }
}

/// One thing wrong with a file: where (sheet, row as the spreadsheet numbers it, the
/// column's header and its cell reference) and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1 is the header row; None for the file as a whole.
    pub row: Option<u32>,
    /// The header as written in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The cell reference, e.g. `C5`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    pub message: String,
}

impl RowError {
    pub fn file(message: impl Into<String>) -> RowError {
        RowError {
            sheet: None,
            row: None,
            column: None,
            cell: None,
            message: message.into(),
        }
    }

    /// An error of the application's rules (`DomainError`) on one row: the field it names
    /// (`uom`, `inputs[0].lot`, or a message starting `lots[1]: ...`) picks the column.
    pub fn from_domain(sheet: &Sheet, row: &Row, error: &lotrace_core::DomainError) -> RowError {
        let field = match error {
            lotrace_core::DomainError::Field { field, .. } => Some(field.as_str()),
            lotrace_core::DomainError::Refused { message, .. } => message.split(':').next(),
            _ => None,
        };
        let column = field
            .map(|f| f.split(['[', '.']).next().unwrap_or(f))
            .and_then(|f| sheet.column_index(f));
        RowError {
            sheet: sheet.name.clone(),
            row: Some(row.number),
            column: column.map(|i| sheet.headers[i].clone()),
            cell: column.map(|i| cell_ref(i, row.number)),
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(sheet) = &self.sheet {
            write!(f, "sheet {sheet:?}, ")?;
        }
        match self.row {
            Some(row) => write!(f, "row {row}")?,
            None => f.write_str("file")?,
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column:?}")?;
        }
        if let Some(cell) = &self.cell {
            write!(f, " ({cell})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The whole file was refused: every error found, row by row. Nothing was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} error(s), nothing was imported; first: {}", .errors.len(), .errors.first().map(ToString::to_string).unwrap_or_default())]
pub struct Rejected {
    pub errors: Vec<RowError>,
}

impl Rejected {
    pub fn one(error: RowError) -> Rejected {
        Rejected {
            errors: vec![error],
        }
    }

    /// Keeps at most `MAX_REPORTED_ERRORS`, counting the rest in a last entry.
    pub fn capped(mut errors: Vec<RowError>) -> Rejected {
        if errors.len() > MAX_REPORTED_ERRORS {
            let more = errors.len() - MAX_REPORTED_ERRORS;
            errors.truncate(MAX_REPORTED_ERRORS);
            errors.push(RowError::file(format!(
                "and {more} more error(s) not listed"
            )));
        }
        Rejected { errors }
    }
}

/// `A`, `B`, ..., `Z`, `AA`, ... for a 0-based column index.
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `C5` for column index 2 of row 5.
pub fn cell_ref(column: usize, row: u32) -> String {
    format!("{}{row}", column_letters(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_spreadsheets() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(cell_ref(2, 5), "C5");
    }

    #[test]
    fn kinds_parse_in_many_spellings_and_infer_from_headers() {
        assert_eq!(Kind::parse(" Receipts "), Some(Kind::Receipts));
        assert_eq!(Kind::parse("ship"), Some(Kind::Shipments));
        assert_eq!(Kind::parse("party"), Some(Kind::Parties));
        assert_eq!(Kind::parse("sheet1"), None);
        for kind in Kind::ALL {
            let headers: Vec<String> = kind.columns().iter().map(|c| c.name.into()).collect();
            assert_eq!(Kind::infer(&headers), Some(kind), "{kind}");
        }
        let headers = vec!["code".to_owned(), "name".to_owned()];
        assert_eq!(Kind::infer(&headers), None, "ambiguous: products? parties?");
    }
}
