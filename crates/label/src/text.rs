//! Text metrics for layout: the advance widths of Helvetica and Helvetica-Bold (the PDF
//! base-14 fonts, from Adobe's AFM files), in thousandths of the font size. Characters
//! outside ASCII take the width of a wide letter, so a fitted line never runs over.

/// Widths of ASCII 32..=126 in Helvetica.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    278, 278, 584, 584, 584, 556, 1015, // :..@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A-M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N-Z
    278, 278, 278, 469, 556, 333, // [..`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a-m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n-z
    334, 260, 334, 584, // {..~
];

/// Widths of ASCII 32..=126 in Helvetica-Bold.
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    333, 333, 584, 584, 584, 611, 975, // :..@
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, // A-M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N-Z
    333, 278, 333, 584, 556, 333, // [..`
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, // a-m
    611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, // n-z
    389, 280, 389, 584, // {..~
];

/// The advance width of `text` at font size `size` (same unit as `size`).
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    let table = if bold { &BOLD } else { &REGULAR };
    let units: u32 = text
        .chars()
        .map(|c| match c as u32 {
            n @ 32..=126 => u32::from(table[(n - 32) as usize]),
            _ => 722,
        })
        .sum();
    f64::from(units) * size / 1000.0
}

/// The largest size from `max` down to `min` at which `text` fits in `room`; at `min`,
/// the text cut short with "..." so that it fits.
pub fn fit(text: &str, room: f64, max: f64, min: f64, bold: bool) -> (String, f64) {
    let natural = width(text, 1.0, bold);
    if natural * max <= room {
        return (text.to_owned(), max);
    }
    if natural * min <= room {
        return (text.to_owned(), room / natural);
    }
    let mut cut: String = text.to_owned();
    while !cut.is_empty() {
        cut.pop();
        let candidate = format!("{}...", cut.trim_end());
        if width(&candidate, min, bold) <= room {
            return (candidate, min);
        }
    }
    (String::new(), min)
}

/// The WinAnsiEncoding (Windows-1252) byte of `c`, if it has one; none for control
/// characters.
pub fn win_ansi(c: char) -> Option<u8> {
    let mut utf8 = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut utf8));
    (!c.is_control() && !unmappable && bytes.len() == 1).then(|| bytes[0])
}

/// A Latin-1 stand-in for a typographic character outside Latin-1 (for the bitmap
/// font), or `?`.
pub fn latin1(c: char) -> char {
    match c {
        c if (c as u32) <= 0xff => c,
        '–' | '—' | '‐' | '‑' | '−' => '-',
        '‘' | '’' | '‚' | '′' => '\'',
        '“' | '”' | '„' | '″' => '"',
        '•' | '·' => '\u{b7}',
        '…' => '.',
        '‹' => '<',
        '›' => '>',
        _ => '?',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(width("0123456789", 1000.0, false), 5560.0);
        assert!(width("W", 10.0, true) > width("i", 10.0, true));
        let (text, size) = fit("A rather long product name", 20.0, 5.0, 2.0, true);
        assert!(width(&text, size, true) <= 20.0 + 1e-9);
        assert!(text.ends_with("..."), "{text}");
        assert_eq!(
            fit("short", 50.0, 5.0, 2.0, false),
            ("short".to_owned(), 5.0)
        );
    }
}
