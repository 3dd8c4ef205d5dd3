//! ZPL II for Zebra printers. Symbols are the printer's own barcode commands where ZPL can
//! say exactly what the symbol holds:
//! - GS1-128: `^BC` in mode N with the very code sets of the rendered symbol: start code
//!   (`>9` A, `>:` B, `>;` C), `>8` for FNC1, `>5`/`>6`/`>7` to change code set;
//! - GS1 DataMatrix: `^BX` quality 200 with an escape character `E` (`_` unless the data
//!   holds one) and `E1` for FNC1, first and as separator; a Digital Link as plain data;
//! - QR Code with a Digital Link: `^BQ` model 2, error correction M;
//! - EAN-13: `^BE`.
//!
//! A GS1 QR Code (element string, FNC1 first position mode) is sent as a `^GF` graphic of
//! the rendered matrix, since `^BQ` has no FNC1 mode; [`ZplOptions::graphic_symbols`]
//! sends every symbol that way. Text is `^A0` (scalable) in UTF-8 (`^CI28`), with `^FH`
//! hex escapes for the characters ZPL gives a meaning.

use std::fmt::Write;

use crate::error::{LabelError, Result};
use crate::label::{Align, Item, Label, Placement};
use crate::raster::fit_modules;
use crate::symbol::{GS, Symbol, SymbolKind};

/// How to write the ZPL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZplOptions {
    /// The printer's resolution: 152, 203, 300 or 600 dpi (6, 8, 12 or 24 dots/mm).
    pub dpi: u32,
    /// Send every symbol as a `^GF` graphic of the rendered modules (the printer's barcode
    /// engine is then not used at all).
    pub graphic_symbols: bool,
}

impl Default for ZplOptions {
    fn default() -> ZplOptions {
        ZplOptions {
            dpi: 203,
            graphic_symbols: false,
        }
    }
}

fn dots_per_mm(dpi: u32) -> Result<f64> {
    match dpi {
        152 => Ok(6.0),
        203 => Ok(8.0),
        300 => Ok(12.0),
        600 => Ok(24.0),
        _ => Err(LabelError::OutOfRange {
            what: "ZPL printer resolution (152, 203, 300 or 600 dpi)",
            value: f64::from(dpi),
            min: 152.0,
            max: 600.0,
        }),
    }
}

/// The label as one ZPL format (`^XA` … `^XZ`).
pub fn render_zpl(label: &Label, options: &ZplOptions) -> Result<String> {
    let dpmm = dots_per_mm(options.dpi)?;
    let d = |mm: f64| (mm * dpmm).round().max(0.0) as i64;
    let mut out = String::new();
    let _ = writeln!(out, "^XA");
    let _ = writeln!(out, "^CI28");
    let _ = writeln!(out, "^PW{}", d(label.width_mm()));
    let _ = writeln!(out, "^LL{}", d(label.height_mm()));
    let _ = writeln!(out, "^LH0,0");
    for item in &label.items {
        match item {
            Item::Rule { x, y, w, h } => {
                let (w, h) = (d(*w).max(1), d(*h).max(1));
                let _ = writeln!(out, "^FO{},{}^GB{w},{h},{}^FS", d(*x), d(*y), w.min(h));
            }
            Item::Text(t) => {
                let h = d(t.size).max(10);
                let top = d(t.y - t.size * 0.78);
                let (prefix, data) = field_data(&t.text);
                match t.align {
                    Align::Left => {
                        let _ =
                            writeln!(out, "^FO{},{top}^A0N,{h},{h}{prefix}^FD{data}^FS", d(t.x));
                    }
                    Align::Center => {
                        let half = t.x.min(label.width_mm() - t.x);
                        let _ = writeln!(
                            out,
                            "^FO{},{top}^FB{},1,0,C,0^A0N,{h},{h}{prefix}^FD{data}^FS",
                            d(t.x - half),
                            d(2.0 * half)
                        );
                    }
                }
            }
            Item::Symbol(p) => {
                let symbol = &label.symbols()[p.symbol];
                symbol_zpl(&mut out, symbol, p, dpmm, options.graphic_symbols);
            }
        }
    }
    let _ = writeln!(out, "^XZ");
    Ok(out)
}

fn symbol_zpl(out: &mut String, symbol: &Symbol, p: &Placement, dpmm: f64, graphic: bool) {
    let (x, y, m) = fit_modules(symbol, p, dpmm);
    let h = (p.bar_height * dpmm).round().max(1.0) as i64;
    if !graphic {
        let native = match symbol.kind() {
            SymbolKind::Gs1_128 => {
                code128_zpl(symbol).map(|data| format!("^BY{m},2,{h}^BCN,{h},N,N,N,N^FD{data}^FS"))
            }
            SymbolKind::Ean13 => Some(format!(
                "^BY{m},2,{h}^BEN,{h},N,N^FD{}^FS",
                &symbol.text()[..12]
            )),
            SymbolKind::DataMatrix => {
                let text = symbol.text();
                let esc = ['_', '`', '{', '}', '|', '\\']
                    .into_iter()
                    .find(|c| !text.contains(*c))
                    .unwrap_or('_');
                let data = if symbol.is_gs1() {
                    let fnc1 = format!("{esc}1");
                    format!("{fnc1}{}", text.replace(GS, &fnc1))
                } else {
                    text.to_owned()
                };
                let (prefix, data) = field_data(&data);
                Some(format!("^BXN,{m},200,,,,{esc}{prefix}^FD{data}^FS"))
            }
            SymbolKind::Qr if !symbol.is_gs1() && m <= 10 => {
                let (prefix, data) = field_data(symbol.text());
                Some(format!("^BQN,2,{m}{prefix}^FDMA,{data}^FS"))
            }
            SymbolKind::Qr => None,
        };
        if let Some(cmd) = native {
            let _ = writeln!(out, "^FO{x},{y}{cmd}");
            return;
        }
    }
    // The rendered modules as a graphic field.
    let rows = if symbol.kind().is_linear() {
        h as usize
    } else {
        symbol.height() * m as usize
    };
    let width = symbol.width() * m as usize;
    let row_bytes = width.div_ceil(8);
    let mut hex = String::with_capacity(row_bytes * rows * 2);
    for r in 0..rows {
        let my = if symbol.kind().is_linear() {
            0
        } else {
            r / m as usize
        };
        for b in 0..row_bytes {
            let mut byte = 0u8;
            for bit in 0..8 {
                let px = b * 8 + bit;
                if px < width && symbol.is_dark(px / m as usize, my) {
                    byte |= 0x80 >> bit;
                }
            }
            let _ = write!(hex, "{byte:02X}");
        }
    }
    let total = row_bytes * rows;
    let _ = writeln!(out, "^FO{x},{y}^GFA,{total},{total},{row_bytes},{hex}^FS");
}

/// `^FD` data: as it is, or with `^FH\` and hex escapes when it holds `^`, `~`, `\` or
/// a non-ASCII or control character (bytes of UTF-8, which `^CI28` selects).
fn field_data(text: &str) -> (&'static str, String) {
    let special = |c: char| matches!(c, '^' | '~' | '\\') || !(' '..='~').contains(&c);
    if !text.chars().any(special) {
        return ("", text.to_owned());
    }
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if special(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    ("^FH\\", out)
}

/// The Code 128 patterns (ISO/IEC 15417): bar and space widths of values 0..=105, then
/// the stop pattern.
const PATTERNS: [[u8; 6]; 106] = [
    [2, 1, 2, 2, 2, 2],
    [2, 2, 2, 1, 2, 2],
    [2, 2, 2, 2, 2, 1],
    [1, 2, 1, 2, 2, 3],
    [1, 2, 1, 3, 2, 2],
    [1, 3, 1, 2, 2, 2],
    [1, 2, 2, 2, 1, 3],
    [1, 2, 2, 3, 1, 2],
    [1, 3, 2, 2, 1, 2],
    [2, 2, 1, 2, 1, 3],
    [2, 2, 1, 3, 1, 2],
    [2, 3, 1, 2, 1, 2],
    [1, 1, 2, 2, 3, 2],
    [1, 2, 2, 1, 3, 2],
    [1, 2, 2, 2, 3, 1],
    [1, 1, 3, 2, 2, 2],
    [1, 2, 3, 1, 2, 2],
    [1, 2, 3, 2, 2, 1],
    [2, 2, 3, 2, 1, 1],
    [2, 2, 1, 1, 3, 2],
    [2, 2, 1, 2, 3, 1],
    [2, 1, 3, 2, 1, 2],
    [2, 2, 3, 1, 1, 2],
    [3, 1, 2, 1, 3, 1],
    [3, 1, 1, 2, 2, 2],
    [3, 2, 1, 1, 2, 2],
    [3, 2, 1, 2, 2, 1],
    [3, 1, 2, 2, 1, 2],
    [3, 2, 2, 1, 1, 2],
    [3, 2, 2, 2, 1, 1],
    [2, 1, 2, 1, 2, 3],
    [2, 1, 2, 3, 2, 1],
    [2, 3, 2, 1, 2, 1],
    [1, 1, 1, 3, 2, 3],
    [1, 3, 1, 1, 2, 3],
    [1, 3, 1, 3, 2, 1],
    [1, 1, 2, 3, 1, 3],
    [1, 3, 2, 1, 1, 3],
    [1, 3, 2, 3, 1, 1],
    [2, 1, 1, 3, 1, 3],
    [2, 3, 1, 1, 1, 3],
    [2, 3, 1, 3, 1, 1],
    [1, 1, 2, 1, 3, 3],
    [1, 1, 2, 3, 3, 1],
    [1, 3, 2, 1, 3, 1],
    [1, 1, 3, 1, 2, 3],
    [1, 1, 3, 3, 2, 1],
    [1, 3, 3, 1, 2, 1],
    [3, 1, 3, 1, 2, 1],
    [2, 1, 1, 3, 3, 1],
    [2, 3, 1, 1, 3, 1],
    [2, 1, 3, 1, 1, 3],
    [2, 1, 3, 3, 1, 1],
    [2, 1, 3, 1, 3, 1],
    [3, 1, 1, 1, 2, 3],
    [3, 1, 1, 3, 2, 1],
    [3, 3, 1, 1, 2, 1],
    [3, 1, 2, 1, 1, 3],
    [3, 1, 2, 3, 1, 1],
    [3, 3, 2, 1, 1, 1],
    [3, 1, 4, 1, 1, 1],
    [2, 2, 1, 4, 1, 1],
    [4, 3, 1, 1, 1, 1],
    [1, 1, 1, 2, 2, 4],
    [1, 1, 1, 4, 2, 2],
    [1, 2, 1, 1, 2, 4],
    [1, 2, 1, 4, 2, 1],
    [1, 4, 1, 1, 2, 2],
    [1, 4, 1, 2, 2, 1],
    [1, 1, 2, 2, 1, 4],
    [1, 1, 2, 4, 1, 2],
    [1, 2, 2, 1, 1, 4],
    [1, 2, 2, 4, 1, 1],
    [1, 4, 2, 1, 1, 2],
    [1, 4, 2, 2, 1, 1],
    [2, 4, 1, 2, 1, 1],
    [2, 2, 1, 1, 1, 4],
    [4, 1, 3, 1, 1, 1],
    [2, 4, 1, 1, 1, 2],
    [1, 3, 4, 1, 1, 1],
    [1, 1, 1, 2, 4, 2],
    [1, 2, 1, 1, 4, 2],
    [1, 2, 1, 2, 4, 1],
    [1, 1, 4, 2, 1, 2],
    [1, 2, 4, 1, 1, 2],
    [1, 2, 4, 2, 1, 1],
    [4, 1, 1, 2, 1, 2],
    [4, 2, 1, 1, 1, 2],
    [4, 2, 1, 2, 1, 1],
    [2, 1, 2, 1, 4, 1],
    [2, 1, 4, 1, 2, 1],
    [4, 1, 2, 1, 2, 1],
    [1, 1, 1, 1, 4, 3],
    [1, 1, 1, 3, 4, 1],
    [1, 3, 1, 1, 4, 1],
    [1, 1, 4, 1, 1, 3],
    [1, 1, 4, 3, 1, 1],
    [4, 1, 1, 1, 1, 3],
    [4, 1, 1, 3, 1, 1],
    [1, 1, 3, 1, 4, 1],
    [1, 1, 4, 1, 3, 1],
    [3, 1, 1, 1, 4, 1],
    [4, 1, 1, 1, 3, 1],
    [2, 1, 1, 4, 1, 2],
    [2, 1, 1, 2, 1, 4],
    [2, 1, 1, 2, 3, 2],
];

/// The Code 128 values of a rendered symbol (start, data, check; no stop), read back from
/// its bars.
pub(crate) fn code128_values(symbol: &Symbol) -> Option<Vec<u8>> {
    let mut widths = Vec::new();
    let mut x = 0;
    while x < symbol.width() {
        let dark = symbol.is_dark(x, 0);
        let start = x;
        while x < symbol.width() && symbol.is_dark(x, 0) == dark {
            x += 1;
        }
        widths.push((x - start) as u8);
    }
    // Characters of 6 elements, then the stop of 7.
    if widths.len() < 7 || (widths.len() - 7) % 6 != 0 {
        return None;
    }
    let mut values = Vec::new();
    for chunk in widths[..widths.len() - 7].chunks(6) {
        let v = PATTERNS.iter().position(|p| p[..] == *chunk)?;
        values.push(v as u8);
    }
    Some(values)
}

/// The `^BC` mode N data that makes the printer encode exactly these values.
fn code128_zpl(symbol: &Symbol) -> Option<String> {
    let values = code128_values(symbol)?;
    let (start, data) = values.split_first()?;
    let data = &data[..data.len().checked_sub(1)?]; // the printer adds the check value
    #[derive(Clone, Copy, PartialEq)]
    enum Set {
        A,
        B,
        C,
    }
    let (mut set, mut out) = match start {
        103 => (Set::A, String::from(">9")),
        104 => (Set::B, String::from(">:")),
        105 => (Set::C, String::from(">;")),
        _ => return None,
    };
    for &v in data {
        match (set, v) {
            (_, 102) => out.push_str(">8"),
            (Set::C, 0..=99) => {
                let _ = write!(out, "{v:02}");
            }
            (Set::C, 100) | (Set::A, 100) => {
                out.push_str(">6");
                set = Set::B;
            }
            (Set::C, 101) | (Set::B, 101) => {
                out.push_str(">7");
                set = Set::A;
            }
            (Set::A | Set::B, 99) => {
                out.push_str(">5");
                set = Set::C;
            }
            // Printable characters (ASCII 32..=95 in set A, 32..=126 in set B).
            (Set::A, 0..=63) | (Set::B, 0..=94) => {
                let c = char::from(v + 32);
                match c {
                    '>' => out.push_str("><"),
                    '^' | '~' => return None,
                    c => out.push(c),
                }
            }
            // Control characters, FNC2-4, shift: not in GS1 data.
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_data_escapes() {
        assert_eq!(field_data("ABC 12"), ("", "ABC 12".to_owned()));
        assert_eq!(
            field_data("a^b~c\\ä"),
            ("^FH\\", "a\\5Eb\\7Ec\\5C\\C3\\A4".to_owned())
        );
    }
}
