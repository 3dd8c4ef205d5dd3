//! The templates read back into exactly their example rows, as CSV and as XLSX; XLSX cells
//! of other types (numbers, dates, date-times, booleans, errors) read as their columns say.

use lotrace_sheet::{Format, Kind, Limits, example_rows, read, template_csv, template_xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
use serde_json::{Value, json};

/// The JSON value the example cell should become, by the column's type.
fn expected(kind: Kind, column: &str, text: &str) -> Value {
    let ty = kind.columns().iter().find(|c| c.name == column).unwrap().ty;
    match ty {
        lotrace_sheet::ColType::Whole => json!(text.parse::<u64>().unwrap()),
        lotrace_sheet::ColType::Bool => json!(text == "true"),
        lotrace_sheet::ColType::List => {
            Value::Array(text.split(',').map(|w| json!(w.trim())).collect())
        }
        lotrace_sheet::ColType::Lines => Value::Array(
            text.split(';')
                .map(|l| lotrace_core::ops::LotLine::json_from_text(l).unwrap())
                .collect(),
        ),
        _ => json!(text),
    }
}

fn check(kind: Kind, format: Format, bytes: &[u8]) {
    let sheets = read(bytes, format, None, &Limits::default())
        .unwrap_or_else(|e| panic!("{kind} {format:?}: {e}"));
    assert_eq!(sheets.len(), 1);
    let sheet = &sheets[0];
    assert_eq!(
        sheet.kind, kind,
        "inferred from the sheet name or the header"
    );
    let examples = example_rows(kind);
    assert_eq!(sheet.rows.len(), examples.len());
    let names: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
    assert_eq!(sheet.headers, names);
    for (i, (row, example)) in sheet.rows.iter().zip(&examples).enumerate() {
        assert_eq!(row.number, i as u32 + 2, "the header is row 1");
        let mut want = serde_json::Map::new();
        for (name, text) in names.iter().zip(example) {
            if !text.is_empty() {
                want.insert((*name).into(), expected(kind, name, text));
            }
        }
        assert_eq!(row.body, Value::Object(want), "{kind} {format:?} row {i}");
    }
}

#[test]
fn every_template_reads_back_into_its_examples() {
    for kind in Kind::ALL {
        check(kind, Format::Csv, &template_csv(kind));
        check(kind, Format::Xlsx, &template_xlsx(kind).unwrap());
    }
}

#[test]
fn the_csv_template_is_the_header_and_the_examples() {
    let text = String::from_utf8(template_csv(Kind::Shipments)).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        Kind::Shipments
            .columns()
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(",")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("SHOP,PLANT,SALAD:S261130-001:40,")
    );
}

#[test]
fn xlsx_cells_of_other_types_read_as_their_columns_say() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Receipts").unwrap();
    for (c, h) in [
        "product", "supplier", "location", "quantity", "lot", "expiry", "time",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let stamp = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm");
    // Row 2: good; numbers as numbers, the expiry a real date cell.
    sheet.write_string(1, 0, "LETTUCE").unwrap();
    sheet.write_string(1, 1, "FARM").unwrap();
    sheet.write_string(1, 2, "COLD").unwrap();
    sheet.write_number(1, 3, 12.5).unwrap();
    sheet.write_number(1, 4, 1234.0).unwrap();
    let d = ExcelDateTime::from_ymd(2030, 12, 31).unwrap();
    sheet.write_datetime_with_format(1, 5, &d, &date).unwrap();
    book.save_to_buffer().unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let sheets = read(&bytes, Format::Xlsx, None, &Limits::default()).unwrap();
    assert_eq!(sheets[0].kind, Kind::Receipts);
    assert_eq!(
        sheets[0].rows[0].body,
        json!({
            "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": "12.5",
            "lot": "1234", "expiry": "2030-12-31",
        })
    );

    // Row 3: a date-time where an offset is needed, a time of day in a date, a boolean
    // in a quantity.
    let sheet = book.worksheet_from_index(0).unwrap();
    sheet.write_string(2, 0, "LETTUCE").unwrap();
    sheet.write_string(2, 1, "FARM").unwrap();
    sheet.write_string(2, 2, "COLD").unwrap();
    sheet.write_boolean(2, 3, true).unwrap();
    let t = ExcelDateTime::from_ymd(2026, 3, 12)
        .unwrap()
        .and_hms(8, 30, 0)
        .unwrap();
    sheet.write_datetime_with_format(2, 5, &t, &stamp).unwrap();
    sheet.write_datetime_with_format(2, 6, &t, &stamp).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let e = read(&bytes, Format::Xlsx, None, &Limits::default()).unwrap_err();
    let cells: Vec<&str> = e
        .errors
        .iter()
        .map(|e| e.cell.as_deref().unwrap())
        .collect();
    assert_eq!(cells, ["D3", "F3", "G3"], "{e:?}");
    assert_eq!(e.errors[0].sheet.as_deref(), Some("Receipts"));
    assert!(e.errors[2].message.contains("no UTC offset"), "{e:?}");
    assert!(e.errors[1].message.contains("time of day"), "{e:?}");
}

#[test]
fn a_workbook_with_several_sheets_gives_one_sheet_per_kind() {
    let mut book = Workbook::new();
    for kind in [Kind::Products, Kind::Locations] {
        let sheet = book.add_worksheet();
        sheet.set_name(kind.as_str()).unwrap();
        for (c, column) in kind.columns().iter().enumerate() {
            sheet.write_string(0, c as u16, column.name).unwrap();
        }
        for (r, row) in example_rows(kind).iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
                }
            }
        }
    }
    book.add_worksheet().set_name("Notes").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let sheets = read(&bytes, Format::Xlsx, None, &Limits::default()).unwrap();
    let kinds: Vec<Kind> = sheets.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [Kind::Products, Kind::Locations],
        "the empty sheet is skipped"
    );
    let only = read(
        &bytes,
        Format::Xlsx,
        Some(Kind::Locations),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].name.as_deref(), Some("locations"));
    let limits = Limits {
        max_unzipped_bytes: 1_000,
        ..Limits::default()
    };
    let e = read(&bytes, Format::Xlsx, None, &limits).unwrap_err();
    assert!(e.errors[0].message.contains("inflates to"), "{e}");
}
