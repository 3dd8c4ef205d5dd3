//! GS1 labels and symbols for lotrace.
//!
//! - [`Symbol`]: GS1 data ([`lotrace_gs1::Gs1Data`]) encoded by rxing as a module matrix:
//!   GS1-128, GS1 DataMatrix and GS1 QR Code with the element string (FNC1 first and as
//!   separator), Data Matrix and QR Code with a GS1 Digital Link URI, and EAN-13.
//! - [`Label`]: a trade item label (name, GTIN, lot, dates, quantity, one symbol) or, with
//!   an SSCC, a pallet label in the GS1 logistic label layout (free-format, text and
//!   barcode sections; the SSCC's GS1-128 at the bottom), the human-readable
//!   interpretation under every symbol. Built from a [`LabelSpec`]; every field is checked
//!   as GS1 data first, with the association rules over the whole label.
//! - Output: [`render_svg`], [`render_png`] (and the [`Bitmap`] behind it), [`render_zpl`]
//!   for Zebra printers, [`render_pdf`] for one label per page or sheets of A4/Letter.
//! - [`scan_report`]: the JSON report of a scan, shared by `lotrace scan` and
//!   `POST /api/v1/scan`.
//!
//! Limits: [`MAX_GS1_128_CHARS`], [`MAX_2D_DATA_BYTES`], label sizes
//! ([`MIN_LABEL_MM`]..=[`MAX_LABEL_MM`]), [`MAX_PIXELS`] per bitmap, resolutions
//! ([`MIN_DPI`]..=[`MAX_DPI`]), [`MAX_LABELS_PER_DOCUMENT`] and [`MAX_LABELS_PER_SHEET`].
//! No I/O: every renderer returns bytes or text.

/// The GS1 crate this one builds on, for callers that need its types (`IdKind`, ...).
pub use lotrace_gs1 as gs1;

mod error;
mod font;
mod label;
mod pdf;
mod raster;
mod scan;
mod svg;
mod symbol;
mod text;
mod zpl;

pub use error::{LabelError, Result};
pub use label::{
    Label, LabelSpec, MAX_LABEL_MM, MAX_NAME_CHARS, MAX_QUANTITY_CHARS, MIN_LABEL_MM, Placement,
};
pub use pdf::{
    MAX_LABELS_PER_DOCUMENT, MAX_LABELS_PER_SHEET, PageLayout, Paper, render_pdf, sheet_grid,
};
pub use raster::{Bitmap, MAX_DPI, MAX_PIXELS, MIN_DPI, render_bitmap, render_png, symbol_bitmap};
pub use scan::{ScanOptions, ScanReport, error_json, scan_report, scan_text};
pub use svg::{render_svg, symbol_svg};
pub use symbol::{Carrier, GS, MAX_2D_DATA_BYTES, MAX_GS1_128_CHARS, Symbol, SymbolKind};
pub use zpl::{ZplOptions, render_zpl};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Pdf,
    Zpl,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "pdf" => Some(Format::Pdf),
            "zpl" => Some(Format::Zpl),
            _ => None,
        }
    }

    /// The media type of the output.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
            Format::Pdf => "application/pdf",
            Format::Zpl => "application/zpl",
        }
    }
}

/// Renders one label: SVG, PNG (300 dpi), PDF (one page of the label's size) or ZPL
/// (203 dpi).
pub fn render(label: &Label, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Svg => Ok(render_svg(label).into_bytes()),
        Format::Png => render_png(label, 300),
        Format::Pdf => render_pdf(std::slice::from_ref(label), PageLayout::Label),
        Format::Zpl => Ok(render_zpl(label, &ZplOptions::default())?.into_bytes()),
    }
}
