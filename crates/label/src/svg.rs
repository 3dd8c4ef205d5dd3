//! SVG output, in millimetres: one `<path>` per symbol (a rectangle per run of dark
//! modules), `<text>` in Helvetica (or the viewer's sans-serif), `<rect>` for rules.

use std::fmt::Write;

use crate::label::{Align, Item, Label};
use crate::symbol::Symbol;

/// Escapes text for XML content and attribute values.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no place for other control characters.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Trims a length in mm to 4 decimals.
fn n(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn symbol_path(out: &mut String, symbol: &Symbol, x: f64, y: f64, module: f64, bar_h: f64) {
    let _ = write!(
        out,
        "<path class=\"symbol\" data-symbology=\"{}\" fill=\"#000\" d=\"",
        symbol.symbology_identifier()
    );
    let rows = if symbol.kind().is_linear() {
        1
    } else {
        symbol.height()
    };
    for row in 0..rows {
        let (ry, rh) = if symbol.kind().is_linear() {
            (y, bar_h)
        } else {
            (y + row as f64 * module, module)
        };
        for (start, len) in symbol.runs(row) {
            let _ = write!(
                out,
                "M{} {}h{}v{}h-{}z",
                n(x + start as f64 * module),
                n(ry),
                n(len as f64 * module),
                n(rh),
                n(len as f64 * module)
            );
        }
    }
    out.push_str("\"/>\n");
}

fn header(out: &mut String, w: f64, h: f64) {
    let _ = writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}mm\" height=\"{}mm\" viewBox=\"0 0 {} {}\" shape-rendering=\"crispEdges\">",
        n(w),
        n(h),
        n(w),
        n(h)
    );
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#fff\"/>",
        n(w),
        n(h)
    );
}

/// The label as an SVG document (units: millimetres).
pub fn render_svg(label: &Label) -> String {
    let mut out = String::new();
    header(&mut out, label.width_mm(), label.height_mm());
    for item in &label.items {
        match item {
            Item::Rule { x, y, w, h } => {
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#000\"/>",
                    n(*x),
                    n(*y),
                    n(*w),
                    n(*h)
                );
            }
            Item::Symbol(p) => {
                let symbol = &label.symbols()[p.symbol];
                symbol_path(&mut out, symbol, p.x, p.y, p.module, p.bar_height);
            }
            Item::Text(t) => {
                let anchor = match t.align {
                    Align::Left => "start",
                    Align::Center => "middle",
                };
                let _ = writeln!(
                    out,
                    "<text x=\"{}\" y=\"{}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{}\"{} text-anchor=\"{anchor}\">{}</text>",
                    n(t.x),
                    n(t.y),
                    n(t.size),
                    if t.bold { " font-weight=\"bold\"" } else { "" },
                    xml_escape(&t.text)
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

/// The symbol alone with its quiet zone, as an SVG document: `module_mm` per module, and
/// for a linear symbol bars of `bar_height_mm`.
pub fn symbol_svg(symbol: &Symbol, module_mm: f64, bar_height_mm: f64) -> String {
    let (ql, qr, qv) = symbol.quiet_zone();
    let w = (symbol.width() + ql + qr) as f64 * module_mm;
    let (margin, body) = if symbol.kind().is_linear() {
        (bar_height_mm * 0.1, bar_height_mm)
    } else {
        (qv as f64 * module_mm, symbol.height() as f64 * module_mm)
    };
    let mut out = String::new();
    header(&mut out, w, body + 2.0 * margin);
    symbol_path(
        &mut out,
        symbol,
        ql as f64 * module_mm,
        margin,
        module_mm,
        bar_height_mm,
    );
    out.push_str("</svg>\n");
    out
}
