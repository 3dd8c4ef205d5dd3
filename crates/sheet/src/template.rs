//! Templates to fill in: the header row (the API's field names) and example rows, as CSV
//! or as an XLSX workbook whose one sheet is named after the kind, with every column typed
//! as text so that codes, GTINs and lot numbers keep their leading zeros.

use rust_xlsxwriter::{Format as CellFormat, Note, Workbook};

use crate::Kind;
use crate::columns::example_rows;

/// The template as CSV (UTF-8, RFC 4180).
pub fn template_csv(kind: Kind) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let headers: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(&headers);
    for row in example_rows(kind) {
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// The template as XLSX: one sheet named after the kind, a bold frozen header with a note
/// on each column saying what it takes, the example rows as text.
pub fn template_xlsx(kind: Kind) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(kind.as_str())?;
    let bold = CellFormat::new().set_bold().set_num_format("@");
    let text = CellFormat::new().set_num_format("@");
    for (c, column) in kind.columns().iter().enumerate() {
        let c = c as u16;
        sheet.set_column_format(c, &text)?;
        sheet.set_column_width(c, (column.name.len().max(12) + 2) as f64)?;
        sheet.write_string_with_format(0, c, column.name, &bold)?;
        let required = if column.required { "required. " } else { "" };
        let note = Note::new(format!("{required}{}", column.help)).add_author_prefix(false);
        sheet.insert_note(0, c, &note)?;
    }
    for (r, row) in example_rows(kind).iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string_with_format(r as u32 + 1, c as u16, *value, &text)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}
