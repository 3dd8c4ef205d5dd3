//! The report as a PDF: A4 landscape, base-14 Helvetica (nothing embedded), the title and
//! lines, then each table under its heading, with the header row on every page it spans,
//! and "Page x of y" in every footer.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::helvetica::{encode, fit, width};
use crate::{
    Cell, ColumnKind, Format, MAX_PDF_ROWS, Report, ReportError, Table, check_report_head,
    check_table, rfc3339,
};

/// A4 landscape, in points.
const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const MARGIN: f32 = 36.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// The baseline of the footer line.
const FOOTER_BASELINE: f32 = 20.0;

const TITLE_SIZE: f32 = 16.0;
const LINE_SIZE: f32 = 9.0;
const LINE_H: f32 = 13.0;
const HEADING_SIZE: f32 = 11.0;
const HEADING_H: f32 = 20.0;
const CELL_SIZE: f32 = 8.0;
const HEADER_H: f32 = 14.0;
const ROW_H: f32 = 12.0;
const PAD: f32 = 3.0;
const FOOTER_SIZE: f32 = 8.0;
/// Helvetica's cap height, as a fraction of the font size (for centring text in a row).
const CAP: f32 = 0.718;

const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

/// The report as PDF bytes.
///
/// Text is Helvetica in WinAnsiEncoding: a character outside it prints as `?`, and line
/// breaks inside a cell print as spaces. Columns take the width their contents need; when
/// the table is wider than the page, the widest columns share what is left and text too
/// long for its column is cut with an ellipsis. Numbers are right-aligned, and one too wide
/// for its column prints as `###` rather than cut. Dates print as ISO 8601 and instants as
/// RFC 3339 in UTC, as in the CSV.
pub fn to_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    check_report_head(report)?;
    let mut total_rows = 0;
    for table in &report.tables {
        check_table(table, Format::Pdf)?;
        total_rows += table.rows.len();
    }
    if total_rows > MAX_PDF_ROWS {
        return Err(ReportError::TooManyPdfRows {
            rows: total_rows,
            max: MAX_PDF_ROWS,
        });
    }

    let mut doc = Pages::default();
    doc.new_page();

    // The title and the lines.
    let title = fit(&encode(&report.title), CONTENT_W, TITLE_SIZE, true);
    doc.text(MARGIN, doc.y - TITLE_SIZE, TITLE_SIZE, true, &title);
    doc.y -= TITLE_SIZE + 10.0;
    for (key, value) in &report.lines {
        if doc.room() < LINE_H {
            doc.new_page();
        }
        let mut key = encode(key);
        key.extend_from_slice(b": ");
        let key = fit(&key, CONTENT_W, LINE_SIZE, true);
        let key_w = width(&key, LINE_SIZE, true);
        let value = fit(&encode(value), CONTENT_W - key_w, LINE_SIZE, false);
        let baseline = doc.y - LINE_SIZE;
        doc.text(MARGIN, baseline, LINE_SIZE, true, &key);
        doc.text(MARGIN + key_w, baseline, LINE_SIZE, false, &value);
        doc.y -= LINE_H;
    }
    doc.y -= 8.0;

    for table in &report.tables {
        draw_table(&mut doc, table);
        doc.y -= 14.0;
    }

    // The footers, now that the page count is known.
    let count = doc.pages.len();
    let footer_title = fit(&encode(&report.title), CONTENT_W / 2.0, FOOTER_SIZE, false);
    for (i, page) in doc.pages.iter_mut().enumerate() {
        let number = encode(&format!("Page {} of {count}", i + 1));
        let w = width(&number, FOOTER_SIZE, false);
        page.set_fill_gray(0.35);
        show(
            page,
            MARGIN,
            FOOTER_BASELINE,
            FOOTER_SIZE,
            false,
            &footer_title,
        );
        show(
            page,
            PAGE_W - MARGIN - w,
            FOOTER_BASELINE,
            FOOTER_SIZE,
            false,
            &number,
        );
    }
    Ok(write_pdf(report, doc.pages))
}

/// The pages drawn so far and the top of the free space on the last one.
#[derive(Default)]
struct Pages {
    pages: Vec<Content>,
    y: f32,
}

impl Pages {
    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page is open")
    }

    /// Height left above the bottom margin.
    fn room(&self) -> f32 {
        self.y - MARGIN
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, bold: bool, bytes: &[u8]) {
        show(self.page(), x, baseline, size, bold, bytes);
    }

    fn fill(&mut self, x: f32, top: f32, w: f32, h: f32, gray: f32) {
        let page = self.page();
        page.set_fill_gray(gray);
        page.rect(x, top - h, w, h);
        page.fill_nonzero();
        page.set_fill_gray(0.0);
    }

    fn rule(&mut self, x: f32, y: f32, w: f32, gray: f32) {
        let page = self.page();
        page.set_stroke_gray(gray);
        page.set_line_width(0.5);
        page.move_to(x, y);
        page.line_to(x + w, y);
        page.stroke();
    }
}

fn show(page: &mut Content, x: f32, baseline: f32, size: f32, bold: bool, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    page.begin_text();
    page.set_font(if bold { BOLD } else { REGULAR }, size);
    page.next_line(x, baseline);
    page.show(Str(bytes));
    page.end_text();
}

/// A cell's text as the PDF shows it, in WinAnsiEncoding.
fn shown(cell: &Cell) -> Vec<u8> {
    match cell {
        Cell::Empty => Vec::new(),
        Cell::Text(s) => encode(s),
        Cell::Number(n) => n.to_string().into_bytes(),
        Cell::Integer(n) => n.to_string().into_bytes(),
        Cell::Date(d) => d.to_string().into_bytes(),
        Cell::DateTime(t) => encode(&rfc3339(*t)),
    }
}

/// Column widths: what each column needs, or when they do not all fit, the narrow columns
/// keep theirs and the wide ones share the rest equally.
fn column_widths(natural: &[f32], room: f32) -> Vec<f32> {
    if natural.iter().sum::<f32>() <= room {
        return natural.to_vec();
    }
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by(|&a, &b| natural[a].total_cmp(&natural[b]));
    let mut widths = vec![0.0; natural.len()];
    let mut left = room;
    for (k, &i) in order.iter().enumerate() {
        let fair = left / (natural.len() - k) as f32;
        widths[i] = natural[i].min(fair);
        left -= widths[i];
    }
    widths
}

fn draw_table(doc: &mut Pages, table: &Table) {
    let headers: Vec<Vec<u8>> = table.columns.iter().map(|c| encode(&c.header)).collect();
    let cells: Vec<Vec<Vec<u8>>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(shown).collect())
        .collect();
    let natural: Vec<f32> = headers
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let widest = cells
                .iter()
                .map(|row| width(&row[c], CELL_SIZE, false))
                .fold(width(h, CELL_SIZE, true), f32::max);
            (widest + 2.0 * PAD).min(CONTENT_W)
        })
        .collect();
    let widths = column_widths(&natural, CONTENT_W);
    let table_w: f32 = widths.iter().sum();
    let right: Vec<bool> = table
        .columns
        .iter()
        .map(|c| c.kind == ColumnKind::Number)
        .collect();
    let heading = encode(&table.name);

    // The heading, the header row and one row go on the same page.
    if doc.room() < HEADING_H + HEADER_H + ROW_H {
        doc.new_page();
    }
    let draw_head = |doc: &mut Pages, continued: bool| {
        let mut text = heading.clone();
        if continued {
            text.extend_from_slice(b" (continued)");
        }
        let text = fit(&text, CONTENT_W, HEADING_SIZE, true);
        doc.text(MARGIN, doc.y - HEADING_SIZE, HEADING_SIZE, true, &text);
        doc.y -= HEADING_H;
        doc.fill(MARGIN, doc.y, table_w, HEADER_H, 0.87);
        let baseline = doc.y - (HEADER_H + CAP * CELL_SIZE) / 2.0;
        draw_cells(doc, &headers, &widths, &right, baseline, true);
        doc.y -= HEADER_H;
        doc.rule(MARGIN, doc.y, table_w, 0.4);
    };
    draw_head(doc, false);

    if cells.is_empty() {
        let note = encode("(no rows)");
        doc.page().set_fill_gray(0.4);
        doc.text(
            MARGIN + PAD,
            doc.y - (ROW_H + CAP * CELL_SIZE) / 2.0,
            CELL_SIZE,
            false,
            &note,
        );
        doc.page().set_fill_gray(0.0);
        doc.y -= ROW_H;
    }
    for (r, row) in cells.iter().enumerate() {
        if doc.room() < ROW_H {
            doc.new_page();
            draw_head(doc, true);
        }
        if r % 2 == 1 {
            doc.fill(MARGIN, doc.y, table_w, ROW_H, 0.95);
        }
        let baseline = doc.y - (ROW_H + CAP * CELL_SIZE) / 2.0;
        draw_cells(doc, row, &widths, &right, baseline, false);
        doc.y -= ROW_H;
    }
    doc.rule(MARGIN, doc.y, table_w, 0.4);
}

/// One row of cells, each cut to its column (numbers shown whole or as `###`).
fn draw_cells(
    doc: &mut Pages,
    texts: &[Vec<u8>],
    widths: &[f32],
    right: &[bool],
    baseline: f32,
    bold: bool,
) {
    let mut x = MARGIN;
    for ((text, &w), &right) in texts.iter().zip(widths).zip(right) {
        let room = w - 2.0 * PAD;
        let fitted = if right && !bold && width(text, CELL_SIZE, bold) > room {
            fit(b"###", room, CELL_SIZE, bold)
        } else {
            fit(text, room, CELL_SIZE, bold)
        };
        let left = if right {
            x + w - PAD - width(&fitted, CELL_SIZE, bold)
        } else {
            x + PAD
        };
        doc.text(left, baseline, CELL_SIZE, bold, &fitted);
        x += w;
    }
}

fn write_pdf(report: &Report, pages: Vec<Content>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let ids: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| (Ref::new(6 + 2 * i), Ref::new(7 + 2 * i)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(page, _)| *page))
        .count(ids.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(&report.title))
        .producer(TextStr("lotrace-report"));
    for (content, (page_id, content_id)) in pages.into_iter().zip(&ids) {
        let data = content.finish();
        pdf.stream(*content_id, data.as_slice());
        let mut page = pdf.page(*page_id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(*content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        page.finish();
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_columns_keep_their_width_and_wide_ones_share() {
        assert_eq!(column_widths(&[10.0, 20.0], 100.0), vec![10.0, 20.0]);
        let w = column_widths(&[10.0, 500.0, 300.0, 20.0], 100.0);
        assert_eq!(w, vec![10.0, 35.0, 35.0, 20.0]);
        assert!(w.iter().sum::<f32>() <= 100.0);
    }
}
