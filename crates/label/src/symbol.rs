//! Symbols: GS1 data encoded as a module matrix by rxing.

use std::fmt;

use lotrace_gs1::{Gs1Data, Options};
use rxing::datamatrix::DataMatrixWriter;
use rxing::datamatrix::encoder::SymbolShapeHint;
use rxing::oned::{Code128Writer, EAN13Writer, OneDimensionalCodeWriter};
use rxing::qrcode::QRCodeWriter;
use rxing::qrcode::encoder::qrcode_encoder;
use rxing::{BarcodeFormat, EncodeHints, Writer};

use crate::error::{LabelError, Result};

/// The most characters a GS1-128 symbol carries (GS1 General Specifications 5.4.1: 48
/// data characters, AIs and FNC1 separators included, the leading FNC1 not).
pub const MAX_GS1_128_CHARS: usize = 48;

/// The most bytes of data this crate puts in one 2D symbol. Far more than any GS1 label
/// needs; it bounds the work and keeps the modules a scanner can read.
pub const MAX_2D_DATA_BYTES: usize = 1024;

/// FNC1 as rxing's Code 128 writer takes it.
const FNC1_CODE128: char = '\u{f1}';
/// GS (ASCII 29): FNC1 as a separator, as decoders report it.
pub const GS: char = '\u{1d}';

/// A kind of symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// GS1-128: Code 128 with FNC1 in first position. Element strings only.
    Gs1_128,
    /// Data Matrix (ECC 200): GS1 DataMatrix (FNC1 first) with an element string, or a
    /// plain Data Matrix with a Digital Link URI.
    DataMatrix,
    /// QR Code (model 2): GS1 QR Code (FNC1 first position mode) with an element string,
    /// or a plain QR Code with a Digital Link URI.
    Qr,
    /// EAN-13: a GTIN-13 (a GTIN-14 with a leading zero) and nothing else.
    Ean13,
}

impl SymbolKind {
    pub const ALL: [SymbolKind; 4] = [
        SymbolKind::Gs1_128,
        SymbolKind::DataMatrix,
        SymbolKind::Qr,
        SymbolKind::Ean13,
    ];

    /// The name used on the command line and in the API: `gs1-128`, `datamatrix`, `qr`,
    /// `ean13`.
    pub fn name(self) -> &'static str {
        match self {
            SymbolKind::Gs1_128 => "gs1-128",
            SymbolKind::DataMatrix => "datamatrix",
            SymbolKind::Qr => "qr",
            SymbolKind::Ean13 => "ean13",
        }
    }

    /// The kind for a name (case-insensitive; `gs1128`, `code128`, `dm`, `qrcode`, `ean-13`
    /// are accepted too).
    pub fn from_name(name: &str) -> Option<SymbolKind> {
        Some(match name.to_ascii_lowercase().as_str() {
            "gs1-128" | "gs1128" | "code128" | "code-128" => SymbolKind::Gs1_128,
            "datamatrix" | "data-matrix" | "dm" | "gs1-datamatrix" => SymbolKind::DataMatrix,
            "qr" | "qrcode" | "qr-code" | "gs1-qr" => SymbolKind::Qr,
            "ean13" | "ean-13" => SymbolKind::Ean13,
            _ => return None,
        })
    }

    /// A linear (1D) symbol: its matrix has one row, stretched to the bar height.
    pub fn is_linear(self) -> bool {
        matches!(self, SymbolKind::Gs1_128 | SymbolKind::Ean13)
    }
}

impl fmt::Display for SymbolKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SymbolKind::Gs1_128 => "GS1-128",
            SymbolKind::DataMatrix => "Data Matrix",
            SymbolKind::Qr => "QR Code",
            SymbolKind::Ean13 => "EAN-13",
        })
    }
}

/// What a 2D symbol carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Carrier {
    /// The element string, FNC1 first and as separator (GS1 DataMatrix, GS1 QR Code).
    #[default]
    ElementString,
    /// The GS1 Digital Link URI under `stem` (e.g. `https://id.gs1.org` or a brand's own
    /// resolver), in a plain (non-GS1-mode) symbol.
    DigitalLink { stem: String },
}

/// An encoded symbol: its module matrix, the data a decoder reads back from it, and its
/// human-readable interpretation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    kind: SymbolKind,
    gs1: bool,
    text: String,
    hri: Vec<String>,
    width: usize,
    height: usize,
    modules: Vec<bool>,
}

impl Symbol {
    /// Encodes the element string of `data` in a symbol of `kind`.
    pub fn encode(kind: SymbolKind, data: &Gs1Data) -> Result<Symbol> {
        Symbol::encode_with(kind, data, &Carrier::ElementString)
    }

    /// Encodes the Digital Link URI of `data` under `stem` in a 2D symbol.
    pub fn encode_digital_link(kind: SymbolKind, data: &Gs1Data, stem: &str) -> Result<Symbol> {
        Symbol::encode_with(
            kind,
            data,
            &Carrier::DigitalLink {
                stem: stem.to_owned(),
            },
        )
    }

    /// Parses `input` (any form `lotrace_gs1::parse` reads, with full validation) and
    /// encodes it.
    pub fn from_input(kind: SymbolKind, input: &str, carrier: &Carrier) -> Result<Symbol> {
        let data = lotrace_gs1::parse(input).map_err(|error| LabelError::Gs1 {
            field: "data",
            error,
        })?;
        Symbol::encode_with(kind, &data, carrier)
    }

    /// Encodes `data` in a symbol of `kind`, carrying what `carrier` says.
    pub fn encode_with(kind: SymbolKind, data: &Gs1Data, carrier: &Carrier) -> Result<Symbol> {
        if data.elements.is_empty() {
            return Err(not_in(kind, "it is not GS1 data (no AI)"));
        }
        if data.composite_start.is_some() {
            return Err(not_in(
                kind,
                "a composite component needs a GS1 composite symbol, which this crate does not make",
            ));
        }
        let hri = data.hri();
        match (kind, carrier) {
            (SymbolKind::Ean13, Carrier::DigitalLink { .. }) => Err(not_in(
                kind,
                "EAN-13 carries a GTIN-13 only, not a Digital Link URI",
            )),
            (SymbolKind::Gs1_128, Carrier::DigitalLink { .. }) => Err(not_in(
                kind,
                "GS1 Digital Link URIs go in 2D symbols (Data Matrix, QR Code), not in GS1-128",
            )),
            (SymbolKind::Ean13, Carrier::ElementString) => encode_ean13(data),
            (SymbolKind::Gs1_128, Carrier::ElementString) => {
                let text = data.element_string();
                let len = text.chars().count();
                if len > MAX_GS1_128_CHARS {
                    return Err(LabelError::DataTooLong {
                        kind,
                        len,
                        max: MAX_GS1_128_CHARS,
                    });
                }
                let contents: String = std::iter::once(FNC1_CODE128)
                    .chain(text.chars().map(|c| if c == GS { FNC1_CODE128 } else { c }))
                    .collect();
                let hints = EncodeHints {
                    Code128Compact: Some(true),
                    ..EncodeHints::default()
                };
                let bars = Code128Writer
                    .encode_oned_with_hints(&contents, &hints)
                    .map_err(|e| encode_error(kind, e))?;
                Ok(Symbol::linear(kind, true, text, hri, bars))
            }
            (SymbolKind::DataMatrix | SymbolKind::Qr, Carrier::ElementString) => {
                let text = data.element_string();
                Symbol::two_d(kind, true, text, hri)
            }
            (SymbolKind::DataMatrix | SymbolKind::Qr, Carrier::DigitalLink { stem }) => {
                let uri = data
                    .digital_link(stem, &Options::default())
                    .map_err(|error| LabelError::Gs1 {
                        field: "digital_link",
                        error,
                    })?;
                Symbol::two_d(kind, false, uri, hri)
            }
        }
    }

    fn linear(
        kind: SymbolKind,
        gs1: bool,
        text: String,
        hri: Vec<String>,
        bars: Vec<bool>,
    ) -> Symbol {
        Symbol {
            kind,
            gs1,
            text,
            hri,
            width: bars.len(),
            height: 1,
            modules: bars,
        }
    }

    fn two_d(kind: SymbolKind, gs1: bool, text: String, hri: Vec<String>) -> Result<Symbol> {
        if text.len() > MAX_2D_DATA_BYTES {
            return Err(LabelError::DataTooLong {
                kind,
                len: text.len(),
                max: MAX_2D_DATA_BYTES,
            });
        }
        let matrix = match kind {
            SymbolKind::DataMatrix if gs1 => {
                let (width, height, modules) =
                    gs1_datamatrix(&text).map_err(|e| encode_error(kind, e))?;
                return Ok(Symbol {
                    kind,
                    gs1,
                    text,
                    hri,
                    width,
                    height,
                    modules,
                });
            }
            SymbolKind::DataMatrix => {
                let hints = EncodeHints {
                    DataMatrixShape: Some(SymbolShapeHint::FORCE_SQUARE),
                    Margin: Some("0".into()),
                    ..EncodeHints::default()
                };
                DataMatrixWriter.encode_with_hints(&text, &BarcodeFormat::DATA_MATRIX, 0, 0, &hints)
            }
            _ => {
                let hints = EncodeHints {
                    Gs1Format: Some(gs1),
                    ErrorCorrection: Some("M".into()),
                    Margin: Some("0".into()),
                    ..EncodeHints::default()
                };
                let contents = if gs1 {
                    qr_gs1_contents(&text)
                } else {
                    text.clone()
                };
                QRCodeWriter.encode_with_hints(&contents, &BarcodeFormat::QR_CODE, 0, 0, &hints)
            }
        }
        .map_err(|e| encode_error(kind, e))?;
        let (width, height) = (matrix.getWidth() as usize, matrix.getHeight() as usize);
        let mut modules = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                modules.push(matrix.get(x as u32, y as u32));
            }
        }
        Ok(Symbol {
            kind,
            gs1,
            text,
            hri,
            width,
            height,
            modules,
        })
    }

    pub fn kind(&self) -> SymbolKind {
        self.kind
    }

    /// Whether the symbol is in GS1 mode (FNC1 in first position): GS1-128, GS1
    /// DataMatrix, GS1 QR Code, and EAN-13 (a GS1 symbology by itself).
    pub fn is_gs1(&self) -> bool {
        self.gs1
    }

    /// The data as a decoder reports it: the element string with GS (ASCII 29) for each
    /// FNC1 separator and no leading FNC1; the Digital Link URI; or EAN-13's 13 digits.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The symbology identifier a scanner puts before [`Symbol::text`] (ISO/IEC 15424):
    /// `]C1`, `]d2`, `]Q3`, `]d1`, `]Q1` or `]E0`.
    pub fn symbology_identifier(&self) -> &'static str {
        match (self.kind, self.gs1) {
            (SymbolKind::Gs1_128, _) => "]C1",
            (SymbolKind::DataMatrix, true) => "]d2",
            (SymbolKind::DataMatrix, false) => "]d1",
            (SymbolKind::Qr, true) => "]Q3",
            (SymbolKind::Qr, false) => "]Q1",
            (SymbolKind::Ean13, _) => "]E0",
        }
    }

    /// What a scanner transmits: the symbology identifier and the data.
    pub fn scanner_output(&self) -> String {
        format!("{}{}", self.symbology_identifier(), self.text)
    }

    /// The human-readable interpretation, one line per AI (`(01) 09520123456788`); for
    /// EAN-13 the 13 digits.
    pub fn hri(&self) -> &[String] {
        &self.hri
    }

    /// Width in modules (without quiet zone).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in modules: 1 for a linear symbol.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Whether the module at column `x`, row `y` is dark. For a linear symbol `y` is
    /// ignored.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        let y = if self.height == 1 { 0 } else { y };
        x < self.width && y < self.height && self.modules[y * self.width + x]
    }

    /// The quiet zone, in modules, to the left, right, and above and below (0 for linear
    /// symbols, whose bars set the height): GS1-128 10X, EAN-13 11X and 7X, Data Matrix 2X
    /// (the minimum is 1X), QR Code 4X.
    pub fn quiet_zone(&self) -> (usize, usize, usize) {
        match self.kind {
            SymbolKind::Gs1_128 => (10, 10, 0),
            SymbolKind::Ean13 => (11, 7, 0),
            SymbolKind::DataMatrix => (2, 2, 2),
            SymbolKind::Qr => (4, 4, 4),
        }
    }

    /// The dark runs of one row as (start, length) in modules: bars of a linear symbol.
    pub fn runs(&self, y: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut x = 0;
        while x < self.width {
            if self.is_dark(x, y) {
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                out.push((start, x - start));
            } else {
                x += 1;
            }
        }
        out
    }
}

/// GS1 QR Code data for rxing's encoder. In alphanumeric mode under FNC1, `%` stands for
/// FNC1 and a literal `%` is written `%%` (ISO/IEC 18004 7.4.8.3); rxing's encoder does
/// not double it, so do it here when rxing will pick alphanumeric mode. GS separators
/// (byte mode) are written as they are.
fn qr_gs1_contents(text: &str) -> String {
    let alphanumeric =
        qrcode_encoder::chooseMode(text) == rxing::qrcode::common::Mode::ALPHANUMERIC;
    if alphanumeric && text.contains('%') {
        text.replace('%', "%%")
    } else {
        text.to_owned()
    }
}

/// GS1 DataMatrix (ECC 200) in ASCII encodation, from ISO/IEC 16022: FNC1 (232) first
/// and for each GS, digit pairs as 130 + value, other ASCII as value + 1, then the pad
/// codewords; rxing adds the Reed-Solomon codewords and places the modules.
///
/// (rxing can do GS1 only through its "compact" minimal encoder, whose C40/Text path
/// panics on an FNC1 inside a C40 run: `assert!(setIndex == 2)` in
/// `datamatrix/encoder/minimal_encoder.rs`, found by fuzzing with
/// `(8030)DIGSIG(8004)01234567890`. ASCII encodation is never larger for the digits most
/// GS1 data is made of.)
fn gs1_datamatrix(text: &str) -> Result<(usize, usize, Vec<bool>), rxing::Exceptions> {
    use rxing::datamatrix::encoder::{DefaultPlacement, SymbolInfoLookup, error_correction};
    let b = text.as_bytes();
    let mut codewords: Vec<u8> = vec![232];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == 0x1d {
            codewords.push(232);
            i += 1;
        } else if c.is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            codewords.push(130 + (c - b'0') * 10 + (b[i + 1] - b'0'));
            i += 2;
        } else if c < 128 {
            codewords.push(c + 1);
            i += 1;
        } else {
            return Err(rxing::Exceptions::illegal_argument_with(
                "GS1 data is ASCII only",
            ));
        }
    }
    let lookup = SymbolInfoLookup::new();
    let info = lookup
        .lookup_with_codewords_shape_size_fail(
            codewords.len() as u32,
            SymbolShapeHint::FORCE_SQUARE,
            &None,
            &None,
            true,
        )?
        .ok_or_else(|| rxing::Exceptions::illegal_argument_with("too much data"))?;
    let capacity = info.getDataCapacity() as usize;
    if codewords.len() < capacity {
        codewords.push(129);
    }
    while codewords.len() < capacity {
        // The 253-state randomising of pad codewords (ISO/IEC 16022 5.2.3).
        let position = codewords.len() + 1;
        let mut v = 129 + (149 * position) % 253 + 1;
        if v > 254 {
            v -= 254;
        }
        codewords.push(v as u8);
    }
    let data: String = codewords.iter().map(|&c| char::from(c)).collect();
    let all = error_correction::encodeECC200(&data, info)?;
    let (dw, dh) = (
        info.getSymbolDataWidth()? as usize,
        info.getSymbolDataHeight()? as usize,
    );
    let (w, h) = (
        info.getSymbolWidth()? as usize,
        info.getSymbolHeight()? as usize,
    );
    let mut placement = DefaultPlacement::new(all, dw, dh);
    placement.place()?;
    // Data regions with their finder (solid left and bottom) and clock (alternating top
    // and right) patterns, as ZXing lays them out.
    let (mw, mh) = (dw / ((w - dw) / 2), dh / ((h - dh) / 2));
    let mut modules = vec![false; w * h];
    let mut my = 0;
    for y in 0..dh {
        if y % mh == 0 {
            for x in 0..w {
                modules[my * w + x] = x % 2 == 0;
            }
            my += 1;
        }
        let mut mx = 0;
        for x in 0..dw {
            if x % mw == 0 {
                modules[my * w + mx] = true;
                mx += 1;
            }
            modules[my * w + mx] = placement.getBit(x, y);
            mx += 1;
            if x % mw == mw - 1 {
                modules[my * w + mx] = y % 2 == 0;
                mx += 1;
            }
        }
        my += 1;
        if y % mh == mh - 1 {
            for x in 0..w {
                modules[my * w + x] = true;
            }
            my += 1;
        }
    }
    Ok((w, h, modules))
}

fn encode_ean13(data: &Gs1Data) -> Result<Symbol> {
    let kind = SymbolKind::Ean13;
    let gtin = match data.elements.as_slice() {
        [e] if e.ai == "01" => e.value.as_str(),
        _ => {
            return Err(not_in(
                kind,
                "EAN-13 carries a GTIN (01) alone; use GS1-128, Data Matrix or QR Code for more AIs",
            ));
        }
    };
    let Some(digits) = gtin.strip_prefix('0') else {
        return Err(not_in(
            kind,
            "a GTIN-14 with an indicator digit other than 0 cannot be an EAN-13 (use ITF-14 or GS1-128)",
        ));
    };
    let bars = EAN13Writer
        .encode_oned(digits)
        .map_err(|e| encode_error(kind, e))?;
    Ok(Symbol::linear(
        kind,
        true,
        digits.to_owned(),
        vec![digits.to_owned()],
        bars,
    ))
}

fn not_in(kind: SymbolKind, reason: &str) -> LabelError {
    LabelError::NotInSymbol {
        kind,
        reason: reason.to_owned(),
    }
}

fn encode_error(kind: SymbolKind, e: rxing::Exceptions) -> LabelError {
    LabelError::Encode {
        kind,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_is_doubled_only_in_alphanumeric_mode() {
        assert_eq!(
            qr_gs1_contents("010952012345678810A%B"),
            "010952012345678810A%%B"
        );
        assert_eq!(qr_gs1_contents("10a%b"), "10a%b");
        assert_eq!(qr_gs1_contents("10A%B\u{1d}21X"), "10A%B\u{1d}21X");
    }

    #[test]
    fn names_round_trip() {
        for kind in SymbolKind::ALL {
            assert_eq!(SymbolKind::from_name(kind.name()), Some(kind));
        }
    }
}
