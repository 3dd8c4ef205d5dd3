//! The report as an XLSX workbook: a "Summary" sheet with the title and lines, then one
//! sheet per table with a bold, frozen header row and an autofilter over the table.

use std::collections::HashSet;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format as XlsxFormat, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use crate::{
    Cell, ColumnKind, Format, Report, ReportError, Table, check_report_head, check_table, utc,
};

/// The name of the first sheet.
pub const SUMMARY_SHEET: &str = "Summary";
/// The longest sheet name Excel takes, in UTF-16 code units.
const MAX_SHEET_NAME: usize = 31;
/// Column widths in Excel's character units.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;
const DATE_FORMAT: &str = "yyyy-mm-dd";
const DATETIME_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";

/// The report as XLSX bytes.
///
/// The first sheet, "Summary", holds the title, the `key: value` lines and a list of the
/// table sheets with their row counts. Then each table has a sheet of its own, named after
/// it (characters Excel forbids, `[ ] : * ? / \`, become `_`; cut to 31 characters; made
/// unique with " (2)", " (3)", ...). Row 1 is the header (bold, frozen), with an autofilter
/// over the whole table so it sorts and filters. Numbers are numbers (integers with the
/// format `0`, so long codes do not turn into 1.2E+13), dates are Excel dates
/// (`yyyy-mm-dd`), instants Excel date-times in UTC (`yyyy-mm-dd hh:mm:ss`). Text is
/// always a string cell, never a formula.
pub fn to_xlsx(report: &Report) -> Result<Vec<u8>, ReportError> {
    check_report_head(report)?;
    for table in &report.tables {
        check_table(table, Format::Xlsx)?;
    }
    let names = sheet_names(&report.tables);
    let formats = Formats::new();

    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(&report.title));
    summary(workbook.add_worksheet(), report, &names, &formats).map_err(xlsx_err)?;
    for (table, name) in report.tables.iter().zip(&names) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(xlsx_err)?;
        table_sheet(sheet, table, &formats).map_err(xlsx_err)?;
    }
    workbook.save_to_buffer().map_err(xlsx_err)
}

fn xlsx_err(e: XlsxError) -> ReportError {
    ReportError::Xlsx(e.to_string())
}

struct Formats {
    title: XlsxFormat,
    bold: XlsxFormat,
    header: XlsxFormat,
    integer: XlsxFormat,
    date: XlsxFormat,
    datetime: XlsxFormat,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: XlsxFormat::new().set_bold().set_font_size(14),
            bold: XlsxFormat::new().set_bold(),
            header: XlsxFormat::new()
                .set_bold()
                .set_background_color(Color::RGB(0xE7E6E6))
                .set_border_bottom(FormatBorder::Thin),
            integer: XlsxFormat::new().set_num_format("0"),
            date: XlsxFormat::new().set_num_format(DATE_FORMAT),
            datetime: XlsxFormat::new().set_num_format(DATETIME_FORMAT),
        }
    }
}

fn summary(
    sheet: &mut Worksheet,
    report: &Report,
    names: &[String],
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(SUMMARY_SHEET)?;
    sheet.write_string_with_format(0, 0, &report.title, &f.title)?;
    let mut row: u32 = 2;
    let mut key_width = "Sheet".len();
    let mut value_width = "Rows".len();
    for (key, value) in &report.lines {
        sheet.write_string_with_format(row, 0, key, &f.bold)?;
        sheet.write_string(row, 1, value)?;
        key_width = key_width.max(key.chars().count());
        value_width = value_width.max(value.chars().count());
        row += 1;
    }
    if !report.tables.is_empty() {
        if !report.lines.is_empty() {
            row += 1;
        }
        sheet.write_string_with_format(row, 0, "Sheet", &f.header)?;
        sheet.write_string_with_format(row, 1, "Rows", &f.header)?;
        row += 1;
        for (table, name) in report.tables.iter().zip(names) {
            sheet.write_string(row, 0, name)?;
            sheet.write_number_with_format(row, 1, table.rows.len() as f64, &f.integer)?;
            key_width = key_width.max(name.chars().count());
            row += 1;
        }
    }
    sheet.set_column_width(0, clamp_width(key_width + 2) as f64)?;
    sheet.set_column_width(1, clamp_width(value_width + 2) as f64)?;
    Ok(())
}

fn table_sheet(sheet: &mut Worksheet, table: &Table, f: &Formats) -> Result<(), XlsxError> {
    let last_col = (table.columns.len() - 1) as u16;
    for (c, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, &column.header, &f.header)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
                Cell::Integer(n) => {
                    sheet.write_number_with_format(r, c, *n as f64, &f.integer)?;
                }
                Cell::Date(d) => {
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, c, x, &f.date)?;
                }
                Cell::DateTime(t) => {
                    let dt = utc(*t);
                    let seconds = f64::from(dt.second()) + f64::from(dt.subsec_nanosecond()) / 1e9;
                    let x = ExcelDateTime::from_ymd(
                        dt.year() as u16,
                        dt.month() as u8,
                        dt.day() as u8,
                    )?
                    .and_hms(dt.hour() as u16, dt.minute() as u8, seconds)?;
                    sheet.write_datetime_with_format(r, c, x, &f.datetime)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
    for (c, column) in table.columns.iter().enumerate() {
        // The header's filter button takes about two characters.
        let header = column.header.chars().count() + 4;
        let cells = match column.kind {
            ColumnKind::Date => DATE_FORMAT.len(),
            ColumnKind::DateTime => DATETIME_FORMAT.len(),
            ColumnKind::Text | ColumnKind::Number => table
                .rows
                .iter()
                .map(|row| shown_len(&row[c]))
                .max()
                .unwrap_or(0),
        };
        sheet.set_column_width(c as u16, clamp_width(header.max(cells + 2)) as f64)?;
    }
    Ok(())
}

fn clamp_width(chars: usize) -> usize {
    chars.clamp(MIN_WIDTH, MAX_WIDTH)
}

/// About how many characters a cell shows (for the column width).
fn shown_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) => s.lines().map(|l| l.chars().count()).max().unwrap_or(0),
        // Excel's General format shows at most 11 characters of a number.
        Cell::Number(n) => n.to_string().len().min(11),
        Cell::Integer(n) => n.to_string().len(),
        _ => 0,
    }
}

/// A valid, unique sheet name for each table. "Summary" is taken by the first sheet and
/// "History" is reserved by Excel; names compare without regard to case, as in Excel.
pub(crate) fn sheet_names(tables: &[Table]) -> Vec<String> {
    let mut taken: HashSet<String> = [SUMMARY_SHEET, "History"]
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
    tables
        .iter()
        .enumerate()
        .map(|(i, table)| {
            let cleaned: String = table
                .name
                .chars()
                .map(|ch| match ch {
                    '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
                    ch if ch.is_control() => ' ',
                    ch => ch,
                })
                .collect();
            let mut base = cleaned.trim().trim_matches('\'').trim().to_owned();
            if base.is_empty() {
                base = format!("Table {}", i + 1);
            }
            let mut name = cut_utf16(&base, MAX_SHEET_NAME);
            let mut n = 2;
            while taken.contains(&name.to_lowercase()) {
                let suffix = format!(" ({n})");
                name = format!(
                    "{}{suffix}",
                    cut_utf16(&base, MAX_SHEET_NAME - suffix.len())
                );
                n += 1;
            }
            taken.insert(name.to_lowercase());
            name
        })
        .collect()
}

/// The longest prefix of `s` of at most `max` UTF-16 code units, without a trailing
/// apostrophe or space.
fn cut_utf16(s: &str, max: usize) -> String {
    let mut units = 0;
    let mut out = String::new();
    for ch in s.chars() {
        units += ch.len_utf16();
        if units > max {
            break;
        }
        out.push(ch);
    }
    let trimmed = out.trim_end_matches(['\'', ' ']);
    if trimmed.is_empty() {
        out
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Table {
        Table::new(name, vec![crate::Column::text("a")])
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let tables: Vec<Table> = [
            "Lots",
            "lots",
            "a/b:c*d?e[f]g\\h",
            "summary",
            "",
            "'quoted'",
            "A name that is far longer than thirty-one characters",
            "A name that is far longer than thirty-one characters",
        ]
        .iter()
        .map(|n| named(n))
        .collect();
        let names = sheet_names(&tables);
        assert_eq!(names[0], "Lots");
        assert_eq!(names[1], "lots (2)");
        assert_eq!(names[2], "a_b_c_d_e_f_g_h");
        assert_eq!(names[3], "summary (2)");
        assert_eq!(names[4], "Table 5");
        assert_eq!(names[5], "quoted");
        assert_eq!(names[6], "A name that is far longer than");
        assert_eq!(names[7], "A name that is far longer t (2)");
        for name in &names {
            rust_xlsxwriter::utility::check_sheet_name(name).unwrap();
        }
    }
}
