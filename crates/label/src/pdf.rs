//! PDF with pdf-writer: one label per page, or labels in a grid on A4 or Letter sheets.
//! Text is base-14 Helvetica (WinAnsiEncoding), so no font is embedded; symbols are
//! filled rectangles, one per run of dark modules.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::error::{LabelError, Result};
use crate::label::{Align, Item, Label};
use crate::text;

/// The most labels one PDF takes.
pub const MAX_LABELS_PER_DOCUMENT: usize = 1000;
/// The most labels one sheet takes (small labels on a big sheet stop there).
pub const MAX_LABELS_PER_SHEET: usize = 100;

/// A paper size for sheets of labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    /// 210 × 297 mm.
    A4,
    /// 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in mm.
    pub fn size_mm(self) -> (f64, f64) {
        match self {
            Paper::A4 => (210.0, 297.0),
            Paper::Letter => (215.9, 279.4),
        }
    }

    pub fn from_name(name: &str) -> Option<Paper> {
        match name.to_ascii_lowercase().as_str() {
            "a4" => Some(Paper::A4),
            "letter" => Some(Paper::Letter),
            _ => None,
        }
    }
}

/// How labels go on pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageLayout {
    /// Each label on a page of its own size (for label printers).
    Label,
    /// Labels in rows and columns on sheets of paper, with a 10 mm margin and 2 mm
    /// between labels, each outlined in light grey for cutting.
    Sheet(Paper),
}

/// Sheet margin and the gap between labels, in mm.
const SHEET_MARGIN: f64 = 10.0;
const SHEET_GAP: f64 = 2.0;

fn pt(mm: f64) -> f32 {
    (mm * 72.0 / 25.4) as f32
}

/// How many labels of `w` × `h` mm go on a sheet: (columns, rows).
pub fn sheet_grid(paper: Paper, w: f64, h: f64) -> (usize, usize) {
    let (pw, ph) = paper.size_mm();
    let fit = |room: f64, size: f64| {
        let n = ((room - 2.0 * SHEET_MARGIN + SHEET_GAP) / (size + SHEET_GAP)).floor();
        if n.is_finite() && n > 0.0 {
            n as usize
        } else {
            0
        }
    };
    let (mut cols, mut rows) = (fit(pw, w), fit(ph, h));
    while cols * rows > MAX_LABELS_PER_SHEET {
        if rows > 1 {
            rows -= 1;
        } else {
            cols -= 1;
        }
    }
    (cols, rows)
}

/// One page: its width and height, and each label with its offset from the top left.
type PagePlan<'a> = (f64, f64, Vec<(&'a Label, f64, f64)>);

/// The labels as a PDF document.
pub fn render_pdf(labels: &[Label], layout: PageLayout) -> Result<Vec<u8>> {
    if labels.is_empty() {
        return Err(LabelError::NoLabels);
    }
    if labels.len() > MAX_LABELS_PER_DOCUMENT {
        return Err(LabelError::TooManyLabels {
            count: labels.len(),
            max: MAX_LABELS_PER_DOCUMENT,
        });
    }
    let mut pages: Vec<PagePlan> = Vec::new();
    match layout {
        PageLayout::Label => {
            for l in labels {
                pages.push((l.width_mm(), l.height_mm(), vec![(l, 0.0, 0.0)]));
            }
        }
        PageLayout::Sheet(paper) => {
            let (pw, ph) = paper.size_mm();
            let cw = labels.iter().map(Label::width_mm).fold(0.0, f64::max);
            let chh = labels.iter().map(Label::height_mm).fold(0.0, f64::max);
            let (cols, rows) = sheet_grid(paper, cw, chh);
            if cols == 0 || rows == 0 {
                return Err(LabelError::DoesNotFit(format!(
                    "a {cw} × {chh} mm label does not fit on {paper:?} paper with {SHEET_MARGIN} mm margins"
                )));
            }
            let per_sheet = cols * rows;
            // Centre the grid on the sheet.
            let left = (pw - (cols as f64 * (cw + SHEET_GAP) - SHEET_GAP)) / 2.0;
            let top = (ph - (rows as f64 * (chh + SHEET_GAP) - SHEET_GAP)) / 2.0;
            for chunk in labels.chunks(per_sheet) {
                let placed = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let (c, r) = (i % cols, i / cols);
                        (
                            l,
                            left + c as f64 * (cw + SHEET_GAP),
                            top + r as f64 * (chh + SHEET_GAP),
                        )
                    })
                    .collect();
                pages.push((pw, ph, placed));
            }
        }
    }

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let regular = alloc();
    let bold = alloc();
    let info = alloc();
    let ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(ids.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .producer(pdf_writer::TextStr("lotrace-label"))
        .title(pdf_writer::TextStr("GS1 labels"));

    for ((pw, ph, placed), (page_id, content_id)) in pages.iter().zip(&ids) {
        let mut content = Content::new();
        let sheet = matches!(layout, PageLayout::Sheet(_));
        for (label, ox, oy) in placed {
            if sheet {
                content.set_stroke_gray(0.75);
                content.set_line_width(0.3);
                content.rect(
                    pt(*ox),
                    pt(ph - oy - label.height_mm()),
                    pt(label.width_mm()),
                    pt(label.height_mm()),
                );
                content.stroke();
            }
            draw_label(&mut content, label, *ox, *oy, *ph);
        }
        let data = content.finish();
        pdf.stream(*content_id, data.as_slice());
        let mut page = pdf.page(*page_id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, pt(*pw), pt(*ph)))
            .contents(*content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(Name(b"F1"), regular)
            .pair(Name(b"F2"), bold);
        resources.finish();
        page.finish();
    }
    Ok(pdf.finish())
}

/// WinAnsiEncoding bytes of `text`; a character it lacks becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| text::win_ansi(c).unwrap_or(b'?'))
        .collect()
}

fn draw_label(content: &mut Content, label: &Label, ox: f64, oy: f64, page_h: f64) {
    // PDF's y goes up from the bottom of the page.
    let y_of = |y: f64| pt(page_h - oy - y);
    content.set_fill_gray(0.0);
    for item in &label.items {
        match item {
            Item::Rule { x, y, w, h } => {
                content.rect(pt(ox + x), y_of(y + h), pt(*w), pt(*h));
                content.fill_nonzero();
            }
            Item::Symbol(p) => {
                let symbol = &label.symbols()[p.symbol];
                let rows = if symbol.kind().is_linear() {
                    1
                } else {
                    symbol.height()
                };
                for row in 0..rows {
                    let (top, h) = if symbol.kind().is_linear() {
                        (p.y, p.bar_height)
                    } else {
                        (p.y + row as f64 * p.module, p.module)
                    };
                    for (start, len) in symbol.runs(row) {
                        content.rect(
                            pt(ox + p.x + start as f64 * p.module),
                            y_of(top + h),
                            pt(len as f64 * p.module),
                            pt(h),
                        );
                    }
                }
                content.fill_nonzero();
            }
            Item::Text(t) => {
                let x = match t.align {
                    Align::Left => t.x,
                    Align::Center => t.x - text::width(&t.text, t.size, t.bold) / 2.0,
                };
                content.begin_text();
                content.set_font(Name(if t.bold { b"F2" } else { b"F1" }), pt(t.size));
                content.next_line(pt(ox + x), y_of(t.y));
                content.show(Str(&win_ansi(&t.text)));
                content.end_text();
            }
        }
    }
}
