//! Base-14 Helvetica and Helvetica-Bold for the PDF: WinAnsiEncoding (Windows-1252) bytes
//! of text, and the advance widths of those bytes in thousandths of the font size (the
//! values of Adobe's Helvetica AFM metrics). A byte whose width is not listed counts as
//! 1000, at least as wide as any glyph of the font outside ASCII, so text cut to fit never
//! runs over.

/// Widths of the bytes 0x20..=0x7E in Helvetica.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // sp../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0..9
    278, 278, 584, 584, 584, 556, 1015, // :..@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A..M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N..Z
    278, 278, 278, 469, 556, 333, // [..`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a..m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n..z
    334, 260, 334, 584, // {..~
];

/// Widths of the bytes 0x20..=0x7E in Helvetica-Bold.
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // sp../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0..9
    333, 333, 584, 584, 584, 611, 975, // :..@
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, // A..M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N..Z
    333, 278, 333, 584, 556, 333, // [..`
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, // a..m
    611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, // n..z
    389, 280, 389, 584, // {..~
];

/// The WinAnsiEncoding byte of the horizontal ellipsis.
pub const ELLIPSIS: u8 = 0x85;

/// The advance width of one WinAnsiEncoding byte, in thousandths of the font size.
pub fn advance(byte: u8, bold: bool) -> u16 {
    let table = if bold { &BOLD } else { &REGULAR };
    let ascii = |c: u8| table[usize::from(c - 0x20)];
    match byte {
        0x20..=0x7e => ascii(byte),
        // Accented Latin letters are as wide as their base letter.
        0xc0..=0xc5 => ascii(b'A'),
        0xc7 => ascii(b'C'),
        0xc8..=0xcb => ascii(b'E'),
        0xcc..=0xcf | 0xec..=0xef => 278,
        0xd0 => ascii(b'D'),
        0xd1 => ascii(b'N'),
        0xd2..=0xd6 | 0xd8 => ascii(b'O'),
        0xd9..=0xdc => ascii(b'U'),
        0xdd => ascii(b'Y'),
        0xdf => 611,
        0xe0..=0xe5 => ascii(b'a'),
        0xe7 => ascii(b'c'),
        0xe8..=0xeb => ascii(b'e'),
        0xf1 => ascii(b'n'),
        0xf0 | 0xf2..=0xf6 => ascii(b'o'),
        0xf8 => 611,
        0xf9..=0xfc => ascii(b'u'),
        0xfd | 0xff => ascii(b'y'),
        0xd7 | 0xf7 => 584,
        _ => 1000,
    }
}

/// The width of WinAnsiEncoding bytes at font size `size`.
pub fn width(bytes: &[u8], size: f32, bold: bool) -> f32 {
    let units: u32 = bytes.iter().map(|&b| u32::from(advance(b, bold))).sum();
    units as f32 * size / 1000.0
}

/// The WinAnsiEncoding byte of `c`, or `?` for a character the encoding lacks. Control
/// characters (line breaks, tabs) become spaces: a PDF cell is one line.
pub fn encode_char(c: char) -> u8 {
    if c.is_control() {
        return b' ';
    }
    let mut utf8 = [0u8; 4];
    match encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut utf8)) {
        (bytes, _, false) if bytes.len() == 1 => bytes[0],
        _ => b'?',
    }
}

/// `text` in WinAnsiEncoding.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(encode_char).collect()
}

/// `text` (already encoded) cut so that it fits in `room` at `size`: whole if it fits,
/// otherwise the longest prefix that fits with an ellipsis after it (or nothing, if not
/// even the ellipsis fits).
pub fn fit(text: &[u8], room: f32, size: f32, bold: bool) -> Vec<u8> {
    if width(text, size, bold) <= room {
        return text.to_vec();
    }
    let unit = size / 1000.0;
    let mut used = f32::from(advance(ELLIPSIS, bold)) * unit;
    if used > room {
        return Vec::new();
    }
    let mut out = Vec::new();
    for &b in text {
        let w = f32::from(advance(b, bold)) * unit;
        if used + w > room {
            break;
        }
        used += w;
        out.push(b);
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(ELLIPSIS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_encoding() {
        assert_eq!(width(b"0123456789", 10.0, false), 55.6);
        assert!(width(b"W", 10.0, true) > width(b"i", 10.0, true));
        assert_eq!(encode("Café – 5 €"), b"Caf\xe9 \x96 5 \x80");
        assert_eq!(encode("日本\nx"), b"?? x");
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        let text = encode("A rather long product name");
        let cut = fit(&text, 40.0, 8.0, false);
        assert!(width(&cut, 8.0, false) <= 40.0);
        assert_eq!(cut.last(), Some(&ELLIPSIS));
        assert!(text.starts_with(&cut[..cut.len() - 1]));
        assert_eq!(fit(b"short", 100.0, 8.0, false), b"short");
        assert_eq!(fit(b"short", 1.0, 8.0, false), b"");
    }
}
