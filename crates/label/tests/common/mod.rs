//! Helpers of the label tests: a real decoder (rxing's readers) over luminance bitmaps,
//! and the PNG a renderer wrote read back into one.

#![allow(dead_code)]

use std::collections::HashSet;

use lotrace_label::{Bitmap, SymbolKind};
use rxing::common::HybridBinarizer;
use rxing::{
    BarcodeFormat, BinaryBitmap, DecodeHints, Luma8LuminanceSource, MultiFormatReader,
    RXingResultMetadataType, RXingResultMetadataValue, Reader,
};

/// What a decoder read: the text (GS for FNC1 separators) and the symbology identifier.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub symbology: String,
}

pub fn format_of(kind: SymbolKind) -> BarcodeFormat {
    match kind {
        SymbolKind::Gs1_128 => BarcodeFormat::CODE_128,
        SymbolKind::DataMatrix => BarcodeFormat::DATA_MATRIX,
        SymbolKind::Qr => BarcodeFormat::QR_CODE,
        SymbolKind::Ean13 => BarcodeFormat::EAN_13,
    }
}

/// Decodes the one symbol of `kind` in `bitmap` with rxing, with the GS1 hints (Code 128
/// needs `AssumeGs1`, or FNC1 separators vanish).
pub fn decode(bitmap: &Bitmap, kind: SymbolKind) -> Result<Decoded, String> {
    let source = Luma8LuminanceSource::new(
        bitmap.pixels.clone(),
        bitmap.width as u32,
        bitmap.height as u32,
    )
    .map_err(|e| e.to_string())?;
    let mut image = BinaryBitmap::new(HybridBinarizer::new(source));
    let hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([format_of(kind)])),
        TryHarder: Some(true),
        AssumeGs1: Some(true),
        ..DecodeHints::default()
    };
    let result = MultiFormatReader::default()
        .decode_with_hints(&mut image, &hints)
        .map_err(|e| format!("{kind}: {e}"))?;
    let symbology = match result
        .getRXingResultMetadata()
        .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
    {
        Some(RXingResultMetadataValue::SymbologyIdentifier(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    // With AssumeGs1, rxing's Code 128 reader puts the symbology identifier in the text
    // too; keep the data alone in `text`.
    let text = result.getText();
    let text = text.strip_prefix(symbology.as_str()).unwrap_or(text);
    Ok(Decoded {
        text: text.to_owned(),
        symbology,
    })
}

/// Reads a greyscale PNG back into a bitmap.
pub fn read_png(bytes: &[u8]) -> Bitmap {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    // Ours are greyscale; other programs' (pdftoppm) may be RGB.
    let buf = match info.color_type {
        png::ColorType::Grayscale => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .map(|p| ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3) as u8)
            .collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    Bitmap {
        width: info.width as usize,
        height: info.height as usize,
        pixels: buf,
    }
}

/// Shows control characters, so assertion messages are readable.
pub fn visible(s: &str) -> String {
    s.replace('\u{1d}', "<GS>")
}
